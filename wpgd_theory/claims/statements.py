r"""The claims of THEORY.md §4, one :class:`~wpgd_theory.claims.core.Claim` per id.

Ids are stable: tests, report and docs use them.  Statements are the project's own
precise versions (corrections to THEORY.md are noted in the statement and the docs).
"""

from __future__ import annotations

from .core import Claim

_C = "proofs/construction.py"
_R = "proofs/risk.py"
_O = "proofs/optimum.py"
_A = "proofs/gla_landscape.py"

CLAIMS = [
    Claim("G1", "One-layer scalar-gated GLA is one step of WPGD",
          r"With $W_k=\begin{psmallmatrix}P_k&0\\0&0\end{psmallmatrix}$, $W_q=\begin{psmallmatrix}P_q&0\\0&0\end{psmallmatrix}$, "
          r"$W_v=\begin{psmallmatrix}0&0\\0&1\end{psmallmatrix}$ and scalar gates $g_i\in[0,1]$, "
          r"$\hat y_{\mathrm{GLA}} = x^\top P X^\top(\omega\odot y)$ exactly, with $P=P_q^\top P_k$ and "
          r"$\omega_i=\prod_{j=i+1}^{n+1} g_j$ (the query's gate included).",
          ("scalar gates in [0,1]", "readout is the label coordinate of the query output"), _C),
    Claim("G2", "Scalar gates realise exactly the monotone weights",
          r"$\{\omega(g): g\in[0,1]^{n+1}\} = \{\omega: 0\le\omega_1\le\dots\le\omega_n\le 1\}$; "
          r"up to the scale absorbed by $P$ this is the closed monotone cone. Gates are recovered "
          r"constructively by $g_{n+1}=\omega_n$, $g_{i+1}=\omega_i/\omega_{i+1}$. Sigmoid gates reach only the interior.",
          ("scalar gates",), _C),
    Claim("G3", "Vector (key-dimension) gating gives combinations of monotone profiles",
          r"With gates $G_i=\mathbb 1 g_i^\top$ on the key dimension, "
          r"$\hat y=\sum_i y_i (P_k x_i)^\top \operatorname{diag}(\gamma_i)(P_q x)$, $\gamma_i=\odot_{j>i} g_j$; "
          r"value-dimension gating collapses to scalar gating. With key dimension $m d$ the weights are "
          r"$\omega=\sum_c\alpha_c\gamma^{(c)}$, and with delimiter tokens carrying the task id and $m\ge K$ every task-wise weight "
          r"vector is realisable (a one-hot task id on the examples alone does not suffice: a correction, see the docs' Corrections page).",
          ("delimiter tokens with the task id for the task-wise statement",), _C),
    Claim("G4", "L-layer GLA is L steps of causal WPGD",
          r"With residual connections, $W_k=\begin{psmallmatrix}I&0\\0&0\end{psmallmatrix}$, "
          r"$W_q=\begin{psmallmatrix}P_\ell^\top&0\\0&0\end{psmallmatrix}$, $W_v=\begin{psmallmatrix}0&0\\0&-1\end{psmallmatrix}$ "
          r"and a write-masked query, $\hat y=-[Z^{(L)}]_{n+1,d+1}$ equals $L$ steps of causal WPGD with "
          r"$\omega^{(\ell)}_{ij}=\prod_{k=j+1}^{i} g^{(\ell)}_k$. Without the mask the query's slot enters from layer 2 on.",
          ("query write-masked", "scalar gates"), _C),
    Claim("W1", "Closed-form WPGD risk",
          r"$L(P,\omega)=\tau-2(r^\top\omega)\operatorname{tr}(\Sigma P\Sigma)+\operatorname{tr}(P^\top\Sigma P M(\omega))$, "
          r"$M(\omega)=a\Sigma^2+b\Sigma$, $a=\omega^\top(R+I)\omega$, $b=\tau\|\omega\|^2$, $\tau=\operatorname{tr}\Sigma+\sigma^2$.",
          ("Gaussian features and tasks (the multitask prompt model)", "C PSD with unit diagonal"), _R),
    Claim("W2", "Scaling symmetry",
          r"$L(cP,\omega/c)=L(P,\omega)$ for every $c\neq 0$.", (), _R),
    Claim("W3", "Optimal preconditioner and profile risk",
          r"For $\omega$ with $r^\top\omega\neq0$ the risk is strictly convex in $P$ with unique minimiser "
          r"$P^*(\omega)=(r^\top\omega)\Sigma M(\omega)^{-1}=\frac{r^\top\omega}{a}(\Sigma+\frac ba I)^{-1}$; "
          r"$L(\omega)=\tau-(r^\top\omega)^2\sum_j\lambda_j^2/(a\lambda_j+b)$, homogeneous of degree 0.",
          ("omega != 0",), _R),
    Claim("W4", "Stationary points lie on a one-parameter curve",
          r"Every stationary $\omega$ of $L(\omega)$ with $r^\top\omega\ne0$ is $\propto(R+(1+\mu)I)^{-1}r$ where "
          r"$\mu=\tau h(t(\mu))$, $h(t)=\sum\lambda^2/(\lambda+t)^2\big/\sum\lambda^3/(\lambda+t)^2$, $t=b/a$ at $\omega(\mu)$; "
          r"all roots lie in $[\tau/\lambda_{\max},\tau/\lambda_{\min}]$.", (), _O),
    Claim("W5", "Global minimiser: exists, unique up to scaling iff one root has least risk",
          r"For $r\ne0$ a global minimiser exists and the W4 equation has at least one root. The minimiser is unique "
          r"up to $(P,\omega)\mapsto(cP,\omega/c)$ iff exactly one root of the W4 equation attains the least risk; one "
          r"root suffices, which holds when $4\delta(\kappa_\Sigma)^2\delta(\kappa_R)^2<1$, "
          r"$\delta(\kappa)=(\sqrt\kappa-1)/(\sqrt\kappa+1)$ (proved), and numerically whenever $d\le5$. "
          r"For $d\ge6$ three roots and ties (two distinct global minimisers) occur (proofs/uniqueness.md). "
          r"For $\Sigma=\lambda I$: $\omega^*\propto(R+(d+1+\sigma^2/\lambda)I)^{-1}r$, $P^*\propto I$; for $\Sigma=I$: "
          r"$L^*=d+\sigma^2-d\,r^\top(R+(d+1+\sigma^2)I)^{-1}r$. (A correction of the starting notes, "
          r"which say 'unique exactly when the equation has one root'.)", ("r != 0",), _O),
    Claim("W6", "The conditions matter",
          r"$r=0$ makes the profile risk constant ($=\tau$) in $\omega$; a non-PSD $C$ defines no model and is rejected.",
          (), _O),
    Claim("A1", "Optimal scalar-gated GLA = best WPGD over the monotone cone",
          r"One-layer scalar GLA with deterministic gates attains $\min_{\omega\in\pm\mathcal M}L(\omega)$, "
          r"$\mathcal M=\{0\le\omega_1\le\dots\le\omega_n\}$, with gates that may equal 0 and 1. For $\Sigma=I$: "
          r"maximise $r^\top\omega$ s.t. $\|A^{1/2}\omega\|\le1$, $\omega\in\mathcal M$, $A=R+(d+1+\sigma^2)I$.",
          ("deterministic gates",), _A),
    Claim("A2", "Monotone optimum ⇒ GLA is optimal",
          r"If $\omega^*$ (W5) is monotone up to sign, scalar-gated GLA attains the optimal WPGD risk.", (), _A),
    Claim("A3", "Gating never hurts; strict gain exactly off the uniform direction",
          r"Linear attention is $\omega\propto\mathbb 1$; $L_{\mathrm{GLA}}\le L_{\mathrm{LinAtt}}$, strictly iff the "
          r"monotone-constrained optimum is not $\propto\mathbb 1$.", (), _A),
    Claim("A4", "Vector / multi-head gating reaches non-monotone optima",
          r"When $\omega^*$ is not monotone, scalar gating cannot reach it; vector or multi-head gating with context "
          r"features (G3) can, since for task models $\omega^*$ is task-wise.", ("context features",), _A),
    Claim("T1", "Trained models confirm the landscape",
          r"LinAtt, scalar GLA and vector GLA trained on sampled prompts reach the risks of the uniform, monotone and "
          r"task-wise optima, across $n$.", ("gradient training from random init",), _A),
    Claim("T2", "Depth helps: multi-step WPGD",
          r"$L$-layer GLA trained on multitask prompts improves with $L$ and matches the causal multi-step WPGD risk "
          r"computed directly with its parameters.", (), _A),
]
