r"""Mamba-1's selective scan (:class:`fla.layers.Mamba`, its pure-torch ``slow_forward`` on a CPU) and
WPGD (proofs/architectures.md §12.5); and why Mamba-3 is not in the map.

Mamba-1 runs, per inner channel ``c`` and state dimension ``s``,
``h_{t,cs} = e^{Δ_{tc} A_{cs}} h_{t−1,cs} + Δ_{tc} B_{ts} u_{tc}``, ``o_{tc} = Σ_s C_{ts} h_{t,cs} + D_c u_{tc}``,
then multiplies by ``act(z_t)``; ``u = act(conv(in_proj h))``, and ``Δ, B, C`` are read from ``u``
by ``x_proj`` (``Δ = softplus(dt_proj(·))``).  Tokens are ``h_t = [x_t; y_t; e_t]`` (as in
:mod:`.layers`); the construction takes ``u = h`` (``in_proj`` the identity on its first half,
the convolution kernel the delta ``(0, 0, 0, 1)``, ``act`` the identity), ``z = 1`` (bias),
``B_t = [P_k x_t; …]``, ``C_t = [c_1 P_q x_t; …]`` (``m`` blocks of ``d`` state dimensions), the
label channel's ``Δ_t = softplus(dt_t)`` from the positional coordinates and
``A = −a_b`` on block ``b``.  By (★) the label channel's output at the query is WPGD with

    ω_i = Σ_b c_b Δ_i exp(−a_b Σ_{j=i+1}^{n+1} Δ_j)        (:func:`selective_scan_weights`).

One block is §4's nonnegative class; ``n`` blocks with distinct ``a_b`` reach every ``ω``.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch

from ..wpgd import wpgd_predict
from .fit import wpgd_terms
from .registry import Conformance, _r32, _random_P, float32_tolerance

__all__ = ["selective_scan_weights", "mamba1_layer", "run_mamba1", "MAMBA1_MODULE", "mamba3_unavailable"]

#: the fla module the Mamba-1 checks run
MAMBA1_MODULE = "fla.layers.Mamba (slow_forward: its pure-torch selective scan on CPU)"


def selective_scan_weights(delta, a, c) -> np.ndarray:
    r"""``ω_i = Σ_b c_b Δ_i exp(−a_b Σ_{j=i+1}^{n+1} Δ_j)``, ``i = 1..n``.

    Parameters
    ----------
    delta : array_like
        ``(n+1,)`` step sizes ``Δ_t > 0`` of the examples and the query.
    a, c : array_like
        ``(m,)`` decay rates ``a_b > 0`` (``A = −a_b`` on block ``b``) and the query's block weights.

    Returns
    -------
    numpy.ndarray
        ``ω (n,)``.

    Examples
    --------
    >>> selective_scan_weights([1.0, 1.0], [0.0], [2.0]).tolist()
    [2.0]
    """
    delta = np.asarray(delta, dtype=float)
    a, c = np.asarray(a, dtype=float), np.asarray(c, dtype=float)
    S = np.cumsum(delta[::-1])[::-1][1:]  # S_i = Σ_{j>i} Δ_j, i = 1..n
    return delta[:-1] * (np.exp(-np.outer(S, a)) @ c)


def _layers():
    from .layers import _layers as load

    return load()


def mamba1_layer(Pk, Pq, dt_raw, a, c, *, act=None):
    """A :class:`fla.layers.Mamba` loaded with the construction of the module docstring.

    Parameters
    ----------
    Pk, Pq : numpy.ndarray
        ``(d, d)`` key and query maps.
    dt_raw : numpy.ndarray
        ``(T,)`` the label channel's ``dt`` per position (``Δ = softplus(dt_raw)``).
    a, c : numpy.ndarray
        ``(m,)`` decay rates and query weights of the ``m`` blocks of ``d`` state dimensions.
    act : torch.nn.Module, optional
        The module's activation (after the convolution and on the gate); ``None``: the identity.

    Returns
    -------
    torch.nn.Module

    Examples
    --------
    >>> import numpy as np
    >>> layer = mamba1_layer(np.eye(2), np.eye(2), np.zeros(3), np.ones(1), np.ones(1))
    >>> layer.ssm_state_size
    2
    """
    from .layers import _quiet, _set

    d = Pk.shape[1]
    T = dt_raw.size
    m = len(a)
    D = d + 1 + T
    with _quiet():  # "fast path not available": expected on a CPU
        layer = _layers().Mamba(hidden_size=D, state_size=m * d, intermediate_size=D, dt_rank=T, use_bias=True,
                                use_conv_bias=True, backend="triton")  # slow_forward on CPU
    layer.act = torch.nn.Identity() if act is None else act
    W = np.zeros((2 * D, D))
    W[:D] = np.eye(D)  # u = h
    b = np.zeros(2 * D)
    b[D:] = 1.0  # z = 1
    _set(layer.in_proj.weight, W)
    _set(layer.in_proj.bias, b)
    kern = np.zeros(tuple(layer.conv1d.weight.shape))
    kern[..., -1] = 1.0
    _set(layer.conv1d.weight, kern)
    _set(layer.conv1d.bias, np.zeros(D))
    Wx = np.zeros((T + 2 * m * d, D))
    Wx[:T, d + 1:] = np.eye(T)  # time_step = e_t
    Wx[T:T + m * d, :d] = np.tile(Pk, (m, 1))  # B_t
    Wx[T + m * d:, :d] = np.kron(np.asarray(c, dtype=float)[:, None], Pq)  # C_t
    _set(layer.x_proj.weight, Wx)
    Wdt = np.zeros((D, T))
    Wdt[d] = dt_raw  # the label channel's dt
    _set(layer.dt_proj.weight, Wdt)
    _set(layer.dt_proj.bias, np.zeros(D))
    A_log = np.zeros((D, m * d))
    A_log[d] = np.repeat(np.log(np.asarray(a, dtype=float)), d)
    _set(layer.A_log, A_log)
    Wo = np.zeros((D, D))
    Wo[d, d] = 1.0
    _set(layer.out_proj.weight, Wo)
    _set(layer.out_proj.bias, np.zeros(D))
    return layer


def _query_label(layer, X, y, x):
    from .layers import _tokens

    with torch.no_grad():
        out = layer(_tokens(X, y, x))[0]
    return out[:, -1, X.shape[2]].double().numpy()


def run_mamba1(X, y, x, rng, act=None):
    r"""Run fla's Mamba-1 selective scan against one-step WPGD (proofs/architectures.md §12.5, claim G1).

    One block (``ω > 0``, not monotone) and ``n`` blocks with distinct ``a_b`` and signed
    ``c_b`` (signed ``ω``) through fla's ``Mamba`` module (:func:`mamba1_layer`) vs
    ``wpgd_predict`` with ``ω_i = Σ_b c_b Δ_i exp(−a_b Σ_{j=i+1}^{n+1} Δ_j)``
    (:func:`selective_scan_weights`).  Bound: ``γ_m`` with ``m = T(d_k + 2)`` and, as for the
    other layer checks, a factor 10 for the module's extra float32 steps (``exp(A Δ)``,
    ``softplus``, the projections).

    Parameters
    ----------
    X : numpy.ndarray of shape (B, n, d)
        The examples' features.
    y : numpy.ndarray of shape (B, n)
        The examples' labels.
    x : numpy.ndarray of shape (B, d)
        The queries.
    rng : numpy.random.Generator
        Draws ``P_k, P_q``, the step pre-activations ``dt`` and the block weights ``c_b``.
    act : torch.nn.Module, optional
        The module's activation; ``None`` (the construction) is the identity.  A nonlinear one
        (e.g. ``SiLU``) is a negative control.

    Returns
    -------
    list of Conformance
        Two comparisons (one block, ``n`` blocks) of the layer's output at the query with
        ``wpgd_predict``, each with its a-priori float32 bound.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.architectures.registry import sample_prompts
    >>> X, y, x = sample_prompts(1, 2, 1, np.random.default_rng(0))
    >>> [c.passed for c in run_mamba1(X, y, x, np.random.default_rng(1))]
    [True, True]
    """
    B, n, d = X.shape
    T = n + 1
    Pk, Pq, P = _random_P(rng, d)
    dt_raw = _r32(rng.uniform(-1.0, 1.0, size=T))
    delta = np.logaddexp(0.0, dt_raw)
    res = []
    for m, what in ((1, "one block: omega_i = Delta_i exp(-a sum_{j>i} Delta_j) > 0"),
                    (n, f"{n} blocks, distinct a_b, signed c_b: omega = sum_b c_b Delta_i exp(-a_b S_i)")):
        a = _r32(np.geomspace(0.05, 2.0, m) if m > 1 else np.array([0.25 / n]))
        c = _r32(rng.standard_normal(m)) if m > 1 else np.ones(1)
        a = np.exp(_r32(np.log(a)))  # what A = -exp(A_log) holds in float32
        layer = mamba1_layer(Pk, Pq, dt_raw, a, c, act=act)
        out = _query_label(layer, X, y, x)
        omega = selective_scan_weights(delta, a, c)
        terms = wpgd_terms(X, y, x, P, np.abs(c).sum() * delta[:-1])  # |omega_i| <= sum|c_b| Delta_i
        res.append(Conformance(f"Mamba-1 selective scan, {what}", MAMBA1_MODULE, "wpgd.wpgd_predict (numpy)", out,
                               wpgd_predict(X, y, x, P, omega), np.abs(terms).sum(axis=1),
                               10 * float32_tolerance(T, m * d), omega, P))
    return res


def mamba3_unavailable() -> str | None:
    """Why fla's ``Mamba3`` layer cannot run here (``None`` if it can): its own device check.

    Returns
    -------
    str or None
        The exception fla's ``Mamba3.forward`` raises on this machine, in one line.

    Examples
    --------
    >>> reason = mamba3_unavailable()
    >>> reason is None or "Mamba3" in reason
    True
    """
    from .layers import _quiet

    try:
        with _quiet():
            layer = _layers().Mamba3(hidden_size=16, state_size=8, head_dim=8, expand=1)
            if torch.cuda.is_available():
                layer = layer.cuda()
            with torch.no_grad(), contextlib.suppress(TypeError):
                layer(torch.zeros(1, 4, 16, device=layer.in_proj.weight.device))
    except Exception as exc:  # noqa: BLE001 - the reason is reported, never raised
        return f"fla.layers.Mamba3: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    return None
