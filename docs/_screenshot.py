"""Regenerate the README's screenshot (``docs/_static/report.png``) from a current report.

Usage (from the repository root)::

    .venv/bin/python docs/_screenshot.py                # runs the quick suite first
    .venv/bin/python docs/_screenshot.py --report DIR   # an existing report directory

The report's first screen (status, the claims at a glance) is captured by headless
Chromium (``chromium``, ``chromium-browser``, ``google-chrome`` or ``$CHROMIUM`` on the
PATH) at 1200 × 1500 CSS pixels.  Without a browser the script exits with status 2 and one
line saying so, and the screenshot is left as it is.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docs" / "_static" / "report.png"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    """The headless-capable browser to use, or ``None``."""
    env = os.environ.get("CHROMIUM")
    if env and shutil.which(env):
        return shutil.which(env)
    return next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)


def make_report(out_dir: Path) -> Path:
    """Run the quick suite into ``out_dir`` (the command a user runs) and return it."""
    subprocess.run([sys.executable, "-m", "wpgd_theory", "run", "--suite", "quick", "--quiet", "--out",
                    str(out_dir)], cwd=ROOT, check=True)
    return out_dir


def screenshot(browser: str, report_html: Path, out: Path, width: int = 1200, height: int = 1500) -> None:
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={width},{height}", f"--screenshot={out}", report_html.resolve().as_uri()],
                   check=True, capture_output=True, timeout=120)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", type=Path, help="an existing report directory (default: run the quick suite)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"PNG to write (default: {DEFAULT_OUT})")
    args = ap.parse_args(argv)
    browser = find_browser()
    if browser is None:
        print("screenshot: no headless Chromium found (chromium, chromium-browser, google-chrome or $CHROMIUM); "
              "the screenshot was not regenerated", file=sys.stderr)
        return 2
    if args.report is not None and not (args.report / "report.html").is_file():
        print(f"screenshot: --report: no report.html in {str(args.report)!r}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        report = args.report if args.report is not None else make_report(Path(tmp) / "report")
        screenshot(browser, report / "report.html", args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
