"""
Trained attention reaches the predicted optima (claim T1)
=========================================================

The paper's headline experiment, at a size that runs in seconds: linear attention, a
scalar-gated GLA and a multi-head GLA are trained with Adam on fresh prompts of a
two-task model, for a few prompt lengths :math:`n`, and their held-out risk (± one
standard error) is compared with the optimum of the WPGD weight class each can realise:

* linear attention — uniform weights :math:`\\omega \\propto \\mathbb 1`;
* scalar GLA — monotone weights (claim G2);
* multi-head GLA with context gates — every task-wise :math:`\\omega` (claim G3).

The optima are computed, not trained: :func:`wpgd_theory.convex.solve_constrained`.
``wpgd-verify run`` checks the same claim at larger sizes (T1).
"""

import matplotlib.pyplot as plt
import numpy as np
import torch

from wpgd_theory import MultitaskModel, solve_constrained
from wpgd_theory.gla import GLA, GLAConfig, PromptLayout, train

# Three independent tasks; the query's task is most like the *middle* segment's, so the best
# weights are not monotone in the position and only the multi-head GLA can realise them.
rho, r_task = np.eye(3), np.array([0.2, 0.9, 0.1])
classes = {  # label: (weight class of its optimum, GLA configuration)
    "linear attention": ("uniform", dict(gating="none")),
    "scalar GLA": ("monotone", dict(gating="scalar", gate_input="context")),
    "multi-head GLA": ("taskwise", dict(gating="scalar", gate_input="context", shared_qk=True, num_heads=3)),
}

rows = []
for m in (2, 4):
    model = MultitaskModel.from_tasks([m, m, m], rho, r_task, sigma=np.eye(2), noise=0.5)
    layout = PromptLayout.for_model(model, task_features=True, delimiters=True)
    for label, (cone, kw) in classes.items():
        cfg = GLAConfig(d=model.d, num_context=layout.num_context, structure="wpgd", init_scale=0.3,
                        chunk_size=layout.num_tokens, dtype=torch.float32, **kw)
        result = train(GLA(cfg, seed=0), model, layout=layout, steps=200, batch_size=256, lr=0.03,
                       gate_lr=0.1, check_every=25, patience=3, eval_prompts=8000, seed=0, quiet=True)
        predicted = solve_constrained(model, cone).risk
        rows.append((model.n, label, result.risk.mean, result.risk.std_error, predicted))
        print(f"n = {model.n:2d}  {label:16s} trained {result.risk.mean:.4f} ± {result.risk.std_error:.4f}"
              f"   optimum ({cone}) {predicted:.4f}")

# %%
# Trained risk (markers, ± 1 SE) against the optimum of each class (lines).
fig, ax = plt.subplots(figsize=(6.4, 4.2))
for k, label in enumerate(classes):
    ns = [r[0] for r in rows if r[1] == label]
    ax.plot(ns, [r[4] for r in rows if r[1] == label], ls=["-", "--", ":"][k], color=f"C{k}",
            label=f"optimum: {label}")
    ax.errorbar(ns, [r[2] for r in rows if r[1] == label], yerr=[r[3] for r in rows if r[1] == label],
                ls="none", marker="os^"[k], mfc="white", color=f"C{k}", capsize=3, label=f"trained: {label}")
ax.set_xlabel("number of in-context examples n")
ax.set_ylabel("risk")
ax.set_title("Trained risk vs the predicted optima (T1)")
ax.legend(fontsize=8)
plt.show()
