r"""The multitask linear-regression prompt model (THEORY.md §1).

A prompt has ``n`` in-context examples ``(x_i, y_i)`` and a query ``x``:

* features ``x_i, x ~ N(0, Σ)`` i.i.d., ``Σ ≻ 0``;
* task vectors jointly Gaussian with ``Cov(β_i, β_j) = R_ij I_d``,
  ``Cov(β_i, β) = r_i I_d``, ``Cov(β) = I_d``, i.e. the stacked tasks have
  covariance ``C ⊗ I_d`` with ``C = [[R, r], [rᵀ, 1]]`` (PSD, unit diagonal);
* labels ``y_i = x_iᵀβ_i + ξ_i``, ``y = xᵀβ + ξ`` with noise ``ξ ~ N(0, σ²)``.

Conventions settled here: ``noise`` is the noise **variance** ``σ²``; ``sigma`` is the
feature covariance matrix ``Σ``.  A model built by :meth:`MultitaskModel.from_tasks`
keeps its segment structure (sizes, ``ρ``, ``r_task``) and never forms the ``n × n``
matrix ``R`` unless :attr:`MultitaskModel.R` is read; every hot path uses the segment
structure instead (cost ``O(n + K²)`` per ``ω``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ._validation import (
    STRUCTURE_TOL,
    as_array,
    as_positive_int,
    as_scalar,
    check_correlation,
    check_memory,
    check_rng,
    check_spd,
)

__all__ = ["MultitaskModel", "PromptBatch", "MAX_EXAMPLES", "NATURAL_SCALE_RANGE"]

#: Largest total number of examples ``n`` a model accepts (its ``O(n)`` arrays of 8-byte
#: numbers must fit in memory; the command line has a tighter, overridable resource limit).
MAX_EXAMPLES = 2**40

#: Risk scales ``s = max(λ_max(Σ), σ²)`` used as given; outside this range
#: :meth:`MultitaskModel.in_natural_units` rescales the model by a power of two (exact in
#: float64), so that every computation runs on data of order one (scale covariance, a corollary
#: of W1: ``proofs/risk.py``).
NATURAL_SCALE_RANGE = (2.0**-10, 2.0**10)


@dataclass(frozen=True)
class PromptBatch:
    """Sampled prompts of the multitask model (THEORY.md §1), as returned by ``MultitaskModel.sample``.

    Prompt ``b`` is ``(x_1, y_1, ..., x_n, y_n, x)`` with ``x_i, x ~ N(0, Σ)`` and
    ``y_i = x_iᵀβ_i + ε_i``, ``y = xᵀβ + ε`` (``y_query``), the tasks ``β_i`` correlated by ``C``.
    Unpacks as ``X, y, x, y_query = batch``.

    Parameters
    ----------
    X : ndarray, shape (B, n, d)
        In-context features.
    y : ndarray, shape (B, n)
        In-context labels.
    x : ndarray, shape (B, d)
        Query features.
    y_query : ndarray, shape (B,)
        Query labels (the targets of a prediction).

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=np.array([0.5, 0.5]),
    ...                                   sigma=np.eye(3), noise=0.1)
    >>> X, y, x, y_query = model.sample(4, np.random.default_rng(0))
    >>> X.shape, y.shape, x.shape, y_query.shape
    ((4, 3, 3), (4, 3), (4, 3), (4,))
    """

    X: np.ndarray
    y: np.ndarray
    x: np.ndarray
    y_query: np.ndarray

    def __iter__(self):  # allows ``X, y, x, yq = model.sample(...)``
        return iter((self.X, self.y, self.x, self.y_query))


def _frozen(arr: np.ndarray) -> np.ndarray:
    """A private, read-only copy of ``arr``: later edits of the caller's array cannot reach
    the model, and the model's arrays (and everything derived from them) cannot be edited."""
    out = np.array(arr, copy=True)
    out.setflags(write=False)
    return out


