"""Every example of the gallery (``docs/gallery/plot_*.py``) draws a figure (issue 20, item 5).

Statically for all of them (a matplotlib figure is created and shown), and by running the
quick ones with the Agg backend and counting the figures they leave open (sphinx-gallery
collects those as the example's images; ``make docs`` runs them all).
"""

from __future__ import annotations

import ast
import runpy
from pathlib import Path

import pytest

GALLERY = Path(__file__).resolve().parents[1] / "docs" / "gallery"
EXAMPLES = sorted(GALLERY.glob("plot_*.py"))
#: Examples fast enough to run here (the others train models or run whole claims).
QUICK = ("plot_03_uniqueness_tie.py", "plot_06_property_tests.py")


def _calls(path: Path) -> set:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            names.add(f"{getattr(node.func.value, 'id', '')}.{node.func.attr}")
    return names


def test_the_gallery_has_its_examples():
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_creates_and_shows_a_figure(path):
    calls = _calls(path)
    assert calls & {"plt.subplots", "plt.figure", "plt.subplot_mosaic"}, f"{path.name} draws no figure"
    assert "plt.show" in calls, f"{path.name} never shows its figure"


@pytest.mark.parametrize("name", QUICK)
def test_quick_examples_leave_a_drawn_figure(name, monkeypatch, capsys):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    monkeypatch.setattr(plt, "show", lambda *a, **k: None)
    runpy.run_path(str(GALLERY / name), run_name="__main__")
    nums = plt.get_fignums()
    try:
        assert nums, f"{name} left no figure"
        fig = plt.figure(nums[-1])
        drawn = [a for a in fig.axes if a.lines or a.patches or a.collections]
        assert drawn, f"{name}: a figure with empty axes"
    finally:
        plt.close("all")
