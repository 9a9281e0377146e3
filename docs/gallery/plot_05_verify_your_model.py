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

import matplotlib.pyplot as plt
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

# %%
# What the report shows for each check: the measured quantity against its bound (a check
# passes at or below its bound; exact symbolic checks measure a count of failed identities,
# zero), next to the optimal weights of the model.
from wpgd_theory.report.measures import unit_of  # noqa: E402

checks = [ch for c in doc["claims"] for ch in c["checks"] if isinstance(ch["measured"], (int, float))]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.6, 3.8), gridspec_kw={"width_ratios": [1, 1.6]})
ax1.bar(np.arange(1, len(sol.omega_task) + 1), sol.omega_task)
ax1.set_xlabel("task")
ax1.set_ylabel(r"optimal weight $\omega^*$ on the task's examples")
ax1.set_xticks(np.arange(1, len(sol.omega_task) + 1))
floor = 1e-18  # an exact zero drawn at the bottom of the log axis
pos = np.arange(len(checks))
ax2.barh(pos, [max(float(ch["measured"]), floor) for ch in checks], color="C2", label="measured")
ax2.plot([max(float(ch["tolerance"] or floor), floor) for ch in checks], pos, "k|", ms=14, mew=2, label="bound")
ax2.set_xscale("log")
ax2.set_yticks(pos, [f"{ch['name'][:28]} ({unit_of(ch) or 'value'})"[:44] for ch in checks], fontsize="x-small")
ax2.invert_yaxis()
ax2.set_xlabel("measured value and its bound (log scale)")
ax2.legend(fontsize="small", loc="lower right")
fig.subplots_adjust(wspace=0.9, left=0.08, right=0.98, bottom=0.14)
plt.show()
