r"""Claim **G4** through flash-linear-attention's own ops: ``L`` stacked layers = ``L`` steps of causal WPGD.

The G4 construction (``proofs/architectures.md`` §A) on fla's operators: a token is
``z_t = (x_t, r_t)`` with the features ``x_t`` (``x_{n+1} = x``, the query) and a label slot
``r_t`` (``r^{(0)} = (y_1, …, y_n, 0)``).  Layer ``ℓ`` reads keys ``k_t = x_t``, queries
``q_t = P_ℓᵀ x_t`` and values ``v_t = −r_t`` (``v_{n+1} = 0``: the query's write is masked, as
in G4's write mask), runs fla's op with its gates, and the residual connection adds the
output to the label slot:

    r_i ← r_i + o_i = r_i − x_iᵀ P_ℓ Σ_{j ≤ min(i, n)} ω^{(ℓ)}_{ij} x_j r_j,      ŷ = −r_{n+1}^{(L)},

which is :func:`~wpgd_theory.wpgd.causal_wpgd_predict` with the causal weights

* linear attention: ``ω_{ij} = 1`` (``j ≤ i``);
* simple GLA (scalar gates ``g_t``): ``ω_{ij} = Π_{k=j+1}^{i} g_k``
  (:func:`~wpgd_theory.wpgd.gate_weight_matrix`);
* GLA with ``m`` key blocks ``k_t = [x_t; …; x_t]``, ``q_t = [c_1 P_ℓᵀx_t; …; c_m P_ℓᵀx_t]`` and
  block gates ``g^{(b)}_t``: ``ω_{ij} = Σ_b c_b Π_{k=j+1}^{i} g^{(b)}_k`` (signed).

The fla side is float32 throughout (fla's naive ops and the float32 residual stream); the
reference is numpy float64 (:func:`causal_wpgd_predict` on :func:`causal_weights`, which
never calls torch).  A priori bound (§A): every path of the ``L``-layer computation carries
at most ``L (m + 1)`` roundings, ``m = T (d_k + 2)`` per layer as in
:func:`~.registry.float32_tolerance` and one for the residual addition, so
``|fla − reference| ≤ γ_{L(m+1)} · s_{n+1}^{(L)}`` where ``s`` is the absolute-value run of
the same recurrence (:func:`stack_magnitude`).
"""

from __future__ import annotations

import numpy as np
import torch

from ..wpgd import causal_wpgd_predict, gate_weight_matrix
from . import fla_ops
from .registry import Conformance, _gamma, _r32, sample_prompts

__all__ = ["STACKABLE", "causal_weights", "fla_stack_predict", "stack_magnitude", "stack_tolerance",
           "stack_conformance"]

#: fla ops stacked here: linear attention, simple GLA (scalar gates), GLA (key-dimension gates, blocks)
STACKABLE = ("linear_attention", "simple_gla", "gla")


def _check_op(op: str) -> str:
    if not isinstance(op, str):
        raise TypeError(f"op must be a string, got {type(op).__name__}")
    if op not in STACKABLE:
        raise ValueError(f"op must be one of {STACKABLE}, got {op!r}")
    return op


def causal_weights(op: str, gates, coefs=None, n: int | None = None) -> np.ndarray:
    r"""Causal weights ``ω (n+1, n)`` of one stacked layer of fla's op ``op`` (numpy, no torch).

    ``linear_attention``: ``ω_{ij} = [j ≤ i]``; ``simple_gla``: ``Π_{k=j+1}^{i} g_k``;
    ``gla``: ``Σ_b c_b Π_{k=j+1}^{i} g^{(b)}_k``.

    Parameters
    ----------
    op : str
        One of :data:`STACKABLE`.
    gates : array_like or None
        ``None`` for linear attention; shape ``(n+1,)`` for simple GLA; ``(n+1, m)`` for GLA.
    coefs : array_like, shape (m,), optional
        GLA's block coefficients ``c_b`` (required for ``gla``).
    n : int, optional
        Number of examples (required for linear attention).

    Returns
    -------
    ndarray, shape (n+1, n)

    Examples
    --------
    >>> causal_weights("simple_gla", [1.0, 0.5, 0.5])
    array([[1.  , 0.  ],
           [0.5 , 1.  ],
           [0.25, 0.5 ]])
    """
    op = _check_op(op)
    if op == "linear_attention":
        if n is None:
            raise ValueError("n is required for linear attention's weights")
        return gate_weight_matrix(np.ones(int(n) + 1))
    if op == "simple_gla":
        return gate_weight_matrix(np.asarray(gates, dtype=float))
    G = np.asarray(gates, dtype=float)
    if coefs is None or G.ndim != 2 or np.asarray(coefs).shape != (G.shape[1],):
        raise ValueError("gla needs gates of shape (n+1, m) and coefs of shape (m,)")
    return np.einsum("b,bij->ij", np.asarray(coefs, dtype=float), gate_weight_matrix(G.T))


