r"""The GLA ``nn.Module``: multi-head, multi-layer, residual (THEORY.md §3).

One layer on tokens ``Z ∈ R^{T × (d+1+p)}`` (query last), per head ``h``:

    ``q_i = W_q^h z_i``, ``k_i = W_k^h z_i``, ``v_i = W_v^h z_i``, gates ``G_i = G^h(z_i)``,
    ``S_i = G_i ⊙ S_{i−1} + m_i v_i k_iᵀ``, ``o_i = Σ_h S^h_i q^h_i``.

``L`` layers: ``Z^{(ℓ+1)} = Z^{(ℓ)} + GLA_ℓ(Z^{(ℓ)})``.  Readout: one layer
``ŷ = [o_{n+1}]_{d+1}`` (``readout="output"``), otherwise ``ŷ = −[Z^{(L)}]_{n+1,d+1}``
(``readout="residual"``; the sign convention of claim G4).  ``m_{n+1} = 0`` when
``config.write_mask`` (the query reads but does not write).
"""

from __future__ import annotations

import torch
from torch import nn

from .config import GLAConfig, resolve_device
from .gates import Gate
from .layer import attention_gla, chunked_gla, log_gates_from_gates, recurrent_gla

__all__ = ["GLA", "GLALayer"]


class GLALayer(nn.Module):
    r"""One GLA layer; returns the head-summed outputs ``O (B, T, d+1+p)``.

    Parameters ``W_q, W_k`` ``(H_qk, d_k, D)`` (``H_qk = 1`` when ``shared_qk``),
    ``W_v`` ``(H, D, D)``; with ``structure="wpgd"`` fixed 0/1 masks keep only the
    WPGD blocks (``W_q, W_k`` read ``x``; ``W_v`` maps ``y`` to ``y``).  Use
    :meth:`effective_weights` for the masked, head-expanded matrices.

    Parameters
    ----------
    config : GLAConfig
        The model's configuration.
    generator : torch.Generator, optional
        The source of the initial weights.
    device : torch.device or str, optional
        Where the parameters live.
    dtype : torch.dtype, optional
        Their precision.

    Examples
    --------
    >>> import torch
    >>> from wpgd_theory.gla import GLAConfig
    >>> layer = GLALayer(GLAConfig(d=2, gating="scalar"), dtype=torch.float64)
    >>> tuple(layer(torch.zeros(2, 4, 3, dtype=torch.float64)).shape)  # (B, T, d+1+p)
    (2, 4, 3)
    """

    def __init__(self, config: GLAConfig, *, generator=None, device=None, dtype=None):
        super().__init__()
        self.config = config
        H, dk, D, d = config.num_heads, config.key_dim, config.d_model, config.d
        Hqk = 1 if config.shared_qk else H
        if config.structure == "wpgd":
            qk_mask = torch.zeros(dk, D, dtype=torch.float64)
            qk_mask[:, :d] = 1.0
            v_mask = torch.zeros(D, D, dtype=torch.float64)
            v_mask[d, d] = 1.0
            fan_qk, fan_v = d, 1
        else:
            qk_mask, v_mask = torch.ones(dk, D, dtype=torch.float64), torch.ones(D, D, dtype=torch.float64)
            fan_qk = fan_v = D
        s = float(config.init_scale)

        def init(*shape, fan):
            return (torch.randn(*shape, generator=generator, dtype=torch.float64) * (s / fan**0.5)).to(
                device=device, dtype=dtype)

        self.W_q = nn.Parameter(init(Hqk, dk, D, fan=fan_qk) * qk_mask.to(device=device, dtype=dtype))
        self.W_k = nn.Parameter(init(Hqk, dk, D, fan=fan_qk) * qk_mask.to(device=device, dtype=dtype))
        self.W_v = nn.Parameter(init(H, D, D, fan=fan_v) * v_mask.to(device=device, dtype=dtype))
        self.register_buffer("qk_mask", qk_mask.to(device=device, dtype=dtype))
        self.register_buffer("v_mask", v_mask.to(device=device, dtype=dtype))
        self.gate = None if config.gating == "none" else Gate(config, generator=generator, device=device,
                                                              dtype=dtype)

    def effective_weights(self):
        """``(W_q, W_k, W_v)`` with structure masks applied, each of shape ``(H, ·, D)``."""
        H = self.config.num_heads
        Wq = (self.W_q * self.qk_mask).expand(H, -1, -1)
        Wk = (self.W_k * self.qk_mask).expand(H, -1, -1)
        return Wq, Wk, self.W_v * self.v_mask

    # ------------------------------------------------------------------ gates
    def _override(self, gates, B, T):
        """Normalise externally supplied gate values to ``(B, H, T[, d_k])``."""
        cfg = self.config
        if not isinstance(gates, torch.Tensor):
            gates = torch.as_tensor(gates)
        g = gates.to(device=self.W_v.device, dtype=self.W_v.dtype)
        H, dk = cfg.num_heads, cfg.key_dim
        if cfg.gating == "none":
            raise ValueError("gates were given but config.gating='none' (linear attention has no gates)")
        if cfg.gating == "scalar":
            shapes = {(T,): (1, 1, T), (B, T): (B, 1, T), (B, H, T): (B, H, T)}
        else:
            shapes = {(T, dk): (1, 1, T, dk), (B, T, dk): (B, 1, T, dk), (B, H, T, dk): (B, H, T, dk)}
        if tuple(g.shape) not in shapes:
            raise ValueError(f"gates for {cfg.gating} gating must have one of the shapes {list(shapes)}, "
                             f"got {tuple(g.shape)}")
        g = g.reshape(shapes[tuple(g.shape)])
        if torch.isnan(g).any() or (g < 0).any() or (g > 1).any():
            raise ValueError(f"gates must lie in [0, 1]; got values in [{float(g.min()):.6g}, {float(g.max()):.6g}]")
        return g, log_gates_from_gates(g)  # singleton batch/head axes broadcast downstream

    def gate_values(self, Z, gates=None):
        """``(g, log g)`` of shape ``(B or 1, H or 1, T[, d_k])`` (singleton axes broadcast),
        or ``(None, None)`` without gating."""
        if gates is not None:
            return self._override(gates, Z.shape[0], Z.shape[1])
        if self.gate is None:
            return None, None
        return self.gate(Z)

    # ------------------------------------------------------------------ forward
    def forward(self, Z, write_mask=None, gates=None):
        cfg = self.config
        Wq, Wk, Wv = self.effective_weights()
        q = torch.einsum("btD,hkD->bhtk", Z, Wq)
        k = torch.einsum("btD,hkD->bhtk", Z, Wk)
        v = torch.einsum("btD,hvD->bhtv", Z, Wv)
        g, log_g = self.gate_values(Z, gates)
        if cfg.implementation == "recurrent":
            o = recurrent_gla(q, k, v, g, write_mask)
        elif cfg.implementation == "attention":
            o = attention_gla(q, k, v, g, write_mask)
        else:
            o = chunked_gla(q, k, v, log_g, write_mask, chunk_size=cfg.chunk_size,
                            subchunk_size=cfg.subchunk_size)
        return o.sum(dim=1)


