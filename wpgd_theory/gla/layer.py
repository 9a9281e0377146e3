r"""Three implementations of the gated linear attention recurrence (THEORY.md §3).

The recurrence, with ``S_0 = 0``:

    ``S_i = G_i ⊙ S_{i−1} + m_i v_i k_iᵀ``,   ``o_i = S_i q_i``

with state ``S_i ∈ R^{d_v × d_k}`` stored **value × key**.  Gating:

* none: ``G_i = 𝟙𝟙ᵀ`` (linear attention);
* scalar: ``G_i = g_i 𝟙𝟙ᵀ``, gates of shape ``(B, H, T)``;
* vector (key dimension): ``G_i = 𝟙 g_iᵀ``, gates of shape ``(B, H, T, d_k)``;
* full (reference only): any ``G_i`` of shape ``(B, H, T, d_v, d_k)`` — used to show that
  value-dimension gating ``G_i = g_i 𝟙ᵀ`` collapses to scalar gating (claim G3).

Unrolled, ``o_i = Σ_{j ≤ i} m_j (D_{ij} ⊙ v_j k_jᵀ) q_i`` with
``D_{ij} = Π_{s=j+1}^{i} G_s`` (empty product ``= 1``), which for scalar gates is the
attention-matrix form ``O = ((Q Kᵀ) ⊙ D) (m ⊙ V)`` and for key gates
``A_{ij} = Σ_c q_{ic} k_{jc} D_{ijc}``.

Mapping to flash-linear-attention (``fla.ops.gla``): the library keeps
``h_t ∈ R^{d_k × d_v}`` (key × value) with ``h_t = h_{t−1} * exp(gk_t)[:, None] + k_t v_tᵀ``
and ``o_t = h_tᵀ q_t``.  Hence ``S_t = h_tᵀ`` and ``gk_t = log g_t`` (the library's
log-space gate ``gk = −softplus(·)`` is our ``gate="logspace"``); the library also scales
``q`` by ``d_k^{-1/2}`` by default, which we do not (it is absorbed into ``W_q``).

Implementations
---------------
:func:`recurrent_gla` is the plain loop (the reference).  :func:`chunked_gla` is parallel
inside chunks of length ``C`` and recurrent across chunks, with gates in log space.
:func:`attention_gla` builds ``D`` by explicit products (``O(T³)`` memory; a third,
independent formulation for tests).

Fast path of the chunked form (no gate exactly 0, every chunk's total decay at most
``exp(span)`` with ``span ≤ 30`` in float32, 300 in float64 — scalar and key gates alike):
``exp(b_i − b_j) = exp(b_i) · exp(−b_j)`` turns the decayed in-chunk scores into one matrix
product of ``q ⊙ e^{b}`` and ``k ⊙ e^{−b}``, and the states entering the chunks are one
product with the ``N × N`` matrix of chunk-to-chunk decays (exponents ``≤ 0``; weights
below the smallest normal number are set to 0, since subnormal operands slow matrix
products many times over) instead of a loop over chunks (:func:`_chunked_factored`).
Without autograd (evaluation, the benchmarks) the same factorisation runs in one workspace
of reused buffers, with the states by a scan over the ``N`` chunks instead of the
``N × N`` product (:func:`_chunked_factored_inplace`).  The paths below handle exact zeros
and steep decay.

Exact zeros in the chunked form: a gate ``g = 0`` has ``log g = −inf``, and
``exp(b_i − b_j)`` of cumulative sums would give ``−inf − (−inf) = NaN``.  The chunked
form therefore splits every log gate into a finite part (``0`` where ``g = 0``) and a
zero counter ``z_i = #{s ≤ i: g_s = 0}`` (per chunk, per channel), and uses
``Π_{s=j+1}^{i} g_s = exp(b_i − b_j) · [z_i = z_j]`` exactly.

Stability.  Scalar gates: the in-chunk decay matrix is ``exp`` of differences
``b_i − b_j ≤ 0`` (``j ≤ i``, gates ≤ 1) and the state passed between chunks is scaled by
``exp(b_C − b_j) ≤ 1`` — nothing can overflow.  Key gates (a product per channel cannot
be pulled out of ``QKᵀ``): each chunk is cut into sub-chunks of length ``c`` (as in
``fla``'s ``chunk_gla``).  For a query in sub-chunk ``I`` and a key in an earlier
sub-chunk ``J``, ``exp(b_i − b_j) = exp(b_i − e_{I−1}) · exp(e_{I−1} − e_J) ·
exp(e_J − b_j)`` with ``e`` the value at sub-chunk ends: three factors ≤ 1, the middle
one a tiny per-pair tensor.  Inside a sub-chunk the fast path uses
``exp(b_i − e_{I−1}) · exp(e_{I−1} − b_j)``, whose second factor is at most
``exp(span)``, ``span`` the largest decay inside one sub-chunk; it is taken only when
``span ≤ 30`` (float32; 300 in float64) and no gate is exactly 0, otherwise an exact
recurrence over the ``c`` positions multiplies the gates themselves.

Gradients: the combinatorial factor ``[z_i = z_j]`` carries no gradient, so the
derivative with respect to the *value* of a gate that is exactly 0 is not propagated by
the chunked form (a boundary point of ``[0, 1]``; the clamped gate that produces exact
zeros has derivative 0 there from the outside).  All other gradients agree with the
reference loop.
"""

from __future__ import annotations

import math

import torch

__all__ = ["recurrent_gla", "chunked_gla", "attention_gla", "decay_matrix", "log_gates_from_gates",
           "rounding_bound"]


