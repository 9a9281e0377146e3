# ruff: noqa: E501  (proof text: long lines of mathematics read better unbroken)
r"""Proof of G1–G4: gated linear attention implements weighted preconditioned gradient
descent.

Checked by ``python -m wpgd_theory.symbolic.proofcheck construction``.
"""

from wpgd_theory.symbolic import induction as IN
from wpgd_theory.symbolic.proofcheck import Proof, all_sizes, argument, numeric

IND = ("induction over a symbolic length (Sum/Product rewriting)",)

INTRO = r"""
**Setting (THEORY §3).** Tokens $z_i=[x_i;y_i]$ ($i\le n$) and the query $z_{n+1}=[x;0]$. A GLA
layer runs $S_0=0$, $S_i=G_i\odot S_{i-1}+m_i\,v_ik_i^\top$, $o_i=S_iq_i$ with $q_i=W_qz_i$,
$k_i=W_kz_i$, $v_i=W_vz_i$ and write mask $m_i$ ($m_{n+1}=0$: the query reads but does not
write). Scalar gating is $G_i=g_i\mathbb 1\mathbb 1^\top$.

**How it is checked.** The unrolling (Step 1) and the gate/weight relations of G1–G2 are
checked by induction with a *symbolic* length ($\mathrm{Sum}$/$\mathrm{Product}$ with
symbolic limits, base case and step by exact rewriting). Independently, the recurrence is
run on exact polynomials (a small reference implementation independent of the numpy and
torch code) with symbolic features, labels, gates and weights at the listed sizes, and its
output is compared with WPGD computed from its definition. For G3 the same induction runs
with non-commuting matrix-valued writes and gates; for G4 one residual layer is shown to be
one causal WPGD step (symbolic $i$, $n$, $d$), and the layers compose by induction on $\ell$.
"""

