r"""flash-linear-attention's *layers* (package ``flash-linear-attention``): which components must be
the identity for the WPGD construction to hold (issue 13, item 5), checked on the modules.

Tokens are ``h_t = [x_t; y_t; e_t] ∈ R^{d+1+T}`` (``e_t`` the positional one-hot, ``y_{n+1} = 0``)
and the prediction is the layer's output at the query, label coordinate.

**GLA** (:class:`fla.layers.GatedLinearAttention`, one head, ``d_k = d``, ``d_v = 1``):
``q_proj = d^{1/2} [P_q, 0, 0]`` (undoing fla's ``d_k^{−1/2}``), ``k_proj = [P_k, 0, 0]``,
``v_proj = e_{d+1}ᵀ``, ``o_proj = e_{d+1}``, and the gate ``gk = logsigmoid(W₂W₁h)/16`` reads the
positional coordinates: ``W₁`` row 0 holds ``z_t = logit(g_t^{16})``, ``W₂ = 𝟙e₁ᵀ``, so every key
dimension decays by ``g_t ∈ (0, 1)`` (``0`` and ``1`` are limits of the sigmoid, not reached).
Then ``ŷ = xᵀPXᵀ(ω⊙y)``, ``ω_i = Π_{j>i} g_j`` (G1) provided

* ``feature_map=None`` and ``use_short_conv=False`` (the short convolution ends in SiLU);
* ``use_output_gate=False`` (the swish output gate multiplies by ``swish(g_proj h)``);
* the output normalisation ``g_norm`` (an RMSNorm over the head's values, *always* applied;
  no option turns it off) replaced by the identity: ``o/rms(o)`` is not linear in ``y``.

On a CPU the layer's Triton kernel (``fused_recurrent_gla``) is swapped for fla's reference op
``naive_recurrent_gla`` (same arguments and the same default scale) while the layer runs.

**Mamba-2** (:class:`fla.layers.Mamba2`, its own chunked torch SSD on CPU; one head of
``head_dim = d+1+T``, state size ``d``): ``in_proj`` gives ``x_t = y_t e₁`` (the SSM input),
``B_t = P_k x_t``, ``C_t = P_q x_t``, ``dt_t`` from the positional coordinates and the gate
``z_t = 1`` (bias); the construction holds provided

* the activation ``act`` after the short convolution (SiLU; fla's activations offer no identity,
  so the module's ``act`` is replaced) is the identity, and the convolution kernel is the delta
  ``(0, …, 0, 1)`` with zero bias;
* ``rmsnorm=False`` (the gated RMSNorm normalises) and the gate ``z`` constant (then
  ``y·act(z) = y``);
* the ``D`` skip is harmless: it adds ``D·x_{n+1} = D·y_{n+1} e₁ = 0`` at the query.

:func:`layer_conformance` runs each layer with every component at the identity (must match
``wpgd_predict``) and with each component in turn switched back to fla's default (must not).
"""

from __future__ import annotations

import contextlib
import logging
import warnings

import numpy as np
import torch

from ..wpgd import wpgd_predict
from .fit import wpgd_terms
from .registry import Conformance, float32_tolerance, sample_prompts

__all__ = ["gla_layer", "mamba2_layer", "layer_conformance", "LAYER_COMPONENTS", "layers_available"]

#: components checked per layer: name -> what "not identity" means
LAYER_COMPONENTS = {
    "gla": ("short_conv", "output_gate", "g_norm", "feature_map"),
    "mamba2": ("conv_activation", "rmsnorm", "gate"),
}


def _layers():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import fla.layers

        return fla.layers


