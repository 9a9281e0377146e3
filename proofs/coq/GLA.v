(* Claims G1, G3, G4: gated linear attention implements WPGD (the GLA recurrence, its unrolling,
   G1, G3 with key- and value-dimension gates, G4 with and without the write mask).
   Docs: docs/theory/construction.md (generated from proofs/construction.py and
   wpgd_theory/claims/statements.py).  Every statement below is proved over an arbitrary
   commutative ring R, for every feature dimension d, context length n and number of layers L. *)
From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory.
Local Open Scope ring_scope.

Section GLA.
Variable R : comRingType.

(* ------------------------------------------------------------------ the GLA layer *)
(* Entrywise (Hadamard) product  A ⊙ B. *)
Definition hadamard m n (A B : 'M[R]_(m, n)) : 'M[R]_(m, n) := \matrix_(i, j) (A i j * B i j).

(* Setting (THEORY §3): tokens z_1, ..., z_{n+1} (indexed by nat, z_{n+1} the query);
   S_0 = 0,  S_i = G_i ⊙ S_{i-1} + m_i v_i k_iᵀ,  o_i = S_i q_i,
   with q_i = W_q z_i, k_i = W_k z_i, v_i = W_v z_i and write mask m_i. *)
Fixpoint gla_state dv dk (G : nat -> 'M[R]_(dv, dk)) (mask : nat -> R)
    (v : nat -> 'cV[R]_dv) (k : nat -> 'cV[R]_dk) (i : nat) : 'M[R]_(dv, dk) :=
  if i is i'.+1 then hadamard (G i) (gla_state G mask v k i') + mask i *: (v i *m (k i)^T)
  else 0.

Definition gla_output p dk dv (Wk Wq : 'M[R]_(dk, p)) (Wv : 'M[R]_(dv, p))
    (G : nat -> 'M[R]_(dv, dk)) (mask : nat -> R) (z : nat -> 'cV[R]_p) (i : nat) : 'cV[R]_dv :=
  gla_state G mask (fun j => Wv *m z j) (fun j => Wk *m z j) i *m (Wq *m z i).

(* Scalar gating: G_i = g_i 1 1ᵀ. *)
Definition scalar_gates dv dk (g : nat -> R) : nat -> 'M[R]_(dv, dk) := fun i => const_mx (g i).

(* Key-dimension gating: G_i = 1 g_iᵀ. *)
Definition key_gates dv dk (g : nat -> 'cV[R]_dk) : nat -> 'M[R]_(dv, dk) :=
  fun i => const_mx 1 *m (g i)^T.

Lemma hadamard_scalar_gate dv dk a (A : 'M[R]_(dv, dk)) : hadamard (const_mx a) A = a *: A.
Proof. by apply/matrixP => i j; rewrite !mxE. Qed.

Lemma hadamard_key_gate dv dk (g : 'cV[R]_dk) (A : 'M[R]_(dv, dk)) :
  hadamard (const_mx 1 *m g^T) A = A *m diag_mx g^T.
Proof.
by apply/matrixP => i j; rewrite mul_mx_diag !mxE big_ord1 !mxE mul1r mulrC.
Qed.

(* ------------------------------------------------------------------ Step 1: unrolling *)
(* docs (construction, Step 1): by induction on i, scalar gates give
   S_i = Σ_{j≤i} (Π_{k=j+1}^{i} g_k) m_j v_j k_jᵀ   (the empty product is 1). *)
Lemma unrolling dv dk (g : nat -> R) mask (v : nat -> 'cV[R]_dv) (k : nat -> 'cV[R]_dk) i :
  gla_state (scalar_gates dv dk g) mask v k i =
  \sum_(1 <= j < i.+1) ((\prod_(j.+1 <= l < i.+1) g l) * mask j) *: (v j *m (k j)^T).
Proof.
elim: i => [|i IH]; first by rewrite big_geq.
rewrite /= IH hadamard_scalar_gate (@big_nat_recr _ _ _ i.+1) //= (@big_geq _ _ _ i.+2 i.+2) // mul1r.
rewrite scaler_sumr; congr (_ + _); apply: eq_big_nat => j /andP [_ hj].
by rewrite (@big_nat_recr _ _ _ i.+1 j.+1) //= scalerA; congr (_ *: _); ring.
Qed.

(* docs (G3): key-dimension gates G_i = 1 g_iᵀ give S_i = Σ_{j≤i} m_j v_j k_jᵀ diag(γ_{j,i}),
   γ_{j,i} = ⊙_{l=j+1}^{i} g_l (entrywise product; empty product = 1). *)
Definition gamma dk (g : nat -> 'cV[R]_dk) (j i : nat) : 'cV[R]_dk :=
  \col_c \prod_(j.+1 <= l < i.+1) g l c 0.

Lemma unrolling_key dv dk (g : nat -> 'cV[R]_dk) mask (v : nat -> 'cV[R]_dv) k i :
  gla_state (key_gates dv g) mask v k i =
  \sum_(1 <= j < i.+1) mask j *: (v j *m (k j)^T *m diag_mx (gamma g j i)^T).
Proof.
elim: i => [|i IH]; first by rewrite big_geq.
rewrite /= IH hadamard_key_gate (@big_nat_recr _ _ _ i.+1) //= mulmx_suml.
have -> : gamma g i.+1 i.+1 = const_mx 1.
  by apply/matrixP => c c'; rewrite !mxE big_geq.
rewrite trmx_const diag_const_mx mulmx1; congr (_ + _).
apply: eq_big_nat => j /andP [_ hj].
rewrite -scalemxAl -mulmxA mulmx_diag; do 3 f_equal.
by apply/matrixP => c c'; rewrite !mxE (@big_nat_recr _ _ _ i.+1 j.+1).
Qed.

(* Value-dimension gating: G_i = g_i 1ᵀ. *)
Definition value_gates dv dk (g : nat -> 'cV[R]_dv) : nat -> 'M[R]_(dv, dk) :=
  fun i => g i *m const_mx 1.

Lemma value_gates_entry dv dk (g : nat -> 'cV[R]_dv) mask (v : nat -> 'cV[R]_dv)
    (k : nat -> 'cV[R]_dk) i a b :
  gla_state (value_gates dk g) mask v k i a b =
  gla_state (scalar_gates dv dk (fun l => g l a 0)) mask v k i a b.
Proof.
elim: i => [|i IH] /=; first by rewrite !mxE.
by rewrite !mxE IH big_ord1 !mxE mulr1.
Qed.

(* docs (G3, value dimension): value-dimension gates G_i = g_i 1ᵀ scale row a of the state by
   g_{i,a}; only the label row is read out, so they act as scalar gates equal to the label
   coordinate's gate: every output coordinate a of the value-gated layer is the same coordinate
   of the layer with scalar gates (g_l)_a. *)
Theorem G3_value_gates_act_as_scalar_gates p dk dv (Wk Wq : 'M[R]_(dk, p)) (Wv : 'M[R]_(dv, p))
    (g : nat -> 'cV[R]_dv) mask (z : nat -> 'cV[R]_p) i (a : 'I_dv) :
  gla_output Wk Wq Wv (value_gates dk g) mask z i a 0 =
  gla_output Wk Wq Wv (scalar_gates dv dk (fun l => g l a 0)) mask z i a 0.
Proof. by rewrite /gla_output !mxE; apply: eq_bigr => b _; rewrite value_gates_entry. Qed.

(* ------------------------------------------------------------------ block algebra *)
Lemma block_feature_mul d (P : 'M[R]_d) (a : 'cV[R]_d) (b : 'cV[R]_1) :
  block_mx P 0 0 0 *m col_mx a b = col_mx (P *m a) (0 : 'cV[R]_1).
Proof. by rewrite mul_block_col !mul0mx !addr0. Qed.

Lemma block_label_mul d (c : R) (a : 'cV[R]_d) (b : 'cV[R]_1) :
  block_mx 0 0 0 c%:M *m col_mx a b = col_mx (0 : 'cV[R]_d) (c *: b).
Proof. by rewrite mul_block_col !mul0mx !add0r mul_scalar_mx. Qed.

Lemma key_query d (a b : 'cV[R]_d) : (col_mx a (0 : 'cV[R]_1))^T *m col_mx b 0 = a^T *m b.
Proof. by rewrite tr_col_mx mul_row_col trmx0 mul0mx addr0. Qed.

Lemma label_of_write d (c : 'M[R]_1) (y : R) :
  (col_mx (0 : 'cV[R]_d) y%:M *m c) (rshift d ord0) ord0 = y * c 0 0.
Proof. by rewrite mul_col_mx col_mxEd mul_scalar_mx !mxE. Qed.

Lemma trmx11 (A : 'M[R]_1) : A^T 0 0 = A 0 0.
Proof. by rewrite mxE. Qed.

(* ------------------------------------------------------------------ G1 *)
Section OneLayer.
Variables d n : nat.

(* Tokens z_i = [x_i; y_i] for i = 1..n and the query z_{n+1} = [x; 0]. *)
Definition token (xs : nat -> 'cV[R]_d) (ys : nat -> R) (x : 'cV[R]_d) (i : nat) : 'cV[R]_(d + 1) :=
  if (i <= n)%N then col_mx (xs i) (ys i)%:M else col_mx x 0.

(* X has rows x_1ᵀ, ..., x_nᵀ; y = (y_1, ..., y_n). *)
Definition Xmat (xs : nat -> 'cV[R]_d) : 'M[R]_(n, d) := \matrix_(i, c) xs i.+1 c 0.
Definition ycol (ys : nat -> R) : 'cV[R]_n := \col_i ys i.+1.

(* One WPGD step:  ŷ = xᵀ P Xᵀ (ω ⊙ y). *)
Definition wpgd_prediction (P : 'M[R]_d) (X : 'M[R]_(n, d)) (y w : 'cV[R]_n) (x : 'cV[R]_d) : R :=
  (x^T *m P *m X^T *m hadamard w y) 0 0.

(* ω_i = Π_{j=i+1}^{n+1} g_j  (i = 1..n; the query's gate g_{n+1} included). *)
Definition omega (g : nat -> R) : 'cV[R]_n := \col_(i < n) \prod_(i.+2 <= j < n.+2) g j.

(* The readout: the label coordinate [o]_{d+1}. *)
Definition label (o : 'cV[R]_(d + 1)) : R := o (rshift d ord0) ord0.

Lemma token_query xs ys x : token xs ys x n.+1 = col_mx x 0.
Proof. by rewrite /token ltnn. Qed.

Lemma token_example xs ys x i : (i <= n)%N -> token xs ys x i = col_mx (xs i) (ys i)%:M.
Proof. by rewrite /token => ->. Qed.

Lemma Xmat_tr_mul xs (w : 'cV[R]_n) : (Xmat xs)^T *m w = \sum_(i < n) w i 0 *: xs i.+1.
Proof.
apply/matrixP => a b; rewrite !mxE summxE; apply: eq_bigr => i _.
by rewrite !mxE (ord1 b) mulrC.
Qed.

Lemma wpgd_prediction_sum P xs ys w x :
  wpgd_prediction P (Xmat xs) (ycol ys) w x =
  \sum_(i < n) w i 0 * ys i.+1 * (x^T *m P *m xs i.+1) 0 0.
Proof.
rewrite /wpgd_prediction -mulmxA Xmat_tr_mul mulmx_sumr summxE; apply: eq_bigr => i _.
by rewrite -scalemxAr mxE !mxE.
Qed.

(* docs (G1): With W_k = (P_k 0; 0 0), W_q = (P_q 0; 0 0), W_v = (0 0; 0 1) and scalar gates g_i,
   ŷ_GLA = xᵀ P Xᵀ (ω ⊙ y) exactly, with P = P_qᵀ P_k and ω_i = Π_{j=i+1}^{n+1} g_j
   (the query's gate included).  The examples write (m_i = 1, i ≤ n); the query's mask m_{n+1}
   is arbitrary (masked or unmasked query).  No hypothesis on the gates is needed. *)
Theorem G1_one_layer_gla_is_wpgd (Pk Pq : 'M[R]_d) (xs : nat -> 'cV[R]_d) (ys : nat -> R)
    (x : 'cV[R]_d) (g mask : nat -> R) :
  (forall j, (0 < j <= n)%N -> mask j = 1) ->
  let Wk : 'M[R]_(d + 1) := block_mx Pk 0 0 0 in
  let Wq : 'M[R]_(d + 1) := block_mx Pq 0 0 0 in
  let Wv : 'M[R]_(d + 1) := block_mx 0 0 0 1%:M in
  label (gla_output Wk Wq Wv (scalar_gates _ _ g) mask (token xs ys x) n.+1) =
  wpgd_prediction (Pq^T *m Pk) (Xmat xs) (ycol ys) (omega g) x.
Proof.
move=> hmask Wk Wq Wv.
rewrite wpgd_prediction_sum /gla_output unrolling mulmx_suml /label summxE.
rewrite (@big_nat_recr _ _ _ n.+1) //= token_query /Wv (block_label_mul 1) scaler0 col_mx0.
rewrite !mul0mx scaler0 mul0mx mxE addr0 big_add1 big_mkord /=; apply: eq_bigr => i _.
have hi : (i.+1 <= n)%N by exact: ltn_ord.
rewrite token_example // /Wk /Wq !block_feature_mul -scalemxAl mxE.
rewrite -mulmxA key_query (block_label_mul 1) scale1r label_of_write hmask ?hi // mulr1.
by rewrite [omega _ _ _]mxE -[in RHS]trmx11 !trmx_mul !trmxK !mulmxA mulrA.
Qed.

(* ------------------------------------------------------------------ G3 *)
Lemma row_feature_mul d' p (P : 'M[R]_(p, d')) (a : 'cV[R]_d') (b : 'cV[R]_1) :
  row_mx P 0 *m col_mx a b = P *m a.
Proof. by rewrite mul_row_col mul0mx addr0. Qed.

Lemma row_label_mul (a : 'cV[R]_d) (b : 'cV[R]_1) : row_mx 0 1%:M *m col_mx a b = b.
Proof. by rewrite mul_row_col mul0mx add0r mul1mx. Qed.

(* docs (G3): With gates G_i = 1 g_iᵀ on the key dimension,
   ŷ = Σ_i y_i (P_k x_i)ᵀ diag(γ_i) (P_q x),  γ_i = ⊙_{j>i} g_j  (= ⊙_{j=i+1}^{n+1} g_j).
   Here W_k = (P_k 0), W_q = (P_q 0), W_v = (0 1): the nonzero rows of G1's matrices (G1's zero
   rows of W_k, W_q only add key coordinates that are 0 whatever their gates), so the key
   dimension is d and k_i = P_k x_i, q_{n+1} = P_q x, v_i = y_i. *)
Theorem G3_key_gates_gla (Pk Pq : 'M[R]_d) (xs : nat -> 'cV[R]_d) (ys : nat -> R)
    (x : 'cV[R]_d) (g : nat -> 'cV[R]_d) (mask : nat -> R) :
  (forall j, (0 < j <= n)%N -> mask j = 1) ->
  let Wk : 'M[R]_(d, d + 1) := row_mx Pk 0 in
  let Wq : 'M[R]_(d, d + 1) := row_mx Pq 0 in
  let Wv : 'M[R]_(1, d + 1) := row_mx 0 1%:M in
  (gla_output Wk Wq Wv (key_gates 1 g) mask (token xs ys x) n.+1) 0 0 =
  \sum_(i < n) ys i.+1 * ((Pk *m xs i.+1)^T *m diag_mx (gamma g i.+1 n.+1)^T *m (Pq *m x)) 0 0.
Proof.
move=> hmask Wk Wq Wv.
rewrite /gla_output unrolling_key mulmx_suml summxE.
rewrite (@big_nat_recr _ _ _ n.+1) //= token_query /Wv row_label_mul.
rewrite !mul0mx scaler0 mul0mx mxE addr0 big_add1 big_mkord /=; apply: eq_bigr => i _.
have hi : (i.+1 <= n)%N by exact: ltn_ord.
rewrite token_example // /Wk /Wq !row_feature_mul row_label_mul hmask ?hi // scale1r.
by rewrite mul_scalar_mx -!scalemxAl mxE -!mulmxA.
Qed.

End OneLayer.

(* ------------------------------------------------------------------ G4 *)
Lemma sum_col_mx m1 m2 (I : Type) (r : seq I) (P : pred I) (A : I -> 'cV[R]_m1) (B : I -> 'cV[R]_m2) :
  \sum_(i <- r | P i) col_mx (A i) (B i) = col_mx (\sum_(i <- r | P i) A i) (\sum_(i <- r | P i) B i).
Proof.
by elim/big_rec3: _ => [|i x y z _ ->]; rewrite ?col_mx0 ?add_col_mx.
Qed.

Lemma scalar_mx11E (a : R) : (a%:M : 'M[R]_1) 0 0 = a.
Proof. by rewrite mxE eqxx mulr1n. Qed.

Section Layers.
Variables d n : nat.

(* Features of token i: x_i (i ≤ n), the query's x (i = n+1). *)
Definition feat (xs : nat -> 'cV[R]_d) (x : 'cV[R]_d) (i : nat) : 'cV[R]_d :=
  if (i <= n)%N then xs i else x.

(* ρ^(0) = (y_1, ..., y_n, 0). *)
Definition rho0 (ys : nat -> R) (i : nat) : R := if (i <= n)%N then ys i else 0.

(* The write mask: examples write (m_i = 1, i ≤ n), the query does not (m_{n+1} = 0). *)
Definition write_mask (i : nat) : R := (i <= n)%:R.

(* ω^(ℓ)_{ij} = Π_{k=j+1}^{i} g^(ℓ)_k. *)
Definition causal_weight (g : nat -> R) (i j : nat) : R := \prod_(j.+1 <= k < i.+1) g k.

(* L steps of causal WPGD on the label coordinate:
   ρ^(ℓ)_i = ρ^(ℓ-1)_i − x_iᵀ P_ℓ Σ_{j ≤ min(i,n)} ω^(ℓ)_{ij} x_j ρ^(ℓ-1)_j,  ρ^(0) = (y, 0). *)
Fixpoint causal_wpgd (P : nat -> 'M[R]_d) (g : nat -> nat -> R) (xs : nat -> 'cV[R]_d)
    (ys : nat -> R) (x : 'cV[R]_d) (L i : nat) : R :=
  if L is L'.+1 then
    causal_wpgd P g xs ys x L' i
    - ((feat xs x i)^T *m P L *m
       \sum_(1 <= j < (minn i n).+1)
          (causal_weight (g L) i j * causal_wpgd P g xs ys x L' j) *: feat xs x j) 0 0
  else rho0 ys i.

(* Layer ℓ's matrices: W_k = (I 0; 0 0), W_q = (P_ℓᵀ 0; 0 0), W_v = (0 0; 0 −1). *)
Definition Wk_layer : 'M[R]_(d + 1) := block_mx 1%:M 0 0 0.
Definition Wq_layer (P : 'M[R]_d) : 'M[R]_(d + 1) := block_mx P^T 0 0 0.
Definition Wv_layer : 'M[R]_(d + 1) := block_mx 0 0 0 (-1)%:M.

(* The residual stream Z^(ℓ): Z^(0) = the tokens, Z^(ℓ)_i = Z^(ℓ-1)_i + o^(ℓ)_i, where layer ℓ has
   W_k = (I 0; 0 0), W_q = (P_ℓᵀ 0; 0 0), W_v = (0 0; 0 −1), scalar gates g^(ℓ) and the write mask. *)
Fixpoint stream (P : nat -> 'M[R]_d) (g : nat -> nat -> R) (xs : nat -> 'cV[R]_d) (ys : nat -> R)
    (x : 'cV[R]_d) (L : nat) : nat -> 'cV[R]_(d + 1) :=
  if L is L'.+1 then
    fun i => stream P g xs ys x L' i
             + gla_output Wk_layer (Wq_layer (P L)) Wv_layer (scalar_gates _ _ (g L)) write_mask (stream P g xs ys x L') i
  else token n xs ys x.

Lemma masked_sum (F : nat -> R) i :
  \sum_(1 <= j < i.+1) write_mask j * F j = \sum_(1 <= j < (minn i n).+1) F j.
Proof.
rewrite /write_mask /minn; case: ltnP => hin.
  by apply: eq_big_nat => j /andP [_ hj]; rewrite (leq_trans _ (ltnW hin)) // mul1r.
rewrite (@big_cat_nat _ _ _ n.+1) //= ?ltnS // [X in _ + X]big_nat_cond.
rewrite [X in _ + X]big1 ?addr0 => [|j /andP [/andP [hj _] _]]; last by rewrite leqNgt hj mul0r.
by apply: eq_big_nat => j /andP [_ hj]; rewrite -ltnS hj mul1r.
Qed.

(* One layer, for any write mask m: the label coordinate takes one causal step
   ρ_i ← ρ_i − Σ_{j≤i} m_j ω_{ij} ρ_j x_iᵀ P x_j, and the feature block does not change. *)
Lemma layer_step (mask : nat -> R) (P : 'M[R]_d) (g : nat -> R) (xs : nat -> 'cV[R]_d)
    (x : 'cV[R]_d) (rho : nat -> R) (z : nat -> 'cV[R]_(d + 1)) i :
  (forall j, z j = col_mx (feat xs x j) (rho j)%:M) ->
  z i + gla_output Wk_layer (Wq_layer P) Wv_layer (scalar_gates _ _ g) mask z i =
  col_mx (feat xs x i)
    (rho i - \sum_(1 <= j < i.+1)
               mask j * (causal_weight g i j * rho j * ((feat xs x i)^T *m P *m feat xs x j) 0 0))%:M.
Proof.
move=> hz; rewrite /gla_output unrolling mulmx_suml hz.
rewrite (eq_big_nat _ _ (F2 := fun j => col_mx 0
   ((causal_weight g i j * mask j * (- rho j * ((feat xs x i)^T *m P *m feat xs x j) 0 0))%:M)));
  last first.
  move=> j _; rewrite !hz /Wk_layer /Wq_layer /Wv_layer !block_feature_mul (block_label_mul (-1)) -scalemxAl -mulmxA key_query.
  rewrite mul_col_mx mul0mx scale_col_mx scaler0 mul1mx; congr col_mx.
  rewrite -scalemxAl mul_scalar_mx [_ *m (_ *m _)]mx11_scalar !scale_scalar_mx.
  congr (_%:M); rewrite -[in RHS]trmx11 !trmx_mul trmxK mulmxA /causal_weight.
  by rewrite mulN1r mulNr.
rewrite sum_col_mx big1_eq add_col_mx addr0; congr col_mx.
apply/matrixP => a b; rewrite !ord1 scalar_mx11E mxE scalar_mx11E summxE.
under eq_bigr do rewrite scalar_mx11E.
rewrite -sumrN; congr (_ + _); apply: eq_big_nat => j _; ring.
Qed.

Lemma sum_causal (P : 'M[R]_d) (g : nat -> R) (xs : nat -> 'cV[R]_d) (x : 'cV[R]_d) (rho : nat -> R)
    i m :
  \sum_(1 <= j < m) causal_weight g i j * rho j * ((feat xs x i)^T *m P *m feat xs x j) 0 0 =
  ((feat xs x i)^T *m P *m \sum_(1 <= j < m) (causal_weight g i j * rho j) *: feat xs x j) 0 0.
Proof.
rewrite -mulmxA mulmx_sumr mulmx_sumr summxE; apply: eq_bigr => j _.
by rewrite -!scalemxAr [RHS]mxE mulmxA.
Qed.

(* With the write mask, one layer is one causal WPGD step (the masked query never writes). *)
Lemma G4_layer_step (P : 'M[R]_d) (g : nat -> R) (xs : nat -> 'cV[R]_d) (x : 'cV[R]_d)
    (rho : nat -> R) (z : nat -> 'cV[R]_(d + 1)) i :
  (forall j, z j = col_mx (feat xs x j) (rho j)%:M) ->
  z i + gla_output Wk_layer (Wq_layer P) Wv_layer (scalar_gates _ _ g) write_mask z i =
  col_mx (feat xs x i)
    (rho i - ((feat xs x i)^T *m P *m
              \sum_(1 <= j < (minn i n).+1) (causal_weight g i j * rho j) *: feat xs x j) 0 0)%:M.
Proof.
by move=> hz; rewrite (layer_step _ _ _ _ hz) (masked_sum (fun j => _ * _ * _)) sum_causal.
Qed.

(* docs (G4): With residual connections, W_k = (I 0; 0 0), W_q = (P_ℓᵀ 0; 0 0), W_v = (0 0; 0 −1) and
   a write-masked query, ŷ = −[Z^(L)]_{n+1,d+1} equals L steps of causal WPGD with
   ω^(ℓ)_{ij} = Π_{k=j+1}^{i} g^(ℓ)_k.  Proved by induction on L: the feature block of the stream
   never changes and its label coordinate is ρ^(L). *)
Theorem G4_stream_is_causal_wpgd (P : nat -> 'M[R]_d) (g : nat -> nat -> R) (xs : nat -> 'cV[R]_d)
    (ys : nat -> R) (x : 'cV[R]_d) (L : nat) :
  forall i, stream P g xs ys x L i = col_mx (feat xs x i) (causal_wpgd P g xs ys x L i)%:M.
Proof.
elim: L => [|L IH] i /=.
  rewrite /token /feat /rho0; case: ifP => _ //.
  by congr col_mx; apply/matrixP => a b; rewrite !ord1 !mxE mul0rn.
exact: G4_layer_step.
Qed.

Corollary G4_L_layer_gla_is_causal_wpgd P g xs ys x L :
  - label (stream P g xs ys x L n.+1) = - causal_wpgd P g xs ys x L n.+1.
Proof. by rewrite G4_stream_is_causal_wpgd /label col_mxEd scalar_mx11E. Qed.

(* Without the write mask every token writes, the query included (m_i = 1). *)
Definition no_mask (i : nat) : R := 1.

(* The label coordinate of the unmasked stack: ρ^(ℓ)_i = ρ^(ℓ-1)_i − x_iᵀ P_ℓ Σ_{j ≤ i} ω^(ℓ)_{ij} x_j ρ^(ℓ-1)_j
   (the sum now reaches j = i = n+1 at the query). *)
Fixpoint causal_wpgd_unmasked (P : nat -> 'M[R]_d) (g : nat -> nat -> R) (xs : nat -> 'cV[R]_d)
    (ys : nat -> R) (x : 'cV[R]_d) (L i : nat) : R :=
  if L is L'.+1 then
    causal_wpgd_unmasked P g xs ys x L' i
    - ((feat xs x i)^T *m P L *m
       \sum_(1 <= j < i.+1)
          (causal_weight (g L) i j * causal_wpgd_unmasked P g xs ys x L' j) *: feat xs x j) 0 0
  else rho0 ys i.

Fixpoint stream_unmasked (P : nat -> 'M[R]_d) (g : nat -> nat -> R) (xs : nat -> 'cV[R]_d)
    (ys : nat -> R) (x : 'cV[R]_d) (L : nat) : nat -> 'cV[R]_(d + 1) :=
  if L is L'.+1 then
    fun i => stream_unmasked P g xs ys x L' i
             + gla_output Wk_layer (Wq_layer (P L)) Wv_layer (scalar_gates _ _ (g L)) no_mask
                 (stream_unmasked P g xs ys x L') i
  else token n xs ys x.

Lemma G4_unmasked_stream P g xs ys x L :
  forall i, stream_unmasked P g xs ys x L i = col_mx (feat xs x i) (causal_wpgd_unmasked P g xs ys x L i)%:M.
Proof.
elim: L => [|L IH] i /=.
  rewrite /token /feat /rho0; case: ifP => _ //.
  by congr col_mx; apply/matrixP => a b; rewrite !ord1 !mxE mul0rn.
rewrite (layer_step _ _ _ _ IH) -sum_causal.
by under eq_bigr do rewrite /no_mask mul1r.
Qed.

Lemma sum_upto_min (V : zmodType) (F : nat -> V) i :
  (forall j, (n < j)%N -> F j = 0) -> \sum_(1 <= j < i.+1) F j = \sum_(1 <= j < (minn i n).+1) F j.
Proof.
move=> hF; rewrite /minn; case: ltnP => hin //.
rewrite (@big_cat_nat _ _ _ n.+1) //= ?ltnS // [X in _ + X]big_nat_cond.
by rewrite [X in _ + X]big1 ?addr0 // => j /andP [/andP [hj _] _]; apply: hF.
Qed.

(* docs (G4): without the mask the query's slot enters from layer 2 on: layer 1 is unchanged
   (the query's label slot ρ^(0)_{n+1} is 0), and for L = 2,
   ŷ_unmasked = ŷ_masked − (xᵀ P_2 x) ŷ_1, with ŷ = −ρ^(2)_{n+1} and ŷ_1 = −ρ^(1)_{n+1} the
   one-step prediction. *)
Theorem G4_without_mask_query_enters_from_layer_2 P g xs ys x :
  (forall i, causal_wpgd_unmasked P g xs ys x 1%N i = causal_wpgd P g xs ys x 1%N i) /\
  - causal_wpgd_unmasked P g xs ys x 2%N n.+1 =
  - causal_wpgd P g xs ys x 2%N n.+1 - (x^T *m P 2%N *m x) 0 0 * (- causal_wpgd P g xs ys x 1%N n.+1).
Proof.
have one i : causal_wpgd_unmasked P g xs ys x 1%N i = causal_wpgd P g xs ys x 1%N i.
  rewrite /= (sum_upto_min (F := fun j => (causal_weight (g 1%N) i j * rho0 ys j) *: feat xs x j)) //.
  by move=> j hj; rewrite /rho0 leqNgt hj mulr0 scale0r.
split=> //.
have -> : causal_wpgd_unmasked P g xs ys x 2%N n.+1 = causal_wpgd_unmasked P g xs ys x 1%N n.+1
    - ((feat xs x n.+1)^T *m P 2%N *m \sum_(1 <= j < n.+2)
         (causal_weight (g 2%N) n.+1 j * causal_wpgd_unmasked P g xs ys x 1%N j) *: feat xs x j) 0 0.
  by [].
have -> : causal_wpgd P g xs ys x 2%N n.+1 = causal_wpgd P g xs ys x 1%N n.+1
    - ((feat xs x n.+1)^T *m P 2%N *m \sum_(1 <= j < (minn n.+1 n).+1)
         (causal_weight (g 2%N) n.+1 j * causal_wpgd P g xs ys x 1%N j) *: feat xs x j) 0 0.
  by [].
rewrite one (eq_big_nat _ _ (F2 := fun j => (causal_weight (g 2%N) n.+1 j * causal_wpgd P g xs ys x 1%N j)
                                         *: feat xs x j)); last by move=> j _; rewrite one.
have -> : minn n.+1 n = n by rewrite /minn ltnNge leqnSn.
set r1 := causal_wpgd P g xs ys x 1%N.
have cw1 : causal_weight (g 2%N) n.+1 n.+1 = 1 by rewrite /causal_weight big_geq.
have fq : feat xs x n.+1 = x by rewrite /feat ltnn.
rewrite (@big_nat_recr _ _ _ n.+1) //= cw1 mul1r fq.
have h11 (A B : 'M[R]_1) c : (A + c *: B) 0 0 = A 0 0 + c * B 0 0 by rewrite !mxE.
rewrite mulmxDr -scalemxAr h11; set A := (_ *m _) 0 0; ring.
Qed.

End Layers.

End GLA.
