"""
The W4 equation and an instance with three roots
================================================

Every stationary point of the profile risk lies on the curve
:math:`\\omega(\\mu) \\propto (R + (1+\\mu) I)^{-1} r` at a root of the scalar equation
:math:`F(\\mu) = \\mu - \\tau h(t(\\mu)) = 0` in :math:`[\\tau/\\lambda_{\\max}, \\tau/\\lambda_{\\min}]`
(claim W4).  Usually there is one root; the uniqueness study found instances with three.
:func:`wpgd_theory.landscape.stationary_curve` evaluates :math:`F` and the risk along the
curve; :func:`wpgd_theory.landscape.solve` isolates the roots with a certificate.
"""

import matplotlib.pyplot as plt
import numpy as np

from wpgd_theory.claims.optimum import counterexample_model
from wpgd_theory.landscape import solve, stationary_curve

model = counterexample_model("three-roots")
sol = solve(model)
print("roots:", sol.roots)
print("risk at each root:", sol.root_risks)
print("status:", sol.status, "— global root", sol.mu)

# %%
# :math:`F(\\mu)` on a log grid around the roots, and the profile risk along the curve.
curve = stationary_curve(model)
mu = np.geomspace(min(sol.roots) / 3, max(sol.roots) * 3, 2000)
fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(6.4, 5.2))
ax1.plot(mu, curve.F(mu), label=r"$F(\mu)$")
ax1.axhline(0, color="0.3", lw=0.8)
ax1.plot(sol.roots, np.zeros(len(sol.roots)), "o", mfc="white", label="roots (solve)")
ax1.set_yscale("symlog", linthresh=1e-2)
ax1.set_yticks([-10, -1, -0.1, 0, 0.1, 1, 10, 100])
ax2.plot(mu, curve.risk(mu), ls="--", label=r"profile risk $L(\omega(\mu))$")
ax2.plot(sol.roots, sol.root_risks, "o", mfc="white")
ax1.set_xscale("log")
for ax in (ax1, ax2):
    ax.minorticks_off()
ax2.set_xlabel(r"$\mu$")
ax1.legend()
ax2.legend()
plt.show()
