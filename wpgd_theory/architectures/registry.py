r"""The GLA family as researchers use it: which fla recurrences implement WPGD (claim G1).

Each :class:`Architecture` loads the exact one-step WPGD construction into *its own*
parameterisation, runs it through fla's operator (:mod:`.fla_ops`) on sampled prompts and
compares the query output with :func:`~wpgd_theory.wpgd.wpgd_predict` (an independent
numpy formula).  Prompt layout (the project's, without context coordinates): tokens
``t = 1..n`` are the examples, token ``n+1`` the query; one head; keys
``k_t = P_k x_t``, queries ``q_t = P_q x_t`` (``P = P_qᵀ P_k``), one value channel
``v_t = y_t`` and ``v_{n+1} = 0`` (the query's label slot), so the query's own write is
zero.  Gates are *positional* (one value per token, as in
:func:`~wpgd_theory.gla.construct_from_wpgd`): a real layer produces them from
positional context coordinates.

Weight classes (proved in ``proofs/architectures.md``):

==================  ==========================================================================
architecture        weights ``ω`` realised by one layer (``P`` free)
==================  ==========================================================================
linear_attention    ``ω ∝ 𝟙`` (uniform)
retnet              ``Σ_h c_h γ_h^{n+1−i}``: signed sums of fla's fixed geometric profiles
simple_gla          ``0 ≤ ω_1 ≤ … ≤ ω_n`` (monotone): scalar data-dependent decay
mamba2              ``ω ≥ 0`` (nonnegative): scalar decay *and* the input scaled by ``Δ_t``
gla                 all ``ω`` (signed sums of monotone key-dimension profiles, ``d_k ≥ m d``)
rwkv6               as gla (exclusive decay: the query's decay never acts; bonus ``u`` reads
                    the query's own write, which is 0)
hgrn2               none exactly (the key ``k = 1 − f ∈ [0,1]^{d_k}`` is bounded); its own forget-gate
                    pairs reach every ``ω > 0`` in the limit, at rate ``O(ε)`` (§7)
deltanet            none: one pass of LMS (per-example gradient steps), see :mod:`.delta`
gated_deltanet      none: LMS with weight decay
based_pm            ``ω ∝ 𝟙``: Based without normalisation, two heads ``±q`` (even terms cancel)
based               none: Based with fla's normaliser (a ratio of polynomials)
forgetting attn     none: the gate prior under a softmax normaliser
kda, comba,         none: delta-rule steps (degree-4 terms)
gated_deltaproduct
gsa                 none: a softmax over slots between two passes
hgrn                none: no query or key
mesanet             none: in-context ridge regression (WPGD only as ``λ → ∞``)
==================  ==========================================================================

Proofs: ``proofs/architectures.md`` (§1–§8, §11).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from .._validation import as_positive_int, check_rng
from ..wpgd import gate_weights, wpgd_predict
from . import fla_ops
from .delta import delta_rule_predict
from .fit import fit_wpgd, wpgd_terms

__all__ = [
    "Architecture",
    "Conformance",
    "ARCHITECTURES",
    "architecture",
    "float32_tolerance",
    "sample_prompts",
    "run_conformance",
]

#: unit roundoff of float32
U32 = 2.0**-24


def float32_tolerance(num_tokens: int, key_dim: int) -> float:
    r"""Return the a priori relative bound ``γ_m = m u/(1 − m u)``, ``m = T (d_k + 2)``, ``u = 2^{−24}``.

    Each output of the recurrence is a sum over ``T`` tokens of products formed with
    ``d_k``-term dot products and up to ``T`` gate factors, all in float32; the standard
    rounding-error bound for such sums (Higham, Thm 3.1 / Lemma 3.3) is ``γ_m`` times the
    sum of the absolute values of the terms.  Discrepancies are measured in that unit.

    Parameters
    ----------
    num_tokens : int
        Number of tokens ``T`` (``n + 1`` for ``n`` examples and the query).
    key_dim : int
        Key dimension ``d_k``.

    Returns
    -------
    float
        ``γ_m``.

    Examples
    --------
    >>> from wpgd_theory.architectures import float32_tolerance
    >>> m = 9 * (4 + 2)
    >>> abs(float32_tolerance(9, 4) - m * 2.0**-24 / (1 - m * 2.0**-24)) < 1e-18
    True
    >>> f"{float32_tolerance(9, 4):.3e}"
    '3.219e-06'
    """
    return _gamma(num_tokens * (key_dim + 2))


def _gamma(m: int) -> float:
    """Higham's ``γ_m = m u/(1 − m u)`` at float32's unit roundoff ``u`` (:data:`U32`)."""
    return m * U32 / (1 - m * U32)


@dataclass(frozen=True)
class Conformance:
    r"""One construction run through fla: ``subject`` (fla) vs ``reference`` (closed form).

    ``discrepancy = max_b |subject_b − reference_b| / max_b magnitude_b`` where
    ``magnitude_b`` is the sum of the absolute values of the terms of the reference;
    ``passed`` is ``discrepancy ≤ tolerance``.

    Parameters
    ----------
    what : str
        What is compared, e.g. ``"G1: uniform weights"``.
    subject_name : str
        Origin of the subject side (the fla function run).
    reference_name : str
        Origin of the reference side (e.g. ``wpgd.wpgd_predict``).
    subject : numpy.ndarray of shape (B,)
        The subject's outputs on ``B`` prompts.
    reference : numpy.ndarray of shape (B,)
        The reference's outputs on the same prompts.
    magnitude : numpy.ndarray of shape (B,)
        Sum of the absolute values of the reference's terms, per prompt.
    tolerance : float
        Relative tolerance (a multiple of :func:`float32_tolerance`).
    omega : numpy.ndarray of shape (n,) or None, optional
        The WPGD weights of a construction.
    P : numpy.ndarray of shape (d, d) or None, optional
        The WPGD preconditioner of a construction.
    role : str, optional
        ``"construction"`` (default), ``"alternative"``, ``"wpgd_fit"`` or ``"limit"``.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.architectures import Conformance
    >>> c = Conformance("toy", "subject", "reference", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-7]),
    ...                 magnitude=np.array([1.0, 2.0]), tolerance=1e-6)
    >>> c.passed, round(c.discrepancy, 9)
    (True, 5e-08)
    """

    what: str
    subject_name: str
    reference_name: str
    subject: np.ndarray
    reference: np.ndarray
    magnitude: np.ndarray
    tolerance: float
    omega: np.ndarray | None = None
    P: np.ndarray | None = None
    #: "construction" (a WPGD construction vs wpgd_predict), "alternative" (the exact statement of
    #: what a non-WPGD architecture computes), "wpgd_fit" (distance to the best WPGD fit) or
    #: "limit" (a proved limit: subject the measured order of convergence, reference the proved one)
    role: str = "construction"

    @property
    def discrepancy(self) -> float:
        r"""Relative discrepancy ``max_b |subject_b − reference_b| / max_b magnitude_b``.

        The absolute discrepancy when every magnitude is 0.

        Examples
        --------
        >>> import numpy as np
        >>> from wpgd_theory.architectures import Conformance
        >>> c = Conformance("toy", "subject", "reference", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-7]),
        ...                 magnitude=np.array([1.0, 2.0]), tolerance=1e-6)
        >>> round(c.discrepancy, 9)
        5e-08
        """
        scale = float(np.max(self.magnitude))
        err = float(np.max(np.abs(self.subject - self.reference)))
        return err / scale if scale > 0 else err

    @property
    def passed(self) -> bool:
        r"""Whether ``discrepancy ≤ tolerance``.

        Examples
        --------
        >>> import numpy as np
        >>> from wpgd_theory.architectures import Conformance
        >>> c = Conformance("toy", "subject", "reference", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-7]),
        ...                 magnitude=np.array([1.0, 2.0]), tolerance=1e-6)
        >>> c.passed
        True
        """
        return self.discrepancy <= self.tolerance


@dataclass(frozen=True)
class Architecture:
    r"""A registry entry of :data:`ARCHITECTURES`: how the architecture is run and what it realises.

    Parameters
    ----------
    name : str
        Registry key (e.g. ``"simple_gla"``).
    title : str
        Display name.
    fla_op : str
        The fla function it is run through.
    weight_class : str
        Its weight class (one of :data:`WEIGHT_CLASSES`; ``"none"`` when not one-step WPGD).
    implements_wpgd : bool
        The stated verdict (claim G1), which the table measures.
    realises : str
        What it computes, in one line of ASCII mathematics.
    restriction : str or None
        Conditions of the statement (``None`` when there are none).
    run : callable
        ``run(X, y, x, rng)`` returns a list of :class:`Conformance`.
    proof : str, optional
        Where its weight class (or why it is not WPGD) is proved.
    reason : str or None, optional
        For a control (``implements_wpgd`` false): one line, why it is not one-step WPGD.

    Examples
    --------
    >>> from wpgd_theory.architectures import ARCHITECTURES
    >>> a = ARCHITECTURES["simple_gla"]
    >>> a.weight_class, a.implements_wpgd
    ('monotone', True)
    """

    name: str
    title: str
    fla_op: str
    weight_class: str  # a cone of :mod:`.cones`, or "none"
    implements_wpgd: bool
    realises: str
    restriction: str | None
    run: Callable = field(repr=False)
    #: where its weight class (or the reason it is not WPGD) is proved
    proof: str = ""
    #: for a control (``implements_wpgd`` false): one line, why it is not one-step WPGD
    reason: str | None = None


def sample_prompts(num_prompts: int, n: int, d: int, rng):
    r"""Draw standard Gaussian prompts ``X (B, n, d)``, ``y (B, n)``, ``x (B, d)``, rounded to float32.

    Rounded so that fla (float32) and the float64 reference see the same inputs: the prompts
    on which each architecture's output is compared with one-step WPGD (claim G1).

    Parameters
    ----------
    num_prompts : int
        The number of prompts ``B`` (at least 1).
    n, d : int
        The examples per prompt and the feature dimension.
    rng : numpy.random.Generator
        The random source.

    Returns
    -------
    X : numpy.ndarray of shape (B, n, d)
        The examples' features (float64 holding float32 values).
    y : numpy.ndarray of shape (B, n)
        The examples' labels.
    x : numpy.ndarray of shape (B, d)
        The queries.

    Raises
    ------
    TypeError
        If ``rng`` is not a :class:`numpy.random.Generator` or ``num_prompts`` is not an integer.
    ValueError
        If ``num_prompts < 1``.

    Examples
    --------
    >>> import numpy as np
    >>> X, y, x = sample_prompts(1, 3, 2, np.random.default_rng(0))
    >>> X.shape, y.shape, x.shape
    ((1, 3, 2), (1, 3), (1, 2))
    >>> bool(np.all(X == X.astype(np.float32)))
    True
    """
    rng = check_rng(rng)
    B = as_positive_int(num_prompts, "num_prompts")
    r32 = lambda a: a.astype(np.float32).astype(np.float64)  # noqa: E731
    return r32(rng.standard_normal((B, n, d))), r32(rng.standard_normal((B, n))), r32(rng.standard_normal((B, d)))


def _r32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def _t(a):
    return torch.as_tensor(np.ascontiguousarray(a), dtype=torch.float32)


def _tokens(X, y, x, Pk, Pq, num_heads=1):
    """``q, k (B,T,H,d_k)``, ``v (B,T,H,1)`` of the layout in the module docstring."""
    B, n, d = X.shape
    feats = np.concatenate([X, x[:, None]], axis=1)  # (B, T, d)
    k = feats @ Pk.T
    q = feats @ Pq.T
    v = np.concatenate([y, np.zeros((B, 1))], axis=1)[..., None]
    rep = lambda a: np.repeat(a[:, :, None], num_heads, axis=2)  # noqa: E731
    return _t(rep(q)), _t(rep(k)), _t(rep(v))


def _query_out(o, head=0):
    return o[:, -1, head, 0].detach().cpu().numpy().astype(np.float64)


def _wpgd_conformance(what, op_name, X, y, x, P, omega, out, key_dim):
    terms = wpgd_terms(X, y, x, P, omega)
    return Conformance(what, op_name, "wpgd.wpgd_predict (numpy)", out, wpgd_predict(X, y, x, P, omega),
                       np.abs(terms).sum(axis=1), float32_tolerance(X.shape[1] + 1, key_dim), omega, P)


def _random_P(rng, d, dk=None):
    dk = d if dk is None else dk
    Pk = _r32(rng.standard_normal((dk, d)) / np.sqrt(d))
    Pq = _r32(rng.standard_normal((dk, d)) / np.sqrt(d))
    return Pk, Pq, Pq.T @ Pk


def _log(g):
    with np.errstate(divide="ignore"):
        return np.log(g)


# ----------------------------------------------------------------------------- positives
def _run_linear_attention(X, y, x, rng):
    d = X.shape[2]
    Pk, Pq, P = _random_P(rng, d)
    q, k, v = _tokens(X, y, x, Pk, Pq)
    out = _query_out(fla_ops.linear_attention(q, k, v))
    return [_wpgd_conformance("G1: uniform weights", fla_ops.OPS["linear_attention"][1], X, y, x, P,
                              np.ones(X.shape[1]), out, d)]


def _run_retnet(X, y, x, rng, num_heads=3):
    B, n, d = X.shape
    Pk, Pq, P = _random_P(rng, d)
    q, k, v = _tokens(X, y, x, Pk, Pq, num_heads)
    o = fla_ops.retention(q, k, v)
    res = []
    profiles = []
    for h in range(num_heads):
        gamma = 1.0 - 2.0 ** (-5.0 - h)
        omega = gamma ** (n - np.arange(n))  # ω_i = γ^{n+1−i}, i = 1..n
        profiles.append(omega)
        res.append(_wpgd_conformance(f"G1: geometric weights, head {h} (gamma = 1 - 2^-{5 + h})",
                                     fla_ops.OPS["retention"][1], X, y, x, P, omega, _query_out(o, h), d))
    # the heads combined by a signed output projection c: omega = sum_h c_h gamma_h^(n+1-i)
    c = _r32(rng.standard_normal(num_heads))
    out = np.einsum("h,bh->b", c, o[:, -1, :, 0].double().numpy())
    omega = c @ np.array(profiles)
    # a priori bound: each head's float32 error, weighted by |c_h| (the heads' terms may cancel)
    mag = sum(abs(c[h]) * np.abs(wpgd_terms(X, y, x, P, profiles[h])).sum(axis=1) for h in range(num_heads))
    res.append(Conformance(f"G1: signed combination of {num_heads} heads (fixed gammas), c = "
                           + np.array2string(c, precision=3), fla_ops.OPS["retention"][1] + " (heads mixed)",
                           "wpgd.wpgd_predict (numpy)", out, wpgd_predict(X, y, x, P, omega), mag,
                           float32_tolerance(n + 1, d + 1), omega, P))
    return res


def _random_gates(rng, T, low=0.3):
    return _r32(rng.uniform(low, 1.0, size=T))


def _run_simple_gla(X, y, x, rng):
    B, n, d = X.shape
    Pk, Pq, P = _random_P(rng, d)
    q, k, v = _tokens(X, y, x, Pk, Pq)
    g = _random_gates(rng, n + 1)
    logg = _t(np.broadcast_to(_log(g)[None, :, None], (B, n + 1, 1)))
    out = _query_out(fla_ops.simple_gla(q, k, v, logg))
    return [_wpgd_conformance("G1: monotone weights from scalar gates", fla_ops.OPS["simple_gla"][1], X, y, x, P,
                              gate_weights(g), out, d)]


def mamba2_parameters(omega, a: float):
    r"""Mamba-2 step sizes ``Δ (n+1,)`` realising positive weights ``ω`` with ``A = −a``.

    Mamba-2 (SSD) runs ``S_t = e^{−aΔ_t} S_{t−1} + Δ_t k_t v_tᵀ`` (the input scaled by
    ``Δ_t``), so one layer has ``ω_i = Δ_i exp(−a Σ_{j=i+1}^{n+1} Δ_j)``.  Solved backwards
    from ``Δ_{n+1} = 0⁺`` (here ``Δ_{n+1} = min ω``): ``Δ_i = ω_i exp(a Σ_{j>i} Δ_j)``.
    Every ``ω > 0`` is reached (the nonnegative cone is the closure); with
    ``a ≤ 1/(4 n max ω)`` every ``a Σ_{j>i} Δ_j ≤ 1`` (induction), so no step size overflows.
    """
    w = np.asarray(omega, dtype=float)
    if np.any(w <= 0):
        raise ValueError("omega must be positive for Mamba-2's step sizes (Delta_t > 0)")
    n = w.size
    delta = np.zeros(n + 1)
    delta[n] = w.min()
    acc = delta[n]
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(n - 1, -1, -1):
            delta[i] = w[i] * np.exp(a * acc)
            acc += delta[i]
    if not np.all(np.isfinite(delta)):
        raise ValueError(f"a = {a:g} is too large for these weights: take a <= 1/(4 n max omega)")
    return delta


def _run_mamba2(X, y, x, rng):
    r"""Mamba-2's gate parameterisation on fla's simple GLA op: ``g_t = −e^{A_log} Δ_t``,
    ``Δ_t = softplus(dt_t + dt_bias)`` and the value ``Δ_t v_t``; a *non-monotone* ``ω > 0``."""
    B, n, d = X.shape
    Pk, Pq, P = _random_P(rng, d)
    q, k, v = _tokens(X, y, x, Pk, Pq)
    target = rng.uniform(0.2, 1.0, size=n)  # positive, in general not monotone
    A_log = float(np.log(0.25 / n))  # a = 1/(4n) <= 1/(4 n max ω) since ω <= 1
    delta = mamba2_parameters(target, np.exp(A_log))
    dt_bias = 0.5
    dt = np.log(np.expm1(delta)) - dt_bias  # softplus^{-1}(Δ) − bias: the layer's raw input
    delta_t = torch.nn.functional.softplus(torch.as_tensor(dt + dt_bias, dtype=torch.float64))
    g = (-np.exp(A_log) * delta_t).to(torch.float32)
    logg = g[None, :, None].expand(B, n + 1, 1)
    v = v * delta_t.to(torch.float32)[None, :, None, None]
    out = _query_out(fla_ops.simple_gla(q, k, v, logg))
    dd = delta_t.numpy()
    omega = dd[:n] * np.exp(-np.exp(A_log) * (np.cumsum(dd[::-1])[::-1][1:]))
    return [_wpgd_conformance("G1: positive, non-monotone weights via Mamba-2's step sizes",
                              fla_ops.OPS["simple_gla"][1] + " (Mamba-2 gates)", X, y, x, P, omega, out, d)]


def _profile_blocks(rng, n, T, exclusive):
    r"""Gates ``(T, n)`` for ``n`` key blocks: block ``c`` has random gates in ``[0.5, 1]`` and gate 0
    at token ``c`` (``c ≥ 1``), so its profile is monotone and vanishes on examples ``i < c``."""
    G = rng.uniform(0.5, 1.0, size=(T, n))
    for c in range(1, n):
        G[c, c] = 0.0
    G = _r32(G)
    prof = []
    for c in range(n):
        gc = G[:, c].copy()
        if exclusive:
            gc[T - 1] = 1.0  # the query's own decay never acts on its output
        prof.append(gate_weights(gc))
    return G, np.array(prof)  # (T, n), profiles (n_blocks, n)


def _key_blocks(X, y, x, rng):
    r"""G3's ``n`` key blocks (``d_k = n d``): ``k = [P_k x; …; P_k x]``, ``q = [α_1 P_q x; …; α_n P_q x]``
    with signed ``α``; returns ``q, k, v``, ``P = P_qᵀP_k``, ``α`` and the one-block ``P_k, P_q``."""
    n, d = X.shape[1:]
    Pk0, Pq0, P = _random_P(rng, d)
    alpha = _r32(rng.standard_normal(n))
    q, k, v = _tokens(X, y, x, np.tile(Pk0, (n, 1)), np.kron(alpha[:, None], Pq0))
    return q, k, v, P, alpha, Pk0, Pq0


def _block_log_gates(log_gates, B, d):
    """Log gates ``(T, n)``, one per token and key block, as fla's key-dimension log gates ``(B, T, 1, n d)``."""
    T, n = log_gates.shape
    return _t(np.broadcast_to(np.repeat(log_gates, d, axis=1)[None, :, None, :], (B, T, 1, n * d)))


