"""Every registered derivation holds exactly at its quick sizes (the default sizes run in the
claim checks and the proof checker); helpers behave; layering rules hold."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sympy as sp
from sympy.polys.rings import PolyRing

from wpgd_theory.symbolic import derivations as D
from wpgd_theory.symbolic.algebra import Frac, Identity, residual_terms, sizes_grid


@pytest.mark.parametrize("key", sorted(D.DERIVATIONS))
def test_derivation_holds_at_quick_sizes(key):
    der = D.derivation(key)
    ids = der.run("quick")
    assert ids, key
    bad = [repr(i) for i in ids if not i.ok]
    assert not bad, bad
    assert der.scope("quick") and der.scope("default")
    assert der.claim in key


@pytest.mark.parametrize("key", ["W1.risk", "W4.same_system", "G4.multilayer", "W5.gap"])
def test_selected_derivations_hold_at_default_sizes(key):
    assert all(i.ok for i in D.run_derivation(key, "default"))


def test_levels_are_nested():
    for der in D.DERIVATIONS.values():
        q, d, t = (set(map(lambda s: tuple(sorted(s.items())), der.sizes[lv])) for lv in D.LEVELS)
        assert q <= d <= t, der.key


def test_unknown_names():
    with pytest.raises(KeyError, match="unknown derivation"):
        D.derivation("W9.nothing")
    with pytest.raises(ValueError, match="level"):
        D.derivation("W1.risk").run("fast")


def test_describe_sizes():
    assert D.describe_sizes(sizes_grid(d=[1, 2, 3], n=[1, 2, 3])) == "d ≤ 3, n ≤ 3"
    assert D.describe_sizes(sizes_grid(d=[1, 2], n=[1, 2, 3]) + sizes_grid(d=[3], n=[1, 2])) == \
        "d ≤ 2, n ≤ 3; d = 3, n ≤ 2"
    assert D.describe_sizes(sizes_grid(n=[1, 2, 3, 4])) == "n ≤ 4"


def test_engine_risk_matches_closed_form_at_a_point():
    """The W1 polynomial evaluated at one rational point (an independent spot check)."""
    pb = D.risk_problem(2, 2)
    L = D.engine_risk(2, 2).as_expr()
    vals = {pb.Sigma[0, 0]: 2, pb.Sigma[0, 1]: sp.Rational(1, 2), pb.Sigma[1, 1]: 1, pb.R[0, 1]: sp.Rational(1, 3),
            pb.r[0]: sp.Rational(1, 2), pb.r[1]: sp.Rational(1, 4), pb.noise: sp.Rational(1, 10),
            pb.P[0, 0]: 1, pb.P[0, 1]: 0, pb.P[1, 0]: sp.Rational(1, 2), pb.P[1, 1]: 2,
            pb.omega[0]: 1, pb.omega[1]: -1}
    S = sp.Matrix([[2, sp.Rational(1, 2)], [sp.Rational(1, 2), 1]])
    P = sp.Matrix([[1, 0], [sp.Rational(1, 2), 2]])
    R = sp.Matrix([[1, sp.Rational(1, 3)], [sp.Rational(1, 3), 1]])
    r = sp.Matrix([sp.Rational(1, 2), sp.Rational(1, 4)])
    w = sp.Matrix([1, -1])
    tau = S.trace() + sp.Rational(1, 10)
    a = (w.T * (R + sp.eye(2)) * w)[0]
    b = tau * (w.T * w)[0]
    M = a * S * S + b * S
    closed = tau - 2 * (r.T * w)[0] * (S * P * S).trace() + (P.T * S * P * M).trace()
    assert L.subs(vals) == closed


def test_identity_residual_counts_terms():
    K = PolyRing(sp.symbols("u v"), sp.ZZ)
    u, v = K.gens
    assert residual_terms((u + v) ** 2, u**2 + 2 * u * v + v**2) == 0
    assert residual_terms((u + v) ** 2, u**2 + v**2) == 1
    assert residual_terms([u, v], [u, u]) == 2
    assert Identity("x", {}, Frac(u * v, u), Frac(v)).ok
    assert not Identity("x", {}, Frac(u, v), Frac(v, u)).ok
    a = sp.Symbol("a")
    assert Identity("expr", {}, sp.sin(a) ** 2 + sp.cos(a) ** 2 - 1).ok
    assert Identity("pair", {}, (a + 1) ** 2, a**2 + 2 * a + 1).ok


def test_frac_arithmetic_is_exact():
    K = PolyRing(sp.symbols("u v"), sp.ZZ)
    u, v = K.gens
    f = Frac(u) / Frac(u + v) + Frac(v) / Frac(u + v)
    assert f == 1
    assert Frac(u, v).diff(u) == Frac(K.one, v)
    assert (Frac(u, v) ** 2) * Frac(v**2) == u**2
    assert (1 - Frac(u, v)) == Frac(v - u, v)
    with pytest.raises(ZeroDivisionError):
        Frac(u, K.zero)


def test_symbolic_package_imports_no_torch_gla_claims_report():
    code = ("import sys; import wpgd_theory.symbolic, wpgd_theory.symbolic.derivations, "
            "wpgd_theory.symbolic.proofcheck, wpgd_theory.symbolic.recurrences; "
            "bad = [m for m in sys.modules if m == 'torch' or m.startswith(('wpgd_theory.gla', "
            "'wpgd_theory.claims', 'wpgd_theory.report'))]; print(bad); assert not bad, bad")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_clear_caches_allows_recomputation():
    first = D.w1_risk(1, 1)
    D.clear_caches()
    second = D.w1_risk(1, 1)
    assert first is not second and second.ok
