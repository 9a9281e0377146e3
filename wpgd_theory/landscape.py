r"""The WPGD risk landscape in closed form (THEORY.md §4, claims W1–W5).

For one-step WPGD ``ŷ = xᵀ P Xᵀ(ω ⊙ y)`` under :class:`~wpgd_theory.model.MultitaskModel`:

* **W1** ``L(P, ω) = E(y − ŷ)² = τ − 2 (rᵀω) tr(ΣPΣ) + tr(PᵀΣP M(ω))`` with
  ``M(ω) = a Σ² + b Σ``, ``a = ωᵀ(R + I)ω``, ``b = τ‖ω‖²``, ``τ = tr Σ + σ²``.
* **W2** ``L(cP, ω/c) = L(P, ω)`` for ``c ≠ 0``.
* **W3** for ``rᵀω ≠ 0``, ``P*(ω) = (rᵀω) Σ M⁻¹ = (rᵀω)/a · (Σ + (b/a)I)⁻¹`` and the
  profile risk ``L(ω) = τ − (rᵀω)² Σ_j λ_j² / (a λ_j + b)``.
* **W4/W5** the stationary curve ``ω(μ) = (R + (1+μ)I)⁻¹r``, the scalar equation
  ``μ = τ h(t(μ))`` and :func:`solve`, the certified global optimum (see the section at
  the end of this module and ``proofs/uniqueness.md``).

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
    "profile_risk_gradient",
    "stationary_ratio",
    "StationaryCurve",
    "stationary_curve",
    "stationary_weights",
    "stationary_equation",
    "ridge_preconditioner",
    "WPGDSolution",
    "solve",
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


# ------------------------------------------------------------------------ units
# Every public function below computes in *natural units* and answers in the user's:
# the model is divided by the power of two ``u`` nearest its risk scale (identity for
# ordinary models, :meth:`~wpgd_theory.model.MultitaskModel.in_natural_units`), and ``ω`` by
# the power of two ``w = 2^e`` with ``max|ω_i|/w ∈ [1/2, 1)`` (``np.frexp``).  Both divisions
# are exact in float64.  Scale covariance (``L_{uΣ,uσ²}(P, ω) = u·L_{Σ,σ²}(uP, ω)``, from W1)
# and W2 (``L(P, ω) = L(wP, ω/w)``) turn the answers back; a result that is not a finite
# float64 in the user's units raises ``ValueError`` instead of returning inf or NaN.


def _weight_exponent(omega):
    """``e`` with ``max_i |ω_i| = m·2^e``, ``m ∈ [1/2, 1)``, over the last axis (0 where ``ω = 0``)."""
    return np.frexp(np.max(np.abs(omega), axis=-1))[1]


def _natural_inputs(model, P=None, omega=None):
    """``(model/u, k, e, [P·2^(k+e)], [ω·2^-e])`` with ``u = 2^k``: the inputs in natural units."""
    model, arrays = _inputs(model, P, omega)
    nat, unit = model.in_natural_units()
    k = int(np.frexp(unit)[1]) - 1  # unit = 2^k exactly
    omega = arrays[-1] if omega is not None else None
    e = _weight_exponent(omega) if omega is not None else np.zeros((), dtype=int)
    out = []
    with np.errstate(over="ignore", under="ignore"):
        if P is not None:
            out.append(np.ldexp(arrays[0], (k + e)[..., None, None]))
        if omega is not None:
            out.append(np.ldexp(omega, -e[..., None]))
    return nat, k, e, out


def _user_units(value, exponent, what):
    """``value · 2^exponent``; ``ValueError`` if it is not finite (overflow in the user's units)."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        out = np.ldexp(value, exponent)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{what} is not representable in float64 at this scale of sigma, noise, P and omega "
                         "(it overflows); rescale the inputs (the risk is scale covariant, W1/W2)")
    return out


def _plain_moments(model, omega):
    sq = np.einsum("...i,...i->...", omega, omega)
    return omega @ model.r, model.R_quadratic(omega) + sq, model.tau * sq


def weight_moments(model, omega):
    """``(c, a, b) = (rᵀω, ωᵀ(R+I)ω, τ‖ω‖²)`` over the last axis of ``omega`` (W1, W3).

    Computed in natural units, so no intermediate over- or underflows.

    Parameters
    ----------
    model : MultitaskModel
        The prompt model (``R``, ``r``, ``τ = tr Σ + σ²``).
    omega : array_like, shape (..., n)
        Weights, batched over leading axes.

    Returns
    -------
    tuple of three ndarray, each of shape (...)
        ``c = rᵀω``, ``a = ωᵀ(R+I)ω`` and ``b = τ‖ω‖²``.

    Raises
    ------
    ValueError
        Naming ``omega``: a wrong last dimension, a non-finite entry, or a moment that
        overflows float64 (``|ω|`` near ``1e154``).

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> c, a, b = weight_moments(model, np.ones(model.n))
    >>> bool(np.isclose(c, model.r.sum())), bool(np.isclose(b, model.tau * model.n))
    (True, True)
    """
    nat, k, e, (w,) = _natural_inputs(model, omega=omega)
    c, a, b = _plain_moments(nat, w)
    return (_user_units(c, e, "omega: r^T omega"), _user_units(a, 2 * e, "omega: omega^T (R + I) omega"),
            _user_units(b, 2 * e + k, "omega: tau |omega|^2"))


def _traces(model, P):
    """``(tr(ΣPΣ), tr(PᵀΣPΣ²), tr(PᵀΣPΣ))`` batched over ``P``."""
    S = model.sigma
    S2 = S @ S
    SP = S @ P
    t0 = np.sum(P * S2, axis=(-2, -1))
    t2 = np.sum(P * (SP @ S2), axis=(-2, -1))
    t1 = np.sum(P * (SP @ S), axis=(-2, -1))
    return t0, t2, t1


def _plain_risk(model, P, omega):
    c, a, b = _plain_moments(model, omega)
    t0, t2, t1 = _traces(model, P)
    return model.tau - 2.0 * c * t0 + a * t2 + b * t1