def _psd_factor(C: np.ndarray) -> np.ndarray:
    """A factor ``F`` with ``F Fᵀ = C`` for a (validated) PSD matrix.

    Eigenvalues in ``[-tol, 0)`` that passed validation are treated as 0 (documented
    rounding, not a repair: larger negative eigenvalues were rejected already).
    """
    eig, vec = np.linalg.eigh(C)
    return _frozen(vec * np.sqrt(np.clip(eig, 0.0, None)))


class MultitaskModel:
    r"""The Gaussian multitask prompt model of the paper (the setting of claims W1–A4).

    Prompts: features ``x_i ~ N(0, Σ)``, labels ``y_i = x_iᵀβ_i + ε_i`` with ``ε_i ~ N(0, σ²)``,
    task vectors whose correlations are ``C = [[R, r], [rᵀ, 1]]`` (the last row and column
    the query's).  ``C`` must be symmetric PSD with unit diagonal (tolerance
    :data:`~wpgd_theory._validation.STRUCTURE_TOL`, relative).

    Inputs are copied and every array the model stores or derives (``sigma``, ``R``,
    ``r``, ``sizes``, ``rho``, ``r_task``, eigenvalues, factors) is read-only
    (``writeable=False``): editing the caller's arrays afterwards cannot bypass validation
    or leave stale cached eigenvalues, and ``model.sigma[0, 0] = -5`` raises.  Boolean
    arrays are rejected (a mask is not a covariance or a correlation).

    Parameters
    ----------
    sigma : array_like, shape (d, d) or (d,)
        Feature covariance ``Σ``, symmetric positive definite; a 1-D array is the diagonal
        ``diag(Σ)``, as in a configuration file.
    R : array_like, shape (n, n)
        Correlations between the examples' task vectors, unit diagonal.
    r : array_like, shape (n,)
        Correlations between each example's task and the query's task.
    noise : float, optional
        Label-noise variance ``σ² ≥ 0`` (default 0).

    Raises
    ------
    ValueError
        Naming the argument: ``Σ`` not symmetric positive definite, ``C`` not PSD or without
        unit diagonal, a shape mismatch, a non-finite entry or a negative ``noise``.
    TypeError
        For a non-numeric or boolean array.

    See Also
    --------
    MultitaskModel.from_tasks : the task-structured model (segments of examples per task).

    Examples
    --------
    >>> import numpy as np
    >>> model = MultitaskModel(np.eye(2), R=[[1.0, 0.5], [0.5, 1.0]], r=[0.5, 0.9], noise=0.1)
    >>> model.d, model.n
    (2, 2)
    >>> bool(np.isclose(model.tau, 2.1))  # τ = tr Σ + σ²
    True
    >>> MultitaskModel(np.eye(2), R=[[1.0, 2.0], [2.0, 1.0]], r=[0.5, 0.9])
    Traceback (most recent call last):
        ...
    ValueError: ...
    """

    def __init__(self, sigma, R, r, noise=0.0, *, _tasks=None):
        sigma = as_array(sigma, "sigma", ndim=(1, 2))
        sigma = _frozen(np.diag(sigma) if sigma.ndim == 1 else sigma)
        if sigma.shape[0] != sigma.shape[1] or sigma.shape[0] == 0:
            raise ValueError(f"sigma must be a non-empty square matrix, got shape {sigma.shape}")
        self._sigma_eig = _frozen(check_spd(sigma, "sigma"))
        self.sigma = sigma
        self.noise = as_scalar(noise, "noise", minimum=0.0)
        with np.errstate(over="ignore"):
            tau = float(np.sum(self._sigma_eig)) + self.noise
        if not np.isfinite(tau) or not np.isfinite(float(np.trace(sigma))):
            raise ValueError(f"sigma and noise are too large: tau = tr(sigma) + noise overflows float64 "
                             f"(largest eigenvalue of sigma {self._sigma_eig[-1]:.3g}, noise {self.noise:.3g})")
        self._tasks = _tasks
        if _tasks is None:
            R = _frozen(as_array(R, "R", ndim=2))
            n = R.shape[0]
            if R.shape != (n, n) or n == 0:
                raise ValueError(f"R must be a non-empty square matrix, got shape {R.shape}")
            r = _frozen(as_array(r, "r", shape=(n,)))
            C = np.block([[R, r[:, None]], [r[None, :], np.ones((1, 1))]])
            check_correlation(C, "C = [[R, r], [r^T, 1]]")
            self._R = R
            self.r = r
            self._C_joint = _frozen(C)
        else:
            self._R = None
            self.r = _frozen(_tasks["r_task"][_tasks["task_of"]])
            self._C_joint = _tasks["C_task"]

    @cached_property
    def _factor(self) -> np.ndarray:
        """``F`` with ``F Fᵀ = C`` (or ``C_task``), read-only; built on the first :meth:`sample`
        (an ``O(m³)`` eigendecomposition that loading and solving do not need)."""
        return _psd_factor(self._C_joint)

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_tasks(cls, sizes, rho, r_task, *, sigma, noise=0.0) -> MultitaskModel:
        r"""Multitask prompt: ``K`` consecutive segments of sizes ``n_1..n_K``.

        ``R_ij = ρ_{k(i)k(j)}`` and ``r_i = r^task_{k(i)}``; examples of one task share
        one task vector.  ``C_task = [[ρ, r_task], [r_taskᵀ, 1]]`` must be PSD with unit
        diagonal; this is equivalent to ``C`` being so, because the segment indicator
        has full column rank.

        Parameters
        ----------
        sizes : sequence of int, length K (or one int)
            The segments' sizes ``n_k ≥ 1``; ``n = Σ n_k``.
        rho : array_like, shape (K, K)
            Correlations between the tasks, unit diagonal.
        r_task : array_like, shape (K,)
            Correlation of each task with the query's task.
        sigma : array_like, shape (d, d) or (d,)
            Feature covariance ``Σ`` (or its diagonal).
        noise : float, optional
            Label-noise variance ``σ² ≥ 0``.

        Returns
        -------
        MultitaskModel
            With ``sizes``, ``rho``, ``r_task`` kept (``O(K)`` storage for the task structure:
            the ``n × n`` matrix ``R`` is formed only when asked for).

        Raises
        ------
        ValueError
            Naming the argument, as for :class:`MultitaskModel` (``C_task`` not PSD, a size not
            positive, a shape mismatch).
        TypeError
            If ``sizes`` is not a sequence of integers.

        Examples
        --------
        >>> import numpy as np
        >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
        ...                                   sigma=[2.0, 1.0], noise=0.1)
        >>> model.n, model.num_tasks, model.r
        (5, 2, array([0.5, 0.5, 0.5, 0.8, 0.8]))
        """
        if isinstance(sizes, (int, np.integer)) and not isinstance(sizes, bool):
            sizes = [sizes]
        if not isinstance(sizes, (list, tuple, np.ndarray)):
            raise TypeError(f"sizes must be a sequence of positive integers, got {type(sizes).__name__}")
        sizes = [as_positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes)]
        if not sizes:
            raise ValueError("sizes must contain at least one segment")
        if sum(sizes) > MAX_EXAMPLES:
            raise ValueError(f"sizes: the total number of examples n = {sum(sizes)} exceeds {MAX_EXAMPLES} "
                             "(the model stores O(n) arrays of 8-byte numbers)")
        # task_of, r and a few weight vectors of length n: about 40 bytes per example
        check_memory(40.0 * sum(sizes), "sizes", f"a model of n = {sum(sizes)} examples")
        sizes = _frozen(np.array(sizes, dtype=np.int64))
        K = sizes.size
        rho = _frozen(as_array(rho, "rho", shape=(K, K)))
        r_task = _frozen(as_array(r_task, "r_task", shape=(K,)))
        C_task = np.block([[rho, r_task[:, None]], [r_task[None, :], np.ones((1, 1))]])
        check_correlation(C_task, "C_task = [[rho, r_task], [r_task^T, 1]]")
        tasks = {
            "sizes": sizes,
            "rho": rho,
            "r_task": r_task,
            "C_task": _frozen(C_task),
            "task_of": _frozen(np.repeat(np.arange(K), sizes)),
            "starts": _frozen(np.concatenate([[0], np.cumsum(sizes)[:-1]])),
        }
        return cls(sigma, None, None, noise, _tasks=tasks)

    @classmethod
    def single_task(cls, n, *, sigma, noise=0.0) -> MultitaskModel:
        """``K = 1``, ``r_task = 1``: every example shares the query's task."""
        return cls.from_tasks([n], np.ones((1, 1)), np.ones(1), sigma=sigma, noise=noise)

    # ------------------------------------------------------------------ properties
    @property
    def d(self) -> int:
        return self.sigma.shape[0]

    @property
    def n(self) -> int:
        return self.r.shape[0]

    @property
    def is_multitask(self) -> bool:
        """True when built by :meth:`from_tasks` (segment structure known)."""
        return self._tasks is not None

    @property
    def num_tasks(self) -> int | None:
        return None if self._tasks is None else int(self._tasks["sizes"].size)

    @property
    def sizes(self):
        return None if self._tasks is None else self._tasks["sizes"]

    @property
    def rho(self):
        return None if self._tasks is None else self._tasks["rho"]

    @property
    def r_task(self):
        return None if self._tasks is None else self._tasks["r_task"]

    @property
    def task_of(self):
        """Segment index ``k(i)`` of every example (``None`` for a general model)."""
        return None if self._tasks is None else self._tasks["task_of"]

    @cached_property
    def R(self) -> np.ndarray:
        """The ``n × n`` task correlation matrix (built on first access for task models)."""
        if self._R is not None:
            return self._R
        k = self._tasks["task_of"]
        return _frozen(self._tasks["rho"][np.ix_(k, k)])

    @property
    def C(self) -> np.ndarray:
        return np.block([[self.R, self.r[:, None]], [self.r[None, :], np.ones((1, 1))]])

    @property
    def tau(self) -> float:
        """``τ = tr Σ + σ²``: the query label's variance."""
        return float(np.trace(self.sigma) + self.noise)

    @property
    def sigma_eigenvalues(self) -> np.ndarray:
        """Eigenvalues ``λ_j`` of ``Σ`` in ascending order."""
        return self._sigma_eig

    # ------------------------------------------------------------------ scale
    @property
    def risk_scale(self) -> float:
        r"""``s = max(λ_max(Σ), σ²)``: the scale of every risk of the model.

        Scaling ``Σ`` and ``σ²`` by ``c > 0`` scales every risk by ``c``, the optimal ``P``
        by ``1/c`` and leaves every weight ``ω`` unchanged (``proofs/risk.py``)."""
        return float(max(self._sigma_eig[-1], self.noise))

    def scaled(self, factor) -> MultitaskModel:
        r"""The same prompt model with ``Σ`` and ``σ²`` multiplied by ``factor > 0`` (task
        structure, ``R`` and ``r`` unchanged): every risk is multiplied by ``factor`` (scale covariance, W1)."""
        factor = as_scalar(factor, "factor", minimum=0.0, strict=True)
        with np.errstate(over="ignore", under="ignore"):
            sigma, noise = self.sigma * factor, self.noise * factor
        if not (np.all(np.isfinite(sigma)) and np.isfinite(noise)):
            raise ValueError(f"factor: sigma and noise times {factor:.3g} overflow float64")
        if self._tasks is None:
            return MultitaskModel(sigma, self._R, self.r, noise)
        t = self._tasks
        return MultitaskModel.from_tasks(t["sizes"].tolist(), t["rho"], t["r_task"], sigma=sigma, noise=noise)

    @cached_property
    def _natural(self):
        s = self.risk_scale
        lo, hi = NATURAL_SCALE_RANGE
        if lo <= s <= hi:
            return self, 1.0
        unit = float(2.0 ** np.round(np.log2(s)))
        tiny = float(self._sigma_eig[0]) / unit
        if tiny < np.finfo(float).tiny:
            raise ValueError(f"sigma: eigenvalue ratio lambda_min / max(lambda_max, noise) = {tiny:.3g} is below the "
                             "float64 normal range: the model cannot be expressed in units of its risk scale")
        return self.scaled(1.0 / unit), unit

    def in_natural_units(self):
        r"""``(model / u, u)``: the model with ``Σ`` and ``σ²`` divided by ``u``, and ``u``.

        ``u = 1`` when the risk scale :attr:`risk_scale` lies in :data:`NATURAL_SCALE_RANGE`
        (the model itself is returned), else ``u`` is the power of two nearest to it (the
        division is exact in float64).  Risks of the model are ``u`` times those of
        ``model / u`` at ``(uP, ω)`` (scale covariance, W1), so every function of the library computes
        in these units and answers in the user's.  ``ValueError`` (naming ``sigma``) when
        ``λ_min/u`` is below the float64 normal range."""
        return self._natural

    # ------------------------------------------------------------------ algebra
    def segment_sums(self, omega: np.ndarray) -> np.ndarray:
        """``Eᵀω``: sums of ``ω`` over each segment (last axis), task models only."""
        return np.add.reduceat(omega, self._tasks["starts"], axis=-1)

    def R_matvec(self, omega: np.ndarray) -> np.ndarray:
        """``R ω`` over the last axis, without forming ``R`` for task models."""
        if self._tasks is None:
            return omega @ self._R.T
        s = self.segment_sums(omega) @ self._tasks["rho"].T
        return s[..., self._tasks["task_of"]]

    def R_quadratic(self, omega: np.ndarray) -> np.ndarray:
        """``ωᵀ R ω`` over the last axis (batched)."""
        if self._tasks is None:
            return np.einsum("...i,ij,...j->...", omega, self._R, omega)
        s = self.segment_sums(omega)
        return np.einsum("...k,kl,...l->...", s, self._tasks["rho"], s)

    # ------------------------------------------------------------------ sampling
    def sample(self, num_prompts, rng) -> PromptBatch:
        """Draw ``num_prompts`` i.i.d. prompts exactly per THEORY.md §1.

        Returns a :class:`PromptBatch` (unpackable as ``X, y, x, y_query``).  Memory is
        linear in ``B·n·d``; task vectors are drawn as ``F G`` with ``F Fᵀ = C`` (or
        ``C_task`` for task models, then gathered per segment).
        """
        B = as_positive_int(num_prompts, "num_prompts")
        rng = check_rng(rng)
        n, d = self.n, self.d
        m = self._C_joint.shape[0]
        # features, task vectors, their standard normal draws and labels (8-byte floats)
        check_memory(8.0 * B * (3 * (n + 1) * d + 2 * m * d + 3 * (n + 1)), "num_prompts",
                     f"sampling {B} prompts of n = {n} examples in d = {d}")
        chol = np.linalg.cholesky(self.sigma)
        # one flat 2-D product: numpy's broadcast (B, n+1, d) @ (d, d) is several times slower
        feats = (rng.standard_normal((B * (n + 1), d)) @ chol.T).reshape(B, n + 1, d)
        betas = np.einsum("ij,bjd->bid", self._factor, rng.standard_normal((B, m, d)))
        if self._tasks is not None:
            idx = np.append(self._tasks["task_of"], m - 1)
            betas = betas[:, idx]
        X, x = feats[:, :n], feats[:, n]
        labels = np.einsum("bid,bid->bi", feats, betas)
        labels += np.sqrt(self.noise) * rng.standard_normal((B, n + 1))
        return PromptBatch(X=X, y=labels[:, :n], x=x, y_query=labels[:, n])

    def __repr__(self) -> str:
        kind = f"K={self.num_tasks} tasks, sizes={self.sizes.tolist()}" if self.is_multitask else "general R"
        return f"MultitaskModel(d={self.d}, n={self.n}, {kind}, noise={self.noise:g})"


# Kept for documentation: the structural tolerance used at construction.
MultitaskModel.STRUCTURE_TOL = STRUCTURE_TOL
