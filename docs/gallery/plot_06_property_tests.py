"""
Property-based tests of your own code with ``wpgd_theory.strategies``
=====================================================================

The strategies that drive the property-based checks build *valid* objects of the theory
(covariances over several decades, correlation matrices, monotone weights, whole
models), so they can drive tests of your code too.  Here a property of the theory —
the scaling symmetry :math:`L(cP, \\omega/c) = L(P, \\omega)` (claim W2) — is tested on
drawn models, exactly as one would in a pytest file; the profiles ``ci``/``dev``/
``thorough`` of the project's ``tests/conftest.py`` show how to bound the number of
examples (``HYPOTHESIS_PROFILE=ci``).
"""

import matplotlib.pyplot as plt
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wpgd_theory import population_risk
from wpgd_theory.strategies import multitask_models, preconditioners, weights


@settings(max_examples=30, deadline=None, derandomize=True)
@given(data=st.data(), c=st.floats(1e-2, 1e2))
def test_scaling_symmetry(data, c):
    model = data.draw(multitask_models(max_d=3, max_tasks=3, max_size=4))
    P = data.draw(preconditioners(model.d))
    omega = data.draw(weights(model.n))
    base = population_risk(model, P, omega)
    scaled = population_risk(model, c * P, omega / c)
    drawn.append((c, abs(scaled - base) / max(abs(base), 1e-300), model.d))
    assert np.isclose(scaled, base, rtol=1e-9, atol=1e-12)


drawn = []  # (c, relative difference, d) of every example hypothesis drew


test_scaling_symmetry()  # pytest would collect it; here it runs directly
print("scaling symmetry held on 30 drawn models")

# %%
# Every drawn example: the relative difference between the two sides stays at rounding level
# (far below the test's tolerance 1e-9) over four decades of the scale ``c``.
c, rel, d = (np.array(v) for v in zip(*drawn))
fig, ax = plt.subplots(figsize=(6.4, 3.8))
floor = np.finfo(float).eps / 16  # an exact zero drawn at the bottom
for dim in sorted(set(d)):
    sel = d == dim
    ax.plot(c[sel], np.maximum(rel[sel], floor), "o", mfc="white", label=f"d = {dim}")
ax.axhline(1e-9, color="C3", ls="--", label="tolerance 1e-9")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("scale c")
ax.set_ylabel(r"$|L(cP, \omega/c) - L(P, \omega)| \,/\, |L(P, \omega)|$")
ax.legend(fontsize="small", ncols=2)
plt.show()
