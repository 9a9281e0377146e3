"""Issue 19 (remainder): the lightning-attention and log-linear (Fenwick) weight classes' best risks
against independent optimisers, and their place in the nesting of the classes."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from scipy.optimize import minimize

from wpgd_theory.architectures.cones import RETNET_CUTOFF, best_risk, lightning_profiles
from wpgd_theory.architectures.fenwick import fenwick_buckets, fenwick_weights
from wpgd_theory.claims.defaults import default_models
from wpgd_theory.landscape import profile_risk
from wpgd_theory.strategies import multitask_models


@settings(max_examples=4)
@given(model=multitask_models(max_d=3, max_tasks=3, max_size=4))
def test_lightning_class_matches_quasi_newton_over_the_head_mix(model):
    """Least squares per ridge + the t search vs BFGS on the profile risk (W3) over the span of the
    8 fixed lightning profiles (orthonormal basis of the realisable directions), several starts."""
    sol = best_risk(model, "lightning")
    U, sv, _ = np.linalg.svd(lightning_profiles(model.n), full_matrices=False)
    Q = U[:, sv >= RETNET_CUTOFF * sv[0]]
    rng = np.random.default_rng(0)
    ref = model.tau
    for z0 in [Q.T @ np.ones(model.n), *rng.standard_normal((4, Q.shape[1]))]:
        res = minimize(lambda z: profile_risk(model, Q @ z) if np.any(Q @ z) else model.tau, z0, method="BFGS",
                       options={"gtol": 1e-12})
        ref = min(ref, float(res.fun))
    assert sol.risk <= ref + 1e-6 * model.tau
    assert sol.risk >= ref - 1e-4 * model.tau
    if sol.omega is not None:
        np.testing.assert_allclose(profile_risk(model, sol.omega), sol.risk, rtol=1e-9)
        np.testing.assert_allclose(Q @ (Q.T @ sol.omega), sol.omega, atol=1e-8)


def _slsqp_fenwick(model, starts):
    """Reference: SLSQP on the profile risk (W3) over each sign pattern's polyhedral cone
    (s_B omega_B nondecreasing and >= 0 on every bucket), several starts; the minimum."""
    buckets = [idx for _, idx in fenwick_buckets(model.n)]
    best = model.tau
    for signs in itertools.product((1.0, -1.0), repeat=len(buckets)):
        rows = []
        for s, idx in zip(signs, buckets):
            e = np.zeros(model.n)
            e[idx[0]] = s
            rows.append(e)  # s omega_first >= 0
            for a, b in zip(idx[:-1], idx[1:]):
                e = np.zeros(model.n)
                e[b], e[a] = s, -s
                rows.append(e)  # s (omega_b - omega_a) >= 0
        A = np.array(rows)
        for w0 in starts:
            w0 = np.concatenate([s * np.sort(np.abs(w0[idx])) for s, idx in zip(signs, buckets)])
            res = minimize(lambda w: profile_risk(model, w) if np.any(w) else model.tau, w0, method="SLSQP",
                           constraints=[{"type": "ineq", "fun": lambda w, A=A: A @ w, "jac": lambda w, A=A: A}],
                           options={"ftol": 1e-14, "maxiter": 500})
            if np.all(A @ res.x >= -1e-9):
                best = min(best, float(res.fun))
    return best


@settings(max_examples=4)
@given(model=multitask_models(max_d=3, max_tasks=3, max_size=3))
def test_fenwick_class_matches_constrained_sqp(model):
    sol = best_risk(model, "fenwick")
    rng = np.random.default_rng(0)
    ref = _slsqp_fenwick(model, [np.linspace(0.2, 1.0, model.n)] + [rng.uniform(0.05, 1.0, model.n) for _ in range(3)])
    assert sol.risk <= ref + 1e-6 * model.tau  # exact per ridge: never worse than the local search
    assert sol.risk >= ref - 1e-4 * model.tau  # and the search over t finds the same optimum
    if sol.omega is not None:
        np.testing.assert_allclose(profile_risk(model, sol.omega), sol.risk, rtol=1e-8)


@pytest.mark.parametrize("name", list(default_models()))
def test_new_classes_are_ordered_by_inclusion(name):
    """uniform ⊂ lightning ⊂ free (head 0 does not decay); monotone ⊂ fenwick ⊂ free; one bucket
    (n a power of two) makes fenwick the monotone class."""
    model = default_models()[name]
    r = {c: best_risk(model, c).risk for c in ("uniform", "lightning", "monotone", "fenwick", "free")}
    slack = 1e-7 * model.tau
    assert r["free"] <= r["lightning"] + slack and r["lightning"] <= r["uniform"] + slack
    assert r["free"] <= r["fenwick"] + slack and r["fenwick"] <= r["monotone"] + slack
    if len(fenwick_buckets(model.n)) == 1:
        assert abs(r["fenwick"] - r["monotone"]) <= 1e-6 * model.tau


def test_fenwick_signs_per_level_matter_on_the_non_monotone_model():
    """n = 12 = 8 + 4: two buckets with their own signs reach below the monotone class."""
    model = default_models()["multitask-nonmonotone"]
    assert len(fenwick_buckets(model.n)) == 2
    assert best_risk(model, "fenwick").risk < best_risk(model, "monotone").risk - 1e-3 * model.tau


def test_fenwick_buckets_are_fla_level_masks():
    """The buckets equal the level masks fla's naive op builds (construct_level_mask), for every
    query position up to 40; fenwick_weights equals fla's H matrix row at the query."""
    import torch

    from wpgd_theory.architectures.fla_ops import _module

    naive = _module("fla.ops.log_linear_attn.naive")
    rng = np.random.default_rng(0)
    for T in range(2, 41):
        levels = int(np.ceil(np.log2(T))) + 1
        lam = rng.standard_normal(levels)
        g = rng.uniform(0.5, 1.0, T)
        H = naive.construct_H_matrix(torch.tensor(np.log(g))[None], torch.tensor(lam)[:, None].expand(levels, T)[None])
        row = H[0, T - 1, : T - 1].numpy()
        np.testing.assert_allclose(fenwick_weights(g, lam), row, rtol=1e-12, atol=1e-300)
        for offset in (1, 3):
            if offset < T - 1:
                w = fenwick_weights(g[offset:], lam, offset=offset)
                np.testing.assert_allclose(w, row[offset:], rtol=1e-12)
    with pytest.raises(ValueError, match="n must be >= 1"):
        fenwick_buckets(0)
