r"""Training recurrences through fla's ops on multitask prompts (issue 13, item 7; as claim T1).

Each architecture is trained with Adam on freshly sampled prompts of a
:class:`~wpgd_theory.model.MultitaskModel` (float32, CPU), in its own parameterisation:

* ``linear_attention`` — ``P_k, P_q``;
* ``retnet`` — ``P_k, P_q`` with fla's fixed decay ``γ_0 = 1 − 2^{−5}`` (RetNet's ``γ`` is not
  learned): its optimum is the profile risk (W3) of the geometric weights ``γ_0^{n+1−i}``;
* ``simple_gla`` — ``P_k, P_q`` and one gate logit per token (``g = σ(θ)``): monotone class;
* ``mamba2`` — ``P_k, P_q``, one ``dt`` per token and ``A_log``, value scaled by ``Δ``:
  nonnegative class;
* ``gla`` — ``P_k, P_q``, ``K`` key blocks (``K`` the number of tasks) with a gate logit per
  token and block and a learned scale per block: free class (attained task-wise).

After training, the WPGD the parameters define (G1: ``P = P_qᵀP_k`` and the weights of the
class's formula) is read off and its *population* risk (W1, closed form) is compared with the
class optimum of :func:`~.cones.best_risk` — it can only be above it, and training should
bring it close.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import torch

from ..gla.train import cpu_threads
from ..landscape import population_risk, profile_risk
from . import fla_ops
from .cones import best_risk, geometric_weights

__all__ = ["TrainedArchitecture", "train_architecture", "TRAINABLE", "TRAIN_SETTINGS", "TRAINED_CLASS",
           "BELOW_OPTIMUM_RTOL", "LEVEL_RESOLUTION", "class_optimum", "trained_tolerance", "quick_pair",
           "train_classes"]

#: trainable architectures, cheapest first (ties in :func:`quick_pair` go to the earlier one)
TRAINABLE = ("linear_attention", "retnet", "simple_gla", "mamba2", "gla")

#: the weight class each trainable architecture is held to (``retnet``: fla's first head alone,
#: its fixed profile ``γ_0^{n+1−i}``, ``γ_0 = 1 − 2^{−5}``; its optimum is the profile risk W3)
TRAINED_CLASS = {"linear_attention": "uniform", "retnet": "retnet head 0 (fixed gamma_0 = 1 - 2^-5)",
                 "simple_gla": "monotone", "mamba2": "nonnegative", "gla": "free"}

#: Adam steps and batch per suite (the quick suite trains two classes in a few seconds)
TRAIN_SETTINGS = {"quick": {"steps": 150, "batch": 64}, "default": {"steps": 300, "batch": 256},
                  "thorough": {"steps": 1500, "batch": 256}}

#: how far below its class optimum a trained risk may lie: the float64 rounding of the closed-form
#: risks (``~1e-15`` relative) and the resolution of the optimum's searches (the ridge ``t`` of the
#: nonnegative class is searched by bounded Brent, not certified; the risk is stationary in ``t`` there)
BELOW_OPTIMUM_RTOL = 1e-8

#: class optima nearer than this (relative) are one level for :func:`trained_tolerance`: SGD
#: training in the suites' budgets cannot attribute a risk between them (its measured excess
#: reaches 0.11 % in the thorough suite, 2.5 % in the quick one), so a half-gap tolerance to such a
#: neighbour would demand what training cannot deliver (e.g. monotone vs nonnegative on
#: ``multitask-anisotropic``, 7e-5 apart)
LEVEL_RESOLUTION = 5e-3

#: architectures :func:`train_classes` trains at once (threads; 1: one after another)
_TRAIN_THREADS = 2

#: Adam's initial learning rate (:func:`train_architecture`'s default, :func:`train_classes`'s)
_LR = 0.03

#: relative CPU cost of a training step (measured: 200 steps of batch 256 on the non-monotone
#: model, in ms per step); only the order in which :func:`train_classes` starts them (costliest
#: first, so that its threads end together), never a result, depends on it
_STEP_COST = {"simple_gla": 10.0, "gla": 8.0, "linear_attention": 6.5, "mamba2": 6.0, "retnet": 2.2}


def class_optimum(name: str, model) -> float:
    r"""The best population risk of architecture ``name``'s weight class on ``model`` (:data:`TRAINED_CLASS`).

    Parameters
    ----------
    name : str
        One of :data:`TRAINABLE`.
    model : MultitaskModel

    Returns
    -------
    float

    Examples
    --------
    >>> from wpgd_theory.claims.defaults import default_models
    >>> m = default_models()["multitask-nonmonotone"]
    >>> class_optimum("gla", m) <= class_optimum("simple_gla", m) <= class_optimum("linear_attention", m)
    True
    """
    if name not in TRAINABLE:
        raise ValueError(f"name must be one of {TRAINABLE}, got {name!r}")
    if name == "retnet":
        return float(profile_risk(model, geometric_weights(model.n, 1 - 2.0**-5)))
    return float(best_risk(model, TRAINED_CLASS[name]).risk)


def trained_tolerance(name: str, model, names=TRAINABLE, *, optima: dict | None = None) -> float:
    r"""Relative tolerance of a trained risk above its class optimum: half the gap to the next larger optimum.

    ``tol_c = (o_next − o_c) / (2 o_c)`` with ``o_next`` the smallest of the other classes' optima
    (:data:`TRAINABLE`) and ``τ`` (the risk of ``ω = 0``, in every class) that exceeds ``o_c`` by more than
    :data:`LEVEL_RESOLUTION` (relative; nearer optima are one level): a trained risk within it is
    closer to its own class's optimum than to any larger one, so no class with a larger optimum (and
    not the zero predictor) explains it (``proofs/architectures.md`` §B).

    Parameters
    ----------
    name : str
        One of :data:`TRAINABLE`.
    model : MultitaskModel
    names : sequence of str
        The classes compared (default: all of :data:`TRAINABLE`).
    optima : dict, optional
        ``{name: class optimum}`` already computed (:func:`class_optimum`), to avoid recomputing them.

    Returns
    -------
    float

    Examples
    --------
    >>> from wpgd_theory.claims.defaults import default_models
    >>> 0 < trained_tolerance("mamba2", default_models()["multitask-nonmonotone"]) < 1
    True
    """
    get = (lambda c: optima[c]) if optima is not None else (lambda c: class_optimum(c, model))  # noqa: E731
    opt = get(name)
    above = [o for o in [get(c) for c in names if c != name] + [float(model.tau)]
             if o > opt * (1 + LEVEL_RESOLUTION)]
    return (min(above) - opt) / (2 * opt)


def quick_pair(model, *, optima: dict | None = None) -> tuple:
    r"""The two trainable classes whose optima differ most on ``model``: ``(largest, smallest)``.

    Ties (within ``10⁻⁹`` relative) go to the cheaper architecture (earlier in :data:`TRAINABLE`).

    Parameters
    ----------
    model : MultitaskModel
    optima : dict, optional
        ``{name: class optimum}`` for every name of :data:`TRAINABLE`, if already computed.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> from wpgd_theory.claims.defaults import default_models
    >>> quick_pair(default_models()["multitask-nonmonotone"])
    ('retnet', 'mamba2')
    """
    opt = {c: class_optimum(c, model) for c in TRAINABLE} if optima is None else optima
    hi, lo = max(opt.values()), min(opt.values())
    first = lambda v: next(c for c in TRAINABLE if abs(opt[c] - v) <= 1e-9 * abs(v))  # noqa: E731
    return first(hi), first(lo)


def train_classes(model, names, *, steps: int, batch: int, seed: int = 0) -> list:
    r"""Train each of ``names`` on ``model`` and hold its trained risk to its class optimum.

    Parameters
    ----------
    model : MultitaskModel
    names : sequence of str
        Architectures of :data:`TRAINABLE`.
    steps, batch : int
        Adam steps and prompts per step (:data:`TRAIN_SETTINGS`).
    seed : int

    Returns
    -------
    list of dict
        Per architecture: ``name``, ``weight_class``, ``risk`` (population risk of the trained WPGD),
        ``optimum``, ``relative_excess`` ``(risk − optimum)/optimum``, ``tolerance``
        (:func:`trained_tolerance`), ``within`` (``−BELOW_OPTIMUM_RTOL ≤ excess ≤ tolerance``),
        ``steps``, ``batch``, ``first_loss``, ``last_loss``.

    Examples
    --------
    >>> from wpgd_theory.claims.defaults import default_models
    >>> row = train_classes(default_models()["multitask-nonmonotone"], ["retnet"], steps=2, batch=8)[0]
    >>> sorted(row)[:4]
    ['batch', 'first_loss', 'last_loss', 'name']
    """
    rows = []
    optima = {c: class_optimum(c, model) for c in TRAINABLE}
    names = list(names)
    for name in names:
        if name not in TRAINABLE:
            raise ValueError(f"names must be architectures of {TRAINABLE}, got {name!r}")
    # the architectures train at once, one thread each (torch's operations release the GIL; each
    # run has its own generators, so its result does not depend on the others)
    with cpu_threads(1, "cpu"), ThreadPoolExecutor(max(1, min(_TRAIN_THREADS, len(names)))) as pool:
        futures = {name: pool.submit(_train, name, model, steps=steps, batch=batch, lr=_LR, seed=seed)
                   for name in sorted(dict.fromkeys(names), key=lambda nm: -_STEP_COST.get(nm, 0.0))}  # costliest first
        trained = [futures[name].result() for name in names]
    for name, res in zip(names, trained):
        tol = trained_tolerance(name, model, optima=optima)
        excess = (res.risk - res.optimum) / res.optimum
        rows.append({"name": name, "weight_class": TRAINED_CLASS[name], "risk": res.risk, "optimum": res.optimum,
                     "relative_excess": excess, "tolerance": tol,
                     "within": bool(-BELOW_OPTIMUM_RTOL <= excess <= tol), "steps": steps, "batch": batch,
                     "first_loss": res.losses[0], "last_loss": res.losses[-1]})
    return rows


@dataclass(frozen=True)
class TrainedArchitecture:
    r"""A trained architecture read off as one-step WPGD (claim T1).

    The trained parameters define the WPGD predictor ``ŷ = Σ_i ω_i y_i xᵀ P x_i`` with
    ``P = P_qᵀP_k`` and ``ω`` the weights of the architecture's class formula (claim G1);
    ``risk`` is its population risk (claim W1, closed form), ``optimum`` the class optimum
    (:func:`class_optimum`), so ``risk ≥ optimum`` up to rounding.

    Parameters
    ----------
    name : str
        The architecture, one of :data:`TRAINABLE`.
    risk : float
        Population risk ``L(ω, P)`` of the trained WPGD.
    optimum : float
        The best population risk of the architecture's weight class (:data:`TRAINED_CLASS`).
    omega : numpy.ndarray of shape (n,)
        The trained weights ``ω``.
    P : numpy.ndarray of shape (d, d)
        The trained preconditioner ``P = P_qᵀP_k``.
    losses : list of float
        The mini-batch training loss after each Adam step.

    Examples
    --------
    >>> import numpy as np
    >>> t = TrainedArchitecture("linear_attention", 1.2, 1.0, np.ones(3), np.eye(2), [2.0, 1.5])
    >>> t.name, t.omega.shape, t.risk >= t.optimum
    ('linear_attention', (3,), True)
    """

    name: str
    risk: float
    optimum: float
    omega: np.ndarray
    P: np.ndarray
    losses: list


def _rev_cumprod_excl(g):
    """``ω_i = Π_{j=i+1}^{T} g_j`` for ``i = 1..T−1`` (torch, differentiable)."""
    tail = torch.flip(torch.cumprod(torch.flip(g[1:], [0]), 0), [0])
    return tail


def train_architecture(name: str, model, *, steps: int = 1500, batch: int = 256, lr: float = _LR,
                       seed: int = 0) -> TrainedArchitecture:
    r"""Train architecture ``name`` through fla's ops on ``model``'s prompts and read off its WPGD (claim T1).

    Adam (cosine learning-rate schedule) minimises the mean squared error of the query's
    prediction on freshly sampled float32 prompts, in the architecture's own parameterisation
    (module docstring).  The trained ``(ω, P)`` (claim G1: ``P = P_qᵀP_k``, ``ω`` the class's
    formula) gives the population risk ``L(ω, P)`` (claim W1), held to the class optimum.

    Parameters
    ----------
    name : str
        One of :data:`TRAINABLE`.
    model : MultitaskModel
        The data model; the prompts have its ``n`` examples in dimension ``d``.
    steps : int, optional
        Adam steps (default 1500).
    batch : int, optional
        Prompts per step (default 256).
    lr : float, optional
        Adam's initial learning rate (default 0.03).
    seed : int, optional
        Seed of the initialisation and of the prompts (default 0).

    Returns
    -------
    TrainedArchitecture
        The trained ``ω (n,)``, ``P (d, d)``, their population risk, the class optimum and the losses.

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`TRAINABLE`.

    Examples
    --------
    >>> from wpgd_theory.claims.defaults import default_models
    >>> res = train_architecture("retnet", default_models()["multitask-nonmonotone"], steps=2, batch=8)
    >>> res.name, len(res.losses), res.P.shape
    ('retnet', 2, (3, 3))
    >>> bool(res.risk >= res.optimum * (1 - 1e-8))
    True
    """
    if name not in TRAINABLE:
        raise ValueError(f"name must be one of {TRAINABLE}, got {name!r}")
    with cpu_threads(1, "cpu"):  # tiny tensors: one thread is ~10x faster than several (thread start-up per op)
        return _train(name, model, steps=steps, batch=batch, lr=lr, seed=seed)


def _train(name, model, *, steps, batch, lr, seed):
    """:func:`train_architecture` in the calling thread's torch settings (its own generators:
    the initialisation's ``torch.Generator`` seeded as ``torch.manual_seed(seed)`` seeds the
    global one, the prompts' ``numpy.random.default_rng(seed)``)."""
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    n, d = model.n, model.d
    T = n + 1
    K = model.num_tasks if model.is_multitask else 1
    f32 = torch.float32
    Pk = torch.nn.Parameter(0.1 * torch.randn(d, d, dtype=f32, generator=gen) + 0.3 * torch.eye(d, dtype=f32))
    Pq = torch.nn.Parameter(0.1 * torch.randn(d, d, dtype=f32, generator=gen) + 0.3 * torch.eye(d, dtype=f32))
    params = [Pk, Pq]
    theta = dt = a_log = alpha = None
    if name == "simple_gla":
        theta = torch.nn.Parameter(torch.full((T,), 3.0, dtype=f32))
        params.append(theta)
    elif name == "mamba2":
        dt = torch.nn.Parameter(torch.zeros(T, dtype=f32))
        a_log = torch.nn.Parameter(torch.tensor(np.log(0.25 / n), dtype=f32))
        params += [dt, a_log]
    elif name == "gla":
        theta = torch.nn.Parameter(3.0 + 0.5 * torch.randn(T, K, dtype=f32, generator=gen))
        alpha = torch.nn.Parameter(torch.ones(K, dtype=f32) / K + 0.1 * torch.randn(K, dtype=f32, generator=gen))
        params += [theta, alpha]
    opt = torch.optim.Adam(params, lr=lr)

    def weights():
        """``(ω (n,), P (d,d))`` of the current parameters (G1)."""
        P = Pq.T @ Pk
        if name == "linear_attention":
            return torch.ones(n, dtype=f32), P
        if name == "retnet":
            return torch.as_tensor(geometric_weights(n, 1 - 2.0**-5), dtype=f32), P
        if name == "simple_gla":
            return _rev_cumprod_excl(torch.sigmoid(theta)), P
        if name == "mamba2":
            delta = torch.nn.functional.softplus(dt)
            a = torch.exp(a_log)
            later = torch.flip(torch.cumsum(torch.flip(delta, [0]), 0), [0])[1:]
            return delta[:n] * torch.exp(-a * later), P
        g = torch.sigmoid(theta)  # (T, K)
        prof = torch.stack([_rev_cumprod_excl(g[:, c]) for c in range(K)], 1)  # (n, K)
        return prof @ alpha, P

    def forward(X, y, x):
        B = X.shape[0]
        feats = torch.cat([X, x[:, None]], 1)
        v = torch.cat([y, torch.zeros(B, 1, dtype=f32)], 1)[:, :, None, None]
        if name == "gla":
            k = (feats @ Pk.T).repeat(1, 1, K)[:, :, None]  # (B, T, 1, K d)
            q = torch.cat([alpha[c] * (feats @ Pq.T) for c in range(K)], -1)[:, :, None]
            gk = torch.nn.functional.logsigmoid(theta).repeat_interleave(d, 1)  # (T, K d)
            return fla_ops.gla(q, k, v, gk[None, :, None].expand(B, T, 1, K * d))[:, -1, 0, 0]
        k = (feats @ Pk.T)[:, :, None]
        q = (feats @ Pq.T)[:, :, None]
        if name == "linear_attention":
            return fla_ops.linear_attention(q, k, v)[:, -1, 0, 0]
        if name == "retnet":
            return fla_ops.retention(q, k, v)[:, -1, 0, 0]
        if name == "simple_gla":
            g = torch.nn.functional.logsigmoid(theta)
            return fla_ops.simple_gla(q, k, v, g[None, :, None].expand(B, T, 1))[:, -1, 0, 0]
        delta = torch.nn.functional.softplus(dt)
        g = -torch.exp(a_log) * delta
        return fla_ops.simple_gla(q, k, v * delta[None, :, None, None], g[None, :, None].expand(B, T, 1))[:, -1, 0, 0]

    losses = []
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    for _ in range(steps):
        X, y, x, yq = (torch.as_tensor(a, dtype=f32) for a in model.sample(batch, rng))
        loss = torch.mean((forward(X, y, x) - yq) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    with torch.no_grad():
        w, P = weights()
    w, P = w.double().numpy(), P.double().numpy()
    risk = float(population_risk(model, P, w))
    return TrainedArchitecture(name, risk, class_optimum(name, model), w, P, losses)
