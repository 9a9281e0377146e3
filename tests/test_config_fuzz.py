"""Property-based fuzzing of the configuration loader and the command line (issue 10).

Documents are drawn from the configuration format (every drawn document is checked
against ``wpgd_theory/config.schema.json`` first, so the generator and the schema cannot
drift apart), then mutated in type, value or structure.  ``wpgd-verify solve`` (and ``run
--config`` with a stand-in check) runs in-process on each: the outcome must be exit 0 with
finite, strict JSON, or exit 2 with one line on stderr naming the file (and the mutated
field, for a type mutation) — never a traceback, never exit 1, within a time bound.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import re
import time

import jsonschema
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpgd_theory import cli
from wpgd_theory.claims import runner
from wpgd_theory.claims.core import Check, compare
from wpgd_theory.claims.statements import CLAIMS
from wpgd_theory.config import ConfigError, config_schema, load_config, parse_config
from wpgd_theory.report import figures

VALIDATOR = jsonschema.Draft202012Validator(config_schema())
#: Seconds one command may take on a fuzzed document (they take milliseconds; CI is loaded).
TIME_BOUND_S = 20.0
EXAMPLES = settings.default.max_examples * 2

finite = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0.05, max_value=20.0, allow_nan=False, allow_infinity=False)
names = st.from_regex(r"[A-Za-z0-9_.\-]{1,12}", fullmatch=True)


@st.composite
def unit_rows(draw, count):
    """``count`` unit vectors (rows) plus a unit query: their Gram matrix is a valid ``C``."""
    m = draw(st.integers(1, 3))
    rows = []
    for _ in range(count + 1):
        v = np.array(draw(st.lists(finite, min_size=m, max_size=m)))
        norm = float(np.linalg.norm(v))
        v = np.eye(m)[0] if norm < 1e-3 else v / norm
        rows.append(v)
    V = np.array(rows)
    C = V @ V.T
    np.fill_diagonal(C, 1.0)
    return C


@st.composite
def sigmas(draw):
    kind = draw(st.sampled_from(["identity", "scalar", "diag", "full"]))
    d = draw(st.integers(1, 5))
    if kind == "identity":
        return {"sigma": "identity", "d": d}
    if kind == "scalar":
        return {"sigma": draw(positive), "d": d}
    if kind == "diag":
        return {"sigma": draw(st.lists(positive, min_size=d, max_size=d))}
    A = np.array(draw(st.lists(finite, min_size=d * d, max_size=d * d))).reshape(d, d)
    S = A @ A.T + draw(positive) * np.eye(d)
    return {"sigma": ((S + S.T) / 2).tolist()}


@st.composite
def models(draw):
    spec = draw(sigmas())
    if draw(st.booleans()):
        spec["noise"] = draw(st.floats(0.0, 2.0))
    form = draw(st.sampled_from(["n", "tasks", "general"]))
    if form == "n":
        spec["n"] = draw(st.integers(1, 40))
    elif form == "tasks":
        K = draw(st.integers(1, 4))
        C = draw(unit_rows(K))
        spec.update(sizes=draw(st.lists(st.integers(1, 12), min_size=K, max_size=K)),
                    rho=C[:K, :K].tolist(), r_task=C[:K, K].tolist())
    else:
        n = draw(st.integers(1, 6))
        C = draw(unit_rows(n))
        spec.update(R=C[:n, :n].tolist(), r=C[:n, n].tolist())
    return spec


@st.composite
def documents(draw):
    if draw(st.booleans()):
        doc = draw(models())  # one model at the top level
    else:
        ms = draw(st.lists(models(), min_size=1, max_size=3))
        used = draw(st.lists(names, min_size=len(ms), max_size=len(ms), unique=True))
        doc = {"model": [dict(m, name=nm) for m, nm in zip(ms, used)]}
    if draw(st.booleans()):
        doc["seed"] = draw(st.integers(0, 2**63 - 1))
    if draw(st.booleans()):
        doc["suite"] = draw(st.sampled_from(["quick", "default", "thorough"]))
    VALIDATOR.validate(doc)  # the generator draws from the schema's language
    return doc


# ----------------------------------------------------------------------------- mutations
def _paths(value, path=()):
    """Every (path, value) inside a document, containers included."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, path + (i,))


def _set(doc, path, value):
    if not path:
        return value
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def _field_of(path):
    keys = [p for p in path if isinstance(p, str)]
    return keys[-1] if keys else None


