# ruff: noqa: E501  (proof text: long lines of mathematics read better unbroken)
r"""Proof of theorem U3 (one root of the W4 equation for d ≤ 5, every R, r, σ²), the
elasticity bounds of theorem U2 re-checked, and the combined condition
2δ(κ_R)² min(2δ(κ_Σ)², φ(d)) < 1 (claim W5 for general Σ).

Checked by ``python -m wpgd_theory.symbolic.proofcheck general_sigma``.  The surrounding
study (U0–U2, the counterexamples C1, C2) is ``proofs/uniqueness.md``.
"""

from wpgd_theory.symbolic import elasticity as E
from wpgd_theory.symbolic.proofcheck import Proof, all_sizes, argument, certified

SUMS = ("generic-term sums (termsums: every d)",)
CERT = ("positivity certificate (sympy identity + preorder shape)",)

INTRO = r"""
**Setting** (`proofs/uniqueness.md`). The W4 equation is $F(\mu)=\mu-g(\mu)=0$ with
$g(\mu)=\tau h(t(\mu))$; at a root $F'(\mu^*)=1-\varepsilon_h\varepsilon_t$, with the elasticities
$\varepsilon_h=d\log h/d\log t\le0$ and $\varepsilon_t=d\log t/d\log\mu\le0$ (Lemma 1). If
$\varepsilon_h\varepsilon_t<1$ at every root, every root is a strict up-crossing of the $C^1$ function
$F$ and there is exactly one (between two consecutive up-crossings $F$ would have to cross down).
With $u=t/(\lambda+t)$, $p\propto\lambda^2/(\lambda+t)^2$, $q\propto\lambda p$:
$|\varepsilon_h|/2=E_pu-E_qu$. The two elasticity formulas and $F'(\mu^*)=1-\varepsilon_h\varepsilon_t$ are
Steps 1–2; the identities by which U2's bound on $\varepsilon_h$ carries over to $\varepsilon_t$ are Step 16.

**How it is checked.** Sums $\sum_{j=1}^d f(v_j)$ with $d$ *symbolic* are checked on their generic
term (sums are linear: an identity of the generic terms is an identity of the sums for every
$d$), and every such step is cross-checked with the sums written out at small $d$ (in the
eigenvalues themselves where they appear). Inequalities are reduced to exact positivity certificates
$\text{target}\cdot\text{den}=\sum_i c_is_i^2\prod_{j\in J_i}g_j$ with $c_i>0$ and hypotheses
$g_j\ge0$; numbers are enclosed in interval arithmetic.
"""