def population_risk(model, P, omega):
    """Closed-form risk **W1**: ``τ − 2(rᵀω) tr(ΣPΣ) + a tr(PᵀΣPΣ²) + b tr(PᵀΣPΣ)``.

    ``a = ωᵀ(R+I)ω``, ``b = τ‖ω‖²`` (:func:`weight_moments`).

    Parameters
    ----------
    model : MultitaskModel
        The prompt model.
    P : array_like, shape (..., d, d)
        Preconditioners (leading axes broadcast with ``omega``'s).
    omega : array_like, shape (..., n)
        Weights.

    Returns
    -------
    float or ndarray, shape (...)
        The risk ``E(y − xᵀPXᵀ(ω⊙y))²`` in the units of ``y²``; computed in natural units
        (exact rescalings), so it is right at every scale of ``Σ``, ``σ²``, ``P`` and ``ω``
        where it is representable.

    Raises
    ------
    ValueError
        Naming the argument: a shape that does not match the model, a non-finite entry, or
        a risk that overflows float64.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> bool(np.isclose(population_risk(model, np.zeros((2, 2)), np.ones(model.n)), model.tau))  # P = 0
    True
    >>> L1 = population_risk(model, np.eye(2), np.ones(model.n))
    >>> bool(np.isclose(population_risk(model, 2 * np.eye(2), np.ones(model.n) / 2), L1))  # W2
    True
    """
    nat, k, e, (Pn, wn) = _natural_inputs(model, P, omega)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused just below
        risk = _plain_risk(nat, Pn, wn)
    return _user_units(risk, k, "P, omega: the risk")


def risk_gradient(model, P, omega):
    """Gradient of **W1** in ``(P, ω)``.

    ``∂L/∂P = −2cΣ² + 2Σ P M(ω)`` with ``M(ω) = aΣ² + bΣ``, and
    ``∂L/∂ω = −2 tr(ΣPΣ) r + 2 tr(PᵀΣPΣ²)(R+I)ω + 2τ tr(PᵀΣPΣ) ω``.

    Parameters
    ----------
    model : MultitaskModel
        The prompt model.
    P : array_like, shape (..., d, d)
        Preconditioners.
    omega : array_like, shape (..., n)
        Weights.

    Returns
    -------
    dP : ndarray, shape (..., d, d)
        ``∂L/∂P``.
    domega : ndarray, shape (..., n)
        ``∂L/∂ω``.

    Raises
    ------
    ValueError
        Naming the argument, for a wrong shape or a non-finite entry.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> w = np.ones(model.n)
    >>> dP, dw = risk_gradient(model, optimal_preconditioner(model, w), w)
    >>> bool(np.allclose(dP, 0, atol=1e-12))  # P*(ω) is stationary in P (W3)
    True
    """
    nat, k, e, (Pn, wn) = _natural_inputs(model, P, omega)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused just below
        dP, dw = _plain_risk_gradient(nat, Pn, wn)
    # L(P, ω) = u·L_n(u w P, ω/w): ∂L/∂P = u² w ∇_P L_n, ∂L/∂ω = (u/w) ∇_ω L_n
    return (_user_units(dP, (2 * k + e)[..., None, None], "P, omega: the risk gradient in P"),
            _user_units(dw, (k - e)[..., None], "P, omega: the risk gradient in omega"))


def _plain_risk_gradient(model, P, omega):
    c, a, b = _plain_moments(model, omega)
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
    """A Monte Carlo mean with its standard error ``std / sqrt(num_prompts)`` (claim W1's sampled side).

    Parameters
    ----------
    mean : float
        The sample mean of the squared errors.
    std_error : float
        Its standard error, ``std / sqrt(num_prompts)``.
    num_prompts : int
        The number of sampled prompts.

    Examples
    --------
    >>> est = MonteCarloEstimate(mean=1.2, std_error=0.1, num_prompts=100)
    >>> round(est.z_score(1.0), 6)
    2.0
    """

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
    """Monte Carlo estimate of ``E(y − xᵀPXᵀ(ω⊙y))²`` from sampled prompts (W1's independent side).

    It samples prompts with :meth:`MultitaskModel.sample` and averages squared errors of
    :func:`~wpgd_theory.wpgd.wpgd_predict`; sampling is chunked so memory stays
    ``O(chunk·n·d)``.

    Parameters
    ----------
    model : MultitaskModel
        The prompt model.
    P : array_like, shape (d, d)
        Preconditioner.
    omega : array_like, shape (n,)
        Weights.
    num_prompts : int
        Number of prompts sampled, at least 2.
    rng : numpy.random.Generator
        Source of randomness.
    chunk : int, optional
        Prompts sampled at a time (default 20000).

    Returns
    -------
    MonteCarloEstimate
        ``mean`` (the estimate) and ``std_error`` (its standard error), and the count.

    Raises
    ------
    ValueError
        For a non-positive count or chunk, or a wrong shape.
    TypeError
        If ``rng`` is not a ``numpy.random.Generator``.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> w = np.ones(model.n); P = optimal_preconditioner(model, w)
    >>> est = monte_carlo_risk(model, P, w, 20000, np.random.default_rng(0))
    >>> bool(abs(est.mean - population_risk(model, P, w)) < 5 * est.std_error)  # a z-score below 5
    True
    """
    # sampled in natural units: the prompts of model/u are those of the model divided by √u
    # and the squared errors at (uwP, ω/w) are those at (P, ω) divided by u (W1, W2)
    model, k, _e, (P, omega) = _natural_inputs(model, P, omega)
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
    return MonteCarloEstimate(mean=float(_user_units(mean, k, "the Monte Carlo risk")),
                              std_error=float(_user_units(np.sqrt(var / num), k, "the Monte Carlo standard error")),
                              num_prompts=num)


def _nonzero(c_or_a, what):
    if np.any(c_or_a == 0):
        raise ValueError(what)


