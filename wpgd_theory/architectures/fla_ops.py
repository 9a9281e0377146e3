r"""flash-linear-attention's operators, imported lazily and adapted to one layout.

Every architecture of :mod:`wpgd_theory.architectures` is run through *fla's own*
functions (package ``fla-core``): on the CPU the plain-torch reference implementations
(``fla/ops/*/naive.py``, ``recurrent_naive.py``), never a copy of them.  fla's ops differ
in layout (``(B, T, H, K)`` or ``(B, H, T, K)``), in where the ``K^{-1/2}`` query scale is
applied (an argument, or fixed) and in how decays are given (log-space, per head or per
key dimension); the adapters below take one layout — ``q, k (B, T, H, K)``,
``v (B, T, H, V)``, log-decays ``(B, T, H)`` or ``(B, T, H, K)`` — and return the output
``o (B, T, H, V)`` in float32 with *no* query scaling (scale 1), so that the recurrences
are exactly

* linear attention: ``S_t = S_{t−1} + k_t v_tᵀ``, ``o_t = S_tᵀ q_t``;
* simple GLA (Mamba-2's SSD form): ``S_t = e^{g_t} S_{t−1} + k_t v_tᵀ``;
* GLA: ``S_t = diag(e^{g_t}) S_{t−1} + k_t v_tᵀ`` (key-dimension decay);
* RWKV-6: ``o_t = (S_{t−1} + diag(u) k_t v_tᵀ)ᵀ q_t``, ``S_t = diag(e^{w_t}) S_{t−1} + k_t v_tᵀ``
  (exclusive decay, bonus ``u`` on the current token);
* retention: ``o_t = Σ_{s ≤ t} γ_h^{t−s} (q_tᵀ k_s) v_s`` with fla's fixed
  ``γ_h = 1 − 2^{−5−h}``;
* delta rule: ``S_t = S_{t−1} + β_t k_t (v_t − S_{t−1}ᵀ k_t)ᵀ``;
* gated delta rule: ``S̃ = e^{g_t} S_{t−1}``, ``S_t = S̃ + β_t k_t (v_t − S̃ᵀ k_t)ᵀ``.

Importing fla on a CPU-only machine needs ``triton``, ``einops`` and ``packaging``
(``fla`` warns that Triton is not supported and falls back to the CPU).
"""

from __future__ import annotations

import functools
import importlib
import threading
import warnings

import torch

__all__ = [
    "fla_available",
    "fla_version",
    "retention_decays",
    "linear_attention",
    "simple_gla",
    "gla",
    "rwkv6",
    "retention",
    "delta_rule",
    "gated_delta_rule",
    "based",
    "forgetting_attn",
    "kda",
    "comba",
    "gated_delta_product",
    "gsa",
    "hgrn",
    "mesa_net",
    "log_linear_attn",
    "dplr",
    "rwkv7",
    "rebased",
    "lightning_log_decays",
    "OPS",
]


#: fla's modules are imported one at a time: two threads importing parts of fla at once (e.g.
#: ``architectures.train.train_classes``) can see a partly initialised ``fla.ops`` (circular imports)
_IMPORT_LOCK = threading.Lock()


@functools.cache
def _module(name: str):
    with _IMPORT_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Triton is not supported on current platform, roll back to CPU."
        return importlib.import_module(name)


def fla_available() -> bool:
    r"""Return whether ``fla`` (package ``fla-core``) imports here.

    The architecture checks of claims G1, G4 and T1 run through fla's ops; where this is
    ``False`` they report the layers as unavailable instead of failing.

    Returns
    -------
    bool
        ``True`` if ``fla.ops.gla.naive`` imports (any import failure gives ``False``).

    Examples
    --------
    >>> isinstance(fla_available(), bool)
    True
    """
    try:
        _module("fla.ops.gla.naive")
    except Exception:  # noqa: BLE001 - any import failure means "not available"
        return False
    return True


def fla_version() -> str | None:
    r"""Return the installed ``fla`` version (recorded in the architecture checks' details).

    Returns
    -------
    str or None
        ``fla.__version__``, or ``None`` if ``fla`` does not import.

    Examples
    --------
    >>> v = fla_version()
    >>> v is None or isinstance(v, str)
    True
    """
    try:
        return str(_module("fla").__version__)
    except Exception:  # noqa: BLE001
        return None


def _f32(*ts):
    return [t.to(torch.float32) for t in ts]


def _bhtk(t):
    return t.transpose(1, 2).contiguous()


