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
    r"""Return the product ``M v`` of a nested-list matrix and a list vector, over any ring.

    Parameters
    ----------
    M : list of list
        Shape ``(r, c)`` as ``M[row][col]``.
    v : list
        Length ``c``.
    zero : object
        The ring's zero (start of every sum).

    Returns
    -------
    list
        Length ``r``.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.recurrences import matvec
    >>> x, p = sp.symbols("x p")
    >>> matvec([[1, 2], [3, 4]], [x, p], 0)
    [2*p + x, 4*p + 3*x]
    """
    return [sum((M[i][j] * v[j] for j in range(len(v))), zero) for i in range(len(M))]


def _dot(u, v, zero):
    return sum((a * b for a, b in zip(u, v)), zero)


@dataclass
class GLALayer:
    r"""Weights and gates of one GLA layer (exact entries).

    ``gates[i]`` is the gate of token ``i`` (0-based over all ``T`` tokens): a scalar for
    ``gating="scalar"`` (``G_i = g_i 𝟙𝟙ᵀ``), a length-``d_k`` list for ``"key"``
    (``G_i = 𝟙 g_iᵀ``: column ``c`` of the ``d_v × d_k`` state is scaled by ``g_{i,c}``), a
    length-``d_v`` list for ``"value"`` (``G_i = g_i 𝟙ᵀ``), or ``None`` for ``"none"``
    (linear attention, ``G ≡ 1``).

    Parameters
    ----------
    Wq : list of list
        Query map, shape ``(d_k, D)`` (``D`` the token width).
    Wk : list of list
        Key map, shape ``(d_k, D)``.
    Wv : list of list
        Value map, shape ``(d_v, D)``.
    gates : sequence or None
        One gate per token, as above.
    gating : {"scalar", "key", "value", "none"}, optional
        The kind of gate (default ``"scalar"``).
    write_mask : sequence of int or None, optional
        ``write_mask[i]`` is 1 if token ``i`` writes to the state (default: all write).

    Examples
    --------
    The G1 construction (``d = 1``, tokens ``z_i = [x_i; y_i]``, the query ``[x; 0]``): the
    query's output is one-step WPGD with the products of the later gates as weights.

    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.recurrences import GLALayer, gate_products, gla_layer, wpgd_one_step
    >>> x1, x2, y1, y2, x, p, g1, g2, g3 = sp.symbols("x1 x2 y1 y2 x p g1 g2 g3")
    >>> layer = GLALayer(Wq=[[p, 0]], Wk=[[1, 0]], Wv=[[0, 1]], gates=[g1, g2, g3])
    >>> out = gla_layer([[x1, y1], [x2, y2], [x, 0]], layer, sp.Integer(0), sp.Integer(1))
    >>> out[-1]
    [g3*p*x*(g2*x1*y1 + x2*y2)]
    >>> omega = gate_products([g1, g2, g3], 1)[-1]
    >>> sp.expand(out[-1][0] - wpgd_one_step([[x1], [x2]], [y1, y2], [x], [[p]], omega, 0))
    0
    """

    Wq: list
    Wk: list
    Wv: list
    gates: Sequence | None
    gating: str = "scalar"
    write_mask: Sequence[int] | None = None


def gla_layer(tokens: list, layer: GLALayer, zero, one) -> list:
    r"""Return the outputs ``o_i = S_i q_i`` of one GLA layer for every token (claims G1, G3).

    The state starts at 0 and follows ``S_i = G_i ⊙ S_{i−1} + m_i v_i k_iᵀ`` with
    ``q_i = W_q z_i``, ``k_i = W_k z_i``, ``v_i = W_v z_i`` — written from the definition,
    independently of :mod:`wpgd_theory.gla`.

    Parameters
    ----------
    tokens : list of list
        ``T`` tokens of width ``D``.
    layer : GLALayer
        Weights and gates.
    zero : object
        The ring's zero.
    one : object
        The ring's one.

    Returns
    -------
    list of list
        ``T`` outputs of length ``d_v``.

    Raises
    ------
    ValueError
        If ``layer.gating`` is not one of the four kinds.

    Examples
    --------
    The G1 construction (``d = 1``, tokens ``z_i = [x_i; y_i]``, the query ``[x; 0]``): the
    query's output is one-step WPGD with the products of the later gates as weights.

    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.recurrences import GLALayer, gate_products, gla_layer, wpgd_one_step
    >>> x1, x2, y1, y2, x, p, g1, g2, g3 = sp.symbols("x1 x2 y1 y2 x p g1 g2 g3")
    >>> layer = GLALayer(Wq=[[p, 0]], Wk=[[1, 0]], Wv=[[0, 1]], gates=[g1, g2, g3])
    >>> out = gla_layer([[x1, y1], [x2, y2], [x, 0]], layer, sp.Integer(0), sp.Integer(1))
    >>> out[-1]
    [g3*p*x*(g2*x1*y1 + x2*y2)]
    >>> omega = gate_products([g1, g2, g3], 1)[-1]
    >>> sp.expand(out[-1][0] - wpgd_one_step([[x1], [x2]], [y1, y2], [x], [[p]], omega, 0))
    0
    """
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
    r"""Run a stack of GLA layers; with ``residual`` the stream is ``Z ← Z + GLA(Z)`` (THEORY §3, claim G4).

    Parameters
    ----------
    tokens : list of list
        ``T`` tokens of width ``D``.
    layers : sequence of GLALayer
        The layers, first to last (each with ``d_v = D`` when ``residual``).
    zero : object
        The ring's zero.
    one : object
        The ring's one.
    residual : bool, optional
        Add each layer's output to its input (default True).

    Returns
    -------
    list of list
        The stream after the last layer, ``T`` rows.

    Raises
    ------
    ValueError
        If a layer's gating is not one of the four kinds.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.recurrences import GLALayer, gla_forward
    >>> x1, y1, x, p = sp.symbols("x1 y1 x p")
    >>> layer = GLALayer(Wq=[[p, 0], [0, 0]], Wk=[[1, 0], [0, 0]], Wv=[[0, 0], [0, -1]], gates=None, gating="none")
    >>> gla_forward([[x1, y1], [x, 0]], [layer], sp.Integer(0), sp.Integer(1))[-1]
    [x, -p*x*x1*y1]
    """
    Z = [list(z) for z in tokens]
    for layer in layers:
        O = gla_layer(Z, layer, zero, one)
        Z = [[zi + oi for zi, oi in zip(z, o)] for z, o in zip(Z, O)] if residual else O
    return Z