def optimal_preconditioner(model, omega):
    """**W3**: ``P*(ω) = (rᵀω)/a · (Σ + (b/a) I)⁻¹ = U diag(c / (a λ_j + b)) Uᵀ``.

    The unique minimiser of the risk in ``P`` for fixed ``ω`` (strictly convex: Hessian
    ``2 M(ω) ⊗ Σ``).

    Parameters
    ----------
    model : MultitaskModel
        The prompt model.
    omega : array_like, shape (..., n)
        Weights with ``rᵀω ≠ 0``.

    Returns
    -------
    ndarray, shape (..., d, d)
        The optimal preconditioner, symmetric.

    Raises
    ------
    ValueError
        When ``rᵀω = 0`` (to relative precision): the risk is then minimised by ``P = 0``
        with value ``τ`` and the minimiser is not unique in scale; or for a wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> w = np.array([0.2, 0.4, 0.6, 0.8, 1.0])
    >>> bool(np.isclose(population_risk(model, optimal_preconditioner(model, w), w), profile_risk(model, w)))
    True
    """
    nat, k, e, (omega,) = _natural_inputs(model, omega=omega)
    c, a, b = _plain_moments(nat, omega)
    _nonzero(a, "omega must be nonzero")
    scale = np.linalg.norm(nat.r) * np.linalg.norm(omega, axis=-1)
    if np.any(np.abs(c) <= 1e-12 * scale):
        raise ValueError("omega has r^T omega = 0 (relative to |r| |omega|): the risk in P is minimised by P = 0 "
                         "(no useful P*)")
    lam, U = np.linalg.eigh(nat.sigma)
    coef = c[..., None] / (a[..., None] * lam + b[..., None])
    # P*_user(ω) = P*_natural(ω/w) / (u w)  (W2, scale covariance)
    coef = _user_units(coef, (-k - e)[..., None], "omega: the optimal preconditioner P*")
    if np.any(np.abs(coef) < np.finfo(float).tiny):
        raise ValueError("omega: the optimal preconditioner P* has eigenvalues below the float64 normal range at "
                         "this scale of sigma, noise and omega; rescale omega (P*(omega/c) = c P*(omega), W2)")
    return np.einsum("ij,...j,kj->...ik", U, coef, U)


def profile_risk(model, omega):
    """**W3** profile risk ``L(ω) = min_P L(P, ω) = τ − (rᵀω)² Σ_j λ_j²/(a λ_j + b)``.

    Homogeneous of degree 0 in ``ω``.  Unlike :func:`optimal_preconditioner` it is
    defined at ``rᵀω = 0``, where it equals ``τ``.

    Parameters
    ----------
    model : MultitaskModel
        The prompt model (``λ_j``: the eigenvalues of ``Σ``).
    omega : array_like, shape (..., n)
        Weights, not zero.

    Returns
    -------
    float or ndarray, shape (...)
        The least risk over preconditioners for these weights.

    Raises
    ------
    ValueError
        At ``ω = 0`` (undefined), or for a wrong shape or a non-finite entry.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> w = np.array([0.2, 0.4, 0.6, 0.8, 1.0])
    >>> bool(np.isclose(profile_risk(model, 3 * w), profile_risk(model, w)))  # degree 0
    True
    >>> bool(profile_risk(model, w) < model.tau)  # better than predicting 0
    True
    """
    nat, k, _e, (omega,) = _natural_inputs(model, omega=omega)
    return _user_units(_plain_profile_risk(nat, omega), k, "the profile risk")


def _plain_profile_risk(model, omega):
    c, a, b = _plain_moments(model, omega)
    _nonzero(a, "omega must be nonzero (the profile risk is homogeneous of degree 0)")
    lam = model.sigma_eigenvalues
    return model.tau - c**2 * np.sum(lam**2 / (a[..., None] * lam + b[..., None]), axis=-1)


# =====================================================================================
# W4–W5: the stationary curve, the scalar equation, and the global optimum ``solve``.
# =====================================================================================
#
# Derivation (re-done here, checked numerically by the W4 checks).  Write
# ``f(a, b) = Σ_j λ_j²/(aλ_j + b)``, so ``L(ω) = τ − c² f``.  With ``S2 = Σλ²/(aλ+b)²``,
# ``S3 = Σλ³/(aλ+b)²`` (so ``∂f/∂a = −S3``, ``∂f/∂b = −S2``),
#
#     ∇L = −2cf r + 2c² (S3 (R+I) ω + τ S2 ω),
#
# hence at a stationary point with ``c ≠ 0``: ``(R + (1+μ)I) ω = f/(c S3) · r`` with
# ``μ = τ S2/S3 = τ h(t)``, ``t = b/a`` (``aλ+b = a(λ+t)``).  Conversely every root of
# ``μ = τ h(t(μ))`` gives a stationary point ``ω(μ) = (R + (1+μ)I)⁻¹ r``: Euler's identity
# ``ωᵀ∇L = 0`` (degree-0 homogeneity) forces ``f = c S3`` there, so ``∇L = 0``.


def stationary_ratio(lam, t):
    r"""**W4** ``h(t) = Σ_j λ_j²/(λ_j+t)² / Σ_j λ_j³/(λ_j+t)²`` (vectorised over ``t``).

    A weighted average of ``1/λ_j`` (weights ``λ_j³/(λ_j+t)²``), hence in
    ``[1/λ_max, 1/λ_min]``; nonincreasing in ``t`` (raising ``t`` shifts weight to the
    large ``λ``).  Computed with the weights ``q_j² = (λ_j/(λ_j+t))²`` divided by their
    largest one (the ratio is homogeneous of degree 0 in the weights), so ``t ≫ λ`` does
    not underflow to ``0/0``.

    Parameters
    ----------
    lam : array_like, shape (d,)
        The eigenvalues ``λ_j > 0`` of ``Σ``.
    t : float or array_like, shape (...)
        The ridge ``t ≥ 0``.

    Returns
    -------
    float or ndarray, shape (...)
        ``h(t)``, the shape of ``t``.

    Examples
    --------
    >>> import numpy as np
    >>> h = stationary_ratio([1.0, 4.0], np.array([0.0, 1.0, 100.0]))
    >>> h.shape, bool(np.all((h >= 1 / 4) & (h <= 1)))
    ((3,), True)
    >>> bool(np.all(np.diff(h) <= 0))  # nonincreasing in t
    True
    """
    lam = np.asarray(lam, dtype=float)
    t = np.asarray(t, dtype=float)
    q = lam / (lam + t[..., None])
    q = q / np.max(q, axis=-1, keepdims=True)
    w = q * q
    return np.sum(w, axis=-1) / np.sum(w * lam, axis=-1)


