r"""Torch gated linear attention (THEORY.md §3) and its WPGD constructions (claims G1–G4).

The only part of :mod:`wpgd_theory` that imports torch.

* :class:`GLAConfig`, :class:`GLA` — the model (gating none/scalar/vector, three gate
  parameterisations, multi-head, multi-layer residual, write mask, CPU or CUDA).
* :func:`recurrent_gla`, :func:`chunked_gla`, :func:`attention_gla` — three
  implementations of one recurrence, tested equal.
* :func:`prompt_tensors`, :class:`PromptLayout` — multitask prompts as token tensors.
* :func:`construct_from_wpgd`, :func:`construct_taskwise` — exact constructions.
* :func:`train`, :func:`evaluate` — training on freshly sampled prompts.
"""

from .config import GLAConfig, resolve_device, resolve_dtype
from .construct import (
    construct_from_wpgd,
    construct_taskwise,
    gate_vector_from_weights,
    layer_gate_values,
    probe_wpgd,
    wpgd_parameters,
)
from .gates import Gate, gate_values
from .layer import attention_gla, chunked_gla, decay_matrix, log_gates_from_gates, recurrent_gla, rounding_bound
from .model import GLA, GLALayer
from .prompts import PromptLayout, Prompts, prompt_tensors
from .train import TrainResult, evaluate, squared_errors, train

__all__ = [
    "GLA",
    "GLAConfig",
    "GLALayer",
    "Gate",
    "PromptLayout",
    "Prompts",
    "TrainResult",
    "attention_gla",
    "chunked_gla",
    "construct_from_wpgd",
    "construct_taskwise",
    "decay_matrix",
    "evaluate",
    "gate_values",
    "gate_vector_from_weights",
    "layer_gate_values",
    "log_gates_from_gates",
    "probe_wpgd",
    "prompt_tensors",
    "recurrent_gla",
    "resolve_device",
    "resolve_dtype",
    "rounding_bound",
    "squared_errors",
    "train",
    "wpgd_parameters",
]
