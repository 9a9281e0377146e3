"""
When the optimum is not unique: a tie
=====================================

Changing the noise of the three-root instance slightly makes the two outer roots give
*the same* least risk: two global minimisers that are not scalings of each other (the
uniqueness claim W5 needs an assumption).  :func:`wpgd_theory.landscape.solve` reports
``status = "not unique"`` instead of picking one.
"""

import matplotlib.pyplot as plt
import numpy as np

from wpgd_theory.claims.optimum import counterexample_model
from wpgd_theory.landscape import profile_risk, solve, stationary_curve

model = counterexample_model("tie")
sol = solve(model)
print("status:", sol.status)
print("roots:", sol.roots)
print("risks at the roots:", sol.root_risks)

# %%
# The two outer roots are distinct stationary points (different :math:`\\mu`) with equal risk.
gap = abs(sol.root_risks[0] - sol.root_risks[-1])
print(f"|L(root 1) − L(root 3)| = {gap:.2e} (relative {gap / abs(sol.root_risks[0]):.1e})")
print("profile risk of uniform weights (linear attention):", profile_risk(model, np.ones(model.n)))

# %%
# The profile risk along the stationary curve :math:`\\omega(\\mu)`: its two lowest points
# (the outer roots) are at the same height, and the two minimising weight vectors differ.
curve = stationary_curve(model)
mu = np.geomspace(min(sol.roots) / 2, max(sol.roots) * 2, 1500)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.6, 3.8))
ax1.plot(mu, curve.risk(mu), label=r"profile risk $L(\omega(\mu))$")
ax1.plot(sol.roots, sol.root_risks, "o", mfc="white", label="stationary points (roots of W4)")
ax1.axhline(min(sol.root_risks), color="0.4", lw=0.8, ls=":", label="least risk (attained twice)")
ax1.set_xscale("log")
ax1.minorticks_off()
ax1.set_xticks([round(r, 1) for r in sol.roots], [f"{r:.3g}" for r in sol.roots])
ax1.set_xlabel(r"$\mu$")
ax1.set_ylabel("risk")
ax1.legend(fontsize="small")
# the weights are constant on each task's examples: one value per task (``ω = E u``)
tasks = np.arange(1, model.num_tasks + 1)
for k, root in enumerate((sol.roots[0], sol.roots[-1])):
    u = curve.task_weights(root)
    ax2.bar(tasks + (k - 0.5) * 0.38, u / np.linalg.norm(u), width=0.36, hatch=("", "//")[k],
            label=f"root {1 if k == 0 else len(sol.roots)} (μ = {root:.3g})")
ax2.set_yscale("log")
ax2.set_xticks(tasks)
ax2.set_xlabel("task")
ax2.set_ylabel(r"task weight $u_k$ (unit norm)")
ax2.set_title("two global minimisers, not multiples of each other", fontsize="medium")
ax2.legend(fontsize="small")
fig.subplots_adjust(wspace=0.35, left=0.09, right=0.98)
plt.show()