def fla_stack_predict(op: str, X, y, x, Ps, gates=None, coefs=None, *, residual: bool = True,
                      write_mask: bool = True) -> np.ndarray:
    r"""``L`` layers of fla's op ``op`` stacked with the G4 residual connection: ``ŷ = −r_{n+1}^{(L)}``.

    Float32 throughout (fla's naive ops, the residual stream added in float32).

    Parameters
    ----------
    op : str
        One of :data:`STACKABLE`.
    X, y, x : ndarray, shapes (B, n, d), (B, n), (B, d)
        Prompts (rounded to float32 by the caller if the reference should see the same inputs).
    Ps : list of ndarray (d, d)
        One preconditioner per layer (``q_t = P_ℓᵀ x_t``).
    gates : list, optional
        Per layer: ``None`` (linear attention), ``(n+1,)`` (simple GLA) or ``(n+1, m)`` (GLA).
    coefs : list of ndarray (m,), optional
        Per layer, GLA's block coefficients.
    residual : bool
        ``False`` drops the residual connection (``r ← o``): an ablation, no longer WPGD.
    write_mask : bool
        ``False`` lets the query write its own label slot (an ablation for ``L ≥ 2``).

    Returns
    -------
    ndarray, shape (B,)

    Examples
    --------
    >>> import numpy as np
    >>> X, y, x = np.ones((1, 2, 1)), np.array([[1.0, 1.0]]), np.ones((1, 1))
    >>> fla_stack_predict("linear_attention", X, y, x, [np.eye(1)]).round(6).tolist()
    [2.0]
    """
    op = _check_op(op)
    X, y, x = (np.asarray(a, dtype=float) for a in (X, y, x))
    if X.ndim != 3 or y.shape != X.shape[:2] or x.shape != (X.shape[0], X.shape[2]):
        raise ValueError(f"X, y, x must have shapes (B, n, d), (B, n), (B, d); got {X.shape}, {y.shape}, {x.shape}")
    B, n, d = X.shape
    if not isinstance(Ps, (list, tuple)) or not Ps:
        raise TypeError("Ps must be a non-empty list of (d, d) arrays, one per layer")
    L = len(Ps)
    gates = [None] * L if gates is None else list(gates)
    coefs = [None] * L if coefs is None else list(coefs)
    if len(gates) != L or len(coefs) != L:
        raise ValueError(f"gates and coefs must have one entry per layer ({L})")
    if op != "linear_attention" and any(g is None for g in gates):
        raise ValueError(f"gates must be given for every layer of {op}")
    if op == "gla" and any(c is None for c in coefs):
        raise ValueError("coefs must be given for every layer of gla")
    f32 = torch.float32
    tokens = np.concatenate([X, x[:, None]], axis=1)  # (B, T, d)
    feats = torch.as_tensor(tokens, dtype=f32)
    r = torch.as_tensor(np.concatenate([y, np.zeros((B, 1))], axis=1), dtype=f32)  # (B, T)
    T = n + 1
    with torch.no_grad():
        for P, g, c in zip(Ps, gates, coefs):
            q = torch.as_tensor(tokens @ np.asarray(P), dtype=f32)  # P_ℓᵀ x_t
            v = -r.clone()
            if write_mask:
                v[:, n] = 0.0
            v = v[:, :, None, None]
            if op == "linear_attention":
                o = fla_ops.linear_attention(q[:, :, None], feats[:, :, None], v)
            elif op == "simple_gla":
                logg = torch.log(torch.as_tensor(np.asarray(g), dtype=f32))
                o = fla_ops.simple_gla(q[:, :, None], feats[:, :, None], v, logg[None, :, None].expand(B, T, 1))
            else:
                m = len(c)
                cq = torch.cat([float(cb) * q for cb in np.asarray(c)], -1)  # (B, T, m d)
                k = feats.repeat(1, 1, m)
                logg = torch.log(torch.as_tensor(np.asarray(g), dtype=f32)).repeat_interleave(d, 1)  # (T, m d)
                o = fla_ops.gla(cq[:, :, None], k[:, :, None], v, logg[None, :, None].expand(B, T, 1, m * d))
            o = o[:, :, 0, 0]
            r = r + o if residual else o
    return -r[:, n].double().numpy()


def stack_magnitude(X, y, x, Ps, abs_weights) -> np.ndarray:
    r"""``s_{n+1}^{(L)}``: the absolute-value run of the stacked recurrence (the scale of the bound).

    ``s^{(0)} = |r^{(0)}|``, ``s_i ← s_i + Σ_{j ≤ min(i,n)} A_{ij} s_j`` with
    ``A_{ij} = |ω|_{ij} Σ_k |(P_ℓᵀ x_i)_k| |x_{jk}|`` — every path's term in absolute value.

    Parameters
    ----------
    X, y, x : ndarray, shapes (B, n, d), (B, n), (B, d)
    Ps : list of ndarray (d, d)
    abs_weights : list of ndarray (n+1, n)
        Per layer, ``Σ_b |c_b| Π g^{(b)}`` (for one gate profile: the weights themselves).

    Returns
    -------
    ndarray, shape (B,)

    Examples
    --------
    >>> import numpy as np
    >>> X, y, x = np.ones((1, 1, 1)), -np.ones((1, 1)), np.ones((1, 1))
    >>> stack_magnitude(X, y, x, [np.eye(1)], [np.ones((2, 1))]).tolist()
    [1.0]
    """
    B, n, d = X.shape
    feats = np.concatenate([X, x[:, None]], axis=1)
    s = np.concatenate([np.abs(y), np.zeros((B, 1))], axis=1)
    for P, W in zip(Ps, abs_weights):
        D = np.einsum("bik,bjk->bij", np.abs(feats @ np.asarray(P)), np.abs(X))  # (B, T, n)
        s = s + np.einsum("ij,bij,bj->bi", np.abs(W), D, s[:, :n])
    return s[:, n]