def linear_attention(q, k, v):
    r"""Linear attention through ``fla.ops.linear_attn.naive.naive_recurrent_linear_attn`` with ``scale=1``.

    ``S_t = S_{t−1} + k_t v_tᵀ``, ``o_t = S_tᵀ q_t`` (``S_0 = 0``): one step of causal WPGD with
    uniform weights (claims G1, G4).

    Parameters
    ----------
    q, k : torch.Tensor of shape (B, T, H, K)
        The queries and keys (any float dtype; computed in float32).
    v : torch.Tensor of shape (B, T, H, V)
        The values.

    Returns
    -------
    torch.Tensor of shape (B, T, H, V)
        The outputs ``o_t``, float32.

    Raises
    ------
    ImportError
        If ``fla`` (package ``fla-core``) is not installed (see :func:`fla_available`).

    Examples
    --------
    >>> import torch
    >>> x = torch.ones(1, 3, 1, 1)
    >>> linear_attention(x, x, x)[0, :, 0, 0].tolist()
    [1.0, 2.0, 3.0]
    """
    op = _module("fla.ops.linear_attn.naive").naive_recurrent_linear_attn
    q, k, v = _f32(q, k, v)
    o, _ = op(q, k, v, scale=1.0)
    return o


def simple_gla(q, k, v, g):
    r"""Simple GLA (Mamba-2's SSD form) through ``fla.ops.simple_gla.naive.naive_recurrent_simple_gla``, ``scale=1``.

    ``S_t = e^{g_t} S_{t−1} + k_t v_tᵀ``, ``o_t = S_tᵀ q_t``: a scalar gate per head and token,
    so WPGD with weights ``ω_s = e^{g_{s+1} + … + g_t}`` (claims G1, G4).

    Parameters
    ----------
    q, k : torch.Tensor of shape (B, T, H, K)
        The queries and keys (any float dtype; computed in float32).
    v : torch.Tensor of shape (B, T, H, V)
        The values.
    g : torch.Tensor of shape (B, T, H)
        The log-decays ``g_t ≤ 0``.

    Returns
    -------
    torch.Tensor of shape (B, T, H, V)
        The outputs ``o_t``, float32.

    Raises
    ------
    ImportError
        If ``fla`` (package ``fla-core``) is not installed (see :func:`fla_available`).

    Examples
    --------
    >>> import math, torch
    >>> x = torch.ones(1, 3, 1, 1)
    >>> [round(o, 4) for o in simple_gla(x, x, x, torch.full((1, 3, 1), math.log(0.5)))[0, :, 0, 0].tolist()]
    [1.0, 1.5, 1.75]
    """
    op = _module("fla.ops.simple_gla.naive").naive_recurrent_simple_gla
    q, k, v, g = _f32(q, k, v, g)
    o, _ = op(q, k, v, g, scale=1.0)
    return o


def gla(q, k, v, gk):
    r"""GLA through ``fla.ops.gla.naive.naive_recurrent_gla`` (key-dimension log-decays), scale 1.

    ``S_t = diag(e^{gk_t}) S_{t−1} + k_t v_tᵀ``, ``o_t = S_tᵀ q_t`` (claims G1, G4).
    fla's op applies the fixed scale ``K^{−1/2}`` to ``q``; it is undone by passing
    ``q·K^{1/2}`` (a power of two times ``q`` when ``K`` is a power of four; otherwise one
    extra float32 rounding, covered by the tolerance).

    Parameters
    ----------
    q, k : torch.Tensor of shape (B, T, H, K)
        The queries and keys (any float dtype; computed in float32).
    v : torch.Tensor of shape (B, T, H, V)
        The values.
    gk : torch.Tensor of shape (B, T, H, K)
        The log-decays, one per key dimension.

    Returns
    -------
    torch.Tensor of shape (B, T, H, V)
        The outputs ``o_t``, float32.

    Raises
    ------
    ImportError
        If ``fla`` (package ``fla-core``) is not installed (see :func:`fla_available`).

    Examples
    --------
    >>> import math, torch
    >>> x, v = torch.ones(1, 3, 1, 2), torch.ones(1, 3, 1, 1)
    >>> [round(o, 4) for o in gla(x, x, v, torch.full((1, 3, 1, 2), math.log(0.5)))[0, :, 0, 0].tolist()]
    [2.0, 3.0, 3.5]
    """
    op = _module("fla.ops.gla.naive").naive_recurrent_gla
    q, k, v, gk = _f32(q, k, v, gk)
    o, _ = op(q * q.shape[-1] ** 0.5, k, v, gk)
    return o


