"""Hypothesis strategies that build *valid* objects of the theory.

Used by the test suite and by the property-based claim checks; import them to run the
properties on your own settings.  Every strategy constructs a valid object directly
(no rejection sampling): a correlation matrix is a normalised Gram matrix, a covariance
is ``Q diag(λ) Qᵀ`` with a random rotation and a spectrum spread over several decades.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .model import MultitaskModel

__all__ = [
    "spectra",
    "covariances",
    "correlation_matrices",
    "noise_levels",
    "multitask_models",
    "general_models",
    "models",
    "weights",
    "monotone_weights",
    "preconditioners",
]

_unit = st.floats(-1.0, 1.0, allow_nan=False, allow_infinity=False)


def spectra(d: int, *, min_log10: float = -2.0, max_log10: float = 2.0):
    """``d`` eigenvalues ``10^u``, ``u ∈ [min_log10, max_log10]`` (several decades).

    Parameters
    ----------
    d : int
        How many eigenvalues.
    min_log10, max_log10 : float, optional
        The range of their decimal logarithms.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Of arrays of shape ``(d,)``, positive.

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import find
    >>> lam = find(spectra(3), lambda lam: lam.max() > 10 * lam.min())
    >>> lam.shape, bool(np.all((lam >= 1e-2) & (lam <= 1e2)))
    ((3,), True)
    """
    return st.lists(st.floats(min_log10, max_log10), min_size=d, max_size=d).map(
        lambda us: np.power(10.0, np.array(us))
    )


@st.composite
def _rotation(draw, d: int):
    A = np.array(draw(st.lists(_unit, min_size=d * d, max_size=d * d))).reshape(d, d)
    Q, Rr = np.linalg.qr(A + 3.0 * np.eye(d))  # + 3I keeps it well conditioned
    return Q * np.sign(np.where(np.diag(Rr) == 0, 1.0, np.diag(Rr)))


@st.composite
def covariances(draw, d: int, *, min_log10: float = -2.0, max_log10: float = 2.0, isotropic=None):
    """SPD ``Σ = Q diag(λ) Qᵀ``; ``isotropic=True`` gives ``λI``.

    ``Q`` is a random rotation and ``λ`` is drawn by :func:`spectra` (feature covariances of
    the prompt model, THEORY.md §1).

    Parameters
    ----------
    d : int
        The dimension.
    min_log10, max_log10 : float, optional
        The range of the eigenvalues' decimal logarithms.
    isotropic : bool, optional
        Only ``λI`` (True), never (False), or either (None).

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Of symmetric positive definite arrays of shape ``(d, d)``.

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None, derandomize=True)
    ... @given(covariances(3))
    ... def check(S):
    ...     assert S.shape == (3, 3) and np.allclose(S, S.T) and np.all(np.linalg.eigvalsh(S) > 0)
    >>> check()  # no counterexample
    """
    iso = draw(st.booleans()) if isotropic is None else isotropic
    if iso:
        lam = float(10.0 ** draw(st.floats(min_log10, max_log10)))
        return lam * np.eye(d)
    lam = draw(spectra(d, min_log10=min_log10, max_log10=max_log10))
    Q = draw(_rotation(d))
    S = (Q * lam) @ Q.T
    return (S + S.T) / 2.0


@st.composite
def correlation_matrices(draw, m: int, *, max_rank=None):
    """PSD unit-diagonal ``m × m`` matrices as normalised Gram matrices ``D V Vᵀ D``.

    Rows are ``(±1, a_2..a_k)`` so none vanishes; ``k ≤ max_rank`` allows rank-deficient
    (including rank-one) matrices; negative correlations occur.

    Parameters
    ----------
    m : int
        The size.
    max_rank : int, optional
        The largest rank (default ``m``).

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Of arrays of shape ``(m, m)``: PSD, unit diagonal (task correlations ``C``).

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import find
    >>> C = find(correlation_matrices(3, max_rank=1), lambda C: C[0, 1] < 0)
    >>> C.shape, bool(np.allclose(np.diag(C), 1)), bool(np.linalg.eigvalsh(C).min() > -1e-12)
    ((3, 3), True, True)
    """
    k = draw(st.integers(1, max_rank or m))
    signs = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=m, max_size=m)))
    rest = np.array(draw(st.lists(st.floats(-2.0, 2.0), min_size=m * (k - 1), max_size=m * (k - 1)))).reshape(m, k - 1)
    V = np.column_stack([signs, rest])
    V = V / np.linalg.norm(V, axis=1, keepdims=True)
    C = V @ V.T
    C = (C + C.T) / 2.0
    np.fill_diagonal(C, 1.0)
    return C


def noise_levels(max_noise: float = 4.0):
    """Noise variances ``σ²``: exactly 0, or in ``[1e-3, max_noise]``.

    Parameters
    ----------
    max_noise : float, optional
        The largest variance.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Of floats.

    Examples
    --------
    >>> from hypothesis import find
    >>> find(noise_levels(), lambda s: True)  # the simplest: no noise
    0.0
    """
    return st.one_of(st.just(0.0), st.floats(1e-3, max_noise))


@st.composite
def multitask_models(draw, *, max_d: int = 4, max_tasks: int = 4, max_size: int = 5, **cov_kw):
    """A :class:`MultitaskModel` built by ``from_tasks``.

    ``K`` task segments, the correlations ``(ρ, r_task)`` from one correlation matrix of size
    ``K + 1`` (so the model is valid), ``Σ`` by :func:`covariances`.

    Parameters
    ----------
    max_d : int, optional
        The largest feature dimension.
    max_tasks : int, optional
        The most tasks ``K``.
    max_size : int, optional
        The largest segment.
    **cov_kw
        Passed to :func:`covariances` (``min_log10``, ``max_log10``, ``isotropic``).

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Of task models.

    Examples
    --------
    >>> from hypothesis import find
    >>> model = find(multitask_models(max_d=2), lambda m: m.num_tasks > 1)
    >>> model.is_multitask, model.num_tasks, model.d <= 2
    (True, 2, True)
    """
    d = draw(st.integers(1, max_d))
    K = draw(st.integers(1, max_tasks))
    sizes = draw(st.lists(st.integers(1, max_size), min_size=K, max_size=K))
    Ct = draw(correlation_matrices(K + 1))
    return MultitaskModel.from_tasks(sizes, Ct[:K, :K], Ct[:K, K], sigma=draw(covariances(d, **cov_kw)),
                                     noise=draw(noise_levels()))


@st.composite
def general_models(draw, *, max_d: int = 4, max_n: int = 6, **cov_kw):
    """A :class:`MultitaskModel` with a general (unstructured) ``C``.

    Parameters
    ----------
    max_d : int, optional
        The largest feature dimension.
    max_n : int, optional
        The most examples.
    **cov_kw
        Passed to :func:`covariances`.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Of models without task segments.

    Examples
    --------
    >>> from hypothesis import find
    >>> find(general_models(), lambda m: True).is_multitask
    False
    """
    d = draw(st.integers(1, max_d))
    n = draw(st.integers(1, max_n))
    C = draw(correlation_matrices(n + 1))
    return MultitaskModel(draw(covariances(d, **cov_kw)), C[:n, :n], C[:n, n], draw(noise_levels()))


def models(**kw):
    """Either kind of model.

    Parameters
    ----------
    **kw
        Passed to :func:`multitask_models` and :func:`general_models` (each takes its own).

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Of :class:`MultitaskModel`.

    Examples
    --------
    >>> from hypothesis import find
    >>> from wpgd_theory import MultitaskModel
    >>> isinstance(find(models(max_d=2), lambda m: m.n >= 2), MultitaskModel)
    True
    """
    general_kw = {k: v for k, v in kw.items() if k not in ("max_tasks", "max_size")}
    task_kw = {k: v for k, v in kw.items() if k != "max_n"}
    return st.one_of(multitask_models(**task_kw), general_models(**general_kw))


def weights(n: int):
    """A nonzero weight vector ``ω ∈ R^n`` (first entry bounded away from 0).

    Parameters
    ----------
    n : int
        The number of examples.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Of arrays of shape ``(n,)`` with ``|ω_1| ≥ 0.5``.

    Examples
    --------
    >>> from hypothesis import find
    >>> w = find(weights(3), lambda w: w[2] < 0)
    >>> w.shape, bool(abs(w[0]) >= 0.5)
    ((3,), True)
    """
    return st.lists(_unit, min_size=n, max_size=n).map(np.array).map(
        lambda w: w + np.eye(1, n, 0).ravel() * (1.5 if w[0] >= 0 else -1.5)
    )


def monotone_weights(n: int):
    """``0 ≤ ω_1 ≤ … ≤ ω_n ≤ 1`` (zeros and ones included): the weights of scalar-gated GLA (G2).

    Parameters
    ----------
    n : int
        The number of examples.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Of nondecreasing arrays of shape ``(n,)`` in ``[0, 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> from hypothesis import find
    >>> w = find(monotone_weights(4), lambda w: w[-1] > 0.5)
    >>> w.shape, bool(np.all(np.diff(w) >= 0))
    ((4,), True)
    """
    return st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n).map(lambda w: np.sort(np.array(w)))


def preconditioners(d: int):
    """Preconditioners ``P ∈ R^{d×d}`` with entries in ``[−2, 2]`` (not necessarily symmetric).

    Parameters
    ----------
    d : int
        The feature dimension.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        Of arrays of shape ``(d, d)``.

    Examples
    --------
    >>> from hypothesis import find
    >>> P = find(preconditioners(2), lambda P: P[0, 1] != P[1, 0])
    >>> P.shape
    (2, 2)
    """
    return st.lists(st.floats(-2.0, 2.0), min_size=d * d, max_size=d * d).map(lambda v: np.array(v).reshape(d, d))