WRONG_TYPES = st.one_of(
    st.booleans(), st.none(), st.text(max_size=8), st.just("identity\n"), st.just({}), st.just([]),
    st.just([[]]), st.just({"a": 1}), st.just([True]), st.just(["1"]), st.floats(allow_nan=True, allow_infinity=True),
)
EXTREME_VALUES = st.one_of(
    st.sampled_from([0, -1, 1, 2**31, 2**62, 2**63, 2**64, 10**400, -(10**400), 0.0, -0.0, 1e-320, 1e-300, 1e300,
                     1e308, -1e308, 5e8]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
)


DEEP = "__deeply_nested__"


def _extreme(doc) -> bool:
    """A valid document with a number of magnitude below 1e-150 or above 1e150 (e.g. r =
    5e-324): ``landscape.solve`` may refuse it (one line, exit 2) rather than solve it."""
    return any(isinstance(v, float) and v != 0 and not 1e-150 < abs(v) < 1e150 for _, v in _paths(doc))


@st.composite
def mutated(draw):
    doc = draw(documents())
    kind = draw(st.sampled_from(["none", "type", "value", "value", "structure"]))
    paths = [p for p, _ in _paths(doc)]
    path = draw(st.sampled_from(paths))
    field = _field_of(path)
    doc = copy.deepcopy(doc)
    if kind == "type" and path:
        doc = _set(doc, path, draw(WRONG_TYPES))
    elif kind == "value" and path:
        doc = _set(doc, path, draw(EXTREME_VALUES))
    elif kind == "structure":
        op = draw(st.sampled_from(["drop", "unknown", "wrap", "nest", "duplicate", "empty"]))
        container = doc
        for key in path[:-1]:
            container = container[key]
        if op == "drop" and path:
            del container[path[-1]]
        elif op == "unknown":
            target = doc if not isinstance(container, dict) else container
            if isinstance(target, dict):
                target[draw(st.sampled_from(["sigmaa", "noise ", "Sizes", "model2", "x" * 300]))] = 1
        elif op == "wrap" and path:
            container[path[-1]] = [container[path[-1]]]
        elif op == "nest":  # spliced into the text below (hypothesis cannot print deep values)
            depth = draw(st.integers(3, 3000))
            doc = _set(doc, path, DEEP) if path else {"model": DEEP}
        elif op == "duplicate" and "model" in doc and isinstance(doc["model"], list):
            doc["model"].append(copy.deepcopy(doc["model"][0]))
        elif op == "empty":
            doc = _set(doc, path, type(container[path[-1]])() if path and isinstance(
                container[path[-1]], (list, dict, str)) else [])
    text = json.dumps(doc)  # NaN/Infinity tokens included: the loader must refuse them
    if DEEP in text:
        text = text.replace(f'"{DEEP}"', "[" * depth + "1.0" + "]" * depth)
    return kind, field, text


# ----------------------------------------------------------------------------- the properties
def _invoke(argv):
    out, err = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - t0


def _strict(constant):
    raise AssertionError(f"non-finite number {constant} in JSON output")


def _check_outcome(code, out, err, seconds, path, kind, field):
    assert "Traceback" not in err, err
    assert seconds < TIME_BOUND_S, f"took {seconds:.1f} s"
    assert code in (0, 2), (code, err)
    if code == 2:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("wpgd-verify: error: "), err
        assert str(path) in lines[0], lines[0]
        assert len(lines[0]) < 2000, "the error quotes only an excerpt"
        if kind == "type" and field is not None and field in {"sigma", "noise", "n", "sizes", "rho", "r_task", "R",
                                                               "r", "seed", "suite", "name", "d"}:
            related = {field} | ({"d"} if field == "sigma" else set()) | ({"sigma"} if field == "d" else set())
            message = lines[0].split(str(path), 1)[1]
            assert any(re.search(rf"\b{r}\b", message) for r in related) or "task structure" in message, (
                field, lines[0])
    return code


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                        HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_solve_on_fuzzed_configs_is_finite_or_one_line(tmp_path_factory, case):
    kind, field, text = case
    path = tmp_path_factory.mktemp("fuzz") / "cfg.json"
    path.write_text(text)
    code, out, err, seconds = _invoke(["solve", path, "--json"])
    if _check_outcome(code, out, err, seconds, path, kind, field) == 0:
        data = json.loads(out, parse_constant=_strict)
        for sol in data["models"].values():
            assert isinstance(sol["risk"], float) and math.isfinite(sol["risk"])
            assert all(isinstance(note["reason"], str) for note in sol["nonfinite"])
    if kind == "none":  # every document of the format is solved; at extreme scales it may be refused
        assert code == 0 or _extreme(json.loads(text)), err


def _ok(ctx):
    return compare(1.0, 1.0, rtol=1e-12, what="stand-in", models=sorted(ctx.models))


@settings(max_examples=max(5, settings.default.max_examples // 3),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_run_with_fuzzed_config_is_exit_0_or_one_line(tmp_path_factory, monkeypatch, case):
    monkeypatch.setattr(figures, "COMPUTED_FIGURES", ())
    claims = []
    for c in CLAIMS:
        cc = copy.copy(c)
        cc.checks = [Check(c.id, "stand-in", "numeric", ("quick", "default", "thorough"), _ok)] if c.id == "W1" else []
        claims.append(cc)
    monkeypatch.setattr(runner, "registry", lambda: copy.deepcopy(claims))
    kind, field, text = case
    base = tmp_path_factory.mktemp("fuzzrun")
    path = base / "cfg.json"
    path.write_text(text)
    code, out, err, seconds = _invoke(["run", "--config", path, "--only", "W1", "--out", base / "out", "--quiet"])
    if _check_outcome(code, out, err, seconds, path, kind, field) == 0:
        assert (base / "out" / "report.json").exists()
    if kind == "none":
        assert code == 0, err


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                        HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_load_config_raises_only_config_errors(tmp_path_factory, case):
    _, _, text = case
    path = tmp_path_factory.mktemp("fuzzload") / "fuzz.json"
    path.write_text(text)
    try:
        cfg = load_config(path)
    except ConfigError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(path))
        return
    for model in cfg.models.values():
        assert np.all(np.isfinite(model.sigma)) and math.isfinite(model.tau)


@pytest.mark.parametrize("doc", [
    {"model": [{"name": "a", "sigma": [1.0], "n": 2}], "extra": 1},
    {"sigma": [1.0], "n": 2, "d": 1},
    {"sigma": "identity", "n": 2},
    {"sigma": [1.0], "n": 2, "sizes": [1], "rho": [[1.0]], "r_task": [0.5]},
    {"model": [{"sigma": [1.0], "n": 2}]},
])
def test_schema_rejects_what_the_loader_rejects(doc):
    assert not VALIDATOR.is_valid(doc)
    with pytest.raises(ConfigError):
        parse_config(doc, "x.json")