def rwkv6(q, k, v, w, u):
    r"""RWKV-6 via ``fla.ops.rwkv6.recurrent_naive.naive_recurrent_rwkv6`` (layout ``(B,H,T,K)`` inside), ``scale=1``.

    ``o_t = (S_{t−1} + diag(u) k_t v_tᵀ)ᵀ q_t``, ``S_t = diag(e^{w_t}) S_{t−1} + k_t v_tᵀ``:
    the decay is exclusive and the current token gets the bonus ``u`` (claim G1).

    Parameters
    ----------
    q, k : torch.Tensor of shape (B, T, H, K)
        The queries and keys (any float dtype; computed in float32).
    v : torch.Tensor of shape (B, T, H, V)
        The values.
    w : torch.Tensor of shape (B, T, H, K)
        The log-decays.
    u : torch.Tensor of shape (H, K)
        The bonus on the current token.

    Returns
    -------
    torch.Tensor of shape (B, T, H, V)
        The outputs ``o_t``, float32.

    Raises
    ------
    ImportError
        If ``fla`` (package ``fla-core``) is not installed (see :func:`fla_available`).

    Examples
    --------
    >>> import math, torch
    >>> x = torch.ones(1, 3, 1, 1)
    >>> o = rwkv6(x, x, x, torch.full((1, 3, 1, 1), math.log(0.5)), torch.zeros(1, 1))
    >>> [round(v, 4) for v in o[0, :, 0, 0].tolist()]
    [0.0, 1.0, 1.5]
    """
    op = _module("fla.ops.rwkv6.recurrent_naive").naive_recurrent_rwkv6
    q, k, v, w, u = _f32(q, k, v, w, u)
    o, _ = op(_bhtk(q), _bhtk(k), _bhtk(v), _bhtk(w), u, scale=1.0)
    return _bhtk(o)


def retention_decays(num_heads: int) -> torch.Tensor:
    r"""Return fla's RetNet decays ``γ_h = 1 − 2^{−5−h}``, ``h = 0..H−1`` in float32.

    As ``naive_retention`` computes them: the per-head weights ``ω_s = γ_h^{t−s}`` of
    :func:`retention` (claim G1).

    Parameters
    ----------
    num_heads : int
        The number of heads ``H``.

    Returns
    -------
    torch.Tensor of shape (H,)
        The decays ``γ_h`` in float32.

    Examples
    --------
    >>> [round(g, 6) for g in retention_decays(2).tolist()]
    [0.96875, 0.984375]
    """
    h = torch.arange(num_heads, dtype=torch.float32)
    return torch.exp2(torch.log2(1 - torch.pow(torch.tensor(2.0), -5.0 - h)))


def retention(q, k, v):
    r"""Retention (RetNet) through ``fla.ops.retention.naive.naive_retention``, scale 1.

    Layout ``(B, H, T, K)`` inside; fla's fixed scale ``K^{−1/2}`` is undone.
    ``o_t = Σ_{s ≤ t} γ_h^{t−s} (q_tᵀ k_s) v_s`` with fla's fixed ``γ_h = 1 − 2^{−5−h}``
    (:func:`retention_decays`; claim G1).

    Parameters
    ----------
    q, k : torch.Tensor of shape (B, T, H, K)
        The queries and keys (any float dtype; computed in float32).
    v : torch.Tensor of shape (B, T, H, V)
        The values.

    Returns
    -------
    torch.Tensor of shape (B, T, H, V)
        The outputs ``o_t``, float32.

    Raises
    ------
    ImportError
        If ``fla`` (package ``fla-core``) is not installed (see :func:`fla_available`).

    Examples
    --------
    >>> import torch
    >>> x = torch.ones(1, 3, 1, 1)
    >>> [round(o, 4) for o in retention(x, x, x)[0, :, 0, 0].tolist()]
    [1.0, 1.9688, 2.9072]
    """
    op = _module("fla.ops.retention.naive").naive_retention
    q, k, v = _f32(q, k, v)
    o = op(_bhtk(q * q.shape[-1] ** 0.5), _bhtk(k), _bhtk(v))
    return _bhtk(o)


def delta_rule(q, k, v, beta):
    r"""DeltaNet through ``fla.ops.delta_rule.naive.delta_rule_recurrence``, scale 1.

    Layout ``(B, H, T, K)`` inside; fla's fixed scale is undone.
    ``S_t = S_{t−1} + β_t k_t (v_t − S_{t−1}ᵀ k_t)ᵀ``, ``o_t = S_tᵀ q_t``: one online
    gradient step per token on ``½‖Sᵀk_t − v_t‖²`` (claim G1).

    Parameters
    ----------
    q, k : torch.Tensor of shape (B, T, H, K)
        The queries and keys (any float dtype; computed in float32).
    v : torch.Tensor of shape (B, T, H, V)
        The values.
    beta : torch.Tensor of shape (B, T, H)
        The per-token step sizes ``β_t``.

    Returns
    -------
    torch.Tensor of shape (B, T, H, V)
        The outputs ``o_t``, float32.

    Raises
    ------
    ImportError
        If ``fla`` (package ``fla-core``) is not installed (see :func:`fla_available`).

    Examples
    --------
    >>> import torch
    >>> x = torch.ones(1, 3, 1, 1)
    >>> [round(o, 4) for o in delta_rule(x, x, x, torch.full((1, 3, 1), 0.5))[0, :, 0, 0].tolist()]
    [0.5, 0.75, 0.875]
    """
    op = _module("fla.ops.delta_rule.naive").delta_rule_recurrence
    q, k, v, beta = _f32(q, k, v, beta)
    o, _ = op(_bhtk(q * q.shape[-1] ** 0.5), _bhtk(k), _bhtk(v), beta.transpose(1, 2).contiguous())
    return _bhtk(o)


