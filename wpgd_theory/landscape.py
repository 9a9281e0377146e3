r"""The WPGD risk landscape in closed form (THEORY.md §4, claims W1–W3).

For one-step WPGD ``ŷ = xᵀ P Xᵀ(ω ⊙ y)`` under :class:`~wpgd_theory.model.MultitaskModel`:

* **W1** ``L(P, ω) = E(y − ŷ)² = τ − 2 (rᵀω) tr(ΣPΣ) + tr(PᵀΣP M(ω))`` with
  ``M(ω) = a Σ² + b Σ``, ``a = ωᵀ(R + I)ω``, ``b = τ‖ω‖²``, ``τ = tr Σ + σ²``.
* **W2** ``L(cP, ω/c) = L(P, ω)`` for ``c ≠ 0``.
* **W3** for ``rᵀω ≠ 0``, ``P*(ω) = (rᵀω) Σ M⁻¹ = (rᵀω)/a · (Σ + (b/a)I)⁻¹`` and the
  profile risk ``L(ω) = τ − (rᵀω)² Σ_j λ_j² / (a λ_j + b)``.

Every function is vectorised: ``P`` may be ``(..., d, d)`` and ``omega`` ``(..., n)``
with broadcasting leading axes.  Task models use the segment structure
(``ωᵀRω = sᵀρs`` with ``s`` the segment sums), so no ``n × n`` matrix is formed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_array, as_positive_int, check_rng
from .model import MultitaskModel
from .wpgd import wpgd_predict

__all__ = [
    "weight_moments",
    "population_risk",
    "risk_gradient",
    "monte_carlo_risk",
    "MonteCarloEstimate",
    "optimal_preconditioner",
    "profile_risk",
]


def _check_model(model) -> MultitaskModel:
    if not isinstance(model, MultitaskModel):
        raise TypeError(f"model must be a MultitaskModel, got {type(model).__name__}")
    return model


def _inputs(model, P=None, omega=None):
    model = _check_model(model)
    out = []
    if P is not None:
        out.append(as_array(P, "P", shape=(model.d, model.d), allow_batch=True))
    if omega is not None:
        out.append(as_array(omega, "omega", shape=(model.n,), allow_batch=True))
    return model, out


def weight_moments(model, omega):
    r"""``(c, a, b) = (rᵀω, ωᵀ(R+I)ω, τ‖ω‖²)`` over the last axis of ``omega``."""
    model, (omega,) = _inputs(model, omega=omega)
    sq = np.einsum("...i,...i->...", omega, omega)
    return omega @ model.r, model.R_quadratic(omega) + sq, model.tau * sq


def _traces(model, P):
    """``(tr(ΣPΣ), tr(PᵀΣPΣ²), tr(PᵀΣPΣ))`` batched over ``P``."""
    S = model.sigma
    S2 = S @ S
    SP = S @ P
    t0 = np.sum(P * S2, axis=(-2, -1))
    t2 = np.sum(P * (SP @ S2), axis=(-2, -1))
    t1 = np.sum(P * (SP @ S), axis=(-2, -1))
    return t0, t2, t1


def population_risk(model, P, omega):
    r"""Closed-form risk **W1**: ``τ − 2(rᵀω) tr(ΣPΣ) + a tr(PᵀΣPΣ²) + b tr(PᵀΣPΣ)``."""
    model, (P, omega) = _inputs(model, P, omega)
    c, a, b = weight_moments(model, omega)
    t0, t2, t1 = _traces(model, P)
    return model.tau - 2.0 * c * t0 + a * t2 + b * t1


def risk_gradient(model, P, omega):
    r"""Gradient of **W1** in ``(P, ω)``:

    ``∂L/∂P = −2cΣ² + 2Σ P M(ω)`` and
    ``∂L/∂ω = −2 tr(ΣPΣ) r + 2 tr(PᵀΣPΣ²)(R+I)ω + 2τ tr(PᵀΣPΣ) ω``.
    Returns ``(dP, domega)`` with the broadcast batch shape.
    """
    model, (P, omega) = _inputs(model, P, omega)
    c, a, b = weight_moments(model, omega)
    t0, t2, t1 = _traces(model, P)
    S = model.sigma
    SPS = S @ P @ S
    dP = (
        -2.0 * c[..., None, None] * (S @ S)
        + 2.0 * a[..., None, None] * (SPS @ S)
        + 2.0 * b[..., None, None] * SPS
    )
    R_plus_I = model.R_matvec(omega) + omega
    domega = (
        -2.0 * t0[..., None] * model.r
        + 2.0 * t2[..., None] * R_plus_I
        + 2.0 * model.tau * t1[..., None] * omega
    )
    return dP, domega


@dataclass(frozen=True)
class MonteCarloEstimate:
    """A Monte Carlo mean with its standard error (``std / sqrt(num_prompts)``)."""

    mean: float
    std_error: float
    num_prompts: int

    def z_score(self, reference: float) -> float:
        """``(mean − reference) / std_error`` (``inf`` if the error is 0 and they differ)."""
        diff = self.mean - reference
        if self.std_error == 0:
            return 0.0 if diff == 0 else float("inf")
        return diff / self.std_error


def monte_carlo_risk(model, P, omega, num_prompts, rng, *, chunk: int = 20000) -> MonteCarloEstimate:
    r"""Monte Carlo estimate of ``E(y − xᵀPXᵀ(ω⊙y))²`` from sampled prompts.

    Independent of the closed form: it samples prompts with
    :meth:`MultitaskModel.sample` and averages squared errors of
    :func:`~wpgd_theory.wpgd.wpgd_predict`.  Sampling is chunked so memory stays
    ``O(chunk·n·d)``.
    """
    model, (P, omega) = _inputs(model, P, omega)
    if P.ndim != 2 or omega.ndim != 1:
        raise ValueError("monte_carlo_risk takes a single P (d, d) and omega (n,)")
    num = as_positive_int(num_prompts, "num_prompts", minimum=2)
    rng = check_rng(rng)
    total, total_sq, done = 0.0, 0.0, 0
    while done < num:
        B = min(chunk, num - done)
        X, y, x, yq = model.sample(B, rng)
        err = (yq - wpgd_predict(X, y, x, P, omega)) ** 2
        total += float(err.sum())
        total_sq += float((err**2).sum())
        done += B
    mean = total / num
    var = max(total_sq / num - mean**2, 0.0) * num / (num - 1)
    return MonteCarloEstimate(mean=mean, std_error=float(np.sqrt(var / num)), num_prompts=num)


def _nonzero(c_or_a, what):
    if np.any(c_or_a == 0):
        raise ValueError(what)


def optimal_preconditioner(model, omega):
    r"""**W3**: ``P*(ω) = (rᵀω)/a · (Σ + (b/a) I)⁻¹ = U diag(c / (a λ_j + b)) Uᵀ``.

    Raises ``ValueError`` when ``rᵀω = 0`` (to relative precision): the risk is then
    minimised by ``P = 0`` with value ``τ`` and the minimiser is not unique in scale.
    """
    model, (omega,) = _inputs(model, omega=omega)
    c, a, b = weight_moments(model, omega)
    _nonzero(a, "omega must be nonzero")
    scale = np.linalg.norm(model.r) * np.linalg.norm(omega, axis=-1)
    if np.any(np.abs(c) <= 1e-12 * scale):
        raise ValueError("omega has r^T omega = 0: the risk in P is minimised by P = 0 (no useful P*)")
    lam, U = np.linalg.eigh(model.sigma)
    coef = c[..., None] / (a[..., None] * lam + b[..., None])
    return np.einsum("ij,...j,kj->...ik", U, coef, U)


def profile_risk(model, omega):
    r"""**W3** profile risk ``L(ω) = min_P L(P, ω) = τ − (rᵀω)² Σ_j λ_j²/(a λ_j + b)``.

    Homogeneous of degree 0 in ``ω``; undefined (``ValueError``) at ``ω = 0``.  Unlike
    :func:`optimal_preconditioner` it is defined at ``rᵀω = 0``, where it equals ``τ``.
    """
    model, (omega,) = _inputs(model, omega=omega)
    c, a, b = weight_moments(model, omega)
    _nonzero(a, "omega must be nonzero (the profile risk is homogeneous of degree 0)")
    lam = model.sigma_eigenvalues
    return model.tau - c**2 * np.sum(lam**2 / (a[..., None] * lam + b[..., None]), axis=-1)