@dataclass(frozen=True)
class StationaryCurve:
    r"""Spectral data of the **W4** stationary curve ``ω(μ) = (R + (1+μ)I)⁻¹ r``.

    In an eigenbasis of ``R`` (eigenvalues ``ν_k``, components ``s_k`` of ``r``; write
    ``x_k = ν_k + 1``) everything along the curve is a sum over ``k``:

    * ``c(μ) = rᵀω = Σ s²/(x+μ)``, ``a(μ) = ωᵀ(R+I)ω = Σ s² x/(x+μ)²``,
      ``‖ω(μ)‖² = Σ s²/(x+μ)²``, ``b = τ‖ω‖²``;
    * ``t(μ) = b/a = τ Σ s²/(x+μ)² / Σ s² x/(x+μ)²`` (nonincreasing in ``μ``);
    * ``g(μ) = τ h(t(μ))`` (nondecreasing in ``μ``) and the **W4** equation
      ``F(μ) = μ − g(μ) = 0`` on the bracket ``[τ/λ_max, τ/λ_min]``.

    Units: ``lam`` and ``tau`` are divided by ``scale = max(λ_max, σ²)`` (the risk is
    homogeneous: scaling ``Σ`` and ``σ²`` by ``s`` scales every risk by ``s`` and leaves
    ``μ``, ``ω`` unchanged), so ``t`` is in units of ``scale``; :meth:`risk` returns the
    user's units.

    For a task model (``R = EρEᵀ``, ``r = E r_task``, ``N = EᵀE = diag(sizes)``) the basis
    is that of the ``K × K`` matrix ``N^{1/2} ρ N^{1/2}`` (the nonzero spectrum of ``R``;
    ``r`` has no component on the null space ``ker Eᵀ``), so the curve costs ``O(K³)``
    once and ``O(K + d)`` per ``μ``; no ``n × n`` matrix is formed.

    Parameters
    ----------
    lam : ndarray, shape (d,)
        Eigenvalues of ``Σ`` (ascending), in units of ``scale``.
    tau : float
        ``τ = tr Σ + σ²``, in units of ``scale``.
    nu : ndarray, shape (m,)
        Eigenvalues ``ν_k`` of ``R`` (task models: of ``N^{1/2}ρN^{1/2}``, ``m = K``).
    s : ndarray, shape (m,)
        Components of ``r`` (task models: of ``N^{1/2} r_task``) in that basis.
    basis : ndarray, shape (n, m) or (K, K)
        The eigenvectors (columns).
    sqrt_sizes : ndarray, shape (K,), optional
        ``N^{1/2}`` (task models).
    task_of : ndarray, shape (n,), optional
        The segment index of every example (task models).
    scale : float, optional
        The unit of ``lam`` and ``tau``: the user's ``Σ = scale · diag(lam)`` in its eigenbasis.

    Examples
    --------
    Built by :func:`stationary_curve`; the global root of ``F`` is the optimum (W4, W5):

    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel, solve
    >>> model = MultitaskModel.from_tasks([2, 2], rho=np.eye(2), r_task=[0.4, 0.8], sigma=[1.0, 2.0], noise=0.2)
    >>> curve = stationary_curve(model)
    >>> lo, hi = curve.bracket
    >>> bool(lo <= solve(model).mu <= hi), bool(abs(curve.F(solve(model).mu)) < 1e-8)
    (True, True)
    """

    lam: np.ndarray  #: eigenvalues of Σ (ascending)
    tau: float  #: τ = tr Σ + σ²
    nu: np.ndarray  #: eigenvalues ν_k of R (task models: of N^{1/2}ρN^{1/2})
    s: np.ndarray  #: components of r (task models: of N^{1/2} r_task) in that basis
    basis: np.ndarray  #: eigenvectors (columns), n × m or K × K
    sqrt_sizes: np.ndarray | None = None  #: N^{1/2} (task models)
    task_of: np.ndarray | None = None  #: segment index of every example (task models)
    scale: float = 1.0  #: the unit of ``lam`` and ``tau``: user's Σ = scale · diag(lam) in its eigenbasis

    # ----------------------------------------------------------------- scalars
    @property
    def x(self) -> np.ndarray:
        """``x_k = ν_k + 1``."""
        return self.nu + 1.0

    @property
    def degenerate(self) -> bool:
        """``r = 0``: the profile risk is the constant ``τ`` (claim W6)."""
        return not np.any(self.s != 0.0)

    @property
    def bracket(self) -> tuple:
        """``[τ/λ_max, τ/λ_min]``: every root of the W4 equation lies here."""
        return self.tau / float(self.lam[-1]), self.tau / float(self.lam[0])

    def _terms(self, mu):
        """``(s², (1+μ)/(x+μ))``: ``1/(x+μ)`` times ``1+μ``, a common factor every ratio along
        the curve cancels (it keeps the terms of order 1 for ``μ → ∞``)."""
        mu = np.asarray(mu, dtype=float)
        return self.s**2, (1.0 + mu[..., None]) / (self.x + mu[..., None])

    def t(self, mu):
        r"""``t(μ) = b/a`` at ``ω(μ)``: ``τ Σ s²/(x+μ)² / Σ s²x/(x+μ)²``."""
        s2, inv = self._terms(mu)
        w = s2 * inv**2
        return self.tau * np.sum(w, axis=-1) / np.sum(w * self.x, axis=-1)

    def g(self, mu):
        r"""``g(μ) = τ h(t(μ))``: the right-hand side of the W4 equation (nondecreasing)."""
        return self.tau * stationary_ratio(self.lam, self.t(mu))

    def F(self, mu):
        r"""The W4 equation ``F(μ) = μ − τ h(t(μ))``; its roots are the stationary points."""
        return np.asarray(mu, dtype=float) - self.g(mu)

    def g_relative_error(self) -> float:
        r"""A bound on the relative floating-point error of :meth:`g`.

        ``t`` and ``h`` are ratios of sums of positive terms, each term a few flops: the
        standard bound ``γ_m = m u/(1 − m u)`` for such sums gives a relative error below
        ``(8m + 4d + 80) u``; four times that is returned (``u = 2⁻⁵³``).
        """
        return 4.0 * (8 * self.s.size + 4 * self.lam.size + 80) * 2.0**-53

    def moments(self, mu):
        r"""``(c, a, ‖ω‖²)`` at ``ω(μ)`` up to the factors ``(1+μ)``, ``(1+μ)²``, ``(1+μ)²`` (which
        every degree-0 quantity cancels): ``Σs²/(x+μ)``, ``Σs²x/(x+μ)²``, ``Σs²/(x+μ)²``."""
        s2, inv = self._terms(mu)
        return np.sum(s2 * inv, axis=-1), np.sum(s2 * self.x * inv**2, axis=-1), np.sum(s2 * inv**2, axis=-1)

    def risk_normalised(self, mu):
        r"""Profile risk (W3) at ``ω(μ)`` in units of ``scale``: ``τ − c² Σ λ²/(aλ + τ‖ω‖²)``."""
        c, a, nrm2 = self.moments(mu)
        b = self.tau * nrm2
        return self.tau - c**2 * np.sum(self.lam**2 / (a[..., None] * self.lam + b[..., None]), axis=-1)

    def risk(self, mu):
        r"""Profile risk (W3) at ``ω(μ)`` in the user's units (``scale ·`` :meth:`risk_normalised`)."""
        return self.scale * self.risk_normalised(mu)

    def elasticities(self, mu):
        r"""``(ε_h, ε_t)``: ``d log h/d log t`` at ``t(μ)`` and ``d log t/d log μ``.

        ``g'(μ) = ε_h ε_t g(μ)/μ``, so at a root ``F'(μ) = 1 − ε_h ε_t``.  Both are
        ``≤ 0`` and ``|ε| ≤ 2δ(κ)²``, ``δ(κ) = (√κ−1)/(√κ+1)`` (see ``proofs/uniqueness.md``).
        """
        mu = np.asarray(mu, dtype=float)
        t = self.t(mu)
        lam = self.lam
        p = lam**2 / (lam + t[..., None]) ** 2
        q = p * lam
        u = t[..., None] / (lam + t[..., None])
        eps_h = 2.0 * (np.sum(q * u, -1) / np.sum(q, -1) - np.sum(p * u, -1) / np.sum(p, -1))
        s2, inv = self._terms(mu)
        pi = s2 * inv**2
        rho = pi * self.x
        v = mu[..., None] / (self.x + mu[..., None])
        eps_t = 2.0 * (np.sum(rho * v, -1) / np.sum(rho, -1) - np.sum(pi * v, -1) / np.sum(pi, -1))
        return eps_h, eps_t

    # ----------------------------------------------------------------- weights
    def coefficients(self, mu) -> np.ndarray:
        """Coordinates ``s(1+μ)/(x+μ)`` of ``ω(μ)`` in the eigenbasis (up to the factor ``1+μ``)."""
        mu = float(mu)
        return self.s * ((1.0 + mu) / (self.x + mu))

    def task_weights(self, mu) -> np.ndarray:
        r"""Task models: ``(1+μ)u(μ)``, ``u(μ) = (ρN + (1+μ)I)⁻¹ r_task`` (``ω(μ) = E u``), ``O(K²)``."""
        if self.sqrt_sizes is None:
            raise ValueError("task_weights needs a model built by MultitaskModel.from_tasks")
        return (self.basis @ self.coefficients(mu)) / self.sqrt_sizes

    def weights(self, mu) -> np.ndarray:
        r"""``(1+μ)ω(μ) = (1+μ)(R + (1+μ)I)⁻¹ r`` in ``R^n`` (``O(n)`` for task models)."""
        if self.sqrt_sizes is not None:
            return self.task_weights(mu)[self.task_of]
        return self.basis @ self.coefficients(mu)


