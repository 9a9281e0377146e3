r"""Many independent GLA trainings as one batched computation (claims T1, T2; sweep cells).

The training runs of T1/T2 are tiny (``d ≤ 8``, ``n ≤ 64``) and independent; trained one
after another (:func:`~wpgd_theory.gla.train`, the reference, kept), per-step overhead
dominates.  :func:`train_many` trains runs whose GLAs share one configuration and prompt
layout as **one stack**: every parameter gets a leading run axis ``r``, the loss is the
sum of the runs' losses ``Σ_r mean_b (y_{rb} − ŷ_{rb})²`` (run ``r``'s gradient is that of
its own loss: the terms are independent), and Adam is applied elementwise with per-run
learning rates — the same update as ``torch.optim.Adam`` on each run alone.  Each run keeps
its own prompt stream (``numpy.random.default_rng([seed, 1])``), its own plateau rule,
learning-rate decay and early stop (a stopped run leaves the stack), and its held-out risk
on the prompts of ``[seed, 2]`` (:func:`~wpgd_theory.gla.evaluate`'s).  Hence the batched and
the sequential paths train the same models on the same prompts and agree up to float32
rounding (tested; tolerance in ``tests/gla/test_gla_batched.py``).

**Form (measured, ``benchmarks/training.py``).**  Only ``ŷ = [o_T]_{d+1}`` (the query row,
label channel) of the last layer enters the loss, so that layer is evaluated at the query
only — ``O(T)`` per prompt instead of ``O(T²)``:

    ``ŷ = Σ_h Σ_{j ≤ T} m_j (q^h_T ⊙ Π_{s=j+1}^{T} G^h_s)ᵀ k^h_j · v^h_{j,d+1}``

(scalar gates: ``Π g_s`` a number; key gates: a vector over ``d_k``; linear attention: 1),
with ``Π_{s=j+1}^{T} g_s = exp(b_T − b_j)``, ``b`` the cumulative log gates.  Earlier layers
(depth ``L > 1``) produce every token's output by :func:`~wpgd_theory.gla.chunked_gla` on
the runs folded into the prompt axis.  Residual readout ``ŷ = −[Z^{(L)}]_{T,d+1}``.

**Products form** (one layer, WPGD structure; the default, :data:`PRODUCTS_FORM`).  With
``W_q = [[Q_h, 0]]``, ``W_k = [[K_h, 0]]`` and ``v_{j,d+1} = v_h y_j`` the query-row formula is

    ``ŷ = Σ_h v_h Σ_c (Q_h x)_c Σ_a K_{h,ca} S_{a,h,c}``,  ``S_{a,h,c} = Σ_j y_j x_{j,a} · m_j Π_{s=j+1}^{T} G^h_{s,c}``

(:func:`_wpgd_predict`): one batched product of the prompts' ``y_j x_j`` with the run's
decay (shared by its prompts), so a prompt enters as its ``d × n`` products, its query and
its label only.  They are drawn by :class:`_Draws` from the reference sampler's random stream
(``MultitaskModel.sample``'s three normal draws, in order; tested equal), and runs of one
configuration share a stack whatever their prompt length (:class:`_RunStatics`: prompts
padded at the front).  Measured in ``benchmarks/training.py`` (``thorough_training_checks``,
``t1_profile``, ``step_segments``); multi-layer stacks use whole prompts as below.

Scope: gates reading the context coordinates only (``gate_input="context"``: the same
gates for every prompt of a run, computed once from
:meth:`PromptLayout.context_matrix`) or no gating, finite log gates (sigmoid and log-space
gates; a clamped gate may be exactly 0).  Other runs are trained by the reference
:func:`~wpgd_theory.gla.train`, one by one.
"""

from __future__ import annotations

import math
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np
import torch

from .._validation import as_positive_int, as_scalar
from ..landscape import MonteCarloEstimate
from . import gates as _gates
from .layer import chunked_gla
from .model import GLA
from .prompts import PromptLayout
from .train import TrainResult, _layout, cpu_threads, train

__all__ = ["train_many", "stacked_predictions", "evaluate_many", "squared_errors_many", "batchable"]


# ----------------------------------------------------------------------------- stacks
def batchable(model: GLA) -> bool:
    """Whether :func:`train_many` trains ``model`` in a stack (module docstring: scope)."""
    cfg = model.config
    return cfg.gating == "none" or (cfg.gate_input == "context" and cfg.gate in ("sigmoid", "logspace"))


def _stack(models):
    """``{name: (R, *shape) tensor}`` of the models' parameters (a copy)."""
    names = [n for n, _ in models[0].named_parameters()]
    return {n: torch.stack([dict(m.named_parameters())[n].detach() for m in models]).clone() for n in names}


def _unstack(params, models, rows):
    """Copy row ``i`` of every stacked parameter into ``models[rows[i]]``."""
    with torch.no_grad():
        for i, r in enumerate(rows):
            own = dict(models[r].named_parameters())
            for n, t in params.items():
                own[n].copy_(t[i])


class _Statics:
    """What every run of a stack shares: the configuration's masks, the context matrix, the
    write mask, the token positions (computed once, on the stack's device and dtype)."""

    def __init__(self, model: GLA, layout: PromptLayout):
        cfg = model.config
        dev, dt = model.device, model.dtype
        self.cfg, self.layout = cfg, layout
        self.layer0 = model.layers[0]
        self.qk_mask = self.layer0.qk_mask
        self.v_mask = self.layer0.v_mask
        self.context = torch.as_tensor(layout.context_matrix(), dtype=dt, device=dev)  # (T, p)
        m = torch.ones(layout.num_tokens, dtype=dt, device=dev)
        if cfg.write_mask:
            m[-1] = 0.0
        self.write = m
        self.ex = layout.example_positions
        self.device, self.dtype = dev, dt
        self.context_np = layout.context_matrix().astype(np.float32 if dt == torch.float32 else np.float64)
        self.npdt = self.context_np.dtype


