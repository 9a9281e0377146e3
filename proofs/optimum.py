# ruff: noqa: E501  (proof text: long lines of mathematics read better unbroken)
r"""Proof of W4–W6: stationary points of the profile risk, existence and uniqueness of the
optimal WPGD (complete for Σ = λI), and what fails without the conditions.

Checked by ``python -m wpgd_theory.symbolic.proofcheck optimum``.  The uniqueness study
for general Σ (root counting of the scalar equation) is documented in
``proofs/uniqueness.md``.
"""

from wpgd_theory.symbolic import sizefree as SF
from wpgd_theory.symbolic import stationary as ST
from wpgd_theory.symbolic.proofcheck import Proof, all_sizes, argument, numeric

SUMS = ("generic-term sums over eigenvalues (every d)",)
BIL = ("bilinear atoms in vectors of symbolic length n, directional derivatives against a free h",)

INTRO = r"""
**Setting.** By W3 the risk minimised over $P$ is the *profile risk*

$$L(\omega)=\tau-c^2\varphi(a,b),\qquad \varphi(a,b)=\sum_{j=1}^d\frac{\lambda_j^2}{a\lambda_j+b},$$

with $c=r^\top\omega$, $a=\omega^\top(R+I)\omega$, $b=\tau\lVert\omega\rVert^2$ and $\lambda_j>0$ the
eigenvalues of $\Sigma$; it depends on $\Sigma$ only through them, so we work in an eigenbasis.
Write $A_p=\sum_j\lambda_j^p/(a\lambda_j+b)^2$, $\mu=\tau A_2/A_3$, $t=b/a$ and
$h(t)=\sum_j\frac{\lambda_j^2}{(\lambda_j+t)^2}\Big/\sum_j\frac{\lambda_j^3}{(\lambda_j+t)^2}$.
$R\succeq0$ (a principal submatrix of $C\succeq0$), so $a>0$ and $b>0$ for $\omega\ne0$.

**How it is checked.** Identities between sums over the eigenvalues are checked on their
generic term (sums are linear, so this holds for every $d$) and cross-checked by the
fixed-size engine, which writes the sums out at $d\le3$. Identities in $\omega$ are checked with
vectors and matrices as letters of symbolic size $n$ (bilinear atoms $u^\top Wv$ in canonical
form, gradients through directional derivatives against a free vector $h$, $z=A^{-1}r$ as the
rewrite rule $Az\to r$), and again by the fixed-size engine with symbolic entries of
$\omega, R, r, \sigma^2, \lambda$ after clearing the positive denominators
$D=\prod_j(a\lambda_j+b)$ at the listed sizes.
"""

