r"""Training a GLA on freshly sampled prompts (claims T1, T2).

:func:`train` minimises the in-context squared error ``E(y − ŷ)²`` with Adam on a new
batch of prompts every step (an unbiased stochastic gradient of the population risk,
so no over-fitting to a fixed data set), with

* deterministic seeds: prompts come from ``numpy.random.default_rng([seed, 1])``, the
  held-out evaluation prompts from the independent stream ``[seed, 2]``; parameter
  initialisation is the GLA's own (``GLA(config, seed=...)``);
* plateau handling: every ``check_every`` steps the mean training loss of the window is
  compared with the best window so far; after ``patience`` windows without a relative
  improvement of ``min_delta`` the learning rate is multiplied by ``lr_decay``, and after
  ``max_lr_reductions`` such reductions a further plateau stops training early;
* a tqdm progress bar (off when ``quiet`` or when stderr is not a terminal);
* the final population risk estimated on held-out prompts with its standard error
  (:func:`evaluate`).
"""

from __future__ import annotations

import math
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm.auto import tqdm

from .._validation import as_positive_int, as_scalar
from ..landscape import MonteCarloEstimate
from ..model import MultitaskModel
from .model import GLA
from .prompts import PromptLayout, Prompts, prompt_tensors

__all__ = ["train", "evaluate", "squared_errors", "TrainResult", "cpu_threads"]


@dataclass
class TrainResult:
    """Outcome of :func:`train`: held-out ``risk`` (a :class:`MonteCarloEstimate`),
    per-step training ``losses``, ``steps`` run, whether it ``stopped_early``, the
    learning-rate reductions made, wall-clock ``seconds``.

    Parameters
    ----------
    risk : MonteCarloEstimate
        The held-out risk ``E(y − ŷ)²`` with its standard error.
    losses : ndarray, shape (steps,)
        The training loss of every step.
    steps : int
        The steps run.
    stopped_early : bool
        Whether the plateau criterion stopped it.
    lr_reductions : int
        The learning-rate reductions made.
    seconds : float
        Wall-clock time.
    layout : PromptLayout, optional
        The prompt layout it trained on.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0, 1.0], noise=0.1)
    >>> import torch
    >>> from wpgd_theory.gla import GLA, GLAConfig
    >>> res = train(GLA(GLAConfig(d=2, dtype=torch.float64), seed=0), model, steps=3, batch_size=8,
    ...             eval_prompts=100, quiet=True)
    >>> isinstance(res, TrainResult), res.steps, res.losses.shape
    (True, 3, (3,))
    """

    risk: MonteCarloEstimate
    losses: np.ndarray
    steps: int
    stopped_early: bool
    lr_reductions: int
    seconds: float
    layout: PromptLayout = field(repr=False, default=None)


def _layout(gla, task, layout, task_features, delimiters, positional):
    if not isinstance(gla, GLA):
        raise TypeError(f"model must be a GLA, got {type(gla).__name__}")
    if not isinstance(task, MultitaskModel):
        raise TypeError(f"task must be a MultitaskModel, got {type(task).__name__}")
    if layout is None:
        layout = PromptLayout.for_model(task, task_features=task_features, delimiters=delimiters,
                                        positional=positional)
    elif not isinstance(layout, PromptLayout):
        raise TypeError(f"layout must be a PromptLayout or None, got {type(layout).__name__}")
    cfg = gla.config
    if layout.d != cfg.d or layout.num_context != cfg.num_context:
        raise ValueError(f"the GLA expects d={cfg.d}, num_context={cfg.num_context} but the prompt layout has "
                         f"d={layout.d}, num_context={layout.num_context} (check task_features/delimiters)")
    return layout


@contextmanager
def cpu_threads(threads, device):
    """Temporarily set torch's CPU thread count (``None``: leave it).  The models here are
    tiny, so one thread avoids thread-pool overhead and, on a busy machine, contention
    that can make a multi-threaded step tens of times slower."""
    if threads is None or torch.device(device).type != "cpu":
        yield
        return
    threads = as_positive_int(threads, "threads")
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def squared_errors(gla: GLA, prompts: Prompts) -> torch.Tensor:
    """Per-prompt squared errors ``(y − ŷ)²`` (no gradient), shape ``(B,)``.

    Parameters
    ----------
    gla : GLA
        The model.
    prompts : Prompts
        Token tensors of a batch (:func:`~wpgd_theory.gla.prompt_tensors`).

    Returns
    -------
    torch.Tensor, shape (B,)
        ``(y_b − ŷ_b)²`` per prompt.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0, 1.0], noise=0.1)
    >>> from wpgd_theory.gla import PromptLayout, construct_from_wpgd, prompt_tensors
    >>> layout = PromptLayout.for_model(model, positional=True)
    >>> P, gates = np.array([[1.0, 0.2], [0.0, 0.5]]), np.array([0.9, 0.8, 0.7, 1.0])
    >>> gla = construct_from_wpgd(P, gates, layout=layout)
    >>> prompts = prompt_tensors(model, 5, rng=np.random.default_rng(0), layout=layout)
    >>> tuple(squared_errors(gla, prompts).shape)
    (5,)
    """
    with torch.no_grad():
        pred = gla(prompts.tokens, prompts.write_mask)
        return (prompts.targets.to(pred) - pred) ** 2


