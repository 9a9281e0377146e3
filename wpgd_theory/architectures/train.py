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

from dataclasses import dataclass

import numpy as np
import torch

from ..landscape import population_risk, profile_risk
from . import fla_ops
from .cones import best_risk, geometric_weights

__all__ = ["TrainedArchitecture", "train_architecture", "TRAINABLE"]

TRAINABLE = ("linear_attention", "retnet", "simple_gla", "mamba2", "gla")


@dataclass(frozen=True)
class TrainedArchitecture:
    """``risk``: population risk of the trained WPGD; ``optimum``: the class optimum; ``losses``."""

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


def train_architecture(name: str, model, *, steps: int = 1500, batch: int = 256, lr: float = 0.03,
                       seed: int = 0) -> TrainedArchitecture:
    if name not in TRAINABLE:
        raise ValueError(f"name must be one of {TRAINABLE}, got {name!r}")
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    n, d = model.n, model.d
    T = n + 1
    K = model.num_tasks if model.is_multitask else 1
    f32 = torch.float32
    Pk = torch.nn.Parameter(0.1 * torch.randn(d, d, dtype=f32) + 0.3 * torch.eye(d, dtype=f32))
    Pq = torch.nn.Parameter(0.1 * torch.randn(d, d, dtype=f32) + 0.3 * torch.eye(d, dtype=f32))
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
        theta = torch.nn.Parameter(3.0 + 0.5 * torch.randn(T, K, dtype=f32))
        alpha = torch.nn.Parameter(torch.ones(K, dtype=f32) / K + 0.1 * torch.randn(K, dtype=f32))
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
    if name == "retnet":
        optimum = float(profile_risk(model, geometric_weights(n, 1 - 2.0**-5)))
    else:
        cls = {"linear_attention": "uniform", "simple_gla": "monotone", "mamba2": "nonnegative", "gla": "free"}[name]
        optimum = float(best_risk(model, cls).risk)
    return TrainedArchitecture(name, risk, optimum, w, P, losses)
