"""pytest plugin of the mutation harness (``-p benchmarks.mutation.noshrink``).

Registers the hypothesis profile ``mutation``: the ``ci`` settings (bounded,
derandomised) without the *shrink* phase.  Shrinking a counterexample never changes
whether a test fails, only how small its reported counterexample is, and on a mutant it
can take minutes per failing property; the harness selects this profile through
``HYPOTHESIS_PROFILE=mutation`` (``tests/conftest.py`` loads the profile named there).
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

settings.register_profile(
    "mutation", max_examples=25, derandomize=True, database=None, deadline=None, print_blob=False,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
