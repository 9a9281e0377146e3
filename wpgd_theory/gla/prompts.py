r"""Multitask prompts (THEORY.md §1) as GLA token tensors.

A prompt with ``n`` examples in ``K`` segments becomes ``T`` tokens, the query last:

    example ``z_i = [x_i; y_i; c_i]``,  query ``z_{n+1} = [x; 0; c_q]``,
    delimiter (optional, between segments ``k−1`` and ``k``) ``[0; 0; c_δ]``.

Context coordinates ``c`` (in this order, each optional):

* ``task_features``: one-hot task id ``e_{k(i)} ∈ R^K`` (a delimiter carries the id of
  the segment it opens; the query carries zeros: its task is none of the segments);
* ``delimiters``: one flag coordinate, 1 on delimiter tokens;
* ``positional``: one-hot token position ``e_t ∈ R^T`` (lets deterministic gates take
  arbitrary per-position values; used by :func:`~wpgd_theory.gla.construct_from_wpgd`).

Why delimiters: gates read one token at a time, and a one-hot task id does not say
which token *opens* a segment.  With one-hot ids alone, a scalar gate per task gives
weights ``ω_i ∝ f(k(i))^{(tokens after i in its segment)}``, which are constant on a
segment only if ``f = 1`` there, so no step between segments is possible (see
:func:`~wpgd_theory.gla.construct_taskwise`); a delimiter token is where the step happens.

``Prompts.write_mask`` is all ones: the query's ``m_{n+1} = 0`` is a property of the
model (``GLAConfig.write_mask``), so that the masked and unmasked models of claim G4 run
on the same tokens.  Delimiters have ``x = 0, y = 0``; under the WPGD-structured
weights they write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..model import MultitaskModel, PromptBatch
from .config import resolve_device, resolve_dtype

__all__ = ["PromptLayout", "Prompts", "prompt_tensors"]


@dataclass(frozen=True)
class PromptLayout:
    r"""Where every token and coordinate lives.

    ``kinds[t] ∈ {"example", "delimiter", "query"}``; ``example_positions`` maps example
    ``i`` (0-based) to its token index; ``segment_of_token[t]`` is the task id of an
    example or the segment a delimiter opens (``-1`` for the query).  Build it with
    ``PromptLayout.for_model(model, task_features=..., delimiters=..., positional=...)``.

    Parameters
    ----------
    d : int
        The feature dimension.
    n : int
        The number of examples.
    num_tasks : int
        The number ``K`` of task segments.
    sizes : tuple of int
        The segments' sizes.
    task_features : bool
        Whether tokens carry the one-hot task id.
    delimiters : bool
        Whether a delimiter token opens every segment after the first.
    positional : bool
        Whether tokens carry a one-hot position.
    kinds : tuple of str
        ``"example"``, ``"delimiter"`` or ``"query"`` per token.
    segment_of_token : tuple of int
        The segment of every token (``-1`` for the query).

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0, 1.0], noise=0.1)
    >>> layout = PromptLayout.for_model(model, task_features=True, delimiters=True)
    >>> layout.kinds
    ('example', 'example', 'delimiter', 'example', 'query')
    >>> layout.num_tokens, layout.num_context  # num_context = K task features + 1 delimiter flag
    (5, 3)
    """

    d: int
    n: int
    num_tasks: int
    sizes: tuple
    task_features: bool
    delimiters: bool
    positional: bool
    kinds: tuple
    segment_of_token: tuple

    # ------------------------------------------------------------------ builders
    @classmethod
    def for_model(cls, model, *, task_features: bool = False, delimiters: bool = False,
                  positional: bool = False) -> PromptLayout:
        if not isinstance(model, MultitaskModel):
            raise TypeError(f"model must be a MultitaskModel, got {type(model).__name__}")
        for name, flag in (("task_features", task_features), ("delimiters", delimiters),
                           ("positional", positional)):
            if not isinstance(flag, bool):
                raise TypeError(f"{name} must be a bool, got {type(flag).__name__}")
        if model.is_multitask:
            sizes = tuple(int(s) for s in model.sizes)
        else:
            if task_features or delimiters:
                raise ValueError("task_features and delimiters need a multitask model (MultitaskModel.from_tasks); "
                                 "this model has a general R without segments")
            sizes = (model.n,)
        kinds, seg = [], []
        for k, size in enumerate(sizes):
            if k > 0 and delimiters:
                kinds.append("delimiter")
                seg.append(k)
            kinds.extend(["example"] * size)
            seg.extend([k] * size)
        kinds.append("query")
        seg.append(-1)
        return cls(model.d, model.n, len(sizes), sizes, task_features, delimiters, positional,
                   tuple(kinds), tuple(seg))

    # ------------------------------------------------------------------ derived
    @property
    def num_tokens(self) -> int:
        return len(self.kinds)

    @property
    def example_positions(self) -> np.ndarray:
        return np.array([t for t, kd in enumerate(self.kinds) if kd == "example"], dtype=np.int64)

    @property
    def delimiter_positions(self) -> np.ndarray:
        return np.array([t for t, kd in enumerate(self.kinds) if kd == "delimiter"], dtype=np.int64)

    @property
    def query_position(self) -> int:
        return self.num_tokens - 1

    @property
    def task_slice(self) -> slice:
        """Token coordinates of the one-hot task id (empty without task features)."""
        start = self.d + 1
        return slice(start, start + (self.num_tasks if self.task_features else 0))

    @property
    def delimiter_coordinate(self) -> int | None:
        return self.task_slice.stop if self.delimiters else None

    @property
    def position_slice(self) -> slice:
        start = self.task_slice.stop + (1 if self.delimiters else 0)
        return slice(start, start + (self.num_tokens if self.positional else 0))

    @property
    def num_context(self) -> int:
        return self.position_slice.stop - (self.d + 1)

    @property
    def d_model(self) -> int:
        return self.d + 1 + self.num_context

    def context_matrix(self) -> np.ndarray:
        """The ``(T, p)`` context coordinates of every token (the same for every prompt)."""
        T, p = self.num_tokens, self.num_context
        c = np.zeros((T, p))
        off = self.d + 1
        for t, (kd, k) in enumerate(zip(self.kinds, self.segment_of_token)):
            if self.task_features and kd != "query":
                c[t, self.task_slice.start - off + k] = 1.0
            if self.delimiters and kd == "delimiter":
                c[t, self.delimiter_coordinate - off] = 1.0
            if self.positional:
                c[t, self.position_slice.start - off + t] = 1.0
        return c

    def write_mask(self) -> np.ndarray:
        """Per-token write multipliers: all ones (the query's mask is ``GLAConfig.write_mask``)."""
        return np.ones(self.num_tokens)

    def token_gates(self, example_gates=None, *, query_gate=1.0, delimiter_gate=1.0) -> np.ndarray:
        """Token-level gates from per-example gates (``(n,)``), a query gate and a delimiter gate."""
        g = np.full(self.num_tokens, float(delimiter_gate))
        g[self.example_positions] = 1.0 if example_gates is None else example_gates
        g[self.query_position] = query_gate
        return g

    def example_weights(self, token_weights) -> np.ndarray:
        """Restrict token-level one-layer weights ``(T−1,)`` to the examples ``(n,)``."""
        return np.asarray(token_weights)[..., self.example_positions]

    def example_weight_matrix(self, token_matrix) -> np.ndarray:
        """Restrict a causal token weight matrix ``(T, T−1)`` to rows examples+query, columns examples."""
        rows = np.append(self.example_positions, self.query_position)
        return np.asarray(token_matrix)[..., rows[:, None], self.example_positions[None, :]]


@dataclass
class Prompts:
    """Token tensors of a batch of prompts.

    ``tokens (B, T, d+1+p)``, ``write_mask (T,)``, ``targets (B,)`` (the query labels),
    ``batch`` the numpy :class:`~wpgd_theory.model.PromptBatch` they came from, and the
    ``layout``.

    Parameters
    ----------
    tokens : torch.Tensor, shape (B, T, d+1+p)
        The tokens ``[x_i; y_i; c_i]``, the query ``[x; 0; c_q]`` last.
    write_mask : torch.Tensor, shape (T,)
        All ones (the query's mask is the model's, ``GLAConfig.write_mask``).
    targets : torch.Tensor, shape (B,)
        The query labels.
    batch : PromptBatch
        The prompts as numpy arrays.
    layout : PromptLayout
        Where every token and coordinate lives.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0, 1.0], noise=0.1)
    >>> prompts = prompt_tensors(model, 4, rng=np.random.default_rng(0))
    >>> isinstance(prompts, Prompts), tuple(prompts.tokens.shape), tuple(prompts.targets.shape)
    (True, (4, 4, 3), (4,))
    """

    tokens: torch.Tensor
    write_mask: torch.Tensor
    targets: torch.Tensor
    batch: PromptBatch
    layout: PromptLayout


def prompt_tensors(model, batch, *, rng=None, layout: PromptLayout | None = None, task_features: bool = False,
                   delimiters: bool = False, positional: bool = False, device="cpu",
                   dtype=torch.float64) -> Prompts:
    r"""Token tensors for ``batch`` (a :class:`PromptBatch`, or a number of prompts drawn
    with ``rng``) on ``device`` in ``dtype``.

    Either pass a ``layout`` or the flags ``task_features``, ``delimiters``,
    ``positional`` (see the module docstring).

    Parameters
    ----------
    model : MultitaskModel
        The prompt model.
    batch : PromptBatch or int
        Prompts (``model.sample(...)``), or how many to draw with ``rng``.
    rng : numpy.random.Generator, optional
        Needed when ``batch`` is a number.
    layout : PromptLayout, optional
        The token layout (default: built from the flags).
    task_features, delimiters, positional : bool, optional
        The layout's flags when no ``layout`` is given.
    device : str or torch.device, optional
        Where the tensors live.
    dtype : torch.dtype or str, optional
        Their precision.

    Returns
    -------
    Prompts
        ``tokens`` of shape ``(B, T, d+1+p)``, ``write_mask`` ``(T,)``, ``targets`` ``(B,)``.

    Raises
    ------
    TypeError
        If ``layout`` is not a PromptLayout, or ``batch`` is a number without ``rng``.
    ValueError
        If the layout or the batch does not match the model's ``n`` and ``d``.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory import MultitaskModel
    >>> model = MultitaskModel.from_tasks([2, 1], rho=np.eye(2), r_task=[0.5, 0.5], sigma=[1.0, 1.0], noise=0.1)
    >>> prompts = prompt_tensors(model, 4, rng=np.random.default_rng(0), positional=True)
    >>> tuple(prompts.tokens.shape)  # T = n + 1 tokens of d + 1 + T coordinates
    (4, 4, 7)
    >>> bool(np.allclose(prompts.tokens[:, -1, :2].numpy(), prompts.batch.x))  # the query is last
    True
    """
    if layout is None:
        layout = PromptLayout.for_model(model, task_features=task_features, delimiters=delimiters,
                                        positional=positional)
    elif not isinstance(layout, PromptLayout):
        raise TypeError(f"layout must be a PromptLayout or None, got {type(layout).__name__}")
    elif layout.n != model.n or layout.d != model.d:
        raise ValueError(f"layout is for n={layout.n}, d={layout.d} but the model has n={model.n}, d={model.d}")
    if not isinstance(batch, PromptBatch):
        if rng is None:
            raise TypeError("batch must be a PromptBatch (model.sample(...)), or a number of prompts with rng=")
        batch = model.sample(batch, rng)
    device = resolve_device(device)
    dtype = resolve_dtype(dtype)
    X, y, x, yq = batch
    B = X.shape[0]
    if X.shape[1:] != (layout.n, layout.d):
        raise ValueError(f"batch has X of shape {X.shape}, expected (B, {layout.n}, {layout.d})")
    T, d = layout.num_tokens, layout.d
    Z = np.zeros((B, T, layout.d_model))
    ex = layout.example_positions
    Z[:, ex, :d] = X
    Z[:, ex, d] = y
    Z[:, -1, :d] = x
    Z[:, :, d + 1:] = layout.context_matrix()[None]
    as_t = lambda a: torch.as_tensor(a, dtype=dtype).to(device)  # noqa: E731
    return Prompts(as_t(Z), as_t(layout.write_mask()), as_t(yq), batch, layout)
