"""Markers for the GLA tests: ``slow`` runs only with HYPOTHESIS_PROFILE=thorough,
``cuda`` only where a CUDA device is present (skipped cleanly otherwise)."""

import os
from pathlib import Path

import pytest
import torch


def pytest_collection_modifyitems(config, items):
    thorough = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
    cuda = torch.cuda.is_available()
    here = Path(__file__).resolve().parent
    for item in items:
        if here not in Path(str(item.fspath)).resolve().parents:
            continue
        if "slow" in item.keywords and not thorough:
            item.add_marker(pytest.mark.skip(reason="slow: runs with HYPOTHESIS_PROFILE=thorough"))
        if "cuda" in item.keywords and not cuda:
            item.add_marker(pytest.mark.skip(reason="needs a CUDA device"))


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny tensors: one torch thread is fastest and immune to CPU contention."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
