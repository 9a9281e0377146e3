r"""Shared parts of the optimum family's checks (claims W4, W5, W6, A1–A3): the models
they run on, stored counterexamples and edge instances, and explicit references written
out from the model data.  The checks themselves live by claim:
:mod:`~wpgd_theory.claims.stationary_points` (W4), :mod:`~wpgd_theory.claims.global_minimum`
(W5, W6) and :mod:`~wpgd_theory.claims.weight_cones` (A1–A3).

Every check compares two independently computed quantities and names them in its details
(``reference`` and ``subject``).  Stored edge instances (:data:`EDGE_INSTANCES`,
:func:`negative_cone_model`) exercise what the default models do not: a global minimum at a
non-smallest root, a root in the last cell of the initial grid, and best monotone weights
with ``rᵀω < 0``.

Functions are looked up through their modules (``landscape.solve``,
``convex.solve_constrained``) so tests can substitute deliberately wrong formulas.
"""

from __future__ import annotations

import numpy as np

from .. import landscape
from ..model import MultitaskModel
from .core import CheckResult, combine_results, not_applicable

#: Models with more examples than this are skipped by checks that form ``n × n`` matrices.
MAX_DENSE_N = 400


# ----------------------------------------------------------------------------- helpers


def _dense_models(ctx, max_n=MAX_DENSE_N, *, any_task_model=False):
    """Context models small enough for dense ``n × n`` reference computations (task models
    of any size with ``any_task_model``: their computations are ``O(n + K³)``), with
    ``r ≠ 0``; anisotropic ``Σ`` first (the quick suite takes the first ones, and isotropic
    ``Σ`` hides most of the stationary-curve structure)."""
    out = [(k, m) for k, m in ctx.models.items()
           if (m.n <= max_n or (any_task_model and m.is_multitask)) and np.any(m.r != 0)]
    return sorted(out, key=lambda km: km[1].sigma_eigenvalues[-1] <= km[1].sigma_eigenvalues[0] * (1 + 1e-12))


def _with_sigma(model, sigma):
    """The same correlation structure and noise with another feature covariance."""
    if model.is_multitask:
        return MultitaskModel.from_tasks(model.sizes, model.rho, model.r_task, sigma=sigma, noise=model.noise)
    return MultitaskModel(sigma, model.R, model.r, model.noise)


def _cosine(u, v):
    return abs(float(u @ v)) / (np.linalg.norm(u) * np.linalg.norm(v))


def tangent_hessian(model, omega, step=1e-4):
    r"""Central-difference Hessian of the profile risk (W3) at ``ω`` on the tangent space of
    the sphere, in an orthonormal basis of ``ω^⊥`` (``(n−1) × (n−1)``)."""
    omega = omega / np.linalg.norm(omega)
    n = omega.size
    Q, _ = np.linalg.qr(np.column_stack([omega, np.eye(n)]))
    B = Q[:, 1:n]  # orthonormal basis of ω^⊥
    k = B.shape[1]
    f0 = float(landscape.profile_risk(model, omega))
    H = np.empty((k, k))
    pts = omega[None, :] + step * B.T
    fp = landscape.profile_risk(model, omega[None, :] + step * B.T)
    fm = landscape.profile_risk(model, omega[None, :] - step * B.T)
    np.fill_diagonal(H, (fp - 2 * f0 + fm) / step**2)
    for i in range(k):
        j = np.arange(i + 1, k)
        if not j.size:
            continue
        pp = landscape.profile_risk(model, pts[i] + step * B[:, j].T)
        pm = landscape.profile_risk(model, pts[i] - step * B[:, j].T)
        mp = landscape.profile_risk(model, omega - step * B[:, i] + step * B[:, j].T)
        mm = landscape.profile_risk(model, omega - step * B[:, i] - step * B[:, j].T)
        H[i, j] = H[j, i] = (pp - pm - mp + mm) / (4 * step**2)
    return (H + H.T) / 2.0


def _hessian_condition(model, omega):
    """``λ_max/λ_min`` of the tangent Hessian (``inf`` unless positive definite)."""
    ev = np.linalg.eigvalsh(tangent_hessian(model, omega))
    if ev.size == 0:
        return 1.0, ev
    return (float(ev[-1] / ev[0]) if ev[0] > 0 else float("inf")), ev


# ----------------------------------------------------------------------------- counterexamples
#: Instances where the W4 equation has three roots (``proofs/uniqueness.md``, data in
#: ``proofs/data/counterexamples.json``): two independent tasks, a long segment of task 1
#: and one example of task 2; ``Σ`` has seven small and one large eigenvalue.
COUNTEREXAMPLES = {
    "three-roots": dict(sizes=[100000, 1], rho=[[1.0, 0.0], [0.0, 1.0]],
                        r_task=[0.6133258760608841, 0.7771302141559991],
                        sigma_eigenvalues=[0.001] * 7 + [0.12746], noise=3.435764386687607),
    "tie": dict(sizes=[100000, 1], rho=[[1.0, 0.0], [0.0, 1.0]],
                r_task=[0.6133258760608841, 0.7771302141559991],
                sigma_eigenvalues=[0.001] * 7 + [0.12746], noise=3.471106911659799),
}


