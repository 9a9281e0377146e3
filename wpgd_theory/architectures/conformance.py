r"""Conformance test for a user's recurrence: does it implement one-step WPGD (claim G1)?

``check_recurrence(fn)`` feeds a callable with fla's op signature in-context regression
prompts — keys and queries ``k_t = q_t = x_t``, one value channel ``v_t = y_t`` and
``v_{n+1} = 0`` for the query — and reads the query's output.  One-step WPGD with scalar
weights predicts ``ŷ = Σ_i ω_i y_i xᵀ P x_i``:

1. the tensor ``M = ω ⊗ P`` is fitted by least squares on Gaussian prompts
   (:func:`~.fit.fit_wpgd`) and its rank-one part gives the *inferred* ``ω`` and ``P``;
2. the largest discrepancy between ``fn`` and that WPGD is measured on prompts drawn by
   hypothesis (entries 0 or of magnitude in ``[10⁻⁴, 4]``, shrinking towards edge cases —
   smaller entries would underflow float32 in products) and on held-out
   Gaussian prompts, norm-wise: relative to ``Σ_i |ω_i y_i| ‖x‖ ‖P‖₂ ‖x_i‖``;
3. the verdict is *implements WPGD* iff that discrepancy is within ``tol`` (default
   ``10 γ_m``, the float32 bound of :func:`~.registry.float32_tolerance`).

Gates are the callable's business (close over them): a layer whose gates do not depend on
``x_t`` is WPGD with ``ω_i`` the product of the later gates (G1); a key-dimension decay
that differs across key dimensions, a delta rule or a normalised attention is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from .._validation import as_positive_int, as_scalar
from .fit import fit_wpgd, wpgd_terms
from .registry import float32_tolerance, sample_prompts

__all__ = ["RecurrenceVerdict", "check_recurrence", "prompt_inputs"]


@dataclass(frozen=True)
class RecurrenceVerdict:
    """Result of :func:`check_recurrence`.

    ``omega (n,)`` and ``P (d,d)`` are the inferred WPGD (scaled so that ``max|ω| = 1``),
    ``max_discrepancy`` the largest relative discrepancy to it over ``examples`` prompts,
    ``rank_ratio`` ``σ₂/σ₁`` of the fitted ``M`` (0 for an exact WPGD).
    """

    implements_wpgd: bool
    max_discrepancy: float
    tolerance: float
    omega: np.ndarray
    P: np.ndarray
    rank_ratio: float
    examples: int
    details: dict = field(default_factory=dict)

    def __str__(self) -> str:
        verdict = "implements one-step WPGD" if self.implements_wpgd else "does not implement one-step WPGD"
        return (f"{verdict}: max discrepancy {self.max_discrepancy:.2e} (tolerance {self.tolerance:.1e}, "
                f"{self.examples} prompts); inferred omega = {np.array2string(self.omega, precision=4)}")


def prompt_inputs(X, y, x, num_heads: int = 1):
    """``q, k (B, n+1, H, d)`` and ``v (B, n+1, H, 1)`` float32 tensors of the conformance prompts."""
    B, n, d = X.shape
    feats = np.concatenate([X, x[:, None]], axis=1)
    v = np.concatenate([y, np.zeros((B, 1))], axis=1)[..., None]
    rep = lambda a: torch.as_tensor(np.repeat(a[:, :, None], num_heads, axis=2), dtype=torch.float32)  # noqa: E731
    return rep(feats), rep(feats), rep(v)


def _call(fn, X, y, x, num_heads):
    q, k, v = prompt_inputs(X, y, x, num_heads)
    with torch.no_grad():
        out = fn(q, k, v)
    if isinstance(out, (tuple, list)):
        out = out[0]
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"fn must return a tensor o (B, T, H, V) or a tuple (o, ...), got {type(out).__name__}")
    B, n = y.shape
    if out.ndim != 4 or out.shape[:2] != (B, n + 1):
        raise ValueError(f"fn must return o of shape (B, T, H, V) = ({B}, {n + 1}, H, V), got {tuple(out.shape)}")
    return out[:, -1, 0, 0].detach().cpu().double().numpy()


def _relative(out, X, y, x, omega, P):
    r"""``|out − ŷ| / Σ_i |ω_i y_i| ‖x‖ ‖P‖₂ ‖x_i‖`` (norm-wise: the inferred ``P`` carries
    least-squares noise, so the terms themselves are no scale where the exact ones vanish)."""
    pred = wpgd_terms(X, y, x, P, omega).sum(axis=1)
    err = np.abs(out - pred)
    scale = (np.abs(omega)[None] * np.abs(y) * np.linalg.norm(X, axis=2)).sum(axis=1) * np.linalg.norm(x, axis=1)
    scale = scale * np.linalg.norm(P, 2)
    return np.where(scale > 0, err / np.where(scale > 0, scale, 1.0), np.where(err > 0, np.inf, 0.0))


def check_recurrence(fn, *, n: int = 8, d: int = 4, num_heads: int = 1, tol: float | None = None,
                     max_examples: int = 25, seed: int = 0) -> RecurrenceVerdict:
    """Does ``fn(q, k, v) -> o`` implement one-step WPGD?  See the module docstring.

    ``fn`` takes ``q, k (B, T, H, d)`` and ``v (B, T, H, 1)`` (float32, ``T = n + 1``, the
    query last) and returns ``o (B, T, H, V)`` or a tuple whose first entry is ``o``; head 0,
    channel 0 of the last token is read.  ``max_examples`` hypothesis-drawn prompts are
    tried besides 64 held-out Gaussian prompts.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable fn(q, k, v) -> o, got {type(fn).__name__}")
    n = as_positive_int(n, "n", minimum=2)
    d = as_positive_int(d, "d")
    num_heads = as_positive_int(num_heads, "num_heads")
    max_examples = as_positive_int(max_examples, "max_examples")
    tol = 10.0 * float32_tolerance(n + 1, d) if tol is None else as_scalar(tol, "tol", minimum=0.0, strict=True)
    rng = np.random.default_rng(seed)
    Xf, yf, xf = sample_prompts(max(4 * n * d * d, 64), n, d, rng)
    fit = fit_wpgd(Xf, yf, xf, _call(fn, Xf, yf, xf, num_heads))
    k = int(np.argmax(np.abs(fit.omega)))
    s = fit.omega[k] if fit.omega[k] != 0 else 1.0
    omega, P = fit.omega / s, fit.P * s
    Xt, yt, xt = sample_prompts(64, n, d, rng)
    worst = [float(np.max(_relative(_call(fn, Xt, yt, xt, num_heads), Xt, yt, xt, omega, P)))]

    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import arrays

    # entries in [-4, 4]; magnitudes below 1e-4 become exact zeros: products of several of them
    # underflow float32, where a relative discrepancy says nothing about the recurrence
    el = st.floats(-4.0, 4.0, allow_nan=False, allow_infinity=False, width=32).map(
        lambda v: 0.0 if abs(v) < 1e-4 else v)

    @settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(arrays(np.float64, (1, n, d), elements=el), arrays(np.float64, (1, n), elements=el),
           arrays(np.float64, (1, d), elements=el))
    def probe(X, y, x):
        worst.append(float(np.max(_relative(_call(fn, X, y, x, num_heads), X, y, x, omega, P))))

    probe()
    disc = max(worst)
    return RecurrenceVerdict(bool(disc <= tol), disc, tol, omega, P, fit.rank_ratio, 64 + len(worst) - 1,
                             {"reference": "fit.fit_wpgd (least squares, rank-one part)",
                              "subject": getattr(fn, "__qualname__", repr(fn)), "fit_prompts": int(Xf.shape[0])})