@contextlib.contextmanager
def _quiet():
    loggers = [logging.getLogger(name) for name in ("fla", "fla.layers.mamba2")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def layers_available() -> bool:
    r"""Return whether ``flash-linear-attention``'s layers (``fla.layers``) import here.

    Where this is ``False`` the layer checks of claims G1 and T1 report the layers as
    unavailable instead of failing.

    Returns
    -------
    bool
        ``True`` if ``fla.layers`` imports (any import failure gives ``False``).

    Examples
    --------
    >>> isinstance(layers_available(), bool)
    True
    """
    try:
        _layers()
    except Exception:  # noqa: BLE001
        return False
    return True


def _tokens(X, y, x):
    B, n, d = X.shape
    T = n + 1
    H = np.zeros((B, T, d + 1 + T))
    H[:, :n, :d] = X
    H[:, n, :d] = x
    H[:, :n, d] = y
    H[:, :, d + 1:] = np.eye(T)[None]
    return torch.as_tensor(H, dtype=torch.float32)


def _set(p, value):
    with torch.no_grad():
        p.copy_(torch.as_tensor(np.asarray(value), dtype=p.dtype))


@contextlib.contextmanager
def _naive_gla_kernel(module):
    """On a CPU, let the GLA layer call fla's reference op instead of its Triton kernel."""
    if torch.cuda.is_available():
        yield
        return
    import fla.layers.gla as gla_mod
    from fla.ops.gla.naive import naive_recurrent_gla

    def naive(q, k, v, gk, initial_state=None, output_final_state=False, **_):
        return naive_recurrent_gla(q, k, v, gk, initial_state=initial_state, output_final_state=output_final_state)

    saved = gla_mod.fused_recurrent_gla
    gla_mod.fused_recurrent_gla = naive
    try:
        yield
    finally:
        gla_mod.fused_recurrent_gla = saved


def gla_layer(Pk, Pq, gates, *, short_conv=False, output_gate=False, g_norm=False, feature_map=None, seed=0):
    r"""Build a :class:`fla.layers.GatedLinearAttention` loaded with the G1 construction (module docstring).

    One head, ``d_k = d``, ``d_v = 1``; with every component at the identity its output at the
    query's label coordinate is ``ŷ = xᵀ P Xᵀ(ω ⊙ y)``, ``P = P_qᵀP_k``,
    ``ω_i = Π_{j=i+1}^{n+1} g_j`` (claim G1): the recurrence
    ``S_t = diag(g_t) S_{t−1} + k_t v_tᵀ``, ``o_t = S_tᵀ q_t``.

    Parameters
    ----------
    Pk, Pq : numpy.ndarray of shape (d, d)
        The key and query maps.
    gates : numpy.ndarray of shape (T,)
        The gates ``g_t ∈ (0, 1)`` per position, ``T = n + 1``.
    short_conv, output_gate, g_norm : bool, default False
        Switch fla's short convolution, swish output gate or output RMSNorm back on.
    feature_map : str or None, default None
        fla's feature map on ``q, k`` (e.g. ``"relu"``); ``None`` is the identity.
    seed : int, default 0
        Torch seed of the parameters the construction does not set.

    Returns
    -------
    fla.layers.GatedLinearAttention
        The layer, hidden size ``D = d + 1 + T`` (tokens ``h_t = [x_t; y_t; e_t]``).

    Raises
    ------
    ImportError
        If ``fla.layers`` is not installed (see :func:`layers_available`).

    Examples
    --------
    >>> import numpy as np
    >>> layer = gla_layer(np.eye(2), np.eye(2), np.array([0.5, 0.9, 0.8]))
    >>> type(layer).__name__, layer.hidden_size
    ('GatedLinearAttention', 6)
    """
    torch.manual_seed(seed)
    d = Pk.shape[1]
    T = gates.size
    D = d + 1 + T
    layer = _layers().GatedLinearAttention(mode="fused_recurrent", hidden_size=D, expand_k=d / D, expand_v=1 / D,
                                           num_heads=1, feature_map=feature_map, use_short_conv=short_conv,
                                           use_output_gate=output_gate, fuse_norm=False)
    Wq = np.zeros((d, D))
    Wq[:, :d] = np.sqrt(d) * Pq
    Wk = np.zeros((d, D))
    Wk[:, :d] = Pk
    Wv = np.zeros((1, D))
    Wv[0, d] = 1.0
    Wo = np.zeros((D, 1))
    Wo[d, 0] = 1.0
    _set(layer.q_proj.weight, Wq)
    _set(layer.k_proj.weight, Wk)
    _set(layer.v_proj.weight, Wv)
    _set(layer.o_proj.weight, Wo)
    lin1, lin2 = layer.gk_proj
    W1 = np.zeros(tuple(lin1.weight.shape))
    g16 = gates.astype(float) ** 16
    W1[0, d + 1:] = np.log(g16 / (1 - g16))  # logsigmoid(z)/16 = log g
    W2 = np.zeros(tuple(lin2.weight.shape))
    W2[:, 0] = 1.0
    _set(lin1.weight, W1)
    _set(lin2.weight, W2)
    _set(lin2.bias, np.zeros(tuple(lin2.bias.shape)))
    if not g_norm:
        layer.g_norm = torch.nn.Identity()
    return layer


def mamba2_layer(Pk, Pq, dt_raw, a, *, conv_activation=False, rmsnorm=False, gate=False, seed=0):
    r"""Build a :class:`fla.layers.Mamba2` loaded with the Mamba-2 construction (module docstring).

    One head of ``head_dim = d + 1 + T``, state size ``d``; with every component at the
    identity its output at the query's label coordinate is WPGD with ``P = P_qᵀP_k`` and
    ``ω_i = Δ_i exp(−a Σ_{j=i+1}^{n+1} Δ_j)``, ``Δ_t = softplus(dt_t)`` (claim G1, the
    nonnegative class): the SSD recurrence ``S_t = e^{−aΔ_t} S_{t−1} + Δ_t B_t x_tᵀ``,
    ``o_t = S_tᵀ C_t``.

    Parameters
    ----------
    Pk, Pq : numpy.ndarray of shape (d, d)
        The key (``B_t``) and query (``C_t``) maps.
    dt_raw : numpy.ndarray of shape (T,)
        The per-position ``dt`` before ``softplus(· + dt_bias)`` (``dt_bias = 0``).
    a : float
        The decay rate ``a > 0`` (``A = −a``).
    conv_activation, rmsnorm, gate : bool, default False
        Switch fla's SiLU after the convolution, the gated RMSNorm or a non-constant gate ``z``
        back on.
    seed : int, default 0
        Torch (and numpy, for the gate) seed of the parameters the construction does not set.

    Returns
    -------
    fla.layers.Mamba2
        The layer, hidden size ``D = d + 1 + T``.

    Raises
    ------
    ImportError
        If ``fla.layers`` is not installed (see :func:`layers_available`).

    Examples
    --------
    >>> import numpy as np
    >>> layer = mamba2_layer(np.eye(2), np.eye(2), np.zeros(3), 0.1)
    >>> type(layer).__name__, layer.num_heads, layer.head_dim
    ('Mamba2', 1, 6)
    """
    torch.manual_seed(seed)
    d = Pk.shape[1]
    T = dt_raw.size
    D = d + 1 + T
    with _quiet():  # "fast path not available", "Triton conv1d backend": expected on a CPU
        layer = _layers().Mamba2(num_heads=1, head_dim=D, hidden_size=D, state_size=d, expand=1, n_groups=1,
                                 hidden_act="silu", rmsnorm=rmsnorm, use_bias=True, chunk_size=64)
    if not conv_activation:  # fla's activations have no identity: replace the module's
        layer.act = torch.nn.Identity()
    inner, conv_dim = layer.intermediate_size, layer.conv_dim
    W = np.zeros(tuple(layer.in_proj.weight.shape))
    b = np.zeros(tuple(layer.in_proj.bias.shape))
    # split: [gate (inner), xBC (conv_dim = inner + 2 d), dt (1)]
    if gate:
        W[:inner] = np.random.default_rng(seed).standard_normal((inner, D)) / np.sqrt(D)
    else:
        b[:inner] = 1.0  # z = 1
    W[inner + 0, d] = 1.0  # x_t = y_t e_1
    W[inner + inner: inner + inner + d, :d] = Pk  # B_t
    W[inner + inner + d: inner + conv_dim, :d] = Pq  # C_t
    W[inner + conv_dim, d + 1:] = dt_raw
    _set(layer.in_proj.weight, W)
    _set(layer.in_proj.bias, b)
    kern = np.zeros(tuple(layer.conv1d.weight.shape))
    kern[..., -1] = 1.0
    _set(layer.conv1d.weight, kern)
    _set(layer.conv1d.bias, np.zeros(tuple(layer.conv1d.bias.shape)))
    _set(layer.dt_bias, np.zeros(1))
    _set(layer.A_log, np.log([a]))
    Wo = np.zeros(tuple(layer.out_proj.weight.shape))
    Wo[d, 0] = 1.0
    _set(layer.out_proj.weight, Wo)
    _set(layer.out_proj.bias, np.zeros(tuple(layer.out_proj.bias.shape)))
    return layer


def _run(layer, X, y, x, kernel=contextlib.nullcontext):
    H = _tokens(X, y, x)
    with torch.no_grad(), kernel(layer):
        out = layer(H)[0]
    return out[:, -1, X.shape[2]].double().numpy()


def layer_conformance(name: str, *, n: int = 6, d: int = 3, num_prompts: int = 16, seed: int = 0) -> dict:
    r"""Check which components of fla's layer ``name`` must be the identity for WPGD (claim G1).

    Returns ``{"identity": Conformance, "<component>": Conformance | str, ...}``.
    ``identity``: every component at the identity, compared with ``wpgd_predict`` (must pass);
    each other entry switches one component of :data:`LAYER_COMPONENTS` back to fla's default
    behaviour (expected to fail: it must be the identity).  A component implemented only as a
    Triton kernel (fla's short convolution, RMSNorm) cannot run on a CPU: its entry is then a
    string saying so.

    Parameters
    ----------
    name : str
        ``"gla"`` (:func:`gla_layer`) or ``"mamba2"`` (:func:`mamba2_layer`).
    n : int, default 6
        In-context examples per prompt (``T = n + 1`` tokens).
    d : int, default 3
        Feature dimension.
    num_prompts : int, default 16
        Prompts compared (:func:`~.registry.sample_prompts`).
    seed : int, default 0
        Seed of the prompts, ``P_k, P_q`` and the gates or steps.

    Returns
    -------
    dict
        ``{component: Conformance or str}``, ``"identity"`` first.

    Raises
    ------
    ValueError
        If ``name`` is not a key of :data:`LAYER_COMPONENTS`.

    Examples
    --------
    >>> res = layer_conformance("mamba2", n=2, d=1, num_prompts=1)
    >>> list(res) == ["identity", *LAYER_COMPONENTS["mamba2"]], res["identity"].passed
    (True, True)
    >>> all(isinstance(c, str) or not c.passed for k, c in res.items() if k != "identity")
    True
    """
    if name not in LAYER_COMPONENTS:
        raise ValueError(f"name must be one of {tuple(LAYER_COMPONENTS)}, got {name!r}")
    rng = np.random.default_rng(seed)
    X, y, x = sample_prompts(num_prompts, n, d, rng)
    r32 = lambda a: np.asarray(a, dtype=np.float32).astype(np.float64)  # noqa: E731
    Pk, Pq = r32(rng.standard_normal((d, d)) / np.sqrt(d)), r32(rng.standard_normal((d, d)) / np.sqrt(d))
    P = Pq.T @ Pk
    T = n + 1
    if name == "gla":
        gates = rng.uniform(0.5, 0.99, size=T)
        omega = np.array([np.prod(gates[i + 1:]) for i in range(n)])

        def build(**kw):
            return gla_layer(Pk, Pq, gates, seed=seed, **kw), _naive_gla_kernel

        variants = {"identity": {}, "short_conv": {"short_conv": True}, "output_gate": {"output_gate": True},
                    "g_norm": {"g_norm": True}, "feature_map": {"feature_map": "relu"}}
        subject = "fla.layers.GatedLinearAttention (naive_recurrent_gla on CPU)"
    else:
        a = 0.25 / n
        dt_raw = rng.uniform(-1.0, 1.0, size=T)
        delta = np.log1p(np.exp(dt_raw))
        omega = delta[:n] * np.exp(-a * np.cumsum(delta[::-1])[::-1][1:])

        def build(**kw):
            return mamba2_layer(Pk, Pq, dt_raw, a, seed=seed, **kw), contextlib.nullcontext

        variants = {"identity": {}, "conv_activation": {"conv_activation": True}, "rmsnorm": {"rmsnorm": True},
                    "gate": {"gate": True}}
        subject = "fla.layers.Mamba2 (torch SSD on CPU)"
    terms = wpgd_terms(X, y, x, P, omega)
    ref = wpgd_predict(X, y, x, P, omega)
    out = {}
    for key, kw in variants.items():
        layer, kernel = build(**kw)
        what = "all components identity" if key == "identity" else f"{key} at fla's default"
        try:
            pred = _run(layer, X, y, x, kernel)
        except RuntimeError as exc:  # a Triton-only module (short convolution, RMSNorm) on a CPU
            if torch.cuda.is_available() or key == "identity":
                raise
            out[key] = f"not run: needs CUDA (Triton module): {str(exc).splitlines()[0][:80]}"
            continue
        out[key] = Conformance(f"{name} layer: {what}", subject, "wpgd.wpgd_predict (numpy)", pred, ref,
                               np.abs(terms).sum(axis=1), 10 * float32_tolerance(T, d + 1 + T), omega, P)
    return out
