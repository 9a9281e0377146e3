# ruff: noqa: E501  (proof text: long lines of mathematics read better unbroken)
r"""Proof of W1–W3: the one-step WPGD risk in closed form, its scaling symmetry, and the
optimal preconditioner with the profile risk.

Checked by ``python -m wpgd_theory.symbolic.proofcheck risk``.
"""

from wpgd_theory.symbolic.proofcheck import Proof, argument, numeric, symbolic

INTRO = r"""
**Setting (THEORY §1–2).** Features $x_i, x \sim N(0,\Sigma)$ i.i.d.; task vectors jointly
Gaussian, independent of the features, with $\operatorname{Cov}(\beta_i,\beta_j)=R_{ij}I_d$,
$\operatorname{Cov}(\beta_i,\beta)=r_iI_d$, $\operatorname{Cov}(\beta)=I_d$ and $R_{ii}=1$;
labels $y_i=x_i^\top\beta_i+\xi_i$, $y=x^\top\beta+\xi$ with independent noise of variance
$\sigma^2$. One WPGD step predicts $\hat y = x^\top P v$ with
$v := X^\top(\omega\odot y)=\sum_i \omega_i y_i x_i$. Notation:
$\tau=\operatorname{tr}\Sigma+\sigma^2$, $c=r^\top\omega$, $a=\omega^\top(R+I)\omega$,
$b=\tau\lVert\omega\rVert^2$, $M(\omega)=a\Sigma^2+b\Sigma$.

**How it is checked.** Each symbolic step is an exact polynomial identity in *symbolic*
entries of $\Sigma$ (symmetric), $R$ (symmetric, unit diagonal), $r$, $P$, $\omega$ and
$\sigma^2$. Expectations are computed by an Isserlis/Wick engine that expands the
integrand into monomials and sums over all pairings — it never uses the formulas it
checks. Steps 1–6 give the general-dimension argument; the engine confirms every
intermediate identity and, independently, the final formula at the listed sizes.
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
        symbolic(
            r"**Lemma (matrix Isserlis).** For $x\sim N(0,\Sigma)$ and any $A\in\mathbb R^{d\times d}$, "
            r"$\mathbb E[xx^\top A xx^\top]=\Sigma A\Sigma+\Sigma A^\top\Sigma+\operatorname{tr}(A\Sigma)\Sigma$. "
            r"*Proof.* Entry $(a,b)$ of the left side is $\sum_{c,e}A_{ce}\,\mathbb E[x_ax_cx_ex_b]$ and by "
            r"Isserlis' theorem $\mathbb E[x_ax_cx_ex_b]=\Sigma_{ac}\Sigma_{eb}+\Sigma_{ae}\Sigma_{cb}+\Sigma_{ab}\Sigma_{ce}$; "
            r"summing against $A_{ce}$ gives $(\Sigma A\Sigma)_{ab}+(\Sigma A^\top\Sigma)_{ab}+\operatorname{tr}(A\Sigma)\Sigma_{ab}$. "
            r"The check computes the left side by the pairing engine with symbolic $\Sigma$ and $A$. Because $A$ is "
            r"generic, the matrix identity is equivalent to the scalar identity for every index tuple $(a,b,c,e)$, "
            r"which involves the marginal covariance of at most four coordinates; $d=4$ realises every coincidence "
            r"pattern of four indices with a generic covariance, so the $d\le 4$ check proves the lemma for every $d$.",
            "W1.isserlis", "every d (a tuple of 4 indices meets at most 4 coordinates)"),
        symbolic(
            r"**Label variance.** $\mathbb E[y^2]=\mathbb E[\beta^\top xx^\top\beta]+\sigma^2"
            r"=\operatorname{tr}(\Sigma\,\mathbb E[\beta\beta^\top])+\sigma^2=\operatorname{tr}\Sigma+\sigma^2=\tau$, "
            r"using the independence of $x$ and $\beta$.",
            "W1.label_variance", "every d by the displayed argument"),
        symbolic(
            r"**Cross term.** Since $\xi$ is independent and centred, and $x$ is independent of $(\beta,v)$, "
            r"$\mathbb E[y\hat y]=\mathbb E[\beta^\top xx^\top Pv]=\mathbb E[\beta^\top\Sigma Pv]"
            r"=\operatorname{tr}(\Sigma P\,\mathbb E[v\beta^\top])$. "
            r"Further $\mathbb E[v\beta^\top]=\sum_i\omega_i\mathbb E[x_i(x_i^\top\beta_i+\xi_i)\beta^\top]"
            r"=\sum_i\omega_i\,\mathbb E[x_ix_i^\top]\,\mathbb E[\beta_i\beta^\top]=\sum_i\omega_ir_i\Sigma=c\,\Sigma$, "
            r"hence $\mathbb E[y\hat y]=c\operatorname{tr}(\Sigma P\Sigma)$. The engine verifies both identities.",
            "W1.cross_moment", "every d, n by the displayed argument"),
        symbolic(
            r"**Second moment.** $\mathbb E[\hat y^2]=\mathbb E[v^\top P^\top xx^\top Pv]"
            r"=\operatorname{tr}(P^\top\Sigma P\,\mathbb E[vv^\top])$ and "
            r"$\mathbb E[vv^\top]=\sum_{i,j}\omega_i\omega_j\mathbb E[y_iy_jx_ix_j^\top]$. "
            r"For $i\ne j$ the features $x_i,x_j$ are independent of each other and of the tasks and the noise "
            r"terms vanish: $\mathbb E[x_ix_i^\top\beta_i\beta_j^\top x_jx_j^\top]=\Sigma\,\mathbb E[\beta_i\beta_j^\top]\,\Sigma=R_{ij}\Sigma^2$. "
            r"For $i=j$, conditioning on $x_i$ and using $\mathbb E[\beta_i\beta_i^\top]=I$ and the Lemma with $A=I$: "
            r"$\mathbb E[x_ix_i^\top x_ix_i^\top]=2\Sigma^2+\operatorname{tr}(\Sigma)\Sigma$, plus "
            r"$\mathbb E[\xi_i^2]\mathbb E[x_ix_i^\top]=\sigma^2\Sigma$. With $R_{ii}=1$, "
            r"$\mathbb E[vv^\top]=(\omega^\top R\omega+\lVert\omega\rVert^2)\Sigma^2+\tau\lVert\omega\rVert^2\Sigma=M(\omega)$. "
            r"Each term involves at most two context indices, so $n=2$ already meets both patterns.",
            "W1.second_moment", "every d, n by the displayed argument"),
        symbolic(
            r"**W1.** Assembling, $L(P,\omega)=\mathbb E[y^2]-2\mathbb E[y\hat y]+\mathbb E[\hat y^2]"
            r"=\tau-2(r^\top\omega)\operatorname{tr}(\Sigma P\Sigma)+\operatorname{tr}(P^\top\Sigma PM(\omega))$. $\square$ "
            r"*Independent confirmation:* the engine expands $(y-\hat y)^2$ into monomials in the "
            r"$2(n+1)d+n+1$ Gaussian variables and sums over all pairings, without Steps 1–5, and the result "
            r"equals the closed form as a polynomial in all entries.",
            "W1.risk", "every d, n by Steps 1–5"),
        numeric(
            r"The closed form implemented in `wpgd_theory.landscape.population_risk` agrees with the symbolic "
            r"risk polynomial of Step 6 evaluated at random valid instances ($d, n\le 3$).",
            "W1:symbolic risk polynomial = landscape.population_risk", "numeric, random instances with d, n ≤ 3"),
        numeric(r"Monte Carlo estimates of the risk agree with the closed form within a z-score bound.",
                "W1:closed form vs Monte Carlo"),
        symbolic(
            r"**W2.** $\hat y$ is bilinear in $(P,\omega)$, so $\hat y(\kappa P,\omega/\kappa)=\hat y(P,\omega)$ for "
            r"every $\kappa\neq0$, and so is every function of the prediction, the risk included. Equivalently every "
            r"monomial of the risk polynomial has the same degree in $P$ as in $\omega$; the check substitutes "
            r"$P\mapsto\kappa P$, $\omega\mapsto\omega/\kappa$ into the *engine's* polynomial (not the closed form). $\square$",
            "W2.scaling", "every d, n by bilinearity"),
        numeric(r"Numerically, predictions and risk are invariant under $(\kappa P,\omega/\kappa)$.",
                "W2:prediction and risk invariant under (cP, omega/c)"),
        argument(
            r"**Reduction for W3.** By W1, $L$ depends on $(\omega,R,r,\sigma^2)$ only through the scalars "
            r"$(c,a,b,\tau)$. Steps 12–16 therefore treat $c,a,b,\tau$ as free symbols: each identity proved there "
            r"holds for every $n$, and for every $d$ by the matrix argument written out in the step."),
        symbolic(
            r"**Gradient.** For symmetric $\Sigma,M$: $d\operatorname{tr}(\Sigma P\Sigma)=\langle\Sigma^2,dP\rangle$ and "
            r"$d\operatorname{tr}(P^\top\Sigma PM)=2\langle\Sigma PM,dP\rangle$, so "
            r"$\nabla_PL=-2c\,\Sigma^2+2\Sigma PM(\omega)$. The check differentiates the closed form entry by entry.",
            "W3.gradient", "every d by matrix calculus; every n"),
        symbolic(
            r"**Strict convexity.** $\operatorname{tr}(P^\top\Sigma PM)=\operatorname{vec}(P)^\top(M\otimes\Sigma)\operatorname{vec}(P)$ "
            r"(column-major vec), so the Hessian is $2\,M\otimes\Sigma$. For $\omega\ne0$: $R\succeq0$ (a principal "
            r"submatrix of the PSD $C$), hence $a\ge\lVert\omega\rVert^2>0$ and $b=\tau\lVert\omega\rVert^2>0$, so "
            r"$M=\Sigma(a\Sigma+bI)\succ0$ (commuting positive definite factors) and the eigenvalues of $M\otimes\Sigma$ "
            r"are products of positive numbers: $L$ is strictly convex in $P$ for **every** $\omega\neq0$ "
            r"(THEORY states it under $r^\top\omega\neq0$; that condition is only needed for $P^*\neq0$).",
            "W3.hessian", "every d by the Kronecker identity"),
        symbolic(
            r"**Minimiser.** Setting the gradient to zero, $\Sigma PM=c\Sigma^2$, i.e. $P^*(\omega)=c\,\Sigma M^{-1}$, "
            r"unique by strict convexity (if $c=0$ then $P^*=0$ and $L=\tau$). The check verifies "
            r"$\det M\cdot\nabla_PL(c\Sigma\operatorname{adj}(M)/\det M)=0$ as a polynomial identity "
            r"($\nabla_PL$ is affine in $P$).",
            "W3.stationary", "every d"),
        symbolic(
            r"**Ridge form.** $M=\Sigma(a\Sigma+bI)$ and $\Sigma$ commutes with $a\Sigma+bI$, so "
            r"$\Sigma M^{-1}=(a\Sigma+bI)^{-1}$ and $P^*(\omega)=\frac{r^\top\omega}{a}\big(\Sigma+\tfrac ba I\big)^{-1}$: "
            r"a ridge-regularised inverse covariance with ridge $b/a$.",
            "W3.ridge", "every d"),
        symbolic(
            r"**Profile risk.** With $N=a\Sigma+bI$ and $P^*=cN^{-1}$ (all factors commute): "
            r"$\operatorname{tr}(\Sigma P^*\Sigma)=c\operatorname{tr}(\Sigma^2N^{-1})$ and "
            r"$\operatorname{tr}(P^{*\top}\Sigma P^*M)=c^2\operatorname{tr}(N^{-1}\Sigma N^{-1}\Sigma N)=c^2\operatorname{tr}(\Sigma^2N^{-1})$, "
            r"hence $L(\omega):=L(P^*(\omega),\omega)=\tau-c^2\operatorname{tr}(\Sigma^2(a\Sigma+bI)^{-1})"
            r"=\tau-(r^\top\omega)^2\sum_j\frac{\lambda_j^2}{a\lambda_j+b}$ in an eigenbasis $\Sigma=U\Lambda U^\top$.",
            "W3.profile_value", "every d"),
        symbolic(
            r"*Independent confirmation* at concrete sizes: substitute $\Sigma=\operatorname{diag}(\lambda)$ and "
            r"$P^*=\operatorname{diag}(c/(a\lambda_j+b))$ into the **engine's** risk polynomial (with $c,a,b$ the "
            r"polynomials in $\omega,R,r,\sigma^2,\lambda$), clear denominators, and compare with the profile formula.",
            "W3.profile_engine", "small sizes only (confirmation)"),
        symbolic(
            r"**Homogeneity.** Under $\omega\mapsto t\omega$, $(c,a,b)\mapsto(tc,t^2a,t^2b)$ and each term "
            r"$c^2\lambda^2/(a\lambda+b)$ is invariant: $L(t\omega)=L(\omega)$ for $t\neq0$, consistent with W2. $\square$",
            "W3.homogeneity", "every d, n (term by term)"),
        numeric(r"Numerically, $P^*(\omega)$ agrees with a convex QP solved by cvxpy.", "W3:P* vs cvxpy QP"),
        numeric(r"Numerically, the profile risk equals the risk evaluated at $P^*(\omega)$.",
                "W3:profile risk equals risk at P*"),
    ],
)
