"""Configuration files (``--config``, ``solve``): valid forms load, every invalid one is a
:class:`ConfigError` naming the file and the field."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from wpgd_theory import config
from wpgd_theory.config import ConfigError, load_config, parse_config
from wpgd_theory.model import MultitaskModel

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


def _write(tmp_path, text, suffix=".toml", name="cfg"):
    p = tmp_path / f"{name}{suffix}"
    p.write_text(text, encoding="utf-8")
    return p


def test_documented_examples_load():
    cfg = load_config(EXAMPLES / "models.toml")
    assert cfg.seed == 7 and cfg.suite == "quick"
    assert list(cfg.models) == ["two-tasks-anisotropic", "single-task", "ar1-time-series"]
    m = cfg.models["two-tasks-anisotropic"]
    assert isinstance(m, MultitaskModel) and m.is_multitask and m.sizes.tolist() == [6, 4]
    np.testing.assert_allclose(np.diag(m.sigma), [2.0, 1.0, 0.5])
    assert m.noise == 0.1
    assert cfg.models["single-task"].d == 4 and cfg.models["single-task"].n == 8
    assert not cfg.models["ar1-time-series"].is_multitask
    js = load_config(EXAMPLES / "model.json")
    assert js.seed == 3 and js.suite is None
    np.testing.assert_allclose(js.models["three-tasks"].sigma, np.eye(3))
    assert set(cfg.describe()) == set(cfg.models)


def test_sigma_forms(tmp_path):
    base = 'name = "m"\nn = 3\n'
    for sigma, expected in [("[1.0, 2.0]", np.diag([1.0, 2.0])), ("[[2.0, 0.5], [0.5, 1.0]]", [[2, 0.5], [0.5, 1]]),
                            ('"identity"\nd = 2', np.eye(2)), ("3.0\nd = 2", 3 * np.eye(2))]:
        cfg = load_config(_write(tmp_path, base + f"sigma = {sigma}\n"))
        np.testing.assert_allclose(cfg.models["m"].sigma, expected)


def test_single_model_at_top_level_takes_file_stem(tmp_path):
    p = _write(tmp_path, json.dumps({"sigma": [1.0], "n": 4, "noise": 0.0, "seed": 2}), ".json", name="solo")
    cfg = load_config(p)
    assert list(cfg.models) == ["solo"] and cfg.seed == 2


GOOD_MODEL = 'name = "x"\nsigma = [1.0, 2.0]\n'

BAD = [
    # (file text, suffix, substrings the one-line message must contain)
    ('[[model]]\nname = "x"\nn = 3\n', ".toml", ["missing required field 'sigma'"]),
    ('[[model]]\nsigma = [1.0]\nn = 3\n', ".toml", ["model[0]", "missing required field 'name'"]),
    ('[[model]]\n' + GOOD_MODEL + 'sizes = [2, 2]\nrho = [[1, 0], [0, 1]]\n', ".toml",
     ["missing required field 'r_task'"]),
    ('[[model]]\n' + GOOD_MODEL + 'sizes = [2, 2]\nrho = [[1, 0.9], [0.9, 1]]\nr_task = [1.0, -1.0]\n', ".toml",
     ["'x'", "positive semidefinite"]),
    ('[[model]]\nname = "x"\nsigma = [[1.0, 2.0], [2.0, 1.0]]\nn = 3\n', ".toml", ["sigma must be positive definite"]),
    ('[[model]]\nname = "x"\nsigma = [[1.0, 0.5], [0.0, 1.0]]\nn = 3\n', ".toml", ["sigma must be symmetric"]),
    ('[[model]]\nname = "x"\nsigma = [1.0]\nR = [[1.0, 0.2], [0.2, 1.1]]\nr = [0.1, 0.1]\n', ".toml",
     ["unit diagonal"]),
    ('[[model]\nname = "x"\n', ".toml", ["invalid TOML"]),
    ('name = "x" sigma\n', ".toml", ["invalid TOML", "line 1"]),
    ('{"model": [ {"name": "x",} ]}', ".json", ["invalid JSON", "line 1"]),
    ('[[model]]\nname = "x"\nsigma = "abc"\nn = 3\n', ".toml", ["field 'sigma'", "'abc'"]),
    ('[[model]]\n' + GOOD_MODEL + 'n = 3\nnoise = "loud"\n', ".toml", ["field 'noise'", "string"]),
    ('[[model]]\n' + GOOD_MODEL + 'n = 3\nnoise = -0.1\n', ".toml", ["field 'noise'", ">= 0"]),
    ('[[model]]\n' + GOOD_MODEL + 'n = 2.5\n', ".toml", ["field 'n'", "integer"]),
    ('[[model]]\n' + GOOD_MODEL + 'sizes = [1.5]\nrho = [[1.0]]\nr_task = [1.0]\n', ".toml", ["field 'sizes'"]),
    ('[[model]]\n' + GOOD_MODEL + 'sizes = [2]\nrho = [["a"]]\nr_task = [1.0]\n', ".toml",
     ["field 'rho'[0][0]", "expected a number"]),
    ('[[model]]\nname = "x"\nsigma = [true, 1.0]\nn = 2\n', ".toml", ["field 'sigma'[0]", "boolean"]),
    ('[[model]]\nname = "x"\nsigma = [[1.0, 0.0], [0.0]]\nn = 2\n', ".toml", ["rectangular"]),
    ('[[model]]\nname = "x"\nsigam = [1.0]\nn = 2\n', ".toml", ["unknown field 'sigam'", "did you mean 'sigma'"]),
    ('[[models]]\nname = "x"\nsigma = [1.0]\nn = 2\n', ".toml", ["unknown top-level key 'models'", "'model'"]),
    ('[[model]]\n' + GOOD_MODEL + 'n = 3\nR = [[1.0]]\nr = [0.5]\n', ".toml", ["exactly one task structure"]),
    ('[[model]]\nname = "x"\nsigma = [1.0]\nd = 1\nn = 2\n', ".toml", ["field 'd' is only allowed"]),
    ('[[model]]\nname = "x"\nsigma = "identity"\nn = 2\n', ".toml", ["field 'd' is required"]),
    ('[[model]]\nname = "x"\nsigma = -1.0\nd = 2\nn = 2\n', ".toml", ["must be > 0"]),
    ('{"model": [{"name": "x", "sigma": [NaN], "n": 2}]}', ".json", ["finite"]),
    ('{"model": [{"name": "x", "sigma": [1.0], "n": 2}, {"name": "x", "sigma": [1.0], "n": 3}]}', ".json",
     ["duplicate model name 'x'"]),
    ('{"model": [{"name": "a b", "sigma": [1.0], "n": 2}]}', ".json", ["field 'name'"]),
    ('seed = -1\n[[model]]\n' + GOOD_MODEL + 'n = 2\n', ".toml", ["field 'seed'"]),
    ('suite = "fast"\n[[model]]\n' + GOOD_MODEL + 'n = 2\n', ".toml", ["field 'suite'", "quick"]),
    ('seed = 1\n', ".toml", ["no models"]),
    ('{"model": []}', ".json", ["non-empty"]),
    ('[1, 2]', ".json", ["top level"]),
    ('[[model]]\n' + GOOD_MODEL + 'n = 2\n', ".yaml", ["unsupported file type"]),
    # a key given twice: JSON readers keep the last silently, so it is refused (issue 24)
    ('{"name": "x", "sigma": [1.0], "n": 2, "n": 3}', ".json", ["duplicate key 'n'", "at the top level"]),
    ('{"model": [{"name": "x", "sigma": [1.0], "noise": 0.1, "n": 2, "noise": 0.5}]}', ".json",
     ["duplicate key 'noise'", "in model[0]"]),
    ('{"model": [{"name": "x", "sigma": [1.0], "n": 2}, {"name": "y", "sigma": [1.0], "n": 2, '
     '"more": {"a": 1, "a": 2}}]}', ".json", ["duplicate key 'a'", "in model[1].more"]),
    ('{"seed": 1, "model": [{"name": "x", "sigma": [1.0], "n": 2}], "seed": 2}', ".json",
     ["duplicate key 'seed'", "at the top level"]),
    # ... and TOML refuses it itself (the message adds the key)
    ('name = "x"\nsigma = [1.0]\nn = 2\nn = 3\n', ".toml", ["invalid TOML", "line 4", "'n'"]),
    ('[[model]]\n' + GOOD_MODEL + 'n = 2\nnoise = 0.1\nnoise = 0.2\n', ".toml", ["invalid TOML", "line 6", "'noise'"]),
    ('seed = 1\n[extra]\na = 1\n[extra]\nb = 2\n', ".toml", ["invalid TOML", "line 4", "extra"]),
    # a scalar sigma that is not finite: the message is about sigma, with or without d (issue 24)
    ('name = "x"\nsigma = nan\nn = 2\n', ".toml", ["field 'sigma'", "finite", "got nan"]),
    ('name = "x"\nsigma = inf\nn = 2\n', ".toml", ["field 'sigma'", "finite", "got inf"]),
    ('name = "x"\nsigma = -inf\nd = 2\nn = 2\n', ".toml", ["field 'sigma'", "finite", "got -inf"]),
    ('{"name": "x", "sigma": NaN, "n": 2}', ".json", ["field 'sigma'", "finite", "got nan"]),
    ('{"name": "x", "sigma": Infinity, "d": 2, "n": 2}', ".json", ["field 'sigma'", "finite", "got inf"]),
]


@pytest.mark.parametrize("text,suffix,needles", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_config_names_file_and_field(tmp_path, text, suffix, needles):
    p = _write(tmp_path, text, suffix)
    with pytest.raises(ConfigError) as info:
        load_config(p)
    msg = str(info.value)
    assert str(p) in msg, msg
    assert "\n" not in msg, "the message must be one line"
    for needle in needles:
        assert needle in msg, f"{needle!r} not in {msg!r}"
    assert isinstance(info.value, ValueError)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.toml")
    d = tmp_path / "dir.toml"
    d.mkdir()
    with pytest.raises(ConfigError, match="directory"):
        load_config(d)


def test_not_utf8(tmp_path):
    p = tmp_path / "bin.toml"
    p.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ConfigError, match="UTF-8"):
        load_config(p)


def test_parse_config_from_dict_matches_file_semantics():
    cfg = parse_config({"model": {"name": "m", "sigma": [1.0, 1.0], "sizes": [3, 2], "rho": [[1, 0.2], [0.2, 1]],
                                  "r_task": [0.5, 0.7], "noise": 0.3}}, "inline")
    m = cfg.models["m"]
    assert m.n == 5 and m.num_tasks == 2 and m.noise == 0.3


@pytest.mark.parametrize("sigma", ["nan", "inf", "-inf"])
def test_a_non_finite_scalar_sigma_is_not_reported_as_a_missing_d(tmp_path, sigma):
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, f'name = "x"\nsigma = {sigma}\nn = 2\n'))
    assert "field 'd'" not in str(info.value) and "field 'sigma'" in str(info.value)


def test_json_without_duplicates_still_loads_with_the_same_values(tmp_path):
    """The duplicate check does not change what a valid file means."""
    text = '{"seed": 4, "model": [{"name": "x", "sigma": [2.0, 1.0], "noise": 0.25, "n": 3}]}'
    cfg = load_config(_write(tmp_path, text, ".json"))
    assert cfg.seed == 4 and cfg.models["x"].n == 3
    np.testing.assert_allclose(np.diag(cfg.models["x"].sigma), [2.0, 1.0])
    assert cfg.models["x"].noise == pytest.approx(0.25)


def test_a_model_over_either_size_limit_is_refused():
    """The size limits are refused one at a time: over the memory limit only (a task model of
    5e7 examples: O(n) arrays, no large eigendecomposition) and over the time limit only (Σ of
    d = 6000: about 1 GiB but minutes of eigendecomposition)."""
    from wpgd_theory.config import estimate_resources

    memory_only = {"name": "m", "sigma": [1.0], "sizes": [50_000_000], "rho": [[1.0]], "r_task": [1.0]}
    time_only = {"name": "t", "sigma": "identity", "d": 6000, "n": 1}
    mem, secs = estimate_resources(1, 50_000_000, 1)
    assert mem > config.MAX_MEMORY_BYTES and secs < config.MAX_SETUP_SECONDS
    mem, secs = estimate_resources(6000, 1, 1)
    assert mem < config.MAX_MEMORY_BYTES and secs > config.MAX_SETUP_SECONDS
    for spec in (memory_only, time_only):
        with pytest.raises(ConfigError, match="model too large"):
            parse_config({"model": [spec]}, "big.json")
