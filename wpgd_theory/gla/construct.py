r"""Exact GLA constructions of WPGD (claims G1–G4) and the inverse map (GLA → WPGD).

Conventions (re-derived here).  Token ``z_i = [x_i; y_i; c_i]``, query ``[x; 0; c_q]``,
state ``S_i = G_i ⊙ S_{i−1} + m_i v_i k_iᵀ``, ``o_i = S_i q_i``.

**G1** (one layer, scalar gates).  With ``k_i = P_k x_i``, ``q_i = P_q x_i`` and
``v_i = y_i e_{d+1}`` (``W_v = E_{d+1,d+1}``), unrolling gives
``S_{n+1} = Σ_{i ≤ n+1} (Π_{j=i+1}^{n+1} g_j) m_i v_i k_iᵀ``; the query's own write is
``v_{n+1} = 0`` (its label slot is 0), so

    ``ŷ = [S_{n+1} q_{n+1}]_{d+1} = Σ_i ω_i y_i (P_k x_i)ᵀ(P_q x) = xᵀ P Xᵀ(ω ⊙ y)``,
    ``P = P_qᵀ P_k``, ``ω_i = Π_{j=i+1}^{n+1} g_j`` (the query gate ``g_{n+1}`` included).

Gates are realised as *deterministic* clamped-affine gates reading positional one-hot
context coordinates: ``g_t = clamp(w_gᵀ e_t, 0, 1)`` with ``w_g = (g_1..g_T)``, so any
``g ∈ [0,1]^T`` (0 and 1 included) is exact.

**G3** (key-dimension gates ``G_i = 𝟙 g_iᵀ``).  The same unrolling with
``D_{ij} = 𝟙 (⊙_{s=j+1}^{i} g_s)ᵀ`` gives ``ŷ = Σ_i y_i (P_k x_i)ᵀ diag(γ_i)(P_q x)``,
``γ_i = ⊙_{j>i} g_j``.  Value-dimension gates ``G_i = g_i 𝟙ᵀ`` scale the rows of ``S``;
only row ``d+1`` is ever non-zero (``v_i ∝ e_{d+1}``) and only it is read, so they act
as the scalar gate ``[g_i]_{d+1}``.

**Task-wise weights** (:func:`construct_taskwise`): see its docstring.

**G4** (``L`` layers, residual).  Layer ℓ has ``W_k = [[I,0],[0,0]]``,
``W_q = [[P_ℓᵀ,0],[0,0]]``, ``W_v = [[0,0],[0,−1]]``.  Write ``u_i`` for the label slot
of token ``i`` (``u^{(0)} = (y_1..y_n, 0)``); the ``x`` slots never change because
``W_v`` writes only the label slot.  Then
``u_i ← u_i + [o_i]_{d+1} = u_i − Σ_{j ≤ i} m_j ω_{ij} u_j x_jᵀ P_ℓ x_i``,
``ω_{ij} = Π_{k=j+1}^{i} g_k``, which with ``m_{n+1} = 0`` is exactly one causal WPGD
step on the residuals (``x_jᵀ P x_i = x_iᵀ Pᵀ x_j``, hence ``W_q = [[P_ℓᵀ, 0]]``) and
``ŷ = −u_{n+1}^{(L)}``.  Without the mask the query's own slot (``u_{n+1} ≠ 0`` from
layer 2 on) enters its sum with weight ``ω_{n+1,n+1} = 1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from .._validation import as_array, check_unit_interval
from ..wpgd import gate_weight_matrix, gates_from_weights
from .config import GLAConfig
from .model import GLA
from .prompts import PromptLayout

__all__ = ["construct_from_wpgd", "construct_taskwise", "gate_vector_from_weights", "layer_gate_values",
           "wpgd_parameters", "WPGDParameters", "probe_wpgd", "ProbedWPGD"]


def _check_layout(layout, *, need_positional=False, need_tasks=False):
    if not isinstance(layout, PromptLayout):
        raise TypeError(f"layout must be a PromptLayout (PromptLayout.for_model(...)), got {type(layout).__name__}")
    if need_positional and not layout.positional:
        raise ValueError("layout must have positional=True: per-position gates are read from positional one-hot "
                         "context coordinates")
    if need_tasks and not (layout.task_features and layout.delimiters):
        raise ValueError("layout must have task_features=True and delimiters=True for task-wise weights "
                         "(a one-hot id alone cannot mark where a segment starts)")


def _subchunk(chunk_size):
    """Sub-chunk length for key gating: ``gcd(chunk_size, 16)``, a divisor of ``chunk_size``
    (so any chunk length works; ``GLAConfig`` validates ``chunk_size`` itself)."""
    ok = isinstance(chunk_size, int) and not isinstance(chunk_size, bool) and chunk_size >= 1
    return math.gcd(chunk_size, 16) if ok else 16


def gate_vector_from_weights(omega, layout: PromptLayout, *, free_gate: float = 1.0) -> np.ndarray:
    r"""Token gates ``(T,)`` whose one-layer weights on the examples are a monotone ``ω`` (claim G2).

    Example and query gates come from :func:`~wpgd_theory.wpgd.gates_from_weights`;
    delimiter gates are 1, so products over tokens equal products over examples/query.

    Parameters
    ----------
    omega : array_like, shape (n,)
        Monotone weights ``0 ≤ ω_1 ≤ … ≤ ω_n ≤ 1``.
    layout : PromptLayout
        The token layout.
    free_gate : float, optional
        The gate of a token whose value ``ω`` leaves free (after a zero weight).

    Returns
    -------
    ndarray, shape (T,)
        One gate per token, ``ω_i = Π_{j>i} g_j``.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0, 1.0], noise=0.1)
    >>> from wpgd_theory import gate_weights
    >>> from wpgd_theory.gla import PromptLayout
    >>> g = gate_vector_from_weights([0.2, 0.5, 1.0], PromptLayout.for_model(model))
    >>> g.shape, bool(np.allclose(gate_weights(g), [0.2, 0.5, 1.0]))
    ((4,), True)
    """
    _check_layout(layout)
    w = as_array(omega, "omega", shape=(layout.n,))
    g = gates_from_weights(w, free_gate=free_gate)  # (n+1,): examples then query
    return layout.token_gates(g[:-1], query_gate=g[-1], delimiter_gate=1.0)


def _token_gates(gates, layout, name, key_dim=None):
    T = layout.num_tokens
    shape = (T,) if key_dim is None else (T, key_dim)
    g = as_array(gates, name, shape=shape)
    check_unit_interval(g, name)
    return g


def _set(param, value):
    with torch.no_grad():
        param.copy_(torch.as_tensor(value, dtype=param.dtype).to(param.device))


def _positional_gate(layer, gate_values_T, layout):
    """Clamped gates ``g_t = clamp(w_gᵀ c_t)`` with ``w_g`` on the positional coordinates."""
    off = layout.d + 1
    pos = slice(layout.position_slice.start - off, layout.position_slice.stop - off)
    W = np.zeros(tuple(layer.gate.weight.shape))
    if gate_values_T.ndim == 1:  # scalar: weight (H, p)
        W[:, pos] = gate_values_T[None, :]
    else:  # vector: weight (H, d_k, p), gates (T, d_k)
        W[:, :, pos] = gate_values_T.T[None]
    _set(layer.gate.weight, W)
    _set(layer.gate.bias, np.zeros(tuple(layer.gate.bias.shape)))


def _wpgd_weights(layer, d, Wk_x, Wq_x, v_scale):
    """Write ``W_k = [[Wk_x, 0]]``, ``W_q = [[Wq_x, 0]]``, ``W_v = v_scale E_{d+1,d+1}`` (head 0.. via broadcasting)."""
    Wq, Wk = np.zeros(tuple(layer.W_q.shape)), np.zeros(tuple(layer.W_k.shape))
    Wq[..., :d] = Wq_x
    Wk[..., :d] = Wk_x
    Wv = np.zeros(tuple(layer.W_v.shape))
    Wv[:, d, d] = v_scale
    _set(layer.W_q, Wq)
    _set(layer.W_k, Wk)
    _set(layer.W_v, Wv)


def construct_from_wpgd(P=None, gates=None, *, layout: PromptLayout, P_k=None, P_q=None, omega=None,
                        write_mask: bool = True, implementation: str = "chunked", chunk_size: int = 64,
                        dtype=torch.float64, device="cpu") -> GLA:
    r"""A GLA whose prediction equals a given WPGD (claims G1, G2, G3, G4).

    One layer (``P`` a ``d×d`` array, or ``P_k, P_q`` of shape ``(d_k, d)``):

    * ``gates`` ``(T,)``: scalar gates per token → ``ŷ = xᵀPXᵀ(ω⊙y)``,
      ``ω_i = Π_{j>i} g_j`` (G1);
    * ``gates`` ``(T, d_k)``: key-dimension gates → ``ŷ = Σ_i y_i (P_k x_i)ᵀ diag(γ_i)(P_q x)`` (G3);
    * ``omega`` ``(n,)`` monotone in ``[0,1]``: gates from :func:`gate_vector_from_weights` (G2);
    * neither: linear attention (``ω = 𝟙``).

    ``L`` layers (``P`` a list of ``L`` matrices ``P_ℓ``, ``gates`` a list of ``L`` token
    gate vectors or ``None`` for all ones): the residual construction of G4 with
    readout ``ŷ = −[Z^{(L)}]_{n+1,d+1}``; ``write_mask=False`` builds the unmasked
    variant whose difference G4 describes.

    Per-token gates need ``layout.positional`` (unless gating is absent).  ``P`` alone
    means ``P_k = P``, ``P_q = I`` (so ``P_qᵀP_k = P``).

    Parameters
    ----------
    P : array_like, shape (d, d), or list of them, optional
        The preconditioner (one per layer for ``L`` layers).
    gates : array_like, shape (T,) or (T, d_k), or list of them, optional
        Per-token gates (one vector per layer for ``L`` layers).
    layout : PromptLayout
        The token layout (``positional=True`` for per-token gates).
    P_k, P_q : array_like, shape (d_k, d), optional
        Key and query blocks instead of ``P`` (one layer).
    omega : array_like, shape (n,), optional
        Monotone weights in ``[0, 1]`` instead of ``gates`` (G2).
    write_mask : bool, optional
        Mask the query's write (False: the unmasked variant of G4).
    implementation : str, optional
        ``"recurrent"``, ``"chunked"`` or ``"attention"``.
    chunk_size : int, optional
        The chunk length of the chunked form.
    dtype : torch.dtype, optional
        The parameters' precision.
    device : str, optional
        Where they live.

    Returns
    -------
    GLA
        A model whose prediction is the WPGD's.

    Raises
    ------
    TypeError
        If ``layout`` is not a PromptLayout.
    ValueError
        If the arguments are inconsistent (both ``P`` and ``P_k, P_q``; both ``gates`` and
        ``omega``; per-token gates without ``layout.positional``; a shape mismatch).

    Examples
    --------
    One layer with scalar gates computes ``ŷ = xᵀPXᵀ(ω⊙y)``, ``ω_i = Π_{j>i} g_j`` (G1):

    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0, 1.0], noise=0.1)
    >>> from wpgd_theory.gla import PromptLayout, construct_from_wpgd, prompt_tensors
    >>> layout = PromptLayout.for_model(model, positional=True)
    >>> P, gates = np.array([[1.0, 0.2], [0.0, 0.5]]), np.array([0.9, 0.8, 0.7, 1.0])
    >>> gla = construct_from_wpgd(P, gates, layout=layout)
    >>> from wpgd_theory import gate_weights, wpgd_predict
    >>> prompts = prompt_tensors(model, 4, rng=np.random.default_rng(0), layout=layout)
    >>> X, y, x, _ = prompts.batch
    >>> bool(np.allclose(gla(prompts.tokens).detach().numpy(), wpgd_predict(X, y, x, P, gate_weights(gates))))
    True
    """
    _check_layout(layout)
    d = layout.d
    if isinstance(P, (list, tuple)):
        return _construct_multilayer(P, gates, layout, write_mask, implementation, chunk_size, dtype, device)
    if P is not None and (P_k is not None or P_q is not None):
        raise ValueError("give either P or (P_k, P_q), not both")
    if P is not None:
        P_k, P_q = as_array(P, "P", shape=(d, d)), np.eye(d)
    elif P_k is not None and P_q is not None:
        P_k = as_array(P_k, "P_k", ndim=2)
        P_q = as_array(P_q, "P_q", ndim=2)
        if P_k.shape[1] != d or P_q.shape != P_k.shape:
            raise ValueError(f"P_k and P_q must both have shape (d_k, {d}), got {P_k.shape} and {P_q.shape}")
    else:
        raise ValueError("give P (d x d) or both P_k and P_q (d_k x d)")
    if gates is not None and omega is not None:
        raise ValueError("give either gates or omega, not both")
    dk = P_k.shape[0]
    if omega is not None:
        gates = gate_vector_from_weights(omega, layout)
    if gates is None:
        gating = "none"
    else:
        g_arr = np.asarray(gates)
        gating = "vector" if g_arr.ndim == 2 else "scalar"
        gates = _token_gates(gates, layout, "gates", key_dim=dk if gating == "vector" else None)
        _check_layout(layout, need_positional=True)
    cfg = GLAConfig(d=d, num_context=layout.num_context, gating=gating, gate="clamped", gate_input="context",
                    d_key=dk, num_layers=1, write_mask=write_mask, structure="wpgd", readout="output",
                    implementation=implementation, chunk_size=chunk_size,
                    subchunk_size=_subchunk(chunk_size), dtype=dtype, device=device)
    gla = GLA(cfg, seed=0)
    layer = gla.layers[0]
    _wpgd_weights(layer, d, P_k, P_q, 1.0)
    if gates is not None:
        _positional_gate(layer, gates, layout)
    return gla


def _construct_multilayer(Ps, gates, layout, write_mask, implementation, chunk_size, dtype, device):
    d, T = layout.d, layout.num_tokens
    L = len(Ps)
    if L == 0:
        raise ValueError("P must be a non-empty list of per-layer preconditioners")
    Ps = [as_array(P, f"P[{ell}]", shape=(d, d)) for ell, P in enumerate(Ps)]
    if gates is None:
        gates = [None] * L
    if not isinstance(gates, (list, tuple)) or len(gates) != L:
        raise ValueError(f"gates must be a list with one (T,) gate vector per layer ({L}) or None")
    gates = [np.ones(T) if g is None else _token_gates(g, layout, f"gates[{ell}]") for ell, g in enumerate(gates)]
    if any(np.any(g != 1.0) for g in gates):
        _check_layout(layout, need_positional=True)
    cfg = GLAConfig(d=d, num_context=layout.num_context, gating="scalar", gate="clamped", gate_input="context",
                    d_key=d, num_layers=L, write_mask=write_mask, structure="wpgd", readout="residual",
                    implementation=implementation, chunk_size=chunk_size,
                    subchunk_size=_subchunk(chunk_size), dtype=dtype, device=device)
    gla = GLA(cfg, seed=0)
    for layer, P, g in zip(gla.layers, Ps, gates):
        _wpgd_weights(layer, d, np.eye(d), P.T, -1.0)
        if layout.positional:
            _positional_gate(layer, g, layout)
        else:  # all gates 1: constant gate through the bias
            _set(layer.gate.weight, np.zeros(tuple(layer.gate.weight.shape)))
            _set(layer.gate.bias, np.ones(tuple(layer.gate.bias.shape)))
    return gla


def construct_taskwise(P, omega, *, layout: PromptLayout, form: str = "heads", implementation: str = "chunked",
                       chunk_size: int = 64, dtype=torch.float64, device="cpu") -> GLA:
    r"""A one-layer GLA with context-only gates realising a task-wise ``ω`` exactly (G3, A4).

    ``omega``: ``(K,)`` per-segment weights ``w_k`` (or ``(n,)``, constant on each
    segment), any signs.  ``layout`` needs ``task_features`` and ``delimiters``.

    Construction.  For ``c = 1..K`` define the step profile ``γ^{(c)}_i = [k(i) ≥ c]``
    and write ``ω = Σ_c α_c γ^{(c)}`` with ``α_1 = w_1``, ``α_c = w_c − w_{c−1}``
    (telescoping: ``Σ_{c ≤ k} α_c = w_k``).  Profile ``c`` is realised by clamped scalar
    gates reading only the context ``u = [e_task; δ]`` (one-hot id, delimiter flag):

        ``g^{(c)}(u) = clamp(1 − δ + Σ_{c' ≠ c} [e_task]_{c'}, 0, 1)``,

    which is 1 on every example (``1 + [k ≠ c] ≥ 1``), on the query (``1``) and on the
    delimiter opening segment ``c' ≠ c`` (``1 − 1 + 1``), and 0 exactly on the delimiter
    opening segment ``c`` (``1 − 1 + 0``).  Hence ``Π_{j>i} g^{(c)}_j`` is 0 iff that
    delimiter lies after ``i``, i.e. iff ``k(i) < c``: it equals ``γ^{(c)}_i``.

    * ``form="heads"``: ``K`` scalar-gated heads with shared ``W_k = [[P,0]]``,
      ``W_q = [[I,0]]`` and ``W_v^{(c)} = α_c E_{d+1,d+1}`` (``structure="wpgd"``,
      ``shared_qk=True``): ``ŷ = Σ_c α_c xᵀPXᵀ(γ^{(c)} ⊙ y) = xᵀPXᵀ(ω⊙y)``.
    * ``form="vector"``: one head with key dimension ``K·d`` (``K`` copies of ``P x``),
      ``W_q = [α_1 I; …; α_K I]`` and key gates equal to ``g^{(c)}`` on block ``c``.

    So with ``m = K`` heads (or key dimension ``K d``) every task-wise weight vector is
    realisable — with delimiter tokens.  With the one-hot id alone it is not: gates on
    segment ``k`` are one value ``f(k)`` per head, so on that segment each profile is
    ``F_k f(k)^{(tokens after i in the segment)}``; being constant forces ``f(k) = 1``
    (or cancellations needing about ``n_k`` distinct gate values), and then no head can
    step between segments.

    Parameters
    ----------
    P : array_like, shape (d, d)
        The preconditioner.
    omega : array_like, shape (K,) or (n,)
        Task-wise weights (any signs).
    layout : PromptLayout
        The token layout, with ``task_features`` and ``delimiters``.
    form : {"heads", "vector"}, optional
        ``K`` scalar-gated heads, or one head with key dimension ``K d``.
    implementation : str, optional
        ``"recurrent"``, ``"chunked"`` or ``"attention"``.
    chunk_size : int, optional
        The chunk length of the chunked form.
    dtype : torch.dtype, optional
        The parameters' precision.
    device : str, optional
        Where they live.

    Returns
    -------
    GLA
        A one-layer model with context-only gates computing ``ŷ = xᵀPXᵀ(ω⊙y)``.

    Raises
    ------
    TypeError
        If ``layout`` is not a PromptLayout.
    ValueError
        If the layout lacks task features or delimiters, ``omega`` is not task-wise or of
        the wrong shape, or ``form`` is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0, 1.0], noise=0.1)
    >>> from wpgd_theory import wpgd_predict
    >>> from wpgd_theory.gla import PromptLayout, prompt_tensors
    >>> layout = PromptLayout.for_model(model, task_features=True, delimiters=True)
    >>> gla = construct_taskwise(np.eye(2), [0.3, -0.5], layout=layout)
    >>> prompts = prompt_tensors(model, 3, rng=np.random.default_rng(2), layout=layout)
    >>> X, y, x, _ = prompts.batch
    >>> omega = np.array([0.3, 0.3, -0.5])  # constant on each task's segment
    >>> bool(np.allclose(gla(prompts.tokens).detach().numpy(), wpgd_predict(X, y, x, np.eye(2), omega)))
    True
    """
    _check_layout(layout, need_tasks=True)
    d, K = layout.d, layout.num_tasks
    P = as_array(P, "P", shape=(d, d))
    w = as_array(omega, "omega", ndim=1)
    if w.shape == (layout.n,):
        starts = np.concatenate([[0], np.cumsum(layout.sizes)[:-1]])
        seg = w[starts]
        if not np.allclose(w, np.repeat(seg, layout.sizes), rtol=0, atol=0):
            raise ValueError("omega of length n must be constant on every segment (task-wise)")
        w = seg
    elif w.shape != (K,):
        raise ValueError(f"omega must have shape ({K},) (one weight per task) or ({layout.n},), got {w.shape}")
    if form not in ("heads", "vector"):
        raise ValueError(f"form must be 'heads' or 'vector', got {form!r}")
    alpha = np.diff(np.concatenate([[0.0], w]))
    # gate weights on the context u = [e_task (K); delimiter flag (1)]
    off = d + 1
    p = layout.num_context
    gw = np.zeros((K, p))
    tslice = slice(layout.task_slice.start - off, layout.task_slice.stop - off)
    gw[:, tslice] = 1.0 - np.eye(K)
    gw[:, layout.delimiter_coordinate - off] = -1.0
    gb = np.ones(K)
    common = dict(d=d, num_context=p, gating="scalar", gate="clamped", gate_input="context", num_layers=1,
                  write_mask=True, structure="wpgd", readout="output", implementation=implementation,
                  chunk_size=chunk_size, subchunk_size=_subchunk(chunk_size), dtype=dtype, device=device)
    if form == "heads":
        gla = GLA(GLAConfig(num_heads=K, d_key=d, shared_qk=True, **common), seed=0)
        layer = gla.layers[0]
        _wpgd_weights(layer, d, P, np.eye(d), 0.0)
        Wv = np.zeros(tuple(layer.W_v.shape))
        Wv[:, d, d] = alpha
        _set(layer.W_v, Wv)
        _set(layer.gate.weight, gw)
        _set(layer.gate.bias, gb)
        return gla
    common["gating"] = "vector"
    gla = GLA(GLAConfig(num_heads=1, d_key=K * d, **common), seed=0)
    layer = gla.layers[0]
    _wpgd_weights(layer, d, np.tile(P, (K, 1)), np.kron(alpha[:, None], np.eye(d)), 1.0)
    _set(layer.gate.weight, np.repeat(gw, d, axis=0)[None])
    _set(layer.gate.bias, np.repeat(gb, d)[None])
    return gla


# --------------------------------------------------------------------------- GLA → WPGD
def layer_gate_values(gla: GLA, tokens) -> list:
    """Gate values of every layer on ``tokens`` as numpy arrays ``(B, H, T[, d_k])``
    (``None`` for a layer without gating), computed along the residual stream.

    Parameters
    ----------
    gla : GLA
        The model.
    tokens : torch.Tensor, shape (B, T, d+1+p)
        Prompt tokens.

    Returns
    -------
    list of ndarray or None
        One entry per layer: gates of shape ``(B, H, T)`` or ``(B, H, T, d_k)``.

    Raises
    ------
    TypeError
        If ``gla`` is not a GLA.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0, 1.0], noise=0.1)
    >>> from wpgd_theory.gla import PromptLayout, construct_from_wpgd, prompt_tensors
    >>> layout = PromptLayout.for_model(model, positional=True)
    >>> P, gates = np.array([[1.0, 0.2], [0.0, 0.5]]), np.array([0.9, 0.8, 0.7, 1.0])
    >>> gla = construct_from_wpgd(P, gates, layout=layout)
    >>> prompts = prompt_tensors(model, 2, rng=np.random.default_rng(0), layout=layout)
    >>> (g,) = layer_gate_values(gla, prompts.tokens)
    >>> g.shape, bool(np.allclose(g[0, 0], gates))
    ((2, 1, 4), True)
    """
    if not isinstance(gla, GLA):
        raise TypeError(f"gla must be a GLA, got {type(gla).__name__}")
    with torch.no_grad():
        Zs, _ = gla.stream(tokens)
        out = []
        for layer, Z in zip(gla.layers, Zs[:-1]):
            g, _ = layer.gate_values(Z)
            if g is not None:
                full = (Z.shape[0], layer.config.num_heads) + tuple(g.shape[2:])
                g = np.broadcast_to(g.cpu().numpy().astype(np.float64), full).copy()
            out.append(g)
    return out


@dataclass(frozen=True)
class WPGDParameters:
    r"""The WPGD a structured GLA computes.

    One layer with ``readout="output"``: ``ŷ = xᵀ P Xᵀ(ω ⊙ y)`` with ``Ps[0]`` and
    ``omega = omegas[0][-1]`` (the query row).  Residual readout: causal WPGD
    (:func:`~wpgd_theory.wpgd.causal_wpgd_predict`) with ``Ps`` and ``omegas``
    (``(n+1, n)`` each).
    """

    Ps: list
    omegas: list
    readout: str

    @property
    def omega(self) -> np.ndarray:
        return self.omegas[0][-1]


def wpgd_parameters(gla: GLA, layout: PromptLayout) -> WPGDParameters:
    r"""Read ``(P_ℓ, ω^{(ℓ)})`` off a ``structure="wpgd"`` GLA with deterministic gates.

    Needs ``gate_input="context"`` (or no gating) and ``num_heads == 1`` or
    ``shared_qk``.  Head ``h`` with ``W_q = [[Q,0]]``, ``W_k = [[K,0]]``,
    ``W_v = v_h E_{d+1,d+1}`` adds ``v_h Σ_j ω^h_{ij} u_j x_jᵀKᵀQ x_i`` to the label slot
    of token ``i``; with ``P = QᵀK`` this is ``x_iᵀ Pᵀ ...`` read as WPGD with
    ``P`` and ``ω_{ij} = ± Σ_h v_h ω^h_{ij}`` (``+`` for the one-layer output readout,
    ``−`` for the residual readout, whose causal step subtracts).

    Parameters
    ----------
    gla : GLA
        A ``structure="wpgd"`` model with deterministic gates.
    layout : PromptLayout
        The token layout its gates read.

    Returns
    -------
    WPGDParameters
        ``Ps`` (each of shape ``(d, d)``), ``omegas`` (each of shape ``(n+1, n)``) and the ``readout``.

    Raises
    ------
    TypeError
        If ``gla`` is not a GLA.
    ValueError
        If the model is not WPGD-structured with deterministic scalar gates, or the layout
        does not match it.

    Examples
    --------
    Read back what :func:`construct_from_wpgd` built (claim G1):

    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0, 1.0], noise=0.1)
    >>> from wpgd_theory.gla import PromptLayout, construct_from_wpgd, prompt_tensors
    >>> layout = PromptLayout.for_model(model, positional=True)
    >>> P, gates = np.array([[1.0, 0.2], [0.0, 0.5]]), np.array([0.9, 0.8, 0.7, 1.0])
    >>> gla = construct_from_wpgd(P, gates, layout=layout)
    >>> from wpgd_theory import gate_weights
    >>> par = wpgd_parameters(gla, layout)
    >>> bool(np.allclose(par.Ps[0], P)), bool(np.allclose(par.omegas[0][-1], gate_weights(gates)))
    (True, True)
    """
    cfg = gla.config
    if cfg.structure != "wpgd":
        raise ValueError("wpgd_parameters needs a GLA with structure='wpgd'")
    if cfg.gating != "none" and cfg.gate_input != "context":
        raise ValueError("wpgd_parameters needs deterministic gates (gate_input='context')")
    if cfg.gating == "vector":
        raise ValueError("wpgd_parameters covers scalar gating (vector gating is not one WPGD)")
    if cfg.num_heads > 1 and not cfg.shared_qk:
        raise ValueError("wpgd_parameters needs num_heads == 1 or shared_qk=True")
    if cfg.num_layers > 1 and not cfg.write_mask:
        raise ValueError("wpgd_parameters needs the query write-masked for more than one layer")
    _check_layout(layout)
    if layout.num_context != cfg.num_context or layout.d != cfg.d:
        raise ValueError("layout does not match the GLA's d / num_context")
    d, T = cfg.d, layout.num_tokens
    tokens = torch.zeros(1, T, layout.d_model, dtype=gla.dtype, device=gla.device)
    tokens[0, :, d + 1:] = torch.as_tensor(layout.context_matrix(), dtype=gla.dtype)
    gates = layer_gate_values(gla, tokens)
    sign = 1.0 if cfg.effective_readout == "output" else -1.0
    Ps, omegas = [], []
    for layer, g in zip(gla.layers, gates):
        Wq, Wk, Wv = (w.detach().cpu().numpy().astype(np.float64) for w in layer.effective_weights())
        Ps.append(Wq[0][:, :d].T @ Wk[0][:, :d])
        v = Wv[:, d, d]
        W = np.zeros((T, T - 1))
        for h in range(cfg.num_heads):
            gh = np.ones(T) if g is None else g[0, h]
            W = W + v[h] * gate_weight_matrix(gh)
        omegas.append(sign * layout.example_weight_matrix(W))
    return WPGDParameters(Ps, omegas, cfg.effective_readout)


# --------------------------------------------------------------------------- GLA → WPGD, black box
@dataclass(frozen=True)
class ProbedWPGD:
    r"""The one-layer WPGD a GLA computes, measured through its forward pass alone.

    ``M[i] = ω_i P`` (``(n, d, d)``) is the prediction's bilinear coefficient of example
    ``i``: ``ŷ = Σ_i y_i xᵀ M_i x_i``.  ``P`` is the ``M_i`` of largest norm, ``omega`` the
    least-squares ``ω_i = ⟨M_i, P⟩/‖P‖²``, and ``rank_one_residual`` is
    ``max|M_i − ω_i P| / max|M|`` (0 exactly when the GLA is one WPGD).
    """

    P: np.ndarray
    omega: np.ndarray
    M: np.ndarray
    rank_one_residual: float


def probe_wpgd(gla: GLA, layout: PromptLayout) -> ProbedWPGD:
    r"""Read ``(P, ω)`` off a GLA by running its forward pass on probe prompts (claim A4).

    Independent of the weights and of :func:`wpgd_parameters`: prompt ``(i, a, b)`` has
    every ``x_j, y_j`` zero except example ``i`` (``x_i = e_a``, ``y_i = 1``) and the query
    ``x = e_b`` (context coordinates as in every prompt), so a GLA that computes
    ``ŷ = xᵀPXᵀ(ω⊙y)`` returns ``ω_i P_{ba}``.  Whether it computes a WPGD at all (linear
    in ``y``, bilinear in ``(x, x_i)``, no cross terms) is then a separate comparison on
    random prompts.  ``n·d²`` probe prompts in one batch.

    Parameters
    ----------
    gla : GLA
        The model (any structure).
    layout : PromptLayout
        The token layout of its prompts.

    Returns
    -------
    ProbedWPGD
        ``P`` (shape ``(d, d)``), ``omega`` (shape ``(n,)``), the coefficients ``M``
        (shape ``(n, d, d)``) and the ``rank_one_residual``.

    Raises
    ------
    TypeError
        If ``gla`` is not a GLA.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0, 1.0], noise=0.1)
    >>> from wpgd_theory.gla import PromptLayout, construct_from_wpgd, prompt_tensors
    >>> layout = PromptLayout.for_model(model, positional=True)
    >>> P, gates = np.array([[1.0, 0.2], [0.0, 0.5]]), np.array([0.9, 0.8, 0.7, 1.0])
    >>> gla = construct_from_wpgd(P, gates, layout=layout)
    >>> from wpgd_theory import gate_weights
    >>> probed = probe_wpgd(gla, layout)
    >>> bool(probed.rank_one_residual < 1e-12)  # one WPGD
    True
    >>> bool(np.allclose(np.outer(probed.omega, probed.P), np.outer(gate_weights(gates), P)))  # (cP, ω/c)
    True
    """
    if not isinstance(gla, GLA):
        raise TypeError(f"gla must be a GLA, got {type(gla).__name__}")
    _check_layout(layout)
    d, n, T = layout.d, layout.n, layout.num_tokens
    base = np.zeros((T, layout.d_model))
    base[:, d + 1:] = layout.context_matrix()
    tokens = np.broadcast_to(base, (n, d, d, T, layout.d_model)).copy()
    i, a, b = np.meshgrid(np.arange(n), np.arange(d), np.arange(d), indexing="ij")
    pos = layout.example_positions[i]
    tokens[i, a, b, pos, a] = 1.0
    tokens[i, a, b, pos, d] = 1.0
    tokens[i, a, b, layout.query_position, b] = 1.0
    with torch.no_grad():
        out = gla(torch.as_tensor(tokens.reshape(n * d * d, T, layout.d_model), dtype=gla.dtype,
                                  device=gla.device))
    M = out.double().cpu().numpy().reshape(n, d, d).transpose(0, 2, 1)  # M[i, b, a] = ω_i P_ba
    norms = np.sqrt(np.sum(M**2, axis=(1, 2)))
    P = M[int(np.argmax(norms))]
    scale = float(np.sum(P**2))
    omega = np.einsum("iba,ba->i", M, P) / scale if scale > 0 else np.zeros(n)
    big = float(np.max(np.abs(M)))
    resid = float(np.max(np.abs(M - omega[:, None, None] * P))) / big if big > 0 else 0.0
    return ProbedWPGD(P, omega, M, resid)
