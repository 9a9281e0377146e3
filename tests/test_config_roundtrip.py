"""Config ↔ Python API round trip for every field (issue 18, class 8).

For every document the config schema's generator draws, the model that ``parse_config``
builds must equal the one a user builds with the Python API from the same numbers, written
out here from the documented meaning of each field (how-to/config): ``sigma`` (``"identity"``
with ``d``, a number with ``d``, the diagonal as a list, or the full matrix), ``noise`` (the
noise *variance*, default 0), ``n`` (one task, ``r_task = 1``), ``sizes``/``rho``/``r_task``,
``R``/``r``; and the run defaults ``seed`` and ``suite`` (top level, also for a single model
given at the top level).  Inputs are compared exactly: they are data, not computed values.
"""

import numpy as np
from hypothesis import given, settings
from test_config_fuzz import documents

from wpgd_theory import MultitaskModel
from wpgd_theory.config import parse_config


def _sigma(spec):
    s = spec["sigma"]
    if s == "identity":
        return np.eye(spec["d"])
    if isinstance(s, (int, float)):
        return float(s) * np.eye(spec["d"])
    s = np.asarray(s, dtype=float)
    return np.diag(s) if s.ndim == 1 else s


def _by_hand(spec) -> MultitaskModel:
    sigma, noise = _sigma(spec), float(spec.get("noise", 0.0))
    if "n" in spec:
        return MultitaskModel.single_task(spec["n"], sigma=sigma, noise=noise)
    if "sizes" in spec:
        rho, r_task = np.asarray(spec["rho"], float), np.asarray(spec["r_task"], float)
        return MultitaskModel.from_tasks(spec["sizes"], rho, r_task, sigma=sigma, noise=noise)
    return MultitaskModel(sigma, np.asarray(spec["R"], float), np.asarray(spec["r"], float), noise)


def _same(a: MultitaskModel, b: MultitaskModel) -> None:
    np.testing.assert_array_equal(a.sigma, b.sigma)
    assert a.noise == b.noise
    assert a.is_multitask == b.is_multitask
    np.testing.assert_array_equal(a.r, b.r)
    np.testing.assert_array_equal(a.R, b.R)
    if a.is_multitask:
        np.testing.assert_array_equal(a.sizes, b.sizes)
        np.testing.assert_array_equal(a.rho, b.rho)
        np.testing.assert_array_equal(a.r_task, b.r_task)


@given(documents())
@settings(max_examples=60, deadline=None)
def test_every_field_means_what_the_docs_say(doc):
    cfg = parse_config(doc, "roundtrip.json")
    specs = doc["model"] if "model" in doc else [dict(doc)]
    assert len(cfg.models) == len(specs)
    for spec, (name, model) in zip(specs, cfg.models.items()):
        if "name" in spec:
            assert name == spec["name"]
        _same(model, _by_hand(spec))
    assert cfg.seed == doc.get("seed")
    assert cfg.suite == doc.get("suite")