def evaluate(gla: GLA, task: MultitaskModel, num_prompts: int = 20000, *, rng=None, seed: int = 0,
             layout: PromptLayout | None = None, task_features: bool = False, delimiters: bool = False,
             positional: bool = False, batch_size: int = 4096, threads: int | None = 1) -> MonteCarloEstimate:
    r"""Monte Carlo population risk ``E(y − ŷ)²`` on ``num_prompts`` fresh prompts, with its
    standard error; ``rng`` (a numpy Generator) or ``seed`` fixes the prompts.  ``threads``
    as in :func:`cpu_threads`.

    Parameters
    ----------
    gla : GLA
        The model.
    task : MultitaskModel
        The prompt model.
    num_prompts : int, optional
        Fresh prompts to average over.
    rng : numpy.random.Generator, optional
        The source of the prompts (else ``seed``).
    seed : int, optional
        The prompts' seed when no ``rng`` is given.
    layout : PromptLayout, optional
        The token layout (default: from the flags).
    task_features, delimiters, positional : bool, optional
        The layout's flags when no ``layout`` is given.
    batch_size : int, optional
        Prompts per forward pass.
    threads : int, optional
        torch CPU threads while evaluating (None: unchanged).

    Returns
    -------
    MonteCarloEstimate
        The mean squared error and its standard error.

    Examples
    --------
    A GLA built from a WPGD has that WPGD's risk (claims G1, W1):

    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0, 1.0], noise=0.1)
    >>> from wpgd_theory.gla import PromptLayout, construct_from_wpgd, prompt_tensors
    >>> layout = PromptLayout.for_model(model, positional=True)
    >>> P, gates = np.array([[1.0, 0.2], [0.0, 0.5]]), np.array([0.9, 0.8, 0.7, 1.0])
    >>> gla = construct_from_wpgd(P, gates, layout=layout)
    >>> from wpgd_theory import gate_weights, population_risk
    >>> est = evaluate(gla, model, 4000, seed=0, layout=layout)
    >>> bool(abs(est.z_score(population_risk(model, P, gate_weights(gates)))) < 5)
    True
    """
    layout = _layout(gla, task, layout, task_features, delimiters, positional)
    with cpu_threads(threads, gla.device):
        return _evaluate(gla, task, num_prompts, rng, seed, layout, batch_size)


def _evaluate(gla, task, num_prompts, rng, seed, layout, batch_size):
    num = as_positive_int(num_prompts, "num_prompts", minimum=2)
    rng = np.random.default_rng([seed, 2]) if rng is None else rng
    errs = []
    done = 0
    while done < num:
        B = min(batch_size, num - done)
        pr = prompt_tensors(task, B, rng=rng, layout=layout, device=gla.device, dtype=gla.dtype)
        errs.append(squared_errors(gla, pr).double().cpu().numpy())
        done += B
    e = np.concatenate(errs)
    return MonteCarloEstimate(float(e.mean()), float(e.std(ddof=1) / math.sqrt(num)), num)