PROOF = Proof(
    family="optimum",
    title="Stationary points and the unique optimal WPGD",
    claims=("W4", "W5", "W6"),
    intro=INTRO,
    steps=[
        all_sizes(
            r"**Partial derivatives.** For $F(c,a,b)=\tau-c^2\varphi(a,b)$: "
            r"$\partial_cF=-2c\varphi$, $\partial_aF=c^2A_3$, $\partial_bF=c^2A_2$, and "
            r"$\varphi=aA_3+bA_2$ (since $\frac{\lambda^2}{a\lambda+b}=\frac{a\lambda^3+b\lambda^2}{(a\lambda+b)^2}$). "
            r"Each identity is a sum over $j$ of the same identity for one eigenvalue.",
            SF.w4_partials, SUMS, cross=("W4.partials",), sizes="every d (termwise); (c, a, b) free, so every n"),
        all_sizes(
            r"**Gradient.** With $\nabla c=r$, $\nabla a=2(R+I)\omega$, $\nabla b=2\tau\omega$ the chain rule gives "
            "\n\n"
            r"$$\nabla L(\omega)=-2c\varphi\,r+2c^2A_3(R+I)\omega+2\tau c^2A_2\,\omega"
            r"=-2c\big[\varphi\,r-cA_3\,(R+(1+\mu)I)\,\omega\big].$$"
            "\n\n"
            r"The check differentiates the generic eigenvalue term of the profile in $\omega$ along a free direction "
            r"$h$ ($n$ and $d$ symbolic) and compares with $\langle\nabla L,h\rangle$; the fixed-size engine "
            r"differentiates the whole profile entry by entry (denominators cleared by $D^2$).",
            ST.w4_gradient, SUMS + BIL, cross=("W4.gradient",)),
        all_sizes(
            r"**The scalar $\mu$.** $(a\lambda_j+b)^2=a^2(\lambda_j+t)^2$ term by term, so "
            r"$\mu=\tau A_2/A_3=\tau h(t)$ with $t=b/a$.",
            SF.w4_mu, SUMS, cross=("W4.mu",), sizes="every d (termwise)"),
        argument(
            r"**W4, necessity.** Let $\nabla L(\omega)=0$ with $c=r^\top\omega\neq0$. By Step 2, "
            r"$(R+(1+\mu)I)\omega=\frac{\varphi}{cA_3}\,r$ with $\varphi,A_3>0$. Since $R\succeq0$ and $\mu>0$ "
            r"($A_2,A_3$ are sums of positive terms), "
            r"$R+(1+\mu)I\succ0$ is invertible and $\omega=\kappa\,(R+(1+\mu)I)^{-1}r$ with $\kappa\neq0$. Because "
            r"$t=b/a$ is homogeneous of degree 0 in $\omega$, $t(\omega)=t(\omega(\mu))$ where "
            r"$\omega(\mu):=(R+(1+\mu)I)^{-1}r$; so $\mu$ solves the scalar equation $\mu=\tau\,h(t(\mu))$."),
        all_sizes(
            r"**W4, sufficiency.** Conversely let $\mu$ solve $\mu=\tau h(t(\mu))$ and $\omega=\kappa\,\omega(\mu)$, "
            r"$\kappa\ne0$. Then $(R+(1+\mu)I)\omega=\kappa r$ and $c=\kappa\,r^\top(R+(1+\mu)I)^{-1}r\neq0$ for $r\ne0$. "
            r"Dotting with $\omega$ and using $\omega^\top(R+(1+\mu)I)\omega=a+\mu\lVert\omega\rVert^2=\varphi/A_3$ "
            r"(Step 1) gives $\kappa c=\varphi/A_3$, so $\nabla L=-2c(\varphi-cA_3\kappa)r=0$. The check verifies Euler's "
            r"relation $\omega^\top\nabla L=0$ and $A_3\,\omega^\top(R+(1+\mu)I)\omega=\varphi$; the "
            r"deduction from them is the argument above.",
            ST.w4_euler, BIL, cross=("W4.euler",)),
        all_sizes(
            r"**The two polynomial systems coincide.** With $v=(R+(1+\mu)I)\omega$: "
            r"$\nabla_iL=-2cA_3\sum_j\omega_j(v_jr_i-r_jv_i)$ and "
            r"$r_i\nabla_jL-r_j\nabla_iL=2c^2A_3(v_jr_i-v_ir_j)$. So, where $c\neq0$ (and always $A_3>0$), "
            r"$\nabla L=0$ if and only if all $2\times2$ minors of $[v,\ r]$ vanish, i.e. $(R+(1+\mu)I)\omega\parallel r$. "
            r"Checked as polynomial identities after multiplying by $D^2$.",
            ST.w4_same_system, BIL, cross=("W4.same_system",)),
        argument(
            r"**Where the roots lie.** By Steps 4–5 the stationary points with $r^\top\omega\ne0$ are exactly the rays "
            r"through $\omega(\mu)$ for the roots $\mu$. $h(t)=\sum_jw_j/\sum_jw_j\lambda_j$ with weights $w_j=\lambda_j^2/(\lambda_j+t)^2>0$, "
            r"so $1/h(t)$ is a weighted mean of the eigenvalues and $h(t)\in[1/\lambda_{\max},1/\lambda_{\min}]$ for every "
            r"$t>0$. Every root therefore lies in $[\tau/\lambda_{\max},\tau/\lambda_{\min}]$, a compact interval, and the "
            r"continuous map $\mu\mapsto\tau h(t(\mu))$ (defined for $r\ne0$, where $\omega(\mu)\ne0$) sends it into "
            r"itself, so a root exists. $\square$ (W4)"),
        numeric(r"Numerically, every root found by root isolation lies in the interval, and each gives a stationary point.",
                "W4:roots lie in [τ/λ_max, τ/λ_min] and give stationary points"),
        argument(
            r"**W5, existence.** $L(\omega)$ is continuous on $\mathbb R^n\setminus\{0\}$ and homogeneous of degree 0, so it "
            r"attains its minimum at some $\hat\omega$ on the unit sphere. For $\omega\ne0$, $L(P,\omega)\ge L(\omega)$ with "
            r"equality iff $P=P^*(\omega)$ (W3, strict convexity); for $\omega=0$, $L(P,0)=\tau\ge L(\hat\omega)$ because "
            r"$L\le\tau$. So $(P^*(\hat\omega),\hat\omega)$ is a global minimiser of $L(P,\omega)$, and when "
            r"$L(\hat\omega)<\tau$ every global minimiser is of this form."),
        argument(
            r"**W5, uniqueness up to scaling.** If $r\ne0$, then $L(r)=\tau-\lVert r\rVert^4\varphi<\tau$, so a minimiser "
            r"$\hat\omega$ has $c\neq0$; it is an interior critical point of a smooth function, hence by W4 it lies on "
            r"the ray of $\omega(\mu)$ for a root $\mu$. If the scalar equation has exactly one root (or one root of "
            r"strictly least risk), $\hat\omega$ is unique up to a factor $\kappa\neq0$, and since "
            r"$P^*(\kappa\omega)=P^*(\omega)/\kappa$, the minimiser $(P,\omega)$ is unique up to "
            r"$(P,\omega)\mapsto(\kappa P,\omega/\kappa)$. $\square$"),
        all_sizes(
            r"**$\Sigma=\lambda I$: one root.** With $d$ equal eigenvalues, "
            r"$h(t)=\frac{d\lambda^2/(\lambda+t)^2}{d\lambda^3/(\lambda+t)^2}=1/\lambda$ for every $t$, so the scalar "
            r"equation has the single root $\mu=\tau/\lambda=d+\sigma^2/\lambda$ and "
            r"$\omega^*\propto(R+(d+1+\sigma^2/\lambda)I)^{-1}r$ (W4) and $P^*=\frac ca(\lambda+\frac ba)^{-1}I\propto I$ (W3); "
            r"the check covers $h\equiv1/\lambda$ and $\tau h=d+\sigma^2/\lambda$.",
            SF.w5_isotropic, ("sympy cancel with symbolic d, n",), cross=("W5.isotropic_mu",)),
        all_sizes(
            r"**$\Sigma=\lambda I$: the profile's denominator.** $a\lambda+b=\lambda\,\omega^\top A\omega$ with "
            r"$A=R+(d+1+\sigma^2/\lambda)I$.",
            SF.w5_isotropic, ("sympy cancel with symbolic d, n",), cross=("W5.quadratic",)),
        argument(
            r"**$\Sigma=\lambda I$: the profile.** $A\succ0$ as $R\succeq0$. With $d$ equal eigenvalues the profile "
            r"$L(\omega)=\tau-c^2\sum_j\lambda_j^2/(a\lambda_j+b)$ (W3) has $d$ equal terms, so by Step 12 "
            r"$L(\omega)=\tau-d\lambda\,\frac{(r^\top\omega)^2}{\omega^\top A\omega}$."),
        all_sizes(
            r"**$\Sigma=\lambda I$: global optimality without calculus.** Let $z=A^{-1}r$, $q=r^\top A^{-1}r$ and "
            r"$e=\omega-\frac cq z$. Lagrange's identity $q\,e^\top Ae=q\,\omega^\top A\omega-c^2$ gives "
            "\n\n"
            r"$$L(\omega)-L^*=d\lambda\,\frac{q\,e^\top Ae}{\omega^\top A\omega},\qquad L^*=\tau-d\lambda\,r^\top A^{-1}r,$$"
            "\n\n"
            r"both checked as identities; the check uses $z=\operatorname{adj}(\lambda A)r$ to stay polynomial.",
            ST.w5_gap, BIL + ("rewrite rule A z = r",), cross=("W5.gap",)),
        argument(
            r"**$\Sigma=\lambda I$: the sign of the gap.** As $A\succ0$, $q>0$, $\omega^\top A\omega>0$ and "
            r"$e^\top Ae\ge0$ with equality iff $e=0$, i.e. $\omega\parallel A^{-1}r$: so $L(\omega)\ge L^*$, attained "
            r"exactly on that ray. This proves existence and uniqueness up to scaling for $\Sigma=\lambda I$ for every "
            r"$n$ directly."),
        all_sizes(
            r"**$\Sigma=\lambda I$: the optimum.** At $\omega^*=A^{-1}r$ the gradient vanishes and "
            r"$L^*=\tau-d\lambda\,r^\top A^{-1}r$ (checked by substituting $\omega^*=\operatorname{adj}(\lambda A)r$ into the "
            r"cleared gradient and into the profile).",
            ST.w5_optimum, BIL + ("rewrite rule A z = r",), cross=("W5.optimum",)),
        all_sizes(
            r"**$\Sigma=I$.** At $\lambda=1$: $L^*=d+\sigma^2-d\,r^\top(R+(d+1+\sigma^2)I)^{-1}r$, as stated in THEORY. $\square$",
            ST.w5_optimum, BIL + ("rewrite rule A z = r",), cross=("W5.identity_cov",)),
        argument(
            r"**General $\Sigma$.** Uniqueness holds whenever the scalar equation $\mu=\tau h(t(\mu))$ has one root on "
            r"$[\tau/\lambda_{\max},\tau/\lambda_{\min}]$ (Steps 7 and 10). Theorems guarantee one root for $d\le5$ "
            r"(U3) and under $2\delta(\kappa_R)^2\min(2\delta(\kappa_\Sigma)^2,\varphi(d))<1$ — proved in "
            r"`proofs/general_sigma.py`; for $d\ge6$ three roots occur (counterexamples verified with certified root "
            r"isolation and at 50 digits; see `proofs/uniqueness.md` and the checks below)."),
        numeric(r"The solver's global optimum agrees with multistart numerical optimisation of $L(P,\omega)$.",
                "W5:solve() agrees with multistart optimisation"),
        numeric(r"For $\Sigma=\lambda I$ the closed form agrees with the numerical optimum.",
                "W5:isotropic closed form vs numerical optimum"),
        all_sizes(
            r"**W6: $r=0$.** Then $L(P,\omega)=\tau+\operatorname{tr}(P^\top\Sigma PM(\omega))$ (checked on the engine's "
            r"risk polynomial).",
            SF.w6_zero_r, ("matrix Wick contraction in canonical form (symbolic d)",
                           "index-coincidence classes i = j, i ≠ j (symbolic n)"), cross=("W6.zero_r",)),
        argument(
            r"**W6: $r=0$, the consequence.** $\Sigma\succ0$ and $M(\omega)\succeq0$, so "
            r"$\operatorname{tr}(P^\top\Sigma PM(\omega))\ge0$ and $L(P,\omega)\ge\tau=L(0,\omega)$ for every $\omega$: the "
            r"profile is constant, every $\omega$ is optimal and the minimiser is not unique, not even up to scaling. "
            r"The condition $r\neq0$ in W5 is necessary."),
        argument(
            r"**W6: invalid $C$.** If $C=[[R,r],[r^\top,1]]$ is not PSD no Gaussian task vectors have these correlations: "
            r"the formulas can still be evaluated but describe no model (e.g. $a=\omega^\top(R+I)\omega$ can be $\le0$ and "
            r"the convexity of Step 13 of the risk proof fails). The model constructor rejects such input."),
        numeric(r"The model rejects a non-PSD $C$ and $r=0$ yields a constant profile numerically.",
                "W6:r = 0 gives a constant profile; a non-PSD C is rejected"),
    ],
)