def counterexample_model(name: str) -> MultitaskModel:
    """The stored counterexample ``name`` as a model (diagonal ``Σ``)."""
    spec = COUNTEREXAMPLES[name]
    return MultitaskModel.from_tasks(spec["sizes"], np.array(spec["rho"]), np.array(spec["r_task"]),
                                     sigma=np.diag(spec["sigma_eigenvalues"]), noise=spec["noise"])


# ----------------------------------------------------------------------------- edge instances
#: Stored instances that exercise the root isolation where the default models do not
#: (issue 9 item 5): ``global-at-last-root`` is the ``tie`` counterexample with ``σ²`` raised
#: by 0.02 (three roots; the least-risk one is the *largest*, so "smallest root" is wrong);
#: ``root-in-top-cell`` has its only root in the top 1/64 of the log-spaced bracket (99
#: eigenvalues 1 and one 1.1), i.e. in the last cell of the initial grid.
EDGE_INSTANCES = {
    "global-at-last-root": dict(COUNTEREXAMPLES["tie"], noise=COUNTEREXAMPLES["tie"]["noise"] + 0.02),
    "root-in-top-cell": dict(sizes=[3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.3, 0.8],
                             sigma_eigenvalues=[1.0] * 99 + [1.1], noise=0.1),
}


def negative_cone_model() -> MultitaskModel:
    """A model whose best monotone weights have ``rᵀω < 0`` (issue 9 item 5): independent
    examples (``R = I``) whose query correlation decreases and turns negative, so the
    monotone cone's optimum is in ``M`` with the sign carried by ``P`` (the program over
    ``M ∪ −M``).  Stored here rather than among the default models, which other families and
    the report's per-model figures iterate over."""
    return MultitaskModel(np.diag([1.0, 0.4]), np.eye(5), np.array([0.5, 0.3, 0.1, -0.2, -0.4]), noise=0.2)


def edge_model(name: str) -> MultitaskModel:
    """The stored edge instance ``name`` (:data:`EDGE_INSTANCES`) as a model."""
    spec = EDGE_INSTANCES[name]
    return MultitaskModel.from_tasks(spec["sizes"], np.array(spec["rho"]), np.array(spec["r_task"]),
                                     sigma=np.diag(spec["sigma_eigenvalues"]), noise=spec["noise"])


def _stored_cases():
    return ([("counterexample:three-roots", counterexample_model("three-roots"))]
            + [("edge:" + k, edge_model(k)) for k in EDGE_INSTANCES])


def _r_zero(model) -> bool:
    return not np.any(model.r != 0)


def _applicable(results, what, **sides):
    """``combine_results``, or *not applicable* when no model had ``r ≠ 0``."""
    if not results:
        return not_applicable(f"{what}: every model of the run has r = 0 (degenerate, claim W6)", **sides)
    return combine_results(results, what, **sides)


# ----------------------------------------------------------------------------- explicit references
def _explicit_weights(model, mu):
    r"""``ω(μ) = (R + (1+μ)I)⁻¹ r`` by a dense linear solve (task models: in task space,
    ``(ρN + (1+μ)I)u = r_task``, then ``ω = u[task_of]``), normalised; independent of
    :class:`~wpgd_theory.landscape.StationaryCurve` (no eigendecomposition of ``R``)."""
    if model.is_multitask:
        K = model.num_tasks
        u = np.linalg.solve(model.rho * model.sizes[None, :] + (1.0 + mu) * np.eye(K), model.r_task)
        return u / np.sqrt(np.sum(model.sizes * u * u))
    w = np.linalg.solve(model.R + (1.0 + mu) * np.eye(model.n), model.r)
    return w / np.linalg.norm(w)


def _explicit_moments(model, w):
    """``(c, a, b, (R+I)ω)`` with plain sums; ``w`` is the task vector ``u`` for task models."""
    if model.is_multitask:
        N = model.sizes.astype(float)
        s = N * w
        c = float(model.r_task @ s)
        RIw = model.rho @ s + w  # per task (constant on segments)
        a = float(s @ model.rho @ s + N @ (w * w))
        b = model.tau * float(N @ (w * w))
        return c, a, b, RIw
    c = float(model.r @ w)
    RIw = model.R @ w + w
    return c, float(w @ RIw), model.tau * float(w @ w), RIw