class _RunStatics:
    """What the products form needs per run of a stack whose runs may differ in prompt
    layout (length ``T``, number of examples ``n``): context matrices, example positions
    and write weights, padded at the *front* to the stack's longest prompt (a decay
    ``Π_{s=j+1}^{T} G_s`` reads only the tokens after ``j``, and a padded example has
    weight 0 and ``y x = 0``: the padding changes nothing)."""

    def __init__(self, model: GLA, layouts, _parts=None):
        cfg = model.config
        self.cfg, self.layer0 = cfg, model.layers[0]
        self.device, self.dtype = model.device, model.dtype
        self.npdt = np.dtype(np.float32 if self.dtype == torch.float32 else np.float64)
        self.layouts = list(layouts)
        if _parts is not None:
            self.context, self.ex_index, self.ex_weight = _parts
            return
        T = max(lay.num_tokens for lay in self.layouts)
        n = max(len(lay.example_positions) for lay in self.layouts)
        R, p = len(self.layouts), self.layouts[0].num_context
        context, index, weight = np.zeros((R, T, p)), np.zeros((R, n), np.int64), np.zeros((R, n))
        for r, lay in enumerate(self.layouts):
            shift, ex = T - lay.num_tokens, lay.example_positions
            context[r, shift:] = lay.context_matrix()
            index[r, n - len(ex):] = shift + ex
            w = np.ones(lay.num_tokens)
            if cfg.write_mask:
                w[-1] = 0.0
            weight[r, n - len(ex):] = w[ex]
        dev, dt = self.device, self.dtype
        self.context = torch.as_tensor(context, dtype=dt, device=dev)  # (R, T, p)
        self.ex_index = torch.as_tensor(index, device=dev)  # (R, n)
        self.ex_weight = torch.as_tensor(weight, dtype=dt, device=dev)  # (R, n)

    @property
    def n(self) -> int:
        return self.ex_index.shape[1]

    def select(self, rows):
        """The statics of runs ``rows`` (a stack whose other runs stopped)."""
        idx = torch.as_tensor(rows, device=self.device)
        parts = (self.context.index_select(0, idx), self.ex_index.index_select(0, idx),
                 self.ex_weight.index_select(0, idx))
        new = _RunStatics.__new__(_RunStatics)
        new.__dict__.update(self.__dict__)
        new.layouts = [self.layouts[r] for r in rows]
        new.context, new.ex_index, new.ex_weight = parts
        return new


def _layer_weights(params, i, st):
    """Effective ``(W_q, W_k, W_v)`` of layer ``i`` for every run: ``(R, H, ·, D)``."""
    H = st.cfg.num_heads
    p = f"layers.{i}."
    Wq = params[p + "W_q"] * st.qk_mask
    Wk = params[p + "W_k"] * st.qk_mask
    Wq = Wq.expand(-1, H, -1, -1)
    Wk = Wk.expand(-1, H, -1, -1)
    return Wq, Wk, params[p + "W_v"] * st.v_mask


def _log_gates(params, i, st):
    """Log gates of layer ``i`` from the context coordinates: ``(R, H, T)`` or ``(R, H, T, d_k)``,
    ``None`` without gating (:class:`~wpgd_theory.gla.gates.Gate` on the shared context)."""
    cfg = st.cfg
    if cfg.gating == "none":
        return None
    W, b = params[f"layers.{i}.gate.weight"], params[f"layers.{i}.gate.bias"]
    if cfg.gating == "scalar":
        pre = torch.einsum("tp,rhp->rht", st.context, W) + b[:, :, None]
    else:
        pre = torch.einsum("tp,rhkp->rhtk", st.context, W) + b[:, :, None, :]
    return _gates.gate_values(pre, cfg.gate)[1]


def _decay_matrix(params, i, st, T, Z):
    """``D_{ij} = exp(b_i − b_j)`` for ``j ≤ i``, else 0: ``(R, H, T, T)`` (the causal mask without gating)."""
    lg = _log_gates(params, i, st)
    causal = torch.ones(T, T, dtype=torch.bool, device=Z.device).tril()
    if lg is None:
        return causal.to(Z.dtype)[None, None]
    b = torch.cumsum(lg, dim=-1)
    diff = b[..., :, None] - b[..., None, :]
    return torch.exp(torch.where(causal, diff, torch.full_like(diff, float("-inf"))))


def _full_layer(Z, params, i, st):
    """Every token's output ``O (R, B, T, D)`` of layer ``i``.  Scalar gates and linear
    attention: the attention-matrix form ``O = ((Q Kᵀ) ⊙ D)(m ⊙ V)`` with
    ``D_{ij} = exp(b_i − b_j)`` (``j ≤ i``; one decay matrix per run and head, shared by its
    prompts, :func:`_decay_matrix`); key gates: :func:`chunked_gla` with the runs folded
    into the prompt axis.  (A state form ``o_i = (Σ_j D_{ij} k_j v_jᵀ)ᵀ q_i``, one product
    for all prompts, was measured 1.3x slower on T2's prompts.)"""
    cfg = st.cfg
    R, B, T, D = Z.shape
    H = cfg.num_heads
    Wq, Wk, Wv = _layer_weights(params, i, st)
    Zf = Z.reshape(R, 1, B * T, D)  # the projections as one product per run and head (not B tiny ones)
    q = (Zf @ Wq.transpose(-1, -2)).view(R, H, B, T, -1)  # (R, H, B, T, d_k)
    k = (Zf @ Wk.transpose(-1, -2)).view(R, H, B, T, -1)
    v = (Zf @ Wv.transpose(-1, -2)).view(R, H, B, T, D) * st.write[:, None]  # (R, H, B, T, D)
    if cfg.gating == "vector":
        lg = _log_gates(params, i, st)
        fold = lambda t: t.transpose(1, 2).reshape(R * B, H, T, t.shape[-1])  # noqa: E731
        lg = lg[:, None].expand(R, B, *lg.shape[1:]).reshape(R * B, *lg.shape[1:])
        o = chunked_gla(fold(q), fold(k), fold(v), lg, None, chunk_size=cfg.chunk_size,
                        subchunk_size=cfg.subchunk_size)
        return o.sum(dim=1).reshape(R, B, T, D)
    A = (q @ k.transpose(-1, -2)) * _decay_matrix(params, i, st, T, Z).expand(R, H, T, T)[:, :, None]
    return (A @ v).sum(dim=1)


