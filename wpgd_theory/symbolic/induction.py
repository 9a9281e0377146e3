r"""Induction over a symbolic length for the GLA recurrences (G1, G2; scope ``all-sizes``).

Sequences are sympy functions of a symbolic index (``g(k)``, ``T(j)``, ``ω(i)``) and the
unrolled formulas are ``Sum``/``Product`` with symbolic limits.  A claim "``F(n)`` satisfies
the recurrence" is checked by **induction**: the base case by evaluation, the step by
exact rewriting with two rules, each valid for every length,

* ``Σ_{j=a}^{b+1} f(j) = Σ_{j=a}^{b} f(j) + f(b+1)`` (``b ≥ a − 1``),
* ``Π_{k=a}^{b+1} g(k) = g(b+1) · Π_{k=a}^{b} g(k)`` and ``Π_{k=a}^{b} g(k) = g(a) · Π_{k=a+1}^{b} g(k)``
  (``b ≥ a − 1``, resp. ``b ≥ a``; the empty product is 1),

followed by a normal form (factors free of the summation index are moved out of sums, then
``expand``); the two sides must agree structurally.  The side conditions of the rules are
checked on the symbolic limits where they are used (they hold inside the summation range).
Every rule use is also confirmed by evaluating both sides at concrete lengths
(:func:`confirm_rule`), and the fixed-size engine re-derives the statements at small ``n``.
"""

from __future__ import annotations

import sympy as sp

from .algebra import Identity

__all__ = ["peel_sum_top", "peel_product_top", "peel_product_bottom", "normal_form", "g_unrolling",
           "g2_forward", "g2_inverse", "confirm_rules", "g1_readout", "g3_key_unrolling", "g3_diag_products",
           "g3_value_readout", "g4_layer_step", "g4_unmasked"]

i, j, k, n = sp.symbols("i j k n", integer=True, positive=True)
g, T, w = sp.Function("g"), sp.Function("T"), sp.Function("omega")
ALLN = {"n": "symbolic"}


def peel_sum_top(s: sp.Sum) -> sp.Expr:
    r"""``Σ_{j=a}^{b} f = Σ_{j=a}^{b−1} f + f(b)``."""
    (f, (var, a, b)), = [(s.function, s.limits[0])]
    return sp.Sum(f, (var, a, b - 1)) + f.subs(var, b)


def peel_product_top(p: sp.Product) -> sp.Expr:
    r"""``Π_{k=a}^{b} g = g(b) · Π_{k=a}^{b−1} g``."""
    f, (var, a, b) = p.function, p.limits[0]
    return f.subs(var, b) * sp.Product(f, (var, a, b - 1))


def peel_product_bottom(p: sp.Product) -> sp.Expr:
    r"""``Π_{k=a}^{b} g = g(a) · Π_{k=a+1}^{b} g``."""
    f, (var, a, b) = p.function, p.limits[0]
    return f.subs(var, a) * sp.Product(f, (var, a + 1, b))


def _split(expr, var):
    dep, ind = [], []
    for fac in sp.Mul.make_args(expr):
        (dep if var in fac.free_symbols else ind).append(fac)
    return sp.Mul(*ind), sp.Mul(*dep)


def normal_form(expr: sp.Expr) -> sp.Expr:
    """Expand, distribute sums over added terms and move index-free factors out of sums."""
    expr = sp.expand(expr)
    out = []
    for term in sp.Add.make_args(expr):
        facs = []
        coef = sp.Integer(1)
        for fac in sp.Mul.make_args(term):
            if isinstance(fac, sp.Sum):
                var = fac.limits[0][0]
                parts = sp.Add.make_args(sp.expand(fac.function))
                if len(parts) > 1:
                    facs.append(sp.Add(*[normal_form(sp.Sum(p, fac.limits)) for p in parts]))
                    continue
                c, rest = _split(parts[0], var)
                coef *= c
                facs.append(sp.Sum(rest, fac.limits))
            else:
                facs.append(fac)
        out.append(sp.expand(coef * sp.Mul(*facs)))
    return sp.expand(sp.Add(*out))


