r"""Symbolic reference implementations of the recurrences of THEORY.md §2–3.

Plain loops over exact ring elements (anything with ``+``, ``-``, ``*``: sparse
polynomials, fraction-field elements, sympy expressions).  They are written from the
definitions, independently of :mod:`wpgd_theory.wpgd` (numpy) and of
:mod:`wpgd_theory.gla` (torch), which they never import.

* :func:`gla_layer` — one GLA layer, ``S_i = G_i ⊙ S_{i−1} + m_i v_i k_iᵀ``,
  ``o_i = S_i q_i`` with scalar, key-vector or value-vector gates.
* :func:`gla_forward` — layers with or without the residual stream.
* :func:`wpgd_one_step`, :func:`causal_wpgd` — the WPGD predictions of §2.

Matrices are nested lists ``M[row][col]``; vectors are lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["GLALayer", "gla_layer", "gla_forward", "matvec", "wpgd_one_step", "causal_wpgd", "gate_products"]


def matvec(M, v, zero):
    return [sum((M[i][j] * v[j] for j in range(len(v))), zero) for i in range(len(M))]


def _dot(u, v, zero):
    return sum((a * b for a, b in zip(u, v)), zero)


@dataclass
class GLALayer:
    r"""Weights and gates of one GLA layer (exact entries).

    ``Wq, Wk, Wv`` are nested lists (``d_k × D``, ``d_k × D``, ``d_v × D``, ``D`` the token
    width).  ``gates[i]`` is the gate of token ``i`` (0-based over all ``T`` tokens): a
    scalar for ``gating="scalar"`` (``G_i = g_i 𝟙𝟙ᵀ``), a length-``d_k`` list for
    ``"key"`` (``G_i = 𝟙 g_iᵀ``: column ``c`` of the ``d_v × d_k`` state is scaled by
    ``g_{i,c}``), a length-``d_v`` list for ``"value"`` (``G_i = g_i 𝟙ᵀ``), or ``None`` for
    ``"none"`` (linear attention, ``G ≡ 1``).  ``write_mask[i]`` is 1 if token ``i`` writes.
    """

    Wq: list
    Wk: list
    Wv: list
    gates: Sequence | None
    gating: str = "scalar"
    write_mask: Sequence[int] | None = None


def gla_layer(tokens: list, layer: GLALayer, zero, one) -> list:
    """Outputs ``o_i = S_i q_i`` of one GLA layer for every token (state starts at 0)."""
    dk, dv = len(layer.Wk), len(layer.Wv)
    T = len(tokens)
    mask = layer.write_mask if layer.write_mask is not None else [1] * T
    if layer.gating not in ("scalar", "key", "value", "none"):
        raise ValueError(f"gating must be 'scalar', 'key', 'value' or 'none', got {layer.gating!r}")
    S = [[zero for _ in range(dk)] for _ in range(dv)]
    outs = []
    for i, z in enumerate(tokens):
        q = matvec(layer.Wq, z, zero)
        k = matvec(layer.Wk, z, zero)
        v = matvec(layer.Wv, z, zero)
        g = layer.gates[i] if layer.gating != "none" else None
        for a in range(dv):
            for c in range(dk):
                if layer.gating == "scalar":
                    decay = g
                elif layer.gating == "key":
                    decay = g[c]
                elif layer.gating == "value":
                    decay = g[a]
                else:
                    decay = one
                S[a][c] = decay * S[a][c] + (v[a] * k[c] if mask[i] else zero)
        outs.append(matvec(S, q, zero))
    return outs


def gla_forward(tokens: list, layers: Sequence[GLALayer], zero, one, *, residual: bool = True) -> list:
    """Stack of layers; with ``residual`` the stream is ``Z ← Z + GLA(Z)`` (THEORY §3)."""
    Z = [list(z) for z in tokens]
    for layer in layers:
        O = gla_layer(Z, layer, zero, one)
        Z = [[zi + oi for zi, oi in zip(z, o)] for z, o in zip(Z, O)] if residual else O
    return Z


def wpgd_one_step(X: list, y: list, x: list, P: list, omega: list, zero):
    r"""``ŷ = xᵀ P Xᵀ (ω ⊙ y)`` (THEORY §2) from its definition."""
    d = len(x)
    v = [sum((omega[i] * X[i][b] * y[i] for i in range(len(X))), zero) for b in range(d)]
    return _dot(x, matvec(P, v, zero), zero)


def causal_wpgd(X: list, y: list, x: list, Ps: Sequence[list], omegas: Sequence[list], zero, *,
                query_reads_itself: bool = False) -> tuple:
    r"""Causal multi-step WPGD (THEORY §2).

    ``r^{(0)} = (y_1..y_n, 0)``; per step
    ``r_i ← r_i − x_iᵀ P_ℓ Σ_{j ≤ min(i, n)} ω_{ij} x_j r_j`` for ``i = 1..n+1``
    (``x_{n+1} = x``); returns ``(ŷ, residuals)`` with ``ŷ = −r_{n+1}``.  ``omegas[ℓ][i][j]``
    is indexed 0-based (row ``i`` over the ``n+1`` tokens, column ``j`` over the ``n``
    examples).  With ``query_reads_itself`` the query's own slot is included in its sum
    (``j = n+1``, weight 1): what an *unmasked* query computes (claim G4).
    """
    n = len(X)
    feats = [list(row) for row in X] + [list(x)]
    res = list(y) + [zero]
    for P, w in zip(Ps, omegas):
        new = list(res)
        for i in range(n + 1):
            acc = [zero] * len(x)
            for j in range(min(i + 1, n)):
                for b in range(len(x)):
                    acc[b] = acc[b] + w[i][j] * feats[j][b] * res[j]
            if query_reads_itself and i == n:
                for b in range(len(x)):
                    acc[b] = acc[b] + feats[n][b] * res[n]
            new[i] = res[i] - _dot(feats[i], matvec(P, acc, zero), zero)
        res = new
    return -res[n], res


def gate_products(gates: Sequence, one) -> list:
    r"""Causal gate weights ``ω_{ij} = Π_{k=j+1}^{i} g_k`` as an ``(n+1) × n`` nested list
    (0-based: ``gates[k]`` is the gate of token ``k+1``); row ``n`` is the one-layer weight
    vector ``ω_i = Π_{j=i+1}^{n+1} g_j`` of claim G1."""
    T = len(gates)
    n = T - 1
    W = []
    for i in range(T):
        row = []
        for j in range(n):
            if j > i:
                row.append(one * 0)
                continue
            prod = one
            for k in range(j + 1, i + 1):
                prod = prod * gates[k]
            row.append(prod)
        W.append(row)
    return W
