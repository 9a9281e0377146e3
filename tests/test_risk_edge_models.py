"""W1–W3 verdicts on valid users' models that used to get false failures (issue 9, item 6).

Each model is valid; every W1–W3 check must give a correct verdict on it (passed, or a
correct degenerate statement), never an error or a failure caused by the verifier's own
numerical limits.
"""

import numpy as np
import pytest

from wpgd_theory import MultitaskModel
from wpgd_theory.claims import risk as R
from wpgd_theory.claims.core import CheckContext

TRIDIAG = np.eye(4) + 0.3 * (np.eye(4, k=1) + np.eye(4, k=-1))


def four_task(r_task=(0.1, 0.2, 0.5, 0.9)):
    return MultitaskModel.from_tasks([10, 5, 5, 20], TRIDIAG, np.array(r_task, dtype=float),
                                     sigma=np.diag([3.0, 1.0, 0.3, 0.1]), noise=0.2)


def ill_conditioned():
    return MultitaskModel.from_tasks([4, 4], [[1.0, 0.4], [0.4, 1.0]], [0.2, 0.9],
                                     sigma=np.diag([1e-6, 1e-3, 1.0, 1e3, 1e6]), noise=0.1)


def many_tasks(K=50, phi=0.9):
    idx = np.arange(K + 1)
    C = phi ** np.abs(idx[:, None] - idx[None, :])
    return MultitaskModel.from_tasks([2, 3] * (K // 2), C[:K, :K], C[:K, K], sigma=np.diag([2.0, 1.0, 0.5]),
                                     noise=0.2)


def ctx_for(model, name):
    return CheckContext(suite="quick", seed=0, models={name: model})


def _ok(res):
    assert res.status == "passed", (res.status, res.message, res.measured, res.tolerance)


@pytest.mark.parametrize("fn", [R.w3_scipy, R.w3_cvxpy, R.w3_hessian], ids=lambda f: f.__name__)
def test_four_task_model_w3_compares_what_is_well_conditioned(fn):
    """The argmin entries of this model are resolved by L-BFGS to ~1e-6 only; the check
    compares P in the metric of the Hessian (square root of the excess risk) instead."""
    res = fn(ctx_for(four_task(), "four-task"))
    _ok(res)
    if fn is not R.w3_hessian:
        assert "metric of the Hessian" in res.details["instances"][0]["compared"]


@pytest.mark.parametrize("fn", [R.w3_scipy, R.w3_cvxpy, R.w3_hessian, R.w3_gradient, R.w1_moments, R.w2_scaling],
                         ids=lambda f: f.__name__)
def test_r_zero_model_gets_the_degenerate_statement(fn):
    """r_task = 0: every ω has rᵀω = 0, the minimiser over P is 0 (risk τ): checked, not an error."""
    res = fn(ctx_for(four_task((0.0, 0.0, 0.0, 0.0)), "r-zero"))
    _ok(res)
    if fn in (R.w3_scipy, R.w3_cvxpy):
        assert all(i["expected"].startswith("P = 0") for i in res.details["instances"])


@pytest.mark.parametrize("fn", [R.w3_scipy, R.w3_cvxpy, R.w3_hessian, R.w3_gradient, R.w1_monte_carlo,
                                R.w1_moments, R.w2_scaling], ids=lambda f: f.__name__)
def test_ill_conditioned_sigma(fn):
    """Σ eigenvalues 1e-6 … 1e6: the Hessian is compared Jacobi-scaled, P* in the Hessian metric."""
    _ok(fn(ctx_for(ill_conditioned(), "ill-conditioned")))


@pytest.mark.parametrize("fn", [R.w1_monte_carlo, R.w3_scipy], ids=lambda f: f.__name__)
def test_many_tasks(fn):
    _ok(fn(ctx_for(many_tasks(), "many-tasks")))


@pytest.mark.parametrize("fn", [R.w1_monte_carlo, R.w1_sampler, R.w1_moments, R.w2_scaling, R.w3_gradient],
                         ids=lambda f: f.__name__)
def test_long_prompt_is_sized_to_the_model(fn):
    """n = 10⁶: sampling whole prompts would need gigabytes; the checks use per-task
    Wishart Gram matrices, a prefix of the prompt, or O(n) sums instead (n = 10⁷ is the
    same code path: verified by ``wpgd-verify run --config`` in about a minute)."""
    model = MultitaskModel.from_tasks([500_000, 500_000], [[1.0, 0.4], [0.4, 1.0]], [0.2, 0.9],
                                      sigma=np.diag([2.0, 1.0, 0.5]), noise=0.1)
    res = fn(ctx_for(model, "long"))
    _ok(res)
    if fn is R.w1_monte_carlo:
        assert "Wishart" in res.details["subject"] or "Wishart" in res.details["instances"][0]["subject"]


def test_long_general_prompt_uses_fewer_concentrated_prompts():
    """A general (AR(1)) R with n = 400: the O(n²) work per prompt is paid for fewer prompts,
    each of which concentrates; still resolving 1 % of the risk."""
    n = 400
    idx = np.arange(n + 1)
    C = 0.7 ** np.abs(idx[:, None] - idx[None, :])
    model = MultitaskModel(np.diag([1.5, 0.5]), C[:n, :n], C[:n, n], noise=0.2)
    res = R.w1_monte_carlo(ctx_for(model, "long-general"))
    _ok(res)
    inst = res.details["instances"][0]
    assert inst["num_prompts"] < 5_000
    assert inst["detectable_relative_error"] <= R.TARGET_EFFECT