def gated_delta_rule(q, k, v, beta, g):
    r"""Gated DeltaNet through ``fla.ops.gated_delta_rule.naive.naive_recurrent_gated_delta_rule`` with ``scale=1``.

    ``S̃ = e^{g_t} S_{t−1}``, ``S_t = S̃ + β_t k_t (v_t − S̃ᵀ k_t)ᵀ``, ``o_t = S_tᵀ q_t`` (claim G1).

    Parameters
    ----------
    q, k : torch.Tensor of shape (B, T, H, K)
        The queries and keys (any float dtype; computed in float32).
    v : torch.Tensor of shape (B, T, H, V)
        The values.
    beta : torch.Tensor of shape (B, T, H)
        The per-token step sizes ``β_t``.
    g : torch.Tensor of shape (B, T, H)
        The log-decays ``g_t ≤ 0``.

    Returns
    -------
    torch.Tensor of shape (B, T, H, V)
        The outputs ``o_t``, float32.

    Raises
    ------
    ImportError
        If ``fla`` (package ``fla-core``) is not installed (see :func:`fla_available`).

    Examples
    --------
    >>> import torch
    >>> x, z = torch.ones(1, 3, 1, 1), torch.zeros(1, 3, 1)
    >>> [round(o, 4) for o in gated_delta_rule(x, x, x, z + 0.5, z)[0, :, 0, 0].tolist()]
    [0.5, 0.75, 0.875]
    """
    op = _module("fla.ops.gated_delta_rule.naive").naive_recurrent_gated_delta_rule
    q, k, v, beta, g = _f32(q, k, v, beta, g)
    o, _ = op(q, k, v, beta, g, scale=1.0)
    return o


def based(q, k, v, use_norm=False):
    r"""Based through ``fla.ops.based.naive.naive_parallel_based`` (layout ``(B, H, T, K)`` inside), ``scale=1``.

    ``o_t = Σ_{s≤t} (1 + a + a²/2) v_s`` with ``a = q_tᵀk_s`` (the 2nd-order Taylor feature map),
    divided by ``Σ_{s≤t} (1 + a + a²/2)`` if ``use_norm``.  Claim G1: two heads ``±q`` mixed
    ``(1/2, −1/2)`` without the normaliser leave ``Σ_s (q_tᵀk_s) v_s`` (one-step WPGD); the
    normalised op is a negative control.

    Parameters
    ----------
    q, k : torch.Tensor of shape (B, T, H, K)
        The queries and keys (any float dtype; computed in float32).
    v : torch.Tensor of shape (B, T, H, V)
        The values.
    use_norm : bool, default False
        Apply fla's normaliser.

    Returns
    -------
    torch.Tensor of shape (B, T, H, V)
        The outputs ``o_t``, float32.

    Raises
    ------
    ImportError
        If ``fla`` (package ``fla-core``) is not installed (see :func:`fla_available`).

    Examples
    --------
    >>> import torch
    >>> x = torch.ones(1, 3, 1, 1)
    >>> [round(o, 4) for o in based(x, x, x)[0, :, 0, 0].tolist()]
    [2.5, 5.0, 7.5]
    """
    op = _module("fla.ops.based.naive").naive_parallel_based
    q, k, v = _f32(q, k, v)
    return _bhtk(op(_bhtk(q), _bhtk(k), _bhtk(v), scale=1.0, use_norm=use_norm))


def forgetting_attn(q, k, v, g):
    r"""Forgetting attention (FoX) through ``fla.ops.forgetting_attn.naive.naive_forgetting_attn``, ``scale=1``.

    Softmax attention with a forget-gate bias:
    ``o_t = Σ_{s≤t} softmax_s(q_tᵀk_s + Σ_{j=s+1}^{t} g_j) v_s`` (claim G1: not one-step WPGD).

    Parameters
    ----------
    q, k : torch.Tensor of shape (B, T, H, K)
        The queries and keys (any float dtype; computed in float32).
    v : torch.Tensor of shape (B, T, H, V)
        The values.
    g : torch.Tensor of shape (B, T, H)
        The log forget gates ``g_t ≤ 0``.

    Returns
    -------
    torch.Tensor of shape (B, T, H, V)
        The outputs ``o_t``, float32.

    Raises
    ------
    ImportError
        If ``fla`` (package ``fla-core``) is not installed (see :func:`fla_available`).

    Examples
    --------
    >>> import torch
    >>> x, v = torch.ones(1, 3, 1, 1), torch.arange(1.0, 4.0).reshape(1, 3, 1, 1)
    >>> [round(o, 4) for o in forgetting_attn(x, x, v, torch.zeros(1, 3, 1))[0, :, 0, 0].tolist()]
    [1.0, 1.5, 2.0]
    """
    op = _module("fla.ops.forgetting_attn.naive").naive_forgetting_attn
    q, k, v, g = _f32(q, k, v, g)
    return op(q, k, v, g, scale=1.0)


