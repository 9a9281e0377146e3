# ruff: noqa: E501  (proof text: long lines of mathematics read better unbroken)
r"""Proof of W1–W3: the one-step WPGD risk in closed form, its scaling symmetry, and the
optimal preconditioner with the profile risk.

Checked by ``python -m wpgd_theory.symbolic.proofcheck risk``.
"""

from wpgd_theory.symbolic import sizefree as SF
from wpgd_theory.symbolic.proofcheck import Proof, all_sizes, argument, numeric

WICK = ("matrix Wick contraction in canonical form (symbolic d)",)
CLASSES = ("index-coincidence classes i = j, i ≠ j (symbolic n)",)
CALC = ("matrix calculus on traces (symbolic d)",)
SPECTRAL = ("per-eigenvalue identity (spectral calculus, every d)",)
RESOLVENT = ("resolvent normal form: N^-1 Sigma = Sigma N^-1 = (I - b N^-1)/a from N^-1 N = N N^-1 = I (symbolic d)",)

INTRO = r"""
**Setting (THEORY §1–2).** Features $x_i, x \sim N(0,\Sigma)$ i.i.d.; task vectors jointly
Gaussian, independent of the features, with $\operatorname{Cov}(\beta_i,\beta_j)=R_{ij}I_d$,
$\operatorname{Cov}(\beta_i,\beta)=r_iI_d$, $\operatorname{Cov}(\beta)=I_d$ and $R_{ii}=1$;
labels $y_i=x_i^\top\beta_i+\xi_i$, $y=x^\top\beta+\xi$ with independent noise of variance
$\sigma^2$. One WPGD step predicts $\hat y = x^\top P v$ with
$v := X^\top(\omega\odot y)=\sum_i \omega_i y_i x_i$. Notation:
$\tau=\operatorname{tr}\Sigma+\sigma^2$, $c=r^\top\omega$, $a=\omega^\top(R+I)\omega$,
$b=\tau\lVert\omega\rVert^2$, $M(\omega)=a\Sigma^2+b\Sigma$.

**How it is checked.** Two engines, one answer. The *symbolic-size* engine
(`wpgd_theory.symbolic.matrixwick`, `sizefree`) works with $d\times d$ matrix letters of
symbolic size $d$ and symbolic $n$: expectations by Wick contraction of the vector slots
(each pairing inserts $\Sigma$, the index graph becomes matrix products and traces), sums
over examples by index-coincidence classes ($i=j$, $i\ne j$ give $\lVert\omega\rVert^2$,
$\omega^\top R\omega$, $r^\top\omega$), derivatives by matrix calculus on traces, and equality
decided on a canonical form (trace cyclicity, transposes, symmetric $\Sigma$, $M$). The
*fixed-size* engine expands the integrand in symbolic entries at the listed sizes and sums
over all pairings; it re-derives each identity independently, and the symbolic-size results
are also evaluated at concrete sizes and compared with it.
"""

