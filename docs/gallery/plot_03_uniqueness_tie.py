"""
When the optimum is not unique: a tie
=====================================

Changing the noise of the three-root instance slightly makes the two outer roots give
*the same* least risk: two global minimisers that are not scalings of each other (the
uniqueness claim W5 needs an assumption).  :func:`wpgd_theory.landscape.solve` reports
``status = "not unique"`` instead of picking one.
"""

import numpy as np

from wpgd_theory.claims.optimum import counterexample_model
from wpgd_theory.landscape import profile_risk, solve

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
