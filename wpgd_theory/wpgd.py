r"""Weighted preconditioned gradient descent (THEORY.md §2).

All predictors are batched over prompts: ``X (B,n,d)``, ``y (B,n)``, ``x (B,d)``
(unbatched ``(n,d)``, ``(n,)``, ``(d,)`` inputs return a scalar).  Preconditioners and
weights may be shared ``(d,d)``/``(n,)`` or per prompt ``(B,d,d)``/``(B,n)``.

Gate ↔ weight maps (claims G1, G2, G4) live here too, because they are statements
about weights: :func:`gate_weight_matrix`, :func:`gate_weights`,
:func:`gates_from_weights`.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_array, as_scalar, check_unit_interval

__all__ = [
    "wpgd_predict",
    "multistep_wpgd_predict",
    "causal_wpgd_predict",
    "causal_wpgd_predict_reference",
    "gate_weight_matrix",
    "gate_weights",
    "gates_from_weights",
    "in_signed_monotone_cone",
]


def _prompts(X, y, x):
    X = as_array(X, "X", ndim=(2, 3))
    unbatched = X.ndim == 2
    if unbatched:
        X = X[None]
    B, n, d = X.shape
    y = as_array(y, "y", shape=(n,) if unbatched else (B, n))
    x = as_array(x, "x", shape=(d,) if unbatched else (B, d))
    if unbatched:
        y, x = y[None], x[None]
    return X, y, x, unbatched


def _per_prompt(arr, name, base_shape, B):
    arr = as_array(arr, name, ndim=(len(base_shape), len(base_shape) + 1))
    if arr.shape == base_shape:
        return arr
    if arr.shape != (B, *base_shape):
        raise ValueError(f"{name} must have shape {base_shape} or {(B, *base_shape)}, got {arr.shape}")
    return arr


def _pred_step(X, res, x, P, omega):
    """``xᵀ P Xᵀ (ω ⊙ res)`` batched."""
    v = np.einsum("bnd,...n,bn->bd", X, omega, res) if omega.ndim == 1 else np.einsum("bnd,bn,bn->bd", X, omega, res)
    Pv = v @ P.T if P.ndim == 2 else np.einsum("bde,be->bd", P, v)
    return np.einsum("bd,bd->b", x, Pv)


def wpgd_predict(X, y, x, P, omega):
    r"""One step of WPGD from ``β₀ = 0`` (THEORY §2, claim G1):

    ``ŷ = xᵀ P Xᵀ (ω ⊙ y)``.  ``ω = 𝟙`` is preconditioned GD (linear attention).
    """
    X, y, x, unbatched = _prompts(X, y, x)
    B, n, d = X.shape
    P = _per_prompt(P, "P", (d, d), B)
    omega = _per_prompt(omega, "omega", (n,), B)
    out = _pred_step(X, y, x, P, omega)
    return float(out[0]) if unbatched else out


def _layers(Ps, omegas, B, d, omega_shape, name_w):
    if not isinstance(Ps, (list, tuple)) or not isinstance(omegas, (list, tuple)):
        raise TypeError("Ps and omegas must be lists (one entry per step)")
    if len(Ps) != len(omegas) or len(Ps) == 0:
        raise ValueError(f"Ps and omegas must be non-empty and of equal length, got {len(Ps)} and {len(omegas)}")
    Ps = [_per_prompt(P, f"Ps[{l}]", (d, d), B) for l, P in enumerate(Ps)]
    omegas = [_per_prompt(w, f"{name_w}[{l}]", omega_shape, B) for l, w in enumerate(omegas)]
    return Ps, omegas


def multistep_wpgd_predict(X, y, x, Ps, omegas):
    r"""``L`` steps of (non-causal) WPGD, ``β_{ℓ+1} = β_ℓ + P_ℓ Xᵀ(ω^{(ℓ)} ⊙ (y − Xβ_ℓ))``.

    Returns ``ŷ = xᵀ β_L``.
    """
    X, y, x, unbatched = _prompts(X, y, x)
    B, n, d = X.shape
    Ps, omegas = _layers(Ps, omegas, B, d, (n,), "omegas")
    beta = np.zeros((B, d))
    for P, w in zip(Ps, omegas):
        res = y - np.einsum("bnd,bd->bn", X, beta)
        w_b = np.broadcast_to(w, (B, n))
        v = np.einsum("bnd,bn->bd", X, w_b * res)
        beta = beta + (v @ P.T if P.ndim == 2 else np.einsum("bde,be->bd", P, v))
    out = np.einsum("bd,bd->b", x, beta)
    return float(out[0]) if unbatched else out


def _check_causal_weights(omegas, n):
    mask = np.tril(np.ones((n + 1, n)), 0)  # entry (i, j) allowed iff j <= i
    for l, w in enumerate(omegas):
        if np.any(w * (1 - mask) != 0):
            raise ValueError(f"omegas[{l}] must be lower triangular: omega[i, j] = 0 for j > i (causality)")


def causal_wpgd_predict(X, y, x, Ps, omegas):
    r"""Causal multi-step WPGD (THEORY §2, claim G4).

    Residuals ``r^{(0)} = (y_1..y_n, 0)``; per step
    ``r_i ← r_i − x_iᵀ P_ℓ Σ_{j ≤ min(i,n)} ω^{(ℓ)}_{ij} x_j r_j`` for ``i = 1..n+1``
    (``x_{n+1} = x``); prediction ``ŷ = −r_{n+1}^{(L)}``.  ``omegas[ℓ]`` has shape
    ``(n+1, n)`` (or ``(B, n+1, n)``) and must vanish above the diagonal.
    Vectorised; :func:`causal_wpgd_predict_reference` is the plain loop it is tested
    against.
    """
    X, y, x, unbatched = _prompts(X, y, x)
    B, n, d = X.shape
    Ps, omegas = _layers(Ps, omegas, B, d, (n + 1, n), "omegas")
    _check_causal_weights(omegas, n)
    feats = np.concatenate([X, x[:, None]], axis=1)  # (B, n+1, d)
    res = np.concatenate([y, np.zeros((B, 1))], axis=1)
    for P, w in zip(Ps, omegas):
        U = X * res[:, :n, None]  # x_j r_j
        V = np.einsum("ij,bjd->bid", w, U) if w.ndim == 2 else np.einsum("bij,bjd->bid", w, U)
        PV = (V.reshape(-1, d) @ P.T).reshape(V.shape) if P.ndim == 2 else np.einsum("bde,bie->bid", P, V)
        res = res - np.einsum("bid,bid->bi", feats, PV)
    out = -res[:, n]
    return float(out[0]) if unbatched else out


def causal_wpgd_predict_reference(X, y, x, Ps, omegas):
    """Plain triple loop of :func:`causal_wpgd_predict` (the reference it is tested against)."""
    X, y, x, unbatched = _prompts(X, y, x)
    B, n, d = X.shape
    Ps, omegas = _layers(Ps, omegas, B, d, (n + 1, n), "omegas")
    _check_causal_weights(omegas, n)
    out = np.zeros(B)
    for b in range(B):
        feats = [X[b, i] for i in range(n)] + [x[b]]
        res = [float(y[b, i]) for i in range(n)] + [0.0]
        for P, w in zip(Ps, omegas):
            Pb = P if P.ndim == 2 else P[b]
            wb = w if w.ndim == 2 else w[b]
            new = list(res)
            for i in range(n + 1):
                acc = np.zeros(d)
                for j in range(min(i + 1, n)):
                    acc += wb[i, j] * feats[j] * res[j]
                new[i] = res[i] - float(feats[i] @ Pb @ acc)
            res = new
        out[b] = -res[n]
    return float(out[0]) if unbatched else out


def gate_weight_matrix(gates):
    r"""Causal weights induced by scalar gates ``g_1..g_{n+1}`` (claim G4):

    ``ω_{ij} = Π_{k=j+1}^{i} g_k`` for ``j ≤ min(i, n)``, 0 above the diagonal; shape
    ``(n+1, n)`` (batched ``(B, n+1)`` gates give ``(B, n+1, n)``).  Row ``n+1`` is the
    one-layer weight vector of claim G1.
    """
    g = as_array(gates, "gates", ndim=(1, 2))
    check_unit_interval(g, "gates")
    m = g.shape[-1]
    if m < 2:
        raise ValueError(f"gates must have n+1 >= 2 entries (one per token), got {m}")
    n = m - 1
    # cumulative products in a form that is exact when gates are 0: build row by row
    W = np.zeros(g.shape[:-1] + (m, n))
    for i in range(m):
        prod = np.ones(g.shape[:-1])
        for j in range(min(i, n - 1), -1, -1):
            # weight of j in row i: prod over k = j+1..i of g_k
            if j < i:
                prod = prod * g[..., j + 1]
            W[..., i, j] = prod
    return W


def gate_weights(gates):
    r"""One-layer GLA weights (claim G1): ``ω_i = Π_{j=i+1}^{n+1} g_j``, ``i = 1..n``.

    Computed by a reversed cumulative product (the query's own gate included).
    """
    g = as_array(gates, "gates", ndim=(1, 2))
    check_unit_interval(g, "gates")
    if g.shape[-1] < 2:
        raise ValueError(f"gates must have n+1 >= 2 entries (one per token), got {g.shape[-1]}")
    tail = g[..., 1:]  # g_2..g_{n+1}
    return np.flip(np.cumprod(np.flip(tail, -1), axis=-1), -1)


def gates_from_weights(omega, *, free_gate: float = 1.0):
    r"""Inverse of :func:`gate_weights` on the monotone cone (claim G2).

    Given ``0 ≤ ω_1 ≤ … ≤ ω_n ≤ 1`` returns gates ``g ∈ [0,1]^{n+1}`` with
    ``g_{n+1} = ω_n`` and ``g_{i+1} = ω_i / ω_{i+1}`` (``ω_{i+1} > 0``).  Where
    ``ω_{i+1} = 0`` (then ``ω_i = 0``) any gate works; ``free_gate`` is used, as it is for
    ``g_1``, which no weight depends on.  Raises ``ValueError`` outside the cone: those
    weights are not realisable by scalar gates.  ``free_gate`` must be a number in
    ``[0, 1]`` (``ValueError`` otherwise, NaN included).
    """
    free_gate = as_scalar(free_gate, "free_gate", minimum=0.0)
    if free_gate > 1.0:
        raise ValueError(f"free_gate must be a gate value in [0, 1], got {free_gate}")
    w = as_array(omega, "omega", ndim=1)
    if w.size == 0:
        raise ValueError("omega must be non-empty")
    if w[0] < 0 or w[-1] > 1 or np.any(np.diff(w) < 0):
        raise ValueError(
            "omega must satisfy 0 <= omega_1 <= ... <= omega_n <= 1 to be realisable by scalar gates"
        )
    n = w.size
    g = np.full(n + 1, float(free_gate))
    g[n] = w[-1]
    nxt = w[1:]
    ratio = np.divide(w[:-1], nxt, out=np.full(n - 1, float(free_gate)), where=nxt > 0)
    g[1:n] = ratio
    return g


def in_signed_monotone_cone(omega) -> bool:
    """Claim G2: whether ``ω ∈ M ∪ −M`` (``M = {0 ≤ ω_1 ≤ … ≤ ω_n}``), i.e. realisable by scalar gates
    up to the scale and sign that ``P`` absorbs (G2): ``gates_from_weights`` accepts
    ``ω/max|ω|`` or ``−ω/max|ω|``."""
    omega = np.asarray(omega, dtype=float)
    scale = float(np.max(np.abs(omega)))
    if scale == 0:
        return True
    for sign in (1.0, -1.0):
        try:
            gates_from_weights(sign * omega / scale)
            return True
        except ValueError:
            pass
    return False