def _run_vector(op_key, X, y, x, rng):
    r"""G3 with ``n`` key blocks: ``k = [P x; …; P x]``, ``q = [α_1 x; …; α_n x]`` and monotone
    profiles ``γ^{(c)}``: ``ω = Σ_c α_c γ^{(c)}`` (signed: any ``ω`` is such a sum)."""
    B, n, d = X.shape
    T = n + 1
    q, k, v, P, alpha, Pk0, Pq0 = _key_blocks(X, y, x, rng)
    G, prof = _profile_blocks(rng, n, T, exclusive=op_key == "rwkv6")
    gk = _block_log_gates(_log(G), B, d)
    omega = alpha @ prof
    if op_key == "rwkv6":
        u = _t(rng.standard_normal((1, n * d)))  # the bonus multiplies the query's own write, which is 0
        out = _query_out(fla_ops.rwkv6(q, k, v, gk, u))
    else:
        out = _query_out(fla_ops.gla(q, k, v, gk))
    res = [_wpgd_conformance("G3: signed sum of monotone key-dimension profiles (d_k = n d)",
                             fla_ops.OPS[op_key][1], X, y, x, P, omega, out, n * d)]
    # G1: one block, the scalar gate copied across the key dimension
    qs, ks, vs = _tokens(X, y, x, Pk0, Pq0)
    g = _random_gates(rng, T)
    gk1 = _t(np.broadcast_to(_log(g)[None, :, None, None], (B, T, 1, d)))
    if op_key == "rwkv6":
        out1 = _query_out(fla_ops.rwkv6(qs, ks, vs, gk1, _t(rng.standard_normal((1, d)))))
        g_eff = g.copy()
        g_eff[-1] = 1.0
    else:
        out1 = _query_out(fla_ops.gla(qs, ks, vs, gk1))
        g_eff = g
    res.append(_wpgd_conformance("G1: scalar gate copied over the key dimension", fla_ops.OPS[op_key][1],
                                 X, y, x, P, gate_weights(g_eff), out1, d))
    return res


