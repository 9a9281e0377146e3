"""Checks of the statements of proofs/architectures.md that are not constructions through fla."""

import numpy as np
import pytest
import sympy as sp

from wpgd_theory.architectures.registry import hgrn2_predict
from wpgd_theory.model import MultitaskModel


def test_delta_rule_has_a_monomial_no_one_step_wpgd_has():
    """§8: n = 2, d = 1, A = B = 1: the delta rule's prediction contains y_1 x x_1 x_2^2."""
    x, x1, x2, y1, y2, beta = sp.symbols("x x1 x2 y1 y2 beta", real=True)
    s = 0
    for xi, yi in ((x1, y1), (x2, y2)):
        s = s + beta * xi * (yi - xi * s)
    yhat = sp.expand(x * s)
    w1, w2, P = sp.symbols("w1 w2 P")
    wpgd = sp.expand(w1 * P * y1 * x * x1 + w2 * P * y2 * x * x2)
    mono = y1 * x * x1 * x2**2
    assert sp.Poly(yhat, x, x1, x2, y1, y2).coeff_monomial(mono) == -beta**2
    assert sp.Poly(wpgd, x, x1, x2, y1, y2).coeff_monomial(mono) == 0
    # and to first order in beta it is WPGD with omega = beta, P = 1
    assert sp.expand(yhat.diff(beta).subs(beta, 0) - wpgd.subs({w1: 1, w2: 1, P: 1})) == 0


def test_hgrn2_with_positional_gates_is_uncorrelated_with_the_query_label():
    """§7: E[yhat y_q] = 0, so the risk is tau + E yhat^2 >= tau (Monte Carlo, z-score)."""
    rng = np.random.default_rng(0)
    rho = np.array([[1.0, 0.7], [0.7, 1.0]])
    model = MultitaskModel.from_tasks([3, 3], rho, np.array([0.9, 0.8]), sigma=np.diag([1.5, 0.5]), noise=0.1)
    X, y, x, yq = model.sample(20000, rng)
    gates = rng.uniform(0.3, 0.95, size=(model.n + 1, 2))
    Pq = rng.standard_normal((2, 2))
    yhat, _ = hgrn2_predict(X, y, x, gates, Pq)
    prod = yhat * yq
    z = abs(prod.mean()) / (prod.std() / np.sqrt(prod.size))
    assert z < 4.0
    risk = np.mean((yhat - yq) ** 2)
    se = np.std((yhat - yq) ** 2) / np.sqrt(prod.size)
    assert risk > model.tau - 4 * se
    # a non-degenerate check: the same samples do show the correlation of a WPGD predictor
    wp = np.einsum("bi,bid,bd->b", y, X, x)
    assert (wp * yq).mean() / ((wp * yq).std() / np.sqrt(prod.size)) > 10


def _hgrn2_setup(seed=0, B=64, n=6, d=3):
    rng = np.random.default_rng(seed)
    X, y, x = rng.standard_normal((B, n, d)), rng.standard_normal((B, n)), rng.standard_normal((B, d))
    P = rng.standard_normal((d, d)) / np.sqrt(d)
    s = rng.uniform(0.2, 1.0, size=n)
    return X, y, x, P, s


def test_hgrn2_gate_pairs_converge_to_wpgd_at_order_one():
    """§7 limit: HGRN2 with its own forget-gate pairs -> WPGD(omega = s, P), error O(eps) with
    delta = sqrt(eps); the same outputs do *not* approach a WPGD with other weights (power)."""
    from wpgd_theory.architectures.registry import hgrn2_pair_inputs, hgrn2_recurrence
    from wpgd_theory.wpgd import wpgd_predict

    X, y, x, P, s = _hgrn2_setup()
    n = X.shape[1]
    errs, wrong = [], []
    for eps in (1e-2, 1e-3, 1e-4, 1e-5):
        q, k, logf = hgrn2_pair_inputs(X, x, s, P, eps, np.sqrt(eps))
        out = hgrn2_recurrence(y, q, k[:, :n], logf)[0]
        errs.append(np.max(np.abs(out - wpgd_predict(X, y, x, P, s))))
        wrong.append(np.max(np.abs(out - wpgd_predict(X, y, x, P, s[::-1]))))
    ratios = np.array(errs[:-1]) / np.array(errs[1:])
    assert np.all((ratios > 10 ** 0.8) & (ratios < 10 ** 1.2))  # order 1 in eps
    assert errs[-1] < 1e-3 * np.max(np.abs(wpgd_predict(X, y, x, P, s)))
    assert min(wrong) > 0.1 * np.max(np.abs(wpgd_predict(X, y, x, P, s)))