def kda(q, k, v, g, beta):
    r"""Kimi Delta Attention through ``fla.ops.kda.naive.naive_recurrent_kda`` (key-dimension log-decays), ``scale=1``.

    ``S̃ = diag(e^{g_t}) S_{t−1}``, ``S_t = S̃ + β_t k_t (v_t − S̃ᵀ k_t)ᵀ``, ``o_t = S_tᵀ q_t`` (claim G1).

    Parameters
    ----------
    q, k : torch.Tensor of shape (B, T, H, K)
        The queries and keys (any float dtype; computed in float32).
    v : torch.Tensor of shape (B, T, H, V)
        The values.
    g : torch.Tensor of shape (B, T, H, K)
        The log-decays, one per key dimension.
    beta : torch.Tensor of shape (B, T, H)
        The per-token step sizes ``β_t``.

    Returns
    -------
    torch.Tensor of shape (B, T, H, V)
        The outputs ``o_t``, float32.

    Raises
    ------
    ImportError
        If ``fla`` (package ``fla-core``) is not installed (see :func:`fla_available`).

    Examples
    --------
    >>> import torch
    >>> x = torch.ones(1, 3, 1, 1)
    >>> [round(o, 4) for o in kda(x, x, x, torch.zeros(1, 3, 1, 1), torch.full((1, 3, 1), 0.5))[0, :, 0, 0].tolist()]
    [0.5, 0.75, 0.875]
    """
    op = _module("fla.ops.kda.naive").naive_recurrent_kda
    q, k, v, g, beta = _f32(q, k, v, g, beta)
    return op(q, k, v, g, beta, scale=1.0)[0]


def comba(q, k, v, p, beta, g):
    r"""Comba through ``fla.ops.comba.naive.naive_recurrent_comba``, ``scale=1``.

    A second key ``p`` and a scalar log-decay ``g``:
    ``S̃ = e^{g_t} S_{t−1}``, ``S_t = S̃ + β_t k_t (v_t − S̃ᵀ p_t)ᵀ``, ``o_t = S_tᵀ q_t`` (claim G1).

    Parameters
    ----------
    q, k : torch.Tensor of shape (B, T, H, K)
        The queries and keys (any float dtype; computed in float32).
    v : torch.Tensor of shape (B, T, H, V)
        The values.
    p : torch.Tensor of shape (B, T, H, K)
        The second key, read by the correction term.
    beta : torch.Tensor of shape (B, T, H)
        The per-token step sizes ``β_t``.
    g : torch.Tensor of shape (B, T, H)
        The log-decays ``g_t ≤ 0``.

    Returns
    -------
    torch.Tensor of shape (B, T, H, V)
        The outputs ``o_t``, float32.

    Raises
    ------
    ImportError
        If ``fla`` (package ``fla-core``) is not installed (see :func:`fla_available`).

    Examples
    --------
    >>> import torch
    >>> x, z = torch.ones(1, 3, 1, 1), torch.zeros(1, 3, 1)
    >>> [round(o, 4) for o in comba(x, x, x, 0 * x, z + 0.5, z)[0, :, 0, 0].tolist()]
    [0.5, 1.0, 1.5]
    """
    op = _module("fla.ops.comba.naive").naive_recurrent_comba
    q, k, v, p, beta, g = _f32(q, k, v, p, beta, g)
    return op(q, k, v, p, beta, g, scale=1.0)[0]


def gated_delta_product(q, k, v, g, beta, num_householder=2):
    r"""Gated DeltaProduct via ``fla.ops.gated_delta_product.naive.naive_recurrent_gated_delta_product``, scale 1.

    Per token, ``S ← e^{g_t} S_{t−1}`` and then ``n_h`` delta steps
    ``S ← S + β_{t,j} k_{t,j} (v_{t,j} − Sᵀ k_{t,j})ᵀ``, ``j = 1..n_h``; ``o_t = S_tᵀ q_t`` (claim G1).

    Parameters
    ----------
    q : torch.Tensor of shape (B, T, H, K)
        The queries.
    k : torch.Tensor of shape (B, T·n_h, H, K)
        The keys, ``n_h = num_householder`` rows per token.
    v : torch.Tensor of shape (B, T·n_h, H, V)
        The values, ``n_h`` rows per token.
    g : torch.Tensor of shape (B, T, H)
        The log-decays ``g_t ≤ 0``.
    beta : torch.Tensor of shape (B, T·n_h, H)
        The step sizes ``β_{t,j}``.
    num_householder : int, default 2
        ``n_h``, the delta (Householder) steps per token.

    Returns
    -------
    torch.Tensor of shape (B, T, H, V)
        The outputs ``o_t``, float32.

    Raises
    ------
    ImportError
        If ``fla`` (package ``fla-core``) is not installed (see :func:`fla_available`).

    Examples
    --------
    >>> import torch
    >>> q, kv = torch.ones(1, 2, 1, 1), torch.ones(1, 4, 1, 1)
    >>> o = gated_delta_product(q, kv, kv, torch.zeros(1, 2, 1), torch.full((1, 4, 1), 0.5))
    >>> [round(v, 4) for v in o[0, :, 0, 0].tolist()]
    [0.75, 0.9375]
    """
    op = _module("fla.ops.gated_delta_product.naive").naive_recurrent_gated_delta_product
    q, k, v, g, beta = _f32(q, k, v, g, beta)
    return op(q, k, v, g, beta, 1.0, num_householder=num_householder)[0]