def _unrolled(top):
    r"""``S_top = Σ_{j=1}^{top} (Π_{k=j+1}^{top} g_k) T_j``."""
    return sp.Sum(sp.Product(g(k), (k, j + 1, top)) * T(j), (j, 1, top))


def g_unrolling() -> list:
    r"""Unrolling of ``S_i = g_i S_{i−1} + T_i``, ``S_0 = 0``: ``S_i = Σ_{j≤i} (Π_{k=j+1}^{i} g_k) T_j``.

    Base: ``S_0`` is the empty sum. Step: peel the top term of ``S_{i+1}`` (its product is empty)
    and, for ``j ≤ i``, the top factor ``g_{i+1}`` of every product."""
    base = _unrolled(0).doit()
    step = peel_sum_top(_unrolled(i + 1))
    # inside the remaining sum j ≤ i < i + 1, so peeling the top factor of the product is valid
    inner = step.args[0] if isinstance(step.args[0], sp.Sum) else next(a for a in step.args if isinstance(a, sp.Sum))
    top_term = step - inner
    f = inner.function
    prod = next(a for a in sp.Mul.make_args(f) if isinstance(a, sp.Product))
    inner2 = sp.Sum(f.subs(prod, peel_product_top(prod)), inner.limits)
    lhs = normal_form(inner2 + top_term.doit())
    rhs = normal_form(g(i + 1) * _unrolled(i) + T(i + 1))
    return [Identity("S_0 = 0", ALLN, base, 0),
            Identity("S_{i+1} = g_{i+1} S_i + T_{i+1}", {"i": "symbolic"}, lhs - rhs, 0)]


def _omega(idx, top=n + 1):
    r"""``ω_idx = Π_{k=idx+1}^{n+1} g_k`` (G1: the query's gate included)."""
    return sp.Product(g(k), (k, idx + 1, top))


def g2_forward() -> list:
    r"""``ω_n = g_{n+1}`` and ``ω_i = g_{i+1} ω_{i+1}`` for ``i < n`` (peel the bottom factor)."""
    return [Identity("omega_n = g_{n+1}", ALLN, _omega(n).doit() - g(n + 1), 0),
            Identity("omega_i = g_{i+1} omega_{i+1}", ALLN, normal_form(peel_product_bottom(_omega(i)))
                     - normal_form(g(i + 1) * _omega(i + 1)), 0)]


def g2_inverse() -> list:
    r"""Telescoping by downward induction on ``i``: with ``g_{n+1} = ω_n`` and ``g_{k} = ω_{k−1}/ω_k``
    (``2 ≤ k ≤ n``), ``P(i) = Π_{k=i+1}^{n+1} g_k = ω_i``.  Base ``i = n``: ``P(n) = g_{n+1} = ω_n``.
    Step: ``P(i−1) = g_i P(i) = (ω_{i−1}/ω_i) ω_i = ω_{i−1}`` (``ω`` generic, nonzero)."""
    gate_i = w(i - 1) / w(i)
    step = peel_product_bottom(_omega(i - 1))  # g(i) · P(i)
    step = step.subs(g(i), gate_i)
    P_i = [a for a in sp.Mul.make_args(step) if isinstance(a, sp.Product)][0]
    step = step.subs(P_i, w(i))  # induction hypothesis P(i) = ω_i
    return [Identity("P(n) = g_{n+1} = omega_n", ALLN, _omega(n).doit().subs(g(n + 1), w(n)) - w(n), 0),
            Identity("P(i-1) = omega_{i-1}", ALLN, sp.cancel(step - w(i - 1)), 0)]