# ----------------------------------------------------------------------------- negatives
def _fit_discrepancy(name, op_name, fn, n, d, rng):
    """Best WPGD (unconstrained ``M``) fitted on prompts, evaluated on fresh ones."""
    Xf, yf, xf = sample_prompts(max(4 * n * d * d, 64), n, d, rng)
    fit = fit_wpgd(Xf, yf, xf, fn(Xf, yf, xf))
    Xt, yt, xt = sample_prompts(64, n, d, rng)
    out = fn(Xt, yt, xt)
    pred = fit.predict_full(Xt, yt, xt)
    return Conformance(f"best one-step WPGD fit ({name}): least squares over all n*d*d tensors M, held-out prompts",
                       op_name, "fit.fit_wpgd (least squares, numpy)", out, pred, np.abs(out),
                       float32_tolerance(n + 1, d), fit.omega, fit.P, role="wpgd_fit")


def _delta_inputs(X, y, x, A, Bq, beta, g=None):
    q, k, v = _tokens(X, y, x, A, Bq)
    Bn, n = y.shape
    b = _t(np.broadcast_to(np.append(beta, 0.0)[None, :, None], (Bn, n + 1, 1)))  # β_{n+1} = 0: write mask
    if g is None:
        return q, k, v, b
    return q, k, v, b, _t(np.broadcast_to(_log(g)[None, :, None], (Bn, n + 1, 1)))


