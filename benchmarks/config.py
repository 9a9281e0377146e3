"""Loading a user's config: seconds to load a JSON config of K tasks (a dense K x K task
correlation matrix; K = 2000 is a 16 MB file), and to draw the first sample, which builds
the sampling factor on demand.

    .venv/bin/python benchmarks/config.py [--quick]

Writes ``results/config.json``.  (Loading K = 2000 once took 46 s, when loading built the
sampling factor; ``tests/test_robustness.py`` checks that loading does no sampling work.)
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import write_json


def load_time(K: int) -> dict:
    from wpgd_theory.config import load_config

    rho = np.full((K, K), 0.3) + 0.7 * np.eye(K)
    cfg = {"sigma": [1.0, 2.0], "sizes": [1] * K, "rho": rho.tolist(), "r_task": [0.1] * K}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cfg.json"
        path.write_text(json.dumps(cfg))
        t0 = time.perf_counter()
        model = load_config(path).models["cfg"]
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        model.sample(2, np.random.default_rng(0))
        first_sample = time.perf_counter() - t0
        size = path.stat().st_size
    print(f"  K = {K}: {size / 2**20:.1f} MB loaded in {load:.2f} s; first sample {first_sample:.2f} s", flush=True)
    return {"tasks": K, "bytes": size, "load_s": load, "first_sample_s": first_sample}


def main(quick: bool = False) -> int:
    sizes = (100, 300) if quick else (100, 300, 1000, 2000)
    write_json("config", {"loads": [load_time(K) for K in sizes]})
    return 0


if __name__ == "__main__":
    sys.exit(main(quick="--quick" in sys.argv))