def confirm_rules(lengths=(0, 1, 2, 3, 4)) -> list:
    """The rewriting rules evaluated at concrete lengths (``doit``): a sanity check of the engine."""
    out = []
    for b in lengths:
        s1 = sp.Sum(T(j), (j, 1, b))
        out.append(Identity("peel sum", {"b": b}, s1.doit() - peel_sum_top(s1).doit(), 0))
        p1 = sp.Product(g(k), (k, 2, b + 1))
        out.append(Identity("peel product top", {"b": b}, p1.doit() - peel_product_top(p1).doit(), 0))
        if b >= 1:
            out.append(Identity("peel product bottom", {"b": b}, p1.doit() - peel_product_bottom(p1).doit(), 0))
    return out


def g1_readout() -> list:
    r"""The readout of one write (``d`` symbolic): with ``k_j = [P_k x_j; 0]``, ``v_j = [0; y_j]``,
    ``q = [P_q x; 0]``: ``[v_jk_jᵀq]_{d+1} = y_j (P_kx_j)ᵀ(P_qx) = y_j xᵀP_qᵀP_k x_j`` — the scalar
    ``(P_kx_j)ᵀ(P_qx)`` in canonical form (trace of a ``1 × 1`` word, transpose-invariant)."""
    from .matrixwick import letter

    Xj, X, Pk, Pq = letter("Xj"), letter("X"), letter("Pk"), letter("Pq")
    lhs = (Xj.T * Pk.T * Pq * X).trace()  # (P_k x_j)ᵀ (P_q x)
    rhs = (X.T * Pq.T * Pk * Xj).trace()  # xᵀ P x_j
    return [Identity("(P_k x_j)^T (P_q x) = x^T P_q^T P_k x_j", {"d": "symbolic"}, (lhs - rhs).as_expr(), 0)]


# ---------------------------------------------------------------------- G3: vector gates (noncommutative)
Tn = sp.Function("T", commutative=False)  #: the write v_j k_jᵀ (a matrix)
Dn = sp.Function("D", commutative=False)  #: the diagonal gate matrix of token k
Pi = sp.Function("Pi", commutative=False)  #: Pi(j, i) = D_{j+1} ⋯ D_i (right products; Pi(i, i) = I)
PiL = sp.Function("PiL", commutative=False)  #: PiL(j, i) = D_i ⋯ D_{j+1} (left products)
Diag = sp.Function("Diag", commutative=False)  #: diag(a) for an entrywise (commutative) vector a
Erow = sp.Symbol("e_label^T", commutative=False)  #: the row selector of the label coordinate
gv, gl = sp.Function("g"), sp.Function("g_label")  #: gate vector (entrywise) and its label entry


def _peel_sum(expr):
    s = next(a for a in sp.Add.make_args(expr) if isinstance(a, sp.Sum))
    return peel_sum_top(s)


def g3_key_unrolling() -> list:
    r"""Key-dimension gates scale the state's columns: ``S_i = S_{i−1} D_i + T_i`` (``D_i = diag(g_i)``).
    Unrolled ``S_i = Σ_{j≤i} T_j Π(j, i)`` with ``Π(j, i+1) = Π(j, i) D_{i+1}``, ``Π(i, i) = I``:
    base and step with non-commuting ``T``, ``D`` (factors are only ever pulled out on the right)."""
    def U(top):
        return sp.Sum(Tn(j) * Pi(j, top), (j, 1, top))

    step = peel_sum_top(U(i + 1)).subs(Pi(i + 1, i + 1), 1)
    inner = next(a for a in sp.Add.make_args(step) if isinstance(a, sp.Sum))
    rest = step - inner
    summand = inner.function.subs(Pi(j, i + 1), Pi(j, i) * Dn(i + 1))  # valid for j ≤ i
    left = sp.Mul(*sp.Mul.make_args(summand)[:-1])
    right = sp.Mul.make_args(summand)[-1]
    if j in right.free_symbols:
        raise AssertionError("the right factor must not depend on j")
    lhs = sp.Sum(left, inner.limits) * right + rest
    return [Identity("S_0 = 0 (key gates)", ALLN, U(0).doit(), 0),
            Identity("S_{i+1} = S_i D_{i+1} + T_{i+1}", ALLN, sp.expand(lhs - (U(i) * Dn(i + 1) + Tn(i + 1))), 0)]