def _run_delta(gated, X, y, x, rng):
    B, n, d = X.shape
    A = _r32(np.eye(d) / np.sqrt(d) + 0.1 * rng.standard_normal((d, d)) / np.sqrt(d))
    Bq = _r32(np.eye(d) + 0.1 * rng.standard_normal((d, d)))
    beta = _r32(rng.uniform(0.3, 0.9, size=n))
    alpha = _random_gates(rng, n + 1, low=0.6) if gated else None
    key = "gated_delta_rule" if gated else "delta_rule"
    op, op_name = fla_ops.OPS[key]

    def fn(Xs, ys, xs):
        return _query_out(op(*_delta_inputs(Xs, ys, xs, A, Bq, beta, alpha)))

    out = fn(X, y, x)
    ref = delta_rule_predict(X, y, x, A, Bq, beta, alpha)
    # magnitude: the same computation in absolute values bounds its float32 error
    mag = np.abs(delta_rule_predict(np.abs(X), np.abs(y), np.abs(x), np.abs(A), np.abs(Bq), beta,
                                    alpha)) + np.abs(ref)
    exact = Conformance("exact statement: one pass of per-example gradient steps (LMS"
                        + (" with weight decay" if gated else "") + ")", op_name,
                        "delta.delta_rule_predict (numpy loop)", out, ref, mag, float32_tolerance(n + 1, d),
                        role="alternative")
    return [exact, _fit_discrepancy(key, op_name, fn, n, d, rng)]