def _query_label(Z, params, i, st, split=False):
    r"""``[o_T]_{d+1}`` of layer ``i`` for every run and prompt, ``(R, B)``: the query row only
    (module docstring), as ``Σ_h Σ_j (q_T ⊙ decay_j)ᵀ k_j v_{j,d+1}`` with the projections
    as batched matrix products.  ``split``: ``Z`` holds the data coordinates only and the
    context coordinates are ``st.context`` (each projection ``W z = W_data z_data + W_ctx c``)."""
    cfg = st.cfg
    d = cfg.label_index
    Wq, Wk, Wv = _layer_weights(params, i, st)
    wv = Wv[:, :, d, :]  # (R, H, D): the label channel of v
    if split:
        n = Z.shape[-1]
        C = st.context  # (T, p)
        qT = Z[:, None, :, -1] @ Wq[..., :n].transpose(-1, -2) + (Wq[..., n:] @ C[-1])[:, :, None]
        v = Z @ wv[:, None, :, :n].transpose(-1, -2) + (C @ wv[..., n:].transpose(-1, -2))[:, None]
    else:
        qT = Z[:, None, :, -1] @ Wq.transpose(-1, -2)  # (R, H, B, d_k)
        R, B, T, D = Z.shape
        v = (Z.reshape(R, B * T, D) @ wv.transpose(-1, -2)).view(R, B, T, -1)  # (R, B, T, H): one product per run
    v = v * st.write[:, None]  # write mask
    lg = _log_gates(params, i, st)
    if cfg.gating == "vector":
        b = torch.cumsum(lg, dim=-2)
        decay = torch.exp(b[..., -1:, :] - b)  # (R, H, T, d_k): Π_{s=j+1}^{T} g_s per key channel
        if split:
            k = Z[:, None] @ Wk[..., :n].transpose(-1, -2)[:, :, None] + (C @ Wk[..., n:].transpose(-1, -2))[:, :, None]
        else:
            k = Z[:, None] @ Wk.transpose(-1, -2)[:, :, None]  # (R, H, B, T, d_k)
        score = ((qT[:, :, :, None, :] * decay[:, :, None]) * k).sum(-1)  # (R, H, B, T)
        return (score * v.permute(0, 3, 1, 2)).sum(dim=(1, 3))
    u = qT @ Wk  # (R, H, B, D): k_jᵀ q_T = z_jᵀ W_kᵀ q_T
    if split:
        score = u[..., :n].transpose(1, 2) @ Z.transpose(-1, -2) + u[..., n:].transpose(1, 2) @ C.T  # (R, B, H, T)
    else:
        score = u.transpose(1, 2) @ Z.transpose(-1, -2)  # (R, B, H, T)
    w = v.transpose(-1, -2)  # (R, B, H, T)
    if lg is not None:
        b = torch.cumsum(lg, dim=-1)
        w = w * torch.exp(b[..., -1:] - b)[:, None]  # Π_{s=j+1}^{T} g_s, (R, 1, H, T)
    return (score * w).sum(dim=(-1, -2))


def stacked_predictions(params: dict, tokens: torch.Tensor, st: _Statics) -> torch.Tensor:
    r"""Predictions ``ŷ (R, B)`` of ``R`` stacked GLAs of one configuration on their own prompts
    ``tokens (R, B, T, D)``: the function :meth:`GLA.forward` computes (write mask of the
    configuration, default gates), with the last layer at the query only."""
    cfg = st.cfg
    Z = tokens
    L = cfg.num_layers
    for i in range(L - 1):
        Z = Z + _full_layer(Z, params, i, st)
    out = _query_label(Z, params, L - 1, st)
    if cfg.effective_readout == "output":
        return out
    return -(Z[:, :, -1, cfg.label_index] + out)


def _tokens(batches, st):
    """The prompt-dependent token coordinates ``[x; y]`` ``(R, B, T, d+1)`` and the targets
    ``(R, B)`` of one prompt batch per run, as :func:`~wpgd_theory.gla.prompt_tensors` lays
    them out (float64 values rounded once; delimiters 0, the query's label slot 0).  The
    context coordinates are the same in every prompt (``st.context``): :func:`_full_tokens`."""
    lay = st.layout
    R, B = len(batches), batches[0].X.shape[0]
    d, T = lay.d, lay.num_tokens
    npdt = st.context_np.dtype
    Z = np.zeros((R, B, T, d + 1), dtype=npdt)
    for r, (X, y, x, _) in enumerate(batches):
        Z[r, :, st.ex, :d] = X.transpose(1, 0, 2)
        Z[r, :, st.ex, d] = y.T
        Z[r, :, -1, :d] = x
    yq = np.stack([b.y_query for b in batches]).astype(npdt)
    return (torch.from_numpy(Z).to(st.device), torch.from_numpy(yq).to(st.device))


def _full_tokens(Zd, st):
    """Whole tokens ``(R, B, T, D)``: data coordinates and the shared context coordinates."""
    R, B, T, _ = Zd.shape
    return torch.cat([Zd, st.context.expand(R, B, T, -1)], dim=-1)


