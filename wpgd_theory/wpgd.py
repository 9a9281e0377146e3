r"""Weighted preconditioned gradient descent (THEORY.md §2).

All predictors are batched over prompts: ``X (B,n,d)``, ``y (B,n)``, ``x (B,d)``
(unbatched ``(n,d)``, ``(n,)``, ``(d,)`` inputs return a scalar).  Preconditioners and
weights may be shared ``(d,d)``/``(n,)`` or per prompt ``(B,d,d)``/``(B,n)``.

Gate ↔ weight maps (claims G1, G2, G4) live here too, because they are statements
about weights: :func:`gate_weight_matrix`, :func:`gate_weights`,
:func:`gates_from_weights`.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_array, as_scalar, check_unit_interval

__all__ = [
    "wpgd_predict",
    "multistep_wpgd_predict",
    "causal_wpgd_predict",
    "causal_wpgd_predict_reference",
    "gate_weight_matrix",
    "gate_weights",
    "gates_from_weights",
    "in_signed_monotone_cone",
]


def _prompts(X, y, x):
    X = as_array(X, "X", ndim=(2, 3))
    unbatched = X.ndim == 2
    if unbatched:
        X = X[None]
    B, n, d = X.shape
    y = as_array(y, "y", shape=(n,) if unbatched else (B, n))
    x = as_array(x, "x", shape=(d,) if unbatched else (B, d))
    if unbatched:
        y, x = y[None], x[None]
    return X, y, x, unbatched


def _per_prompt(arr, name, base_shape, B):
    arr = as_array(arr, name, ndim=(len(base_shape), len(base_shape) + 1))
    if arr.shape == base_shape:
        return arr
    if arr.shape != (B, *base_shape):
        raise ValueError(f"{name} must have shape {base_shape} or {(B, *base_shape)}, got {arr.shape}")
    return arr


def _pred_step(X, res, x, P, omega):
    """``xᵀ P Xᵀ (ω ⊙ res)`` batched."""
    v = np.einsum("bnd,...n,bn->bd", X, omega, res) if omega.ndim == 1 else np.einsum("bnd,bn,bn->bd", X, omega, res)
    Pv = v @ P.T if P.ndim == 2 else np.einsum("bde,be->bd", P, v)
    return np.einsum("bd,bd->b", x, Pv)


def wpgd_predict(X, y, x, P, omega):
    r"""One step of WPGD from ``β₀ = 0`` (claim G1): ``ŷ = xᵀ P Xᵀ (ω ⊙ y)``.

    ``ω = 𝟙`` is preconditioned gradient descent (linear attention); a one-layer scalar-gated
    GLA computes exactly this with ``ω = gate_weights(g)`` (G1).

    Parameters
    ----------
    X : array_like, shape (n, d) or (B, n, d)
        In-context features, one prompt or a batch of ``B``.
    y : array_like, shape (n,) or (B, n)
        In-context labels.
    x : array_like, shape (d,) or (B, d)
        Query features.
    P : array_like, shape (d, d) or (B, d, d)
        Preconditioner, shared or one per prompt.
    omega : array_like, shape (n,) or (B, n)
        Weights of the examples, shared or one per prompt.

    Returns
    -------
    float or ndarray, shape (B,)
        The prediction ``ŷ``: a float for one prompt, an array for a batch.

    Raises
    ------
    ValueError
        If a shape does not match ``X`` (the message names the argument), or an entry is
        not finite.
    TypeError
        If an argument is not numeric.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0]]); y = np.array([1.0, -1.0]); x = np.array([1.0, 1.0])
    >>> wpgd_predict(X, y, x, np.eye(2), np.ones(2))  # xᵀ Xᵀ y = 1·1 + 1·(−2)
    -1.0
    >>> wpgd_predict(X, y, x, np.eye(2), np.array([1.0, 0.0]))  # only the first example counts
    1.0
    """
    X, y, x, unbatched = _prompts(X, y, x)
    B, n, d = X.shape
    P = _per_prompt(P, "P", (d, d), B)
    omega = _per_prompt(omega, "omega", (n,), B)
    out = _pred_step(X, y, x, P, omega)
    return float(out[0]) if unbatched else out


def _layers(Ps, omegas, B, d, omega_shape, name_w):
    if not isinstance(Ps, (list, tuple)) or not isinstance(omegas, (list, tuple)):
        raise TypeError("Ps and omegas must be lists (one entry per step)")
    if len(Ps) != len(omegas) or len(Ps) == 0:
        raise ValueError(f"Ps and omegas must be non-empty and of equal length, got {len(Ps)} and {len(omegas)}")
    Ps = [_per_prompt(P, f"Ps[{l}]", (d, d), B) for l, P in enumerate(Ps)]
    omegas = [_per_prompt(w, f"{name_w}[{l}]", omega_shape, B) for l, w in enumerate(omegas)]
    return Ps, omegas


def multistep_wpgd_predict(X, y, x, Ps, omegas):
    r"""``L`` steps of (non-causal) WPGD from ``β₀ = 0``:
    ``β_{ℓ+1} = β_ℓ + P_ℓ Xᵀ(ω^{(ℓ)} ⊙ (y − Xβ_ℓ))``, prediction ``ŷ = xᵀ β_L``.

    Parameters
    ----------
    X : array_like, shape (n, d) or (B, n, d)
        In-context features.
    y : array_like, shape (n,) or (B, n)
        In-context labels.
    x : array_like, shape (d,) or (B, d)
        Query features.
    Ps : list of array_like, each of shape (d, d) or (B, d, d)
        One preconditioner per step.
    omegas : list of array_like, each of shape (n,) or (B, n)
        One weight vector per step (as many as ``Ps``).

    Returns
    -------
    float or ndarray, shape (B,)
        ``xᵀ β_L``: a float for one prompt, an array for a batch.

    Raises
    ------
    TypeError
        If ``Ps`` or ``omegas`` is not a list or tuple.
    ValueError
        If they are empty or of different lengths, or a shape does not match ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.eye(2); y = np.array([1.0, 2.0]); x = np.array([1.0, 1.0])
    >>> one = multistep_wpgd_predict(X, y, x, [np.eye(2)], [np.ones(2)])
    >>> bool(np.isclose(one, wpgd_predict(X, y, x, np.eye(2), np.ones(2))))  # one step is WPGD
    True
    >>> multistep_wpgd_predict(X, y, x, [0.5 * np.eye(2)] * 2, [np.ones(2)] * 2)  # β = 0.75 y
    2.25
    """
    X, y, x, unbatched = _prompts(X, y, x)
    B, n, d = X.shape
    Ps, omegas = _layers(Ps, omegas, B, d, (n,), "omegas")
    beta = np.zeros((B, d))
    for P, w in zip(Ps, omegas):
        res = y - np.einsum("bnd,bd->bn", X, beta)
        w_b = np.broadcast_to(w, (B, n))
        v = np.einsum("bnd,bn->bd", X, w_b * res)
        beta = beta + (v @ P.T if P.ndim == 2 else np.einsum("bde,be->bd", P, v))
    out = np.einsum("bd,bd->b", x, beta)
    return float(out[0]) if unbatched else out


def _check_causal_weights(omegas, n):
    mask = np.tril(np.ones((n + 1, n)), 0)  # entry (i, j) allowed iff j <= i
    for l, w in enumerate(omegas):
        if np.any(w * (1 - mask) != 0):
            raise ValueError(f"omegas[{l}] must be lower triangular: omega[i, j] = 0 for j > i (causality)")


def causal_wpgd_predict(X, y, x, Ps, omegas):
    r"""Causal multi-step WPGD (claim G4): what an ``L``-layer residual GLA computes.

    Residuals ``r^{(0)} = (y_1..y_n, 0)``; per step
    ``r_i ← r_i − x_iᵀ P_ℓ Σ_{j ≤ min(i,n)} ω^{(ℓ)}_{ij} x_j r_j`` for ``i = 1..n+1``
    (``x_{n+1} = x``); prediction ``ŷ = −r_{n+1}^{(L)}``.  Vectorised;
    :func:`causal_wpgd_predict_reference` is the plain loop it is tested against.

    Parameters
    ----------
    X : array_like, shape (n, d) or (B, n, d)
        In-context features.
    y : array_like, shape (n,) or (B, n)
        In-context labels.
    x : array_like, shape (d,) or (B, d)
        Query features.
    Ps : list of array_like, each of shape (d, d) or (B, d, d)
        One preconditioner per step (layer).
    omegas : list of array_like, each of shape (n+1, n) or (B, n+1, n)
        Causal weights per step: row ``i`` weighs the examples ``j ≤ i``; entries above
        the diagonal must be 0 (e.g. :func:`gate_weight_matrix` of the layer's gates).

    Returns
    -------
    float or ndarray, shape (B,)
        The prediction ``ŷ = −r_{n+1}^{(L)}``.

    Raises
    ------
    ValueError
        If a weight matrix is not lower triangular (causality), or a shape does not match.
    TypeError
        If ``Ps`` or ``omegas`` is not a list or tuple.

    Examples
    --------
    One causal step: the query's row of the weights is the WPGD weight vector, so the
    prediction is one step of WPGD:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X, y, x = rng.standard_normal((3, 2)), rng.standard_normal(3), rng.standard_normal(2)
    >>> W = gate_weight_matrix(np.full(4, 0.9))
    >>> bool(np.isclose(causal_wpgd_predict(X, y, x, [np.eye(2)], [W]),
    ...                 wpgd_predict(X, y, x, np.eye(2), W[-1])))
    True
    """
    X, y, x, unbatched = _prompts(X, y, x)
    B, n, d = X.shape
    Ps, omegas = _layers(Ps, omegas, B, d, (n + 1, n), "omegas")
    _check_causal_weights(omegas, n)
    feats = np.concatenate([X, x[:, None]], axis=1)  # (B, n+1, d)
    res = np.concatenate([y, np.zeros((B, 1))], axis=1)
    for P, w in zip(Ps, omegas):
        U = X * res[:, :n, None]  # x_j r_j
        V = np.einsum("ij,bjd->bid", w, U) if w.ndim == 2 else np.einsum("bij,bjd->bid", w, U)
        PV = (V.reshape(-1, d) @ P.T).reshape(V.shape) if P.ndim == 2 else np.einsum("bde,bie->bid", P, V)
        res = res - np.einsum("bid,bid->bi", feats, PV)
    out = -res[:, n]
    return float(out[0]) if unbatched else out


def causal_wpgd_predict_reference(X, y, x, Ps, omegas):
    """Plain triple loop of :func:`causal_wpgd_predict` (the reference it is tested against).

    Parameters
    ----------
    X : array_like, shape (n, d) or (B, n, d)
        In-context features.
    y : array_like, shape (n,) or (B, n)
        In-context labels.
    x : array_like, shape (d,) or (B, d)
        Query features.
    Ps : list of array_like, each of shape (d, d) or (B, d, d)
        One preconditioner per step (layer).
    omegas : list of array_like, each of shape (n+1, n) or (B, n+1, n)
        Lower-triangular causal weights per step.

    Returns
    -------
    float or ndarray, shape (B,)
        The prediction ``ŷ = −r_{n+1}^{(L)}``, as :func:`causal_wpgd_predict` (claim G4).

    Raises
    ------
    ValueError
        If a weight matrix is not lower triangular, or a shape does not match.
    TypeError
        If ``Ps`` or ``omegas`` is not a list or tuple.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> X, y, x = rng.standard_normal((3, 2)), rng.standard_normal(3), rng.standard_normal(2)
    >>> W = [gate_weight_matrix(rng.uniform(0.5, 1, 4)) for _ in range(2)]
    >>> P = [np.eye(2), 0.5 * np.eye(2)]
    >>> bool(np.isclose(causal_wpgd_predict_reference(X, y, x, P, W), causal_wpgd_predict(X, y, x, P, W)))
    True
    """
    X, y, x, unbatched = _prompts(X, y, x)
    B, n, d = X.shape
    Ps, omegas = _layers(Ps, omegas, B, d, (n + 1, n), "omegas")
    _check_causal_weights(omegas, n)
    out = np.zeros(B)
    for b in range(B):
        feats = [X[b, i] for i in range(n)] + [x[b]]
        res = [float(y[b, i]) for i in range(n)] + [0.0]
        for P, w in zip(Ps, omegas):
            Pb = P if P.ndim == 2 else P[b]
            wb = w if w.ndim == 2 else w[b]
            new = list(res)
            for i in range(n + 1):
                acc = np.zeros(d)
                for j in range(min(i + 1, n)):
                    acc += wb[i, j] * feats[j] * res[j]
                new[i] = res[i] - float(feats[i] @ Pb @ acc)
            res = new
        out[b] = -res[n]
    return float(out[0]) if unbatched else out


def gate_weight_matrix(gates):
    r"""Causal weights induced by scalar gates ``g_1..g_{n+1}`` (claim G4):
    ``ω_{ij} = Π_{k=j+1}^{i} g_k`` for ``j ≤ min(i, n)``, 0 above the diagonal.

    Row ``n+1`` is the one-layer weight vector of claim G1 (:func:`gate_weights`).

    Parameters
    ----------
    gates : array_like, shape (n+1,) or (B, n+1)
        One gate in ``[0, 1]`` per token (the query's last).

    Returns
    -------
    ndarray, shape (n+1, n) or (B, n+1, n)
        The causal weight matrix (exact where gates are 0: no division).

    Raises
    ------
    ValueError
        If a gate is outside ``[0, 1]`` or not finite, or there are fewer than 2 gates.

    Examples
    --------
    >>> gate_weight_matrix([1.0, 0.5, 0.5])
    array([[1.  , 0.  ],
           [0.5 , 1.  ],
           [0.25, 0.5 ]])
    """
    g = as_array(gates, "gates", ndim=(1, 2))
    check_unit_interval(g, "gates")
    m = g.shape[-1]
    if m < 2:
        raise ValueError(f"gates must have n+1 >= 2 entries (one per token), got {m}")
    n = m - 1
    # cumulative products in a form that is exact when gates are 0: build row by row
    W = np.zeros(g.shape[:-1] + (m, n))
    for i in range(m):
        prod = np.ones(g.shape[:-1])
        for j in range(min(i, n - 1), -1, -1):
            # weight of j in row i: prod over k = j+1..i of g_k
            if j < i:
                prod = prod * g[..., j + 1]
            W[..., i, j] = prod
    return W


def gate_weights(gates):
    r"""One-layer GLA weights (claim G1): ``ω_i = Π_{j=i+1}^{n+1} g_j``, ``i = 1..n``.

    Computed by a reversed cumulative product (the query's own gate included).

    Parameters
    ----------
    gates : array_like, shape (n+1,) or (B, n+1)
        One gate in ``[0, 1]`` per token, the query's last.

    Returns
    -------
    ndarray, shape (n,) or (B, n)
        The weights, nondecreasing in ``i`` and in ``[0, 1]`` (the monotone cone, G2).

    Raises
    ------
    ValueError
        If a gate is outside ``[0, 1]`` or not finite, or there are fewer than 2 gates.

    Examples
    --------
    >>> gate_weights([0.3, 0.5, 0.8, 1.0])
    array([0.4, 0.8, 1. ])
    """
    g = as_array(gates, "gates", ndim=(1, 2))
    check_unit_interval(g, "gates")
    if g.shape[-1] < 2:
        raise ValueError(f"gates must have n+1 >= 2 entries (one per token), got {g.shape[-1]}")
    tail = g[..., 1:]  # g_2..g_{n+1}
    return np.flip(np.cumprod(np.flip(tail, -1), axis=-1), -1)


def gates_from_weights(omega, *, free_gate: float = 1.0):
    r"""Inverse of :func:`gate_weights` on the monotone cone (claim G2).

    Given ``0 ≤ ω_1 ≤ … ≤ ω_n ≤ 1`` returns gates with ``g_{n+1} = ω_n`` and
    ``g_{i+1} = ω_i / ω_{i+1}`` (``ω_{i+1} > 0``).  Where ``ω_{i+1} = 0`` (then ``ω_i = 0``)
    any gate works and ``free_gate`` is used, as it is for ``g_1``, which no weight depends on.

    Parameters
    ----------
    omega : array_like, shape (n,)
        Monotone weights in ``[0, 1]``.
    free_gate : float, optional
        The gate used where any gate works (default 1), in ``[0, 1]``.

    Returns
    -------
    ndarray, shape (n+1,)
        Gates in ``[0, 1]`` with ``gate_weights(gates) == omega``.

    Raises
    ------
    ValueError
        If ``omega`` is empty or outside the monotone cone (not realisable by scalar gates),
        or ``free_gate`` is not a number in ``[0, 1]`` (NaN included).

    Examples
    --------
    >>> g = gates_from_weights([0.0, 0.25, 0.5, 1.0])
    >>> g
    array([1. , 0. , 0.5, 0.5, 1. ])
    >>> gate_weights(g)
    array([0.  , 0.25, 0.5 , 1.  ])
    """
    free_gate = as_scalar(free_gate, "free_gate", minimum=0.0)
    if free_gate > 1.0:
        raise ValueError(f"free_gate must be a gate value in [0, 1], got {free_gate}")
    w = as_array(omega, "omega", ndim=1)
    if w.size == 0:
        raise ValueError("omega must be non-empty")
    if w[0] < 0 or w[-1] > 1 or np.any(np.diff(w) < 0):
        raise ValueError(
            "omega must satisfy 0 <= omega_1 <= ... <= omega_n <= 1 to be realisable by scalar gates"
        )
    n = w.size
    g = np.full(n + 1, float(free_gate))
    g[n] = w[-1]
    nxt = w[1:]
    ratio = np.divide(w[:-1], nxt, out=np.full(n - 1, float(free_gate)), where=nxt > 0)
    g[1:n] = ratio
    return g


def in_signed_monotone_cone(omega) -> bool:
    """Whether ``ω ∈ M ∪ −M`` (``M = {0 ≤ ω_1 ≤ … ≤ ω_n}``), i.e. realisable by scalar gates
    up to the scale and sign that ``P`` absorbs (claim G2).

    Parameters
    ----------
    omega : array_like, shape (n,)
        Weights.

    Returns
    -------
    bool
        ``True`` iff :func:`gates_from_weights` accepts ``ω/max|ω|`` or ``−ω/max|ω|``
        (the zero vector included).

    Examples
    --------
    >>> in_signed_monotone_cone([1.0, 2.0, 3.0]), in_signed_monotone_cone([-1.0, -2.0, -3.0])
    (True, True)
    >>> in_signed_monotone_cone([1.0, 3.0, 2.0])
    False
    """
    omega = np.asarray(omega, dtype=float)
    scale = float(np.max(np.abs(omega)))
    if scale == 0:
        return True
    for sign in (1.0, -1.0):
        try:
            gates_from_weights(sign * omega / scale)
            return True
        except ValueError:
            pass
    return False
