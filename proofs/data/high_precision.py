"""High-precision facts of the uniqueness study, written into counterexamples.json.

* ``three-roots-d6``: a task model with d = 6 (the smallest dimension theorem U3 allows)
  whose W4 equation has three roots: certified by ``solve(model, interval=True)`` (the
  count) and, per root, by an interval sign change of F across mu (1 -/+ 1e-50) at
  ~300 bits (``wpgd_theory.uniqueness.verify_roots``).
* ``tie_noise``: the noise sigma^2* of the tie instance (two global minimisers), to 50 digits.

The models are the float64 numbers stored in the JSON, taken exactly (binary64).
Run: ``.venv/bin/python proofs/data/high_precision.py`` (seconds).
"""

from __future__ import annotations

import json
from pathlib import Path

import mpmath
import numpy as np

from wpgd_theory import MultitaskModel
from wpgd_theory.landscape import solve
from wpgd_theory.uniqueness import multiple_root_thresholds, refine_roots, tie_noise, verify_roots

HERE = Path(__file__).resolve().parent
DIGITS = 50

#: found by the optimisation search of uniqueness_search.py (uniqueness_study.json, d = 6)
D6 = dict(sizes=[1000000, 1], rho=[[1.0, 0.0], [0.0, 1.0]], r_task=[0.6343078956837502, -0.7601009758402186],
          sigma_eigenvalues=[0.001] * 5 + [0.23223897172979108], noise=15.002156021265975)


def d6_entry() -> dict:
    model = MultitaskModel.from_tasks(D6["sizes"], np.array(D6["rho"]), np.array(D6["r_task"]),
                                      sigma=np.diag(D6["sigma_eigenvalues"]), noise=D6["noise"])
    sol = solve(model, interval=True)
    roots = refine_roots(D6, sol.roots, dps=DIGITS + 30)
    strs = [mpmath.nstr(r, DIGITS + 10) for r in roots]
    check = verify_roots(D6, strs, digits=DIGITS)
    th = multiple_root_thresholds(6)
    return {
        **D6,
        "roots": strs,
        "root_risks": [mpmath.iv.nstr(r, 25) for r in check["risk_enclosures"]],
        "status": sol.status,
        "num_roots_certified": sol.certificate.num_roots,
        "interval_verified": bool(sol.certificate.interval_verified),
        "digits_verified": DIGITS if check["ok"] else 0,
        "verification": f"F changes sign across mu(1 -/+ 1e-{DIGITS}) for every root, in mpmath.iv at "
                        f"{check['prec_bits']} bits; the count by solve(model, interval=True)",
        "kappa_sigma": float(max(D6["sigma_eigenvalues"]) / min(D6["sigma_eigenvalues"])),
        "kappa_R": (D6["sizes"][0] + 1) / (D6["sizes"][1] + 1),
        "necessary": {"kappa_sigma_above": float(th["kappa_sigma"]), "kappa_R_above": mpmath.nstr(th["kappa_R"], 20)},
    }


def main() -> None:
    path = HERE / "counterexamples.json"
    doc = json.loads(path.read_text())
    tie = doc["instances"]["tie"]
    noise = tie_noise(tie, tie["noise"], [tie["roots"][0], tie["roots"][-1]], dps=DIGITS)
    doc["high_precision"] = {
        "description": "Verified to >= 50 digits with mpmath (proofs/data/high_precision.py); the models are "
                       "their float64 numbers taken exactly.",
        "three-roots-d6": d6_entry(),
        "tie_noise": {"instance": "tie", "noise": mpmath.nstr(noise, DIGITS), "digits": DIGITS,
                      "method": "secant on the risk gap of the outer roots, roots re-solved at 70 digits"},
    }
    path.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