def gsa(q, k, v, s):
    r"""Gated Slot Attention through ``fla.ops.gsa.naive.naive_recurrent_gsa`` (gates from slot logits), scale 1.

    With ``z_t = logcumsumexp_{s≤t} s_s``, slot weights ``s̃_t = e^{s_t − z_t}`` and gates
    ``e^{z_{t−1} − z_t}``: keys are written into ``M`` slots, ``H^k_t = H^k_{t−1} diag(e^{z_{t−1}−z_t}) + k_t s̃_tᵀ``,
    read by ``a_t = softmax(H^{k}_tᵀ q_t)``; values likewise, ``o_t = H^{v}_tᵀ a_t`` (claim G1:
    not one-step WPGD, the read-out is a softmax).

    Parameters
    ----------
    q, k : torch.Tensor of shape (B, T, H, K)
        The queries and keys (any float dtype; computed in float32).
    v : torch.Tensor of shape (B, T, H, V)
        The values.
    s : torch.Tensor of shape (B, T, H, M)
        The slot logits (``M`` slots).

    Returns
    -------
    torch.Tensor of shape (B, T, H, V)
        The outputs ``o_t``, float32.

    Raises
    ------
    ImportError
        If ``fla`` (package ``fla-core``) is not installed (see :func:`fla_available`).

    Examples
    --------
    >>> import torch
    >>> x, v = torch.ones(1, 3, 1, 1), torch.arange(1.0, 4.0).reshape(1, 3, 1, 1)
    >>> [round(o, 4) for o in gsa(x, x, v, torch.zeros(1, 3, 1, 2))[0, :, 0, 0].tolist()]
    [1.0, 1.5, 2.0]
    """
    op = _module("fla.ops.gsa.naive").naive_recurrent_gsa
    q, k, v, s = _f32(q, k, v, s)
    return op(q, k, v, s, None, scale=1.0)[0]


def hgrn(x, g):
    r"""HGRN through ``fla.ops.hgrn.naive.naive_recurrent_hgrn``: ``h_t = e^{g_t} ⊙ h_{t−1} + x_t``.

    Per channel, ``o_t = h_t``.  No query or key: an elementwise gated recurrence (claim G1's negative control).

    Parameters
    ----------
    x : torch.Tensor of shape (B, T, D)
        The inputs.
    g : torch.Tensor of shape (B, T, D)
        The log-decays.

    Returns
    -------
    torch.Tensor of shape (B, T, D)
        The states ``h_t``, float32.

    Raises
    ------
    ImportError
        If ``fla`` (package ``fla-core``) is not installed (see :func:`fla_available`).

    Examples
    --------
    >>> import math, torch
    >>> o = hgrn(torch.ones(1, 3, 1), torch.full((1, 3, 1), math.log(0.5)))
    >>> [round(v, 4) for v in o[0, :, 0].tolist()]
    [1.0, 1.5, 1.75]
    """
    op = _module("fla.ops.hgrn.naive").naive_recurrent_hgrn
    x, g = _f32(x, g)
    return op(x, g)[0]


def mesa_net(q, k, v, g, lamb, beta):
    r"""MesaNet through ``fla.ops.mesa_net.naive.naive_mesa_net_exact`` (exact solve).

    ``H^{kk}_t = e^{g_t} H^{kk}_{t−1} + β_t k_t k_tᵀ``, ``H^{kv}_t = e^{g_t} H^{kv}_{t−1} + β_t k_t v_tᵀ``,
    ``o_t = H^{kv}_tᵀ (H^{kk}_t + diag λ)^{−1} q_t``: the in-context ridge-regression solution
    (claim G1; its limit is :mod:`wpgd_theory.architectures.mesa_limit`).

    Parameters
    ----------
    q, k : torch.Tensor of shape (B, T, H, K)
        The queries and keys.
    v : torch.Tensor of shape (B, T, H, K)
        The values (MesaNet's values have the key dimension).
    g : torch.Tensor of shape (B, T, H)
        The log-decays ``g_t ≤ 0``.
    lamb : torch.Tensor of shape (H, K)
        The ridge ``λ``.
    beta : torch.Tensor of shape (B, T, H)
        The per-token write strengths ``β_t``.

    Returns
    -------
    torch.Tensor of shape (B, T, H, K)
        The outputs ``o_t``, float32.

    Raises
    ------
    ImportError
        If ``fla`` (package ``fla-core``) is not installed (see :func:`fla_available`).

    Examples
    --------
    >>> import torch
    >>> x, z = torch.ones(1, 3, 1, 1), torch.zeros(1, 3, 1)
    >>> [round(o, 4) for o in mesa_net(x, x, x, z, torch.ones(1, 1), z + 1)[0, :, 0, 0].tolist()]
    [0.5, 0.6667, 0.75]
    """
    op = _module("fla.ops.mesa_net.naive").naive_mesa_net_exact
    q, k, v, g, lamb, beta = _f32(q, k, v, g, lamb, beta)
    return op(q, k, v, g, lamb, beta)[0]


