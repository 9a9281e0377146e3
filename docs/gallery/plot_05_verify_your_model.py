"""
Verifying your own model from Python
====================================

The claims are checked on built-in models by ``wpgd-verify run``; the same checks run
on yours.  Describe the model (:class:`wpgd_theory.MultitaskModel`), put it in a
:class:`~wpgd_theory.claims.CheckContext`, run the checks of a few claims and write the
report (``report.html``, ``report.json``, ``report.md``).  The command-line equivalent
is ``wpgd-verify run --config models.toml``.
"""

import tempfile

import numpy as np

from wpgd_theory import MultitaskModel, solve
from wpgd_theory.claims import CheckContext, run
from wpgd_theory.report import write_report

model = MultitaskModel.from_tasks([4, 2], rho=np.array([[1.0, 0.4], [0.4, 1.0]]), r_task=np.array([0.2, 0.9]),
                                  sigma=np.diag([2.0, 1.0, 0.5]), noise=0.1)
sol = solve(model)
print(f"optimal risk {sol.risk:.6f}, status {sol.status}, omega per task {np.round(sol.omega_task, 4)}")

# %%
# Run the checks of W2 and W4 (quick suite) on this model only, then write the report.
ctx = CheckContext(suite="quick", seed=0, models={"mine": model})
outcomes = run(["W2", "W4"], "quick", context=ctx)
for out in outcomes:
    print(out.claim.id, out.status, [res.status for _, res, _ in out.results])
with tempfile.TemporaryDirectory() as out_dir:
    doc = write_report(outcomes, ctx, out_dir, claim_ids=["W2", "W4"])
print("report status:", doc["status"], "— exit status", doc["exit_status"])
