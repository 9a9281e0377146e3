r"""Configuration of a :class:`~wpgd_theory.gla.model.GLA` (THEORY.md §3).

:class:`GLAConfig` is a validated dataclass: every invalid field raises ``ValueError``
(or ``TypeError``) whose message names the field, what was expected and what came.

Device handling (documented behaviour): ``device="cuda"`` (or ``"cuda:N"``) on a
machine without CUDA does **not** fail; :func:`resolve_device` emits a
:class:`RuntimeWarning` that says so and the model is built on the CPU.  An unknown
device string is a ``ValueError``.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, fields, replace

import torch

__all__ = ["GLAConfig", "GATINGS", "GATES", "GATE_INPUTS", "STRUCTURES", "IMPLEMENTATIONS", "READOUTS",
           "resolve_device", "resolve_dtype"]

GATINGS = ("none", "scalar", "vector")
GATES = ("sigmoid", "logspace", "clamped")
GATE_INPUTS = ("all", "context")
STRUCTURES = ("full", "wpgd")
IMPLEMENTATIONS = ("recurrent", "chunked", "attention")
READOUTS = ("auto", "output", "residual")

_DTYPES = {"float32": torch.float32, "float64": torch.float64, "float": torch.float32, "double": torch.float64}


def resolve_dtype(dtype, name: str = "dtype") -> torch.dtype:
    """``torch.float32``/``torch.float64`` (or their names) → ``torch.dtype``.

    Parameters
    ----------
    dtype : str or torch.dtype
        ``"float32"``, ``"float64"``, ``torch.float32`` or ``torch.float64``.
    name : str, optional
        The argument's name in error messages.

    Returns
    -------
    torch.dtype
        The dtype.

    Raises
    ------
    ValueError
        For any other value (one line naming ``name``).

    Examples
    --------
    >>> resolve_dtype("float64")
    torch.float64
    """
    if isinstance(dtype, str):
        if dtype not in _DTYPES:
            raise ValueError(f"{name} must be 'float32' or 'float64' (or a torch dtype), got {dtype!r}")
        return _DTYPES[dtype]
    if dtype not in (torch.float32, torch.float64):
        raise ValueError(f"{name} must be torch.float32 or torch.float64, got {dtype!r}")
    return dtype


def resolve_device(device, name: str = "device") -> torch.device:
    """Turn a device spec into a usable ``torch.device``.

    ``"cuda"`` without an available CUDA device falls back to the CPU with a
    ``RuntimeWarning`` ("CUDA requested but not available; using CPU").

    Parameters
    ----------
    device : str or torch.device
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
    name : str, optional
        The argument's name in error messages.

    Returns
    -------
    torch.device
        Where tensors will live.

    Raises
    ------
    TypeError
        If ``device`` is neither a string nor a ``torch.device``.
    ValueError
        For an unknown device name.

    Examples
    --------
    >>> resolve_device("cpu")
    device(type='cpu')
    """
    if device is None:
        return torch.device("cpu")
    if isinstance(device, str):
        try:
            dev = torch.device(device)
        except RuntimeError as exc:
            raise ValueError(f"{name} must be 'cpu', 'cuda' or 'cuda:N', got {device!r}") from exc
    elif isinstance(device, torch.device):
        dev = device
    else:
        raise TypeError(f"{name} must be a string or torch.device, got {type(device).__name__}")
    if dev.type == "cuda" and not torch.cuda.is_available():
        warnings.warn(f"{name}={device!r}: CUDA requested but not available; using CPU instead",
                      RuntimeWarning, stacklevel=3)
        return torch.device("cpu")
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"{name} must be 'cpu' or 'cuda', got {device!r}")
    return dev


def _int(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"GLAConfig.{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"GLAConfig.{name} must be >= {minimum}, got {value}")


def _choice(value, name, allowed):
    if value not in allowed:
        raise ValueError(f"GLAConfig.{name} must be one of {allowed}, got {value!r}")


@dataclass(frozen=True)
class GLAConfig:
    r"""Hyper-parameters of a (multi-layer) gated linear attention model.

    Tokens are ``z_i = [x_i; y_i; c_i] ∈ R^{d+1+p}`` (``d = d``, ``p = num_context``);
    the query token is the last one.

    Parameters
    ----------
    d : int
        feature dimension of ``x``.
    num_context : int, optional
        number ``p`` of context / delimiter / positional coordinates.
    gating : str, optional
        ``"none"`` (linear attention, ``G ≡ 1``), ``"scalar"`` (``G_i = g_i 𝟙𝟙ᵀ``)
        or ``"vector"`` (key dimension, ``G_i = 𝟙 g_iᵀ``, ``g_i ∈ [0,1]^{d_key}``).
    gate : str, optional
        ``"sigmoid"`` ``σ(a)``, ``"logspace"`` ``exp(−softplus(a))`` (the
        flash-linear-attention convention; ``log g`` is computed directly), or
        ``"clamped"`` ``clamp(a, 0, 1)`` (can equal 0 and 1 exactly; used by
        constructions).  ``a = W_g u_i + b_g``.
    gate_input : str, optional
        ``"all"`` (``u_i = z_i``, data-dependent gates) or ``"context"``
        (``u_i = c_i``: deterministic gates reading only context coordinates).
    num_heads : int, optional
        ``H``; head outputs are summed (a per-head output projection is
        absorbed exactly into that head's ``W_v``, since ``o^h`` is linear in ``W_v^h``).
    d_key : int, optional
        key/query dimension per head (default ``d``); the value dimension is the
        token dimension ``d+1+p`` so that outputs live in the residual stream.
    num_layers : int, optional
        ``L``; layers are stacked with residual connections
        ``Z ← Z + GLA_ℓ(Z)``.
    write_mask : bool, optional
        if True the query token reads but does not write (``m_{n+1} = 0``).
    structure : str, optional
        ``"full"`` (free ``W_q, W_k ∈ R^{d_key×(d+1+p)}``, ``W_v``) or
        ``"wpgd"`` (the WPGD-structured blocks of claims G1/G4: ``W_q = [Q, 0]``,
        ``W_k = [K, 0]`` read only ``x``, ``W_v`` has only its ``(d+1, d+1)`` entry; the
        blocks are enforced by fixed masks, so gradients of the other entries are 0).
    shared_qk : bool, optional
        share ``W_q, W_k`` across heads (heads differ in gates and ``W_v``
        only); with ``structure="wpgd"`` an ``H``-head model is then exactly WPGD with
        ``ω = Σ_h v_h ω^{(h)}`` (claim G3).
    readout : str, optional
        ``"output"`` ``ŷ = [o_{n+1}]_{d+1}`` (one layer, THEORY §3), ``"residual"``
        ``ŷ = −[Z^{(L)}]_{n+1,d+1}``, ``"auto"`` = output for one layer, residual otherwise.
    implementation : str, optional
        ``"recurrent"`` (reference loop), ``"chunked"`` or ``"attention"``
        (``o = (QKᵀ ⊙ D) V``); all three compute the same function.
    chunk_size, subchunk_size : int, optional
        chunk lengths of the chunked form (``subchunk_size`` is
        used by vector gating only, and must then divide ``chunk_size``).
    init_scale : float, optional
        standard deviation of the initial ``W_q, W_k, W_v`` entries divided by
        ``sqrt(fan_in)``.
    gate_bias_init : float, optional
        initial gate pre-activation bias (sigmoid/logspace: ``σ(±b)``;
        clamped: the gate value itself).  ``None`` picks a gate close to 1.
    device : str, optional
        where the parameters live.
    dtype : torch.dtype or str, optional
        their precision (``torch.float32`` or ``torch.float64``).

    Raises
    ------
    TypeError
        If a field has the wrong type (one line naming the field).
    ValueError
        If a field is out of range or the fields are inconsistent (e.g. ``readout="output"``
        with several layers, ``subchunk_size`` not dividing ``chunk_size``).

    Examples
    --------
    >>> import torch
    >>> cfg = GLAConfig(d=2, gating="scalar", num_layers=2, dtype=torch.float64)
    >>> cfg.d_model, cfg.readout
    (3, 'auto')
    >>> GLAConfig(d=2, gating="sometimes")
    Traceback (most recent call last):
    ...
    ValueError: GLAConfig.gating must be one of ('none', 'scalar', 'vector'), got 'sometimes'
    """

    d: int
    num_context: int = 0
    gating: str = "scalar"
    gate: str = "sigmoid"
    gate_input: str = "all"
    num_heads: int = 1
    d_key: int | None = None
    num_layers: int = 1
    write_mask: bool = True
    structure: str = "full"
    shared_qk: bool = False
    readout: str = "auto"
    implementation: str = "chunked"
    chunk_size: int = 64
    subchunk_size: int = 16
    init_scale: float = 1.0
    gate_bias_init: float | None = None
    device: str = "cpu"
    dtype: object = torch.float32

    def __post_init__(self):
        _int(self.d, "d", 1)
        _int(self.num_context, "num_context", 0)
        _choice(self.gating, "gating", GATINGS)
        _choice(self.gate, "gate", GATES)
        _choice(self.gate_input, "gate_input", GATE_INPUTS)
        _int(self.num_heads, "num_heads", 1)
        if self.d_key is not None:
            _int(self.d_key, "d_key", 1)
        _int(self.num_layers, "num_layers", 1)
        for flag in ("write_mask", "shared_qk"):
            if not isinstance(getattr(self, flag), bool):
                raise TypeError(f"GLAConfig.{flag} must be a bool, got {type(getattr(self, flag)).__name__}")
        _choice(self.structure, "structure", STRUCTURES)
        _choice(self.readout, "readout", READOUTS)
        if self.readout == "output" and self.num_layers > 1:
            raise ValueError("GLAConfig.readout='output' is the one-layer readout; with num_layers > 1 use "
                             "'residual' (or 'auto')")
        _choice(self.implementation, "implementation", IMPLEMENTATIONS)
        _int(self.chunk_size, "chunk_size", 1)
        _int(self.subchunk_size, "subchunk_size", 1)
        if self.gating == "vector" and self.chunk_size % self.subchunk_size:
            raise ValueError(f"GLAConfig.subchunk_size must divide chunk_size, got {self.subchunk_size} and "
                             f"{self.chunk_size}")
        if isinstance(self.init_scale, bool) or not isinstance(self.init_scale, numbers.Real) or \
                not self.init_scale >= 0:
            raise ValueError(f"GLAConfig.init_scale must be a real number >= 0, got {self.init_scale!r}")
        if self.gate_bias_init is not None and (isinstance(self.gate_bias_init, bool) or
                                                not isinstance(self.gate_bias_init, numbers.Real)):
            raise TypeError(f"GLAConfig.gate_bias_init must be a real number or None, got "
                            f"{type(self.gate_bias_init).__name__}")
        resolve_dtype(self.dtype, "GLAConfig.dtype")
        if not isinstance(self.device, (str, torch.device)):
            raise TypeError(f"GLAConfig.device must be a string or torch.device, got {type(self.device).__name__}")

    # ------------------------------------------------------------------ derived
    @property
    def d_model(self) -> int:
        """Token dimension ``d + 1 + p``."""
        return self.d + 1 + self.num_context

    @property
    def key_dim(self) -> int:
        return self.d if self.d_key is None else self.d_key

    @property
    def label_index(self) -> int:
        """Index of the label coordinate ``y`` in a token (``d``, 0-based)."""
        return self.d

    @property
    def gate_in_dim(self) -> int:
        return self.d_model if self.gate_input == "all" else self.num_context

    @property
    def effective_readout(self) -> str:
        if self.readout != "auto":
            return self.readout
        return "output" if self.num_layers == 1 else "residual"

    @property
    def torch_dtype(self) -> torch.dtype:
        return resolve_dtype(self.dtype)

    def replace(self, **changes) -> GLAConfig:
        """A validated copy with ``changes`` applied."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise TypeError(f"GLAConfig has no field(s) {unknown}")
        return replace(self, **changes)