def stationary_curve(model) -> StationaryCurve:
    """The **W4** stationary curve of ``model`` in spectral form (:class:`StationaryCurve`).

    General model: ``R = Q diag(ν) Qᵀ`` (``O(n³)``), ``s = Qᵀr``.  Task model:
    ``N^{1/2}ρN^{1/2} = V diag(ν) Vᵀ`` (``O(K³)``), ``s = Vᵀ N^{1/2} r_task``; then
    ``u(μ) = N^{-1/2} V diag(1/(ν+1+μ)) s`` solves ``(ρN + (1+μ)I)u = r_task``, and
    ``(R + (1+μ)I)Eu = E(ρNu + (1+μ)u) = E r_task = r``.

    Parameters
    ----------
    model : MultitaskModel
        The prompt model.

    Returns
    -------
    StationaryCurve
        ``ω(μ)``, the scalar equation ``F(μ) = μ − τ h(t(μ))`` and the risk along the curve.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> curve = stationary_curve(model)
    >>> sol = solve(model)
    >>> bool(abs(curve.F(np.array([sol.mu]))[0]) < 1e-8 * sol.mu)  # the optimum is a root of W4
    True
    """
    model = _check_model(model)
    lam, tau_n, scale = _normalised_spectrum(model)
    if model.is_multitask:
        root_n = np.sqrt(model.sizes.astype(float))
        M = root_n[:, None] * model.rho * root_n[None, :]
        nu, V = np.linalg.eigh((M + M.T) / 2.0)
        s = _query_components(V.T @ (root_n * model.r_task))
        return StationaryCurve(lam, tau_n, nu, s, V, root_n, model.task_of, scale)
    nu, Q = np.linalg.eigh(model.R)
    return StationaryCurve(lam, tau_n, nu, _query_components(Q.T @ model.r), Q, scale=scale)