def test_hgrn2_is_bounded_in_each_example_where_wpgd_is_not():
    """§7 exact statement: for fixed parameters the coefficient of y_i is at most ||q||_1 (keys
    in [0,1]), while a nonzero WPGD's grows linearly with x_i."""
    from wpgd_theory.architectures.registry import hgrn2_pair_inputs, hgrn2_recurrence
    from wpgd_theory.wpgd import wpgd_predict

    X, y, x, P, s = _hgrn2_setup(B=1)
    n = X.shape[1]
    y = np.zeros_like(y)
    y[0, 0] = 1.0  # read the coefficient of y_1
    outs, wp = [], []
    for scale in (1.0, 1e2, 1e4, 1e6):
        Xs = X.copy()
        Xs[0, 0] *= scale
        q, k, logf = hgrn2_pair_inputs(Xs, x, s, P, 1e-3, np.sqrt(1e-3))
        outs.append(abs(hgrn2_recurrence(y, q, k[:, :n], logf)[0][0]))
        assert outs[-1] <= np.abs(q).sum() * (1 + 1e-12)
        wp.append(abs(wpgd_predict(Xs, y, x, P, s)[0]))
    assert wp[-1] > 1e5 * wp[0] and outs[-1] < 2 * np.abs(q).sum()


def test_delta_rule_distance_is_first_order_in_beta_with_negligible_fitting_error():
    """§8: the distance of the delta rule to the best one-step WPGD is O(beta) (it is WPGD to
    first order), measured held out with a fitting error estimated and small; the WPGD fit is
    never worse than the first-order WPGD beyond that error."""
    from wpgd_theory.architectures.delta import distance_curve

    c = distance_curve(betas=(0.04, 0.01), seeds=range(3), n=4, d=2, fit_factor=64, num_heldout=2048)["curve"]
    for r in c:
        assert r["min"] <= r["median"] <= r["max"] and r["fit_error"] < 0.05
        assert r["first_order_median"] >= r["median"] * (1 - 2 * r["fit_error"])
    assert 3.0 < c[0]["median"] / c[1]["median"] < 5.0  # beta / 4 -> distance / 4
    assert c[1]["median_over_beta"] == pytest.approx(c[0]["median_over_beta"], rel=0.15)


def test_the_fitting_error_estimate_sees_an_underdetermined_fit():
    """Power: fitted on as many prompts as unknowns, the estimate flags a large fitting error."""
    from wpgd_theory.architectures.delta import distance_to_wpgd

    good = distance_to_wpgd(0.3, n=4, d=2, fit_factor=64, num_heldout=2048)
    bad = distance_to_wpgd(0.3, n=4, d=2, fit_factor=5, num_heldout=2048)
    assert good["fit_error"] < 0.05 < bad["fit_error"]


def test_every_architecture_points_to_a_section_of_the_proofs_that_names_its_op():
    from pathlib import Path

    from wpgd_theory.architectures.registry import ARCHITECTURES

    text = (Path(__file__).resolve().parents[2] / "proofs" / "architectures.md").read_text(encoding="utf-8")
    for name, a in ARCHITECTURES.items():
        sec = a.proof.removeprefix("proofs/architectures.md ")
        assert sec.startswith("§"), name
        start = text.index(f"## {sec[1:]}. ")
        end = text.find("\n## ", start + 1)
        op = a.fla_op.split(" ")[0].rsplit(".", 1)[-1]  # the fla function's name
        assert op in text[start:end if end > 0 else None], (name, sec, op)