def _explicit_stationarity(model, w):
    r"""At ``ω`` (task vector ``u`` for task models): ``P = c (aΣ + bI)⁻¹`` (the zero of
    ``∂L/∂P = −2cΣ² + 2ΣP(aΣ² + bΣ)``, by ``np.linalg.solve``), the traces
    ``t0 = tr(ΣPΣ)``, ``t1 = tr(PΣPΣ)``, ``t2 = tr(PΣPΣ²)`` as explicit matrix products, the
    stationary ratio ``μ = τ t1/t2`` read off ``∂L/∂ω = −2t0 r + 2t2(R+I)ω + 2τt1 ω = 0``
    and the relative norm of that gradient.  Shares no code with ``landscape`` (W1 written
    out again)."""
    S = model.sigma
    c, a, b, RIw = _explicit_moments(model, w)
    P = c * np.linalg.solve(a * S + b * np.eye(model.d), np.eye(model.d))
    SP = S @ P
    t0 = np.trace(SP @ S)
    t1 = np.trace(SP @ SP)
    t2 = np.trace(SP @ SP @ S)
    r = model.r_task if model.is_multitask else model.r
    grad = -2.0 * t0 * r + 2.0 * t2 * RIw + 2.0 * model.tau * t1 * w
    if model.is_multitask:  # ‖E g‖ = ‖N^{1/2} g‖
        gnorm = float(np.sqrt(np.sum(model.sizes * grad * grad)))
        rnorm = float(np.sqrt(np.sum(model.sizes * r * r)))
    else:
        gnorm, rnorm = float(np.linalg.norm(grad)), float(np.linalg.norm(r))
    return model.tau * t1 / t2, gnorm / (2.0 * abs(t0) * rnorm + 1e-300)


def _with_sides(res, **sides):
    """``res`` with ``details`` extended by the two compared sides (``reference``, ``subject``)."""
    return CheckResult(res.status, res.measured, res.tolerance, dict(res.details, **sides), res.message)


def _mp_moments(model):
    r"""``μ ↦ (c, a, ‖ω‖²)`` in ``mpmath`` at the caller's precision, from the model data alone:
    ``ω(μ) = (R + (1+μ)I)⁻¹ r`` (task models: ``u = (ρN + (1+μ)I)⁻¹ r_task``, ``ω = Eu``,
    ``s = Nu``), ``c = rᵀω``, ``a = ωᵀRω + ‖ω‖²``.  Shared by :func:`_mp_g` and the W4
    reference's profile risk."""
    import mpmath as mp

    if model.is_multitask:
        N = [mp.mpf(int(v)) for v in model.sizes]
        R, r = mp.matrix(model.rho.tolist()), mp.matrix(model.r_task.tolist())
    else:
        N = [mp.mpf(1)] * model.n
        R, r = mp.matrix(np.asarray(model.R).tolist()), mp.matrix(model.r.tolist())
    m = len(N)

    def moments(mu):
        A = mp.matrix(m, m)
        for i in range(m):
            for j in range(m):
                A[i, j] = R[i, j] * N[j] + ((1 + mu) if i == j else 0)
        u = mp.lu_solve(A, r)
        s = [N[i] * u[i] for i in range(m)]
        nrm2 = mp.fsum(N[i] * u[i] ** 2 for i in range(m))
        a = mp.fsum(s[i] * R[i, j] * s[j] for i in range(m) for j in range(m)) + nrm2
        return mp.fsum(r[i] * s[i] for i in range(m)), a, nrm2

    return moments


def _mp_g(model, dps=30):
    r"""``μ ↦ g(μ) = τ h(t(μ))`` in ``mpmath`` (``dps`` digits), written out from the model data
    alone — no spectral data, no code shared with :mod:`wpgd_theory.certify` or the curve:
    ``ω(μ)`` and its moments by :func:`_mp_moments`, ``t = τ‖ω‖²/(ωᵀRω + ‖ω‖²)``,
    ``h(t) = tr(Σ²(Σ+tI)⁻²)/tr(Σ³(Σ+tI)⁻²)`` with ``Σ`` inverted as a matrix.  ``g`` is scale
    free (``μ`` is dimensionless), so it compares with the curve's.  Shared by the references
    of W4 (:func:`~wpgd_theory.claims.stationary_points._mp_w4_roots`) and W5
    (:func:`~wpgd_theory.claims.global_minimum.reverify_isolation`)."""
    import mpmath as mp

    S = mp.matrix(model.sigma.tolist())  # binary64 entries, exactly
    d = model.d
    moments = _mp_moments(model)
    powers = {}  # working precision -> (τ, Σ², Σ³): independent of μ, computed once per precision

    def g(mu):
        # at least dps digits, more if the caller works at more (mpmath's diff does), and never
        # changing the caller's precision
        with mp.workdps(max(dps, mp.mp.dps)):
            return _g(mp.mpf(mu))

    def _trace_of_product(A, B):
        # tr(AB) = Σ_i (AB)_ii: the diagonal entries only, each the dot product mpmath's A * B forms
        return mp.fsum(mp.fdot((A[i, k], B[k, i]) for k in range(d)) for i in range(d))

    def _g(mu):
        if mp.mp.prec not in powers:
            powers[mp.mp.prec] = (sum(S[i, i] for i in range(d)) + mp.mpf(float(model.noise)), S * S, S * S * S)
        tau, S2, S3 = powers[mp.mp.prec]
        _, a, nrm2 = moments(mu)
        t = tau * nrm2 / a
        inv = mp.inverse(S + t * mp.eye(d))
        inv2 = inv * inv
        return tau * _trace_of_product(S2, inv2) / _trace_of_product(S3, inv2)

    return g
