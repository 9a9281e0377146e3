"""README and docs agree with the package (issue 20, item 6): the Python version, the
BibTeX block against ``CITATION.cff``, durations generated from the benchmark results rather
than typed, and the screenshot made by a script."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _docs_module(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_page_asks_for_the_python_the_package_needs():
    needs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    version = needs.removeprefix(">=")
    pages = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "docs" / "how-to").glob("*.md")]
    stated = {(p.name, v) for p in pages for v in re.findall(r"Python ≥ (\d+\.\d+)", p.read_text(encoding="utf-8"))}
    assert stated, "no page states the Python version"
    assert {v for _, v in stated} == {version}, sorted(stated)


def test_readme_bibtex_matches_the_citation_file():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    paper = cff["preferred-citation"]
    block = re.search(r"```bibtex\n(.*?)```", README, re.S)
    assert block, "README has no BibTeX block"
    entry = re.search(r"@misc\{[^,]+,(.*?)\n\}", block.group(1), re.S).group(1)
    fields = dict(re.findall(r"(\w+)\s*=\s*\{(.*)\},?\n", entry + "\n"))
    assert fields["title"] == paper["title"] and fields["year"] == str(paper["year"])
    assert f"arXiv:{fields['eprint']}" in [i["value"] for i in paper["identifiers"]]
    authors = [a.strip() for a in fields["author"].split(" and ")]
    assert authors == [f"{a['family-names']}, {a['given-names']}" for a in paper["authors"]]
    software = re.search(r"@software\{[^,]+,(.*?)\n\}", block.group(1), re.S).group(1)
    assert f"version = {{{cff['version']}}}" in software and cff["license"] in software


def test_durations_are_generated_from_the_benchmark_results(tmp_path):
    timings = _docs_module("_timings")
    fake = {"suites": {"quick": {"workers_1_s": 27.4}, "default": {"workers_1_s": 199.0, "workers_2_s": 100.0}},
            "machine": {"cpus": 2, "python": "3.11.7", "platform": "Linux"}}
    subs = timings.substitutions(fake)
    assert subs["quick_time"] == "27 s" and subs["default_time"] == "3 min 19 s"
    assert subs["thorough_time"] == "not measured" and "2 CPUs" in subs["timings_machine"]
    table = timings.suite_table(fake)
    assert "| `default` | 3 min 19 s | 1 min 40 s | 1.99× |" in table
    # the pages quote the substitutions, never a typed duration of a suite
    started = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    assert "{{ default_time }}" in started and not re.search(r"SUITE=\w+`\s*\(about \d", started)
    perf = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    assert "_generated/suite-times.md" in perf and not re.search(r"\| `quick` \| \d", perf)


def test_readme_screenshot_is_made_by_a_script(monkeypatch, capsys):
    assert "docs/_screenshot.py" in README and (ROOT / "docs" / "_static" / "report.png").exists()
    shot = _docs_module("_screenshot")
    monkeypatch.setattr(shot, "find_browser", lambda: None)
    assert shot.main([]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no headless Chromium" in err
