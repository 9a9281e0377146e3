r"""Uniqueness certificates for the WPGD optimum (claims **W4**, **W5**).

The W4 equation is ``F(μ) = μ − g(μ) = 0`` on ``[τ/λ_max, τ/λ_min]`` with
``g(μ) = τ h(t(μ))`` **nondecreasing** (``t`` is nonincreasing in ``μ`` and ``h`` is
nonincreasing in ``t``; ``proofs/uniqueness.md``).  That monotonicity is what makes root
isolation rigorous without derivatives:

    for ``μ ∈ [α, β]``:  ``α − g(β) ≤ F(μ) ≤ β − g(α)``.

So a cell with ``α > g(β)`` holds no root (``F > 0``) and a cell with ``β < g(α)`` holds
no root (``F < 0``); every other cell is bisected until its relative width is below
``rtol``.  Cells are discarded only with a margin covering the floating-point error of
``g`` (``StationaryCurve.g_relative_error``), and with ``interval=True`` every discarded
cell is re-verified in interval arithmetic (``mpmath.iv``).  The surviving cells form
clusters; a cluster whose end values of ``F`` differ in sign contains a root (intermediate
value theorem), and it is refined by ``brentq``.  Roots closer than ``rtol·μ`` are not
separated (stated in the certificate).

An *a priori* test is recorded beside the isolation: at a root ``F'(μ) = 1 − ε_h ε_t``
with the elasticities bounded by ``|ε_h| ≤ 2δ(κ_Σ)²`` and ``|ε_t| ≤ 2δ(κ_R)²``,
``δ(κ) = (√κ − 1)/(√κ + 1)``; if ``4δ(κ_Σ)²δ(κ_R)² < 1`` every root is an up-crossing and
the root is unique (theorem U2 of ``proofs/uniqueness.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

__all__ = [
    "RootIsolation",
    "UniquenessCertificate",
    "isolate_roots",
    "apriori_uniqueness",
    "certify_uniqueness",
    "degenerate_certificate",
    "interval_verify",
    "condition_delta",
    "slope_bounds",
]

#: Relative risk gap (in units of ``τ``) below which two roots count as a tie.
RISK_TIE_TOL = 1e-11


@dataclass(frozen=True)
class RootIsolation:
    r"""Result of :func:`isolate_roots` on ``F(μ) = μ − g(μ)`` over ``[lo, hi]``.

    ``roots`` holds one refined root per certified root cell plus one approximate root per
    unresolved cluster.  ``root_cells`` are cells ``(α, β)`` on which ``F`` is certified
    strictly monotone with a strict sign change (exactly one root each).  ``unresolved``
    are clusters of cells at the final resolution that could be neither discarded nor
    certified monotone (a tangential root, or roots closer than the resolution): the count
    is then not certified.  ``excluded`` has rows ``(α, β, kind)`` for every discarded cell:
    ``kind = +1``/``−1`` for the zeroth-order bounds ``α > g(β)``/``β < g(α)``, ``kind = 2``
    for a cell where ``F`` is certified monotone without a sign change.  ``margin`` is the
    smallest certified relative bound ``|F|/μ`` over the zeroth-order exclusions (claims W4, W5).

    Parameters
    ----------
    roots : ndarray, shape (k,)
        The roots found (ascending).
    root_cells : tuple of tuple
        Cells ``(α, β)`` each holding exactly one root.
    unresolved : tuple of tuple
        Clusters ``(α, β)`` that could not be resolved.
    excluded : ndarray, shape (m, 3)
        Rows ``(α, β, kind)`` of the discarded cells.
    margin : float
        The least certified ``|F|/μ`` of the zeroth-order exclusions.
    resolution : float
        The relative cell width reached.
    num_evaluations : int
        Evaluations of ``g`` spent.
    bracket : tuple of float
        ``(τ/λ_max, τ/λ_min)``.
    rel_err : float
        The floating-point error bound of ``g`` used in every comparison.
    truncated : bool, optional
        Whether the evaluation budget ran out.
    min_slope : float, optional
        The least certified ``|F'|`` on the root cells.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> from wpgd_theory.landscape import stationary_curve
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> curve = stationary_curve(model)
    >>> iso = isolate_roots(curve)
    >>> iso.excluded.shape[1], iso.truncated, bool(iso.margin > 0)
    (3, False, True)
    """

    roots: np.ndarray
    root_cells: tuple
    unresolved: tuple
    excluded: np.ndarray
    margin: float
    resolution: float
    num_evaluations: int
    bracket: tuple
    rel_err: float
    truncated: bool = False
    min_slope: float = float("nan")


_U = 2.0**-53


def _widen(lo, hi, k):
    """Outward relative widening of positive bounds by ``k`` units of roundoff."""
    return lo * (1.0 - k * _U), hi * (1.0 + k * _U)


def _ratio_bounds(w_lo, w_hi, f_lo, f_hi, k):
    """Enclosure of ``Σ w f / Σ w`` for positive ``w ∈ [w_lo, w_hi]``, ``f ∈ [f_lo, f_hi]`` (rows = cells)."""
    lo = np.sum(w_lo * f_lo, -1) / np.sum(w_hi, -1)
    hi = np.sum(w_hi * f_hi, -1) / np.sum(w_lo, -1)
    # a weighted mean also lies in [min f, max f]
    lo = np.maximum(lo, np.min(f_lo, -1))
    hi = np.minimum(hi, np.max(f_hi, -1))
    return _widen(lo, hi, k)


def slope_bounds(curve, alpha, beta, g_alpha, g_beta, rel_err):
    r"""Bounds ``[inf g', sup g']`` of ``g'`` on cells ``[α, β]`` (vectorised over cells).

    ``g'(μ) = g(μ) ε_h(t(μ)) ε_t(μ)/μ`` with ``ε_h = 2(E_q u − E_p u)`` (``u = t/(λ+t)``,
    ``p ∝ λ²/(λ+t)²``, ``q ∝ λp``) and ``ε_t = 2(E_ρ v − E_π v)`` (``v = μ/(x+μ)``,
    ``π ∝ s²/(x+μ)²``, ``ρ ∝ xπ``).  On a cell every ingredient is enclosed by monotonicity:
    ``t ∈ [t(β), t(α)]``, ``u`` increases in ``t``, ``v`` in ``μ``, ``p, π`` decrease; ratios of
    positive sums are enclosed termwise; every bound is widened for roundoff (claims W4, W5).

    Parameters
    ----------
    curve : StationaryCurve
        The stationary curve.
    alpha, beta : ndarray, shape (m,)
        The cells' ends, ``0 < α < β``.
    g_alpha, g_beta : ndarray, shape (m,)
        ``g`` at the ends.
    rel_err : float
        The floating-point error bound of ``g``.

    Returns
    -------
    lower : ndarray, shape (m,)
        A lower bound of ``g'`` on every cell.
    upper : ndarray, shape (m,)
        An upper bound of ``g'`` on every cell.

    Examples
    --------
    The bounds enclose a finite-difference slope:

    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> from wpgd_theory.landscape import stationary_curve
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> curve = stationary_curve(model)
    >>> a, b = np.array([1.0]), np.array([1.001])
    >>> lo, hi = slope_bounds(curve, a, b, curve.g(a), curve.g(b), curve.g_relative_error())
    >>> slope = (curve.g(b) - curve.g(a)) / (b - a)
    >>> bool(lo[0] <= slope[0] <= hi[0])
    True
    """
    alpha = np.asarray(alpha, float)[:, None]
    beta = np.asarray(beta, float)[:, None]
    m, d = curve.s.size, curve.lam.size
    e_t = 4.0 * (4 * m + 20) * _U
    t_lo = curve.t(beta[:, 0])[:, None] * (1.0 - e_t)
    t_hi = curve.t(alpha[:, 0])[:, None] * (1.0 + e_t)
    lam = curve.lam
    u_lo, u_hi = _widen(t_lo / (lam + t_lo), t_hi / (lam + t_hi), 4)
    # p ∝ (λ/(λ+t))², divided by its largest upper bound in the row (only ratios of sums of
    # p enter, so a common factor cancels; this keeps t ≫ λ from underflowing to 0/0)
    q_lo, q_hi = lam / (lam + t_hi), lam / (lam + t_lo)
    top = np.max(q_hi, axis=-1, keepdims=True)
    p_lo, p_hi = _widen((q_lo / top) ** 2, (q_hi / top) ** 2, 12)
    Ep = _ratio_bounds(p_lo, p_hi, u_lo, u_hi, 4 * d + 16)
    Eq = _ratio_bounds(p_lo * lam, p_hi * lam, u_lo, u_hi, 4 * d + 16)
    x, s2 = curve.x, curve.s**2
    v_lo, v_hi = _widen(alpha / (x + alpha), beta / (x + beta), 4)
    # π ∝ s²/(x+μ)², times the common factor (1+α)² (cancels in the ratios; no overflow of μ²)
    w_lo, w_hi = _widen(s2 * ((1.0 + alpha) / (x + beta)) ** 2, s2 * ((1.0 + alpha) / (x + alpha)) ** 2, 12)
    Epi = _ratio_bounds(w_lo, w_hi, v_lo, v_hi, 4 * m + 16)
    Erho = _ratio_bounds(w_lo * x, w_hi * x, v_lo, v_hi, 4 * m + 16)
    # |ε_h| ∈ [2(Ep_lo − Eq_hi)_+, 2(Ep_hi − Eq_lo)], |ε_t| likewise (both ε ≤ 0)
    abs_h_hi = 2.0 * np.maximum(Ep[1] - Eq[0], 0.0)
    abs_h_lo = 2.0 * np.maximum(Ep[0] - Eq[1], 0.0)
    abs_t_hi = 2.0 * np.maximum(Epi[1] - Erho[0], 0.0)
    abs_t_lo = 2.0 * np.maximum(Epi[0] - Erho[1], 0.0)
    sup = np.asarray(g_beta) * (1.0 + rel_err) * abs_h_hi * abs_t_hi / alpha[:, 0] * (1.0 + 8 * _U)
    inf = np.asarray(g_alpha) * (1.0 - rel_err) * abs_h_lo * abs_t_lo / beta[:, 0] * (1.0 - 8 * _U)
    return inf, sup


def _certain_sign(F, err):
    """``sign(F)`` where ``|F|`` exceeds its error bound, else 0."""
    return np.where(np.abs(F) > err, np.sign(F), 0.0)


def _refine(F, A, B):
    """The root in a cell known to hold one: ``brentq`` when the computed end values of
    ``F`` differ in sign, else (the root is within rounding of an end) the end of least
    ``|F|``."""
    FA, FB = F(A), F(B)
    if FA == 0.0:
        return A
    if FB == 0.0:
        return B
    if np.sign(FA) != np.sign(FB):
        return brentq(F, A, B, xtol=4 * np.finfo(float).eps * A, rtol=4 * np.finfo(float).eps)
    return A if abs(FA) <= abs(FB) else B


def isolate_roots(curve, *, rtol: float = 1e-11, initial_cells: int = 64,
                  max_evaluations: int = 200_000) -> RootIsolation:
    r"""Every root of the W4 equation ``F(μ) = μ − g(μ)`` of ``curve`` on its bracket.

    ``curve`` is a :class:`~wpgd_theory.landscape.StationaryCurve` (``g`` nondecreasing,
    vectorised).  Each cell ``[α, β]`` of a log-spaced grid is

    1. discarded if ``α > g(β)`` or ``β < g(α)`` (zeroth order: ``F`` is signed on it);
    2. otherwise, if :func:`slope_bounds` certifies ``g' < 1`` (or ``g' > 1``) on it, ``F``
       is strictly monotone there: one root if the end values of ``F`` have certainly
       opposite signs, none if certainly equal signs (discarded);
    3. otherwise bisected (geometric midpoint) until its relative width is below ``rtol``;
       such cells are merged into *unresolved* clusters.

    Every comparison carries the floating-point error bound ``curve.g_relative_error()``;
    at the bracket ends the signs ``F(τ/λ_max) < 0 < F(τ/λ_min)`` are exact (``Σ`` not
    isotropic), which certifies roots lying within rounding of an end.

    Parameters
    ----------
    curve : StationaryCurve
        From :func:`wpgd_theory.landscape.stationary_curve`.
    rtol : float, optional
        Relative width at which a cell is no longer bisected.
    initial_cells : int, optional
        Log-spaced cells of the first grid.
    max_evaluations : int, optional
        Budget of evaluations of ``g`` (``truncated`` is set when it is spent).

    Returns
    -------
    RootIsolation
        ``roots`` (shape ``(k,)``), ``root_cells``, ``unresolved``, ``excluded`` and the
        bookkeeping of the certificate.

    Raises
    ------
    ValueError
        If the curve's bracket is not ``0 < lo <= hi < inf``.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> from wpgd_theory.landscape import stationary_curve
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> curve = stationary_curve(model)
    >>> iso = isolate_roots(curve)
    >>> len(iso.roots), len(iso.root_cells), len(iso.unresolved)  # one certified root
    (1, 1, 0)
    >>> bool(abs(curve.F(iso.roots)[0]) < 1e-9 * iso.roots[0])
    True
    """
    rel_err = curve.g_relative_error()
    lo, hi = curve.bracket
    if not (0 < lo <= hi and np.isfinite(hi)):
        raise ValueError(f"bracket must satisfy 0 < lo <= hi < inf, got [{lo}, {hi}]")

    def F(mu):
        return mu - float(curve.g(np.array(mu)))

    if hi <= lo * (1.0 + rtol):  # the bracket is a point (isotropic Σ up to rounding)
        mu = float(np.clip(curve.g(np.array(lo * np.sqrt(hi / lo))), lo, hi))
        return RootIsolation(np.array([mu]), ((lo, hi),), (), np.empty((0, 3)), np.inf, rtol, 1, (lo, hi),
                             rel_err)
    edges = np.geomspace(lo, hi, initial_cells + 1)
    edges[0], edges[-1] = lo, hi
    gv = np.asarray(curve.g(edges), dtype=float)
    a, b, ga, gb = edges[:-1], edges[1:], gv[:-1], gv[1:]
    evals = edges.size
    undecided, excluded, margins, root_cells, slopes = [], [], [], [], []
    truncated = False
    while a.size:
        pos = a > gb * (1.0 + rel_err)  # F ≥ α − g(β) > 0 on the cell
        neg = b < ga * (1.0 - rel_err)  # F ≤ β − g(α) < 0 on the cell
        for mask, kind in ((pos, 1.0), (neg, -1.0)):
            if np.any(mask):
                excluded.append(np.column_stack([a[mask], b[mask], np.full(mask.sum(), kind)]))
        if np.any(pos):
            margins.append((a[pos] - gb[pos] * (1.0 + rel_err)) / a[pos])
        if np.any(neg):
            margins.append((ga[neg] * (1.0 - rel_err) - b[neg]) / b[neg])
        keep = ~(pos | neg)
        a, b, ga, gb = a[keep], b[keep], ga[keep], gb[keep]
        if not a.size:
            break
        inf_gp, sup_gp = slope_bounds(curve, a, b, ga, gb, rel_err)
        sa = _certain_sign(a - ga, rel_err * ga + _U * a)
        sb = _certain_sign(b - gb, rel_err * gb + _U * b)
        # At the bracket ends the signs are known exactly: h is a weighted mean of 1/λ with
        # positive weights, so 1/λ_max < h < 1/λ_min unless Σ is isotropic (handled above).
        sa = np.where(a == lo, -1.0, sa)
        sb = np.where(b == hi, 1.0, sb)
        inc, dec = sup_gp < 1.0, inf_gp > 1.0
        mono = inc | dec
        root = (inc & (sa < 0) & (sb > 0)) | (dec & (sa > 0) & (sb < 0))
        empty = mono & (sa != 0) & (sa == sb)
        if np.any(root):
            root_cells.append(np.column_stack([a[root], b[root]]))
            slopes.append(np.where(inc[root], 1.0 - sup_gp[root], inf_gp[root] - 1.0))
        if np.any(empty):
            excluded.append(np.column_stack([a[empty], b[empty], np.full(empty.sum(), 2.0)]))
        rest = ~(root | empty)
        small = rest & (b <= a * (1.0 + rtol))
        if np.any(small):
            undecided.append(np.column_stack([a[small], b[small], ga[small], gb[small]]))
        split = rest & ~small
        if not np.any(split):
            break
        if evals + split.sum() > max_evaluations:  # give up refining: report as unresolved
            truncated = True
            undecided.append(np.column_stack([a[split], b[split], ga[split], gb[split]]))
            break
        a_s, b_s, ga_s, gb_s = a[split], b[split], ga[split], gb[split]
        m = a_s * np.sqrt(b_s / a_s)  # geometric midpoint (no overflow of a·b)
        gm = np.asarray(curve.g(m), dtype=float)
        evals += m.size
        a, b = np.concatenate([a_s, m]), np.concatenate([m, b_s])
        ga, gb = np.concatenate([ga_s, gm]), np.concatenate([gm, gb_s])
    roots = []
    cells = np.concatenate(root_cells) if root_cells else np.empty((0, 2))
    for A, B in cells:
        roots.append(_refine(F, A, B))
    und = np.concatenate(undecided) if undecided else np.empty((0, 4))
    und = und[np.argsort(und[:, 0])]
    clusters = []
    for row in und:
        if clusters and row[0] <= clusters[-1][1]:
            clusters[-1][1], clusters[-1][3] = row[1], row[3]
        else:
            clusters.append(list(row))
    for A, B, gA, gB in clusters:  # best guess of a root location, flagged as unresolved
        sA = -1.0 if A == lo else np.sign(A - gA)
        sB = 1.0 if B == hi else np.sign(B - gB)
        if sA * sB < 0:
            roots.append(_refine(F, A, B))
        else:
            mids = np.geomspace(A, B, 9)
            roots.append(float(mids[np.argmin(np.abs(mids - np.asarray(curve.g(mids))))]))
    excl = np.concatenate(excluded) if excluded else np.empty((0, 3))
    margin = float(np.min(np.concatenate(margins))) if margins else np.inf
    return RootIsolation(np.array(sorted(roots)), tuple(map(tuple, cells.tolist())),
                         tuple((float(A), float(B)) for A, B, _, _ in clusters), excl, margin, rtol, int(evals),
                         (lo, hi), rel_err, truncated,
                         float(np.min(np.concatenate(slopes))) if slopes else float("nan"))


# --------------------------------------------------------------------------- a priori
def condition_delta(kappa) -> float:
    r"""``δ(κ) = (√κ − 1)/(√κ + 1)`` for a condition number ``κ ≥ 1`` (theorem U2's bound, claim W5).

    Parameters
    ----------
    kappa : float
        A condition number ``κ ≥ 1``.

    Returns
    -------
    float
        ``δ(κ) ∈ [0, 1)``.

    Examples
    --------
    >>> condition_delta(1.0), round(condition_delta(9.0), 6)
    (0.0, 0.5)
    """
    rk = np.sqrt(float(kappa))
    return float((rk - 1.0) / (rk + 1.0))


def apriori_uniqueness(curve, *, support_tol: float = 1e-12) -> dict:
    r"""The a-priori sufficient condition for a unique W4 root (theorem U2).

    ``κ_Σ = λ_max/λ_min``; ``κ_R = x_max/x_min`` over ``x_k = ν_k + 1`` on which ``r`` has a
    component (``s_k² > support_tol² Σ s²``).  ``bound = 4δ(κ_Σ)²δ(κ_R)² ≥ sup g'(μ*)``
    at any root; ``bound < 1`` proves the root unique.  Special cases: isotropic ``Σ``
    (``κ_Σ = 1``, ``h`` constant) and ``r`` in one eigenspace of ``R`` (``κ_R = 1``,
    ``t`` constant), e.g. a single task.

    Parameters
    ----------
    curve : StationaryCurve
        From :func:`wpgd_theory.landscape.stationary_curve`.
    support_tol : float, optional
        Relative size below which a component of ``r`` counts as absent.

    Returns
    -------
    dict
        ``kappa_sigma``, ``kappa_R``, ``isotropic_sigma``, ``single_eigenspace``,
        ``elasticity_bound`` (``4δ(κ_Σ)²δ(κ_R)²``) and ``implies_unique_root``.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> from wpgd_theory.landscape import stationary_curve
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> curve = stationary_curve(model)
    >>> rec = apriori_uniqueness(curve)
    >>> rec["kappa_sigma"], rec["implies_unique_root"]
    (2.0, True)
    >>> from wpgd_theory.uniqueness import delta
    >>> bool(np.isclose(rec["elasticity_bound"], 4 * delta(rec["kappa_sigma"])**2 * delta(rec["kappa_R"])**2))
    True
    """
    lam = curve.lam
    s2 = curve.s**2
    support = s2 > support_tol**2 * np.sum(s2)
    x = curve.x[support]
    kS = float(lam[-1] / lam[0])
    kR = float(x.max() / x.min()) if x.size else 1.0
    bound = 4.0 * condition_delta(kS) ** 2 * condition_delta(kR) ** 2
    return {
        "kappa_sigma": kS,
        "kappa_R": kR,
        "isotropic_sigma": bool(kS - 1.0 <= 1e-12),
        "single_eigenspace": bool(kR - 1.0 <= 1e-12),
        "elasticity_bound": float(bound),
        "implies_unique_root": bool(bound < 1.0 - 1e-12),  # margin for the rounding of the bound
    }


# --------------------------------------------------------------------------- interval
class _IntervalCurve:
    """``g`` and the slope enclosure of a curve in ``mpmath.iv`` (outward rounded)."""

    def __init__(self, curve):
        from mpmath import iv

        self.iv = iv
        iv.prec = 64
        self.lam = [iv.mpf(float(v)) for v in curve.lam]
        self.x = [iv.mpf(float(v)) + 1 for v in curve.nu]
        self.s2 = [iv.mpf(float(v)) ** 2 for v in curve.s]
        self.tau = iv.mpf(float(curve.tau))
        self._t, self._g = {}, {}

    def t(self, mu: float):
        if mu not in self._t:
            m = self.iv.mpf(mu)
            A = sum(s2 / (x + m) ** 2 for s2, x in zip(self.s2, self.x))
            B = sum(s2 * x / (x + m) ** 2 for s2, x in zip(self.s2, self.x))
            self._t[mu] = self.tau * A / B
        return self._t[mu]

    def g(self, mu: float):
        if mu not in self._g:
            t = self.t(mu)
            num = sum(lk**2 / (lk + t) ** 2 for lk in self.lam)
            den = sum(lk**3 / (lk + t) ** 2 for lk in self.lam)
            self._g[mu] = self.tau * num / den
        return self._g[mu]

    def F(self, mu: float):
        return self.iv.mpf(mu) - self.g(mu)

    @staticmethod
    def _mean(w_lo, w_hi, f_lo, f_hi):
        lo = sum(w * f for w, f in zip(w_lo, f_lo)) / sum(w_hi)
        hi = sum(w * f for w, f in zip(w_hi, f_hi)) / sum(w_lo)
        # a weighted mean also lies in [min f, max f]
        return max(lo.a, min(f.a for f in f_lo)), min(hi.b, max(f.b for f in f_hi))

    def slope(self, alpha: float, beta: float):
        """``(inf g', sup g')`` on ``[α, β]``, same monotone enclosure as :func:`slope_bounds`."""
        iv = self.iv
        A, B = iv.mpf(alpha), iv.mpf(beta)
        t_lo, t_hi = self.t(beta).a, self.t(alpha).b
        u_lo = [t_lo / (lk + t_lo) for lk in self.lam]
        u_hi = [t_hi / (lk + t_hi) for lk in self.lam]
        p_lo = [lk**2 / (lk + t_hi) ** 2 for lk in self.lam]
        p_hi = [lk**2 / (lk + t_lo) ** 2 for lk in self.lam]
        Ep = self._mean(p_lo, p_hi, u_lo, u_hi)
        Eq = self._mean([p * lk for p, lk in zip(p_lo, self.lam)], [p * lk for p, lk in zip(p_hi, self.lam)],
                        u_lo, u_hi)
        v_lo = [A / (x + A) for x in self.x]
        v_hi = [B / (x + B) for x in self.x]
        w_lo = [s2 / (x + B) ** 2 for s2, x in zip(self.s2, self.x)]
        w_hi = [s2 / (x + A) ** 2 for s2, x in zip(self.s2, self.x)]
        Epi = self._mean(w_lo, w_hi, v_lo, v_hi)
        Erho = self._mean([w * x for w, x in zip(w_lo, self.x)], [w * x for w, x in zip(w_hi, self.x)], v_lo, v_hi)
        zero = iv.mpf(0)
        h_hi, h_lo = max(2 * (Ep[1] - Eq[0]), zero), max(2 * (Ep[0] - Eq[1]), zero)
        t_hi_, t_lo_ = max(2 * (Epi[1] - Erho[0]), zero), max(2 * (Epi[0] - Erho[1]), zero)
        sup = (self.g(beta) * h_hi * t_hi_ / A).b
        inf = (self.g(alpha) * h_lo * t_lo_ / B).a
        return inf, sup


def interval_verify(curve, isolation: RootIsolation) -> bool:
    r"""Re-verify every decision of ``isolation`` in interval arithmetic (``mpmath.iv``).

    From the float64 spectral data ``(λ, ν, s, τ)``: a zeroth-order exclusion
    ``(α, β, +1)`` passes iff ``α > sup g(β)``, ``(α, β, −1)`` iff ``β < inf g(α)``; a
    monotone exclusion ``(α, β, 2)`` iff the slope enclosure gives ``sup g' < 1`` (or
    ``inf g' > 1``) and ``F(α)``, ``F(β)`` have certainly equal signs; a root cell iff the
    slope is certified and ``F`` certainly changes sign.  Returns ``True`` iff all pass.

    Parameters
    ----------
    curve : StationaryCurve
        The stationary curve.
    isolation : RootIsolation
        What :func:`isolate_roots` decided.

    Returns
    -------
    bool
        True iff every decision holds in interval arithmetic.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> from wpgd_theory.landscape import stationary_curve
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> curve = stationary_curve(model)
    >>> interval_verify(curve, isolate_roots(curve, initial_cells=8))
    True
    """
    ic = _IntervalCurve(curve)
    lo, hi = isolation.bracket

    def sign(mu):
        if lo < hi and mu in (lo, hi):  # exact signs at the bracket ends (see isolate_roots)
            return -1 if mu == lo else 1
        F = ic.F(float(mu))
        return 1 if F > 0 else (-1 if F < 0 else 0)

    def monotone(alpha, beta):
        inf, sup = ic.slope(float(alpha), float(beta))
        return sup < 1 or inf > 1

    for alpha, beta, kind in isolation.excluded:
        if kind == 1.0:
            ok = ic.iv.mpf(float(alpha)) > ic.g(float(beta))
        elif kind == -1.0:
            ok = ic.iv.mpf(float(beta)) < ic.g(float(alpha))
        else:
            sa = sign(alpha)
            ok = sa != 0 and sa == sign(beta) and monotone(alpha, beta)
        if not ok:
            return False
    for alpha, beta in isolation.root_cells:
        if not (sign(alpha) * sign(beta) < 0 and monotone(alpha, beta)):
            return False
    return True


# --------------------------------------------------------------------------- certificate
@dataclass(frozen=True)
class UniquenessCertificate:
    r"""How the WPGD optimum's uniqueness (up to ``(cP, ω/c)``) was established (W5).

    ``status``: ``"unique"`` (one root, or one root of strictly least risk),
    ``"not unique"`` (several roots tie for the least risk within ``RISK_TIE_TOL·τ``),
    ``"uncertified"`` (an unresolved cluster, truncated refinement, or failed interval
    verification), ``"degenerate"`` (``r = 0``).

    Margins: ``exclusion_margin`` is the least certified ``|F|/μ`` on the zeroth-order
    discarded cells; ``slope_margin`` the least certified ``|F'|`` on the root cells;
    ``risk_gap`` the risk difference (in units of ``τ``) between the best and the
    second-best root.  ``apriori`` records the sufficient condition of theorem U2.

    Parameters
    ----------
    status : str
        ``"unique"``, ``"not unique"``, ``"uncertified"`` or ``"degenerate"``.
    method : str
        How it was established.
    num_roots : int
        The number of roots.
    roots : tuple of float
        The roots ``μ``.
    root_risks : tuple of float
        The profile risk at each root.
    bracket : tuple of float
        ``(τ/λ_max, τ/λ_min)``.
    risk_gap : float or None
        Best versus second-best root's risk, in units of ``τ`` (None for one root).
    exclusion_margin : float
        The least certified ``|F|/μ`` on the discarded cells.
    slope_margin : float
        The least certified ``|F'|`` on the root cells.
    resolution : float
        The relative cell width reached.
    num_evaluations : int
        Evaluations of ``g`` spent.
    unresolved : tuple of tuple
        Unresolved clusters ``(α, β)``.
    apriori : dict, optional
        :func:`apriori_uniqueness`'s record.
    interval_verified : bool, optional
        The interval re-verification's verdict (None when not run).
    message : str, optional
        A sentence for the report.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel, solve
    >>> sol = solve(MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                       sigma=[2.0, 1.0], noise=0.1))
    >>> cert = sol.certificate
    >>> isinstance(cert, UniquenessCertificate), cert.status, cert.num_roots
    (True, 'unique', 1)
    """

    status: str
    method: str
    num_roots: int
    roots: tuple
    root_risks: tuple
    bracket: tuple
    risk_gap: float | None
    exclusion_margin: float
    slope_margin: float
    resolution: float
    num_evaluations: int
    unresolved: tuple
    apriori: dict = field(default_factory=dict)
    interval_verified: bool | None = None
    message: str = ""

    def __str__(self) -> str:
        return f"{self.status}: {self.message}"


def degenerate_certificate(curve) -> UniquenessCertificate:
    """Certificate for ``r = 0`` (claim W6): no unique minimiser, the risk is constant ``τ``.

    Parameters
    ----------
    curve : StationaryCurve
        The (degenerate) stationary curve of a model with ``r = 0``.

    Returns
    -------
    UniquenessCertificate
        ``status="degenerate"``, no roots.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> from wpgd_theory.landscape import stationary_curve
    >>> model = MultitaskModel.from_tasks([2], rho=[[1.0]], r_task=[0.0], sigma=[1.0], noise=0.1)
    >>> cert = degenerate_certificate(stationary_curve(model))
    >>> cert.status, cert.num_roots
    ('degenerate', 0)
    """
    return UniquenessCertificate(
        status="degenerate", method="r = 0", num_roots=0, roots=(), root_risks=(), bracket=curve.bracket,
        risk_gap=None, exclusion_margin=float("nan"), slope_margin=float("nan"), resolution=float("nan"),
        num_evaluations=0, unresolved=(),
        message="no unique minimiser: r = 0, so the risk is constant (= tau) in omega and P = 0 is optimal")


def certify_uniqueness(curve, isolation: RootIsolation, risks, *, interval: bool = False) -> UniquenessCertificate:
    r"""Combine root isolation, root risks and the a-priori test into a certificate.

    The global minimiser is unique up to scale iff exactly one root attains the least
    risk (theorem U1 of ``proofs/uniqueness.md``): distinct roots give distinct stationary
    directions ``±ω`` (and ``r`` in one eigenspace of ``R`` gives a single root).

    Parameters
    ----------
    curve : StationaryCurve
        The stationary curve.
    isolation : RootIsolation
        What :func:`isolate_roots` found.
    risks : array_like, shape (k,)
        The profile risk at each root.
    interval : bool, optional
        Also re-verify every decision in interval arithmetic (:func:`interval_verify`).

    Returns
    -------
    UniquenessCertificate
        The status and its margins.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> from wpgd_theory.landscape import stationary_curve
    >>> model = MultitaskModel.from_tasks([3, 2], rho=[[1.0, 0.3], [0.3, 1.0]], r_task=[0.5, 0.8],
    ...                                   sigma=[2.0, 1.0], noise=0.1)
    >>> curve = stationary_curve(model)
    >>> iso = isolate_roots(curve)
    >>> cert = certify_uniqueness(curve, iso, curve.risk(iso.roots))
    >>> cert.status, cert.risk_gap is None
    ('unique', True)
    """
    risks = np.asarray(risks, dtype=float)
    from .uniqueness import strongest_theorem  # U3 and the combined condition (proofs/uniqueness.md)

    apri = strongest_theorem(curve, apriori_uniqueness(curve))
    point = isolation.num_evaluations <= 1  # the bracket is a point: only the a-priori theorem counts roots
    verified = interval_verify(curve, isolation) if (interval and not point) else None
    order = np.argsort(risks)
    gap = float((risks[order[1]] - risks[order[0]]) / curve.tau) if risks.size > 1 else None
    k = int(isolation.roots.size)
    lo, hi = isolation.bracket
    if point:
        how = f"the bracket [{lo:.6g}, {hi:.6g}] is a point (lambda_max = lambda_min up to rounding)"
    else:
        how = (f"monotone-enclosure root isolation on [{lo:.6g}, {hi:.6g}] ({isolation.num_evaluations} "
               f"evaluations of g; cells discarded by a - g(b) > 0 or b - g(a) < 0, or by a certified slope "
               f"without sign change; each root in a cell of certified slope and sign change; resolution "
               f"{isolation.resolution:g}" + (", every decision re-verified in interval arithmetic" if verified else "")
               + ")")
    if apri["implies_unique_root"]:
        how += f"; a priori: {apri['reason']}"
    if point and not apri["implies_unique_root"]:
        status, msg = "uncertified", "degenerate bracket without an a-priori count"
    elif apri["implies_unique_root"] and k == 1 and isolation.unresolved and not isolation.truncated:
        status = "unique"
        msg = (f"the W4 equation has exactly one root by {apri['reason']}; its cell was located but not resolved "
               "numerically (it lies within rounding of the bracket or of a tangency)")
    elif isolation.unresolved or isolation.truncated or verified is False:
        status = "uncertified"
        msg = (f"{len(isolation.unresolved)} unresolved root cluster(s)"
               + (", refinement truncated" if isolation.truncated else "")
               + (", interval verification failed" if verified is False else "")
               + f": the number of roots ({k} found) is not certified")
    elif k == 1:
        status, msg = "unique", (f"the W4 equation has exactly one root by {apri['reason']}; root isolation located it"
                                 if apri["implies_unique_root"] else "the W4 equation has exactly one root")
    elif gap is not None and gap > RISK_TIE_TOL:
        status = "unique"
        msg = (f"the W4 equation has {k} roots; the least-risk root is strictly best "
               f"(risk gap {gap:.3g} tau to the next root)")
    else:
        status = "not unique"
        msg = f"the W4 equation has {k} roots and the two best tie within {RISK_TIE_TOL:g} tau (gap {gap:.3g} tau)"
    if apri["implies_unique_root"] and k != 1 and status != "uncertified":
        status, msg = "uncertified", msg + "; CONTRADICTS the a-priori bound (numerical trouble)"
    return UniquenessCertificate(
        status=status, method=how, num_roots=k, roots=tuple(float(r) for r in isolation.roots),
        root_risks=tuple(float(r) for r in risks), bracket=isolation.bracket, risk_gap=gap,
        exclusion_margin=isolation.margin, slope_margin=isolation.min_slope, resolution=isolation.resolution,
        num_evaluations=isolation.num_evaluations, unresolved=isolation.unresolved, apriori=apri,
        interval_verified=verified, message=msg)
