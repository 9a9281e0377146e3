# ruff: noqa: E501  (proof text: long lines of mathematics read better unbroken)
r"""Proof of A1–A4 (and the links to the training claims T1, T2): what gated linear attention
can reach in the WPGD landscape.

Checked by ``python -m wpgd_theory.symbolic.proofcheck gla_landscape``.
"""

from wpgd_theory.symbolic import sizefree as SF
from wpgd_theory.symbolic import stationary as ST
from wpgd_theory.symbolic.proofcheck import Proof, all_sizes, argument, numeric

BIL = ("bilinear atoms in vectors of symbolic length n",)

INTRO = r"""
**Setting.** $\mathcal M=\{\omega:0\le\omega_1\le\dots\le\omega_n\}$ is the monotone cone and
$\mathcal M_1=\mathcal M\cap[0,1]^n$ the weights of scalar gates (G2). Gates are
*deterministic* (they read only context features / delimiters), so $\omega$ does not depend on
$x_i,y_i$ and the risk of the GLA is the WPGD risk $L(P,\omega)$ of W1. $L(\omega)$ denotes the
profile risk (W3).
"""

PROOF = Proof(
    family="gla_landscape",
    title="What gated linear attention reaches in the WPGD landscape",
    claims=("A1", "A2", "A3", "A4", "T1", "T2"),
    intro=INTRO,
    steps=[
        argument(
            r"**A1, reduction.** By G1–G2 a one-layer scalar-gated GLA computes WPGD with $\omega\in\mathcal M_1$ and "
            r"$P=P_q^\top P_k$, which is any matrix (take $P_q=I$). By W2, $L(\kappa P,\omega/\kappa)=L(P,\omega)$; with "
            r"$\kappa>0$ every $\omega\in\mathcal M\setminus\{0\}$ is scaled into $\mathcal M_1$, and with $\kappa=-1$ the "
            r"cone $-\mathcal M$ is reached too. Hence $\inf L_{\text{GLA}}=\min\{\tau,\ \inf_{\omega\in\pm\mathcal M\setminus\{0\}}L(\omega)\}$."),
        argument(
            r"**A1, attainment.** $L(\omega)$ is continuous and homogeneous of degree 0 and "
            r"$\pm\mathcal M\cap\{\lVert\omega\rVert=1\}$ is compact, so the infimum is a minimum at some $\hat\omega$. "
            r"Scaled into $\mathcal M_1$ it is realised by the gates of G2, which may need to equal 0 or 1 exactly (the cone "
            r"is closed; sigmoid gates reach only its interior), with $P=P^*(\hat\omega)$ from W3. $\square$"),
        all_sizes(
            r"**A1 for $\Sigma=I$.** The profile is $L(\omega)=\tau-d\,\frac{(r^\top\omega)^2}{\omega^\top A\omega}$ with "
            r"$A=R+(d+1+\sigma^2)I$ ($\succ0$ as $R\succeq0$).",
            ST.a1_isotropic_profile, BIL, cross=("A1.isotropic_profile",)),
        argument(
            r"**A1, the convex program, with a correction.** The profile is **even** in $\omega$ (it depends on "
            r"$(r^\top\omega)^2$), so by homogeneity minimising over $\pm\mathcal M$ — equivalently over $\mathcal M$ "
            r"alone, with $P^*(\omega)$ negative when $r^\top\omega<0$ — means "
            r"maximising $|r^\top\omega|$ subject to $\lVert A^{1/2}\omega\rVert\le1$, $\omega\in\mathcal M$: the optimal "
            r"GLA risk is $\tau-d\,p^2$ with $p=\max(p_+,p_-)$ and $p_\pm=\max\{\pm r^\top\omega:\ \omega\in\mathcal M,\ "
            r"\lVert A^{1/2}\omega\rVert\le1\}$ — **two** second-order cone programs. THEORY's single program "
            r"(maximise $r^\top\omega$) is correct only when the optimum has $r^\top\omega\ge0$ on $\mathcal M$; "
            r"e.g. if every $r_i<0$ it returns $p_+=0$ (risk $\tau$) while the GLA reaches $\tau-dp_-^2<\tau$ with "
            r"$\omega\in\mathcal M$ and a negative $P$. THEORY's error is maximising $r^\top\omega$ instead of $|r^\top\omega|$."),
        numeric(r"The monotone-cone optimum (branch and bound over $t$ with NNLS inside) is realised by a one-layer "
                r"scalar-gated torch GLA built with the gates of G2: the WPGD that the GLA computes, identified from "
                r"its outputs on sampled prompts, has the cone optimum's risk and monotone weights, for $\Sigma=I$ "
                r"(the A1 programs) and general $\Sigma$.",
                "A1:torch GLA with gates built from the monotone optimum vs the cone optimum"),
        all_sizes(
            r"**A2.** If $\omega^*=s\,m$ with $m\in\mathcal M$, $s=\pm1$, then $\hat\omega=m/m_n\in\mathcal M_1$ is realised "
            r"by gates (G2) and $P=s\,m_n\,P^*(\omega^*)$ gives, by W2, $L(P,\hat\omega)=L(P^*(\omega^*),\omega^*)$: the "
            r"GLA attains the optimal WPGD risk. $\square$ (The check is the scaling symmetry W2.)",
            SF.w2_scaling, ("matrix Wick contraction in canonical form (symbolic d)",
                            "index-coincidence classes i = j, i ≠ j (symbolic n)"), cross=("W2.scaling",)),
        argument(
            r"**A3.** Linear attention is $G\equiv1$, i.e. $\omega=\mathbb 1\in\mathcal M_1$, so "
            r"$L_{\text{GLA}}\le L_{\text{LinAtt}}$ always; the inequality is strict exactly when $\mathbb 1$ is not a "
            r"minimiser of $L$ over $\pm\mathcal M$ (the optimal value is then strictly smaller)."),
        all_sizes(
            r"**A3, the gap to the unconstrained optimum ($\Sigma=I$).** With $z=\operatorname{adj}(A)r$, "
            r"$\delta=\det A$, $Q=r^\top z$: $L(\mathbb 1)-L^*=d\,\frac{e^\top Ae}{Q\,\delta\,\mathbb 1^\top A\mathbb 1}$, "
            r"$e=Q\mathbb 1-(r^\top\mathbb 1)z$.",
            ST.a3_uniform_gap, BIL + ("rewrite rule A z = r",), cross=("A3.uniform_gap",)),
        all_sizes(
            r"**A3, single task.** For $R=\mathbb 1\mathbb 1^\top$, $r=\mathbb 1$: "
            r"$A\mathbb 1=(n+d+1+\sigma^2)\mathbb 1$ (and, at fixed sizes, $L(\mathbb 1)=L^*$).",
            ST.a3_single_task, BIL + ("rewrite rule R 1 = n 1",), cross=("A3.single_task",)),
        argument(
            r"**A3, when the gap vanishes.** $A\succ0$, so $Q=r^\top\operatorname{adj}(A)r$, $\delta$ and "
            r"$\mathbb 1^\top A\mathbb 1$ are positive (for $r\neq0$) and $e^\top Ae\ge0$ with equality iff $e=0$: the gap "
            r"of Step 8 vanishes iff $A^{-1}r\parallel\mathbb 1$. For a single task Step 9 gives "
            r"$A^{-1}r=r/(n+d+1+\sigma^2)\parallel\mathbb 1$, so linear attention is already WPGD-optimal — gating "
            r"helps only when tasks differ."),
        numeric(r"Numerically, $L_{\text{GLA}}\le L_{\text{LinAtt}}$ with the predicted gap on the default models.",
                "A3:GLA never worse than linear attention; gap as predicted"),
        argument(
            r"**A4, scalar gating falls short.** If the minimiser is unique up to scaling (W5) and its ray misses "
            r"$\pm\mathcal M$, then the closed set $\pm\mathcal M\cap\{\lVert\omega\rVert=1\}$ does not contain a "
            r"minimiser, so its minimum of the continuous profile is strictly larger: scalar-gated GLA is strictly "
            r"suboptimal."),
        all_sizes(
            r"**A4, the intertwining identity.** For a task model $R=E\rho E^\top$ with $E$ the $n\times K$ segment "
            r"indicator and $N:=E^\top E$ (a definition; $=\operatorname{diag}(n_k)$ for an indicator): "
            r"$(E\rho E^\top+sI)E=E(\rho N+sI)$ — associativity and the definition of $N$, for letters of symbolic "
            r"sizes. The fixed-size engine checks the consequence $(E\rho E^\top+sI)\,E\operatorname{adj}(\rho N+sI)"
            r"r^{\text{task}}=\det(\rho N+sI)\,Er^{\text{task}}$ for concrete segment structures.",
            SF.a4_taskwise, ("matrix words of symbolic sizes n, K with E^T E = N",), cross=("A4.taskwise_optimum",),
            sizes="symbolic n, K"),
        argument(
            r"**A4, the optimum is task-wise.** With $s=1+\mu>0$, $R+sI\succ0$ and $\rho N+sI$ is invertible (similar "
            r"to $N^{1/2}\rho N^{1/2}+sI\succ0$ as every $n_k>0$), so multiplying the identity of Step 13 by $(R+sI)^{-1}$ on the left "
            r"and $(\rho N+sI)^{-1}r^{\text{task}}$ on the right gives, for $r=Er^{\text{task}}$, "
            r"$\omega(\mu)=(R+sI)^{-1}r=E(\rho N+sI)^{-1}r^{\text{task}}$: a vector of the form $Ey$, constant on every "
            r"segment. By G3, vector / multi-head gating with context features realises every task-wise weight "
            r"vector, hence the optimum. $\square$"),
        numeric(r"Multi-head GLA reaches the non-monotone optimum (probed weights, closed-form risk).",
                "A4:multi-head GLA reaches the non-monotone optimum (probed, closed-form risk)"),
        argument(
            r"**T1, T2 (empirical).** The statements above predict the risks that trained models should reach: the "
            r"uniform optimum for linear attention, the monotone-cone optimum for scalar gates, the task-wise optimum for "
            r"vector / multi-head gates (A1–A4), and, for depth, the causal multi-step WPGD risk of the trained "
            r"parameters (G4). These are training experiments, verified numerically only."),
        numeric(r"Trained models reach the cone optima.", "T1:trained LinAtt / scalar / multi-head GLA reach the cone optima"),
        numeric(r"Trained models are ordered LinAtt ≥ scalar GLA ≥ multi-head GLA.",
                "T1:ordering LinAtt ≥ scalar GLA ≥ multi-head GLA"),
        numeric(r"Risk decreases with depth.", "T2:risk decreases with depth (trained L = 1, 2, 3)"),
        numeric(r"A trained GLA's risk equals the causal multi-step WPGD risk of its parameters.",
                "T2:trained GLA risk = causal multi-step WPGD risk of its parameters"),
    ],
)
