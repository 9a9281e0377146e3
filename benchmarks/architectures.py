"""fla's ops against the project's chunked GLA (issue 13, item 8): agreement and throughput.

For T in {256, 1024} (and 4096 on CUDA), d_k = d_v = 64, one sequence, one head, float32:
the project's ``chunked_gla`` next to fla's reference ops ``naive_recurrent_gla`` (key-dimension
decay) and ``naive_recurrent_simple_gla`` (scalar decay), and on CUDA fla's Triton kernels
``chunk_gla`` / ``chunk_simple_gla`` / ``fused_recurrent_gla`` — the speed reference on GPU.
Reports tokens/s and the largest difference to ``chunked_gla`` relative to its largest output.
Writes benchmarks/results/architectures.json.  ``--quick``: fewer repeats, T <= 1024.
"""

from __future__ import annotations

import sys
import warnings

import torch
from _common import best_time, write_json

from wpgd_theory.gla import chunked_gla

warnings.simplefilter("ignore")
from fla.ops.gla.naive import naive_recurrent_gla  # noqa: E402
from fla.ops.simple_gla.naive import naive_recurrent_simple_gla  # noqa: E402

DK = DV = 64


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def _tr(t):
    return t.transpose(1, 2).contiguous()


def _ops(device, gating):
    """name -> fn(q, k, v, lg) in fla's layout (B, T, H, K), scale 1, returning (B, T, H, V)."""
    ops = {}
    if gating == "vector":
        ops["fla naive_recurrent_gla"] = lambda q, k, v, lg: naive_recurrent_gla(q * DK**0.5, k, v, lg)[0]
        if device.type == "cuda":
            from fla.ops.gla import chunk_gla, fused_recurrent_gla

            ops["fla chunk_gla (Triton)"] = lambda q, k, v, lg: chunk_gla(q, k, v, lg, scale=1.0)[0]
            ops["fla fused_recurrent_gla (Triton)"] = lambda q, k, v, lg: fused_recurrent_gla(q, k, v, lg,
                                                                                                scale=1.0)[0]
    else:
        ops["fla naive_recurrent_simple_gla"] = lambda q, k, v, lg: naive_recurrent_simple_gla(q, k, v, lg,
                                                                                               scale=1.0)[0]
        if device.type == "cuda":
            from fla.ops.simple_gla import chunk_simple_gla

            ops["fla chunk_simple_gla (Triton)"] = lambda q, k, v, lg: chunk_simple_gla(q, k, v, g=lg, scale=1.0)[0]
    return ops


def bench(device, quick):
    rows = []
    gen = torch.Generator(device="cpu").manual_seed(0)
    Ts = (256, 1024) if quick or device.type == "cpu" else (256, 1024, 4096)
    for gating in ("scalar", "vector"):
        for T in Ts:
            q, k = (torch.randn(1, T, 1, DK, generator=gen).div(DK**0.5).to(device) for _ in range(2))
            v = torch.randn(1, T, 1, DV, generator=gen).to(device)
            shape = (1, T, 1) if gating == "scalar" else (1, T, 1, DK)
            lg = torch.rand(shape, generator=gen).mul(0.1).add(0.9).log().to(device)
            qt, kt, vt, lgt = (_tr(t) for t in (q, k, v, lg))  # the project's layout (B, H, T, K)
            with torch.no_grad():
                ref = _tr(chunked_gla(qt, kt, vt, lgt))
            scale = float(ref.abs().max())

            def ours(q=qt, k=kt, v=vt, lg=lgt):
                with torch.no_grad():
                    chunked_gla(q, k, v, lg)
                _sync(device)

            entries = {"wpgd_theory chunked_gla": (ours, 0.0)}
            for name, fn in _ops(device, gating).items():
                with torch.no_grad():
                    err = float((fn(q, k, v, lg) - ref).abs().max()) / scale

                def run(fn=fn, q=q, k=k, v=v, lg=lg):
                    with torch.no_grad():
                        fn(q, k, v, lg)
                    _sync(device)

                entries[name] = (run, err)
            for name, (fn, err) in entries.items():
                slow = "naive" in name
                t = best_time(fn, repeat=1 if slow or quick else 5, min_time=0.0 if slow else 0.05)
                rows.append({"device": device.type, "gating": gating, "T": T, "op": name, "tokens_per_s": T / t,
                             "rel_diff_to_chunked_gla": err})
                print(f"{device.type:4s} {gating:6s} T={T:5d} {name:36s} {T / t:12.0f} tok/s  "
                      f"rel diff {err:.1e}", flush=True)
    return rows


def main() -> int:
    quick = "--quick" in sys.argv
    torch.set_num_threads(1)
    rows = bench(torch.device("cpu"), quick)
    if torch.cuda.is_available():
        rows += bench(torch.device("cuda"), quick)
    write_json("architectures", {"rows": rows, "d_k": DK, "d_v": DV, "quick": quick,
                                 "cuda": torch.cuda.is_available()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
