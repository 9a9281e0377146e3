"""The code of the architecture docs runs as written (how-to/check-recurrence, architectures)."""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("page", ["how-to/check-recurrence.md", "architectures.md"])
def test_python_blocks_run(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    ns = {}
    for code in blocks:
        exec(compile(code, f"{page}", "exec"), ns)  # noqa: S102 - the docs' own examples