def rounding_bound(dtype, *, terms: int, chunk: int = 1, max_log_decay: float = 0.0) -> float:
    r"""Relative bound on the difference of two evaluations of the GLA recurrence in ``dtype``.

    Every output (and every gradient entry) is a sum of products with at most ``terms``
    rounded operations along any term (the ``d_k``-term dot products, the ``T``-term sums,
    the projections), so each evaluation is within ``γ_N Σ|terms|`` of the exact value,
    ``γ_N = N u / (1 − N u)``, ``u = eps/2`` (Higham, *Accuracy and Stability*, Thm 3.1 and
    Lemma 3.3).  The chunked form also takes ``exp`` of in-chunk cumulative sums of
    ``≤ chunk`` log gates, each ``|log g| ≤ max_log_decay``: an absolute exponent error
    ``≤ γ_chunk · chunk · max_log_decay``, i.e. ``chunk² · max_log_decay`` more units of
    ``u`` per term.  Two evaluations differ by at most twice that:

        ``|a − b| ≤ rounding_bound(...) · Σ|terms|``

    where ``Σ|terms|`` is the same computation on absolute values (e.g.
    :func:`recurrent_gla` on ``|q|, |k|, |v|`` in float64).  ``dtype``: a torch floating dtype.

    Parameters
    ----------
    dtype : torch.dtype
        A floating dtype (its ``eps``).
    terms : int
        The most rounded operations along any term.
    chunk : int, optional
        The chunk length of the chunked form (1: no in-chunk exponentials).
    max_log_decay : float, optional
        The largest ``|log g|`` of a gate.

    Returns
    -------
    float
        The relative bound ``2 γ_N``.

    Raises
    ------
    TypeError
        If ``dtype`` is not a torch floating dtype.
    ValueError
        If ``terms`` is not a positive integer, or ``N u ≥ 1`` (no bound).

    Examples
    --------
    >>> import torch
    >>> b32, b64 = rounding_bound(torch.float32, terms=10), rounding_bound(torch.float64, terms=10)
    >>> bool(0 < b64 < b32 < 1e-5)
    True
    """
    if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
        raise TypeError(f"dtype must be a torch floating dtype, got {dtype!r}")
    if isinstance(terms, bool) or not isinstance(terms, int) or terms < 1:
        raise ValueError(f"terms must be a positive integer, got {terms!r}")
    u = torch.finfo(dtype).eps / 2
    n = terms + 1 + chunk * chunk * float(max_log_decay)
    if n * u >= 1:
        raise ValueError(f"terms={terms}, chunk={chunk}, max_log_decay={max_log_decay}: no bound (N u >= 1)")
    return 2.0 * n * u / (1.0 - n * u)