def hgrn2_predict(X, y, x, gates, Pq):
    r"""What HGRN2 computes with positional gates ``g (T, d_k)`` and its key tied to them:

    ``ŷ = Σ_i y_i c_iᵀ P_q x``, ``c_i = (1 − g_i) ⊙ Π_{j=i+1}^{n+1} g_j`` — linear in ``y``
    with coefficients that do not depend on ``X``.
    """
    n = X.shape[1]
    tail = np.cumprod(gates[::-1], axis=0)[::-1]  # tail[j] = Π_{s ≥ j} g_s
    c = (1.0 - gates[:n]) * tail[1:n + 1]  # (n, d_k)
    return np.einsum("bi,ik,bk->b", y, c, x @ Pq.T), c


def hgrn2_recurrence(y, q, k, logf):
    r"""HGRN2's query output, float64 numpy, with *data-dependent* gates (batched):

    ``ŷ = Σ_i y_i Σ_c q_c k_{ic} Π_{j=i+1}^{n+1} f_{jc}`` — (★) with ``D_j = diag(f_j)``.
    ``y (B,n)``, ``q (B,d_k)`` the query's query, ``k (B,n,d_k)`` the examples' keys
    (``1 − f``, passed separately so that it can be computed without cancellation),
    ``logf (B,n+1,d_k)`` the log forget gates of every token.
    """
    tail = np.cumsum(logf[:, ::-1], axis=1)[:, ::-1]  # tail[:, j] = Σ_{s ≥ j} log f_s
    n = y.shape[1]
    decay = np.exp(tail[:, 1:n + 1])  # Π_{j > i} f_j, i = 1..n
    terms = y[:, :, None] * q[:, None, :] * k * decay  # (B, n, d_k)
    return terms.sum(axis=(1, 2)), np.abs(terms).sum(axis=(1, 2))


def hgrn2_pair_inputs(X, x, s, P, eps, delta):
    r"""HGRN2's own forget gates realising WPGD ``(ω = s, P)`` in the limit ``ε, δ → 0``.

    Key dimensions in pairs ``(ℓ, ±)``, ``ℓ = 1..d``: the gate pre-activation is
    ``z_{t,ℓ±} = b_t ± δ x_{tℓ}`` with ``b_t = −log(ε s_t)`` (a positional bias; ``s_{n+1} = 1``),
    ``f = σ(z)`` (fla's ``logsigmoid``), the key ``k = 1 − f = σ(−z)``, and the query
    ``q_{ℓ±} = ∓ (Pᵀx)_ℓ / (2εδ)``.  Returns ``q (B, 2d)``, ``k (B, n+1, 2d)``,
    ``logf (B, n+1, 2d)`` in float64 (proofs/architectures.md §7).
    """
    B, n, d = X.shape
    feats = np.concatenate([X, x[:, None]], axis=1)  # (B, T, d)
    b = -np.log(eps * np.append(np.asarray(s, dtype=float), 1.0))  # (T,)
    z = np.concatenate([b[None, :, None] + delta * feats, b[None, :, None] - delta * feats], axis=2)
    logf = -np.logaddexp(0.0, -z)  # log σ(z)
    k = np.exp(-np.logaddexp(0.0, z))  # σ(−z) = 1 − σ(z), without cancellation
    r = x @ P  # (Pᵀx)_ℓ
    q = np.concatenate([-r, r], axis=1) / (2.0 * eps * delta)
    return q, k, logf


def _run_hgrn2(X, y, x, rng):
    B, n, d = X.shape
    T = n + 1
    Pq = _r32(rng.standard_normal((d, d)) / np.sqrt(d))
    G = _r32(rng.uniform(0.3, 0.95, size=(T, d)))
    op, op_name = fla_ops.OPS["gla"]

    def fn(Xs, ys, xs):
        q, _, v = _tokens(Xs, ys, xs, np.eye(d), Pq)
        Bn = Xs.shape[0]
        logG = torch.log(_t(G))
        k = (1.0 - torch.exp(logG))[None, :, None, :].expand(Bn, T, 1, d)  # HGRN2: k = 1 − forget gate
        return _query_out(op(q, k, v, logG[None, :, None, :].expand(Bn, T, 1, d)))

    out = fn(X, y, x)
    ref, c = hgrn2_predict(X, y, x, G, Pq)
    mag = np.einsum("bi,ik,bk->b", np.abs(y), np.abs(c), np.abs(x @ Pq.T))
    exact = Conformance("what HGRN2 computes instead: y_i c_i^T P_q x, coefficients independent of X",
                        op_name + " (k = 1 - g)", "architectures.registry.hgrn2_predict (numpy)", out, ref, mag,
                        float32_tolerance(T, d), role="alternative")
    return [exact, _fit_discrepancy("hgrn2", op_name + " (k = 1 - g)", fn, n, d, rng),
            *_hgrn2_limit(X, y, x, rng)]


#: (ε values of the HGRN2 limit check, δ = √ε): the error must shrink at order 1 in ε
HGRN2_EPS = (1e-2, 1e-3, 1e-4)


