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
    assert np.isclose(population_risk(model, c * P, omega / c), base, rtol=1e-9, atol=1e-12)


test_scaling_symmetry()  # pytest would collect it; here it runs directly
print("scaling symmetry held on 30 drawn models")
