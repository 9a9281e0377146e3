r"""The best WPGD over a class of weights (claims **A1**, **A2**, **A3**; also W5).

``solve_constrained(model, cone)`` minimises the WPGD risk ``L(P, ω)`` over all ``P`` and
``ω`` in a cone:

* ``"free"`` — all ``ω`` (the global optimum of :func:`~wpgd_theory.landscape.solve`);
* ``"monotone"`` — ``0 ≤ ω_1 ≤ … ≤ ω_n`` (what one-layer scalar-gated GLA realises, G2),
  with the sign carried by ``P``: the profile risk is even in ``ω``, so the program is over
  ``M ∪ (−M)``;
* ``"uniform"`` — ``ω ∝ 𝟙`` (linear attention);
* ``"taskwise"`` — ``ω`` constant on every task segment (task models only).

**Exact reduction to one dimension.**  ``P*(ω) = (c/a)(Σ + tI)⁻¹`` with ``t = b/a``, so the
optimal ``P`` lies in the family ``P_t = (Σ + tI)⁻¹`` up to a scale that ``ω`` absorbs.  For
fixed ``P_t`` the risk is a convex quadratic in ``ω``,

    ``L(P_t, ω) = τ − 2α rᵀω + β₂ ωᵀ(R + (1+μ)I)ω``,
    ``α = tr(ΣP_tΣ) = Σλ²/(λ+t)``, ``β₂ = tr(P_tΣP_tΣ²) = Σλ³/(λ+t)²``, ``μ = τh(t)``,

so over a cone ``K`` (closed under positive scaling)
``min_ω L(P_t, ω) = G(t) = τ − (α²/β₂) v(μ)²`` with the convex program

    ``v(μ) = max { rᵀω : ωᵀ(R + (1+μ)I)ω ≤ 1, ω ∈ K ∪ (−K) }``,

and ``min_{ω∈K} L = min_t G(t)`` over ``t ∈ [τ/(ν_max+1), τ/(ν_min+1)]`` (the range of
``b/a``).  For ``Σ = λI`` every ``P_t ∝ I``, ``G`` is constant and one program suffices:
for ``Σ = I`` it is the second-order cone program of A1 with ``A = R + (d+1+σ²)I``
(``G = τ − d·v²``), solved by cvxpy.  For general ``Σ`` the outer problem is solved by
**branch and bound** with a certified lower bound: ``α`` and ``β₂`` decrease in ``t`` and
``v(μ(t))`` increases (``μ = τh(t)`` decreases, ``v`` decreases in ``μ``), so on a cell
``[t₁, t₂]`` ``G ≥ τ − α(t₁)² v(μ(t₂))²/β₂(t₂)``; cells whose bound cannot beat the best
value are discarded, the others bisected, until the certified gap is below
``rtol·τ``.  The inner program is the ``Q``-norm of the projection of ``Q⁻¹r`` onto the
cone (Moreau), computed exactly by NNLS for the monotone cone, or by cvxpy.

**Task models** are solved in ``R^K`` (``ω = Eθ``): averaging ``ω`` within every segment
keeps ``rᵀω`` and ``ωᵀRω = sᵀρs`` (segment sums ``s`` unchanged), does not increase
``‖ω‖²`` (Jensen) and hence does not increase ``L(P, ω)`` for ``P`` of the form ``P_t``
nor the profile risk (both increase with ``a`` and ``b``); it maps each of the four cones
into itself (block averages of a nondecreasing sequence are nondecreasing).  So every
optimum is attained by a task-wise ``ω`` and the programs have ``K`` variables with
``rᵀω = (N r_task)ᵀθ``, ``ωᵀRω = θᵀNρNθ``, ``‖ω‖² = θᵀNθ``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from ._validation import as_positive_int, as_scalar, check_rng
from .landscape import (
    _check_model,
    _profile_risk_and_gradient,
    _read_only,
    optimal_preconditioner,
    population_risk,
    profile_risk,
    ridge_preconditioner,
    risk_gradient,
    solve,
)

__all__ = [
    "CONES",
    "polish_monotone",
    "ConstrainedSolution",
    "solve_constrained",
    "cone_program",
    "monotone_projection_value",
    "socp_value",
    "MultistartResult",
    "multistart_profile",
    "multistart_joint",
    "ConeOptimum",
    "cone_optimum",
]

#: The weight classes of THEORY.md A1–A4.
CONES = ("free", "monotone", "uniform", "taskwise")




@dataclass(frozen=True)
class ConstrainedSolution:
    r"""The best WPGD over a weight cone (from :func:`solve_constrained`).

    ``status`` is ``"optimal"`` (risk, omega, P are set), ``"degenerate"`` (no weight in the
    cone beats predicting 0: ``risk = τ``, ``omega`` is ``None``, ``P = 0``) or an error
    status (``"solver_error: ..."``, ``"not_converged"``): then ``risk``, ``omega`` and ``P``
    are ``None`` — a failed solve is never reported as a number.

    Normalisation: ``‖ω‖ = 1``; ``ω`` lies in the cone itself (for ``"monotone"``
    ``0 ≤ ω_1 ≤ … ≤ ω_n``, for ``"uniform"`` ``ω = 𝟙/√n``) and ``P = P*(ω)`` carries the
    sign of ``rᵀω``.  ``gap`` is the certified optimality gap (units of risk) of the branch
    and bound, ``t`` the ridge ``b/a`` of the optimum (``P ∝ (Σ + tI)⁻¹``).  Its arrays are
    read-only.

    Parameters
    ----------
    cone : str
        The cone: ``"free"``, ``"monotone"``, ``"uniform"`` or ``"taskwise"``.
    status : str
        ``"optimal"``, ``"degenerate"`` or an error status.
    risk : float or None
        ``min_{ω ∈ cone} L(P, ω)`` (None on failure).
    omega : ndarray, shape (n,), or None
        A minimiser, ``‖ω‖ = 1``, in the cone.
    P : ndarray, shape (d, d), or None
        ``P*(ω)`` (W3).
    t : float, optional
        The ridge ``b/a`` of the optimum.
    method : str, optional
        How it was solved (``"stationary curve"``, ``"closed form"``, ``"branch and bound"``, ...).
    gap : float, optional
        The certified optimality gap, in units of risk.
    details : dict, optional
        Solver details (lower bound, evaluations, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> sol = solve_constrained(model, "uniform")
    >>> sol.optimal, sol.omega.shape, sol.P.shape
    (True, (4,), (2, 2))
    """

    cone: str
    status: str
    risk: float | None
    omega: np.ndarray | None
    P: np.ndarray | None
    t: float | None = None
    method: str = ""
    gap: float | None = None
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        _read_only(self)

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


# ----------------------------------------------------------------------------- reduction
@dataclass(frozen=True)
class _Reduced:
    """Weights ``θ ∈ R^m`` with ``ω = Eθ``: ``rᵀω = gᵀθ``, ``ωᵀRω = θᵀAθ``, ``‖ω‖² = θᵀdiag(D)θ``."""

    g: np.ndarray
    A: np.ndarray
    D: np.ndarray
    task_of: np.ndarray | None

    def lift(self, theta):
        return theta if self.task_of is None else theta[self.task_of]

    def nu_range(self):
        root = np.sqrt(self.D)
        nu = np.linalg.eigvalsh(self.A / root[:, None] / root[None, :])
        return max(float(nu[0]), 0.0), max(float(nu[-1]), 0.0)


def _reduce(model) -> _Reduced:
    if model.is_multitask:
        N = model.sizes.astype(float)
        return _Reduced(N * model.r_task, N[:, None] * model.rho * N[None, :], N, model.task_of)
    return _Reduced(model.r.copy(), model.R, np.ones(model.n), None)


def _check_cone(model, cone) -> str:
    if not isinstance(cone, str):
        raise TypeError(f"cone must be a string, one of {CONES}, got {type(cone).__name__}")
    if cone not in CONES:
        raise ValueError(f"cone must be one of {CONES}, got {cone!r}")
    if cone == "taskwise" and not model.is_multitask:
        raise ValueError("cone 'taskwise' needs task segments: build the model with MultitaskModel.from_tasks")
    return cone


# ----------------------------------------------------------------------------- inner programs
def _Q(red: _Reduced, mu: float) -> np.ndarray:
    """``Q(μ) = A + (1+μ) diag(D)``: the quadratic form of ``ωᵀ(R + (1+μ)I)ω`` in ``θ``."""
    Q = red.A + np.diag((1.0 + mu) * red.D)
    return (Q + Q.T) / 2.0


@functools.lru_cache(maxsize=64)
def _lower_ones(m: int) -> np.ndarray:
    """``L``: the ``m × m`` lower-triangular matrix of ones (``θ = Le`` sums increments), read-only."""
    L = np.tril(np.ones((m, m)))
    L.flags.writeable = False
    return L


def monotone_projection_value(Q, g):
    r"""``max {gᵀθ : θᵀQθ ≤ 1, θ ∈ M ∪ (−M)}``, ``M = {0 ≤ θ_1 ≤ … ≤ θ_m}``, exactly.

    By Moreau's decomposition in the ``Q`` inner product, ``max_{θ∈M, ‖θ‖_Q≤1} gᵀθ`` is the
    ``Q``-norm of the ``Q``-projection of ``z = Q⁻¹g`` onto ``M``.  With ``θ = Le`` (``L`` the
    lower-triangular ones, ``e ≥ 0``) and ``Q = CCᵀ`` the projection is the NNLS problem
    ``min_{e≥0} ‖Cᵀ(Le − z)‖``.  Returns ``(value, θ)`` with ``θ ∈ M`` and the sign
    ``+1``/``−1`` telling whether ``θ`` or ``−θ`` attains it (claims A1, A2: the inner program
    of the monotone cone).

    Parameters
    ----------
    Q : ndarray, shape (m, m)
        A symmetric positive definite matrix.
    g : ndarray, shape (m,)
        The linear objective.

    Returns
    -------
    value : float
        The maximum ``v ≥ 0``.
    theta : ndarray, shape (m,)
        A maximiser in ``M`` (``θᵀQθ = 1`` unless ``v = 0``).
    sign : float
        ``+1.0`` or ``−1.0``: ``sign · θ`` attains the maximum.

    Examples
    --------
    With ``g`` nondecreasing the free maximiser ``Q⁻¹g`` (for ``Q = I``) is already monotone,
    so the value is ``‖g‖``:

    >>> import numpy as np
    >>> value, theta, sign = monotone_projection_value(np.eye(3), np.array([0.1, 0.2, 0.5]))
    >>> bool(np.isclose(value, np.linalg.norm([0.1, 0.2, 0.5]))), sign
    (True, 1.0)
    """
    from scipy.optimize import nnls

    C = np.linalg.cholesky(Q)
    z = np.linalg.solve(Q, g)
    m = g.size
    B = C.T @ _lower_ones(m)
    best = (0.0, np.zeros(m), 1.0)
    for sign in (1.0, -1.0):
        e, _ = nnls(B, C.T @ (sign * z), maxiter=50 * m + 100)
        theta = np.cumsum(e)
        val = float(np.linalg.norm(C.T @ theta))
        if val > best[0]:
            best = (val, theta, sign)
    return best


def socp_value(Q, g, cone: str, *, solver=None):
    r"""``max {±gᵀθ : ‖Fθ‖ ≤ 1, θ ∈ cone}`` with cvxpy (``FᵀF = Q``), both signs.

    The second-order cone program of claim A1.  Returns ``(value, θ, sign, status)``;
    ``status`` is cvxpy's (anything but ``"optimal"`` is a failure, reported, not used).

    Parameters
    ----------
    Q : ndarray, shape (m, m)
        A symmetric positive semidefinite matrix (``‖Fθ‖² = θᵀQθ``).
    g : ndarray, shape (m,)
        The linear objective.
    cone : str
        ``"monotone"`` adds ``0 ≤ θ_1 ≤ … ≤ θ_m``; any other value leaves ``θ`` free.
    solver : str, optional
        A cvxpy solver name (CLARABEL where installed, else ECOS).

    Returns
    -------
    value : float or None
        The maximum ``v ≥ 0`` (None on a solver failure).
    theta : ndarray, shape (m,), or None
        A maximiser (None on a solver failure).
    sign : float
        ``+1.0`` or ``−1.0``: ``sign · θ`` attains the maximum.
    status : str
        ``"optimal"`` or ``"solver_error: ..."``.

    Examples
    --------
    The same value as the exact NNLS projection:

    >>> import numpy as np
    >>> Q, g = np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([0.3, -0.2])
    >>> value, theta, sign, status = socp_value(Q, g, "monotone")
    >>> status, bool(np.isclose(value, monotone_projection_value(Q, g)[0], rtol=1e-6))
    ('optimal', True)
    """
    import cvxpy as cp

    m = g.size
    ev, V = np.linalg.eigh(Q)
    F = (V * np.sqrt(np.clip(ev, 0.0, None))).T
    solver = solver or ("CLARABEL" if "CLARABEL" in cp.installed_solvers() else "ECOS")
    best = (0.0, np.zeros(m), 1.0, "optimal")
    for sign in (1.0, -1.0):
        theta = cp.Variable(m)
        cons = [cp.norm(F @ theta, 2) <= 1]
        if cone == "monotone":
            cons += [theta[0] >= 0] + ([cp.diff(theta) >= 0] if m > 1 else [])
        prob = cp.Problem(cp.Maximize(sign * (g @ theta)), cons)
        try:
            prob.solve(solver=solver)
        except cp.error.SolverError as exc:
            return None, None, sign, f"solver_error: {exc}"
        if prob.status != "optimal":
            return None, None, sign, f"solver_error: cvxpy status {prob.status}"
        th = np.asarray(theta.value, dtype=float)
        if float(th @ Q @ th) < 0.25:  # the optimum is θ = 0 (value 0): this sign cannot help
            continue
        if cone == "monotone":
            th = polish_monotone(Q, sign * g, th)
        val = float(sign * g @ th / np.sqrt(th @ Q @ th))
        if val > best[0]:
            best = (val, th, sign, "optimal")
    return best


def polish_monotone(Q, g, theta, *, rel_tols=(1e-8, 1e-6, 1e-4, 1e-3)):
    r"""Exact refinement of an interior-point solution of ``max gᵀθ/‖θ‖_Q`` over
    ``M = {0 ≤ θ_1 ≤ … ≤ θ_m}`` on the face it identifies.

    For each tolerance, entries equal to within ``tol·max θ`` form blocks (a leading block
    near 0 is fixed at 0); on that face ``θ = Bφ`` the maximiser is ``φ ∝ (BᵀQB)⁻¹Bᵀg``
    in closed form.  The best candidate that lies in ``M`` and is at least as good as
    ``θ`` is returned (``θ`` itself if none is): a wrong face gives an infeasible or worse
    candidate and is discarded.

    Parameters
    ----------
    Q : ndarray, shape (m, m)
        A symmetric positive definite matrix.
    g : ndarray, shape (m,)
        The linear objective.
    theta : ndarray, shape (m,)
        An approximate maximiser in ``M``.
    rel_tols : tuple of float, optional
        Tolerances (relative to ``max θ``) at which entries are merged into blocks.

    Returns
    -------
    ndarray, shape (m,)
        The refined maximiser (``theta`` itself if no face gives a better feasible one).

    Examples
    --------
    >>> import numpy as np
    >>> rough = np.array([1e-10, 0.5 - 1e-9, 0.5 + 1e-9])
    >>> theta = polish_monotone(np.eye(3), np.array([-1.0, 1.0, 1.0]), rough)
    >>> bool(theta[0] == 0.0 and np.isclose(theta[1], theta[2]))
    True
    """
    scale = float(np.max(np.abs(theta)))
    if scale == 0.0:
        return theta

    def value(th):
        return float(g @ th) / np.sqrt(float(th @ Q @ th))

    best, best_val = theta, value(theta) - 1e-9 * abs(value(theta))
    for rel_tol in rel_tols:
        tol = rel_tol * scale
        starts = np.concatenate([[0], np.nonzero(np.diff(theta) > tol)[0] + 1])
        ends = np.append(starts[1:], theta.size)
        cols = [(a, b) for a, b in zip(starts, ends) if not (a == 0 and theta[0] <= tol)]
        if not cols:
            continue
        B = np.zeros((theta.size, len(cols)))
        for j, (a, b) in enumerate(cols):
            B[a:b, j] = 1.0
        cand = B @ np.linalg.solve(B.T @ Q @ B, B.T @ g)
        if cand[0] >= 0 and np.all(np.diff(cand) >= 0) and float(g @ cand) > 0 and value(cand) >= best_val:
            best, best_val = cand, value(cand)
    return best


def cone_program(red: _Reduced, cone: str, mu: float, inner: str = "nnls"):
    r"""Inner program ``v(μ) = max {rᵀω : ωᵀ(R + (1+μ)I)ω ≤ 1, ω ∈ K ∪ (−K)}`` and its maximiser (A1–A3).

    Parameters
    ----------
    red : object
        The model in task space (``ω = Eθ``), as built inside :func:`solve_constrained`.
    cone : str
        ``"free"``, ``"taskwise"``, ``"uniform"`` or ``"monotone"``.
    mu : float
        ``μ ≥ 0``.
    inner : {"nnls", "cvxpy"}, optional
        The monotone cone's solver: exact NNLS projection or the cvxpy SOCP.

    Returns
    -------
    value : float
        ``v(μ)``.
    theta : ndarray, shape (m,)
        A maximiser in task space (in the cone, up to ``sign``).
    sign : float
        ``+1.0`` or ``−1.0``.
    status : str
        ``"optimal"`` or the solver's error status.

    Examples
    --------
    The free cone's value is ``sqrt(gᵀQ⁻¹g)``, at least the monotone one's:

    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> from wpgd_theory.convex import _reduce
    >>> red = _reduce(model)
    >>> free, mono = cone_program(red, "free", 1.0)[0], cone_program(red, "monotone", 1.0)[0]
    >>> bool(free >= mono > 0)
    True
    """
    Q = _Q(red, mu)
    g = red.g
    if cone in ("free", "taskwise"):
        z = np.linalg.solve(Q, g)
        gz = float(g @ z)
        return np.sqrt(max(gz, 0.0)), z, 1.0, "optimal"
    if cone == "uniform":
        one = np.ones_like(g)
        val = float(g @ one) / np.sqrt(float(one @ Q @ one))
        return abs(val), one, np.sign(val) or 1.0, "optimal"
    if inner == "cvxpy":
        return socp_value(Q, g, cone)
    val, theta, sign = monotone_projection_value(Q, g)
    return val, theta, sign, "optimal"


# ----------------------------------------------------------------------------- outer problem
def _ridge_coefficients(lam, t):
    """``α(t) = Σλ²/(λ+t)``, ``β₂(t) = Σλ³/(λ+t)²`` (both decreasing in ``t``)."""
    t = np.asarray(t, dtype=float)[..., None]
    return np.sum(lam**2 / (lam + t), -1), np.sum(lam**3 / (lam + t) ** 2, -1)


def _profile_reduced(red, lam, tau, theta):
    """``(risk, c, a, ‖ω‖²)`` of the profile risk (W3) at ``ω = Eθ``."""
    c = float(red.g @ theta)
    nrm2 = float(theta @ (red.D * theta))
    a = float(theta @ red.A @ theta) + nrm2
    return tau - c**2 * float(np.sum(lam**2 / (a * lam + tau * nrm2))), c, a, nrm2


def _mu_of_t(lam, tau, t):
    r"""``μ(t) = τ β₁(t)/β₂(t)`` with ``β₁ = Σλ²/(λ+t)² = tr(P_tΣP_tΣ)``, ``β₂ = Σλ³/(λ+t)²``: the
    coefficient of ``‖ω‖²`` over that of ``ωᵀ(R+I)ω`` in ``L(P_t, ω)`` (summed here, not with
    :func:`~wpgd_theory.landscape.stationary_ratio`, so that branch and bound is an
    independent route to the W4 optimum).  Terms are scaled by the largest ``λ/(λ+t)``."""
    q = lam / (lam + t)
    q = q / np.max(q)
    return tau * float(np.sum(q * q)) / float(np.sum(q * q * lam))


def _mu_of_t_batch(lam, tau, t):
    """:func:`_mu_of_t` at each entry of the 1-D array ``t`` (the same sums, row by row)."""
    q = lam[None, :] / (lam[None, :] + t[:, None])
    q = q / np.max(q, axis=-1, keepdims=True)
    return tau * np.sum(q * q, axis=-1) / np.sum(q * q * lam[None, :], axis=-1)


def _Q_batch(red, mus):
    """:func:`_Q` at each ``μ`` of ``mus``, stacked (the same entries)."""
    Q = red.A[None] + np.eye(red.D.size)[None] * ((1.0 + mus)[:, None, None] * red.D[None, None, :])
    return (Q + np.swapaxes(Q, 1, 2)) / 2.0


def _free_cone_batch(red, mus):
    """:func:`cone_program` of the free (and task-wise) cone at each ``μ`` of ``mus``:
    ``(values, thetas)``, the ``Q(μ)`` systems solved in one stacked call."""
    Q = _Q_batch(red, mus)
    Z = np.linalg.solve(Q, np.broadcast_to(red.g[:, None], Q.shape[:2] + (1,)))[..., 0]
    return [np.sqrt(max(float(red.g @ z), 0.0)) for z in Z], Z


def _ridge_gain(lam, t):
    r"""``A(t) = α(t)²/β₂(t)``: nonincreasing in ``t``.

    With ``w = λ/(λ+t)``, ``y = 1/(λ+t)`` and weights ``λw``:
    ``d log A/dt = 2(E[wy] − E[w]E[y])/E[w]·(…) ≤ 0`` because ``w`` increases and ``y``
    decreases in ``λ`` (Chebyshev's covariance inequality); see ``proofs/uniqueness.md``.
    """
    alpha, beta2 = _ridge_coefficients(lam, t)
    return alpha**2 / beta2


def _reduced_profile_and_gradient(red, lam, tau, theta):
    r"""Profile risk at ``ω = Eθ`` and its gradient in ``θ``:
    ``−2cf g + 2c²(S3 (A+D)θ + τ S2 Dθ)`` (the W3 gradient pulled back by ``E``)."""
    c = float(red.g @ theta)
    Dtheta = red.D * theta
    ADtheta = red.A @ theta + Dtheta
    a = float(theta @ ADtheta)
    b = tau * float(theta @ Dtheta)
    den = a * lam + b
    f = float(np.sum(lam**2 / den))
    S2, S3 = float(np.sum(lam**2 / den**2)), float(np.sum(lam**3 / den**2))
    grad = -2.0 * c * f * red.g + 2.0 * c**2 * (S3 * ADtheta + tau * S2 * Dtheta)
    return tau - c**2 * f, grad


def _branch_and_bound(red, lam, tau, cone, inner, rtol, max_evaluations):
    r"""``min_t G(t)``, ``G = τ − A(t) v(μ(t))²``, by branch and bound, then a Brent polish.

    On a cell ``[t₁, t₂]``: ``G ≥ τ − A(t₁) v(μ(t₂))²`` (``A`` nonincreasing, ``v∘μ``
    nondecreasing).  Cells whose bound is above the best value minus ``rtol·τ`` are
    discarded, the others bisected (geometric midpoint); the best point is then polished
    by a bounded Brent search between its evaluated neighbours.
    """
    from scipy.optimize import minimize_scalar

    nu_lo, nu_hi = red.nu_range()
    t_lo, t_hi = tau / (nu_hi + 1.0), tau / (nu_lo + 1.0)
    tol = rtol * tau
    cache = {}

    def evaluate(t):
        t = float(t)
        if t not in cache:
            mu = _mu_of_t(lam, tau, t)
            val, theta, sign, status = cone_program(red, cone, mu, inner)
            if status != "optimal":
                raise _InnerFailure(status)
            cache[t] = (val, tau - float(_ridge_gain(lam, t)) * val**2, theta, sign)
        return cache[t][:2]

    def prefetch(ts):
        # μ(t), Q(μ) and A(t) at many t at once, the free and task-wise cones' programs in one
        # stacked solve, the monotone cone's NNLS t by t (cache entries as evaluate makes them);
        # cvxpy's monotone program and the uniform cone stay with evaluate
        new = list(dict.fromkeys(t for t in map(float, ts) if t not in cache))
        if len(new) < 2 or not (cone in ("free", "taskwise") or (cone == "monotone" and inner == "nnls")):
            return
        tt = np.array(new)
        mus = _mu_of_t_batch(lam, tau, tt)
        gains = _ridge_gain(lam, tt)
        if cone == "monotone":
            Qs = _Q_batch(red, mus)
            programs = [monotone_projection_value(Q, red.g) for Q in Qs]
        else:
            vals, thetas = _free_cone_batch(red, mus)
            programs = [(val, theta, 1.0) for val, theta in zip(vals, thetas)]
        for t, (val, theta, sign), gain in zip(new, programs, gains):
            cache[t] = (val, tau - float(gain) * val**2, theta, sign)

    isotropic = lam[-1] <= lam[0] * (1.0 + 1e-12)
    if isotropic or t_hi <= t_lo * (1.0 + 1e-12):  # G is constant, or t is pinned
        t = float(np.sqrt(t_lo * t_hi))
        evaluate(t)
        return {"t": t, "cache": cache, "lower": cache[t][1] - _rounding_margin(lam.size, red.g.size, tau),
                "evaluations": 1, "converged": True}
    edges = np.geomspace(t_lo, t_hi, 33)
    edges[0], edges[-1] = t_lo, t_hi
    prefetch(edges)
    vals = np.array([evaluate(t) for t in edges])
    best = float(np.min(vals[:, 1]))
    a, b, vb = edges[:-1], edges[1:], vals[1:, 0]
    pruned_min, converged = np.inf, True
    while True:
        LB = tau - _ridge_gain(lam, a) * vb**2
        keep = LB < best - tol
        if np.any(~keep):
            pruned_min = min(pruned_min, float(np.min(LB[~keep])))
        if not np.any(keep):
            break
        if len(cache) + keep.sum() > max_evaluations:
            converged = False
            pruned_min = min(pruned_min, float(np.min(LB[keep])))
            break
        a, b, vb = a[keep], b[keep], vb[keep]
        m = np.sqrt(a * b)
        prefetch(m)
        vm = np.array([evaluate(t)[0] for t in m])
        best = min(best, min(cache[float(t)][1] for t in m))
        a, b, vb = np.concatenate([a, m]), np.concatenate([m, b]), np.concatenate([vm, vb])
    # certified: every cell was discarded with a bound ≥ pruned_min, so min G ≥ min(pruned_min, best),
    # less the floating-point error of evaluating G and the final risk (sums of d + m terms)
    lower = min(pruned_min, best) - _rounding_margin(lam.size, red.g.size, tau)
    ts = np.array(sorted(cache))
    i = int(np.argmin([cache[t][1] for t in ts]))
    lo_t, hi_t = ts[max(i - 1, 0)], ts[min(i + 1, ts.size - 1)]
    if hi_t > lo_t:
        res = minimize_scalar(lambda u: evaluate(np.exp(u))[1], bounds=(np.log(lo_t), np.log(hi_t)),
                              method="bounded", options={"xatol": 1e-13})
        evaluate(np.exp(res.x))
    t_best = min(cache, key=lambda k: cache[k][1])
    return {"t": t_best, "cache": cache, "lower": lower, "evaluations": len(cache), "converged": converged}


def _rounding_margin(d, m, tau):
    r"""``64 (d + m + 8) u τ``: a bound on the rounding error of ``G(t) = τ − A(t)v²`` and of the
    profile risk (sums of ``d`` and ``m`` positive terms, a few flops each; ``u = 2⁻⁵³``), by
    which the certified lower bound is lowered so that it stays below the computed optimum
    on any BLAS."""
    return 64.0 * (d + m + 8) * 2.0**-53 * tau


class _InnerFailure(RuntimeError):
    pass


def _solution_from_theta(model, red, cone, theta, sign, method, gap, details):
    lam = model.sigma_eigenvalues
    tau = model.tau
    risk, c, a, nrm2 = _profile_reduced(red, lam, tau, theta)
    # rᵀω = 0 to rounding (relative 1e-12 of ‖g‖‖θ‖): no P helps, the risk is τ
    if nrm2 <= 0 or abs(c) <= 1e-12 * float(np.linalg.norm(red.g) * np.linalg.norm(theta)):
        return ConstrainedSolution(cone, "degenerate", tau, None, np.zeros((model.d, model.d)), None, method,
                                   gap, details)
    norm = np.sqrt(nrm2)
    omega = red.lift(theta) / norm
    t = tau * nrm2 / a
    P = ridge_preconditioner(np.linalg.eigh(model.sigma), (c / norm) / (a / nrm2), t)
    details = dict(details, sign=float(sign))
    if red.task_of is not None:
        details["omega_task"] = theta / norm
    return ConstrainedSolution(cone, "optimal", float(risk), omega, P, float(t), method, gap, details)


def solve_constrained(model, cone: str, *, method: str = "auto", inner: str = "auto", rtol: float = 1e-7,
                      max_evaluations: int = 5000) -> ConstrainedSolution:
    r"""The best WPGD with weights in ``cone`` (claims **A1**–**A3**; see the module docstring).

    Parameters
    ----------
    model : MultitaskModel
        The prompt model.
    cone : {"free", "monotone", "uniform", "taskwise"}
        The weights allowed: any, the monotone cone ``0 ≤ ω_1 ≤ … ≤ ω_n`` (scalar-gated GLA,
        up to sign), ``ω ∝ 𝟙`` (linear attention), or constant on each task's segment.
    method : {"auto", "bnb"}, optional
        ``"auto"``: ``"free"`` uses :func:`~wpgd_theory.landscape.solve` (stationary-curve
        roots), ``"uniform"`` the closed form, the others the one-dimensional reduction;
        ``"bnb"`` forces the reduction (branch and bound over ``t``) for every cone — an
        independent route to the free optimum.
    inner : {"auto", "nnls", "cvxpy"}, optional
        ``"auto"`` (cvxpy SOCP when ``Σ ∝ I``, the A1 program; exact NNLS projection
        otherwise), ``"nnls"`` or ``"cvxpy"``.
    rtol : float, optional
        Certified optimality gap of the branch and bound, relative to ``τ`` (the returned
        value is then polished to machine precision by a bounded Brent search; ``gap``
        reports what is *certified*).
    max_evaluations : int, optional
        Budget of the branch and bound.

    Returns
    -------
    ConstrainedSolution
        ``risk``, ``omega`` (shape ``(n,)``, unit norm, in the cone), ``P`` (shape ``(d, d)``),
        ``status`` (``"optimal"``, ``"degenerate"`` or an error status, never a number for a
        failed solve), ``gap`` and ``t``.

    Raises
    ------
    ValueError
        For an unknown ``cone``, ``method`` or ``inner``, or a non-positive ``rtol``.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> free, mono, unif = (solve_constrained(model, c) for c in ("free", "monotone", "uniform"))
    >>> bool(free.risk <= mono.risk + 1e-12 <= unif.risk + 2e-12)  # nested cones (A3)
    True
    >>> mono.status, bool(np.all(np.diff(mono.omega) >= -1e-12))
    ('optimal', True)
    """
    model = _check_model(model)
    cone = _check_cone(model, cone)
    if method not in ("auto", "bnb"):
        raise ValueError(f"method must be 'auto' or 'bnb', got {method!r}")
    if inner not in ("auto", "nnls", "cvxpy"):
        raise ValueError(f"inner must be 'auto', 'nnls' or 'cvxpy', got {inner!r}")
    rtol = as_scalar(rtol, "rtol", minimum=0.0, strict=True)
    max_evaluations = as_positive_int(max_evaluations, "max_evaluations", minimum=2)
    nat, unit = model.in_natural_units()
    sol = _solve_constrained_natural(nat, cone, method, inner, rtol, max_evaluations)
    return _constrained_in_user_units(sol, unit)


#: Entries of :attr:`ConstrainedSolution.details` in units of risk and of ``t`` (converted
#: back from natural units with the solution).
_RISK_DETAILS, _T_DETAILS = ("lower_bound", "G"), ("t_outer",)


def _constrained_in_user_units(sol, unit):
    r"""``sol`` of ``model/u`` as the solution of the model: risks and ``t`` times ``u``, ``P`` over
    ``u``, ``ω`` unchanged (scale covariance, W1); ``ValueError`` if a value is not representable."""
    if unit == 1.0:
        return sol
    details = dict(sol.details)
    for key in _RISK_DETAILS + _T_DETAILS:
        if details.get(key) is not None:
            details[key] = float(details[key]) * unit
    details["natural_unit"] = unit
    values = {"risk": None if sol.risk is None else sol.risk * unit,
              "P": None if sol.P is None else sol.P / unit,
              "t": None if sol.t is None else sol.t * unit,
              "gap": None if sol.gap is None else sol.gap * unit}
    for name, v in values.items():
        if v is not None and not np.all(np.isfinite(v)):
            raise ValueError(f"sigma/noise: the optimal {name} over the {sol.cone} cone is not representable in "
                             f"float64 at this scale (risk scale {unit:.3g})")
    return ConstrainedSolution(sol.cone, sol.status, values["risk"], sol.omega, values["P"], values["t"], sol.method,
                               values["gap"], details)


def _solve_constrained_natural(model, cone, method, inner, rtol, max_evaluations):
    """:func:`solve_constrained` on validated arguments (the model in natural units)."""
    d, tau = model.d, model.tau
    r_is_zero = not np.any((model.r_task if model.is_multitask else model.r) != 0)
    if r_is_zero:
        return ConstrainedSolution(cone, "degenerate", tau, None, np.zeros((d, d)), None, "r = 0",
                                   details={"message": "r = 0: the risk is tau for every omega"})
    if cone == "free" and method == "auto":
        sol = solve(model)
        status = "optimal" if sol.status in ("unique", "not unique", "uncertified") else sol.status
        return ConstrainedSolution("free", status, sol.risk, sol.omega, sol.P, sol.t,
                                   "stationary-curve roots (landscape.solve)", 0.0,
                                   {"uniqueness": sol.status, "roots": sol.roots.tolist()})
    red = _reduce(model)
    lam = model.sigma_eigenvalues
    if cone == "uniform" and method == "auto":
        theta = np.ones_like(red.g)
        return _solution_from_theta(model, red, cone, theta, np.sign(red.g @ theta) or 1.0,
                                    "closed form (omega = 1)", 0.0, {})
    isotropic = lam[-1] <= lam[0] * (1.0 + 1e-12)
    inner_used = inner if inner != "auto" else ("cvxpy" if isotropic and cone == "monotone" else "nnls")
    try:
        out = _branch_and_bound(red, lam, tau, cone, inner_used, rtol, max_evaluations)
    except _InnerFailure as exc:
        return ConstrainedSolution(cone, str(exc), None, None, None, method=f"inner program ({inner_used})",
                                   details={"message": str(exc)})
    val, G, theta, sign = out["cache"][out["t"]]
    desc = ("single convex program (Sigma isotropic: G(t) constant)" if out["evaluations"] == 1 else
            f"branch and bound over t ({out['evaluations']} inner programs)") + f", inner: {inner_used}"
    exact = inner_used == "nnls" or cone != "monotone"  # certified bounds need an exact inner program
    details = {"t_outer": out["t"], "G": G, "lower_bound": out["lower"] if exact else None,
               "evaluations": out["evaluations"]}
    if not out["converged"]:
        return ConstrainedSolution(cone, "not_converged", None, None, None, method=desc,
                                   gap=None, details=details)
    if val <= 0.0:
        return ConstrainedSolution(cone, "degenerate", tau, None, np.zeros((d, d)), None, desc, 0.0,
                                   dict(details, message="no weight in the cone improves on predicting 0"))
    sol = _solution_from_theta(model, red, cone, theta, sign, desc, None, details)
    gap = max(sol.risk - out["lower"], 0.0) if (sol.risk is not None and exact) else None
    return ConstrainedSolution(sol.cone, sol.status, sol.risk, sol.omega, sol.P, sol.t, sol.method, gap,
                               sol.details)


# ----------------------------------------------------------------------------- references
@dataclass(frozen=True)
class MultistartResult:
    """Best of several local optimisations (the reference side of claims W5, A1–A3).

    Parameters
    ----------
    risk : float
        The least risk found.
    omega : ndarray, shape (n,)
        Its weights, ``‖ω‖ = 1``, ``rᵀω ≥ 0``.
    P : ndarray, shape (d, d), or None
        Its preconditioner (None for :func:`multistart_profile`, where ``P = P*(ω)``).
    local_risks : ndarray, shape (starts,)
        The risk reached from every start.
    starts : int
        The number of starts.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> res = multistart_profile(model, "free", starts=2, rng=np.random.default_rng(0))
    >>> res.local_risks.shape, bool(res.risk == res.local_risks.min())
    ((2,), True)
    """

    risk: float
    omega: np.ndarray
    P: np.ndarray | None
    local_risks: np.ndarray
    starts: int


def _normalise_sign(model, omega):
    omega = omega / np.linalg.norm(omega)
    return -omega if omega @ model.r < 0 else omega


def multistart_profile(model, cone: str, *, starts: int = 20, rng, initial=()) -> MultistartResult:
    r"""Reference: BFGS on the profile risk (W3) over ``cone`` in ``R^n``, from random starts.

    Independent of the reduction in :func:`solve_constrained`: it works on the full
    ``n``-dimensional weights with :func:`~wpgd_theory.landscape.profile_risk` and its
    gradient.  Monotone weights are parametrised as ``ω = cumsum(z²)`` (every point of the
    closed cone is reached; an active constraint ``z_i = 0`` is a nondegenerate quadratic
    minimum in ``z_i``), task-wise ones as ``ω = θ[task_of]``.  (BFGS rather than L-BFGS-B:
    the latter's per-iteration BLAS overhead dominates at these sizes.)

    ``initial``: extra starting weights ``ω ∈ R^n`` (e.g. the certified stationary points, so
    that a narrow basin of the global minimum is not missed by luck), each perturbed by a
    relative ``1e-3`` so that a saddle start descends; run before the random starts.

    Parameters
    ----------
    model : MultitaskModel
        The prompt model.
    cone : {"free", "monotone", "uniform", "taskwise"}
        The weights allowed.
    starts : int, optional
        The number of random starts.
    rng : numpy.random.Generator
        The source of the random starts.
    initial : sequence of array_like, each of shape (n,), optional
        Extra starting weights.

    Returns
    -------
    MultistartResult
        The best local optimum (``P`` is None) and every start's risk.

    Raises
    ------
    ValueError
        For an unknown cone, or ``"taskwise"`` on a model without task segments.
    TypeError
        If ``model`` is not a MultitaskModel or ``rng`` not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> from wpgd_theory import solve
    >>> res = multistart_profile(model, "free", starts=3, rng=np.random.default_rng(0))
    >>> bool(np.isclose(res.risk, solve(model).risk, rtol=1e-8))  # W5: the local searches find the optimum
    True
    """
    model = _check_model(model)
    cone = _check_cone(model, cone)
    starts = as_positive_int(starts, "starts")
    rng = check_rng(rng)
    nat, unit = model.in_natural_units()  # BFGS's tolerances are for risks of order one
    res = _multistart_profile_natural(nat, cone, starts, rng, initial)
    return MultistartResult(res.risk * unit, res.omega, None, res.local_risks * unit, res.starts)


def _multistart_profile_natural(model, cone, starts, rng, initial):
    from scipy.optimize import minimize

    n = model.n
    if cone == "uniform":
        w = np.ones(n) / np.sqrt(n)
        risk = float(profile_risk(model, w))
        return MultistartResult(risk, w, None, np.array([risk]), 1)

    if cone == "monotone":
        def to_omega(z):
            return np.cumsum(z * z)

        def pull(z, gw):
            return 2.0 * z * np.cumsum(gw[::-1])[::-1]

        def draw():  # no exact zeros: z_i = 0 is a fixed point of the z² parametrisation
            return rng.standard_normal(n) * rng.choice([0.1, 1.0], n)
    elif cone == "taskwise":  # ω = θ[task_of]: the profile in R^K (O(K²) per evaluation)
        red = _reduce(model)
        lam, tau = model.sigma_eigenvalues, model.tau

        def fun_task(z):
            if not np.any(z):
                return tau, np.zeros_like(z)
            return _reduced_profile_and_gradient(red, lam, tau, z)
    else:
        def to_omega(z):
            return z

        def pull(z, gw):
            return gw

        def draw():
            return rng.standard_normal(n)

    def fun(z):
        w = to_omega(z)
        if not np.any(w):
            return model.tau, np.zeros_like(z)
        risk, grad = _profile_risk_and_gradient(model, w)
        return float(risk), pull(z, grad)

    if cone == "taskwise":
        fun, draw = fun_task, lambda: rng.standard_normal(model.num_tasks)  # noqa: E731
        to_omega = lambda z: z[model.task_of]  # noqa: E731
    seeds = [_initial_point(model, cone, w, rng) for w in initial]
    best, risks = None, []
    for k in range(len(seeds) + starts):
        z0 = seeds[k] if k < len(seeds) else draw()
        if not np.any(z0):
            z0[-1] = 1.0
        res = minimize(fun, z0, jac=True, method="BFGS", options={"gtol": 1e-13, "maxiter": 5000})
        risks.append(float(res.fun))
        if best is None or res.fun < best.fun:
            best = res
    w = to_omega(best.x)
    w = w / np.linalg.norm(w)
    return MultistartResult(float(profile_risk(model, w)), w, None, np.array(risks), len(seeds) + starts)


def _initial_point(model, cone, omega, rng):
    """A start near ``ω`` (relative perturbation 1e-3) in the parametrisation of ``cone``."""
    w = np.asarray(omega, dtype=float)
    w = w / np.linalg.norm(w)
    w = w + 1e-3 * rng.standard_normal(w.size) / np.sqrt(w.size)
    if cone == "taskwise":
        starts = np.concatenate([[0], np.cumsum(model.sizes)[:-1]])
        return np.add.reduceat(w, starts) / model.sizes
    if cone == "monotone":
        inc = np.diff(np.concatenate([[0.0], np.maximum.accumulate(np.maximum(w, 0.0))]))
        return np.sqrt(np.maximum(inc, 1e-8))
    return w


def multistart_joint(model, *, starts: int = 20, rng, initial=()) -> MultistartResult:
    r"""Reference: BFGS on the joint risk ``L(P, ω)`` (W1) from random starts.

    Uses :func:`~wpgd_theory.landscape.population_risk` and
    :func:`~wpgd_theory.landscape.risk_gradient` only (no profile, no stationary curve).
    The best point is rescaled to ``‖ω‖ = 1``, ``rᵀω > 0`` via ``(cP, ω/c)``.  ``initial``:
    extra starting weights (e.g. the certified stationary points), perturbed by a relative
    ``1e-3``, each with a random ``P``; run before the random starts.

    Parameters
    ----------
    model : MultitaskModel
        The prompt model.
    starts : int, optional
        The number of random starts.
    rng : numpy.random.Generator
        The source of the random starts.
    initial : sequence of array_like, each of shape (n,), optional
        Extra starting weights.

    Returns
    -------
    MultistartResult
        The best local optimum ``(P, ω)`` and every start's risk.

    Raises
    ------
    TypeError
        If ``model`` is not a MultitaskModel or ``rng`` not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> from wpgd_theory import solve
    >>> res = multistart_joint(model, starts=2, rng=np.random.default_rng(0))
    >>> res.P.shape, bool(np.isclose(res.risk, solve(model).risk, rtol=1e-6))
    ((2, 2), True)
    """
    model = _check_model(model)
    starts = as_positive_int(starts, "starts")
    rng = check_rng(rng)
    nat, unit = model.in_natural_units()  # BFGS's tolerances are for risks of order one
    res = _multistart_joint_natural(nat, starts, rng, initial)
    return MultistartResult(res.risk * unit, res.omega, res.P / unit, res.local_risks * unit, res.starts)


def _multistart_joint_natural(model, starts, rng, initial):
    from scipy.optimize import minimize

    d, n = model.d, model.n

    def fun(z):
        P, w = z[: d * d].reshape(d, d), z[d * d:]
        dP, dw = risk_gradient(model, P, w)
        return float(population_risk(model, P, w)), np.concatenate([dP.ravel(), dw])

    seeds = [_initial_point(model, "free", w, rng) for w in initial]
    best, risks = None, []
    for k in range(len(seeds) + starts):
        if k < len(seeds):  # near a given point: P near P*(ω) (W3), so the start is near (P*, ω)
            w0 = seeds[k]
            P0 = optimal_preconditioner(model, w0) + 1e-3 * rng.standard_normal((d, d)) / d
        else:
            w0, P0 = rng.standard_normal(n) / np.sqrt(n), rng.standard_normal((d, d)) / d
        z0 = np.concatenate([P0.ravel(), w0])
        res = minimize(fun, z0, jac=True, method="BFGS", options={"gtol": 1e-12, "maxiter": 5000})
        risks.append(float(res.fun))
        if best is None or res.fun < best.fun:
            best = res
    P, w = best.x[: d * d].reshape(d, d), best.x[d * d:]
    scale = np.linalg.norm(w) * (1.0 if w @ model.r >= 0 else -1.0)
    return MultistartResult(float(best.fun), w / scale, P * scale, np.array(risks), len(seeds) + starts)


# ----------------------------------------------------------------------------- cone optima
@dataclass(frozen=True)
class ConeOptimum:
    """``min_{ω ∈ cone} L(ω)``: ``risk``, a minimiser ``omega`` (``None`` when degenerate:
    ``r = 0``, every ``ω`` has risk ``τ``), the ``solver``, its ``status`` and certified
    optimality ``gap`` (units of risk; 0 for closed forms, ``None`` if not certified).

    Parameters
    ----------
    risk : float
        ``min_{ω ∈ cone} L(ω)``.
    omega : ndarray, shape (n,), or None
        A minimiser.
    solver : str
        The function that solved it.
    status : str, optional
        The solver's status.
    gap : float, optional
        The certified optimality gap.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> opt = cone_optimum(model, "monotone")
    >>> opt.status, opt.omega.shape
    ('optimal', (4,))
    """

    risk: float
    omega: np.ndarray | None
    solver: str
    status: str = "optimal"
    gap: float | None = None


def cone_optimum(model, cone: str) -> ConeOptimum:
    """``min_{ω ∈ cone} L(ω)`` (claims A1–A4, T1) from :func:`solve_constrained`.

    Parameters
    ----------
    model : MultitaskModel
        The prompt model.
    cone : {"free", "monotone", "uniform", "taskwise"}
        The weights allowed.

    Returns
    -------
    ConeOptimum
        The least risk over the cone and a minimiser.

    Raises
    ------
    RuntimeError
        If the solve failed (naming the cone and its status): never a number.
    ValueError
        For an unknown cone.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> bool(cone_optimum(model, "free").risk <= cone_optimum(model, "uniform").risk)  # A3
    True
    """
    sol = solve_constrained(model, cone)
    if sol.risk is None:
        raise RuntimeError(f"convex.solve_constrained(model, {cone!r}) failed: status {sol.status!r}")
    omega = None if sol.omega is None else np.asarray(sol.omega, dtype=float)
    return ConeOptimum(float(sol.risk), omega, "convex.solve_constrained", sol.status, sol.gap)