def _hgrn2_limit(X, y, x, rng):
    r"""§7's limit: HGRN2's own data-dependent forget-gate pairs approach WPGD ``(ω = s, P)``.

    (i) fla's GLA op with ``k = 1 − f`` on the pair inputs at ``ε = 10⁻²`` vs
    :func:`hgrn2_recurrence` (float32 bound on the same rounded inputs); (ii) in float64,
    the distance of :func:`hgrn2_recurrence` to ``wpgd_predict`` at the ``ε`` of
    :data:`HGRN2_EPS` (``δ = √ε``) — the proved rate is ``O(ε + δ²) = O(ε)`` with a non-zero
    first-order term, so the measured order ``log(e₂/e₃)/log(ε₂/ε₃)`` must be 1 ± 0.2.
    """
    B, n, d = X.shape
    T = n + 1
    P = _r32(rng.standard_normal((d, d)) / np.sqrt(d))
    s = _r32(rng.uniform(0.2, 1.0, size=n))  # a positive, non-monotone omega
    eps = HGRN2_EPS[0]
    q, k, logf = (_r32(a) for a in hgrn2_pair_inputs(X, x, s, P, eps, np.sqrt(eps)))
    v = np.concatenate([y, np.zeros((B, 1))], axis=1)[:, :, None, None]
    qs = np.zeros((B, T, 2 * d))
    qs[:, -1] = q  # only the query's query is read
    op, op_name = fla_ops.OPS["gla"]
    out = _query_out(op(_t(qs[:, :, None]), _t(k[:, :, None]), _t(v), _t(logf[:, :, None])))
    ref, mag = hgrn2_recurrence(y, q, k[:, :n], logf)
    fla_check = Conformance("HGRN2's own gate pairs f = sigmoid(b_t +- delta x_t) (eps = 1e-2): fla vs the recurrence",
                            op_name + " (k = 1 - f, pair gates)", "architectures.registry.hgrn2_recurrence (numpy)",
                            out, ref, mag, float32_tolerance(T, 2 * d), role="alternative")
    target = wpgd_predict(X, y, x, P, s)
    scale = float(np.max(np.abs(wpgd_terms(X, y, x, P, s)).sum(axis=1)))
    errs = []
    for e in HGRN2_EPS:
        q64, k64, lf64 = hgrn2_pair_inputs(X, x, s, P, e, np.sqrt(e))
        errs.append(float(np.max(np.abs(hgrn2_recurrence(y, q64, k64[:, :n], lf64)[0] - target))) / scale)
    order = np.log(errs[-2] / errs[-1]) / np.log(HGRN2_EPS[-2] / HGRN2_EPS[-1])
    rate = Conformance("HGRN2 limit: relative distance to WPGD(omega = s > 0, P) at eps = "
                       + ", ".join(f"{e:g}: {r:.1e}" for e, r in zip(HGRN2_EPS, errs))
                       + " (delta = sqrt(eps)); measured order of convergence vs the proved 1",
                       "architectures.registry.hgrn2_recurrence (float64, pair gates)",
                       "wpgd.wpgd_predict (numpy); proved rate O(eps + delta^2)", np.array([order]), np.array([1.0]),
                       np.array([1.0]), 0.2, s, P, role="limit")
    return [fla_check, rate]


# ----------------------------------------------------------------------------- more of fla's family (issue 19)
def _run_based_pm(X, y, x, rng):
    r"""Based without normalisation, two heads ``±q`` mixed by ``(½, −½)``: the Taylor feature map's
    ``1`` and ``a²/2`` terms are even in ``q`` and cancel, ``a = qᵀk`` is odd: ``ŷ = Σ_i y_i qᵀk_i``
    (uniform WPGD).  Bound: float32 error of each head, ``Σ_i |y_i| (1 + |a_i| + a_i²/2)``."""
    B, n, d = X.shape
    Pk, Pq, P = _random_P(rng, d)
    q, k, v = _tokens(X, y, x, Pk, Pq)
    out = 0.5 * (_query_out(fla_ops.based(q, k, v)) - _query_out(fla_ops.based(-q, k, v)))
    a = np.einsum("ba,ac,bic->bi", x, P, X)
    mag = (np.abs(y) * (1.0 + np.abs(a) + a**2 / 2)).sum(axis=1)
    omega = np.ones(n)
    return [Conformance("G1: uniform weights from two Based heads +q, -q (no normalisation)",
                        fla_ops.OPS["based"][1] + " (use_norm=False, heads +-q)", "wpgd.wpgd_predict (numpy)", out,
                        wpgd_predict(X, y, x, P, omega), mag, float32_tolerance(n + 1, d + 2), omega, P)]


def _control(key, extra):
    """A control: the best one-step WPGD fit to fla's op ``key`` (``extra(rng, B, T, d)`` gives its
    other arguments as a function of the batch size, drawn once) leaves a discrepancy above the bound."""

    def run(X, y, x, rng):
        B, n, d = X.shape
        Pk, Pq, _ = _random_P(rng, d)
        make = extra(rng, n + 1, d)
        op, op_name = fla_ops.OPS[key]

        def fn(Xs, ys, xs):
            q, k, v = _tokens(Xs, ys, xs, Pk, Pq)
            return _query_out(op(q, k, v, **make(Xs.shape[0])))

        return [_fit_discrepancy(key, op_name, fn, n, d, rng)]

    return run


def _fixed(arrays):
    """Parameters drawn once (positional, leading axis 1), broadcast to the batch size ``B``."""
    return lambda B: {k: _t(np.broadcast_to(v, (B, *v.shape[1:]))) for k, v in arrays.items()}


def _extra_forgetting(rng, T, d):
    g = _log(_random_gates(rng, T, low=0.5))[None, :, None]
    return _fixed({"g": g})


def _extra_kda(rng, T, d):
    g = _log(_r32(rng.uniform(0.6, 1.0, size=(T, d))))[None, :, None, :]
    beta = np.append(_r32(rng.uniform(0.3, 0.9, size=T - 1)), 0.0)[None, :, None]
    return _fixed({"g": g, "beta": beta})


def _extra_comba(rng, T, d):
    g = _log(_random_gates(rng, T, low=0.6))[None, :, None]
    beta = np.append(_r32(rng.uniform(0.3, 0.9, size=T - 1)), 0.0)[None, :, None]
    return _fixed({"beta": beta, "g": g})  # Comba's second key p = k/2 is set in _comba_op


def _comba_op(q, k, v, beta, g):
    return fla_ops.comba(q, k, v, 0.5 * k, beta, g)


def _extra_gdp(rng, T, d):
    g = _log(_random_gates(rng, T, low=0.6))[None, :, None]
    beta = np.repeat(np.append(_r32(rng.uniform(0.3, 0.9, size=T - 1)), 0.0), 2)[None, :, None]
    return _fixed({"g": g, "beta": beta})


def _gdp_op(q, k, v, g, beta):
    """Two Householder steps per token: the key and value repeated (``k_t, k_t``), steps ``β_t, β_t``."""
    return fla_ops.gated_delta_product(q, k.repeat_interleave(2, dim=1), v.repeat_interleave(2, dim=1), g, beta)


def _extra_gsa(rng, T, d):
    return _fixed({"s": _r32(rng.standard_normal((1, T, 1, 4)))})


