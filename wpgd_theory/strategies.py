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
    """``d`` eigenvalues ``10^u``, ``u ∈ [min_log10, max_log10]`` (several decades)."""
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
    """SPD ``Σ = Q diag(λ) Qᵀ``; ``isotropic=True`` gives ``λI``."""
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
    return st.one_of(st.just(0.0), st.floats(1e-3, max_noise))


@st.composite
def multitask_models(draw, *, max_d: int = 4, max_tasks: int = 4, max_size: int = 5, **cov_kw):
    """A :class:`MultitaskModel` built by ``from_tasks``."""
    d = draw(st.integers(1, max_d))
    K = draw(st.integers(1, max_tasks))
    sizes = draw(st.lists(st.integers(1, max_size), min_size=K, max_size=K))
    Ct = draw(correlation_matrices(K + 1))
    return MultitaskModel.from_tasks(sizes, Ct[:K, :K], Ct[:K, K], sigma=draw(covariances(d, **cov_kw)),
                                     noise=draw(noise_levels()))


@st.composite
def general_models(draw, *, max_d: int = 4, max_n: int = 6, **cov_kw):
    """A :class:`MultitaskModel` with a general (unstructured) ``C``."""
    d = draw(st.integers(1, max_d))
    n = draw(st.integers(1, max_n))
    C = draw(correlation_matrices(n + 1))
    return MultitaskModel(draw(covariances(d, **cov_kw)), C[:n, :n], C[:n, n], draw(noise_levels()))


def models(**kw):
    """Either kind of model."""
    general_kw = {k: v for k, v in kw.items() if k not in ("max_tasks", "max_size")}
    task_kw = {k: v for k, v in kw.items() if k != "max_n"}
    return st.one_of(multitask_models(**task_kw), general_models(**general_kw))


def weights(n: int):
    """A nonzero weight vector ``ω ∈ R^n`` (first entry bounded away from 0)."""
    return st.lists(_unit, min_size=n, max_size=n).map(np.array).map(
        lambda w: w + np.eye(1, n, 0).ravel() * (1.5 if w[0] >= 0 else -1.5)
    )


def monotone_weights(n: int):
    """``0 ≤ ω_1 ≤ … ≤ ω_n ≤ 1`` (zeros and ones included)."""
    return st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n).map(lambda w: np.sort(np.array(w)))


def preconditioners(d: int):
    return st.lists(st.floats(-2.0, 2.0), min_size=d * d, max_size=d * d).map(lambda v: np.array(v).reshape(d, d))
