"""Packaging: one version source, the lock covers the metadata, LICENSE/CITATION/py.typed/__main__ exist."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import wpgd_theory

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
TORCH_PIN = "2.13.0"


def _lock() -> dict:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"requirements.lock: {line!r} is not an exact pin"
            pins[canonicalize_name(req.name)] = spec.version
    return pins


def test_lock_pins_every_dependency_of_the_metadata():
    pins = _lock()
    reqs = PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["dev"]
    missing = sorted({canonicalize_name(Requirement(r).name) for r in reqs} - set(pins))
    assert not missing, f"requirements.lock lacks {missing}: run `make lock` and commit requirements.lock"
    for r in map(Requirement, reqs):
        assert r.specifier.contains(pins[canonicalize_name(r.name)], prereleases=True), \
            f"requirements.lock pins {r.name}=={pins[canonicalize_name(r.name)]} outside {r} (run `make lock`)"


def test_torch_stays_at_the_cpu_pin_and_the_metadata_keeps_ranges():
    assert _lock()["torch"].split("+")[0] == TORCH_PIN
    assert f"torch=={TORCH_PIN}" in (ROOT / "constraints.txt").read_text(encoding="utf-8").split()
    for r in map(Requirement, PYPROJECT["project"]["dependencies"]):
        assert not any(s.operator in ("==", "===") for s in r.specifier), f"pyproject pins {r}: keep a range"


def test_one_version_source():
    version = PYPROJECT["project"]["version"]
    assert importlib.metadata.version("wpgd_theory") == version
    assert wpgd_theory.__version__ == version
    assert version not in (ROOT / "wpgd_theory" / "__init__.py").read_text(encoding="utf-8")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert str(cff["version"]) == version


def test_citation_cites_the_paper_and_the_software():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "software" and cff["license"] == "MIT"
    paper = cff["preferred-citation"]
    assert paper["title"].startswith("Gating is Weighting")
    assert paper["year"] == 2025 and paper["authors"][0]["family-names"] == "Li"
    assert any(i["value"] == "arXiv:2504.04308" for i in paper["identifiers"])


def test_license_and_typed_marker_and_metadata():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert PYPROJECT["project"]["license"] == "MIT"  # SPDX string, not the deprecated table
    assert (ROOT / "wpgd_theory" / "py.typed").exists()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["wpgd_theory"]
    meta = importlib.metadata.metadata("wpgd_theory")
    assert meta["Requires-Python"] == ">=3.11"
    assert "Typing :: Typed" in meta.get_all("Classifier")
    assert (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").startswith("# Changelog")


def test_python_dash_m_runs_the_command_line():
    proc = subprocess.run([sys.executable, "-m", "wpgd_theory", "--version"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert wpgd_theory.__version__ in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "wpgd_theory", "bogus"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