def _extra_none(rng, T, d):
    return lambda B: {}


def _hgrn_op(q, k, v):
    """HGRN (v1): no query or key — the value ``y_t`` enters channel 0, decays ``0.9`` per token."""
    x = v[:, :, 0, :]
    return fla_ops.hgrn(x, torch.full_like(x, float(np.log(0.9))))[:, :, None, :]


def _extra_mesa(rng, T, d):
    g = _log(_random_gates(rng, T, low=0.6))[None, :, None]
    beta = np.append(_r32(rng.uniform(0.3, 0.9, size=T - 1)), 0.0)[None, :, None]
    lamb = _t(np.full((1, d), 1.0))
    make = _fixed({"g": g, "beta": beta})
    return lambda B: {**make(B), "lamb": lamb}


def _mesa_op(q, k, v, g, beta, lamb):
    vk = torch.nn.functional.pad(v, (0, k.shape[-1] - v.shape[-1]))  # MesaNet's values have the key dimension
    return fla_ops.mesa_net(q, k, vk, g, lamb, beta)[..., :1]


fla_ops.OPS.update({
    "comba (p = k/2)": (_comba_op, fla_ops.OPS["comba"][1] + " (p = k/2)"),
    "gated_delta_product (2 steps)": (_gdp_op, fla_ops.OPS["gated_delta_product"][1] + " (num_householder=2)"),
    "hgrn (value in channel 0)": (_hgrn_op, fla_ops.OPS["hgrn"][1]),
    "mesa_net (v padded)": (_mesa_op, fla_ops.OPS["mesa_net"][1] + " (lambda = 1)"),
    "based (normalised)": (lambda q, k, v: fla_ops.based(q, k, v, use_norm=True),
                           fla_ops.OPS["based"][1] + " (use_norm=True)"),
})


ARCHITECTURES = {
    a.name: a
    for a in [
        Architecture("linear_attention", "Linear attention", fla_ops.OPS["linear_attention"][1], "uniform", True,
                     "omega = 1: preconditioned gradient descent", None, _run_linear_attention),
        Architecture("retnet", "RetNet (retention)", fla_ops.OPS["retention"][1], "retnet", True,
                     "omega_i = gamma_h^(n+1-i) per head, gamma_h = 1 - 2^(-5-h) fixed by fla; heads sharing P and "
                     "mixed by the output projection: signed sums sum_h c_h gamma_h^(n+1-i)",
                     "gamma_h is a fixed hyperparameter (8 heads by default): the span of 8 geometric profiles",
                     _run_retnet),
        Architecture("simple_gla", "Scalar-gated GLA (simple GLA)", fla_ops.OPS["simple_gla"][1], "monotone", True,
                     "0 <= omega_1 <= ... <= omega_n (products of scalar gates)", None, _run_simple_gla),
        Architecture("mamba2", "Mamba-2 (SSD)", fla_ops.OPS["simple_gla"][1] + " (Mamba-2 gates)", "nonnegative",
                     True, "omega_i = Delta_i exp(-a sum_{j>i} Delta_j): every omega >= 0 (input scaled by Delta)",
                     None, _run_mamba2),
        Architecture("gla", "GLA (key-dimension decay)", fla_ops.OPS["gla"][1], "free", True,
                     "signed sums of monotone key-dimension profiles: every omega",
                     "needs key dimension >= m d for m profiles (K d on a task model; one block gives the monotone "
                     "class)", lambda X, y, x, rng: _run_vector("gla", X, y, x, rng)),
        Architecture("hgrn2", "HGRN2 (GLA with the key tied to the forget gate)",
                     fla_ops.OPS["gla"][1] + " (k = 1 - g)", "none", False,
                     "exactly: no nonzero WPGD (the key 1 - f is bounded, a WPGD coefficient of y_i grows with "
                     "x_i); positional gates give y_i c_i^T P_q x, risk >= tau; limit: its own forget-gate pairs "
                     "f = sigmoid(b_t +- delta x_t) reach WPGD with any omega > 0 as eps, delta -> 0, error "
                     "O(eps + delta^2)",
                     "not WPGD for any fixed parameters; the closure of what it realises holds the nonnegative "
                     "class (limit, with query weights of order 1/(eps delta))",
                     _run_hgrn2),
        Architecture("rwkv6", "RWKV-6", fla_ops.OPS["rwkv6"][1], "free", True,
                     "as GLA; exclusive decay (the query's decay never acts), the bonus u reads the query's own "
                     "write, which is 0", "as GLA: key dimension >= m d for m profiles",
                     lambda X, y, x, rng: _run_vector("rwkv6", X, y, x, rng)),
        Architecture("deltanet", "DeltaNet (delta rule)", fla_ops.OPS["delta_rule"][1], "none", False,
                     "one pass of per-example gradient steps s_i = s_{i-1} + beta_i k_i (y_i - k_i^T s_{i-1}) "
                     "(LMS), read out at the query", "negative control: not one-step WPGD",
                     lambda X, y, x, rng: _run_delta(False, X, y, x, rng)),
        Architecture("gated_deltanet", "Gated DeltaNet (gated delta rule)", fla_ops.OPS["gated_delta_rule"][1],
                     "none", False,
                     "LMS with weight decay: s~ = alpha_i s_{i-1}, s_i = s~ + beta_i k_i (y_i - k_i^T s~)",
                     "negative control: not one-step WPGD", lambda X, y, x, rng: _run_delta(True, X, y, x, rng)),
        Architecture("based_pm", "Based, no normalisation, heads +q/-q", fla_ops.OPS["based"][1] + " (use_norm=False)",
                     "uniform", True, "(o(q) - o(-q))/2 = sum_i y_i q^T k_i: the Taylor map's even terms cancel",
                     "needs two heads mixed (1/2, -1/2) and no normaliser; one head adds 1 + a^2/2 (not WPGD)",
                     _run_based_pm),
        Architecture("based", "Based (fla's default normalisation)", fla_ops.OPS["based"][1] + " (use_norm=True)",
                     "none", False, "sum_i phi(q)^T phi(k_i) y_i / sum_i phi(q)^T phi(k_i): the weights are a ratio of "
                     "polynomials in x, x_i, not x^T P x_i", "negative control",
                     _control("based (normalised)", _extra_none)),
        Architecture("forgetting_transformer", "Forgetting Transformer", fla_ops.OPS["forgetting_attn"][1], "none",
                     False,
                     "softmax_i(q^T k_i + sum_{j>i} log f_j) y_i: the gate prior under a softmax normaliser",
                     "negative control", _control("forgetting_attn", _extra_forgetting)),
        Architecture("kda", "KDA (Kimi delta attention)", fla_ops.OPS["kda"][1], "none", False,
                     "gated delta rule with key-dimension decay: LMS steps (degree-4 monomials)",
                     "negative control", _control("kda", _extra_kda)),
        Architecture("comba", "Comba", fla_ops.OPS["comba"][1], "none", False,
                     "delta rule with a second key p (S p read in the residual): LMS-like steps",
                     "negative control", _control("comba (p = k/2)", _extra_comba)),
        Architecture("gated_deltaproduct", "Gated DeltaProduct (2 Householder steps)",
                     fla_ops.OPS["gated_delta_product"][1], "none", False,
                     "several LMS steps per token", "negative control",
                     _control("gated_delta_product (2 steps)", _extra_gdp)),
        Architecture("gsa", "Gated slot attention", fla_ops.OPS["gsa"][1], "none", False,
                     "two passes with a softmax over slots in between: not linear in the keys' products",
                     "negative control", _control("gsa", _extra_gsa)),
        Architecture("hgrn", "HGRN (v1)", fla_ops.OPS["hgrn"][1], "none", False,
                     "an elementwise recurrence without query or key: sum_i c_i y_i, no x^T x_i product",
                     "negative control", _control("hgrn (value in channel 0)", _extra_none)),
        Architecture("mesanet", "MesaNet (ridge regression)", fla_ops.OPS["mesa_net"][1], "none", False,
                     "q^T (H_kk + diag lambda)^{-1} H_kv: a ridge solve in-context; WPGD (gated linear attention "
                     "scaled by 1/lambda) only as lambda -> infinity", "negative control (WPGD in the limit)",
                     _control("mesa_net (v padded)", _extra_mesa)),
    ]
}

