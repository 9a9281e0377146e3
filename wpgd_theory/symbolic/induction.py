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
           "g2_forward", "g2_inverse", "confirm_rules", "crosscheck_unrolling", "g1_readout",
           "g3_key_unrolling", "g3_diag_products",
           "g3_value_readout", "g4_layer_step", "g4_unmasked"]

i, j, k, n = sp.symbols("i j k n", integer=True, positive=True)
g, T, w = sp.Function("g"), sp.Function("T"), sp.Function("omega")
ALLN = {"n": "symbolic"}


def peel_sum_top(s: sp.Sum) -> sp.Expr:
    r"""Peel the top term of a sum: ``Σ_{j=a}^{b} f = Σ_{j=a}^{b−1} f + f(b)``.

    One of the two rewriting rules of the induction (valid for every ``b ≥ a − 1``).

    Parameters
    ----------
    s : sympy.Sum
        A sum with one limit ``(j, a, b)``.

    Returns
    -------
    sympy.Expr
        The peeled sum plus the top term.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.induction import peel_sum_top
    >>> j, n = sp.symbols("j n", integer=True, positive=True)
    >>> f = sp.Function("f")
    >>> peel_sum_top(sp.Sum(f(j), (j, 1, n)))
    f(n) + Sum(f(j), (j, 1, n - 1))
    """
    (f, (var, a, b)), = [(s.function, s.limits[0])]
    return sp.Sum(f, (var, a, b - 1)) + f.subs(var, b)


def peel_product_top(p: sp.Product) -> sp.Expr:
    r"""Peel the top factor of a product: ``Π_{k=a}^{b} g = g(b) · Π_{k=a}^{b−1} g``.

    Valid for every ``b ≥ a`` (the empty product is 1).

    Parameters
    ----------
    p : sympy.Product
        A product with one limit ``(k, a, b)``.

    Returns
    -------
    sympy.Expr
        The top factor times the peeled product.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.induction import peel_product_top
    >>> k, n = sp.symbols("k n", integer=True, positive=True)
    >>> g = sp.Function("g")
    >>> peel_product_top(sp.Product(g(k), (k, 1, n)))
    g(n)*Product(g(k), (k, 1, n - 1))
    """
    f, (var, a, b) = p.function, p.limits[0]
    return f.subs(var, b) * sp.Product(f, (var, a, b - 1))


def peel_product_bottom(p: sp.Product) -> sp.Expr:
    r"""Peel the bottom factor of a product: ``Π_{k=a}^{b} g = g(a) · Π_{k=a+1}^{b} g``.

    Valid for every ``b ≥ a``.

    Parameters
    ----------
    p : sympy.Product
        A product with one limit ``(k, a, b)``.

    Returns
    -------
    sympy.Expr
        The bottom factor times the peeled product.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.induction import peel_product_bottom
    >>> k, n = sp.symbols("k n", integer=True, positive=True)
    >>> g = sp.Function("g")
    >>> peel_product_bottom(sp.Product(g(k), (k, 1, n)))
    g(1)*Product(g(k), (k, 2, n))
    """
    f, (var, a, b) = p.function, p.limits[0]
    return f.subs(var, a) * sp.Product(f, (var, a + 1, b))


def _split(expr, var):
    dep, ind = [], []
    for fac in sp.Mul.make_args(expr):
        (dep if var in fac.free_symbols else ind).append(fac)
    return sp.Mul(*ind), sp.Mul(*dep)