def g3_diag_products() -> list:
    r"""``Π(j, i) = diag(⊙_{k=j+1}^{i} g_k)``: diagonal matrices multiply entrywise,
    ``diag(a) diag(b) = diag(a ⊙ b)``; induction on ``i`` (base ``Π(j, j) = diag(1) = I``)."""
    prod = sp.Product(gv(k), (k, j + 1, i))
    step = (Diag(prod) * Diag(gv(i + 1)))  # Π(j, i) D_{i+1} with the induction hypothesis
    merged = Diag(step.args[0].args[0] * step.args[1].args[0])  # diag(a) diag(b) = diag(a ⊙ b)
    target = sp.Product(gv(k), (k, j + 1, i + 1))
    return [Identity("Pi(j, j) = diag(empty product) = I", ALLN, sp.Product(gv(k), (k, j + 1, j)).doit() - 1, 0),
            Identity("Pi(j, i+1) = diag(prod_{k=j+1}^{i+1} g_k)", ALLN,
                     normal_form(merged.args[0]) - normal_form(peel_product_top(target)), 0)]


def g3_value_readout() -> list:
    r"""Value-dimension gates scale the state's rows: ``S_i = D_i S_{i−1} + T_i`` (unrolled with left
    products ``PiL``); the label row ``e_labelᵀ D_k = g_label(k) e_labelᵀ`` (``D_k`` diagonal), so by
    induction ``e_labelᵀ PiL(j, i) = (Π_{k=j+1}^{i} g_label(k)) e_labelᵀ``: value gating reads out as
    scalar gating with the label coordinate's gate."""
    def U(top):
        return sp.Sum(PiL(j, top) * Tn(j), (j, 1, top))

    step = peel_sum_top(U(i + 1)).subs(PiL(i + 1, i + 1), 1)
    inner = next(a for a in sp.Add.make_args(step) if isinstance(a, sp.Sum))
    summand = inner.function.subs(PiL(j, i + 1), Dn(i + 1) * PiL(j, i))
    first = sp.Mul.make_args(summand)[0]
    lhs = first * sp.Sum(sp.Mul(*sp.Mul.make_args(summand)[1:]), inner.limits) + (step - inner)
    # the label row: e D_{i+1} PiL(j, i) = g_label(i+1) e PiL(j, i) = g_label(i+1) Π_{k=j+1}^{i} g_label e
    hyp = sp.Product(gl(k), (k, j + 1, i))
    read = gl(i + 1) * hyp * Erow
    return [Identity("S_{i+1} = D_{i+1} S_i + T_{i+1} (value gates)", ALLN,
                     sp.expand(lhs - (Dn(i + 1) * U(i) + Tn(i + 1))), 0),
            Identity("e^T PiL(j, i+1) = prod g_label e^T", ALLN,
                     sp.expand(normal_form(read) - normal_form(peel_product_top(sp.Product(gl(k), (k, j + 1, i + 1)))
                                                             * Erow)), 0)]