def train(model: GLA, task: MultitaskModel, *, steps: int = 2000, batch_size: int = 256, lr: float = 1e-2,
          seed: int = 0, layout: PromptLayout | None = None, task_features: bool = False,
          delimiters: bool = False, positional: bool = False, eval_prompts: int = 20000,
          check_every: int = 50, patience: int = 4, min_delta: float = 1e-3, lr_decay: float = 0.3,
          max_lr_reductions: int = 3, weight_decay: float = 0.0, gate_lr: float | None = None,
          threads: int | None = 1,
          quiet: bool = False, desc: str = "train GLA") -> TrainResult:
    r"""Train ``model`` (a :class:`GLA`) on prompts from ``task`` (a :class:`MultitaskModel`).

    Minimises ``mean_b (y_b − ŷ_b)²`` over fresh batches of ``batch_size`` prompts with
    Adam (``lr``), at most ``steps`` steps, plateau-driven learning-rate decay and early
    stopping (module docstring); returns a :class:`TrainResult` with the held-out risk on
    ``eval_prompts`` prompts.  The prompt layout (context features, delimiters) must
    match the model's ``num_context``.  ``threads``: torch CPU threads used while
    training (:func:`cpu_threads`).

    Parameters
    ----------
    model : GLA
        The model, trained in place.
    task : MultitaskModel
        The prompt model.
    steps : int, optional
        The most optimisation steps.
    batch_size : int, optional
        Fresh prompts per step.
    lr : float, optional
        Adam's learning rate.
    seed : int, optional
        The seed of the training prompts (the held-out prompts use another).
    layout : PromptLayout, optional
        The token layout (default: from the flags).
    task_features, delimiters, positional : bool, optional
        The layout's flags when no ``layout`` is given.
    eval_prompts : int, optional
        Held-out prompts of the final risk.
    check_every : int, optional
        Steps between plateau checks.
    patience : int, optional
        Checks without improvement before the learning rate is reduced.
    min_delta : float, optional
        The relative improvement that counts.
    lr_decay : float, optional
        The factor of a reduction (< 1).
    max_lr_reductions : int, optional
        Reductions before training stops early.
    weight_decay : float, optional
        Adam's weight decay.
    gate_lr : float, optional
        A learning rate of its own for the gate parameters.
    threads : int, optional
        torch CPU threads while training (None: unchanged).
    quiet : bool, optional
        No progress bar.
    desc : str, optional
        The progress bar's label.

    Returns
    -------
    TrainResult
        The held-out risk, the losses and how training ended.

    Raises
    ------
    TypeError
        If ``model`` is not a GLA, ``task`` not a MultitaskModel or ``seed`` not an int.
    ValueError
        If the layout does not match the model, or ``lr_decay`` is not below 1.
    FloatingPointError
        If the loss diverges (lower ``lr``).

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0, 1.0], noise=0.1)
    >>> import torch
    >>> from wpgd_theory.gla import GLA, GLAConfig
    >>> res = train(GLA(GLAConfig(d=2, dtype=torch.float64), seed=0), model, steps=20, batch_size=16,
    ...             eval_prompts=200, quiet=True)
    >>> res.steps, bool(np.isfinite(res.risk.mean))
    (20, True)
    """
    layout = _layout(model, task, layout, task_features, delimiters, positional)
    with cpu_threads(threads, model.device):
        return _train(model, task, steps, batch_size, lr, seed, layout, task_features, delimiters, positional,
                      eval_prompts, check_every, patience, min_delta, lr_decay, max_lr_reductions, weight_decay,
                      gate_lr, quiet, desc)


def _train(model, task, steps, batch_size, lr, seed, layout, task_features, delimiters, positional, eval_prompts,
           check_every, patience, min_delta, lr_decay, max_lr_reductions, weight_decay, gate_lr, quiet, desc):
    layout = _layout(model, task, layout, task_features, delimiters, positional)
    steps = as_positive_int(steps, "steps")
    batch_size = as_positive_int(batch_size, "batch_size")
    lr = as_scalar(lr, "lr", minimum=0.0, strict=True)
    check_every = as_positive_int(check_every, "check_every")
    patience = as_positive_int(patience, "patience")
    min_delta = as_scalar(min_delta, "min_delta", minimum=0.0)
    lr_decay = as_scalar(lr_decay, "lr_decay", minimum=0.0, strict=True)
    if lr_decay >= 1:
        raise ValueError(f"lr_decay must be < 1, got {lr_decay}")
    max_lr_reductions = as_positive_int(max_lr_reductions, "max_lr_reductions", minimum=0)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    rng = np.random.default_rng([int(seed), 1])
    gate_params = [p for name, p in model.named_parameters() if ".gate." in name]
    other = [p for name, p in model.named_parameters() if ".gate." not in name]
    groups = [{"params": other, "lr": lr}]
    if gate_params:
        g_lr = lr if gate_lr is None else as_scalar(gate_lr, "gate_lr", minimum=0.0, strict=True)
        groups.append({"params": gate_params, "lr": g_lr})
    opt = torch.optim.Adam(groups, weight_decay=weight_decay)
    t0 = time.perf_counter()
    losses = []
    best, bad, reductions, stopped = math.inf, 0, 0, False
    disable = quiet or not sys.stderr.isatty()
    model.train()
    with tqdm(total=steps, desc=desc, disable=disable, leave=False) as bar:
        for step in range(steps):
            pr = prompt_tensors(task, batch_size, rng=rng, layout=layout, device=model.device, dtype=model.dtype)
            pred = model(pr.tokens, pr.write_mask)
            loss = torch.mean((pr.targets - pred) ** 2)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
            bar.update(1)
            if (step + 1) % check_every == 0:
                window = float(np.mean(losses[-check_every:]))
                bar.set_postfix(loss=f"{window:.4g}", lr=f"{opt.param_groups[0]['lr']:.2g}")
                if not math.isfinite(window):
                    raise FloatingPointError(f"training diverged at step {step + 1} (loss {window}); lower lr")
                if window < best * (1.0 - min_delta):
                    best, bad = window, 0
                else:
                    bad += 1
                if bad >= patience:
                    if reductions >= max_lr_reductions:
                        stopped = True
                        break
                    reductions += 1
                    bad = 0
                    for group in opt.param_groups:
                        group["lr"] *= lr_decay
    model.eval()
    risk = _evaluate(model, task, eval_prompts, None, int(seed), layout, 4096)
    return TrainResult(risk, np.array(losses), len(losses), stopped, reductions, time.perf_counter() - t0, layout)