#: Smallest nonzero ``max|s|`` (spectral components of ``r``) handled: the curve's sums hold
#: ``s²``, which underflows below about 1e-154.
MIN_QUERY_CORRELATION = 1e-150


def _query_components(s):
    """``s`` itself; ``ValueError`` (naming ``r``) when it is nonzero but so small that ``s²``
    underflows, where the W4 sums would be 0/0 (the optimal risk then equals ``τ`` to float64
    precision: the model is numerically the degenerate case ``r = 0`` of W6)."""
    top = float(np.max(np.abs(s))) if s.size else 0.0
    if 0.0 < top < MIN_QUERY_CORRELATION:
        raise ValueError(f"r (r_task): the query correlations are too small to solve in float64 (largest spectral "
                         f"component {top:.3g} < {MIN_QUERY_CORRELATION:g}, its square underflows); the optimal risk "
                         "equals tau to float64 precision: use r = 0, the degenerate case W6")
    return s


#: Smallest ratio ``λ_min/max(λ_max, σ²)`` handled: below it ``λ_min`` in the normalised
#: units would be a subnormal float (precision lost).
MIN_RELATIVE_EIGENVALUE = 1e-300


def _normalised_spectrum(model):
    r"""``(λ/s, τ/s, s)`` with ``s = max(λ_max, σ²)``: the homogeneous scale of the risk.

    ``ValueError`` if ``λ_min/s`` is below :data:`MIN_RELATIVE_EIGENVALUE` (a noise or
    spectrum range over 300 decades: not representable in normalised float64 units)."""
    lam = np.asarray(model.sigma_eigenvalues, dtype=float)
    scale = float(max(lam[-1], model.noise))
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"sigma and noise must give a finite positive scale, got max(lambda_max, noise) = {scale}")
    lam_n = lam / scale
    if lam_n[0] < MIN_RELATIVE_EIGENVALUE:
        raise ValueError(f"sigma: eigenvalue ratio lambda_min / max(lambda_max, noise) = {lam_n[0]:.3g} is below "
                         f"the supported {MIN_RELATIVE_EIGENVALUE:g} (not representable in float64)")
    return lam_n, float(np.sum(lam_n) + model.noise / scale), scale


def stationary_weights(model, mu):
    r"""**W4** ``ω(μ) = (R + (1+μ)I)⁻¹ r`` (``μ ≥ 0``; unnormalised).

    Parameters
    ----------
    model : MultitaskModel
        The prompt model.
    mu : float
        The curve parameter ``μ ≥ 0``.

    Returns
    -------
    ndarray, shape (n,)
        The weights ``ω(μ)``.

    Raises
    ------
    ValueError
        If ``mu`` is negative or not finite.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0], noise=0.1)
    >>> w = stationary_weights(model, 0.5)
    >>> bool(np.allclose((model.R + 1.5 * np.eye(3)) @ w, model.r))
    True
    """
    from ._validation import as_scalar

    mu = as_scalar(mu, "mu", minimum=0.0)
    return stationary_curve(model).weights(mu) / (1.0 + mu)  # the curve carries a factor 1 + μ


def stationary_equation(model, mu):
    r"""**W4** ``F(μ) = μ − τ h(t(μ))`` (vectorised over ``mu``); zero exactly at stationary points.

    Parameters
    ----------
    model : MultitaskModel
        The prompt model.
    mu : float or array_like, shape (...)
        Values ``μ ≥ 0``.

    Returns
    -------
    float or ndarray, shape (...)
        ``F(μ)``, the shape of ``mu``.

    Raises
    ------
    ValueError
        If a ``mu`` is negative or not finite.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel, solve
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0], noise=0.1)
    >>> bool(abs(stationary_equation(model, solve(model).mu)) < 1e-8)
    True
    """
    mu = as_array(mu, "mu")
    if np.any(mu < 0):
        raise ValueError("mu must be >= 0")
    return stationary_curve(model).F(mu)


def profile_risk_gradient(model, omega):
    """Gradient of the profile risk (W3) in ``ω``.

    ``∇L = −2cf r + 2c²(S3 (R+I)ω + τ S2 ω)``, ``f = Σλ²/(aλ+b)``, ``S2 = Σλ²/(aλ+b)²``,
    ``S3 = Σλ³/(aλ+b)²``; ``ωᵀ∇L = 0`` (degree 0).

    Parameters
    ----------
    model : MultitaskModel
        The prompt model.
    omega : array_like, shape (..., n)
        Weights, not zero.

    Returns
    -------
    ndarray, shape (..., n)
        ``∇_ω L(ω)``.

    Raises
    ------
    ValueError
        At ``ω = 0`` or for a wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> w = np.array([0.2, 0.4, 0.6, 0.8, 1.0])
    >>> bool(abs(w @ profile_risk_gradient(model, w)) < 1e-12)  # Euler: homogeneous of degree 0
    True
    """
    nat, k, e, (omega,) = _natural_inputs(model, omega=omega)
    # L(ω) = u·L_n(ω/w): ∇L = (u/w) ∇L_n(ω/w)
    return _user_units(_plain_profile_gradient(nat, omega), (k - e)[..., None], "the profile risk gradient")


def _plain_profile_gradient(model, omega):
    c, a, b = _plain_moments(model, omega)
    _nonzero(a, "omega must be nonzero (the profile risk is homogeneous of degree 0)")
    lam = model.sigma_eigenvalues
    den = a[..., None] * lam + b[..., None]
    f = np.sum(lam**2 / den, -1)
    S2 = np.sum(lam**2 / den**2, -1)
    S3 = np.sum(lam**3 / den**2, -1)
    RI = model.R_matvec(omega) + omega
    return (-2.0 * (c * f)[..., None] * model.r
            + 2.0 * (c**2)[..., None] * (S3[..., None] * RI + (model.tau * S2)[..., None] * omega))


