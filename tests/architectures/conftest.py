"""``slow`` tests run only with HYPOTHESIS_PROFILE=thorough; one torch thread for the tiny tensors."""

import os
from pathlib import Path

import pytest
import torch


def pytest_collection_modifyitems(config, items):
    thorough = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents and "slow" in item.keywords and not thorough:
            item.add_marker(pytest.mark.skip(reason="slow: runs with HYPOTHESIS_PROFILE=thorough"))


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