def _predict(params, Zd, st):
    """Predictions ``(R, B)`` from the data coordinates: a one-layer stack splits every
    projection into its data part (per prompt) and its context part (shared, once per run),
    halving the per-prompt work of the WPGD-sized tokens; deeper stacks run on whole tokens."""
    if st.cfg.num_layers > 1:
        return stacked_predictions(params, _full_tokens(Zd, st), st)
    out = _query_label(Zd, params, 0, st, split=True)
    return out if st.cfg.effective_readout == "output" else -(Zd[:, :, -1, st.cfg.label_index] + out)


# ----------------------------------------------------------------------------- WPGD-structured one layer
#: Train and evaluate one-layer WPGD-structured stacks in the products form (:func:`_wpgd_predict`,
#: :class:`_Draws`); ``False``: through whole prompts (:func:`_tokens`, :func:`_predict`), the
#: earlier path, which ``benchmarks/training.py`` times against it.
PRODUCTS_FORM = True


def _wpgd_form(cfg) -> bool:
    """Whether the products form (:func:`_wpgd_predict`) applies: one layer, WPGD structure."""
    return PRODUCTS_FORM and cfg.num_layers == 1 and cfg.structure == "wpgd"


class _Draws:
    r"""Prompts of one task in the products form: ``MultitaskModel.sample``'s draws (the
    same three ``rng.standard_normal`` calls in the same order, so the same prompts as the
    reference sampler, up to float64 rounding), laid out example-major, and only what
    :func:`_wpgd_predict` reads kept: ``y_i x_{i,a}`` (``i ≤ n``) as ``(n, d, B)``, the
    query ``x`` as ``(d, B)`` and its label ``(B,)``, rounded once to the stack's dtype.
    Labels ``y_i = x_iᵀβ_{k(i)} + ε_i``, one product per segment of examples of one task."""

    def __init__(self, task, st):
        n, d = task.n, task.d
        self.n, self.d = n, d
        self.m = task._C_joint.shape[0]
        self.chol = np.linalg.cholesky(task.sigma)
        self.factor = np.array(task._factor)
        idx = np.append(task._tasks["task_of"], self.m - 1) if task._tasks is not None else np.arange(n + 1)
        cuts = np.flatnonzero(np.diff(idx)) + 1  # runs of one task vector: (start, stop, vector)
        starts = np.r_[0, cuts]
        self.seg_task, self.seg_len = idx[starts], np.diff(np.r_[starts, n + 1])
        self.noise_sd = math.sqrt(task.noise)
        self._scratch = None

    def draw_into(self, B, rng, yx, xq, yq):
        """Draw ``B`` prompts with ``rng`` into ``yx (n, d, B)``, ``xq (d, B)``, ``yq (B,)``
        (scratch arrays reused from call to call: fresh large arrays cost page faults).
        Everything is computed example-major, ``(n + 1, d, B)`` and ``(n + 1, B)``, so the
        last product writes ``yx`` contiguously (measured: a strided write cost more than
        the rest of the arithmetic together)."""
        n, d, m = self.n, self.d, self.m
        if self._scratch is None or self._scratch[0].shape[0] != B * (n + 1):
            self._scratch = (np.empty((B * (n + 1), d)), np.empty((n + 1, d, B)), np.empty((B, n + 1)),
                             np.empty((n + 1, B)))
        z, feats, noise, labels = self._scratch
        rng.standard_normal(out=z)  # x_{b,i} = chol z_{b,i}, z drawn (b, i, a)-major
        np.matmul(self.chol, z.reshape(B, n + 1, d).transpose(1, 2, 0), out=feats)  # x_{b,i,a} at [i, a, b]
        g = rng.standard_normal((B, m, d))
        betas = (self.factor @ g.transpose(1, 0, 2).reshape(m, B * d)).reshape(m, B, d).transpose(0, 2, 1)  # (m, d, B)
        rng.standard_normal(out=noise)
        np.multiply(noise.T, self.noise_sd, out=labels)
        if len(self.seg_task) <= 8:  # a few segments of one task vector each: a product per segment
            start = 0
            for k, length in zip(self.seg_task, self.seg_len):
                labels[start:start + length] += np.einsum("iab,ab->ib", feats[start:start + length], betas[k])
                start += length
        else:  # many (a general R: one vector per example): every example's vector, then one product
            labels += np.einsum("iab,iab->ib", feats, np.repeat(betas[self.seg_task], self.seg_len, axis=0))
        np.multiply(feats[:n], labels[:n, None, :], out=yx, casting="same_kind")
        xq[...] = feats[n]
        yq[...] = labels[n]


_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

#: Threads that draw a step's prompts, one task per run (each run's own random stream, so the
#: prompts do not depend on the number), while the previous step computes
#: (:func:`_train_stack`, :func:`_errors`: one batch drawn ahead); 0 (and on one core): drawn
#: in the calling thread, one run after another (the reference path, tested equal).  numpy's
#: normal draws and array arithmetic release the GIL, so on two or more cores the draws and
#: torch's single-threaded step overlap (measured in ``benchmarks/training.py``).
DRAW_THREADS = min(4, _CORES) if _CORES > 1 else 0

#: Stacks (:func:`train_many`'s groups of runs) trained at once, each in a thread of its own
#: that draws its own prompts (no draw pool: more threads than cores measured slower); a
#: stack's steps are torch operations and numpy draws that release the GIL, and its results
#: do not depend on the others' (each run keeps its own streams), so on two or more cores
#: independent stacks overlap (measured in ``benchmarks/training.py``); 1: one after another
#: (a lone stack then uses the draw pool).
STACK_THREADS = min(4, _CORES) if _CORES > 1 else 1

_POOL = {}
_LOCAL = threading.local()
_STACKS = {"running": 0, "lock": threading.Lock()}  # stacks training in threads of their own now


