"""
Building a GLA from a WPGD and checking it (claims G1, G2)
==========================================================

A one-layer GLA with weights :math:`W_k, W_q, W_v` built from a preconditioner :math:`P`
and gates :math:`g` predicts exactly :math:`\\hat y = x^\\top P X^\\top(\\omega \\odot y)`
with :math:`\\omega_i = \\prod_{j>i} g_j` (G1); conversely, any monotone :math:`\\omega` in
:math:`[0, 1]` is reached by gates (G2).  Here the torch model is compared with the numpy
WPGD predictor on sampled prompts.
"""

import matplotlib.pyplot as plt
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
gla_g1, y_g1, omega_g1 = gla, y_gla, omega

# %%
# G2: start from monotone weights instead; the constructive inverse finds the gates.
omega = np.array([0.0, 0.1, 0.1, 0.4, 0.7, 1.0])
gla = construct_from_wpgd(P, omega=omega, layout=layout)
with torch.no_grad():
    y_gla = gla(prompts.tokens, prompts.write_mask).numpy()
print("max |GLA − WPGD| =", np.max(np.abs(y_gla - wpgd_predict(X, y, x, P, omega))))
y_g2 = y_gla

# %%
# The two predictors side by side: every prompt's GLA output lies on the diagonal (G1, G2),
# and the weights the gates induce are nondecreasing towards the query (the monotone cone).
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.6, 3.8))
lim = [min(y_wpgd.min(), y_g1.min()), max(y_wpgd.max(), y_g1.max())]
ax1.plot(lim, lim, color="0.6", lw=0.8, label="GLA = WPGD")
ax1.plot(y_wpgd, y_g1, "o", mfc="white", label="random gates (G1)")
ax1.plot(wpgd_predict(X, y, x, P, omega), y_g2, "x", label="gates from a monotone ω (G2)")
ax1.set_xlabel(r"WPGD prediction $x^\top P X^\top(\omega\odot y)$ (numpy)")
ax1.set_ylabel("GLA output (torch)")
ax1.legend(fontsize="small")
idx = np.arange(1, len(omega) + 1)
ax2.step(idx, omega_g1, where="mid", label=r"$\omega$ from random gates")
ax2.step(idx, omega, where="mid", ls="--", label=r"prescribed monotone $\omega$")
ax2.set_xlabel("example index i")
ax2.set_ylabel(r"$\omega_i = \prod_{j>i} g_j$")
ax2.set_ylim(-0.05, 1.05)
ax2.legend(fontsize="small")
fig.subplots_adjust(wspace=0.3, left=0.08, right=0.98, bottom=0.14)
plt.show()
