"""Every GPU check in one command (``make gpu-check``; issue 23).

On a machine where torch sees a CUDA device, runs in order and records each step's exit
status, seconds and output tail:

1. the CUDA-marked tests (``pytest -m cuda tests``);
2. ``python -m wpgd_theory run --device cuda`` with the quick and the default suite;
3. flash-linear-attention's Triton kernels (``chunk_gla``, ``fused_recurrent_gla``) against
   our :func:`~wpgd_theory.gla.chunked_gla` / :func:`~wpgd_theory.gla.recurrent_gla` and
   against fla's own pure-torch ops (``naive_recurrent_gla``, ``naive_chunk_simple_gla``)
   over shapes, scalar and key gates (relative max differences; tolerance 1e-2 for the
   Triton kernels, which compute in TF32/bf16-accumulated float32, 1e-4 between float32
   pure-torch ops);
4. the GLA and training benchmarks (``benchmarks/gla.py``, ``benchmarks/training.py
   --device cuda``),

and writes one JSON, ``results/gpu-check.json`` (``--out`` to write elsewhere).  Exit 0 when
every step passed, 1 otherwise.

Without CUDA (no device, or torch without CUDA support) it prints one line saying so and
exits 0 without running or writing anything; ``--cpu-fallback`` then runs step 3's
comparisons that need no GPU (ours vs fla's pure-torch ops, on the CPU) — what CI runs.

    .venv/bin/python benchmarks/gpu_check.py [--out PATH] [--timeout S] [--cpu-fallback]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: (B, T, H, d_k, d_v) of the kernel comparisons: ragged lengths, one and several chunks.
SHAPES = [(1, 63, 1, 16, 16), (2, 64, 2, 32, 32), (2, 200, 4, 64, 64), (1, 1000, 2, 64, 128)]
TRITON_RTOL = 1e-2
TORCH_RTOL = 1e-4


def cuda_status():
    """``(available, reason)``: whether torch sees a CUDA device, and why not."""
    try:
        import torch
    except ImportError:
        return False, "torch is not installed"
    if not torch.cuda.is_available():
        built = torch.version.cuda
        return False, (f"torch {torch.__version__} sees no CUDA device" if built else
                       f"torch {torch.__version__} is built without CUDA")
    return True, torch.cuda.get_device_name(0)


def _rel(a, b) -> float:
    a, b = a.detach().double().cpu(), b.detach().double().cpu()
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))


def kernel_comparisons(device: str, triton: bool) -> dict:
    """Ours vs fla's pure-torch ops (and, with ``triton``, fla's Triton kernels) over
    :data:`SHAPES`, float32, gates in [0.9, 1] (log gates ``gk``), scale 1.  ``{rows, passed}``."""
    import warnings

    import torch

    from wpgd_theory.gla import chunked_gla, recurrent_gla

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fla.ops.gla.naive import naive_recurrent_gla
        from fla.ops.simple_gla.naive import naive_chunk_simple_gla
        if triton:
            from fla.ops.gla import chunk_gla, fused_recurrent_gla
    gen = torch.Generator().manual_seed(0)
    rows, passed = [], True
    for B, T, H, dk, dv in SHAPES:
        if not triton and T > 64:
            continue  # the recurrent references are loops: keep the CPU fallback short
        q, k = (torch.randn(B, H, T, dk, generator=gen) * dk**-0.5 for _ in range(2))
        v = torch.randn(B, H, T, dv, generator=gen)
        for gating in ("scalar", "vector"):
            shape = (B, H, T) if gating == "scalar" else (B, H, T, dk)
            lg = torch.log(torch.rand(shape, generator=gen) * 0.1 + 0.9)
            q_, k_, v_, lg_ = (t.to(device) for t in (q, k, v, lg))
            ours = chunked_gla(q_, k_, v_, lg_, chunk_size=64, subchunk_size=16)
            ref = recurrent_gla(q_, k_, v_, torch.exp(lg_))
            bthk = lambda t: t.transpose(1, 2).contiguous()  # noqa: E731 - fla's (B, T, H, ·)
            gk = lg_[..., None].expand(B, H, T, dk) if gating == "scalar" else lg_
            res = {"shape": [B, T, H, dk, dv], "gating": gating, "ours_chunked_vs_ours_recurrent": _rel(ours, ref)}
            res["fla_naive_recurrent_vs_ours"] = _rel(
                naive_recurrent_gla(bthk(q_), bthk(k_), bthk(v_), bthk(gk))[0].transpose(1, 2) * dk**0.5, ours)
            if gating == "scalar":
                res["fla_naive_chunk_simple_vs_ours"] = _rel(
                    naive_chunk_simple_gla(bthk(q_), bthk(k_), bthk(v_), bthk(lg_), chunk_size=64,
                                           scale=1.0)[0].transpose(1, 2), ours)
            ok = all(val <= TORCH_RTOL for key, val in res.items() if key.endswith(("_vs_ours", "_recurrent")))
            if triton:
                res["fla_triton_chunk_vs_ours"] = _rel(
                    chunk_gla(bthk(q_), bthk(k_), bthk(v_), bthk(gk), scale=1.0)[0].transpose(1, 2), ours)
                res["fla_triton_fused_recurrent_vs_ours"] = _rel(
                    fused_recurrent_gla(bthk(q_), bthk(k_), bthk(v_), gk=bthk(gk), scale=1.0)[0].transpose(1, 2),
                    ours)
                res["fla_triton_chunk_vs_fla_naive_recurrent"] = _rel(
                    chunk_gla(bthk(q_), bthk(k_), bthk(v_), bthk(gk), scale=1.0)[0],
                    naive_recurrent_gla(bthk(q_), bthk(k_), bthk(v_), bthk(gk))[0] * dk**0.5)
                ok = ok and all(val <= TRITON_RTOL for key, val in res.items() if "triton" in key)
            res["passed"] = bool(ok)
            passed = passed and ok
            rows.append(res)
    return {"device": device, "triton": triton, "rtol_torch": TORCH_RTOL, "rtol_triton": TRITON_RTOL,
            "rows": rows, "passed": passed}


def _step(name: str, cmd: list, timeout: float) -> dict:
    t0 = time.perf_counter()
    print(f"== {name}: {' '.join(cmd)}", flush=True)
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        rc, out = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        rc, out = "timeout", f"timed out after {timeout} s\n{exc.stdout or ''}{exc.stderr or ''}"
    entry = {"command": cmd, "returncode": rc, "seconds": time.perf_counter() - t0, "passed": rc == 0,
             "output_tail": out[-4000:] if isinstance(out, str) else str(out)}
    print(f"   {'passed' if rc == 0 else 'FAILED'} ({entry['seconds']:.1f} s)", flush=True)
    return entry


def run_all(out: Path, timeout: float) -> int:
    import torch

    py = sys.executable
    steps = {}
    steps["cuda tests"] = _step("cuda tests", [py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "cuda",
                                               "tests"], timeout)
    with tempfile.TemporaryDirectory() as tmp:
        for suite in ("quick", "default"):
            steps[f"verify {suite} --device cuda"] = _step(
                f"verify {suite}", [py, "-m", "wpgd_theory", "run", "--suite", suite, "--device", "cuda", "--out",
                                    str(Path(tmp) / suite), "--quiet"], timeout)
    print("== fla Triton kernels vs ours and vs fla's pure-torch ops", flush=True)
    t0 = time.perf_counter()
    try:
        kernels = kernel_comparisons("cuda", triton=True)
    except Exception as exc:  # noqa: BLE001 - recorded as a failed step, the others still run
        kernels = {"passed": False, "error": f"{type(exc).__name__}: {exc}"}
    kernels["seconds"] = time.perf_counter() - t0
    print(f"   {'passed' if kernels['passed'] else 'FAILED'} ({kernels['seconds']:.1f} s)", flush=True)
    steps["fla kernels"] = kernels
    steps["gla benchmark"] = _step("gla benchmark", [py, str(HERE / "gla.py")], timeout)
    steps["training benchmark"] = _step("training benchmark", [py, str(HERE / "training.py"), "--device", "cuda"],
                                        timeout)
    payload = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "cuda": torch.version.cuda,
               "steps": steps, "passed": all(s.get("passed") for s in steps.values())}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2))
    print(f"gpu-check: {'all passed' if payload['passed'] else 'FAILED'}; wrote {out}")
    return 0 if payload["passed"] else 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(HERE / "results" / "gpu-check.json"), help="where to write the JSON")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds per step (default 3600)")
    ap.add_argument("--cpu-fallback", action="store_true",
                    help="without CUDA, compare ours with fla's pure-torch ops on the CPU (what CI runs)")
    args = ap.parse_args(argv)
    if not args.timeout > 0:
        print(f"gpu-check: --timeout must be positive, got {args.timeout}", file=sys.stderr)
        return 2
    available, why = cuda_status()
    if not available:
        print(f"gpu-check: skipped: no CUDA device ({why}); nothing was run or written", flush=True)
        if args.cpu_fallback:
            res = kernel_comparisons("cpu", triton=False)
            print(f"gpu-check: CPU fallback: ours vs fla's pure-torch ops over {len(res['rows'])} cases: "
                  f"{'passed' if res['passed'] else 'FAILED'}")
            return 0 if res["passed"] else 1
        return 0
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    return run_all(Path(args.out), args.timeout)


if __name__ == "__main__":
    sys.exit(main())
