"""``make gpu-check`` (benchmarks/gpu_check.py) without CUDA: one line saying it skipped,
exit 0, nothing written; its CPU fallback compares our GLA with fla's pure-torch ops."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "gpu_check.py"


def _run(*args, tmp_path):
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", PYTHONPATH=str(ROOT))  # CUDA hidden even on a GPU machine
    out = tmp_path / "gpu-check.json"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    return proc, out


def test_skips_with_one_line_and_exit_zero_without_cuda(tmp_path):
    proc, out = _run(tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gpu-check: skipped: no CUDA device"), proc.stdout
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def _module():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import gpu_check
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return gpu_check


def test_cpu_fallback_compares_with_fla_naive_ops(tmp_path, monkeypatch, capsys):
    """In-process (fla's import is slow in a fresh process), with CUDA reported absent."""
    pytest.importorskip("fla")
    gpu_check = _module()
    monkeypatch.setattr(gpu_check, "cuda_status", lambda: (False, "hidden by the test"))
    out = tmp_path / "gpu-check.json"
    assert gpu_check.main(["--cpu-fallback", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("gpu-check: skipped: no CUDA device (hidden by the test)")
    assert "CPU fallback" in lines[-1] and lines[-1].endswith("passed")
    assert not out.exists()


def test_kernel_comparisons_detect_a_wrong_decay(monkeypatch):
    """The comparison is evidence: a chunked form that ignores the gates fails it."""
    pytest.importorskip("fla")
    gpu_check = _module()
    import wpgd_theory.gla as G

    real = G.chunked_gla
    monkeypatch.setattr(G, "chunked_gla", lambda q, k, v, lg, *a, **kw: real(q, k, v, None, *a, **kw))
    res = gpu_check.kernel_comparisons("cpu", triton=False)
    assert not res["passed"] and res["rows"]


def test_bad_timeout_is_a_one_line_error(tmp_path):
    proc, _ = _run("--timeout", "-1", tmp_path=tmp_path)
    assert proc.returncode == 2 and "--timeout" in proc.stderr and "Traceback" not in proc.stderr
