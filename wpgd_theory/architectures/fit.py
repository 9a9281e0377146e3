r"""The best one-step WPGD fit to any in-context predictor (used for verdicts and inferred weights).

One-step WPGD predicts ``ŷ = Σ_i ω_i y_i xᵀ P x_i = Σ_{i,a,b} M_{iab} y_i x_a x_{ib}`` with
``M = ω ⊗ P`` of rank one.  Least squares over *all* tensors ``M ∈ R^{n×d×d}`` (a linear
problem, ``n d²`` unknowns) gives a lower bound on the distance of a predictor to every
WPGD: if even the unconstrained ``M`` leaves a residual on held-out prompts, the predictor
is not one-step WPGD.  If the residual vanishes, the predictor is WPGD iff ``M`` (as an
``n × d²`` matrix) has rank one, and then ``ω ⊗ P`` is its leading singular pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["WPGDFit", "features", "fit_wpgd", "wpgd_terms"]


def features(X, y, x) -> np.ndarray:
    """``φ_{b,(i,a,c)} = y_{bi} x_{ba} X_{bic}`` of shape ``(B, n·d·d)``."""
    B, n, d = X.shape
    return np.einsum("bi,ba,bic->biac", y, x, X).reshape(B, n * d * d)


def wpgd_terms(X, y, x, P, omega) -> np.ndarray:
    """The ``n`` terms ``ω_i y_i xᵀ P x_i`` of a one-step WPGD prediction, ``(B, n)``."""
    return np.asarray(omega)[None] * y * np.einsum("ba,ac,bic->bi", x, P, X)


@dataclass(frozen=True)
class WPGDFit:
    r"""Least-squares WPGD fit: ``M (n,d,d)``, rank-one part ``omega (n,)``, ``P (d,d)``.

    ``rank_ratio = σ₂/σ₁`` of ``M`` as an ``n × d²`` matrix (0 for an exact WPGD).
    ``omega`` is scaled so that ``‖P‖_F = 1`` and ``Σ ω ≥ 0``.
    """

    M: np.ndarray
    omega: np.ndarray
    P: np.ndarray
    rank_ratio: float

    def predict_full(self, X, y, x):
        return features(X, y, x) @ self.M.reshape(-1)

    def predict(self, X, y, x):
        return wpgd_terms(X, y, x, self.P, self.omega).sum(axis=1)


def fit_wpgd(X, y, x, out) -> WPGDFit:
    """Fit ``M`` by least squares to the outputs ``out (B,)`` of a predictor on prompts ``(X, y, x)``."""
    B, n, d = X.shape
    Phi = features(X, y, x)
    if B < Phi.shape[1]:
        raise ValueError(f"need at least n*d*d = {Phi.shape[1]} prompts to fit, got {B}")
    coef, *_ = np.linalg.lstsq(Phi, np.asarray(out, dtype=float), rcond=None)
    M = coef.reshape(n, d, d)
    U, s, Vt = np.linalg.svd(M.reshape(n, d * d), full_matrices=False)
    ratio = float(s[1] / s[0]) if s.size > 1 and s[0] > 0 else 0.0
    omega, P = U[:, 0] * s[0], Vt[0].reshape(d, d)
    if omega.sum() < 0:
        omega, P = -omega, -P
    return WPGDFit(M, omega, P, ratio)