PROOF = Proof(
    family="construction",
    title="Gated linear attention implements weighted preconditioned gradient descent",
    claims=("G1", "G2", "G3", "G4"),
    intro=INTRO,
    steps=[
        all_sizes(
            r"**Unrolling.** By induction on $i$, scalar gates give "
            r"$S_i=\sum_{j\le i}\big(\prod_{k=j+1}^{i}g_k\big)\,m_j\,v_jk_j^\top$ (the empty product is 1): "
            r"true for $i=0$, and $S_i=g_iS_{i-1}+m_iv_ik_i^\top$ multiplies every earlier term by $g_i$. "
            r"Checked with $i$ symbolic: base case, and the step by peeling the top term of the sum and the top "
            r"factor of each product (the rules are also evaluated at lengths 0–4).",
            IN.g_unrolling, IND, cross=(IN.crosscheck_unrolling, IN.confirm_rules), sizes="symbolic i (every n)"),
        argument(
            r"**G1.** With $W_k=\begin{psmallmatrix}P_k&0\\0&0\end{psmallmatrix}$, "
            r"$W_q=\begin{psmallmatrix}P_q&0\\0&0\end{psmallmatrix}$, $W_v=\begin{psmallmatrix}0&0\\0&1\end{psmallmatrix}$: "
            r"$k_j=[P_kx_j;0]$, $v_j=[0;y_j]$, $q_{n+1}=[P_qx;0]$, and the query's own write $v_{n+1}k_{n+1}^\top$ is 0 "
            r"because its label slot is 0 (so the mask does not matter in one layer). By Step 1, "
            r"$[o_{n+1}]_{d+1}=\sum_j\omega_j\,y_j\,(P_kx_j)^\top(P_qx)=x^\top P_q^\top P_k\,X^\top(\omega\odot y)$ with "
            r"$\omega_j=\prod_{k=j+1}^{n+1}g_k$ — the query's gate $g_{n+1}$ included — and $P=P_q^\top P_k$. $\square$"),
        all_sizes(
            r"**G1, checked from the block matrices** ($d$ symbolic, sympy block algebra): the products give "
            r"$k_j=[P_kx_j;0]$, $v_j=[0;y_j]$, $q=[P_qx;0]$; one write read by the query, $v_jk_j^\top q$, has feature "
            r"block $0$ and label block $y_j\,x^\top P_q^\top P_kx_j$ (canonical trace form); the query's own write is "
            r"$0$, so masked and unmasked queries agree. The sum over $j$ with the weights $\omega_j$ is Step 1. The "
            r"fixed-size engine runs the whole recurrence with symbolic $P_k,P_q,g,x_i,y_i,x$ (masked and unmasked "
            r"query) and compares with $x^\top PX^\top(\omega\odot y)$.",
            IN.g1_readout, ("sympy block matrices of symbolic size d", "canonical trace form (symbolic d)"),
            cross=("G1.one_layer",), sizes="symbolic d; the sum over j by Step 1 (symbolic n)"),
        numeric(r"The torch GLA with $(P_k,P_q)$ agrees with the numpy WPGD prediction.",
                "G1:GLA (P_k, P_q) vs numpy WPGD with P = P_qᵀP_k"),
        all_sizes(
            r"**G2, gates give monotone weights.** $\omega_n=g_{n+1}$ and $\omega_i=g_{i+1}\omega_{i+1}$. For gates in "
            r"$[0,1]$ this gives $0\le\omega_1\le\dots\le\omega_n\le1$ by descending induction.",
            IN.g2_forward, IND, cross=("G2.forward",), sizes="symbolic i, n"),
        all_sizes(
            r"**G2, every monotone weight vector is realised.** Given $0\le\omega_1\le\dots\le\omega_n\le1$ put "
            r"$g_{n+1}=\omega_n$, $g_{i+1}=\omega_i/\omega_{i+1}\in[0,1]$ when $\omega_{i+1}>0$, any gate in $[0,1]$ when "
            r"$\omega_{i+1}=0$ (then $\omega_i=0$), and any $g_1$. For nonzero weights the product "
            r"$\prod_{j=i+1}^{n+1}g_j$ telescopes to $\omega_i$; with zeros, let $m$ be the last index with "
            r"$\omega_m=0$: the factor $g_{m+1}=0/\omega_{m+1}=0$ appears in the product of every $i\le m$, and the "
            r"products for $i>m$ telescope. The check verifies the telescoping with symbolic (generic) $\omega$ and, at fixed sizes, that "
            r"the GLA with these gates outputs WPGD with $\omega$.",
            IN.g2_inverse, IND, cross=("G2.inverse",), sizes="symbolic i, n (downward induction)"),
        argument(
            r"**G2, the cone and its interior.** By W2 any scale is absorbed by $P$: $(P,\omega)\sim(\kappa P,\omega/\kappa)$, "
            r"so up to scale the realisable weights are the closed cone $\{0\le\omega_1\le\dots\le\omega_n\}$ (and its "
            r"negative, with $P\mapsto-P$). Sigmoid gates take values in $(0,1)$, so $\omega_i=g_{i+1}\omega_{i+1}<\omega_{i+1}$ "
            r"and $0<\omega_1$, $\omega_n<1$: they reach only the interior; the boundary needs gates equal to 0 or 1. $\square$"),
        numeric(r"Gates recovered from monotone weights reproduce the WPGD prediction in the torch GLA.",
                "G2:GLA from monotone ω vs numpy WPGD"),
        numeric(r"Random gates give monotone weights in $[0,1]$; weights → gates → weights is the identity; "
                r"sigmoid gates stay in the interior.",
                "G2:property: gates give monotone weights in [0,1]; round trip; sigmoid interior"),
        all_sizes(
            r"**G3.** Key-dimension gates $G_i=\mathbb 1g_i^\top$ scale column $c$ of the state by $g_{i,c}$, so by the "
            r"argument of Step 1 $S_{n+1}=\sum_iv_ik_i^\top\operatorname{diag}(\gamma_i)$ with "
            r"$\gamma_i=\odot_{j>i}g_j$, and $\hat y=\sum_iy_i(P_kx_i)^\top\operatorname{diag}(\gamma_i)(P_qx)$. "
            r"Value-dimension gates $G_i=g_i\mathbb 1^\top$ scale row $a$ by $g_{i,a}$; only the label row is read out, so "
            r"they act as scalar gates equal to the label coordinate's gate.",
            (IN.g3_key_unrolling, IN.g3_diag_products, IN.g3_value_readout),
            IND + ("non-commuting matrix sequences (factors pulled out on their own side only)",),
            cross=("G3.vector_gating",), sizes="symbolic i, n (matrix-valued T, D)"),
        argument(
            r"**G3, combinations of monotone profiles.** With key dimension $md$ — $m$ copies of $P_kx_i$ with copy $c$ "
            r"gated by a scalar profile $g^{(c)}$ and the query reading $\alpha_cP_qx$ in copy $c$ — Step 10 gives "
            r"$\hat y=\sum_iy_i\big(\sum_c\alpha_c\gamma^{(c)}_i\big)x^\top P_q^\top P_kx_i$: effective weights "
            r"$\omega=\sum_c\alpha_c\gamma^{(c)}$, a signed combination of $m$ monotone profiles ($m$ scalar-gated heads "
            r"are the same construction). A gate that reads context features can close ($=0$) exactly where segment $c$ "
            r"begins, making $\gamma^{(c)}_i=\mathbb 1\{k(i)\ge c\}$; with $\alpha_c=w_c-w_{c-1}$ the weights are "
            r"$\omega_i=w_{k(i)}$, so with $m\ge K$ every task-wise weight vector is realised. This part is verified "
            r"numerically."),
        numeric(r"Torch key-dimension gating agrees with the formula of Step 10.",
                "G3:key-dimension gates vs ∑ᵢ yᵢ (P_k xᵢ)ᵀ diag(γᵢ) (P_q x)"),
        numeric(r"$K$ scalar-gated heads with context gates realise a task-wise $\omega$.",
                "G3:task-wise ω by K scalar-gated heads (context gates)"),
        argument(
            r"**G4.** Let $W_k=\begin{psmallmatrix}I&0\\0&0\end{psmallmatrix}$, "
            r"$W_q=\begin{psmallmatrix}P_\ell^\top&0\\0&0\end{psmallmatrix}$, $W_v=\begin{psmallmatrix}0&0\\0&-1\end{psmallmatrix}$ "
            r"and residual connections. Induction on $\ell$: $W_v$ has zero feature rows, so the feature block of the "
            r"stream never changes, and only the label coordinate $\rho_i$ evolves ($\rho^{(0)}=(y_1,\dots,y_n,0)$). In "
            r"layer $\ell$, $k_j=[x_j;0]$, $v_j=[0;-\rho_j]$, $q_i=[P_\ell^\top x_i;0]$ and $k_j^\top q_i=x_i^\top P_\ell x_j$, so "
            r"by Step 1 the label coordinate of $o_i$ is $-x_i^\top P_\ell\sum_{j\le\min(i,n)}\omega^{(\ell)}_{ij}x_j\rho_j$ with "
            r"$\omega^{(\ell)}_{ij}=\prod_{k=j+1}^ig^{(\ell)}_k$ (the masked query never writes); the residual adds it to "
            r"$\rho_i$ — exactly one causal WPGD step. After $L$ layers $\hat y=-\rho^{(L)}_{n+1}$. $\square$"),
        all_sizes(
            r"**G4, checked.** One layer from the block matrices ($d$ symbolic): one write read by token $i$, "
            r"$v_jk_j^\top q_i$, has feature block $0$ (the stream's features never change — the induction invariant) "
            r"and label block $-\rho_j\,x_i^\top P_\ell x_j$; with it, the residual update "
            r"$\rho_i+\sum_{j\le i}\omega_{ij}m_j[v_jk_j^\top q_i]_{d+1}$ equals the causal WPGD update (symbolic $i$). "
            r"The unmasked query: its own write adds $-(x^\top P_\ell x)\rho^{(\ell-1)}_{n+1}$ to "
            r"its row — zero in layer 1 where $\rho^{(0)}_{n+1}=0$, non-zero from layer 2 on; for $L=2$, "
            r"$\hat y_{\text{unmasked}}=\hat y_{\text{masked}}-(x^\top P_2x)\,\hat y_1$ with $\hat y_1$ the one-step prediction. "
            r"Composition over $L$ layers is the induction of Step 14 (an argument); the fixed-size engine runs "
            r"the $L$-layer recurrence.",
            (IN.g4_layer_step, IN.g4_unmasked),
            IND + ("sympy block matrices of symbolic size d", "canonical trace form (symbolic d)"),
            cross=("G4.multilayer",), sizes="one layer: symbolic i, n, d; L = 2 unmasked: symbolic n"),
        numeric(r"The torch $L$-layer GLA (write-masked) agrees with causal WPGD.",
                "G4:L-layer GLA (write-masked) vs causal WPGD"),
        numeric(r"Without the mask the query's slot enters from layer 2 on.",
                "G4:without the write mask the query's slot enters from layer 2"),
    ],
)
