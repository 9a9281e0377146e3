r"""An exact, independent computation of the WPGD risk on tiny sizes (check of W1).

It does not use Isserlis' theorem or the closed form.  Conditionally on the features
``F = (x_1, …, x_n, x)`` the labels ``(y_1, …, y_n, y)`` are jointly Gaussian with
covariance ``K = C ⊙ (F Fᵀ) + σ² I`` (because ``Cov(x_iᵀβ_i, x_jᵀβ_j | F) = C_ij x_iᵀx_j``),
and the error ``y − ŷ = uᵀ(y_1..y_n, y)`` is linear in them with
``u = (−ω ⊙ (X Pᵀ x), 1)``.  Hence ``E[(y − ŷ)² | F] = uᵀ K u`` exactly, a polynomial of
degree at most 4 in every scalar feature coordinate.  Writing ``F = Z Lᵀ`` with
``L Lᵀ = Σ`` and ``Z`` standard normal, the outer expectation is a tensor Gauss–Hermite
rule with 3 nodes per coordinate, exact for degree ≤ 5 per coordinate.  The result is
exact up to rounding; the cost is ``3^{(n+1)d}`` points, so it is for tiny sizes.
"""

from __future__ import annotations

import itertools

import numpy as np

from ._validation import as_array, as_positive_int
from .model import MultitaskModel

__all__ = ["quadrature_risk", "MAX_QUADRATURE_DIM"]

#: Largest ``(n+1)·d`` accepted (3^10 ≈ 59k nodes).
MAX_QUADRATURE_DIM = 10


def quadrature_risk(model: MultitaskModel, P, omega, *, nodes: int = 3) -> float:
    """``E(y − xᵀPXᵀ(ω⊙y))²`` by conditional Gaussian labels and exact quadrature."""
    if not isinstance(model, MultitaskModel):
        raise TypeError(f"model must be a MultitaskModel, got {type(model).__name__}")
    n, d = model.n, model.d
    P = as_array(P, "P", shape=(d, d))
    omega = as_array(omega, "omega", shape=(n,))
    nodes = as_positive_int(nodes, "nodes", minimum=3)
    dim = (n + 1) * d
    if dim > MAX_QUADRATURE_DIM:
        raise ValueError(f"(n+1)*d must be <= {MAX_QUADRATURE_DIM} for quadrature, got {dim}")
    t, w = np.polynomial.hermite_e.hermegauss(nodes)  # weight exp(-t²/2)
    w = w / np.sqrt(2.0 * np.pi)
    grid = np.array(list(itertools.product(range(nodes), repeat=dim)))
    Z = t[grid].reshape(-1, n + 1, d)
    weights = np.prod(w[grid], axis=1)
    F = Z @ np.linalg.cholesky(model.sigma).T  # (N, n+1, d)
    X, x = F[:, :n], F[:, n]
    gram = np.einsum("Nid,Njd->Nij", F, F)
    K = model.C[None] * gram + model.noise * np.eye(n + 1)[None]
    u = np.concatenate([-omega[None] * np.einsum("Nid,ed,Ne->Ni", X, P, x), np.ones((len(F), 1))], axis=1)
    cond = np.einsum("Ni,Nij,Nj->N", u, K, u)
    return float(weights @ cond)