#: proofs/architectures.md section of each architecture
_PROOFS = {"linear_attention": "§1", "retnet": "§2", "simple_gla": "§3", "mamba2": "§4", "gla": "§5", "rwkv6": "§6",
           "hgrn2": "§7", "deltanet": "§8", "gated_deltanet": "§8"}
#: why each control is not one-step WPGD (one line; the proof is in its section)
_REASONS = {
    "hgrn2": "its key 1 - f is bounded, so the coefficient of y_i cannot grow with x_i (WPGD only in a limit)",
    "deltanet": "per-example LMS steps: terms y_i (x^T x_j)(x_j^T x_i) of degree 4 that no one-step WPGD has",
    "gated_deltanet": "LMS steps with weight decay: the delta rule's degree-4 terms",
    "based": "fla's normaliser divides by sum_s phi(q^T k_s): at x = 0 the output is the mean label, not 0",
    "forgetting_transformer": "a softmax normaliser over the gate prior: at x = 0 the output is a gate-weighted "
                              "mean of the labels, not 0",
    "kda": "delta-rule steps (degree-4 terms in the features)",
    "comba": "delta-rule steps with a second key (degree-4 terms in the features)",
    "gated_deltaproduct": "two delta-rule steps per token (degree-4 terms in the features)",
    "gsa": "a softmax over slots between two passes: not linear in x",
    "hgrn": "no query or key: the output sum_i c_i y_i has no x^T P x_i factor",
    "mesanet": "in-context ridge regression (a matrix inverse of the keys): WPGD only as lambda -> infinity",
}
ARCHITECTURES = {k: dataclasses.replace(a, proof="proofs/architectures.md " + _PROOFS.get(k, "§11"),
                                        reason=_REASONS.get(k))
                 for k, a in ARCHITECTURES.items()}


def architecture(name: str) -> Architecture:
    r"""Look up a registered architecture by name.

    Parameters
    ----------
    name : str
        A key of :data:`ARCHITECTURES`.

    Returns
    -------
    Architecture
        The registry entry.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is unknown (the message lists the known names).

    Examples
    --------
    >>> from wpgd_theory.architectures import architecture
    >>> architecture("deltanet").implements_wpgd
    False
    >>> architecture("linear_attention").weight_class
    'uniform'
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    if name not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {name!r}; known: {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[name]


def run_conformance(name: str, *, n: int = 8, d: int = 4, num_prompts: int = 32, seed: int = 0) -> list:
    r"""Run architecture ``name``'s constructions through fla on ``num_prompts`` prompts.

    For the architectures that implement WPGD the G1/G3 constructions are compared with
    ``wpgd_predict``; for the others, the exact statement of what they compute and the
    discrepancy of the best one-step WPGD fit.  Runs on the CPU (fla's plain-torch
    reference ops).

    Parameters
    ----------
    name : str
        A key of :data:`ARCHITECTURES`.
    n : int, optional
        Number of in-context examples, ``≥ 2`` (default 8).
    d : int, optional
        Feature dimension (default 4).
    num_prompts : int, optional
        Number of Gaussian prompts (default 32).
    seed : int, optional
        Seed of the prompts (default 0).

    Returns
    -------
    list of Conformance
        One entry per comparison.

    Raises
    ------
    TypeError
        If ``name`` is not a string or ``n``, ``d`` are not integers.
    ValueError
        If ``name`` is unknown or ``n``, ``d`` are out of range.

    Examples
    --------
    >>> from wpgd_theory.architectures import run_conformance
    >>> results = run_conformance("linear_attention", n=3, d=2, num_prompts=4)
    >>> [(r.what, r.passed) for r in results]
    [('G1: uniform weights', True)]
    """
    arch = architecture(name)
    n = as_positive_int(n, "n", minimum=2)
    d = as_positive_int(d, "d")
    rng = np.random.default_rng(seed)
    X, y, x = sample_prompts(num_prompts, n, d, rng)
    with torch.no_grad():
        return arch.run(X, y, x, rng)


# issue 19 (remainder): log-linear attention, RWKV-7, lightning attention, ReBased, Mamba-1 (their own module,
# which imports the helpers above; proofs/architectures.md §12)
from .registry_ext import EXTRA_ARCHITECTURES  # noqa: E402

ARCHITECTURES.update({a.name: a for a in EXTRA_ARCHITECTURES})