def log_linear_attn(q, k, v, g, level_scales):
    """``fla.ops.log_linear_attn.naive.naive_log_linear_attn`` (scalar log decay ``g (B,T,H)``, per-level
    scales ``level_scales (B,T,H,L)`` read at the *query* token), ``scale=1``.

    Parameters
    ----------
    q, k, v : torch.Tensor
        ``(B, T, H, K)``, ``(B, T, H, K)``, ``(B, T, H, V)``.
    g : torch.Tensor
        ``(B, T, H)`` log decays.
    level_scales : torch.Tensor
        ``(B, T, H, L)``, ``L ≥ ⌈log₂ T⌉ + 1`` Fenwick levels (level 0 is the token itself).

    Returns
    -------
    torch.Tensor
        ``o (B, T, H, V)``: ``o_t = Σ_{s ≤ t} λ_t^{(ℓ(t,s))} e^{Σ_{j=s+1}^{t} g_j} (q_tᵀk_s) v_s``.

    Examples
    --------
    >>> import torch
    >>> o = log_linear_attn(*(torch.ones(1, 4, 1, 2),) * 3, torch.zeros(1, 4, 1), torch.ones(1, 4, 1, 3))
    >>> tuple(o.shape)
    (1, 4, 1, 2)
    """
    op = _module("fla.ops.log_linear_attn.naive").naive_log_linear_attn
    q, k, v, g, level_scales = _f32(q, k, v, g, level_scales)
    return op(q, k, v, g, level_scales, scale=1.0)


def dplr(q, k, v, alpha, beta, gk):
    """``fla.ops.generalized_delta_rule.dplr.naive.dplr_recurrence`` (layout ``(B,H,T,K)`` inside; its fixed
    scale ``K^{−1/2}`` undone): ``S_t = diag(e^{gk_t}) S_{t−1} + k_t v_tᵀ + β_t (α_tᵀ S_{t−1})``, ``o_t = S_tᵀ q_t``.

    Parameters
    ----------
    q, k, alpha, beta, gk : torch.Tensor
        ``(B, T, H, K)`` (``gk`` the log decays).
    v : torch.Tensor
        ``(B, T, H, V)``.

    Returns
    -------
    torch.Tensor
        ``o (B, T, H, V)``.

    Examples
    --------
    >>> import torch
    >>> z = torch.zeros(1, 3, 1, 2)
    >>> tuple(dplr(z + 1, z + 1, z + 1, z, z, z).shape)
    (1, 3, 1, 2)
    """
    op = _module("fla.ops.generalized_delta_rule.dplr.naive").dplr_recurrence
    q, k, v, alpha, beta, gk = _f32(q, k, v, alpha, beta, gk)
    o, _ = op(_bhtk(q * q.shape[-1] ** 0.5), _bhtk(k), _bhtk(v), _bhtk(alpha), _bhtk(beta), _bhtk(gk))
    return _bhtk(o)


def rwkv7(q, k, v, w, a, k_a=0.0):
    r"""RWKV-7's parameterisation (``fla.layers.RWKV7Attention``) on :func:`dplr`: ``kk = k/‖k‖``,
    ``k ← k (1 + (a − 1) k_a)``, ``α = −kk``, ``β = kk ⊙ a`` (``a`` the in-context learning rate),
    ``gk = w`` (RWKV-7's log decay ``w = −e^{−1/2} σ(·) ∈ (−0.607, 0)``), as the layer passes them to
    ``chunk_rwkv7`` (whose CPU twin is fla's naive DPLR recurrence).

    Parameters
    ----------
    q, k, v : torch.Tensor
        ``(B, T, H, K)``, ``(B, T, H, K)``, ``(B, T, H, V)`` (``q`` is RWKV's receptance ``r``).
    w, a : torch.Tensor
        ``(B, T, H, K)`` log decays and in-context learning rates (broadcastable).
    k_a : float or torch.Tensor
        The layer's ``k_a`` (``(K,)`` or a scalar).

    Returns
    -------
    torch.Tensor
        ``o (B, T, H, V)``.

    Examples
    --------
    >>> import torch
    >>> x = torch.ones(1, 3, 1, 2)
    >>> tuple(rwkv7(x, x, x, 0 * x, 0 * x).shape)
    (1, 3, 1, 2)
    """
    q, k, v, w, a = _f32(q, k, v, w, torch.as_tensor(a))
    a = a.expand_as(k)
    kk = torch.nn.functional.normalize(k, dim=-1, p=2.0)
    k = k * (1 + (a - 1) * k_a)
    return dplr(q, k, v, -kk, kk * a, w.expand_as(k))


