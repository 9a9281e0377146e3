"""Checks of the statements of proofs/architectures.md that are not constructions through fla."""

import numpy as np
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