def _pool():
    """The shared draw pool of :data:`DRAW_THREADS` threads, created once per size; ``None``
    (draw in the calling thread) for 0, and in the thread of a stack while as many stacks as
    cores train at once (:func:`train_many`: they keep the cores busy, and more threads than
    cores measured slower; the last stacks, running alone, use the pool again)."""
    if DRAW_THREADS < 1 or (getattr(_LOCAL, "in_stack_thread", False) and _STACKS["running"] >= _CORES):
        return None
    if DRAW_THREADS not in _POOL:
        _POOL[DRAW_THREADS] = ThreadPoolExecutor(DRAW_THREADS, thread_name_prefix="wpgd-draw")
    return _POOL[DRAW_THREADS]


class _Pending:
    """A batch being drawn: ``jobs`` (one per run) run on :func:`_pool` (or at once, without
    one); :meth:`result` waits for them and returns ``finish(job results)``."""

    def __init__(self, jobs, finish):
        pool = _pool()
        self.finish = finish
        if pool is None:
            self.futures, self.values = None, [job() for job in jobs]
        else:
            self.futures = [pool.submit(job) for job in jobs]

    def result(self):
        if self.futures is not None:
            self.values, self.futures = [f.result() for f in self.futures], None
        return self.finish(self.values)


class _Ready(_Pending):
    """A batch already at hand (:meth:`result` returns it)."""

    def __init__(self, batch):
        self.futures, self.values, self.finish = None, None, lambda _: batch


def _select_rows(batch, idx):
    """Rows ``idx`` (a tensor of stack rows) of a drawn batch ``(data, y)``, in fresh tensors;
    ``data`` a tensor or a tuple of tensors with the run axis first."""
    data, y = batch
    pick = lambda t: t.index_select(0, idx)  # noqa: E731
    return (tuple(pick(t) for t in data) if isinstance(data, tuple) else pick(data)), pick(y)


class _Drawer:
    """A sampler of stacked batches: ``start(B, rngs, rows)`` begins drawing one (a
    :class:`_Pending`); calling it draws one at once."""

    def __call__(self, B, rngs, rows=None):
        return self.start(B, rngs, rows).result()


class _Sampler(_Drawer):
    """``start(B, rngs, rows)``: one batch per run of the stack (rows ``rows`` of the runs'
    :class:`_Draws`, each drawn by its own task, :class:`_Pending`), stacked:
    ``(yx (R, n, d, B), x_query (R, d, B))`` and ``y_query (R, B)``, a run's examples at the
    end of the padded example axis (:class:`_RunStatics`), in two sets of arrays used in
    turn (a batch is dead once the step after it has begun: the batch drawn ahead goes to
    the other set).  Calling the sampler draws at once: ``start(...).result()``."""

    def __init__(self, draws, st):
        self.draws, self.st, self.key, self.sets, self.turn = draws, st, None, None, 0

    def start(self, B, rngs, rows=None):
        draws = self.draws if rows is None else [self.draws[r] for r in rows]
        R, d, n = len(draws), draws[0].d, self.st.n  # the stack's padded example count
        npdt = self.st.npdt
        key = (B, None if rows is None else tuple(rows))
        if key != self.key:  # zeros: the padding stays 0
            self.key, self.turn = key, 0
            self.sets = [(np.zeros((R, n, d, B), npdt), np.empty((R, d, B), npdt), np.empty((R, B), npdt))
                         for _ in range(2)]
        yx, xq, yq = self.sets[self.turn]
        self.turn ^= 1
        jobs = [partial(dr.draw_into, B, g, a[n - dr.n:], b, c)
                for dr, g, a, b, c in zip(draws, rngs, yx, xq, yq)]
        dev = self.st.device
        return _Pending(jobs, lambda _: ((torch.from_numpy(yx).to(dev), torch.from_numpy(xq).to(dev)),
                                         torch.from_numpy(yq).to(dev)))


def _draw_many(draws, B, rngs, st):
    """One batch per run, stacked, in fresh tensors (:class:`_Sampler`)."""
    (yx, xq), yq = _Sampler(draws, st)(B, rngs)
    return (yx.clone(), xq.clone()), yq.clone()


def _example_decay(params, st):
    r"""``m_j Π_{s=j+1}^{T} G_s`` at every run's example tokens ``j``: ``(R or 1, H or 1, n, d_k or 1)``
    (:class:`_RunStatics`: padded examples get 0)."""
    cfg = st.cfg
    w = st.ex_weight  # (R, n)
    if cfg.gating == "none":
        return w[:, None, :, None]
    W, b = params["layers.0.gate.weight"], params["layers.0.gate.bias"]
    if cfg.gating == "scalar":
        pre = (torch.einsum("rtp,rhp->rht", st.context, W) + b[:, :, None])[..., None]  # (R, H, T, 1)
    else:
        pre = torch.einsum("rtp,rhkp->rhtk", st.context, W) + b[:, :, None, :]  # (R, H, T, d_k)
    lg = _gates.gate_values(pre, cfg.gate)[1]
    cum = torch.cumsum(lg, dim=2)
    decay = torch.exp(cum[:, :, -1:] - cum)
    R, H, _, c = decay.shape
    idx = st.ex_index[:, None, :, None].expand(R, H, -1, c)
    return decay.gather(2, idx) * w[:, None, :, None]


