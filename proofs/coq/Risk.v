(* Claim W2: the prediction and the risk are invariant under (P, ω) ↦ (cP, ω/c), c ≠ 0.
   Docs: docs/theory/risk.md.  The risk is the closed form of W1 as an algebraic expression
   (W1's Gaussian derivation is not formalised here); proved over an arbitrary field, every d, n. *)
From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From WPGD Require Import GLA.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory.
Local Open Scope ring_scope.

Section Risk.
Variable F : fieldType.
Variables d n : nat.

(* τ = tr Σ + σ². *)
Definition tau (Sigma : 'M[F]_d) (sigma2 : F) : F := \tr Sigma + sigma2.

(* a = ωᵀ(R + I)ω. *)
Definition risk_a (Rm : 'M[F]_n) (w : 'cV[F]_n) : F := (w^T *m (Rm + 1%:M) *m w) 0 0.

(* b = τ ‖ω‖². *)
Definition risk_b (Sigma : 'M[F]_d) (sigma2 : F) (w : 'cV[F]_n) : F :=
  tau Sigma sigma2 * (w^T *m w) 0 0.

(* M(ω) = aΣ² + bΣ. *)
Definition Mw (Sigma : 'M[F]_d) (Rm : 'M[F]_n) (sigma2 : F) (w : 'cV[F]_n) : 'M[F]_d :=
  risk_a Rm w *: (Sigma *m Sigma) + risk_b Sigma sigma2 w *: Sigma.

(* docs (W1): L(P, ω) = τ − 2(rᵀω) tr(ΣPΣ) + tr(PᵀΣP M(ω)). *)
Definition risk (Sigma : 'M[F]_d) (Rm : 'M[F]_n) (r : 'cV[F]_n) (sigma2 : F)
    (P : 'M[F]_d) (w : 'cV[F]_n) : F :=
  tau Sigma sigma2 - 2 * (r^T *m w) 0 0 * \tr (Sigma *m P *m Sigma)
  + \tr (P^T *m Sigma *m P *m Mw Sigma Rm sigma2 w).

Lemma trmxZ m p k (A : 'M[F]_(m, p)) : (k *: A)^T = k *: A^T.
Proof. by apply/matrixP => i j; rewrite !mxE. Qed.

Lemma quad_scale (A : 'M[F]_n) (w : 'cV[F]_n) k :
  ((k *: w)^T *m A *m (k *: w)) 0 0 = k ^+ 2 * (w^T *m A *m w) 0 0.
Proof. by rewrite trmxZ -!scalemxAl -scalemxAr !mxE mulrA expr2. Qed.

(* docs (W2): L(cP, ω/c) = L(P, ω) for every c ≠ 0. *)
Theorem W2_risk_scaling Sigma Rm r sigma2 (P : 'M[F]_d) (w : 'cV[F]_n) (c : F) :
  c != 0 -> risk Sigma Rm r sigma2 (c *: P) (c^-1 *: w) = risk Sigma Rm r sigma2 P w.
Proof.
move=> c0; rewrite /risk /Mw /risk_a /risk_b.
rewrite !quad_scale -(mulmx1 (c^-1 *: w)^T) quad_scale mulmx1.
rewrite -scalemxAr mxE.
set a := (w^T *m (Rm + 1%:M) *m w) 0 0; set q := (w^T *m w) 0 0.
set s := (r^T *m w) 0 0; set T := tau Sigma sigma2; set M := a *: _ + _.
have -> : (c^-1 ^+ 2 * a) *: (Sigma *m Sigma) + (T * (c^-1 ^+ 2 * q)) *: Sigma = c^-1 ^+ 2 *: M.
  by rewrite scalerDr !scalerA mulrCA.
have -> : Sigma *m (c *: P) *m Sigma = c *: (Sigma *m P *m Sigma).
  by rewrite -scalemxAr -scalemxAl.
rewrite trmxZ -!scalemxAl -!scalemxAr !scalerA !mxtraceZ -scalemxAl mxtraceZ.
move: s (\tr (Sigma *m P *m Sigma)) (\tr (P^T *m Sigma *m P *m M)) => s1 t1 t2.
by field.
Qed.

(* docs (W2, prediction): ŷ is bilinear in (P, ω), so ŷ(cP, ω/c) = ŷ(P, ω) for every c ≠ 0. *)
Theorem W2_prediction_scaling (P : 'M[F]_d) (X : 'M[F]_(n, d)) (y w : 'cV[F]_n) (x : 'cV[F]_d)
    (c : F) :
  c != 0 -> wpgd_prediction (c *: P) X y (c^-1 *: w) x = wpgd_prediction P X y w x.
Proof.
move=> c0; rewrite /wpgd_prediction.
have -> : hadamard (c^-1 *: w) y = c^-1 *: hadamard w y.
  by apply/matrixP => i j; rewrite !mxE mulrA.
by rewrite -!scalemxAr -!scalemxAl scalerA mulVf // scale1r.
Qed.

End Risk.