def normal_form(expr: sp.Expr) -> sp.Expr:
    r"""Return the normal form of an expression with sums.

    Expand, distribute sums over added terms and move index-free factors out of sums.  Two
    sides of an induction step agree when their normal forms are equal.

    Parameters
    ----------
    expr : sympy.Expr
        An expression possibly containing ``Sum`` objects.

    Returns
    -------
    sympy.Expr
        The expanded expression in normal form.

    Examples
    --------
    >>> import sympy as sp
    >>> from wpgd_theory.symbolic.induction import normal_form
    >>> j, n = sp.symbols("j n", integer=True, positive=True)
    >>> x, f = sp.Symbol("x"), sp.Function("f")
    >>> normal_form(sp.Sum(x * f(j) + j, (j, 1, n)))
    x*Sum(f(j), (j, 1, n)) + Sum(j, (j, 1, n))
    """
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
    r"""Prove the unrolling of the GLA recurrence by induction on a symbolic length (claim G1).

    Unrolling of ``S_i = g_i S_{i−1} + T_i``, ``S_0 = 0``: ``S_i = Σ_{j≤i} (Π_{k=j+1}^{i} g_k) T_j``.

    Base: ``S_0`` is the empty sum. Step: peel the top term of ``S_{i+1}`` (its product is empty)
    and, for ``j ≤ i``, the top factor ``g_{i+1}`` of every product.

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.induction import g_unrolling
    >>> identities = g_unrolling()
    >>> identities[0]
    Identity('S_0 = 0', n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
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
    r"""Check that the weights of scalar gates satisfy ``ω_i = g_{i+1} ω_{i+1}`` for symbolic ``n`` (claim G2).

    ``ω_n = g_{n+1}`` and ``ω_i = g_{i+1} ω_{i+1}`` for ``i < n`` (peel the bottom factor).

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.induction import g2_forward
    >>> identities = g2_forward()
    >>> identities[0]
    Identity('omega_n = g_{n+1}', n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    return [Identity("omega_n = g_{n+1}", ALLN, _omega(n).doit() - g(n + 1), 0),
            Identity("omega_i = g_{i+1} omega_{i+1}", ALLN, normal_form(peel_product_bottom(_omega(i)))
                     - normal_form(g(i + 1) * _omega(i + 1)), 0)]


def g2_inverse() -> list:
    r"""Prove that the gates recovered from monotone weights reproduce them, by induction (claim G2).

    Telescoping by downward induction on ``i``: with ``g_{n+1} = ω_n`` and ``g_{k} = ω_{k−1}/ω_k``
    (``2 ≤ k ≤ n``), ``P(i) = Π_{k=i+1}^{n+1} g_k = ω_i``.  Base ``i = n``: ``P(n) = g_{n+1} = ω_n``.
    Step: ``P(i−1) = g_i P(i) = (ω_{i−1}/ω_i) ω_i = ω_{i−1}`` (``ω`` generic, nonzero).

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.induction import g2_inverse
    >>> identities = g2_inverse()
    >>> identities[0]
    Identity('P(n) = g_{n+1} = omega_n', n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    gate_i = w(i - 1) / w(i)
    step = peel_product_bottom(_omega(i - 1))  # g(i) · P(i)
    step = step.subs(g(i), gate_i)
    P_i = [a for a in sp.Mul.make_args(step) if isinstance(a, sp.Product)][0]
    step = step.subs(P_i, w(i))  # induction hypothesis P(i) = ω_i
    return [Identity("P(n) = g_{n+1} = omega_n", ALLN, _omega(n).doit().subs(g(n + 1), w(n)) - w(n), 0),
            Identity("P(i-1) = omega_{i-1}", ALLN, sp.cancel(step - w(i - 1)), 0)]


def crosscheck_unrolling(lengths=(0, 1, 2, 3, 4, 5)) -> list:
    r"""Cross-check the unrolled recurrence (claim G1) by running it at concrete lengths.

    Fixed-size side of Step 1: the recurrence ``S_i = g_iS_{i−1} + T_i``, ``S_0 = 0``, *run* for
    ``i`` up to each concrete length with symbols ``g_k``, ``T_j``, against the unrolled formula
    evaluated there (``doit``).

    Parameters
    ----------
    lengths : sequence of int, optional
        The concrete lengths ``n`` (default ``(0, 1, 2, 3, 4, 5)``).

    Returns
    -------
    list of Identity
        The 3 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.induction import crosscheck_unrolling
    >>> identities = crosscheck_unrolling(lengths=(0, 1, 2))
    >>> identities[0]
    Identity('recurrence run = unrolled sum', n=0, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 3)
    """
    out = []
    gs = sp.symbols("g1:8")
    Ts = sp.symbols("T1:8")
    for top in lengths:
        S = sp.Integer(0)
        for step in range(1, top + 1):
            S = gs[step - 1] * S + Ts[step - 1]
        unrolled = _unrolled(top).doit().subs({g(q): gs[q - 1] for q in range(1, top + 2)}
                                             | {T(q): Ts[q - 1] for q in range(1, top + 2)})
        out.append(Identity("recurrence run = unrolled sum", {"n": top}, sp.expand(S - unrolled), 0))
    return out


crosscheck_unrolling.sizes = "lengths 0–5 (the recurrence run on symbols)"


def confirm_rules(lengths=(0, 1, 2, 3, 4)) -> list:
    r"""Confirm the two rewriting rules of the induction by evaluation at concrete lengths.

    The rewriting rules evaluated at concrete lengths (``doit``): a sanity check of the engine.

    Parameters
    ----------
    lengths : sequence of int, optional
        The concrete upper limits ``b`` (default ``(0, 1, 2, 3, 4)``).

    Returns
    -------
    list of Identity
        The 5 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.induction import confirm_rules
    >>> identities = confirm_rules(lengths=(0, 1))
    >>> identities[0]
    Identity('peel sum', b=0, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 5)
    """
    out = []
    for b in lengths:
        s1 = sp.Sum(T(j), (j, 1, b))
        out.append(Identity("peel sum", {"b": b}, s1.doit() - peel_sum_top(s1).doit(), 0))
        p1 = sp.Product(g(k), (k, 2, b + 1))
        out.append(Identity("peel product top", {"b": b}, p1.doit() - peel_product_top(p1).doit(), 0))
        if b >= 1:
            out.append(Identity("peel product bottom", {"b": b}, p1.doit() - peel_product_bottom(p1).doit(), 0))
    return out


# ---------------------------------------------------------------------- block matrices of symbolic size
def _block_products():
    """sympy block matrices with ``d × d`` / ``d × 1`` / ``1 × 1`` blocks (``d`` symbolic)."""
    d = sp.Symbol("d", integer=True, positive=True)

    def Z(r, c):
        return sp.ZeroMatrix(r, c)

    def blk(tl, br=None):
        return sp.BlockMatrix([[tl, Z(d, 1)], [Z(1, d), br if br is not None else Z(1, 1)]])

    def vec(top, bottom):
        return sp.BlockMatrix([[top], [bottom]])

    return d, Z, blk, vec


def _split_blocks(expr):
    """``(feature block, label block)`` of a ``(d+1) × 1`` block column after ``block_collapse``."""
    col = sp.block_collapse(expr)
    if not isinstance(col, sp.BlockMatrix) or col.blockshape != (2, 1):
        raise AssertionError(f"expected a 2 x 1 block column, got {col}")
    return col.blocks[0, 0], col.blocks[1, 0]


def _scalar_form(expr, symmetric=()):
    r"""A ``1 × 1`` matrix expression in canonical trace form (:mod:`.matrixwick`): a ``1 × 1`` matrix
    equals its trace, and the ``d × 1`` vectors and ``1 × 1`` scalars are embedded as ``d × d``
    letters (``x ↦ x e₁ᵀ``, ``y ↦ y e₁e₁ᵀ``, declared symmetric), which preserves these products."""
    from .sizefree import from_sympy

    return from_sympy(expr, symmetric).trace()


def g1_readout() -> list:
    r"""Derive G1's readout from the block recurrence for symbolic ``d`` (claim G1).

    G1's readout **derived from the block recurrence** (``d`` symbolic, sympy block matrices):
    with ``W_k = diag(P_k, 0)``, ``W_q = diag(P_q, 0)``, ``W_v = diag(0, 1)`` and tokens
    ``z_j = [x_j; y_j]``, ``z_{n+1} = [x; 0]``, the products give ``k_j = [P_kx_j; 0]``,
    ``v_j = [0; y_j]``, ``q = [P_qx; 0]`` and one write read by the query, ``v_jk_jᵀq``, has feature
    block 0 and label block ``y_j(P_kx_j)ᵀ(P_qx) = y_j xᵀP_qᵀP_kx_j`` (canonical trace form); the
    query's own write ``v_{n+1}k_{n+1}ᵀ`` is 0 (its label slot is 0), so masked and unmasked queries
    agree.  By Step 1 ``o_{n+1} = Σ_j ω_j v_jk_jᵀq`` (linear in the writes), so
    ``ŷ = Σ_j ω_j y_j xᵀPx_j = xᵀPXᵀ(ω⊙y)`` with ``P = P_qᵀP_k`` (the sum over ``j`` is Step 1's).

    Returns
    -------
    list of Identity
        The 3 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.induction import g1_readout
    >>> identities = g1_readout()
    >>> identities[0]
    Identity('feature block of v_j k_j^T q = 0', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 3)
    """
    d, Z, blk, vec = _block_products()
    Pk, Pq = sp.MatrixSymbol("Pk", d, d), sp.MatrixSymbol("Pq", d, d)
    xj, x, yj = sp.MatrixSymbol("Xj", d, 1), sp.MatrixSymbol("X", d, 1), sp.MatrixSymbol("yj", 1, 1)
    Wk, Wq, Wv = blk(Pk), blk(Pq), blk(Z(d, d), sp.Identity(1))
    zj, zq = vec(xj, yj), vec(x, Z(1, 1))
    kj, vj, q = (sp.block_collapse(W * z) for W, z in ((Wk, zj), (Wv, zj), (Wq, zq)))
    feat, label = _split_blocks(vj * kj.T * q)
    own_feat, own_label = _split_blocks(sp.block_collapse(Wv * zq) * sp.block_collapse(Wk * zq).T * q)
    claimed = _scalar_form(yj * x.T * Pq.T * Pk * xj, ("yj",))
    derived = _scalar_form(label, ("yj",))
    return [Identity("feature block of v_j k_j^T q = 0", {"d": "symbolic"},
                     sp.Integer(0 if feat.is_ZeroMatrix else 1), 0),
            Identity("label block of v_j k_j^T q = y_j x^T P_q^T P_k x_j", {"d": "symbolic"},
                     (derived - claimed).as_expr(), 0),
            Identity("the query's own write is 0 (masked = unmasked)", {"d": "symbolic"},
                     sp.Integer(0 if (own_feat.is_ZeroMatrix and own_label.is_ZeroMatrix) else 1), 0)]


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
    r"""Prove the unrolling with key-dimension gates (non-commuting factors) by induction (claim G3).

    Key-dimension gates scale the state's columns: ``S_i = S_{i−1} D_i + T_i`` (``D_i = diag(g_i)``).
    Unrolled ``S_i = Σ_{j≤i} T_j Π(j, i)`` with ``Π(j, i+1) = Π(j, i) D_{i+1}``, ``Π(i, i) = I``:
    base and step with non-commuting ``T``, ``D`` (factors are only ever pulled out on the right).

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Raises
    ------
    AssertionError
        If the peeled right factor depends on the summation index (an engine error).

    Examples
    --------
    >>> from wpgd_theory.symbolic.induction import g3_key_unrolling
    >>> identities = g3_key_unrolling()
    >>> identities[0]
    Identity('S_0 = 0 (key gates)', n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
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
    r"""Prove that products of diagonal gates are diagonal with entrywise products (claim G3).

    ``Π(j, i) = diag(⊙_{k=j+1}^{i} g_k)``: diagonal matrices multiply entrywise,
    ``diag(a) diag(b) = diag(a ⊙ b)``; induction on ``i`` (base ``Π(j, j) = diag(1) = I``).

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.induction import g3_diag_products
    >>> identities = g3_diag_products()
    >>> identities[0]
    Identity('Pi(j, j) = diag(empty product) = I', n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
    prod = sp.Product(gv(k), (k, j + 1, i))
    step = (Diag(prod) * Diag(gv(i + 1)))  # Π(j, i) D_{i+1} with the induction hypothesis
    merged = Diag(step.args[0].args[0] * step.args[1].args[0])  # diag(a) diag(b) = diag(a ⊙ b)
    target = sp.Product(gv(k), (k, j + 1, i + 1))
    return [Identity("Pi(j, j) = diag(empty product) = I", ALLN, sp.Product(gv(k), (k, j + 1, j)).doit() - 1, 0),
            Identity("Pi(j, i+1) = diag(prod_{k=j+1}^{i+1} g_k)", ALLN,
                     normal_form(merged.args[0]) - normal_form(peel_product_top(target)), 0)]


def g3_value_readout() -> list:
    r"""Prove that value-dimension gates read out as scalar gating with the label's gate (claim G3).

    Value-dimension gates scale the state's rows: ``S_i = D_i S_{i−1} + T_i`` (unrolled with left
    products ``PiL``); the label row ``e_labelᵀ D_k = g_label(k) e_labelᵀ`` (``D_k`` diagonal), so by
    induction ``e_labelᵀ PiL(j, i) = (Π_{k=j+1}^{i} g_label(k)) e_labelᵀ``: value gating reads out as
    scalar gating with the label coordinate's gate.

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.induction import g3_value_readout
    >>> identities = g3_value_readout()
    >>> identities[0]
    Identity('S_{i+1} = D_{i+1} S_i + T_{i+1} (value gates)', n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
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
    r"""Derive that one residual GLA layer is one causal WPGD step, for symbolic ``d``, ``i``, ``n`` (claim G4).

    One residual layer is one causal WPGD step, **derived from the block recurrence** for symbolic
    ``d``, ``i``, ``n``.

    sympy block matrices: ``W_k = diag(I, 0)``, ``W_q = diag(P_ℓᵀ, 0)``, ``W_v = diag(0, −1)`` on the
    stream ``z_j = [x_j; ρ_j]`` give ``k_j = [x_j; 0]``, ``v_j = [0; −ρ_j]``, ``q_i = [P_ℓᵀx_i; 0]``, and
    one write read by token ``i``, ``v_jk_jᵀq_i``, has feature block 0 (so the residual stream's
    features never change: the next layer's input has the same form, the induction invariant over
    layers) and label block ``−ρ_j x_jᵀP_ℓᵀx_i = −ρ_j x_iᵀP_ℓx_j`` (canonical trace form).  By Step 1
    the update is ``Σ_{j≤i} ω_ij m_j v_jk_jᵀq_i``; with the derived label block substituted, the
    residual update equals the causal WPGD update ``ρ_i − Σ_j ω_ij m_j ρ_j x_iᵀP_ℓx_j`` term by term
    (``Sum`` with symbolic ``i``).  Composition over ``L`` layers is the induction of Step 14.

    Returns
    -------
    list of Identity
        The 3 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.induction import g4_layer_step
    >>> identities = g4_layer_step()
    >>> identities[0]
    Identity('feature block of v_j k_j^T q_i = 0 (features unchanged)', d=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 3)
    """
    d, Z, blk, vec = _block_products()
    Pl = sp.MatrixSymbol("Pl", d, d)
    xi, xj = sp.MatrixSymbol("Xi", d, 1), sp.MatrixSymbol("Xj", d, 1)
    ri, rj = sp.MatrixSymbol("ri", 1, 1), sp.MatrixSymbol("rj", 1, 1)
    Wk, Wq, Wv = blk(sp.Identity(d)), blk(Pl.T), blk(Z(d, d), -sp.Identity(1))
    zi, zj = vec(xi, ri), vec(xj, rj)
    kj, vj, qi = sp.block_collapse(Wk * zj), sp.block_collapse(Wv * zj), sp.block_collapse(Wq * zi)
    feat, label = _split_blocks(vj * kj.T * qi)
    derived = _scalar_form(label, ("rj",))
    claimed = _scalar_form(-rj * xi.T * Pl * xj, ("rj",))
    same = (derived - claimed).is_zero()
    a = sp.Function("a")  # a(i, j) = x_iᵀ P_ℓ x_j
    m, rho, om = sp.Function("m"), sp.Function("rho"), sp.Function("omega")
    blockterm = sp.Symbol("label_block_j")  # the label block of v_j k_jᵀ q_i, per unit ρ_j: −a(i, j) once derived
    gla = rho(i) + sp.Sum(om(i, j) * m(j) * rho(j) * blockterm, (j, 1, i))
    wpgd = rho(i) - sp.Sum(om(i, j) * m(j) * rho(j) * a(i, j), (j, 1, i))
    # the derived block licenses the substitution; without it nothing is substituted and the step fails
    gla_sub = gla.subs(blockterm, -a(i, j)) if same else gla
    return [Identity("feature block of v_j k_j^T q_i = 0 (features unchanged)", {"d": "symbolic"},
                     sp.Integer(0 if feat.is_ZeroMatrix else 1), 0),
            Identity("label block of v_j k_j^T q_i = -rho_j x_i^T P x_j", {"d": "symbolic"},
                     (derived - claimed).as_expr(), 0),
            Identity("residual GLA update = causal WPGD update", ALLN, normal_form(gla_sub) - normal_form(wpgd), 0)]


def g4_unmasked() -> list:
    r"""Derive the effect of the unmasked query at ``L = 2``: ``ŷ_unmasked − ŷ_masked = −(xᵀP₂x) ŷ₁`` (claim G4).

    ``L = 2`` without the write mask (``m_{n+1} = 1``): the query's own term ``j = n+1`` has weight
    ``ω_{n+1,n+1} = 1`` (empty product) and value ``−ρ_{n+1}``; in layer 1 ``ρ^{(0)}_{n+1} = 0`` so
    nothing changes, in layer 2 it adds ``−a₂(n+1,n+1) ρ^{(1)}_{n+1}`` with ``ρ^{(1)}_{n+1} = −ŷ₁``:
    ``ŷ_unmasked − ŷ_masked = −(xᵀP₂x) ŷ₁`` (``n`` symbolic; peel the top term of the sum).

    Returns
    -------
    list of Identity
        The 2 exact identities checked; each is ``ok`` (residual 0) when it holds,
        and its ``size`` says for which sizes.

    Examples
    --------
    >>> from wpgd_theory.symbolic.induction import g4_unmasked
    >>> identities = g4_unmasked()
    >>> identities[0]
    Identity("layer 1: the query's own term vanishes (rho0_{n+1} = 0)", n=symbolic, residual=0)
    >>> all(identity.ok for identity in identities), len(identities)
    (True, 2)
    """
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


confirm_rules.sizes = "lengths 0–4 (the rewriting rules evaluated)"