# ---------------------------------------------------------------------- G4: layers
def g4_layer_step() -> list:
    r"""One residual layer is one causal WPGD step, for symbolic ``d``, ``i``, ``n``.

    With ``k_j = [x_j; 0]``, ``q_i = [P_ℓᵀx_i; 0]``, ``v_j = [0; −ρ_j]`` the unrolled state (Step 1, with
    ``T_j = m_j v_jk_jᵀ``) gives ``o_i = Σ_{j≤i} ω_ij m_j v_j (k_jᵀq_i)``: its feature block is 0 (the
    stream's features never change) and its label entry is ``−Σ_{j≤i} ω_ij m_j ρ_j (x_jᵀP_ℓᵀx_i)``.
    Checked: ``x_jᵀP_ℓᵀx_i = x_iᵀP_ℓx_j`` (canonical trace form), so the residual update equals the
    causal WPGD update ``ρ_i − x_iᵀP_ℓ Σ_j ω_ij m_j x_jρ_j`` term by term (``j`` symbolic)."""
    from .matrixwick import letter

    Xi, Xj, Pl = letter("Xi"), letter("Xj"), letter("Pl")
    a = sp.Function("a")  # a(i, j) = x_iᵀ P_ℓ x_j
    m, rho, om = sp.Function("m"), sp.Function("rho"), sp.Function("omega")
    gla = rho(i) + sp.Sum(om(i, j) * m(j) * (-rho(j)) * sp.Symbol("kq"), (j, 1, i))  # kq = k_jᵀ q_i
    wpgd = rho(i) - sp.Sum(om(i, j) * m(j) * rho(j) * a(i, j), (j, 1, i))
    kq = (Xj.T * Pl.T * Xi).trace()  # k_jᵀ q_i = x_jᵀ P_ℓᵀ x_i
    xPx = (Xi.T * Pl * Xj).trace()  # x_iᵀ P_ℓ x_j
    same = (kq - xPx).is_zero()
    # the readout identity licenses the substitution k_jᵀq_i -> a(i, j); without it nothing is substituted
    gla_sub = gla.subs(sp.Symbol("kq"), a(i, j)) if same else gla
    return [Identity("x_j^T P^T x_i = x_i^T P x_j", {"d": "symbolic"}, (kq - xPx).as_expr(), 0),
            Identity("residual GLA update = causal WPGD update", ALLN, normal_form(gla_sub) - normal_form(wpgd), 0)]


def g4_unmasked() -> list:
    r"""``L = 2`` without the write mask (``m_{n+1} = 1``): the query's own term ``j = n+1`` has weight
    ``ω_{n+1,n+1} = 1`` (empty product) and value ``−ρ_{n+1}``; in layer 1 ``ρ^{(0)}_{n+1} = 0`` so
    nothing changes, in layer 2 it adds ``−a₂(n+1,n+1) ρ^{(1)}_{n+1}`` with ``ρ^{(1)}_{n+1} = −ŷ₁``:
    ``ŷ_unmasked − ŷ_masked = −(xᵀP₂x) ŷ₁`` (``n`` symbolic; peel the top term of the sum)."""
    a2, r1, om2 = sp.Function("a2"), sp.Function("rho1"), sp.Function("omega2")
    y1 = sp.Symbol("yhat_1")

    def rho2_query(top):
        return r1(n + 1) - sp.Sum(om2(n + 1, j) * a2(n + 1, j) * r1(j), (j, 1, top))

    unmasked = peel_sum_top(sp.Sum(om2(n + 1, j) * a2(n + 1, j) * r1(j), (j, 1, n + 1)))
    unmasked = r1(n + 1) - unmasked.subs(om2(n + 1, n + 1), sp.Product(gv(k), (k, n + 2, n + 1)).doit())
    diff = (-unmasked) - (-rho2_query(n))  # ŷ = −ρ^{(2)}_{n+1}
    diff = diff.subs(r1(n + 1), -y1)
    a1, r0, om1 = sp.Function("a1"), sp.Function("rho0"), sp.Function("omega1")
    s1 = peel_sum_top(sp.Sum(om1(n + 1, j) * a1(n + 1, j) * r0(j), (j, 1, n + 1)))
    layer1 = (s1 - sp.Sum(om1(n + 1, j) * a1(n + 1, j) * r0(j), (j, 1, n))).subs(r0(n + 1), 0)
    return [Identity("layer 1: the query's own term vanishes (rho0_{n+1} = 0)", ALLN, sp.expand(layer1), 0),
            Identity("yhat_unmasked - yhat_masked = -(x^T P2 x) yhat_1", ALLN,
                     sp.expand(diff - (-a2(n + 1, n + 1) * y1)), 0)]