# --------------------------------------------------------------------------- validation
def _check_qkv(q, k, v):
    for name, t in (("q", q), ("k", k), ("v", v)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if t.ndim != 4:
            raise ValueError(f"{name} must have shape (B, H, T, dim), got {tuple(t.shape)}")
    if q.shape != k.shape:
        raise ValueError(f"q and k must have the same shape (B, H, T, d_k), got {tuple(q.shape)} and {tuple(k.shape)}")
    if v.shape[:3] != q.shape[:3]:
        raise ValueError(f"v must have shape (B, H, T, d_v) with (B, H, T) = {tuple(q.shape[:3])}, "
                         f"got {tuple(v.shape)}")
    if q.shape[2] == 0:
        raise ValueError("q, k, v must have at least one token (T >= 1)")
    if not (q.dtype == k.dtype == v.dtype) or not q.is_floating_point():
        raise TypeError(f"q, k, v must share one floating dtype, got {q.dtype}, {k.dtype}, {v.dtype}")


def _gate_kind(gates, q, v, name, allow_full=False):
    """'none' | 'scalar' | 'vector' | 'full' and the gates expanded to the full batch shape."""
    if gates is None:
        return "none", None
    if not isinstance(gates, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor or None, got {type(gates).__name__}")
    B, H, T, dk = q.shape
    dv = v.shape[-1]
    targets = [("scalar", (B, H, T)), ("vector", (B, H, T, dk))]
    if allow_full:
        targets.append(("full", (B, H, T, dv, dk)))
    for kind, shape in targets:
        if gates.ndim == len(shape):
            if not all(a == b or a == 1 or b == 1 for a, b in zip(gates.shape, shape)):
                continue  # not broadcastable to the shape (torch.broadcast_shapes' rule, in Python: faster)
            if kind == "vector" and gates.shape[-1] != dk:
                continue
            if tuple(gates.shape[2:]) != shape[2:]:
                continue
            # batch / head axes may be 1 (gates shared by every prompt, e.g. deterministic
            # context gates): they stay unexpanded and broadcast inside the computation
            return kind, gates.to(q.dtype)
    wanted = " or ".join(str(s) for _, s in targets)
    raise ValueError(f"{name} must have a shape broadcastable to {wanted}, got {tuple(gates.shape)}")


def _check_unit(gates, name):
    g = gates.detach()
    if torch.isnan(g).any() or (g < 0).any() or (g > 1).any():
        lo, hi = float(g.min()), float(g.max())
        raise ValueError(f"{name} must lie in [0, 1] (no NaN); got values in [{lo:.6g}, {hi:.6g}]")


def _mask_values(v, write_mask, name="write_mask"):
    if write_mask is None:
        return v
    if not isinstance(write_mask, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor or None, got {type(write_mask).__name__}")
    B, H, T, _ = v.shape
    _check_unit(write_mask.to(v.dtype), name)
    m = write_mask.to(v.dtype)
    if m.shape == (T,):
        m = m.view(1, 1, T, 1)
    elif m.shape == (B, T):
        m = m.view(B, 1, T, 1)
    else:
        raise ValueError(f"{name} must have shape (T,) or (B, T) with T = {T}, B = {B}, got {tuple(write_mask.shape)}")
    return v * m


def _check_gate_tensor(gates, name: str = "gates"):
    if not isinstance(gates, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(gates).__name__}")
    if not gates.is_floating_point():
        raise TypeError(f"{name} must have a floating-point dtype, got {gates.dtype}")
    if gates.ndim < 1:
        raise ValueError(f"{name} must have at least one axis (..., T), got a 0-d tensor")
    _check_unit(gates, name)


def log_gates_from_gates(gates):
    r"""``log g`` with ``log 0 = −inf`` and a NaN-free gradient (``0`` at exact zeros).

    ``gates`` must be a floating-point tensor with values in ``[0, 1]`` (no NaN), else
    ``TypeError``/``ValueError`` naming ``gates``.

    Parameters
    ----------
    gates : torch.Tensor, shape (..., T)
        Gate values in ``[0, 1]``.

    Returns
    -------
    torch.Tensor, shape (..., T)
        ``log g`` in ``[−inf, 0]`` (the log gates :func:`chunked_gla` takes).

    Raises
    ------
    TypeError
        If ``gates`` is not a floating-point tensor.
    ValueError
        If a gate lies outside ``[0, 1]`` or is NaN.

    Examples
    --------
    >>> import torch
    >>> log_gates_from_gates(torch.tensor([1.0, 0.5, 0.0]))
    tensor([ 0.0000, -0.6931,    -inf])
    """
    _check_gate_tensor(gates)
    pos = gates > 0
    safe = torch.where(pos, gates, torch.ones_like(gates))
    return torch.where(pos, torch.log(safe), torch.full_like(gates, float("-inf")))


# --------------------------------------------------------------------------- reference
def recurrent_gla(q, k, v, gates=None, write_mask=None):
    r"""Plain recurrent loop (the reference): ``S_i = G_i ⊙ S_{i−1} + m_i v_i k_iᵀ``, ``o_i = S_i q_i``.

    Shapes: ``q, k (B, H, T, d_k)``, ``v (B, H, T, d_v)``; ``gates`` ``None`` (linear
    attention), ``(B, H, T)`` scalar, ``(B, H, T, d_k)`` key-dimension, or
    ``(B, H, T, d_v, d_k)`` a full gate matrix per token (``B`` and ``H`` may be 1: gates
    shared by all prompts / heads broadcast without being copied); ``write_mask`` ``(T,)``
    or ``(B, T)``.  Returns ``o (B, H, T, d_v)``.

    Parameters
    ----------
    q : torch.Tensor, shape (B, H, T, d_k)
        Queries.
    k : torch.Tensor, shape (B, H, T, d_k)
        Keys.
    v : torch.Tensor, shape (B, H, T, d_v)
        Values.
    gates : torch.Tensor, optional
        ``None``, or shape ``(B, H, T)``, ``(B, H, T, d_k)`` or ``(B, H, T, d_v, d_k)``, values in ``[0, 1]``.
    write_mask : torch.Tensor, optional
        Shape ``(T,)`` or ``(B, T)``: ``m_i`` multiplies token ``i``'s write.

    Returns
    -------
    torch.Tensor, shape (B, H, T, d_v)
        The outputs ``o_i = S_i q_i``.

    Raises
    ------
    TypeError
        If an argument is not a tensor (or None where allowed).
    ValueError
        If the shapes do not match, or a gate lies outside ``[0, 1]``.

    Examples
    --------
    >>> import torch
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> q, k = torch.randn(1, 1, 5, 2, dtype=torch.float64), torch.randn(1, 1, 5, 2, dtype=torch.float64)
    >>> v, gates = torch.randn(1, 1, 5, 3, dtype=torch.float64), torch.rand(1, 1, 5, dtype=torch.float64)
    >>> o = recurrent_gla(q, k, v, gates)
    >>> tuple(o.shape), bool(torch.allclose(o, attention_gla(q, k, v, gates)))
    ((1, 1, 5, 3), True)
    """
    _check_qkv(q, k, v)
    kind, g = _gate_kind(gates, q, v, "gates", allow_full=True)
    if g is not None:
        _check_unit(g, "gates")
    v = _mask_values(v, write_mask)
    B, H, T, dk = q.shape
    dv = v.shape[-1]
    S = q.new_zeros(B, H, dv, dk)
    outs = []
    for i in range(T):
        if kind == "scalar":
            S = g[:, :, i, None, None] * S
        elif kind == "vector":
            S = g[:, :, i, None, :] * S
        elif kind == "full":
            S = g[:, :, i] * S
        S = S + v[:, :, i, :, None] * k[:, :, i, None, :]
        outs.append(torch.einsum("bhvk,bhk->bhv", S, q[:, :, i]))
    return torch.stack(outs, dim=2)


# --------------------------------------------------------------------------- attention form
def decay_matrix(gates):
    r"""``D_{ij} = Π_{s=j+1}^{i} g_s`` for ``j ≤ i``, 0 above the diagonal, by explicit products.

    ``gates (..., T)`` → ``(..., T, T)``; key gates ``(..., T, d_k)`` are passed as
    ``gates.movedim(-1, -2)`` by :func:`attention_gla`.  Memory ``O(T³)``: a test-size
    reference, exact with gates equal to 0 or 1.  ``gates`` must be a floating-point tensor
    with values in ``[0, 1]`` (no NaN), else ``TypeError``/``ValueError`` naming ``gates``.

    Parameters
    ----------
    gates : torch.Tensor, shape (..., T)
        Gate values in ``[0, 1]``.

    Returns
    -------
    torch.Tensor, shape (..., T, T)
        The lower-triangular decay matrix ``D``.

    Raises
    ------
    TypeError
        If ``gates`` is not a floating-point tensor.
    ValueError
        If a gate lies outside ``[0, 1]`` or is NaN.

    Examples
    --------
    >>> import torch
    >>> decay_matrix(torch.tensor([0.5, 0.5, 0.5], dtype=torch.float64))
    tensor([[1.0000, 0.0000, 0.0000],
            [0.5000, 1.0000, 0.0000],
            [0.2500, 0.5000, 1.0000]], dtype=torch.float64)
    """
    _check_gate_tensor(gates)
    T = gates.shape[-1]
    idx = torch.arange(T, device=gates.device)
    i, j, s = idx.view(T, 1, 1), idx.view(1, T, 1), idx.view(1, 1, T)
    between = (j < s) & (s <= i)  # (T, T, T)
    G = gates[..., None, None, :].expand(*gates.shape[:-1], T, T, T)
    D = torch.where(between, G, torch.ones_like(G)).prod(dim=-1)
    return D * (j[..., 0] <= i[..., 0]).to(gates.dtype)


def attention_gla(q, k, v, gates=None, write_mask=None):
    r"""Attention-matrix form ``O = ((Q Kᵀ) ⊙ D)(m ⊙ V)`` with the gate-decay matrix ``D``.

    Scalar gates: ``D_{ij} = Π_{s=j+1}^{i} g_s``.  Key gates: ``A_{ij} = Σ_c q_{ic} k_{jc}
    D_{ijc}`` with ``D_{ijc} = Π_{s=j+1}^{i} g_{sc}``.  Same shapes as :func:`recurrent_gla`
    (no full gate matrices).

    Parameters
    ----------
    q : torch.Tensor, shape (B, H, T, d_k)
        Queries.
    k : torch.Tensor, shape (B, H, T, d_k)
        Keys.
    v : torch.Tensor, shape (B, H, T, d_v)
        Values.
    gates : torch.Tensor, optional
        ``None``, or shape ``(B, H, T)`` (scalar) or ``(B, H, T, d_k)`` (key dimension), values in ``[0, 1]``.
    write_mask : torch.Tensor, optional
        Shape ``(T,)`` or ``(B, T)``.

    Returns
    -------
    torch.Tensor, shape (B, H, T, d_v)
        The outputs, equal to :func:`recurrent_gla`'s.

    Raises
    ------
    TypeError
        If an argument is not a tensor (or None where allowed).
    ValueError
        If the shapes do not match, or a gate lies outside ``[0, 1]``.

    Examples
    --------
    >>> import torch
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> q, k = torch.randn(1, 1, 5, 2, dtype=torch.float64), torch.randn(1, 1, 5, 2, dtype=torch.float64)
    >>> v, gates = torch.randn(1, 1, 5, 3, dtype=torch.float64), torch.rand(1, 1, 5, dtype=torch.float64)
    >>> bool(torch.allclose(attention_gla(q, k, v, gates), recurrent_gla(q, k, v, gates)))
    True
    """
    _check_qkv(q, k, v)
    kind, g = _gate_kind(gates, q, v, "gates")
    if g is not None:
        _check_unit(g, "gates")
    v = _mask_values(v, write_mask)
    T = q.shape[2]
    if kind == "none":
        A = (q @ k.transpose(-1, -2)) * torch.ones(T, T, dtype=q.dtype, device=q.device).tril()
    elif kind == "scalar":
        A = (q @ k.transpose(-1, -2)) * decay_matrix(g)
    else:
        D = decay_matrix(g.movedim(-1, -2)).movedim(-3, -1)  # (B, H, T, T, d_k)
        D = D.expand(q.shape[0], q.shape[1], *D.shape[2:])
        A = torch.einsum("bhic,bhjc,bhijc->bhij", q, k, D)
    return A @ v


# --------------------------------------------------------------------------- chunked form
def _split_log_gates(log_gates):
    """Finite part (0 at exact zeros) and zero indicator of log gates in [−inf, 0]; the
    indicator is ``None`` when no gate is 0 (one pass over the gates, their least and largest
    value: the common case)."""
    lg = log_gates
    lo, hi = (float(x) for x in torch.aminmax(lg.detach()))
    if not hi <= 0:  # NaN (which aminmax propagates) compares False
        raise ValueError("log_gates must lie in [-inf, 0] (gates in [0, 1]); got NaN or positive values")
    if lo != float("-inf"):
        return lg, None
    zero = torch.isneginf(lg)
    return torch.where(zero, torch.zeros_like(lg), lg), zero


def _pad_time(t, T_pad, value=0.0):
    T = t.shape[2]
    if T_pad == T:
        return t
    pad_shape = list(t.shape)
    pad_shape[2] = T_pad - T
    return torch.cat([t, t.new_full(pad_shape, value)], dim=2)


#: Largest in-sub-block decay ``max(e_{I−1} − e_I)`` (in log space) for which the diagonal
#: sub-blocks use the factorised fast path; beyond it (or with exact zeros) the exact
#: recurrence over the sub-block is used.  ``exp(30) ≈ 1e13`` keeps float32 far from overflow.
_DIAG_SPAN_LIMIT = {torch.float32: 30.0, torch.float64: 300.0}


#: Chunk-to-chunk decay weights below this are set to 0 on the factored path (scalar gates):
#: subnormal operands and products slow matrix products many times over.  The chunk before
#: a query's (weight ≥ exp(−span) ≥ e^{−30} in float32, e^{−300} in float64) outweighs a
#: dropped term by e^{30} (float32: 1e13, far below its rounding; float64: e^{300}) unless
#: that term's state is as many times larger.
_NEGLIGIBLE = {torch.float32: math.exp(-60.0), torch.float64: math.exp(-600.0)}


def _scan_states(U, tot):
    """``S_prev[n]`` = state before chunk ``n`` for ``S_n = tot_n ⊙ S_{n−1} + U_n``."""
    N = U.shape[2]
    S = torch.zeros_like(U[:, :, 0])
    prev = []
    for n in range(N):
        prev.append(S)
        S = tot[:, :, n] * S + U[:, :, n]
    return torch.stack(prev, dim=2)


def chunked_gla(q, k, v, log_gates=None, write_mask=None, *, chunk_size: int = 64, subchunk_size: int = 16):
    r"""Chunked form: parallel inside chunks of length ``C``, recurrent across chunks.

    ``log_gates`` are ``log g`` in ``[−inf, 0]`` (``−inf`` for a gate exactly 0),
    shape ``(B, H, T)`` (scalar) or ``(B, H, T, d_k)`` (key dimension), or ``None``.
    With in-chunk cumulative log gates ``b`` and zero counters ``z`` (module docstring):

    * intra-chunk: ``o_i ⊇ Σ_{j ≤ i in chunk} (q_i ⊙ k_j ⊙ exp(b_i − b_j)[z_i = z_j])ᵀ𝟙 · v_j``;
    * state carried across chunks: ``S_n = (exp(b_C)[z_C = 0]) ⊙ S_{n−1} + Σ_j v_j (k_j ⊙
      exp(b_C − b_j)[z_C = z_j])ᵀ`` and ``o_i ⊇ S_{n−1} (q_i ⊙ exp(b_i)[z_i = 0])``.

    ``T`` need not be a multiple of ``C`` (the tail is padded with gates 1 and zero
    tokens, which do not affect earlier outputs).  Returns ``o (B, H, T, d_v)``.

    Parameters
    ----------
    q : torch.Tensor, shape (B, H, T, d_k)
        Queries.
    k : torch.Tensor, shape (B, H, T, d_k)
        Keys.
    v : torch.Tensor, shape (B, H, T, d_v)
        Values.
    log_gates : torch.Tensor, optional
        ``None``, or ``log g`` of shape ``(B, H, T)`` or ``(B, H, T, d_k)``, values in ``[−inf, 0]``.
    write_mask : torch.Tensor, optional
        Shape ``(T,)`` or ``(B, T)``.
    chunk_size : int, optional
        The chunk length ``C``.
    subchunk_size : int, optional
        The sub-chunk length of key-dimension gating (must divide ``chunk_size``).

    Returns
    -------
    torch.Tensor, shape (B, H, T, d_v)
        The outputs, equal to :func:`recurrent_gla`'s.

    Raises
    ------
    TypeError
        If an argument is not a tensor (or None where allowed).
    ValueError
        If the shapes do not match, a log gate is NaN or positive, or a chunk size is invalid.

    Examples
    --------
    >>> import torch
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> q, k = torch.randn(1, 1, 5, 2, dtype=torch.float64), torch.randn(1, 1, 5, 2, dtype=torch.float64)
    >>> v, gates = torch.randn(1, 1, 5, 3, dtype=torch.float64), torch.rand(1, 1, 5, dtype=torch.float64)
    >>> o = chunked_gla(q, k, v, log_gates_from_gates(gates), chunk_size=2)
    >>> bool(torch.allclose(o, recurrent_gla(q, k, v, gates)))
    True
    """
    _check_qkv(q, k, v)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    kind, lg = _gate_kind(log_gates, q, v, "log_gates")
    if isinstance(subchunk_size, bool) or not isinstance(subchunk_size, int) or subchunk_size < 1 or (
            kind == "vector" and chunk_size % subchunk_size):
        raise ValueError(f"subchunk_size must be a positive integer dividing chunk_size={chunk_size} (key gating), "
                         f"got {subchunk_size!r}")
    v = _mask_values(v, write_mask)
    B, H, T, dk = q.shape
    dv = v.shape[-1]
    if kind == "none":
        lg, zero = q.new_zeros(1, 1, T), None
        kind = "scalar"
    else:
        lg, zero = _split_log_gates(lg)
    has_zero = zero is not None  # exact-zero bookkeeping only when needed
    if kind == "scalar":
        C = min(chunk_size, T)
    else:
        c = subchunk_size
        C = min(chunk_size, -(-T // c) * c)
    N = -(-T // C)
    T_pad = N * C
    qp, kp, vp = (_pad_time(t, T_pad) for t in (q, k, v))
    lgp = _pad_time(lg, T_pad)
    qc = qp.view(B, H, N, C, dk)
    kc = kp.view(B, H, N, C, dk)
    vc = vp.view(B, H, N, C, dv)
    Bg, Hg = lgp.shape[:2]  # 1 where the gates are shared by all prompts / heads
    if not has_zero and not (torch.is_grad_enabled() and any(
            t.requires_grad for t in (qc, kc, vc, lgp))):  # no autograd: buffers written in place
        o = _chunked_factored_inplace(qc, kc, vc, None if log_gates is None else lgp, _DIAG_SPAN_LIMIT[q.dtype])
        if o is not None:
            return o.reshape(B, H, T_pad, dv)[:, :, :T]
    elif not has_zero:
        if kind == "scalar":
            b = torch.cumsum(lgp.view(Bg, Hg, N, C), dim=3)
        else:  # in-chunk cumulative sums as one product with a triangle of ones (a cumsum over a
            # non-last axis is many times slower on the CPU)
            b = torch.ones(C, C, dtype=lgp.dtype, device=lgp.device).tril() @ lgp.view(Bg, Hg, N, C, dk)
        if float((-b[:, :, :, -1]).detach().max()) <= _DIAG_SPAN_LIMIT[q.dtype]:
            o = _chunked_factored(qc, kc, vc, b if kind == "vector" else b[..., None], log_gates is None)
            return o.reshape(B, H, T_pad, dv)[:, :, :T]
    if zero is None:
        zero = torch.zeros((1,) * lg.ndim, dtype=torch.bool, device=lg.device).expand(lg.shape)
    zp = _pad_time(zero, T_pad, False)
    if kind == "scalar":
        o = _chunked_scalar(qc, kc, vc, lgp.view(Bg, Hg, N, C), zp.view(Bg, Hg, N, C), has_zero)
    else:
        o = _chunked_vector(qc, kc, vc, lgp.view(Bg, Hg, N, C, dk), zp.view(Bg, Hg, N, C, dk), subchunk_size,
                            has_zero)
    return o.reshape(B, H, T_pad, dv)[:, :, :T]


def _chunked_factored(qc, kc, vc, b, ungated):
    r"""Chunked form when no gate is 0 and every chunk decays by at most ``exp(span)``,
    ``span`` ≤ ``_DIAG_SPAN_LIMIT`` (scalar or key gates alike; ``b (·, N, C, 1 or d_k)``
    the in-chunk cumulative log gates).  Inside a chunk
    ``exp(b_i − b_j) = exp(b_i) · exp(−b_j)`` (``exp(−b_j) ≤ exp(span)``: no overflow), so
    the decayed scores are one matrix product ``Ã = tril((q ⊙ e^{b}) (k ⊙ e^{−b})ᵀ)``; the
    state entering chunk ``n`` is ``S_{n−1} = Σ_{m<n} exp(E_{n−1} − E_{m−1}) W_m`` with
    ``W_m = (k ⊙ e^{−b})ᵀ v`` of chunk ``m`` and ``E`` the cumulative chunk totals
    ``b_C`` (``E_{−1} = 0``): for scalar gates one product with the ``N × N`` chunk-decay
    matrix (exponents ``≤ 0``) instead of a loop over chunks; for key gates (a decay per
    key channel) the recurrence ``S_n = e^{b_C} ⊙ (S_{n−1} + W_n)`` over the ``N`` chunks
    (measured faster than ``d_k`` products with ``N × N`` matrices).
    Then ``o = Ã v + (q ⊙ e^{b}) S_{n−1}`` (one accumulating product)."""
    N = qc.shape[2]
    if ungated:
        q_t, k_t = qc, kc
    else:
        eb = torch.exp(b)
        q_t, k_t = qc * eb, kc / eb  # e^{−b} = 1 / e^{b}: one exp pass
    o = (q_t @ k_t.transpose(-1, -2)).tril_() @ vc  # in place: the product's backward needs only q̃, k̃
    if N == 1:
        return o
    W = k_t.transpose(-1, -2) @ vc  # (B, H, N, d_k, d_v), key × value
    Bq, H, _, dk, dv = W.shape
    C = qc.shape[3]
    flat = lambda t, r, c: t.expand(Bq, H, N, r, c).reshape(Bq * H * N, r, c)  # noqa: E731
    if b.shape[-1] != 1:  # key gates: S_n = e^{b_C} ⊙ (S_{n−1} + W_n), row-wise, a short loop over chunks
        tot = torch.exp(b[:, :, :, -1])[..., None].expand(Bq, H, N, dk, 1)  # ≤ 1
        TW = (tot * W).unbind(2)  # e^{b_C} ⊙ W_n for every chunk at once
        tot = tot.unbind(2)
        S, prev = torch.zeros_like(W[:, :, 0]), []
        for n in range(N):  # each state decays by at most e^{−span} per chunk: no tiny weights
            prev.append(S)
            S = torch.addcmul(TW[n], tot[n], S)
        S = torch.stack(prev, dim=2)
        return torch.baddbmm(flat(o, C, dv), flat(q_t, C, dk), flat(S, dk, dv)).view(Bq, H, N, C, dv)
    E = torch.cumsum(b[:, :, :, -1], dim=2)  # (Bg, Hg, N, 1)
    E_prev = torch.cat([torch.zeros_like(E[:, :, :1]), E[:, :, :-1]], dim=2)  # E_{m−1}
    diff = E_prev[:, :, :, None] - E_prev[:, :, None, :]  # (Bg, Hg, N, N, ·): E_{n−1} − E_{m−1}
    lower = torch.ones(N, N, dtype=torch.bool, device=qc.device).tril(-1)[..., None]  # m < n
    keep = lower & (diff >= math.log(_NEGLIGIBLE[diff.dtype]))  # see _NEGLIGIBLE
    M = torch.exp(torch.where(keep, diff, torch.full_like(diff, float("-inf"))))
    S = (M[..., 0] @ W.reshape(Bq, H, N, dk * dv)).view(Bq, H, N, dk, dv)  # one (N × N) @ (N × d_k d_v)
    # o + q̃ S in one accumulating product
    return torch.baddbmm(flat(o, C, dv), flat(q_t, C, dk), flat(S, dk, dv)).view(Bq, H, N, C, dv)


_LOG2E = 1.0 / math.log(2.0)


def _cumsum_in_chunks_(x):
    """In place, ``x (..., C, d)`` ← its cumulative sums along ``C`` (the in-chunk sums of key
    gates): inside groups of 8 positions by 7 additions over all groups at once, then each
    group plus the running total of the groups before it (``torch.cumsum`` along a non-last
    axis is several times slower on the CPU; any order of a ``≤ C``-term sum keeps the
    ``γ_{C−1}`` error bound)."""
    C = x.shape[-2]
    g = 8 if C > 8 and C % 8 == 0 else C
    xs = x.view(*x.shape[:-2], C // g, g, x.shape[-1])
    u = xs.unbind(-2)
    for i in range(1, g):
        u[i].add_(u[i - 1])
    if g < C:
        xs[..., 1:, :, :].add_(torch.cumsum(xs[..., :-1, -1, :], dim=-2)[..., None, :])
    return x


def _scan_chunk_states_(R, tot):
    r"""In place, ``R (B, H, N, d_k, d_v)`` ← the states after each chunk
    ``R_n = Ŵ_n + t_n ⊙ R_{n−1}`` (``R_{−1} = 0``; ``R`` holds ``Ŵ`` on entry; ``tot``: the
    chunk decays ``t (Bg, Hg, N, d_k or 1, 1)``, or ``None`` for ``t = 1``).  When 8 divides
    ``N > 8``, in two levels with ``N/8 + 7`` sequential steps instead of ``N − 1``: the scan
    inside every block of 8 chunks (all blocks at once), the states ending the blocks in
    sequence (``D_{j,i} = Π_{s ≤ i} t_{j,s}``, the decay from block ``j``'s start through its
    chunk ``i``), then chunk ``i`` of block ``j`` plus ``D_{j,i} ⊙`` the state ending block
    ``j − 1`` — the same sums, each decay product formed from at most as many factors."""
    N = R.shape[2]
    G = 8 if N > 8 and N % 8 == 0 else N
    Rb = R.view(*R.shape[:2], N // G, G, *R.shape[3:])
    tb = None if tot is None else tot.view(*tot.shape[:2], N // G, G, *tot.shape[3:])
    u = Rb.unbind(3)
    tu = None if tb is None else tb.unbind(3)
    for i in range(1, G):  # inside the blocks
        if tu is None:
            u[i].add_(u[i - 1])
        else:
            u[i].addcmul_(tu[i], u[i - 1])
    if G == N:
        return R
    D = None if tb is None else torch.cumprod(tb, dim=3)
    ends = Rb[:, :, :, G - 1].unbind(2)
    Du = None if D is None else D[:, :, :, G - 1].unbind(2)
    for j in range(1, N // G):  # the states ending the blocks
        if Du is None:
            ends[j].add_(ends[j - 1])
        else:
            ends[j].addcmul_(Du[j], ends[j - 1])
    carry = Rb[:, :, :-1, G - 1:]  # the state ending block j − 1, for block j ≥ 1
    if D is None:
        Rb[:, :, 1:, :G - 1].add_(carry)
    else:
        Rb[:, :, 1:, :G - 1].addcmul_(D[:, :, 1:, :G - 1], carry)
    return R


def _chunked_factored_inplace(qc, kc, vc, lg, span_limit):
    r""":func:`_chunked_factored` without autograd (claims G1, G3: the same outputs), its
    temporaries written into one workspace by ``out=`` and in-place operations (fewer,
    reused buffers: on the CPU every freshly mapped page of a temporary costs a page fault)
    and the chunk states by a scan instead of the ``N × N`` product.  ``lg``: the padded log
    gates ``(Bg, Hg, T_pad[, d_k])`` (no gate 0), or ``None`` (ungated).  Returns ``None``,
    having computed only the in-chunk sums, when a chunk decays by more than
    ``exp(span_limit)`` (the per-chunk paths then apply).

    With ``b`` the in-chunk cumulative log gates (``b_C`` the chunk's total),
    ``k̃ = k ⊙ e^{−b}`` (``≤ e^{span}|k|``) and ``q̃ = q ⊙ e^{b}``:

    * scores ``Ã = tril(q̃ k̃ᵀ)``, ``o = Ã v``;
    * chunk updates ``Ŵ_n = e^{b_C} ⊙ k̃ᵀ v`` (key × value: chunk ``n``'s writes decayed to
      its end) and, in place, the states after each chunk
      ``R_n = Ŵ_n + e^{b_C, n} ⊙ R_{n−1}``; the state entering chunk ``n`` is ``R_{n−1}``
      (``0`` for ``n = 0``): ``R`` is stored behind one zero block, so that ``R`` shifted
      by one block is the entering states of every sequence once each sequence's last
      state (read by no chunk) is zeroed;
    * ``o += q̃ R_{n−1}``.  Scalar gates: ``e^{b_i}`` is a row factor, so
      ``o = diag(e^{b}) (tril(q k̃ᵀ) v + q R_{n−1})`` (no ``q̃``: one scaling of ``o``).
      Key gates: ``e^{b} = 2^{b log₂e}`` (``exp2`` costs about half of ``exp`` on the CPU).
      Rounding ``log₂e`` and the products ``log g · log₂e`` adds ``2|b| u ≤ 2 C max|log g| u``
      to the exponent error ``γ_{C−1} Σ|log g|`` of the in-chunk sums: ``C (C + 1) max|log g|``
      units of ``u`` in all, within the ``2 (C² max|log g| + terms + 1)`` that
      :func:`rounding_bound` allows the difference from the loop (which has no exponent)."""
    B, H, N, C, dk = qc.shape
    dv = vc.shape[-1]
    P, blk = B * H * N, dk * dv
    vector = lg is not None and lg.ndim == 4
    full = lg is not None and tuple(lg.shape[:2]) == (B, H)  # gates not shared: e^{b} fits a buffer
    nk, nz = P * C * dk, max(P * C * C, (P + 1) * blk)
    X, Z, Q = qc.new_empty(nk + nz + (nk if vector else 0)).split_with_sizes([nk, nz, nk if vector else 0])
    kshape = (B, H, N, C, dk)
    if lg is None:
        q_t, k_t, eb, tot = qc, kc, None, None
    elif not vector:
        b = torch.cumsum(lg.view(*lg.shape[:2], N, C), dim=3)
        if float(b[..., -1].min()) < -span_limit:
            return None
        eb = torch.exp(b)[..., None]  # (Bg, Hg, N, C, 1)
        tot = eb[:, :, :, -1:]  # (Bg, Hg, N, 1, 1)
        q_t, k_t = qc, torch.div(kc, eb, out=X.view(kshape))
    else:
        Bg, Hg = lg.shape[:2]
        eb = torch.mul(lg.view(Bg, Hg, N, C, dk), _LOG2E, out=X.view(kshape) if full else None)
        _cumsum_in_chunks_(eb)  # b log₂e
        b_end = eb[:, :, :, -1, :, None]
        if float(b_end.min()) < -span_limit * _LOG2E:
            return None
        tot = torch.exp2(b_end)  # (Bg, Hg, N, d_k, 1): multiplies the key rows
        eb = eb.exp2_()
        q_t = torch.mul(qc, eb, out=Q.view(kshape))
        k_t = torch.div(kc, eb, out=eb if full else None)
    q3, k3, v3 = q_t.reshape(P, C, dk), k_t.reshape(P, C, dk), vc.reshape(P, C, dv)
    A = torch.bmm(q3, k3.transpose(1, 2), out=Z[:P * C * C].view(P, C, C)).tril_()
    o = torch.bmm(A, v3)
    if N > 1:  # Ã is consumed: Z holds one zero block, then R
        R = torch.bmm(k3.transpose(1, 2), v3, out=Z[blk:(P + 1) * blk].view(P, dk, dv)).view(B, H, N, dk, dv)
        _scan_chunk_states_(R if tot is None else R.mul_(tot), tot)  # R.mul_(tot): Ŵ
        R[:, :, N - 1].zero_()
        Z[:blk].zero_()
        o.baddbmm_(q3, Z[:P * blk].view(P, dk, dv))  # block p of Z: the state entering chunk p
    o = o.view(B, H, N, C, dv)
    if eb is not None and not vector:
        o.mul_(eb)
    return o


def _chunked_scalar(qc, kc, vc, lg, zero, has_zero):
    C = qc.shape[3]
    b = torch.cumsum(lg, dim=-1)  # (B,H,N,C)
    z = torch.cumsum(zero.to(torch.int32), dim=-1)
    causal = torch.ones(C, C, dtype=torch.bool, device=qc.device).tril()
    valid = causal & (z[..., :, None] == z[..., None, :]) if has_zero else causal
    diff = b[..., :, None] - b[..., None, :]
    D = torch.exp(torch.where(valid, diff, torch.full_like(diff, float("-inf"))))
    A = (qc @ kc.transpose(-1, -2)) * D
    o = A @ vc
    N = qc.shape[2]
    if N == 1:
        return o
    b_last, z_last = b[..., -1:], z[..., -1:]
    d_start = torch.exp(b) * (z == 0).to(b.dtype)  # decay from the chunk start to i
    d_end = torch.exp(b_last - b) * (z == z_last).to(b.dtype)  # decay from j to the chunk end
    tot = (torch.exp(b_last) * (z_last == 0).to(b.dtype))[..., None]  # (B,H,N,1,1)
    U = torch.einsum("bhncv,bhnck->bhnvk", vc * d_end[..., None], kc)
    S_prev = _scan_states(U, tot)
    return o + d_start[..., None] * torch.einsum("bhnvk,bhnck->bhncv", S_prev, qc)


def _chunked_vector(qc, kc, vc, lg, zero, c, has_zero):
    B, H, N, C, dk = qc.shape
    dv = vc.shape[-1]
    nS = C // c
    b = torch.cumsum(lg, dim=3)  # (B,H,N,C,dk)
    z = torch.cumsum(zero.to(torch.int32), dim=3)
    Bg, Hg = lg.shape[:2]
    qs = qc.view(B, H, N, nS, c, dk)
    ks = kc.view(B, H, N, nS, c, dk)
    bs, zs = b.view(Bg, Hg, N, nS, c, dk), z.view(Bg, Hg, N, nS, c, dk)
    e, ze = bs[..., -1, :], zs[..., -1, :]  # b and z at the end of every sub-block, (B,H,N,nS,dk)
    e_prev = torch.cat([torch.zeros_like(e[:, :, :, :1]), e[:, :, :, :-1]], dim=3)  # e_{I−1}; 0 for I = 0
    ze_prev = torch.cat([torch.zeros_like(ze[:, :, :, :1]), ze[:, :, :, :-1]], dim=3)
    q_t = qs * torch.exp(bs - e_prev[..., None, :])  # q_i exp(b_i − e_{I−1}) ≤ |q_i|
    # --- diagonal sub-blocks (j ≤ i, both in sub-block I)
    span = float((e_prev - e).detach().max()) if not has_zero else float("inf")
    if span <= _DIAG_SPAN_LIMIT[qc.dtype]:
        # fast path: exp(b_i − b_j) = exp(b_i − e_{I−1}) · exp(e_{I−1} − b_j), the second factor at
        # most exp(span) (no overflow); one batched matmul per sub-block
        k_f = ks * torch.exp(e_prev[..., None, :] - bs)
        tril = torch.ones(c, c, dtype=torch.bool, device=qc.device).tril()
        A_diag = (q_t @ k_f.transpose(-1, -2)) * tril.to(qc.dtype)
    else:
        # exact path (zeros or steep decay): decayed keys by a short recurrence over the c positions,
        # K̃_{ij} = k_j ⊙ Π_{s=j+1}^{i} g_s — products of the gates themselves, exact at 0 and 1
        gs = torch.exp(lg.view(Bg, Hg, N, nS, c, dk)) * (~zero.view(Bg, Hg, N, nS, c, dk)).to(qc.dtype)
        Kd = ks.new_zeros(B, H, N, nS, c, dk)
        rows = []
        for i in range(c):
            Kd = Kd * gs[..., i, None, :] if i else Kd.clone()
            Kd[..., i, :] = ks[..., i, :]  # in place on a fresh tensor (autograd-safe)
            rows.append(torch.einsum("bhnsjc,bhnsc->bhnsj", Kd, qs[..., i, :]))
        A_diag = torch.stack(rows, dim=-2)  # (B,H,N,nS,c,c), zero above the diagonal
    o = (A_diag @ vc.view(B, H, N, nS, c, dv)).reshape(B, H, N, C, dv)
    # --- off-diagonal sub-blocks J < I:
    #     exp(b_i − b_j) = exp(b_i − e_{I−1}) · exp(e_{I−1} − e_J) · exp(e_J − b_j), every factor ≤ 1:
    #     q̃ (per query), w_{IJ} (per pair of sub-blocks, tiny) and k̂ (per key)
    if nS > 1:
        k_h = ks * torch.exp(e[..., None, :] - bs)
        lower = torch.ones(nS, nS, dtype=torch.bool, device=qc.device).tril(-1)[..., None]  # J < I
        pair = e_prev[..., :, None, :] - e[..., None, :, :]  # (B,H,N,nS_I,nS_J,dk), <= 0 where J < I
        w = torch.exp(torch.clamp(pair, max=0.0)) * lower.to(qc.dtype)
        q_o = q_t
        if has_zero:
            q_o = q_t * (zs == ze_prev[..., None, :]).to(b.dtype)
            k_h = k_h * (zs == ze[..., None, :]).to(b.dtype)
            w = w * (ze_prev[..., :, None, :] == ze[..., None, :, :]).to(b.dtype)
        Kw = (w[..., None, :] * k_h[..., None, :, :, :]).reshape(B, H, N, nS, C, dk)  # keys seen by sub-block I
        A_off = (q_o @ Kw.transpose(-1, -2)).reshape(B, H, N, C, C)
        o = o + A_off @ vc
    if N == 1:
        return o
    b_last, z_last = b[:, :, :, -1:], z[:, :, :, -1:]
    q_start = qc * torch.exp(b) * (z == 0).to(b.dtype)
    k_end = kc * torch.exp(b_last - b) * (z == z_last).to(b.dtype)
    tot = (torch.exp(b_last) * (z_last == 0).to(b.dtype))  # (B,H,N,1,dk): multiplies the key columns
    U = torch.einsum("bhncv,bhnck->bhnvk", vc, k_end)
    S_prev = _scan_states(U, tot)
    return o + torch.einsum("bhnvk,bhnck->bhncv", S_prev, q_start)