def wpgd_one_step(X: list, y: list, x: list, P: list, omega: list, zero):
    r"""Return the one-step WPGD prediction ``ŷ = xᵀ P Xᵀ (ω ⊙ y)`` (THEORY §2) from its definition.

    Parameters
    ----------
    X : list of list
        The examples, ``n`` rows of length ``d``.
    y : list
        The labels, length ``n``.
    x : list
        The query, length ``d``.
    P : list of list
        The preconditioner, ``d × d``.
    omega : list
        The weights, length ``n``.
    zero : object
        The ring's zero.

    Returns
    -------
    object
        The prediction, a ring element.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.recurrences import wpgd_one_step
    >>> x1, x2, y1, y2, x, p, w1, w2 = sp.symbols("x1 x2 y1 y2 x p w1 w2")
    >>> wpgd_one_step([[x1], [x2]], [y1, y2], [x], [[p]], [w1, w2], sp.Integer(0))
    p*x*(w1*x1*y1 + w2*x2*y2)
    """
    d = len(x)
    v = [sum((omega[i] * X[i][b] * y[i] for i in range(len(X))), zero) for b in range(d)]
    return _dot(x, matvec(P, v, zero), zero)


def causal_wpgd(X: list, y: list, x: list, Ps: Sequence[list], omegas: Sequence[list], zero, *,
                query_reads_itself: bool = False) -> tuple:
    r"""Run causal multi-step WPGD (THEORY §2, claim G4).

    ``r^{(0)} = (y_1..y_n, 0)``; per step
    ``r_i ← r_i − x_iᵀ P_ℓ Σ_{j ≤ min(i, n)} ω_{ij} x_j r_j`` for ``i = 1..n+1``
    (``x_{n+1} = x``); the prediction is ``ŷ = −r_{n+1}``.  With ``query_reads_itself`` the
    query's own slot is included in its sum (``j = n+1``, weight 1): what an *unmasked*
    query computes.

    Parameters
    ----------
    X : list of list
        The examples, ``n`` rows of length ``d``.
    y : list
        The labels, length ``n``.
    x : list
        The query, length ``d``.
    Ps : sequence of list of list
        One ``d × d`` preconditioner per step.
    omegas : sequence of list of list
        One weight matrix per step, ``(n+1) × n``, 0-based (row ``i`` over the tokens,
        column ``j`` over the examples).
    zero : object
        The ring's zero.
    query_reads_itself : bool, optional
        Include the query's own slot in its sum (default False).

    Returns
    -------
    yhat : object
        The prediction ``−r_{n+1}``.
    residuals : list
        The ``n + 1`` residuals after the last step.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.recurrences import causal_wpgd, wpgd_one_step
    >>> x1, x2, y1, y2, x, p = sp.symbols("x1 x2 y1 y2 x p")
    >>> yhat, res = causal_wpgd([[x1], [x2]], [y1, y2], [x], [[[p]]], [[[1, 0], [1, 1], [1, 1]]], sp.Integer(0))
    >>> sp.expand(yhat - wpgd_one_step([[x1], [x2]], [y1, y2], [x], [[p]], [1, 1], 0))  # one step
    0
    >>> len(res)
    3
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
    r"""Return the causal gate weights ``ω_{ij} = Π_{k=j+1}^{i} g_k`` as an ``(n+1) × n`` nested list.

    0-based: ``gates[k]`` is the gate of token ``k+1``; row ``n`` is the one-layer weight
    vector ``ω_i = Π_{j=i+1}^{n+1} g_j`` of claim G1 (entries with ``j > i`` are 0).

    Parameters
    ----------
    gates : sequence
        The ``n + 1`` gates (examples and query).
    one : object
        The ring's one.

    Returns
    -------
    list of list
        ``n + 1`` rows of ``n`` weights.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.recurrences import gate_products
    >>> g1, g2, g3 = sp.symbols("g1 g2 g3")
    >>> gate_products([g1, g2, g3], sp.Integer(1))
    [[1, 0], [g2, 1], [g2*g3, g3]]
    """
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
