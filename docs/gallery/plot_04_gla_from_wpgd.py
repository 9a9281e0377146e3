"""
Building a GLA from a WPGD and checking it (claims G1, G2)
==========================================================

A one-layer GLA with weights :math:`W_k, W_q, W_v` built from a preconditioner :math:`P`
and gates :math:`g` predicts exactly :math:`\\hat y = x^\\top P X^\\top(\\omega \\odot y)`
with :math:`\\omega_i = \\prod_{j>i} g_j` (G1); conversely, any monotone :math:`\\omega` in
:math:`[0, 1]` is reached by gates (G2).  Here the torch model is compared with the numpy
WPGD predictor on sampled prompts.
"""

import numpy as np
import torch

from wpgd_theory import MultitaskModel, gate_weights, wpgd_predict
from wpgd_theory.gla import PromptLayout, construct_from_wpgd, prompt_tensors

model = MultitaskModel.from_tasks([3, 3], np.eye(2), np.array([0.5, 0.8]), sigma=np.eye(3), noise=0.1)
layout = PromptLayout.for_model(model, task_features=True, delimiters=True, positional=True)
rng = np.random.default_rng(0)
P = rng.standard_normal((model.d, model.d))
gates = rng.uniform(0.5, 1.0, layout.num_tokens)
gla = construct_from_wpgd(P, gates, layout=layout)

prompts = prompt_tensors(model, 16, rng=rng, layout=layout, dtype=torch.float64)
with torch.no_grad():
    y_gla = gla(prompts.tokens, prompts.write_mask).numpy()
X, y, x, _ = prompts.batch
omega = layout.example_weights(gate_weights(gates))
y_wpgd = wpgd_predict(X, y, x, P, omega)
print("max |GLA − WPGD| =", np.max(np.abs(y_gla - y_wpgd)))
print("omega =", np.round(omega, 4))

# %%
# G2: start from monotone weights instead; the constructive inverse finds the gates.
omega = np.array([0.0, 0.1, 0.1, 0.4, 0.7, 1.0])
gla = construct_from_wpgd(P, omega=omega, layout=layout)
with torch.no_grad():
    y_gla = gla(prompts.tokens, prompts.write_mask).numpy()
print("max |GLA − WPGD| =", np.max(np.abs(y_gla - wpgd_predict(X, y, x, P, omega))))