def rebased(q, k, v, use_norm=False):
    """``fla.ops.rebased.naive.naive_parallel_rebased`` (layout ``(B,H,T,K)`` inside), ``scale=1``:
    ``o_t = Σ_{s≤t} (q_tᵀk_s)² v_s``, divided by ``Σ_s (q_tᵀk_s)² + 10⁻⁶`` if ``use_norm``.

    Parameters
    ----------
    q, k, v : torch.Tensor
        ``(B, T, H, K)``, ``(B, T, H, K)``, ``(B, T, H, V)`` (``q, k`` after ReBased's feature map).
    use_norm : bool
        fla's normaliser (the layer always applies it).

    Returns
    -------
    torch.Tensor
        ``o (B, T, H, V)``.

    Examples
    --------
    >>> import torch
    >>> x = torch.ones(1, 2, 1, 1)
    >>> rebased(x, x, x)[0, :, 0, 0].tolist()
    [1.0, 2.0]
    """
    op = _module("fla.ops.rebased.naive").naive_parallel_rebased
    q, k, v = _f32(q, k, v)
    return _bhtk(op(_bhtk(q), _bhtk(k), _bhtk(v), scale=1.0, use_norm=use_norm))


def lightning_log_decays(num_heads: int, layer_idx: int = 0, num_layers: int = 1) -> torch.Tensor:
    """Lightning attention's fixed per-head log decays, as ``fla.ops.lightning_attn.chunk_lightning_attn``
    builds them (its Triton-only op is not called): ``g_h = −(8/H)(1 − layer_idx/L)·h``, ``h = 0..H−1``.

    Parameters
    ----------
    num_heads : int
        ``H``.
    layer_idx, num_layers : int
        The layer's index in the stack and the stack's depth ``L``.

    Returns
    -------
    torch.Tensor
        ``(H,)`` float32 log decays (head 0 does not decay).

    Examples
    --------
    >>> lightning_log_decays(4).tolist()
    [-0.0, -2.0, -4.0, -6.0]
    """
    H, L = int(num_heads), int(num_layers)
    return -(8 / H * (1 - layer_idx / L)) * torch.arange(H, dtype=torch.float)


#: name -> (adapter, fla function it calls)
OPS = {
    "linear_attention": (linear_attention, "fla.ops.linear_attn.naive.naive_recurrent_linear_attn"),
    "simple_gla": (simple_gla, "fla.ops.simple_gla.naive.naive_recurrent_simple_gla"),
    "gla": (gla, "fla.ops.gla.naive.naive_recurrent_gla"),
    "rwkv6": (rwkv6, "fla.ops.rwkv6.recurrent_naive.naive_recurrent_rwkv6"),
    "retention": (retention, "fla.ops.retention.naive.naive_retention"),
    "delta_rule": (delta_rule, "fla.ops.delta_rule.naive.delta_rule_recurrence"),
    "gated_delta_rule": (gated_delta_rule, "fla.ops.gated_delta_rule.naive.naive_recurrent_gated_delta_rule"),
    "based": (based, "fla.ops.based.naive.naive_parallel_based"),
    "forgetting_attn": (forgetting_attn, "fla.ops.forgetting_attn.naive.naive_forgetting_attn"),
    "kda": (kda, "fla.ops.kda.naive.naive_recurrent_kda"),
    "comba": (comba, "fla.ops.comba.naive.naive_recurrent_comba"),
    "gated_delta_product": (gated_delta_product,
                            "fla.ops.gated_delta_product.naive.naive_recurrent_gated_delta_product"),
    "gsa": (gsa, "fla.ops.gsa.naive.naive_recurrent_gsa"),
    "hgrn": (hgrn, "fla.ops.hgrn.naive.naive_recurrent_hgrn"),
    "mesa_net": (mesa_net, "fla.ops.mesa_net.naive.naive_mesa_net_exact"),
    "log_linear_attn": (log_linear_attn, "fla.ops.log_linear_attn.naive.naive_log_linear_attn"),
    "dplr": (dplr, "fla.ops.generalized_delta_rule.dplr.naive.dplr_recurrence"),
    "rwkv7": (rwkv7, "fla.ops.generalized_delta_rule.dplr.naive.dplr_recurrence (RWKV-7's a, b, w)"),
    "rebased": (rebased, "fla.ops.rebased.naive.naive_parallel_rebased"),
}
