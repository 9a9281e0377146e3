r"""Conformance test for a user's recurrence: does it implement one-step WPGD (claim G1)?

``check_recurrence(fn)`` feeds a callable with fla's op signature in-context regression
prompts — the examples' keys ``k_i = x_i``, the query's query ``q_{n+1} = x``, one value
channel ``v_i = y_i`` and ``v_{n+1} = 0`` — and reads the query's output.  The slots a
one-step WPGD never reads (the examples' queries ``q_i`` and the query's key ``k_{n+1}``)
carry independent Gaussian noise, so a layer that reads a query where it should read a key
is caught (with ``q = k`` it would not be).  One-step WPGD with scalar weights predicts
``ŷ = Σ_i ω_i y_i xᵀ P x_i``:

1. the tensor ``M = ω ⊗ P`` is fitted by least squares on Gaussian prompts
   (:func:`~.fit.fit_wpgd`) and its rank-one part gives the *inferred* ``ω`` and ``P``
   (with ``expected_omega``: ``ω`` is the given one and only ``P`` is fitted, so a layer
   realising *other* weights — e.g. a gate applied one step late — is refused);
2. the largest discrepancy between ``fn`` and that WPGD is measured on prompts drawn by
   hypothesis (entries 0 or of magnitude in ``[10⁻⁴, 4]``, shrinking towards edge cases —
   smaller entries would underflow float32 in products) and on held-out
   Gaussian prompts, norm-wise: relative to ``Σ_i |ω_i y_i| ‖x‖ ‖P‖₂ ‖x_i‖``;
3. a causality probe changes every token from position ``c`` on (``c = 1 … n``) and
   measures the change of the outputs at positions ``< c``, relative to their size;
4. the verdict is *implements WPGD* iff both discrepancies are within ``tol`` (default
   ``10 γ_m``, the float32 bound of :func:`~.registry.float32_tolerance`) and the output
   is not degenerate.

Refusals that are not a discrepancy: a NaN or infinite output raises
:class:`NonFiniteOutput` (a ``ValueError`` naming the prompt); an output that is constant
over the fitting prompts (all zero, typically: an op expecting ``(B, H, T, K)`` passed in
the ``(B, T, H, K)`` slot sees ``T = 1`` and the query's value 0) is *not WPGD* with a
message naming that layout mistake — it matches only ``ω = 0``, the zero predictor.

Gates are the callable's business (close over them): a layer whose gates do not depend on
``x_t`` is WPGD with ``ω_i`` the product of the later gates (G1); a key-dimension decay
that differs across key dimensions, a delta rule or a normalised attention is not.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import torch

from .._validation import as_array, as_positive_int, as_scalar
from .fit import features, fit_wpgd, wpgd_terms
from .registry import float32_tolerance, sample_prompts

__all__ = ["NonFiniteOutput", "RecurrenceVerdict", "check_recurrence", "prompt_inputs", "LAYOUT_HINT"]

#: what a degenerate (constant) output most likely means
LAYOUT_HINT = ("likely layout mistake: an op expecting (B, H, T, K) was passed where (B, T, H, K) is expected "
               "(it then sees one token per sequence, and the query's value is 0); transpose q, k, v with "
               ".transpose(1, 2) before the op and its output back")


class NonFiniteOutput(ValueError):
    r"""Raised when ``fn`` returns NaN or ±inf; ``X, y, x`` is the prompt that caused it.

    A :class:`ValueError`, so a command line reports it in one line (exit 2).

    Parameters
    ----------
    kind : str
        What was returned (``"NaN"``, ``"inf"``).
    source : str
        Where the prompt came from (e.g. ``"held-out Gaussian prompt"``).
    X : array_like of shape (n, d)
        The prompt's examples.
    y : array_like of shape (n,)
        The prompt's labels.
    x : array_like of shape (d,)
        The prompt's query.

    Examples
    --------
    >>> from wpgd_theory.architectures import NonFiniteOutput
    >>> err = NonFiniteOutput("NaN", "held-out Gaussian prompt", [[1.0]], [2.0], [0.5])
    >>> print(err)
    fn returned NaN on held-out Gaussian prompt: X = [[1.]], y = [2.], x = [0.5]
    >>> isinstance(err, ValueError), err.X.shape
    (True, (1, 1))
    """

    def __init__(self, kind: str, source: str, X, y, x):
        fmt = lambda a: np.array2string(np.asarray(a), precision=4, separator=", ",  # noqa: E731
                                        max_line_width=10**9).replace("\n", "")
        super().__init__(f"fn returned {kind} on {source}: X = {fmt(X)}, y = {fmt(y)}, x = {fmt(x)}")
        self.kind, self.source = kind, source
        self.X, self.y, self.x = np.asarray(X), np.asarray(y), np.asarray(x)


@dataclass(frozen=True)
class RecurrenceVerdict:
    r"""Result of :func:`check_recurrence`: does a recurrence implement one-step WPGD (claim G1)?

    ``str(verdict)`` gives the verdict in one sentence.

    Parameters
    ----------
    implements_wpgd : bool
        Whether both discrepancies are within ``tolerance`` and the output is not degenerate.
    max_discrepancy : float
        Largest relative discrepancy to the WPGD ``(omega, P)`` over ``examples`` prompts
        (``inf`` for a degenerate output).
    tolerance : float
        The tolerance used (default ``10 γ_m``, :func:`float32_tolerance`).
    omega : numpy.ndarray of shape (n,)
        The weights compared with (inferred, or ``expected_omega``), scaled so that
        ``max|ω| = 1``.
    P : numpy.ndarray of shape (d, d)
        The preconditioner compared with (fitted).
    rank_ratio : float
        ``σ₂/σ₁`` of the fitted tensor ``M`` (0 for an exact WPGD).
    examples : int
        Number of prompts the discrepancy was measured on.
    causality_discrepancy : float, optional
        Largest relative change of an output when only later tokens change (default 0.0).
    message : str, optional
        Why the verdict is negative (empty when positive).
    details : dict, optional
        Origins of both sides of the comparison and the numbers of prompts.

    Examples
    --------
    >>> import torch
    >>> from wpgd_theory.architectures import check_recurrence
    >>> def causal_linear_attention(q, k, v):  # o_t = Σ_{s ≤ t} (q_t · k_s) v_s
    ...     return torch.einsum("bhts,bshv->bthv", torch.einsum("bthd,bshd->bhts", q, k).tril(), v)
    >>> verdict = check_recurrence(causal_linear_attention, n=3, d=2, max_examples=5)
    >>> verdict.implements_wpgd, verdict.omega.shape, verdict.P.shape
    (True, (3,), (2, 2))
    >>> str(verdict).startswith("implements one-step WPGD")
    True
    """

    implements_wpgd: bool
    max_discrepancy: float
    tolerance: float
    omega: np.ndarray
    P: np.ndarray
    rank_ratio: float
    examples: int
    causality_discrepancy: float = 0.0
    message: str = ""
    details: dict = field(default_factory=dict)

    def __str__(self) -> str:
        if self.implements_wpgd:
            return (f"implements one-step WPGD: max discrepancy {self.max_discrepancy:.2e} (tolerance "
                    f"{self.tolerance:.1e}, {self.examples} prompts; causality {self.causality_discrepancy:.1e}); "
                    f"{'expected' if 'expected_omega' in self.details else 'inferred'} omega = "
                    f"{np.array2string(self.omega, precision=4)}")
        return f"does not implement one-step WPGD: {self.message}"


def _junk(X, y, x, seed):
    """Noise for the unread slots, a function of the prompt (hypothesis replays see the same)."""
    key = zlib.crc32(np.ascontiguousarray(X).tobytes() + np.ascontiguousarray(y).tobytes()
                     + np.ascontiguousarray(x).tobytes())
    rng = np.random.default_rng([seed, key])
    r32 = lambda a: a.astype(np.float32).astype(np.float64)  # noqa: E731
    return r32(rng.standard_normal(X.shape)), r32(rng.standard_normal(x.shape))


def prompt_inputs(X, y, x, num_heads: int = 1, junk=None):
    r"""Return the conformance prompts as fla's op inputs ``q, k, v`` (float32 tensors).

    Tokens are the ``n`` examples then the query: keys ``k_i = x_i``, the query's query
    ``q_{n+1} = x``, values ``v_i = y_i`` and ``v_{n+1} = 0`` (claim G1's construction).

    Parameters
    ----------
    X : numpy.ndarray of shape (B, n, d)
        The examples' features.
    y : numpy.ndarray of shape (B, n)
        The examples' labels.
    x : numpy.ndarray of shape (B, d)
        The queries.
    num_heads : int, optional
        Heads ``H`` (every head gets the same inputs; default 1).
    junk : tuple or None, optional
        ``(Jq (B, n, d), Jk (B, d))`` fills the unread slots (the examples' queries, the
        query's key); ``None`` (default) sets them to the features (``q = k``).

    Returns
    -------
    q, k : torch.Tensor of shape (B, n+1, H, d)
        Queries and keys.
    v : torch.Tensor of shape (B, n+1, H, 1)
        Values.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.architectures.conformance import prompt_inputs
    >>> q, k, v = prompt_inputs(np.ones((1, 2, 2)), np.array([[1.0, 2.0]]), np.array([[1.0, 0.0]]), num_heads=2)
    >>> tuple(q.shape), tuple(v.shape), v[0, :, 0, 0].tolist()
    ((1, 3, 2, 2), (1, 3, 2, 1), [1.0, 2.0, 0.0])
    """
    B, n, d = X.shape
    feats = np.concatenate([X, x[:, None]], axis=1)
    q, k = feats.copy(), feats.copy()
    if junk is not None:
        q[:, :n] = junk[0]
        k[:, n] = junk[1]
    v = np.concatenate([y, np.zeros((B, 1))], axis=1)[..., None]
    rep = lambda a: torch.as_tensor(np.repeat(a[:, :, None], num_heads, axis=2), dtype=torch.float32)  # noqa: E731
    return rep(q), rep(k), rep(v)


def _outputs(fn, X, y, x, num_heads, seed, source, junk=None):
    """``o[:, :, 0, 0]`` as float64 ``(B, n+1)``; raises :class:`NonFiniteOutput` naming the first bad prompt."""
    junk = _junk(X, y, x, seed) if junk is None else junk
    out = _raw(fn, prompt_inputs(X, y, x, num_heads, junk), y.shape)
    bad = ~torch.isfinite(out).reshape(out.shape[0], -1).all(dim=1)
    if bool(bad.any()):
        b = int(torch.nonzero(bad)[0, 0])
        vals = out[b]
        kind = "NaN" if bool(torch.isnan(vals).any()) else "inf"
        where = f"{source} {b}" if X.shape[0] > 1 else source
        raise NonFiniteOutput(kind, where, X[b], y[b], x[b])
    return out[:, :, 0, 0].detach().cpu().double().numpy()


def _raw(fn, qkv, yshape):
    with torch.no_grad():
        out = fn(*qkv)
    if isinstance(out, (tuple, list)):
        out = out[0]
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"fn must return a tensor o (B, T, H, V) or a tuple (o, ...), got {type(out).__name__}")
    B, n = yshape
    if out.ndim != 4 or out.shape[:2] != (B, n + 1):
        raise ValueError(f"fn must return o of shape (B, T, H, V) = ({B}, {n + 1}, H, V), got {tuple(out.shape)}")
    return out


def _relative(out, X, y, x, omega, P):
    r"""``|out − ŷ| / Σ_i |ω_i y_i| ‖x‖ ‖P‖₂ ‖x_i‖`` (norm-wise: the inferred ``P`` carries
    least-squares noise, so the terms themselves are no scale where the exact ones vanish)."""
    pred = wpgd_terms(X, y, x, P, omega).sum(axis=1)
    err = np.abs(out - pred)
    scale = (np.abs(omega)[None] * np.abs(y) * np.linalg.norm(X, axis=2)).sum(axis=1) * np.linalg.norm(x, axis=1)
    scale = scale * np.linalg.norm(P, 2)
    return np.where(scale > 0, err / np.where(scale > 0, scale, 1.0), np.where(err > 0, np.inf, 0.0))


def fit_P(X, y, x, out, omega) -> np.ndarray:
    r"""Fit ``P`` by least squares in ``ŷ = Σ_i ω_i y_i xᵀ P x_i`` with ``ω`` given (``d²`` unknowns).

    Parameters
    ----------
    X : numpy.ndarray of shape (B, n, d)
        The examples' features.
    y : numpy.ndarray of shape (B, n)
        The examples' labels.
    x : numpy.ndarray of shape (B, d)
        The queries.
    out : numpy.ndarray of shape (B,)
        The predictor's outputs.
    omega : numpy.ndarray of shape (n,)
        The given weights.

    Returns
    -------
    numpy.ndarray of shape (d, d)
        The fitted preconditioner.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.architectures.conformance import fit_P
    >>> from wpgd_theory.architectures.fit import wpgd_terms
    >>> rng = np.random.default_rng(0)
    >>> X, y, x = rng.standard_normal((20, 3, 2)), rng.standard_normal((20, 3)), rng.standard_normal((20, 2))
    >>> P, omega = np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([1.0, 0.5, 0.25])
    >>> bool(np.allclose(fit_P(X, y, x, wpgd_terms(X, y, x, P, omega).sum(axis=1), omega), P))
    True
    """
    B, n, d = X.shape
    Phi = features(X, y, x).reshape(B, n, d * d)
    coef, *_ = np.linalg.lstsq(np.einsum("i,bij->bj", omega, Phi), out, rcond=None)
    return coef.reshape(d, d)


def _causality(fn, X, y, x, num_heads, seed, rng):
    """Largest relative change of the outputs at positions ``< c`` when tokens ``c … n+1`` change
    (features, labels and the unread slots alike), ``c = 1 … n``."""
    B, n, d = X.shape
    J = _junk(X, y, x, seed)
    base = _outputs(fn, X, y, x, num_heads, seed, "held-out Gaussian prompt", J)
    X2, y2, x2 = sample_prompts(B, n, d, rng)
    J2 = _junk(X2, y2, x2, seed)
    worst = 0.0
    for c in range(1, n + 1):
        Xc, yc, Jq = X.copy(), y.copy(), J[0].copy()
        Xc[:, c:], yc[:, c:], Jq[:, c:] = X2[:, c:], y2[:, c:], J2[0][:, c:]
        other = _outputs(fn, Xc, yc, x2, num_heads, seed, f"causality probe (tokens {c + 1}.. changed), prompt",
                         (Jq, J2[1]))
        err = np.abs(other[:, :c] - base[:, :c]).max(axis=0)
        scale = np.maximum(np.abs(base[:, :c]).max(axis=0), np.abs(other[:, :c]).max(axis=0))
        rel = np.where(scale > 0, err / np.where(scale > 0, scale, 1.0), np.where(err > 0, np.inf, 0.0))
        worst = max(worst, float(rel.max()))
    return worst


def check_recurrence(fn, *, n: int = 8, d: int = 4, num_heads: int = 1, tol: float | None = None,
                     max_examples: int = 25, seed: int = 0, expected_omega=None) -> RecurrenceVerdict:
    r"""Decide whether ``fn(q, k, v) -> o`` implements one-step WPGD (claim G1).

    One-step WPGD predicts ``ŷ = Σ_i ω_i y_i xᵀ P x_i``.  The layer is fed in-context
    regression prompts (keys ``k_i = x_i``, the query's query ``q_{n+1} = x``, values
    ``v_i = y_i`` and ``v_{n+1} = 0``; the unread slots carry noise), ``ω`` and ``P`` are
    fitted by least squares (:func:`fit_wpgd`) or ``ω`` is given, and the largest relative
    discrepancy between ``fn`` and that WPGD is measured on hypothesis-drawn and held-out
    Gaussian prompts, together with a causality probe (see the module docstring).

    Parameters
    ----------
    fn : callable
        ``fn(q, k, v)`` with ``q, k`` of shape ``(B, T, H, d)`` and ``v`` of shape
        ``(B, T, H, 1)`` (float32 torch tensors, ``T = n + 1``, the query last), returning
        ``o`` of shape ``(B, T, H, V)`` or a tuple whose first entry is ``o``; head 0,
        channel 0 is read.  Gates are ``fn``'s business (close over them).
    n : int, optional
        Number of in-context examples, ``≥ 2`` (default 8).
    d : int, optional
        Dimension of the features (default 4).
    num_heads : int, optional
        Number of heads ``H`` of the inputs (default 1).
    tol : float or None, optional
        Relative tolerance; ``None`` (default) for ``10 γ_m``
        (:func:`float32_tolerance` with ``T = n + 1`` tokens and key dimension ``d``).
    max_examples : int, optional
        Hypothesis-drawn prompts tried besides 64 held-out Gaussian prompts (default 25).
    seed : int, optional
        Seed of the prompts (default 0).
    expected_omega : array_like of shape (n,) or None, optional
        The weights the layer should put on the examples (any scale); then only ``P`` is
        fitted, so a layer realising other weights is refused.

    Returns
    -------
    RecurrenceVerdict
        The verdict, the WPGD compared with and the discrepancies.

    Raises
    ------
    TypeError
        If ``fn`` is not callable, returns something other than a tensor or tuple, or an
        argument has the wrong type.
    ValueError
        If an argument is out of range, ``expected_omega`` has the wrong shape or is all
        zero, or ``o`` has the wrong shape.
    NonFiniteOutput
        If ``fn`` returns NaN or inf (a ValueError naming the prompt).

    Examples
    --------
    >>> import torch
    >>> from wpgd_theory.architectures import check_recurrence
    >>> def gated(q, k, v, g=0.5):  # o_t = Σ_{s ≤ t} g^{t−s} (q_t · k_s) v_s
    ...     T = q.shape[1]
    ...     t = torch.arange(T)
    ...     decay = torch.where(t[:, None] >= t[None, :], g ** (t[:, None] - t[None, :]).float(), 0.0)
    ...     return torch.einsum("bhts,bshv->bthv", torch.einsum("bthd,bshd->bhts", q, k) * decay, v)
    >>> verdict = check_recurrence(gated, n=3, d=2, max_examples=5)
    >>> verdict.implements_wpgd
    True
    >>> verdict.omega.round(4)  # ω_i = g^{n+1−i}, scaled to max |ω| = 1
    array([0.25, 0.5 , 1.  ])
    >>> check_recurrence(gated, n=3, d=2, max_examples=5, expected_omega=[1, 1, 1]).implements_wpgd
    False
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable fn(q, k, v) -> o, got {type(fn).__name__}")
    n = as_positive_int(n, "n", minimum=2)
    d = as_positive_int(d, "d")
    num_heads = as_positive_int(num_heads, "num_heads")
    max_examples = as_positive_int(max_examples, "max_examples")
    seed = as_positive_int(seed, "seed", minimum=0)
    tol = 10.0 * float32_tolerance(n + 1, d) if tol is None else as_scalar(tol, "tol", minimum=0.0, strict=True)
    if expected_omega is not None:
        expected_omega = as_array(expected_omega, "expected_omega", shape=(n,))
        if not np.any(expected_omega):
            raise ValueError("expected_omega must not be all zero (the zero predictor is not a test)")
        expected_omega = expected_omega / np.max(np.abs(expected_omega))
    rng = np.random.default_rng(seed)
    Xf, yf, xf = sample_prompts(max(4 * n * d * d, 64), n, d, rng)
    out_f = _outputs(fn, Xf, yf, xf, num_heads, seed, "Gaussian fitting prompt")[:, -1]
    details = {"reference": "fit.fit_wpgd (least squares, rank-one part)" if expected_omega is None else
               "expected_omega with P fitted by least squares (conformance.fit_P)",
               "subject": getattr(fn, "__qualname__", repr(fn)), "fit_prompts": int(Xf.shape[0])}
    spread = float(np.max(np.abs(out_f - np.median(out_f))))
    if spread <= tol * float(np.max(np.abs(out_f))):
        value = float(np.median(out_f))
        return RecurrenceVerdict(
            False, float("inf"), tol, np.zeros(n), np.zeros((d, d)), 0.0, int(Xf.shape[0]),
            message=(f"the query output is constant ({value:.3g}) on all {Xf.shape[0]} fitting prompts: "
                     + ("it matches only omega = 0, the zero predictor" if value == 0 else
                        "no one-step WPGD (linear in y) is a nonzero constant") + f"; {LAYOUT_HINT}"),
            details={**details, "degenerate": True, "constant_output": value})
    fit = fit_wpgd(Xf, yf, xf, out_f)
    if expected_omega is None:
        k = int(np.argmax(np.abs(fit.omega)))
        s = fit.omega[k] if fit.omega[k] != 0 else 1.0
        omega, P = fit.omega / s, fit.P * s
    else:
        omega, P = expected_omega, fit_P(Xf, yf, xf, out_f, expected_omega)
        details["expected_omega"] = expected_omega.tolist()
        k = int(np.argmax(np.abs(fit.omega)))
        details["inferred_omega"] = (fit.omega / (fit.omega[k] if fit.omega[k] != 0 else 1.0)).tolist()
    Xt, yt, xt = sample_prompts(64, n, d, rng)
    worst = [float(np.max(_relative(_outputs(fn, Xt, yt, xt, num_heads, seed, "held-out Gaussian prompt")[:, -1],
                                    Xt, yt, xt, omega, P)))]

    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import arrays

    # entries in [-4, 4]; magnitudes below 1e-4 become exact zeros: products of several of them
    # underflow float32, where a relative discrepancy says nothing about the recurrence
    el = st.floats(-4.0, 4.0, allow_nan=False, allow_infinity=False, width=32).map(
        lambda v: 0.0 if abs(v) < 1e-4 else v)

    @settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
              verbosity=Verbosity.quiet, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(arrays(np.float64, (1, n, d), elements=el), arrays(np.float64, (1, n), elements=el),
           arrays(np.float64, (1, d), elements=el))
    def probe(X, y, x):
        o = _outputs(fn, X, y, x, num_heads, seed, "hypothesis-drawn prompt")[:, -1]
        worst.append(float(np.max(_relative(o, X, y, x, omega, P))))

    try:
        probe()
    except NonFiniteOutput as exc:
        raise NonFiniteOutput(exc.kind, exc.source, exc.X, exc.y, exc.x) from None  # without hypothesis' notes
    disc = float(np.max(worst))  # np.max propagates NaN (none can occur: outputs are checked finite)
    causal = _causality(fn, Xt[:16], yt[:16], xt[:16], num_heads, seed, rng)
    details["causality_prompts"] = 16
    ok_fit, ok_causal = bool(disc <= tol), bool(causal <= tol)
    msg = []
    if not ok_fit:
        msg.append(f"max discrepancy {disc:.2e} to the nearest one-step WPGD"
                   + (" with the expected omega" if expected_omega is not None else "")
                   + f" exceeds the tolerance {tol:.1e} ({64 + len(worst) - 1} prompts)")
    if not ok_causal:
        msg.append(f"not causal: an output changes by {causal:.2e} (relative) when only later tokens change")
    return RecurrenceVerdict(ok_fit and ok_causal, disc, tol, omega, P, fit.rank_ratio, 64 + len(worst) - 1,
                             causal, "; ".join(msg), details)