def stack_tolerance(num_layers: int, num_tokens: int, key_dim: int) -> float:
    r"""``γ_{L(m+1)}``, ``m = T (d_k + 2)``: the relative a-priori float32 bound of ``L`` stacked layers.

    Parameters
    ----------
    num_layers, num_tokens, key_dim : int
        ``L``, ``T = n + 1`` and the key dimension ``d_k`` of one layer.

    Returns
    -------
    float

    Examples
    --------
    >>> round(stack_tolerance(1, 9, 4) / stack_tolerance(2, 9, 4), 3)
    0.5
    """
    return _gamma(num_layers * (num_tokens * (key_dim + 2) + 1))


def stack_conformance(op: str, num_layers: int, *, n: int = 8, d: int = 4, num_prompts: int = 16, seed: int = 0,
                      plant: str | None = None) -> Conformance:
    r"""Run ``L`` stacked layers of fla's op on random prompts and compare with causal WPGD.

    Random ``P_ℓ = N(0,1)/√(d n)``, gates uniform in ``[0.3, 1]``; for GLA ``m = 4`` key blocks
    (``d_k = 4d``, with ``d = 4`` a power of four: fla's fixed ``d_k^{−1/2}`` scale is undone
    exactly) and signed ``c ~ N(0,1)``.

    Parameters
    ----------
    op : str
        One of :data:`STACKABLE`.
    num_layers : int
        ``L ≥ 1``.
    n, d, num_prompts, seed : int
        Prompt length, dimension, batch size, random seed.
    plant : str, optional
        A planted error on the fla side only (for the power tests): ``"gate_shift"`` (the
        last layer's gates one token late), ``"no_residual"``, ``"no_write_mask"``.

    Returns
    -------
    Conformance
        ``subject`` fla's stack, ``reference`` :func:`causal_wpgd_predict`, ``magnitude``
        :func:`stack_magnitude`, ``tolerance`` :func:`stack_tolerance`.

    Examples
    --------
    >>> c = stack_conformance("simple_gla", 2, num_prompts=4)
    >>> c.passed
    True
    """
    op = _check_op(op)
    if plant not in (None, "gate_shift", "no_residual", "no_write_mask"):
        raise ValueError(f"plant must be None, 'gate_shift', 'no_residual' or 'no_write_mask', got {plant!r}")
    L = int(num_layers)
    if L < 1:
        raise ValueError(f"num_layers must be >= 1, got {num_layers!r}")
    if plant == "gate_shift" and op == "linear_attention":
        raise ValueError("plant 'gate_shift' needs gates: linear attention has none")
    rng = np.random.default_rng([seed, STACKABLE.index(op), L])
    X, y, x = sample_prompts(num_prompts, n, d, rng)
    T, m = n + 1, 4
    Ps = [_r32(rng.standard_normal((d, d)) / np.sqrt(d * n)) for _ in range(L)]
    gates, coefs, Ws, absW = [], [], [], []
    for _ in range(L):
        if op == "linear_attention":
            g = c = None
            W = causal_weights(op, None, n=n)
            A = W
        elif op == "simple_gla":
            g, c = _r32(rng.uniform(0.3, 1.0, T)), None
            W = A = causal_weights(op, g)
        else:
            g, c = _r32(rng.uniform(0.3, 1.0, (T, m))), _r32(rng.standard_normal(m))
            W = causal_weights(op, g, c)
            A = causal_weights(op, g, np.abs(c))
        gates.append(g)
        coefs.append(c)
        Ws.append(W)
        absW.append(A)
    fla_gates = list(gates)
    if plant == "gate_shift":  # the last layer's gate applied one token late
        fla_gates[-1] = np.roll(gates[-1], 1, axis=0)
    out = fla_stack_predict(op, X, y, x, Ps, fla_gates, coefs, residual=plant != "no_residual",
                            write_mask=plant != "no_write_mask")
    ref = causal_wpgd_predict(X, y, x, Ps, Ws)
    dk = d * (m if op == "gla" else 1)
    mag = stack_magnitude(X, y, x, Ps, absW)
    return Conformance(f"G4 through fla: {L} stacked {op} layer(s) = {L} steps of causal WPGD"
                       + (f" [planted: {plant}]" if plant else ""),
                       fla_ops.OPS[op][1] + f" x{L}, residual stream (float32)",
                       "wpgd.causal_wpgd_predict (numpy) with architectures.stacking.causal_weights",
                       out, ref, mag, stack_tolerance(L, T, dk), Ws[-1][-1], Ps[-1])
