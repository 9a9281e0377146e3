r"""Gate parameterisations (THEORY.md §3): sigmoid, log-space and clamped affine.

A gate reads ``u_i`` (the whole token ``z_i`` or only its context coordinates ``c_i``)
through an affine map ``a_i = W_g u_i + b_g`` and returns both ``g_i`` and ``log g_i``:

* ``"sigmoid"``: ``g = σ(a)``, ``log g = logσ(a) = −softplus(−a)``; values in ``(0, 1)``
  in exact arithmetic (only the interior of the monotone cone, claim G2).
* ``"logspace"``: ``g = exp(−softplus(a))`` (flash-linear-attention's ``gk``), computed
  as ``log g = −softplus(a)`` first; also in ``(0, 1)``.
* ``"clamped"``: ``g = clamp(a, 0, 1)``, which equals 0 and 1 exactly; ``log 0 = −inf``
  with a NaN-free gradient.  Exact constructions (claims G1–G4) use it.

Scalar gating gives one gate per head ``(B, H, T)``; vector gating one per key channel
``(B, H, T, d_k)``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import GLAConfig
from .layer import log_gates_from_gates

__all__ = ["gate_values", "Gate", "default_gate_bias"]


def gate_values(pre: torch.Tensor, gate: str):
    """``(g, log g)`` for pre-activations ``pre`` under parameterisation ``gate``.

    ``"sigmoid"``: ``g = σ(a)``; ``"logspace"``: ``log g = −softplus(a)`` computed directly
    (fla's convention); ``"clamped"``: ``g = clamp(a, 0, 1)`` (``log 0 = −inf``).

    Parameters
    ----------
    pre : torch.Tensor, shape (...)
        Pre-activations ``a = W_g u + b_g``.
    gate : {"sigmoid", "logspace", "clamped"}
        The parameterisation.

    Returns
    -------
    g : torch.Tensor, shape (...)
        Gate values in ``[0, 1]``.
    log_g : torch.Tensor, shape (...)
        ``log g`` in ``[−inf, 0]``.

    Raises
    ------
    ValueError
        For an unknown ``gate``.

    Examples
    --------
    >>> import torch
    >>> g, log_g = gate_values(torch.tensor([0.0, 2.0]), "sigmoid")
    >>> [round(float(v), 4) for v in g], bool(torch.allclose(log_g, g.log()))
    ([0.5, 0.8808], True)
    """
    if gate == "sigmoid":
        return torch.sigmoid(pre), F.logsigmoid(pre)
    if gate == "logspace":
        log_g = -F.softplus(pre)
        return torch.exp(log_g), log_g
    if gate == "clamped":
        g = torch.clamp(pre, 0.0, 1.0)
        return g, log_gates_from_gates(g)
    raise ValueError(f"gate must be one of ('sigmoid', 'logspace', 'clamped'), got {gate!r}")


def default_gate_bias(gate: str) -> float:
    """A bias that starts every gate near 0.95 (slow decay), for training from scratch."""
    return {"sigmoid": 3.0, "logspace": -3.0, "clamped": 0.95}[gate]


class Gate(nn.Module):
    r"""Per-layer gate ``g_i = φ(W_g u_i + b_g)``; ``u_i = z_i`` or the context coordinates.

    Parameters: ``weight`` ``(H, p_in)`` (scalar) or ``(H, d_k, p_in)`` (vector) and
    ``bias`` ``(H,)`` or ``(H, d_k)``.  ``forward(Z)`` returns ``(g, log g)`` with shape
    ``(B, H, T)`` or ``(B, H, T, d_k)`` (``B = 1`` for deterministic gates, see
    :meth:`pre_activation`).

    Parameters
    ----------
    config : GLAConfig
        The model's configuration (``gating``, ``gate``, ``gate_input``, ``num_heads``).
    generator : torch.Generator, optional
        The source of the initial weights.
    device : torch.device or str, optional
        Where the parameters live.
    dtype : torch.dtype, optional
        Their precision.

    Examples
    --------
    >>> import torch
    >>> gate = Gate(GLAConfig(d=2, gating="scalar"), generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    >>> g, log_g = gate(torch.zeros(1, 4, 3, dtype=torch.float64))  # (B, T, d+1+p) tokens
    >>> tuple(g.shape), bool(((g > 0) & (g < 1)).all())
    ((1, 1, 4), True)
    """

    def __init__(self, config: GLAConfig, *, generator: torch.Generator | None = None,
                 device=None, dtype=None):
        super().__init__()
        self.config = config
        H, dk, gin = config.num_heads, config.key_dim, config.gate_in_dim
        shape = (H,) if config.gating == "scalar" else (H, dk)
        bias = default_gate_bias(config.gate) if config.gate_bias_init is None else float(config.gate_bias_init)
        w = torch.randn(*shape, gin, generator=generator, dtype=torch.float64) * (0.1 / max(gin, 1) ** 0.5)
        self.weight = nn.Parameter(w.to(device=device, dtype=dtype))
        self.bias = nn.Parameter(torch.full(shape, bias, device=device, dtype=dtype))

    def inputs(self, Z: torch.Tensor) -> torch.Tensor:
        cfg = self.config
        return Z if cfg.gate_input == "all" else Z[..., cfg.d + 1:]

    def pre_activation(self, Z: torch.Tensor) -> torch.Tensor:
        """``W_g u + b`` of shape ``(B, H, T[, d_k])``; ``B = 1`` when the gates read only
        context coordinates and those are the same in every prompt (deterministic gates are
        then computed once and broadcast)."""
        u = self.inputs(Z)
        if self.config.gate_input == "context" and u.shape[0] > 1 and torch.equal(u, u[:1].expand_as(u)):
            u = u[:1]
        if self.weight.ndim == 2:  # scalar: (H, p) → (B, H, T)
            return torch.einsum("btp,hp->bht", u, self.weight) + self.bias[None, :, None]
        return torch.einsum("btp,hkp->bhtk", u, self.weight) + self.bias[None, :, None, :]

    def forward(self, Z: torch.Tensor):
        return gate_values(self.pre_activation(Z), self.config.gate)
