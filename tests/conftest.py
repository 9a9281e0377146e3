"""Hypothesis profiles: ``ci`` (bounded, deterministic), ``dev``, ``thorough``; the
``slow`` and ``cuda`` markers; one torch thread in the torch test folders.

Select with ``HYPOTHESIS_PROFILE=ci|dev|thorough`` (``make test`` and CI use ``ci``).
"""

import os

import pytest
from hypothesis import HealthCheck, settings

_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=25, derandomize=True, database=None, print_blob=True, **_common)
settings.register_profile("dev", max_examples=60, **_common)
settings.register_profile("thorough", max_examples=1000, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_collection_modifyitems(config, items):
    """``slow`` tests run only with HYPOTHESIS_PROFILE=thorough; ``cuda`` tests only where a
    CUDA device is present (skipped cleanly otherwise; torch is imported only if one is
    collected)."""
    thorough = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
    cuda = None
    for item in items:
        if "slow" in item.keywords and not thorough:
            item.add_marker(pytest.mark.skip(reason="slow: runs with HYPOTHESIS_PROFILE=thorough"))
        if "cuda" in item.keywords:
            if cuda is None:
                import torch

                cuda = torch.cuda.is_available()
            if not cuda:
                item.add_marker(pytest.mark.skip(reason="needs a CUDA device"))


#: Test folders whose tests run torch on tiny tensors.
TORCH_FOLDERS = ("gla", "architectures")


@pytest.fixture(autouse=True)
def _one_torch_thread(request):
    """Tiny tensors: one torch thread is fastest and immune to CPU contention."""
    if request.path.parent.name not in TORCH_FOLDERS:
        yield
        return
    from wpgd_theory.gla.train import cpu_threads

    with cpu_threads(1, "cpu"):
        yield
