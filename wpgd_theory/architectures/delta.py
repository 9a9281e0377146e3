r"""What the delta rule computes on an in-context regression prompt (negative controls).

DeltaNet's state update (fla ``delta_rule``) with key ``k_i = A x_i``, value ``v_i = y_i``
(one value channel), step ``β_i`` and the query written with ``β_{n+1} = 0`` is

    ``s_0 = 0``,  ``s_i = s_{i−1} + β_i k_i (y_i − k_iᵀ s_{i−1})``,  ``ŷ = (B x)ᵀ s_n``,

i.e. with ``A = I`` one pass of per-example gradient steps on ``½(y_i − x_iᵀw)²`` from
``w_0 = 0`` (the Widrow–Hoff / LMS rule) with step sizes ``β_i``, read out at the query.
Gated DeltaNet (``gated_delta_rule``) first decays the state, ``s̃ = α_i s_{i−1}``, then
takes the same step from ``s̃``: ``s_i = s̃ + β_i k_i (y_i − k_iᵀ s̃)`` (LMS with weight decay).

Unrolled: ``s_n = Σ_i β_i [Π_{j=n}^{i+1} α_j (I − β_j k_j k_jᵀ)] k_i y_i`` — the weight of
``y_i`` is a *matrix* that depends on the later keys, so the prediction contains terms
``y_i β_i β_j (x^T B^T k_j)(k_j^T k_i)`` of degree 4 in the features, which no one-step
WPGD ``xᵀPXᵀ(ω ⊙ y)`` (degree 2) has.  To first order in ``β`` it is WPGD with
``ω_i = β_i Π_{j>i} α_j`` (the query's decay included) and ``P = BᵀA``.

These numpy loops are the reference that fla's ops are checked against.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_array

__all__ = ["delta_rule_predict", "delta_rule_first_order_weights"]


def delta_rule_predict(X, y, x, A, Bq, beta, alpha=None):
    r"""``ŷ = (B x)ᵀ s_n`` of the (gated) delta rule, batched: ``X (B,n,d)``, ``y (B,n)``, ``x (B,d)``.

    ``A, Bq (d_k, d)`` key and query maps, ``beta (n,)`` steps, ``alpha (n+1,)`` decays of
    the examples and the query (``None``: all 1, plain delta rule; the query, written with
    ``β_{n+1} = 0``, only decays the state: ``ŷ = α_{n+1} (Bx)ᵀ s_n``).  Plain loop, float64.
    """
    X = as_array(X, "X", ndim=3)
    Bn, n, d = X.shape
    y = as_array(y, "y", shape=(Bn, n))
    x = as_array(x, "x", shape=(Bn, d))
    A = as_array(A, "A", ndim=2)
    Bq = as_array(Bq, "Bq", shape=A.shape)
    beta = as_array(beta, "beta", shape=(n,))
    alpha = np.ones(n + 1) if alpha is None else as_array(alpha, "alpha", shape=(n + 1,))
    s = np.zeros((Bn, A.shape[0]))
    K = X @ A.T  # (B, n, d_k)
    for i in range(n):
        s = alpha[i] * s
        resid = y[:, i] - np.einsum("bk,bk->b", K[:, i], s)
        s = s + beta[i] * K[:, i] * resid[:, None]
    return alpha[n] * np.einsum("bk,bk->b", x @ Bq.T, s)


def delta_rule_first_order_weights(beta, alpha=None):
    r"""``ω_i = β_i Π_{j=i+1}^{n+1} α_j``: the WPGD the (gated) delta rule reduces to as ``β → 0``.

    ``beta (n,)``, ``alpha (n+1,)`` (examples and query) or ``None``.
    """
    beta = as_array(beta, "beta", ndim=1)
    n = beta.size
    alpha = np.ones(n + 1) if alpha is None else as_array(alpha, "alpha", shape=(n + 1,))
    tail = np.cumprod(alpha[::-1])[::-1][1:]  # Π_{j=i+1}^{n+1} α_j, i = 1..n
    return beta * tail