PROOF = Proof(
    family="general_sigma",
    title="Uniqueness for general Σ: theorems U3, U2 and the combined condition",
    claims=("W5",),
    intro=INTRO,
    steps=[
        all_sizes(
            r"**The elasticities.** With $h(t)=\sum\lambda^2/(\lambda+t)^2\big/\sum\lambda^3/(\lambda+t)^2$ and "
            r"$t(\mu)=\tau\sum s^2/(x+\mu)^2\big/\sum s^2x/(x+\mu)^2$: termwise "
            r"$t\,\partial_t\frac{\lambda^2}{(\lambda+t)^2}=-2\frac{\lambda^2}{(\lambda+t)^2}u$ and the same for "
            r"$\lambda^3/(\lambda+t)^2$, so by the quotient rule $\varepsilon_h=d\log h/d\log t=2(E_qu-E_pu)$; "
            r"likewise $\mu\,\partial_\mu\frac{s^2}{(x+\mu)^2}=-2\frac{s^2}{(x+\mu)^2}v$ with $v=\mu/(x+\mu)$, "
            r"$\pi\propto s^2/(x+\mu)^2$, $\rho\propto x\pi$, so $\varepsilon_t=d\log t/d\log\mu=2(E_\rho v-E_\pi v)$ "
            r"($\tau$ drops out).",
            (E.u3_eps_h_formula, E.u3_eps_t_formula), SUMS + ("sympy quotient rule on generic functions",),
            cross=(E.crosscheck_elasticities,), sizes="every d and number of components (termwise)"),
        all_sizes(
            r"**The derivative at a root.** For $F=\mu-g$, $g=\tau h(t(\mu))$, the chain rule gives "
            r"$F'(\mu)=1-\frac{g(\mu)}{\mu}\varepsilon_h\varepsilon_t$ for any differentiable $h$, $t$; at a root "
            r"$g(\mu^*)=\mu^*$, so $F'(\mu^*)=1-\varepsilon_h\varepsilon_t$.",
            E.u3_root_derivative, ("sympy chain rule on generic functions h, t",),
            cross=(E.crosscheck_root_derivative,), sizes="any h, t (generic functions)"),
        all_sizes(
            r"**Change of variables.** Put $v_j=\lambda_j/(\lambda_j+t)\in(0,1)$, i.e. $\lambda=tv/(1-v)$. Then "
            r"$p_j\propto v_j^2$, $u_j=1-v_j$ and $q_j\propto tv_j^3/(1-v_j)$.",
            E.u3_change_of_variables, ("sympy cancel (one eigenvalue)",), cross=(E.crosscheck_change_of_variables,),
            sizes="every d (termwise)"),
        all_sizes(
            r"**The identity.** With $A=\sum v^2$, $B=\sum v^3$, $C=\sum v^3/(1-v)$: $\sum pu=A-B$, $\sum p=A$, "
            r"$\sum qu=tB$, $\sum q=tC$, hence $|\varepsilon_h|/2=E_pu-E_qu=1-B/A-B/C$.",
            E.u3_elasticity_identity, SUMS, cross=(E.crosscheck_change_of_variables,), sizes="symbolic d"),
        all_sizes(
            r"**$B/C\ge1-m$** with $m=\max_jv_j<1$: termwise $v^3-(1-m)\frac{v^3}{1-v}=\frac{v^3(m-v)}{1-v}$, and "
            r"$v^3(m-v)/(1-v)\ge0$ for $0\le v\le m$, $v<1$ (certificate $v^3(m-v)=v^2\cdot v\cdot(m-v)$ over the "
            r"strict denominator $1-v$). Summing, $B-(1-m)C\ge0$ and $C>0$.",
            E.u3_bc_bound, SUMS + CERT, cross=(E.crosscheck_split,),
            sizes="symbolic d; inequality certified for 0 ≤ v ≤ m < 1"),
        all_sizes(
            r"**Splitting off the largest value.** With $v_j=my_j$ ($y\in(0,1]$, $y=1$ at the maximum): "
            r"$B/A=m\sum y^3/\sum y^2$, so by Steps 4–5 "
            r"$|\varepsilon_h|/2\le m-B/A=m\,\frac{\sum y^2(1-y)}{\sum y^2}=m\,G$, "
            r"$G=\frac{\sum'y^2(1-y)}{1+\sum'y^2}$, the sums $\sum'$ over the other $d-1$ values.",
            E.u3_split_max, SUMS, cross=(E.crosscheck_split,), sizes="symbolic d"),
        certified(
            r"**A cubic maximum.** For $y,c\ge0$: $\frac{4c^3}{27}-y^2(c-y)=(y-\tfrac{2c}3)^2(y+\tfrac c3)\ge0$, so "
            r"$\max_{y\ge0}y^2(c-y)=4c^3/27$ (at $y=2c/3$).",
            E.u3_cubic_max, CERT, sizes="y, c ≥ 0"),
        all_sizes(
            r"**The fixed point.** $G(1+\sum'y^2)=\sum'y^2(1-y)$ is equivalent to $\sum'y^2(1-G-y)=G$, and "
            r"$1-G=(1+\sum'y^3)/(1+\sum'y^2)$ (so $1-G>0$). Put $q(G):=4(d-1)(1-G)^3-27G$.",
            E.u3_fixed_point, SUMS, cross=(E.crosscheck_split,), sizes="symbolic d"),
        certified(
            r"**$q$ is strictly decreasing.** $-q'(G)=27+12(d-1)(1-G)^2>0$. Let $G^*(d)$ be its root, the root of "
            r"$4(d-1)(1-G)^3=27G$, and $\varphi(d):=2G^*(d)$.",
            E.u3_monotone, CERT, sizes="every d ≥ 1 (k = d − 1 ≥ 0 symbolic)"),
        all_sizes(
            r"**Sharpness: where $G=G^*$.** At $y_0=2(1-G^*)/3$ for all $d-1$ values, "
            r"$(d-1)y_0^2(1-G^*-y_0)=4(d-1)(1-G^*)^3/27=G^*$, so $G=G^*$ there. With $y=\ell/(1+\ell)$, $\varphi(d)$ "
            r"is the formula $\varphi(d)=2\max_\ell\frac{(d-1)\ell^2}{(1+\ell)((d-1)\ell^2+(1+\ell)^2)}$ of "
            r"`proofs/uniqueness.md` (there observed numerically).",
            E.u3_sharp, ("sympy cancel and polynomial remainder modulo q",), cross=(E.crosscheck_sharp,),
            sizes="symbolic d (k = d − 1)"),
        argument(
            r"**The bound $|\varepsilon_h|<\varphi(d)$, and its sharpness.** With $c=1-G>0$ (Step 8) in Step 7, term by "
            r"term: $G\le\frac{4(d-1)(1-G)^3}{27}$, i.e. $q(G)\ge0$; $q$ is strictly decreasing (Step 9), so "
            r"$q(G)\ge0=q(G^*)$ gives $G\le G^*(d)$. Hence (Step 6) $|\varepsilon_h|\le2mG^*<2G^*=\varphi(d)$, strictly "
            r"because $m<1$ ($\lambda_{\max}<\infty$, $t>0$). At the point of Step 10 $G=G^*$, and letting one "
            r"eigenvalue $\to\infty$ ($m\to1$, $C\to\infty$) $|\varepsilon_h|\to2G^*$: $\varphi(d)$ is the supremum "
            r"(proved here; `proofs/uniqueness.md` observed it numerically)."),
        certified(
            r"**$\varphi(d)\le1/2$ for $d\le5$.** $-q(1/4)=\frac{27}{16}(5-d)\ge0$ for $d\le5$, so $G^*\le1/4$ ($q$ decreases, Step 9); at "
            r"$d=5$, $q(1/4)=0$ exactly: $\varphi(5)=1/2$.",
            E.u3_small_d, CERT, sizes="d ≤ 5 (symbolic k ≤ 4)"),
        certified(
            r"**$|\varepsilon_t|<2$** for every $R$, $r$: with $w=\mu/(x+\mu)\in(0,1)$, "
            r"$|\varepsilon_t|/2=E_\pi w-E_\rho w\le E_\pi w<1$ since $\sum\pi-\sum\pi w=\sum\pi(1-w)>0$.",
            E.u3_eps_t, SUMS + CERT, sizes="every m (termwise)"),
        argument(
            r"**Theorem U3.** For $d\le5$, at every root $\varepsilon_h\varepsilon_t=|\varepsilon_h||\varepsilon_t|"
            r"<\varphi(d)\cdot2\le1$, so $F'(\mu^*)>0$ at every root and the W4 equation has exactly one root, for "
            r"every $R$, $r$, $\sigma^2$. By U1 the optimal WPGD is unique up to $(cP,\omega/c)$. $\square$"),
        argument(
            r"**Theorem U2, re-checked: the reduction.** Let $m=E_p\lambda$; then $q_j=p_j\lambda_j/m$, "
            r"$\sum_j(p_j-q_j)=0$ and $p_j-q_j=p_j(1-\lambda_j/m)$ has the sign of $m-\lambda_j$. As $u$ decreases in "
            r"$\lambda$, $E_pu-E_qu=\sum_j(u_j-u(m))(p_j-q_j)$ is a sum of nonnegative terms, bounded by "
            r"$(u(\lambda_{\min})-u(m))T+(u(m)-u(\lambda_{\max}))T=(u(\lambda_{\min})-u(\lambda_{\max}))\,T$ with "
            r"$T=\sum_{\lambda_j<m}(p_j-q_j)=E_p[(1-\lambda/m)_+]$. Both factors are invariant under scaling "
            r"$(\lambda,t,m)$, so take $\lambda_{\min}=1$, $\lambda_{\max}=s^2=\kappa_\Sigma$."),
        all_sizes(
            r"**The reduction's identities, for both elasticities.** For $(z,r,\tilde w,\tilde w')=(\lambda,t,"
            r"\lambda^2/(\lambda+t)^2,\lambda^3/(\lambda+t)^2)$ ($\varepsilon_h$) and $(x,\mu,s^2/(x+\mu)^2,"
            r"s^2x/(x+\mu)^2)$ ($\varepsilon_t$), with $u=r/(z+r)$ and $m=E_wz$: $\tilde w'=z\tilde w$, so "
            r"$w'_j=w_jz_j/m$ and $w_j-w'_j=w_j(1-z_j/m)$; $\sum_j(u_j-c)(w_j-w'_j)=E_wu-E_{w'}u$ for every constant "
            r"$c$; $u$ is strictly decreasing in $z$; $u$ and the normalised weights are invariant under "
            r"$(z,r)\to(cz,cr)$; and $u(1)-u(s^2)=r(s^2-1)/((1+r)(s^2+r))$, the quantity of Step 19. Hence the "
            r"certified Steps 17–19 (statements about any distribution on $[a,b]$ with mean $m$ and any ridge) bound "
            r"$\varepsilon_t$ with $\kappa_R=x_{\max}/x_{\min}$ exactly as they bound $\varepsilon_h$ with "
            r"$\kappa_\Sigma$. The sign argument of Step 15 (a sum of nonnegative terms) is not re-checked here.",
            E.u2_reduction_identities, SUMS + CERT, cross=(E.crosscheck_reduction,),
            sizes="every d and number of components (termwise)"),
        certified(
            r"**$T$ by the chord (Edmundson–Madansky).** On $[a,b]=[\lambda_{\min},\lambda_{\max}]$ the chord "
            r"$\ell(\lambda)=(b-\lambda)(1-a/m)/(b-a)$ dominates $(1-\lambda/m)_+$ (on $[a,m]$ the difference is "
            r"$(\lambda-a)(b-m)/(m(b-a))$, on $[m,b]$ $\ell\ge0$), and $\ell$ is affine with $E_p\lambda=m$, so "
            r"$T\le\ell(m)=(b-m)(m-a)/(m(b-a))$.",
            E.u2_chord, CERT, sizes="a ≤ λ ≤ b, a ≤ m ≤ b"),
        certified(
            r"**$T\le\delta(\kappa_\Sigma)$.** With $a=1$, $b=s^2$: "
            r"$\delta\,m(s^2-1)-(s^2-m)(m-1)=(m-s)^2\ge0$.",
            E.u2_two_point, CERT, sizes="m > 0, s > 1"),
        certified(
            r"**$u(\lambda_{\min})-u(\lambda_{\max})\le\delta(\kappa_\Sigma)$** for every $t>0$: "
            r"$\delta-\frac{t(s^2-1)}{(1+t)(s^2+t)}=\frac{(s-1)(t-s)^2}{(s+1)(1+t)(s^2+t)}\ge0$.",
            E.u2_ridge_difference, CERT, sizes="s ≥ 1, t > 0"),
        argument(
            r"**U2, and the combined condition.** By Steps 15, 17–19, $|\varepsilon_h|/2=E_pu-E_qu\le"
            r"(u(\lambda_{\min})-u(\lambda_{\max}))\,T\le\delta(\kappa_\Sigma)^2$, so $|\varepsilon_h|\le"
            r"2\delta(\kappa_\Sigma)^2$; the same three steps with $(\lambda,t,p,q)\to(x,\mu,\pi,\rho)$ give "
            r"$|\varepsilon_t|\le2\delta(\kappa_R)^2$ (Step 16). $\square$ (U2) With Step 11, $|\varepsilon_h|\le\min(2\delta(\kappa_\Sigma)^2,"
            r"\varphi(d))$. So $2\delta(\kappa_R)^2\min(2\delta(\kappa_\Sigma)^2,\varphi(d))<1$ implies "
            r"$\varepsilon_h\varepsilon_t<1$ at every root: exactly one root. It contains U2 and U3 (for $d\le5$ the "
            r"left side is $<2\cdot\frac12$). $\square$"),
        all_sizes(
            r"**Consequences: two identities.** With $s=\sqrt\kappa$, $\delta(\kappa)-\frac12=\frac{s-3}{2(s+1)}$; and "
            r"$\delta(\kappa)=\sqrt T$ at $\sqrt\kappa=(1+\sqrt T)/(1-\sqrt T)$.",
            E.combined_consequences, ("sympy cancel",), cross=(E.crosscheck_consequences,),
            sizes="every κ ≥ 1 (symbolic)"),
        argument(
            r"**Consequences.** Several roots need $2\delta(\kappa_R)^2\min(2\delta(\kappa_\Sigma)^2,\varphi(d))\ge1$ "
            r"(Step 20); as $\delta<1$ this needs $\varphi(d)>1/2$ ($d\ge6$, Step 12) and $\delta(\kappa_\Sigma)>1/2$, "
            r"i.e. (Step 21, $\delta$ increasing in $\kappa$) $\kappa_\Sigma>9$. It also needs "
            r"$\delta(\kappa_R)^2\ge1/(2\varphi(d))$, i.e. (Step 21) $\sqrt{\kappa_R}\ge(1+\sqrt T)/(1-\sqrt T)$ with "
            r"$T=1/(2\varphi(d))$."),
        certified(
            r"**At $d=6$:** $G^*(6)=0.27836629814158295705\ldots$, $\varphi(6)=0.5567\ldots>1/2$ and several roots "
            r"need $\kappa_R\ge1385.7928824235560\ldots$ (so $\kappa_R>1385.79$; the issue's rounded figure is "
            r"1386) — enclosed in interval arithmetic at 200 bits.",
            E.kappa_r_threshold_d6, ("mpmath.iv interval arithmetic",), sizes="d = 6"),
        argument(
            r"**Where uniqueness first fails.** `proofs/data/counterexamples.json` → `high_precision` → "
            r"`three-roots-d6`: a task model with $d=6$ ($\kappa_\Sigma=232.2$, $\kappa_R=5\cdot10^5$, both above "
            r"the thresholds) whose W4 equation has three roots, counted by certified root isolation (re-verified "
            r"in interval arithmetic) and each located to 50 digits by an interval sign change of $F$ "
            r"(`tests/symbolic/test_uniqueness_theorems.py`). So U3's bound $d\le5$ is sharp."),
    ],
)