def _wpgd_predict(params, data, st):
    r"""Predictions ``(R, B)`` of stacked one-layer WPGD-structured GLAs (``W_q = [[Q, 0]]``,
    ``W_k = [[K, 0]]``, ``W_v`` the label channel ``v_h``, gates from the context) in the
    products form

        ``ŷ = Σ_h v_h Σ_c (Q_h x)_c Σ_a K_{h,ca} S_{a,h,c}``,
        ``S_{a,h,c} = Σ_{j ≤ n} y_j x_{j,a} · m_j Π_{s=j+1}^{T} G^h_{s,c}``

    (the query-row formula of the module docstring with ``q_T = Q x``, ``k_j = K x_j``,
    ``v_{j,d+1} = v y_j``; delimiters and the query's label slot are 0 and add nothing):
    one batched matrix product of the decay with the prompts' ``y_j x_j`` per run, the
    decay shared by a run's prompts (laid out example-major, ``(n, d·B)``, so the product's
    long axis is its output's: measured 5x faster than the transposed layout, forward and
    backward alike).  ``data``: :func:`_draw_many`'s ``(yx (R, n, d, B), x_query (R, d, B))``."""
    cfg = st.cfg
    yx, xq = data
    R, n, d, B = yx.shape
    Wq = params["layers.0.W_q"][..., :d]  # (R, H_qk, d_k, d): W_q's data block (the rest is masked)
    Wk = params["layers.0.W_k"][..., :d]
    v = params["layers.0.W_v"][:, :, d, d]  # (R, H)
    D = _example_decay(params, st)  # (R or 1, H_g, n, c)
    Hg, c = D.shape[1], D.shape[3]
    D = D.expand(R, -1, -1, -1).transpose(-1, -2).reshape(R, Hg * c, n)
    S = (D @ yx.reshape(R, n, d * B)).view(R, Hg, c, d, B)
    H = v.shape[1]
    if c == 1:  # scalar gates or none: Σ_c (Q_h x)_c K_{h,ca} = (K_hᵀQ_h x)_a, then · S_{a,h}
        u = (Wk.transpose(-1, -2) @ Wq) @ xq[:, None]  # (R, H_qk, d, B)
        t = (u * S[:, :, 0]).sum(2)  # (R, H, B)
    else:
        qx = Wq @ xq[:, None]  # (R, H_qk, d_k, B): Q_h x
        KS = (Wk[..., None] * S).sum(3)  # (R, H, d_k, B): Σ_a K_{h,ca} S_{a,h,c}
        t = (KS * qx).sum(2)
    out = (v[:, None, :] @ t.expand(R, H, B))[:, 0]  # Σ_h v_h t_h
    return out if cfg.effective_readout == "output" else -out


def _batches(st, tasks):
    """``draw(B, rngs, rows) -> (data, y (R, B))`` and ``predict(params, data, rows) -> ŷ (R, B)``
    for runs on ``tasks`` (``rows``: the runs still in the stack, default all): the products
    form where it applies (:func:`_wpgd_form`), else whole prompts (:func:`_tokens`,
    :func:`_predict`)."""
    if _wpgd_form(st.cfg):
        selected = {}

        def predict(params, data, rows=None):
            key = None if rows is None else tuple(rows)
            if key not in selected:
                selected.clear()
                selected[key] = st if rows is None else st.select(rows)
            return _wpgd_predict(params, data, selected[key])

        return _Sampler([_Draws(t, st) for t in tasks], st), predict
    return _TokenSampler(tasks, st), lambda params, data, rows=None: _predict(params, data, st)


class _TokenSampler(_Drawer):
    """Whole prompts: ``start(B, rngs, rows)`` draws one batch per run with
    ``MultitaskModel.sample`` (a task per run, :class:`_Pending`) and lays them out as
    :func:`_tokens` (fresh arrays every batch); calling it draws at once."""

    def __init__(self, tasks, st):
        self.tasks, self.st = tasks, st

    def start(self, B, rngs, rows=None):
        runs = range(len(self.tasks)) if rows is None else rows
        return _Pending([partial(self.tasks[r].sample, B, g) for r, g in zip(runs, rngs)],
                        lambda batches: _tokens(batches, self.st))


# ----------------------------------------------------------------------------- evaluation
def _drawn_ahead(start, num, batch_size):
    """The batches of ``num`` prompts in batches of ``batch_size``, ``start(B)`` returning a
    :class:`_Pending`: each batch is yielded while the next one is being drawn."""
    sizes = [min(batch_size, num - s) for s in range(0, num, batch_size)]
    pending = start(sizes[0])
    for i in range(len(sizes)):
        batch = pending.result()
        if i + 1 < len(sizes):
            pending = start(sizes[i + 1])
        yield batch


def _errors(params, st, tasks, rngs, num, batch_size=4096):
    """Squared errors ``(R, num)`` (float64) of the stacked GLAs on ``num`` prompts per run,
    drawn from each run's ``rng`` in batches of ``batch_size`` (as :func:`evaluate`)."""
    out = []
    draw, predict = _batches(st, tasks)
    with torch.no_grad():
        for data, y in _drawn_ahead(lambda B: draw.start(B, rngs), num, batch_size):
            out.append(((y - predict(params, data)) ** 2).double().cpu().numpy())
    return np.concatenate(out, axis=1)


def evaluate_many(models, tasks, layouts, seeds, num_prompts: int = 20000, *, threads: int | None = 1):
    """Held-out risks of many GLAs: for each, exactly :func:`~wpgd_theory.gla.evaluate` with
    ``seed`` (prompts of ``default_rng([seed, 2])``, batches of 4096), computed stacked
    (models of one configuration together, :func:`_groups`).  Returns :class:`MonteCarloEstimate` s."""
    num = as_positive_int(num_prompts, "num_prompts", minimum=2)
    out = [None] * len(models)
    for rows in _groups(models, layouts):
        st = _statics(models[rows[0]], [layouts[r] for r in rows])
        with cpu_threads(threads, st.device):
            params = _stack([models[r] for r in rows])
            e = _errors(params, st, [tasks[r] for r in rows],
                        [np.random.default_rng([int(seeds[r]), 2]) for r in rows], num)
        for i, r in enumerate(rows):
            out[r] = MonteCarloEstimate(float(e[i].mean()), float(e[i].std(ddof=1) / math.sqrt(num)), num)
    return out