def _profile_risk_and_gradient(model, omega):
    """``(profile_risk(model, ω), profile_risk_gradient(model, ω))``, the same computations
    with the inputs validated and put in natural units once: the objective of the
    multi-start references (:mod:`wpgd_theory.convex`)."""
    nat, k, e, (omega,) = _natural_inputs(model, omega=omega)
    return (_user_units(_plain_profile_risk(nat, omega), k, "the profile risk"),
            _user_units(_plain_profile_gradient(nat, omega), (k - e)[..., None], "the profile risk gradient"))


@dataclass(frozen=True)
class WPGDSolution:
    r"""The global minimiser of the WPGD risk (claims W4, W5), from :func:`solve`.

    Normalisation: ``‖ω‖ = 1`` and ``rᵀω > 0``; ``P = P*(ω)`` (W3).  Every minimiser is
    ``(cP, ω/c)``, ``c ≠ 0``, when :attr:`unique`.  Its arrays are read-only.

    Parameters
    ----------
    P : ndarray, shape (d, d)
        The optimal preconditioner ``P*(ω*)``.
    omega : ndarray, shape (n,), or None
        The optimal weights ``ω*`` (None when degenerate).
    risk : float
        The least risk (the profile risk at ``omega``).
    roots : ndarray, shape (k,)
        Every root ``μ`` of the W4 equation in ``[τ/λ_max, τ/λ_min]`` (ascending).
    certificate : UniquenessCertificate
        :class:`~wpgd_theory.certify.UniquenessCertificate`: how the roots were isolated
        and uniqueness established, with margins.
    status : str, optional
        ``"unique"`` (certified), ``"not unique"`` (several roots tie for the least risk),
        ``"uncertified"`` (a root cluster could not be resolved), or ``"degenerate"``
        (``r = 0``: *no unique minimiser, the risk is constant* ``τ`` *in ω*; then
        ``omega`` is ``None``, ``P = 0``, ``roots`` is empty and ``risk = τ``).
    mu : float, optional
        The global root ``μ*``.
    t : float, optional
        ``t* = b/a`` at ``ω*`` (``P* ∝ (Σ + t* I)⁻¹``).
    root_risks : ndarray, shape (k,), optional
        Profile risk at each root (same order as ``roots``).
    omega_task : ndarray, shape (K,), optional
        Task models: the per-segment weights ``u`` (``omega = u[task_of]``), same scale.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel, solve
    >>> sol = solve(MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.3, 0.9], sigma=[1.0], noise=0.1))
    >>> sol.unique, sol.roots.shape == sol.root_risks.shape, bool(np.isclose(np.linalg.norm(sol.omega), 1.0))
    (True, True, True)
    """

    P: np.ndarray
    omega: np.ndarray | None
    risk: float
    roots: np.ndarray
    certificate: object
    status: str = "unique"
    mu: float | None = None
    t: float | None = None
    root_risks: np.ndarray | None = None
    omega_task: np.ndarray | None = None

    def __post_init__(self):
        _read_only(self)

    @property
    def unique(self) -> bool:
        """True iff the global minimiser is certified unique up to ``(cP, ω/c)``."""
        return self.status == "unique"


def _read_only(solution) -> None:
    """Make every array field of a (frozen) solution read-only: ``sol.P[0, 0] = 1`` raises, so a
    returned optimum cannot be edited into one that no longer has its reported risk."""
    for value in vars(solution).values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)


def ridge_preconditioner(lam_vectors, scale, t):
    r"""``scale · (Σ + tI)⁻¹`` from the eigendecomposition ``(λ, U)`` of ``Σ`` (W3: ``P*(ω) ∝ (Σ + (b/a)I)⁻¹``).

    Parameters
    ----------
    lam_vectors : tuple of ndarray, shapes (d,) and (d, d)
        ``(λ, U)`` with ``Σ = U diag(λ) Uᵀ`` (as ``np.linalg.eigh`` returns them).
    scale : float
        The factor in front.
    t : float
        The ridge ``t``.

    Returns
    -------
    ndarray, shape (d, d)
        ``scale · (Σ + tI)⁻¹``.

    Examples
    --------
    >>> import numpy as np
    >>> S = np.array([[2.0, 0.5], [0.5, 1.0]])
    >>> P = ridge_preconditioner(np.linalg.eigh(S), 3.0, 0.5)
    >>> bool(np.allclose(P, 3.0 * np.linalg.inv(S + 0.5 * np.eye(2))))
    True
    """
    lam, U = lam_vectors
    return (U * (scale / (lam + t))) @ U.T


