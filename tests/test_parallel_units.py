"""Fast unit tests of the parallel path's bookkeeping (no cluster): what a worker's context
carries, how attempts are reported, how a cost-ordered map puts results back (issue 18,
class 8: paths no verdict runs)."""

from wpgd_theory import parallel
from wpgd_theory.claims import runner
from wpgd_theory.claims.core import Check, CheckContext, CheckResult


def test_a_worker_context_carries_the_run_seed_suite_and_device(monkeypatch):
    seen = {}

    def probe(ctx):
        seen.update(seed=ctx.seed, suite=ctx.suite, device=ctx.device)
        return CheckResult("passed", 0.0, 1.0)

    monkeypatch.setattr(parallel, "_checks_by_key", lambda: {"X:a": Check("W1", "a", "numeric", ("quick",), probe, "")})
    out = parallel._run_task(["X:a"], "default", 7, "cpu", {}, "0000:X:a")
    assert [key for key, *_ in out] == ["X:a"] and out[0][1].passed
    assert seen == {"seed": 7, "suite": "default", "device": "cpu"}


def _assembled(attempts):
    keys = [c.key for cl in runner.registry() if cl.id == "W2" for c in cl.checks if "quick" in c.suites]
    tasks = [[k] for k in keys]
    results = {f"{i:04d}:{k}": [(k, CheckResult("passed", 0.0, 1.0), 0.0, {}, {})] for i, k in enumerate(keys)}
    first = f"0000:{keys[0]}"
    outcomes = parallel._assemble(["W2"], "quick", CheckContext(suite="quick"), tasks, results,
                                  {k.replace("TASK", first): v for k, v in attempts.items()})
    return [res for out in outcomes for _, res, _ in out.results]


def test_only_sub_tasks_that_ran_more_than_once_are_reported_as_re_run():
    once = _assembled({"TASK": 1, "TASK/0": 1, "TASK/1": 1})
    assert not any("re-run" in r.message or "sub_task_attempts" in r.details for r in once)
    twice = _assembled({"TASK": 1, "TASK/0": 1, "TASK/1": 2})
    assert twice[0].details["sub_task_attempts"] == {"1": 2} and "1 of its sub-tasks re-run" in twice[0].message
    assert not any("re-run" in r.message for r in twice[1:])


def test_a_cost_ordered_map_returns_results_in_the_items_order():
    submitted = []

    def in_submission_order(func, items, costs):
        submitted.extend(items)
        return [func(x) for x in items]

    ctx = CheckContext(suite="quick", mapper=in_submission_order)
    assert ctx.map(str, [1, 3, 2], cost=float) == ["1", "3", "2"]
    assert submitted == [3, 2, 1]  # costliest first