def squared_errors_many(models, task, layouts, rng, num_prompts: int, *, batch_size: int = 4096,
                        threads: int | None = 1) -> list:
    """Per-prompt squared errors ``(num_prompts,)`` (float64) of every GLA in ``models`` on the
    *same* prompts: ``num_prompts`` drawn from ``task`` with ``rng`` in batches of
    ``batch_size`` (each batch laid out per model by ``layouts``), as
    :func:`~wpgd_theory.gla.squared_errors` on :func:`~wpgd_theory.gla.prompt_tensors` of
    those batches computes them."""
    num = as_positive_int(num_prompts, "num_prompts", minimum=2)
    if len(models) != len(layouts):
        raise ValueError(f"models and layouts must have one entry per model, got lengths {len(models)}, "
                         f"{len(layouts)}")
    statics = [_statics(m, [_layout(m, task, lay, False, False, False)]) for m, lay in zip(models, layouts)]
    params = [_stack([m]) for m in models]
    out = [[] for _ in models]
    with cpu_threads(threads, models[0].device if models else "cpu"), torch.no_grad():
        for batch in _drawn_ahead(lambda B: _Pending([partial(task.sample, B, rng)], lambda b: b[0]), num,
                                  batch_size):
            products = {}  # the products form's data, once per device and dtype
            for j, (p, st) in enumerate(zip(params, statics)):
                if _wpgd_form(st.cfg):  # the products form on the same prompts
                    key = (str(st.device), st.dtype)
                    if key not in products:
                        X, y, x, yq = batch
                        yx = (X * y[:, :, None]).transpose(1, 2, 0)  # (n, d, B)
                        products[key] = tuple(torch.from_numpy(a).to(device=st.device, dtype=st.dtype)[None]
                                              for a in (yx, x.T, yq))
                    yx, xq, yq_t = products[key]
                    pred = _wpgd_predict(p, (yx, xq), st)
                else:
                    Z, yq_t = _tokens([batch], st)
                    pred = _predict(p, Z, st)
                out[j].append(((yq_t - pred) ** 2)[0].double().cpu().numpy())
    return [np.concatenate(e) for e in out]


def _groups(models, layouts):
    """Indices of runs that can share a stack: same configuration (in the products form, up
    to the chunk length, which it does not use), device and dtype, and the same layout unless
    the products form applies (it pads prompts of different lengths, :class:`_RunStatics`)."""
    groups = {}
    for i, (m, lay) in enumerate(zip(models, layouts)):
        cfg = m.config
        if _wpgd_form(cfg) and batchable(m):
            key = (cfg.replace(chunk_size=cfg.subchunk_size), None, str(m.device), m.dtype)
        else:
            key = (cfg, lay, str(m.device), m.dtype)
        groups.setdefault(key, []).append(i)
    return list(groups.values())


def _statics(model, layouts):
    """The statics of a stack: :class:`_RunStatics` in the products form, else :class:`_Statics`
    (one layout)."""
    return _RunStatics(model, layouts) if _wpgd_form(model.config) else _Statics(model, layouts[0])


# ----------------------------------------------------------------------------- training
def train_many(models, tasks, layouts, seeds, *, steps: int = 2000, batch_size: int = 256, lr: float = 1e-2,
               eval_prompts: int = 20000, check_every: int = 50, patience: int = 4, min_delta: float = 1e-3,
               lr_decay: float = 0.3, max_lr_reductions: int = 3, weight_decay: float = 0.0,
               gate_lr: float | None = None, threads: int | None = 1) -> list:
    r"""Train every ``models[i]`` (a :class:`GLA`, trained in place) on prompts of ``tasks[i]``
    laid out as ``layouts[i]`` with seed ``seeds[i]``, exactly as
    ``train(models[i], tasks[i], layout=layouts[i], seed=seeds[i], ...)`` would (same
    settings, same prompts, same plateau rule; :func:`~wpgd_theory.gla.train`), the runs of
    one configuration and layout as one stack (module docstring).  Returns one
    :class:`TrainResult` per run (``seconds``: the stack's wall-clock time)."""
    models, tasks, layouts, seeds = list(models), list(tasks), list(layouts), list(seeds)
    if not (len(models) == len(tasks) == len(layouts) == len(seeds)):
        raise ValueError(f"models, tasks, layouts and seeds must have one entry per run, got lengths "
                         f"{len(models)}, {len(tasks)}, {len(layouts)}, {len(seeds)}")
    for i, (m, t, lay) in enumerate(zip(models, tasks, layouts)):
        layouts[i] = _layout(m, t, lay, False, False, False)
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"seeds must be ints, got {type(s).__name__}")
    hyper = dict(steps=as_positive_int(steps, "steps"), batch_size=as_positive_int(batch_size, "batch_size"),
                 lr=as_scalar(lr, "lr", minimum=0.0, strict=True),
                 check_every=as_positive_int(check_every, "check_every"),
                 patience=as_positive_int(patience, "patience"),
                 min_delta=as_scalar(min_delta, "min_delta", minimum=0.0),
                 lr_decay=as_scalar(lr_decay, "lr_decay", minimum=0.0, strict=True),
                 max_lr_reductions=as_positive_int(max_lr_reductions, "max_lr_reductions", minimum=0),
                 weight_decay=as_scalar(weight_decay, "weight_decay", minimum=0.0),
                 gate_lr=lr if gate_lr is None else as_scalar(gate_lr, "gate_lr", minimum=0.0, strict=True))
    if hyper["lr_decay"] >= 1:
        raise ValueError(f"lr_decay must be < 1, got {hyper['lr_decay']}")
    eval_prompts = as_positive_int(eval_prompts, "eval_prompts", minimum=2)
    results = [None] * len(models)
    stacks = []
    for rows in _groups(models, layouts):
        if batchable(models[rows[0]]):
            stacks.append(rows)
            continue
        for r in rows:
            results[r] = train(models[r], tasks[r], layout=layouts[r], seed=int(seeds[r]), quiet=True,
                               eval_prompts=eval_prompts, threads=threads, **hyper)

    def one(rows, concurrent=False):
        _LOCAL.in_stack_thread = concurrent
        with _STACKS["lock"]:
            _STACKS["running"] += concurrent
        try:
            return _train_stack([models[r] for r in rows], [tasks[r] for r in rows], [layouts[r] for r in rows],
                                [int(seeds[r]) for r in rows], eval_prompts, **hyper)
        finally:
            with _STACKS["lock"]:
                _STACKS["running"] -= concurrent

    # the costliest stacks first (prompt length x runs), so that concurrent stacks end together
    stacks.sort(key=lambda rows: -sum(layouts[r].num_tokens * models[r].config.num_layers for r in rows))
    with cpu_threads(threads, models[stacks[0][0]].device if stacks else "cpu"):
        if STACK_THREADS > 1 and len(stacks) > 1:
            with ThreadPoolExecutor(min(STACK_THREADS, len(stacks)), thread_name_prefix="wpgd-stack") as pool:
                outs = list(pool.map(partial(one, concurrent=True), stacks))
        else:
            outs = [one(rows) for rows in stacks]
    for rows, out in zip(stacks, outs):
        for r, res in zip(rows, out):
            results[r] = res
    return results