def solve(model, *, rtol: float = 1e-11, initial_cells: int = 64, interval: bool = False) -> WPGDSolution:
    r"""The optimal WPGD (claims **W4**, **W5**): every stationary point, the global one, a certificate.

    Method.  Every stationary point with ``rᵀω ≠ 0`` is ``ω(μ) = (R+(1+μ)I)⁻¹ r`` at a
    root of ``F(μ) = μ − g(μ)``, ``g(μ) = τ h(t(μ))`` (W4), and a global minimiser exists
    and has ``rᵀω ≠ 0`` (the profile risk is continuous on the sphere and ``L(r) < τ``).
    All roots are isolated on ``[τ/λ_max, τ/λ_min]`` by
    :func:`~wpgd_theory.certify.isolate_roots`, which cannot miss one: ``g`` is
    nondecreasing, so on a cell ``[α, β]`` ``F ≥ α − g(β)`` and ``F ≤ β − g(α)``; a cell is
    discarded only when one bound is strictly signed (with a floating-point error
    margin), otherwise it is bisected.  The least-risk root is the global minimiser; it is
    unique up to scale iff it is the only root of least risk (``proofs/uniqueness.md``).

    Cost: ``O(K³ + n)`` for task models (``O(n³)`` for a general ``R``); no ``n × n``
    matrix is formed for task models.  There ``ω(μ) = E u(μ)`` lies in the range of the
    segment indicator ``E`` for every ``μ``, so the optimum is task-wise (constant on each
    segment) — consistent with the segment-averaging lemma of :mod:`wpgd_theory.convex`
    (averaging within segments keeps ``rᵀω`` and ``ωᵀRω``, shrinks ``‖ω‖²``, and so cannot
    increase the profile risk).

    Scale.  The risk is homogeneous: scaling ``Σ`` and ``σ²`` by ``s`` scales every risk by
    ``s``, the optimal ``P`` by ``1/s`` and leaves the optimal ``ω`` and the roots unchanged.
    So the roots are found in units of ``max(λ_max, σ²)`` and the result is returned in the
    user's units; every returned number is finite.

    Parameters
    ----------
    model : MultitaskModel
        The prompt model (with ``r ≠ 0``; for ``r = 0`` every ``ω`` is optimal, claim W6).
    rtol : float, optional
        Relative cell width at which root isolation stops (roots closer than this are not
        separated).
    initial_cells : int, optional
        Log-spaced cells of the first grid.
    interval : bool, optional
        Also verify every root-free cell with interval arithmetic (``mpmath.iv``), which
        makes the exclusion rigorous for the floating-point spectral data.

    Returns
    -------
    WPGDSolution
        ``risk`` (the least risk), ``omega`` (shape ``(n,)``, the global minimiser's
        weights) and ``omega_task`` (per task), ``P`` (shape ``(d, d)``), ``mu``, every
        stationary point (``roots``, ``root_risks``), ``status`` (``"unique"``,
        ``"not unique"``, …) and the ``certificate`` of the root isolation.

    Raises
    ------
    ValueError
        (naming ``sigma``) when ``λ_min/max(λ_max, σ²) < 1e-300``, or when the optimum is not
        representable in float64 in the user's units (a non-finite risk, or an optimal ``P``
        with eigenvalues below the normal range, e.g. ``Σ = [1e308]``).
    TypeError
        If ``model`` is not a MultitaskModel or ``interval`` is not a bool.
    RuntimeError
        If root isolation finds no root (impossible in exact arithmetic: a bug).

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> sol = solve(model)
    >>> sol.status, sol.omega.shape, sol.P.shape
    ('unique', (5,), (2, 2))
    >>> bool(np.isclose(sol.risk, profile_risk(model, sol.omega)))  # W3 at the optimum
    True
    >>> bool(sol.risk <= profile_risk(model, np.ones(model.n)))  # no worse than linear attention (A3)
    True
    """
    from ._validation import as_scalar
    from .certify import certify_uniqueness, degenerate_certificate, isolate_roots

    model = _check_model(model)
    rtol = as_scalar(rtol, "rtol", minimum=0.0, strict=True)
    initial_cells = as_positive_int(initial_cells, "initial_cells")
    from ._validation import check_memory

    # the first grid evaluates g on every cell edge at once: arrays of (cells, d) and (cells, m)
    check_memory(64.0 * (initial_cells + 1) * (model.d + (model.num_tasks or model.n) + 8), "initial_cells",
                 f"a first grid of {initial_cells} cells")
    if not isinstance(interval, bool):
        raise TypeError(f"interval must be a bool, got {type(interval).__name__}")
    curve = stationary_curve(model)
    d = model.d
    if curve.degenerate:
        return WPGDSolution(P=np.zeros((d, d)), omega=None, risk=model.tau, roots=np.empty(0),
                            certificate=degenerate_certificate(curve), status="degenerate")
    iso = isolate_roots(curve, rtol=rtol, initial_cells=initial_cells)
    roots = iso.roots
    if not roots.size:  # impossible in exact arithmetic: F(τ/λ_max) ≤ 0 ≤ F(τ/λ_min)
        raise RuntimeError(f"root isolation found no root of the W4 equation on {curve.bracket} "
                           "(F must change sign on the bracket; this is a bug)")
    risks_n = curve.risk_normalised(roots)  # units of curve.scale (homogeneity)
    cert = certify_uniqueness(curve, iso, risks_n * curve.scale, interval=interval)
    best = int(np.argmin(risks_n))
    mu = float(roots[best])
    c, a, nrm2 = (float(v) for v in curve.moments(mu))
    norm = np.sqrt(nrm2)
    omega = curve.weights(mu) / norm
    omega_task = curve.task_weights(mu) / norm if model.is_multitask else None
    t_n = curve.tau * nrm2 / a  # t = b/a in units of curve.scale
    # P*(ω) = (c/a)(Σ + tI)⁻¹ for the normalised ω (c → c/‖ω‖, a → a/‖ω‖²), and
    # (Σ + tI)⁻¹ = (Σ/s + t_n I)⁻¹ / s in the user's units.
    lam_n, U = np.linalg.eigh(model.sigma / curve.scale)
    with np.errstate(over="ignore", under="ignore"):
        coef = ((c / norm) / (a / nrm2)) / (lam_n + t_n) / curve.scale
        P = (U * coef) @ U.T
        risks = risks_n * curve.scale
        t = t_n * curve.scale
    _representable(model, curve.scale, risks=risks, t=t, P_coefficients=coef, P=P, omega=omega)
    return WPGDSolution(P=P, omega=omega, risk=float(risks[best]), roots=roots, certificate=cert,
                        status=cert.status, mu=mu, t=float(t), root_risks=risks, omega_task=omega_task)


def _representable(model, scale, **values):
    r"""``ValueError`` unless every value is finite and ``P*``'s eigenvalues are normal floats.

    The optimum is computed in units of ``scale = max(λ_max, σ²)``; converting back can
    overflow (risk ``∝ scale``) or underflow (``P* ∝ 1/scale``)."""
    for name, v in values.items():
        if not np.all(np.isfinite(v)):
            raise ValueError(f"sigma/noise: the optimal {name} is not representable in float64 at this scale "
                             f"(max(lambda_max, noise) = {scale:.3g}); rescale sigma and noise by a common factor "
                             "(the risk is homogeneous)")
    coef = np.abs(values["P_coefficients"])
    if np.any(coef < np.finfo(float).tiny):
        raise ValueError(f"sigma/noise: the optimal P has eigenvalues of order {float(np.min(coef)):.3g}, below the "
                         f"float64 normal range (max(lambda_max, noise) = {scale:.3g}); rescale sigma and noise by a "
                         "common factor (the risk is homogeneous)")
