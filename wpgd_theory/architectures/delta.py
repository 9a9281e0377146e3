r"""What the delta rule computes on an in-context regression prompt (negative controls).

DeltaNet's state update (fla ``delta_rule``) with key ``k_i = A x_i``, value ``v_i = y_i``
(one value channel), step ``β_i`` and the query written with ``β_{n+1} = 0`` is

    ``s_0 = 0``,  ``s_i = s_{i−1} + β_i k_i (y_i − k_iᵀ s_{i−1})``,  ``ŷ = (B x)ᵀ s_n``,

i.e. with ``A = I`` one pass of per-example gradient steps on ``½(y_i − x_iᵀw)²`` from
``w_0 = 0`` (the Widrow–Hoff / LMS rule) with step sizes ``β_i``, read out at the query.
Gated DeltaNet (``gated_delta_rule``) first decays the state, ``s̃ = α_i s_{i−1}``, then
takes the same step from ``s̃``: ``s_i = s̃ + β_i k_i (y_i − k_iᵀ s̃)`` (LMS with weight decay).

Unrolled: ``s_n = Σ_i β_i [Π_{j=n}^{i+1} α_j (I − β_j k_j k_jᵀ)] k_i y_i`` — the weight of
``y_i`` is a *matrix* that depends on the later keys, so the prediction contains terms
``y_i β_i β_j (x^T B^T k_j)(k_j^T k_i)`` of degree 4 in the features, which no one-step
WPGD ``xᵀPXᵀ(ω ⊙ y)`` (degree 2) has.  To first order in ``β`` it is WPGD with
``ω_i = β_i Π_{j>i} α_j`` (the query's decay included) and ``P = BᵀA``.

These numpy loops are the reference that fla's ops are checked against.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_array

__all__ = ["delta_rule_predict", "delta_rule_first_order_weights", "distance_to_wpgd", "distance_curve"]


def delta_rule_predict(X, y, x, A, Bq, beta, alpha=None):
    r"""Predict with the (gated) delta rule: ``ŷ = α_{n+1} (B x)ᵀ s_n``, batched.

    The state follows one pass of per-example gradient steps (LMS) with decays,
    ``s̃ = α_i s_{i−1}``, ``s_i = s̃ + β_i k_i (y_i − k_iᵀ s̃)`` with keys ``k_i = A x_i``
    and ``s_0 = 0``; the query, written with ``β_{n+1} = 0``, only decays the state.  A
    negative control of the architecture table: not one-step WPGD (claim G1).  Plain loop,
    float64.

    Parameters
    ----------
    X : array_like of shape (B, n, d)
        The examples' features.
    y : array_like of shape (B, n)
        The examples' labels.
    x : array_like of shape (B, d)
        The queries.
    A : array_like of shape (d_k, d)
        Key map.
    Bq : array_like of shape (d_k, d)
        Query map.
    beta : array_like of shape (n,)
        Step sizes ``β_i``.
    alpha : array_like of shape (n + 1,) or None, optional
        Decays of the examples and the query; ``None`` (default) for all 1 (the plain delta
        rule).

    Returns
    -------
    numpy.ndarray of shape (B,)
        The predictions.

    Raises
    ------
    TypeError
        If an argument is not a numeric array.
    ValueError
        If an array has the wrong shape or non-finite entries.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.architectures import delta_rule_predict
    >>> X = np.array([[[1.0, 0.0], [0.0, 1.0]]]); y = np.array([[2.0, 3.0]]); x = np.array([[1.0, 1.0]])
    >>> delta_rule_predict(X, y, x, np.eye(2), np.eye(2), beta=[0.5, 0.5])
    array([2.5])
    """
    X = as_array(X, "X", ndim=3)
    Bn, n, d = X.shape
    y = as_array(y, "y", shape=(Bn, n))
    x = as_array(x, "x", shape=(Bn, d))
    A = as_array(A, "A", ndim=2)
    Bq = as_array(Bq, "Bq", shape=A.shape)
    beta = as_array(beta, "beta", shape=(n,))
    alpha = np.ones(n + 1) if alpha is None else as_array(alpha, "alpha", shape=(n + 1,))
    s = np.zeros((Bn, A.shape[0]))
    K = X @ A.T  # (B, n, d_k)
    for i in range(n):
        s = alpha[i] * s
        resid = y[:, i] - np.einsum("bk,bk->b", K[:, i], s)
        s = s + beta[i] * K[:, i] * resid[:, None]
    return alpha[n] * np.einsum("bk,bk->b", x @ Bq.T, s)


def delta_rule_first_order_weights(beta, alpha=None):
    r"""Return ``ω_i = β_i Π_{j=i+1}^{n+1} α_j``, the WPGD the (gated) delta rule reduces to as ``β → 0``.

    To first order in the steps the delta rule's prediction is one-step WPGD with these
    weights and ``P = Bqᵀ A``.

    Parameters
    ----------
    beta : array_like of shape (n,)
        Step sizes ``β_i``.
    alpha : array_like of shape (n + 1,) or None, optional
        Decays of the examples and the query; ``None`` (default) for all 1.

    Returns
    -------
    numpy.ndarray of shape (n,)
        The weights ``ω``.

    Raises
    ------
    TypeError
        If an argument is not a numeric array.
    ValueError
        If ``beta`` is not one-dimensional, ``alpha`` has the wrong shape, or an entry is not
        finite.

    Examples
    --------
    >>> from wpgd_theory.architectures import delta_rule_first_order_weights
    >>> delta_rule_first_order_weights([0.1, 0.1], alpha=[0.5, 0.5, 0.5])
    array([0.025, 0.05 ])
    """
    beta = as_array(beta, "beta", ndim=1)
    n = beta.size
    alpha = np.ones(n + 1) if alpha is None else as_array(alpha, "alpha", shape=(n + 1,))
    tail = np.cumprod(alpha[::-1])[::-1][1:]  # Π_{j=i+1}^{n+1} α_j, i = 1..n
    return beta * tail



def distance_to_wpgd(beta: float, *, n: int = 8, d: int = 4, seed: int = 0, fit_factor: int = 32,
                     num_heldout: int = 4096, gated: bool = False) -> dict:
    r"""Return the relative distance of the delta rule (step ``β`` on every example) to the best one-step WPGD.

    Prompts ``x ~ N(0, I_d)``, ``y ~ N(0,1)``, keys ``k = A x`` and queries ``q = B x`` with
    ``A = I/√d + 0.1 G/√d``, ``B = I + 0.1 G'`` drawn from ``seed`` (Gated DeltaNet: decays
    ``α ∈ [0.6, 1]`` too).  The best WPGD is the least-squares fit over *all* tensors ``M``
    (:func:`~.fit.fit_wpgd`, ``p = n d²`` unknowns) on ``N = fit_factor · p`` prompts; the
    distance ``‖ŷ − ŷ_M‖₂ / ‖ŷ‖₂`` is measured on ``num_heldout`` fresh prompts.  The delta rule
    is a negative control of claim G1: the distance is ``O(β)``, not 0.

    Fitting error: a least-squares fit on ``N`` prompts inflates the held-out squared residual
    by ``≈ p/N``; refitting on ``N/4`` of them inflates it by ``4p/N``, so
    ``fit_error = (d_{N/4}² − d_N²) / (6 d_N²)`` estimates the relative excess of ``d_N`` itself.

    Parameters
    ----------
    beta : float
        The step ``β`` on every example.
    n : int, optional
        Number of examples (default 8).
    d : int, optional
        Feature dimension (default 4).
    seed : int, optional
        Seed of the maps and prompts (default 0).
    fit_factor : int, optional
        Fitting prompts per unknown (default 32).
    num_heldout : int, optional
        Held-out prompts (default 4096).
    gated : bool, optional
        Gated DeltaNet (random decays) instead of DeltaNet (default False).

    Returns
    -------
    dict
        ``distance`` (held out), ``fit_error`` (its estimated relative excess),
        ``first_order`` (the distance to the first-order WPGD ``ω_i = β Π_{j>i} α_j``,
        ``P = BᵀA``) and ``fit_prompts`` (``N``).

    Examples
    --------
    >>> from wpgd_theory.architectures.delta import distance_to_wpgd
    >>> small, large = (distance_to_wpgd(b, n=2, d=1, num_heldout=256)["distance"] for b in (0.05, 0.4))
    >>> 0 < small < large
    True
    """
    from .fit import fit_wpgd, wpgd_terms

    rng = np.random.default_rng([int(seed), 19])
    A = np.eye(d) / np.sqrt(d) + 0.1 * rng.standard_normal((d, d)) / np.sqrt(d)
    Bq = np.eye(d) + 0.1 * rng.standard_normal((d, d))
    alpha = rng.uniform(0.6, 1.0, size=n + 1) if gated else None
    steps = np.full(n, float(beta))

    def draw(num):
        return rng.standard_normal((num, n, d)), rng.standard_normal((num, n)), rng.standard_normal((num, d))

    N = fit_factor * n * d * d
    Xf, yf, xf = draw(N)
    out_f = delta_rule_predict(Xf, yf, xf, A, Bq, steps, alpha)
    fit = fit_wpgd(Xf, yf, xf, out_f)
    q = N // 4
    fit4 = fit_wpgd(Xf[:q], yf[:q], xf[:q], out_f[:q])
    Xt, yt, xt = draw(num_heldout)
    out_t = delta_rule_predict(Xt, yt, xt, A, Bq, steps, alpha)
    first = wpgd_terms(Xt, yt, xt, Bq.T @ A, delta_rule_first_order_weights(steps, alpha)).sum(axis=1)
    rel = lambda a, b: float(np.linalg.norm(a - b) / np.linalg.norm(a))  # noqa: E731
    dist, dist4 = rel(out_t, fit.predict_full(Xt, yt, xt)), rel(out_t, fit4.predict_full(Xt, yt, xt))
    return {"distance": dist, "fit_error": float((dist4**2 - dist**2) / (6 * dist**2)) if dist > 0 else 0.0,
            "first_order": rel(out_t, first), "fit_prompts": int(N)}


#: the step sizes of the delta-rule distance curve
CURVE_BETAS = (0.8, 0.2, 0.05)


def distance_curve(betas=CURVE_BETAS, seeds=range(8), **kw) -> dict:
    r"""Run :func:`distance_to_wpgd` over ``betas`` and ``seeds`` and summarise per ``β``.

    Per ``β``: the median, min and max over seeds of the held-out distance, the largest
    estimated fitting error, ``median/β`` (the first-order statement: the distance is ``O(β)``
    as ``β → 0``, so this tends to a constant) and the median distance to the first-order WPGD.

    Parameters
    ----------
    betas : sequence of float, optional
        The steps (default :data:`CURVE_BETAS`).
    seeds : iterable of int, optional
        The seeds (default ``range(8)``).
    **kw
        Passed to :func:`distance_to_wpgd` (``n``, ``d``, ``gated``, ...).

    Returns
    -------
    dict
        ``{"seeds": [...], "curve": [{"beta", "median", "min", "max", "median_over_beta",
        "fit_error", "first_order_median", "fit_prompts"}, ...]}``.

    Examples
    --------
    >>> from wpgd_theory.architectures.delta import distance_curve
    >>> data = distance_curve(betas=(0.2, 0.05), seeds=range(2), n=2, d=1, num_heldout=256)
    >>> [row["beta"] for row in data["curve"]], data["seeds"]
    ([0.2, 0.05], [0, 1])
    >>> data["curve"][1]["median"] < data["curve"][0]["median"]
    True
    """
    betas = [float(b) for b in betas]
    seeds = [int(s) for s in seeds]
    rows = []
    for b in betas:
        runs = [distance_to_wpgd(b, seed=s, **kw) for s in seeds]
        dist = np.array([r["distance"] for r in runs])
        rows.append({"beta": b, "median": float(np.median(dist)), "min": float(dist.min()), "max": float(dist.max()),
                     "median_over_beta": float(np.median(dist) / b),
                     "fit_error": float(max(abs(r["fit_error"]) for r in runs)),
                     "first_order_median": float(np.median([r["first_order"] for r in runs])),
                     "fit_prompts": runs[0]["fit_prompts"]})
    return {"seeds": seeds, "curve": rows}