def _train_stack(models, tasks, layouts, seeds, eval_prompts, *, steps, batch_size, lr, check_every, patience,
                 min_delta, lr_decay, max_lr_reductions, weight_decay, gate_lr):
    t0 = time.perf_counter()
    st = _statics(models[0], layouts)
    R = len(models)
    params = _stack(models)
    for t in params.values():
        t.requires_grad_(True)
    is_gate = {n: ".gate." in n for n in params}
    exp_avg = {n: torch.zeros_like(t) for n, t in params.items()}
    exp_avg_sq = {n: torch.zeros_like(t) for n, t in params.items()}
    beta1, beta2, eps = 0.9, 0.999, 1e-8  # torch.optim.Adam's defaults (the reference's optimiser)
    rate = {False: torch.full((R,), float(lr), dtype=torch.float64), True: torch.full((R,), float(gate_lr),
                                                                                       dtype=torch.float64)}
    rngs = [np.random.default_rng([s, 1]) for s in seeds]
    active = list(range(R))  # run index of every row of the stack
    losses = [[] for _ in range(R)]
    best, bad, reductions, stopped = [math.inf] * R, [0] * R, [0] * R, [False] * R
    draw, predict = _batches(st, tasks)
    pending = draw.start(batch_size, [rngs[r] for r in active], active)
    for step in range(steps):
        data, y = pending.result()
        if step + 1 < steps:  # the next step's prompts are drawn while this step computes
            pending = draw.start(batch_size, [rngs[r] for r in active], active)
        pred = predict(params, data, active)
        per_run = torch.mean((y - pred) ** 2, dim=1)
        grads = torch.autograd.grad(per_run.sum(), list(params.values()))
        t = step + 1
        bc1, bc2 = 1.0 - beta1 ** t, math.sqrt(1.0 - beta2 ** t)
        with torch.no_grad():
            for (n, p), g in zip(params.items(), grads):
                if weight_decay:
                    g = g.add(p, alpha=weight_decay)
                m, v = exp_avg[n], exp_avg_sq[n]
                m.lerp_(g, 1.0 - beta1)
                v.mul_(beta2).addcmul_(g, g, value=1.0 - beta2)
                size = (rate[is_gate[n]][active] / bc1).to(p).view(-1, *([1] * (p.ndim - 1)))  # p's device, dtype
                p.sub_((m / (v.sqrt() / bc2 + eps)) * size)
        values = per_run.detach().tolist()
        done = []
        for row, r in enumerate(active):
            losses[r].append(values[row])
            if t % check_every:
                continue
            window = float(np.mean(losses[r][-check_every:]))
            if not math.isfinite(window):
                raise FloatingPointError(f"training diverged at step {t} (loss {window}); lower lr")
            if window < best[r] * (1.0 - min_delta):
                best[r], bad[r] = window, 0
            else:
                bad[r] += 1
            if bad[r] >= patience:
                if reductions[r] >= max_lr_reductions:
                    stopped[r] = True
                    done.append(row)
                    continue
                reductions[r] += 1
                bad[r] = 0
                for group in rate.values():
                    group[r] *= lr_decay
        if done:
            keep = [row for row in range(len(active)) if row not in done]
            gone = torch.tensor(done, device=st.device)
            _unstack({n: p.detach().index_select(0, gone) for n, p in params.items()}, models,
                     [active[row] for row in done])
            if not keep:
                active = []
                break
            idx = torch.tensor(keep, device=st.device)
            if step + 1 < steps:  # the batch drawn ahead for the stack's rows: the kept runs' (a
                # stopped run's training stream is not read again, so its extra draw changes nothing)
                pending = _Ready(_select_rows(pending.result(), idx))
            params = {n: p.detach().index_select(0, idx).requires_grad_(True) for n, p in params.items()}
            exp_avg = {n: v.index_select(0, idx) for n, v in exp_avg.items()}
            exp_avg_sq = {n: v.index_select(0, idx) for n, v in exp_avg_sq.items()}
            active = [active[row] for row in keep]
    if active:
        _unstack({n: p.detach() for n, p in params.items()}, models, active)
    for m in models:
        m.eval()
    risks = evaluate_many(models, tasks, layouts, seeds, eval_prompts, threads=None)
    seconds = time.perf_counter() - t0
    return [TrainResult(risks[r], np.array(losses[r]), len(losses[r]), stopped[r], reductions[r], seconds, layouts[r])
            for r in range(R)]