class GLA(nn.Module):
    r"""Gated linear attention for in-context regression (claims G1–G4, T1–T2).

    ``GLA(config, seed=None)``: parameters are initialised from ``seed`` (a private
    ``torch.Generator``, in float64 on the CPU, then moved), so a seed gives the same
    model on every device.  ``config.device="cuda"`` without CUDA falls back to the CPU
    with a ``RuntimeWarning``; :attr:`device` is where the model actually lives.

    ``forward(tokens, write_mask=None, gates=None)`` returns predictions ``ŷ (B,)``;
    ``tokens`` is ``(B, T, d+1+p)`` with the query last.  ``write_mask`` ``(T,)`` or
    ``(B, T)`` multiplies every token's write (default all ones); with
    ``config.write_mask`` the query's entry is set to 0.  ``gates`` optionally overrides
    the gate values: a list with one tensor per layer (``(T,)``, ``(B, T)`` or
    ``(B, H, T)`` for scalar gating; add a trailing ``d_k`` axis for vector gating).

    Parameters
    ----------
    config : GLAConfig
        The model's configuration.
    seed : int, optional
        The seed of the initial parameters (None: torch's global generator).

    Raises
    ------
    TypeError
        If ``config`` is not a GLAConfig or ``seed`` not an int.
    ValueError
        If ``seed`` is outside ``[0, 2**64 − 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0, 1.0], noise=0.1)
    >>> import torch
    >>> from wpgd_theory.gla import GLAConfig, PromptLayout, prompt_tensors
    >>> gla = GLA(GLAConfig(d=2, gating="scalar", dtype=torch.float64), seed=0)
    >>> prompts = prompt_tensors(model, 3, rng=np.random.default_rng(0), layout=PromptLayout.for_model(model))
    >>> tuple(gla(prompts.tokens).shape)  # one prediction per prompt
    (3,)
    """

    def __init__(self, config: GLAConfig, *, seed: int | None = None):
        super().__init__()
        if not isinstance(config, GLAConfig):
            raise TypeError(f"config must be a GLAConfig, got {type(config).__name__}")
        self.config = config
        device = resolve_device(config.device, "GLAConfig.device")
        dtype = config.torch_dtype
        gen = torch.Generator()
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, int):
                raise TypeError(f"seed must be an int or None, got {type(seed).__name__}")
            if not 0 <= seed < 2**64:
                shown = seed if seed.bit_length() < 128 else f"an integer of {seed.bit_length()} bits"
                raise ValueError(f"seed must be an integer in [0, 2**64 - 1] (a torch.Generator seed), got {shown}")
            gen.manual_seed(seed)
        else:
            gen.seed()
        self.layers = nn.ModuleList(
            GLALayer(config, generator=gen, device=device, dtype=dtype) for _ in range(config.num_layers))

    @property
    def device(self) -> torch.device:
        return self.layers[0].W_v.device

    @property
    def dtype(self) -> torch.dtype:
        return self.layers[0].W_v.dtype

    def _check_tokens(self, tokens):
        if not isinstance(tokens, torch.Tensor):
            raise TypeError(f"tokens must be a torch.Tensor, got {type(tokens).__name__}")
        D = self.config.d_model
        if tokens.ndim != 3 or tokens.shape[-1] != D or tokens.shape[1] < 1:
            raise ValueError(f"tokens must have shape (B, T, {D}) with T >= 1 (d+1+num_context = {D}), "
                             f"got {tuple(tokens.shape)}")
        return tokens.to(device=self.device, dtype=self.dtype)

    def _write_mask(self, write_mask, B, T):
        if write_mask is None:
            m = torch.ones(T, device=self.device, dtype=self.dtype)
        else:
            if not isinstance(write_mask, torch.Tensor):
                write_mask = torch.as_tensor(write_mask)
            if tuple(write_mask.shape) not in ((T,), (B, T)):
                raise ValueError(f"write_mask must have shape ({T},) or ({B}, {T}), got {tuple(write_mask.shape)}")
            m = write_mask.to(device=self.device, dtype=self.dtype).clone()
            if not bool(torch.isfinite(m).all()) or bool((m < 0).any()) or bool((m > 1).any()):
                raise ValueError("write_mask must hold values in [0, 1] (1: the token writes; no NaN or inf)")
        if self.config.write_mask:
            m[..., -1] = 0.0
        return m

    def _gates(self, gates):
        L = self.config.num_layers
        if gates is None:
            return [None] * L
        if not isinstance(gates, (list, tuple)) or len(gates) != L:
            raise ValueError(f"gates must be a list with one entry per layer ({L}), got "
                             f"{type(gates).__name__} of length {len(gates) if hasattr(gates, '__len__') else '?'}")
        return list(gates)

    def stream(self, tokens, write_mask=None, gates=None):
        """Residual stream ``[Z^{(0)}, …, Z^{(L)}]`` and layer outputs ``[O^{(1)}, …, O^{(L)}]``."""
        Z = self._check_tokens(tokens)
        B, T, _ = Z.shape
        m = self._write_mask(write_mask, B, T)
        Zs, Os = [Z], []
        for layer, g in zip(self.layers, self._gates(gates)):
            O = layer(Z, m, g)
            Os.append(O)
            Z = Z + O
            Zs.append(Z)
        return Zs, Os

    def forward(self, tokens, write_mask=None, gates=None):
        Zs, Os = self.stream(tokens, write_mask, gates)
        d = self.config.label_index
        if self.config.effective_readout == "output":
            return Os[-1][:, -1, d]
        return -Zs[-1][:, -1, d]

    def extra_repr(self) -> str:
        c = self.config
        return (f"d={c.d}, num_context={c.num_context}, gating={c.gating}, gate={c.gate}, heads={c.num_heads}, "
                f"layers={c.num_layers}, structure={c.structure}, implementation={c.implementation}")
