"""No false FAILED on valid models (issue 24, item 1).

For random valid configurations (the config schema's generator of ``test_config_fuzz``) at
random scales ``10^k``, ``k ∈ [-300, 300]``: wherever an independent minimisation (scipy on a
profile risk written out here, in the model's own units after dividing by its risk scale)
agrees with :func:`~wpgd_theory.landscape.solve`, the numeric checks of the optimum family
that run on the model must not fail.  They used to fail on about half of such models
(W5's multi-start at scales 1e-10 … 1e-100, W1–W4 errors at 1e±300).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from test_config_fuzz import models as model_specs

from wpgd_theory.claims import runner
from wpgd_theory.claims.core import CheckContext
from wpgd_theory.config import parse_config
from wpgd_theory.landscape import solve

#: The claims whose numeric checks run on the context's models (not on their own instances).
CLAIMS = ("W4", "W5")


def _independent_optimum(model, starts=6, seed=0):
    """min over ω of ``τ − c² Σ λ²/(aλ + b)`` (W3's profile, written here from the formula) by
    BFGS from random starts, in units of the risk scale ``s`` (Σ/s, σ²/s); returns risk / s."""
    s = max(float(np.linalg.eigvalsh(model.sigma)[-1]), model.noise)
    lam = np.linalg.eigvalsh(model.sigma / s)
    tau = lam.sum() + model.noise / s
    R, r = np.asarray(model.R), np.asarray(model.r)

    def f(w):
        c, nw = r @ w, w @ w
        a = w @ R @ w + nw
        return tau - c * c * np.sum(lam**2 / (a * lam + tau * nw)) if nw > 0 else tau

    rng = np.random.default_rng(seed)
    best = min(minimize(f, rng.standard_normal(model.n) + r, method="BFGS", options={"gtol": 1e-12}).fun
               for _ in range(starts))
    return best, s


@given(spec=model_specs(), exponent=st.integers(-300, 300))
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
def test_valid_models_are_never_falsely_failed(spec, exponent):
    model = parse_config(dict(spec, name="m"), "fuzz").models["m"]
    assume(model.n <= 12)
    try:
        model = model.scaled(10.0**exponent)
    except ValueError:
        assume(False)
    try:
        sol = solve(model)
    except ValueError:  # refused with one line: never a verdict on a model solve does not accept
        assume(False)
    if sol.status == "degenerate":
        return
    ref, s = _independent_optimum(model)
    assume(abs(sol.risk / s - ref) <= 1e-8 * (model.tau / s))  # the independent minimisation agrees
    ctx = CheckContext(suite="quick", seed=0, models={"m": model})
    checks = [c for c in runner.planned_checks(list(CLAIMS), "quick") if c.kind == "numeric"]
    bad = []
    for chk in checks:
        res, _ = runner.run_check(chk, ctx)
        if res.status in ("failed", "error"):
            bad.append(f"{chk.claim_id}: {chk.name}: {res.status}: {res.message[:200]}")
    assert not bad, f"scale 1e{exponent}, spec {spec}: " + "; ".join(bad)


@pytest.mark.parametrize("exponent", [-100, -20, -10, 20, 80])
def test_docs_example_scaled_is_verified(exponent):
    """The docs' example model scaled by 1e-100 … 1e80 (W5 failed on it from 1e-10 down)."""
    from wpgd_theory.claims import global_minimum as optimum
    from wpgd_theory.model import MultitaskModel

    base = MultitaskModel.from_tasks([6, 4], np.array([[1.0, 0.4], [0.4, 1.0]]), np.array([0.2, 0.9]),
                                     sigma=np.array([2.0, 1.0, 0.5]), noise=0.1)
    ctx = CheckContext(suite="quick", seed=0, models={"docs": base.scaled(10.0**exponent)})
    assert ctx.model_units["docs"] != 1.0
    res = optimum.w5_multistart(ctx)
    assert res.status == "passed", res.message


def test_ill_conditioned_models_are_not_trained_and_not_failed():
    """issue 24 item 3: Σ spanning 18 decades failed T1 and T2 (float32 Adam does not converge in
    the budget); now the training checks say "not run: needs …" (not applicable), never failed."""
    from wpgd_theory.claims import depth, training
    from wpgd_theory.model import MultitaskModel

    ill = MultitaskModel.from_tasks([5, 4, 3], np.array([[1.0, 0.5, 0.2], [0.5, 1.0, 0.5], [0.2, 0.5, 1.0]]),
                                    np.array([0.3, 0.2, 0.6]), sigma=np.array([1e-12, 1e-6, 1.0, 1e6]), noise=0.1)
    ctx = CheckContext(suite="default", seed=0, models={"ill": ill})
    for res in (training.t1_match_result(ctx), depth.t2_depth_result(ctx)):
        assert res.status == "not applicable"
        assert res.message.startswith("not run: needs") and "'ill': cond 1e+18" in res.message
    lam = np.geomspace(1.0, 1.0 / training.MAX_TRAINING_CONDITION, 4)
    ok = MultitaskModel.from_tasks([5, 4, 3], ill.rho, ill.r_task, sigma=lam, noise=0.1)
    assert training._trainable(ok) and not training._trainable(ill)


def _synthetic_runs(gains, n=400, seed=0):
    """T2 runs with paired errors: depth L's errors are depth 1's minus ``gains[L-1]``."""
    rng = np.random.default_rng(seed)
    base = 1.0 + 0.1 * rng.standard_normal(n)
    return [dict(layers=L, gla=None, result=None, errors=base - g + 0.01 * rng.standard_normal(n))
            for L, g in enumerate(gains, start=1)]


@pytest.mark.parametrize("builtin", [True, False])
def test_t2_depth_decision(monkeypatch, builtin):
    """The depth check's decision rule: a significant increase with depth fails everywhere; no
    gain fails only on the built-in model (where the paper's strict gain is the claim), and a
    clear gain passes everywhere."""
    from wpgd_theory.claims import depth
    from wpgd_theory.claims.defaults import default_models

    name = "multitask-anisotropic" if builtin else "user-model"
    model = default_models()["multitask-anisotropic"]
    ctx = CheckContext(suite="quick", seed=0, models={name: model})
    for gains, passes in (([0.0, 0.05], True), ([0.0, -0.05], False), ([0.0, 0.0], not builtin)):
        runs = _synthetic_runs(gains)
        monkeypatch.setattr(depth, "_t2_runs", lambda ctx, runs=runs: (name, None, runs))
        monkeypatch.setattr(depth, "_t2_artifacts", lambda *a, **k: None)
        res = depth.t2_depth_result(ctx)
        assert (res.status == "passed") == passes, (gains, res.message)