PROOF = Proof(
    family="risk",
    title="The WPGD risk: closed form, scaling symmetry, optimal preconditioner",
    claims=("W1", "W2", "W3"),
    intro=INTRO,
    steps=[
        argument(
            r"**Independence.** The query feature $x$ is independent of everything else in the "
            r"prompt (context features, tasks, noise); each $x_i$ is independent of the other "
            r"features, of all task vectors and of all noise; noise is independent of everything "
            r"and has mean 0. All variables are jointly Gaussian with mean 0."),
        all_sizes(
            r"**Lemma (matrix Isserlis).** For $x\sim N(0,\Sigma)$ and any $A\in\mathbb R^{d\times d}$, "
            r"$\mathbb E[xx^\top A xx^\top]=\Sigma A\Sigma+\Sigma A^\top\Sigma+\operatorname{tr}(A\Sigma)\Sigma$. "
            r"*Proof.* Entry $(a,b)$ of the left side is $\sum_{c,e}A_{ce}\,\mathbb E[x_ax_cx_ex_b]$ and by "
            r"Isserlis' theorem $\mathbb E[x_ax_cx_ex_b]=\Sigma_{ac}\Sigma_{eb}+\Sigma_{ae}\Sigma_{cb}+\Sigma_{ab}\Sigma_{ce}$; "
            r"summing against $A_{ce}$ gives $(\Sigma A\Sigma)_{ab}+(\Sigma A^\top\Sigma)_{ab}+\operatorname{tr}(A\Sigma)\Sigma_{ab}$. "
            r"The symbolic-size engine contracts the chain $x\,x^\top A\,x\,x^\top$ with $d$ symbolic: the three pairings "
            r"give the three terms.",
            SF.w1_isserlis, WICK, cross=(SF.crosscheck_isserlis, "W1.isserlis"), sizes="symbolic d"),
        all_sizes(
            r"**Label variance.** $\mathbb E[y^2]=\mathbb E[\beta^\top xx^\top\beta]+\sigma^2"
            r"=\operatorname{tr}(\Sigma\,\mathbb E[\beta\beta^\top])+\sigma^2=\operatorname{tr}\Sigma+\sigma^2=\tau$, "
            r"using the independence of $x$ and $\beta$.",
            SF.w1_label_variance, WICK, cross=("W1.label_variance",), sizes="symbolic d"),
        all_sizes(
            r"**Cross term.** Since $\xi$ is independent and centred, and $x$ is independent of $(\beta,v)$, "
            r"$\mathbb E[y\hat y]=\mathbb E[\beta^\top xx^\top Pv]=\mathbb E[\beta^\top\Sigma Pv]"
            r"=\operatorname{tr}(\Sigma P\,\mathbb E[v\beta^\top])$. "
            r"Further $\mathbb E[v\beta^\top]=\sum_i\omega_i\mathbb E[x_i(x_i^\top\beta_i+\xi_i)\beta^\top]"
            r"=\sum_i\omega_i\,\mathbb E[x_ix_i^\top]\,\mathbb E[\beta_i\beta^\top]=\sum_i\omega_ir_i\Sigma=c\,\Sigma$, "
            r"hence $\mathbb E[y\hat y]=c\operatorname{tr}(\Sigma P\Sigma)$. Both identities are checked with symbolic $d$, $n$.",
            SF.w1_cross_moment, WICK + CLASSES, cross=("W1.cross_moment",)),
        all_sizes(
            r"**Second moment.** $\mathbb E[\hat y^2]=\mathbb E[v^\top P^\top xx^\top Pv]"
            r"=\operatorname{tr}(P^\top\Sigma P\,\mathbb E[vv^\top])$ and "
            r"$\mathbb E[vv^\top]=\sum_{i,j}\omega_i\omega_j\mathbb E[y_iy_jx_ix_j^\top]$. "
            r"For $i\ne j$ the features $x_i,x_j$ are independent of each other and of the tasks and the noise "
            r"terms vanish: $\mathbb E[x_ix_i^\top\beta_i\beta_j^\top x_jx_j^\top]=\Sigma\,\mathbb E[\beta_i\beta_j^\top]\,\Sigma=R_{ij}\Sigma^2$. "
            r"For $i=j$, conditioning on $x_i$ and using $\mathbb E[\beta_i\beta_i^\top]=I$ and the Lemma with $A=I$: "
            r"$\mathbb E[x_ix_i^\top x_ix_i^\top]=2\Sigma^2+\operatorname{tr}(\Sigma)\Sigma$, plus "
            r"$\mathbb E[\xi_i^2]\mathbb E[x_ix_i^\top]=\sigma^2\Sigma$. With $R_{ii}=1$, "
            r"$\mathbb E[vv^\top]=(\omega^\top R\omega+\lVert\omega\rVert^2)\Sigma^2+\tau\lVert\omega\rVert^2\Sigma=M(\omega)$. "
            r"Each term involves at most two context indices, so the classes $i=j$ and $i\ne j$ are all the patterns; the "
            r"engine sums them with symbolic $n$.",
            SF.w1_second_moment, WICK + CLASSES, cross=(SF.crosscheck_second_moment, "W1.second_moment")),
        all_sizes(
            r"**W1.** Assembling, $L(P,\omega)=\mathbb E[y^2]-2\mathbb E[y\hat y]+\mathbb E[\hat y^2]"
            r"=\tau-2(r^\top\omega)\operatorname{tr}(\Sigma P\Sigma)+\operatorname{tr}(P^\top\Sigma PM(\omega))$. $\square$ "
            r"*Independent confirmation:* both engines compute $\mathbb E(y-\hat y)^2$ directly, without Steps 1–5 — the "
            r"symbolic-size engine by contracting the full chains with symbolic $d$, $n$, the fixed-size engine by "
            r"expanding into monomials in the $2(n+1)d+n+1$ Gaussian variables — and both equal the closed form.",
            SF.w1_risk, WICK + CLASSES, cross=("W1.risk",)),
        numeric(
            r"The closed form implemented in `wpgd_theory.landscape.population_risk` agrees with the symbolic "
            r"risk polynomial of Step 6 evaluated at random valid instances ($d, n\le 3$).",
            "W1:symbolic risk polynomial = landscape.population_risk", "random instances with d, n ≤ 3"),
        numeric(r"Monte Carlo estimates of the risk agree with the closed form within a z-score bound.",
                "W1:closed form vs Monte Carlo"),
        all_sizes(
            r"**W2.** $\hat y$ is bilinear in $(P,\omega)$, so $\hat y(\kappa P,\omega/\kappa)=\hat y(P,\omega)$ for "
            r"every $\kappa\neq0$, and so is every function of the prediction, the risk included. Equivalently every "
            r"monomial of the risk polynomial has the same degree in $P$ as in $\omega$; the check substitutes "
            r"$P\mapsto\kappa P$, $\omega\mapsto\omega/\kappa$ into the *engines'* risk (not the closed form). $\square$",
            SF.w2_scaling, WICK + CLASSES, cross=("W2.scaling",)),
        numeric(r"Numerically, predictions and risk are invariant under $(\kappa P,\omega/\kappa)$.",
                "W2:prediction and risk invariant under (cP, ω/c)"),
        argument(
            r"**Reduction for W3.** By W1, $L$ depends on $(\omega,R,r,\sigma^2)$ only through the scalars "
            r"$(c,a,b,\tau)$. Steps 12–16 therefore treat $c,a,b,\tau$ as free symbols and $\Sigma,P,M$ as matrix letters "
            r"of symbolic size: each identity holds for every $n$ and $d$. In Steps 14–17 $N=a\Sigma+bI$ ($a>0$) and "
            r"$N^{-1}$ is a letter with the two rules that define it: $N^{-1}N=I$ gives $N^{-1}\Sigma=(I-bN^{-1})/a$ and "
            r"$NN^{-1}=I$ gives $\Sigma N^{-1}=(I-bN^{-1})/a$; every expression in $\Sigma$ and $N^{-1}$ reduces to words "
            r"$\Sigma^k$, $N^{-m}$, so these identities are checked with $d$ symbolic and no eigenbasis."),
        all_sizes(
            r"**Gradient.** For symmetric $\Sigma,M$: $d\operatorname{tr}(\Sigma P\Sigma)=\langle\Sigma^2,dP\rangle$ and "
            r"$d\operatorname{tr}(P^\top\Sigma PM)=2\langle\Sigma PM,dP\rangle$, so "
            r"$\nabla_PL=-2c\,\Sigma^2+2\Sigma PM(\omega)$. Checked by the engine's trace calculus and, independently, by "
            r"sympy's matrix derivative, both with $d$ symbolic (and entry by entry at fixed sizes).",
            (SF.w3_gradient, SF.w3_gradient_sympy), CALC + ("sympy MatrixSymbol derivative",),
            cross=("W3.gradient",), sizes="symbolic d"),
        all_sizes(
            r"**Strict convexity.** $\operatorname{tr}(P^\top\Sigma PM)=\operatorname{vec}(P)^\top(M\otimes\Sigma)\operatorname{vec}(P)$ "
            r"(column-major vec), so the Hessian is $2\,M\otimes\Sigma$. For $\omega\ne0$: $R\succeq0$ (a principal "
            r"submatrix of the PSD $C$), hence $a\ge\lVert\omega\rVert^2>0$ and $b=\tau\lVert\omega\rVert^2>0$, so "
            r"$M=\Sigma(a\Sigma+bI)\succ0$ (commuting positive definite factors) and the eigenvalues of $M\otimes\Sigma$ "
            r"are products of positive numbers: $L$ is strictly convex in $P$ for **every** $\omega\neq0$ "
            r"(THEORY states it under $r^\top\omega\neq0$; that condition is only needed for $P^*\neq0$). Checked: the "
            r"directional derivatives of $L$ along a free $E$ ($\langle\nabla L,E\rangle$ and "
            r"$\operatorname{tr}(E^\top\Sigma EM)$, $d$ symbolic); the positivity of $M\otimes\Sigma$ is the argument above.",
            SF.w3_hessian, CALC, cross=("W3.hessian",), sizes="symbolic d (directional derivatives)",
            stated="tr(PᵀΣPM) = vec(P)ᵀ(M ⊗ Σ)vec(P) for symmetric M (column-major vec: vec(ΣPM) = "
                   "(M ⊗ Σ)vec(P)), the eigenvalues of M ⊗ Σ are the products of those of M and Σ, and commuting symmetric positive "
                   "definite matrices have a positive definite product, as they are simultaneously orthogonally "
                   "diagonalisable (Horn & Johnson, Topics in Matrix Analysis, ch. 4; Matrix Analysis, ch. 2 and 4)"),
        all_sizes(
            r"**Minimiser.** Setting the gradient to zero, $\Sigma PM=c\Sigma^2$, i.e. $P^*(\omega)=c\,\Sigma M^{-1}$, "
            r"unique by strict convexity (if $c=0$ then $P^*=0$ and $L=\tau$). Checked with $d$ symbolic: "
            r"$-2c\Sigma^2+2\Sigma PM$ at $P=cN^{-1}$ ($=c\Sigma M^{-1}$ by Step 15), $M=a\Sigma^2+b\Sigma$, reduces to 0; "
            r"the fixed-size engine checks $\det M\cdot\nabla_PL(c\Sigma\operatorname{adj}(M)/\det M)=0$ as a polynomial "
            r"identity.",
            SF.w3_resolvent, CALC + RESOLVENT, cross=("W3.stationary",), sizes="symbolic d"),
        all_sizes(
            r"**Ridge form.** $M=\Sigma(a\Sigma+bI)$ and $\Sigma$ commutes with $a\Sigma+bI$, so "
            r"$\Sigma M^{-1}=(a\Sigma+bI)^{-1}$ and $P^*(\omega)=\frac{r^\top\omega}{a}\big(\Sigma+\tfrac ba I\big)^{-1}$: "
            r"a ridge-regularised inverse covariance with ridge $b/a$.",
            SF.w3_resolvent, RESOLVENT, cross=("W3.ridge",), sizes="symbolic d (N⁻¹M = Σ)"),
        all_sizes(
            r"**Profile risk.** With $N=a\Sigma+bI$ and $P^*=cN^{-1}$ (all factors commute): "
            r"$\operatorname{tr}(\Sigma P^*\Sigma)=c\operatorname{tr}(\Sigma^2N^{-1})$ and "
            r"$\operatorname{tr}(P^{*\top}\Sigma P^*M)=c^2\operatorname{tr}(N^{-1}\Sigma N^{-1}\Sigma N)=c^2\operatorname{tr}(\Sigma^2N^{-1})$, "
            r"hence $L(\omega):=L(P^*(\omega),\omega)=\tau-c^2\operatorname{tr}(\Sigma^2(a\Sigma+bI)^{-1})$ (checked with $d$ "
            r"symbolic, resolvent normal form), $=\tau-(r^\top\omega)^2\sum_j\frac{\lambda_j^2}{a\lambda_j+b}$ in an "
            r"eigenbasis $\Sigma=U\Lambda U^\top$ — this last form uses the spectral theorem (a stated fact, below) and is "
            r"checked per eigenvalue.",
            (SF.w3_resolvent, SF.w3_spectral), RESOLVENT + SPECTRAL, cross=("W3.profile_value",),
            sizes="symbolic d (trace form); per eigenvalue (eigenvalue form)",
            stated="tr f(Σ) = Σ_j f(λ_j) for symmetric Σ and a rational f without poles on its spectrum "
                   "(the spectral theorem for real symmetric matrices; Horn & Johnson, Matrix Analysis, ch. 2)"),
        all_sizes(
            r"*Independent confirmation:* substitute $P^*=cN^{-1}$ into the **engines'** risk (not the closed form): "
            r"with symbolic $d$, $n$ the Wick/index-class risk at $P^*$, reduced by the two rules of $N^{-1}$, equals "
            r"$\tau-c^2\operatorname{tr}(\Sigma^2N^{-1})$ once $a=\omega^\top R\omega+\lVert\omega\rVert^2$, "
            r"$b=\tau\lVert\omega\rVert^2$; at concrete sizes the fixed-size engine substitutes "
            r"$\Sigma=\operatorname{diag}(\lambda)$ and $P^*=\operatorname{diag}(c/(a\lambda_j+b))$, clears denominators, "
            r"and compares with the profile formula.",
            SF.w3_profile_resolvent, WICK + CLASSES + RESOLVENT, cross=("W3.profile_engine",)),
        all_sizes(
            r"**Homogeneity, termwise.** Each term $c^2\lambda^2/(a\lambda+b)$ of the profile is invariant under "
            r"$(c,a,b)\mapsto(tc,t^2a,t^2b)$, $t\neq0$.",
            SF.w3_homogeneity, ("generic-term sums (every d)",), cross=("W3.homogeneity",), sizes="every d (termwise)"),
        argument(
            r"**Homogeneity.** Under $\omega\mapsto t\omega$ the definitions $c=r^\top\omega$, "
            r"$a=\omega^\top R\omega+\lVert\omega\rVert^2$, $b=\tau\lVert\omega\rVert^2$ give $(c,a,b)\mapsto(tc,t^2a,t^2b)$, "
            r"so by Steps 16 and 18 $L(t\omega)=L(\omega)$ for $t\neq0$, consistent with W2. $\square$"),
        numeric(r"Numerically, $P^*(\omega)$ agrees with a convex QP solved by cvxpy.", "W3:P* vs cvxpy QP"),
        numeric(r"Numerically, the profile risk equals the risk evaluated at $P^*(\omega)$.",
                "W3:profile risk equals risk at P*"),
    ],
)
