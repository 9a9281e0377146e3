(* Claim G2: scalar gates in [0, 1] realise exactly the monotone weights
   0 ≤ ω_1 ≤ ... ≤ ω_n ≤ 1 (both directions), and gates in (0, 1) reach only the interior.
   Docs: docs/theory/construction.md.  Proved over an arbitrary real (ordered) field R, every n. *)
From mathcomp Require Import all_ssreflect all_algebra.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section Weights.
Variable R : realFieldType.
Variable n : nat.

(* ω_i(g) = Π_{j=i+1}^{n+1} g_j  (i = 1..n; the query's gate g_{n+1} included). *)
Definition weight (g : nat -> R) (i : nat) : R := \prod_(i.+1 <= j < n.+2) g j.

(* 0 ≤ ω_1 ≤ ω_2 ≤ ... ≤ ω_n ≤ 1. *)
Definition monotone_weights (w : nat -> R) : Prop :=
  (forall i, (0 < i <= n)%N -> 0 <= w i <= 1) /\ (forall i, (0 < i < n)%N -> w i <= w i.+1).

Lemma weight_step g i : (i <= n)%N -> weight g i = g i.+1 * weight g i.+1.
Proof. by move=> hi; rewrite /weight big_ltn. Qed.

Lemma weight_last g : weight g n = g n.+1.
Proof. by rewrite /weight big_nat1. Qed.

Lemma prod_unit_interval (g : nat -> R) a b :
  (forall j, (a <= j < b)%N -> 0 <= g j <= 1) -> 0 <= \prod_(a <= j < b) g j <= 1.
Proof.
elim: b => [|b IH] h; first by rewrite big_geq // ler01 Order.POrderTheory.lexx.
case: (leqP a b) => hab; last by rewrite big_geq // ler01 Order.POrderTheory.lexx.
have /andP [g0 g1] : 0 <= g b <= 1 by apply: h; rewrite hab ltnSn.
have /andP [p0 p1] : 0 <= \prod_(a <= j < b) g j <= 1.
  by apply: IH => j /andP [ja jb]; apply: h; rewrite ja ltnS ltnW.
by rewrite big_nat_recr //= mulr_ge0 //= mulr_ile1.
Qed.

Lemma weight_unit (g : nat -> R) i :
  (forall j, (1 < j <= n.+1)%N -> 0 <= g j <= 1) -> (0 < i)%N -> 0 <= weight g i <= 1.
Proof.
move=> hg i0; apply: prod_unit_interval => j /andP [hj hj']; apply: hg.
by rewrite (leq_ltn_trans i0 hj).
Qed.

(* docs (G2, gates give monotone weights): ω_n = g_{n+1} and ω_i = g_{i+1} ω_{i+1}. For gates in
   [0, 1] this gives 0 ≤ ω_1 ≤ ... ≤ ω_n ≤ 1 by descending induction.  (Only g_2, ..., g_{n+1}
   enter the weights; g_1 is free.) *)
Theorem G2_gates_give_monotone_weights (g : nat -> R) :
  (forall j, (1 < j <= n.+1)%N -> 0 <= g j <= 1) -> monotone_weights (weight g).
Proof.
move=> hg; split=> [i /andP [i0 _] | i /andP [i0 hi]]; first exact: weight_unit.
rewrite weight_step ?(ltnW hi) //; apply: ler_pimull.
  by case/andP: (weight_unit hg (ltn0Sn i)).
have /andP [] : 0 <= g i.+1 <= 1 by apply: hg; rewrite ltnS i0 /= ltnS ltnW.
by [].
Qed.

(* The gates of docs (G2, every monotone weight vector is realised):
   g_{n+1} = ω_n,  g_{i+1} = ω_i / ω_{i+1} when ω_{i+1} > 0,  any gate c_{i+1} ∈ [0, 1] when
   ω_{i+1} = 0, and any g_1 = c_1. *)
Definition gates_from (w c : nat -> R) (j : nat) : R :=
  if (j <= 1)%N then c j
  else if j == n.+1 then w n
  else if w j == 0 then c j
  else w j.-1 / w j.

(* docs (G2, every monotone weight vector is realised): given 0 ≤ ω_1 ≤ ... ≤ ω_n ≤ 1, the gates
   above lie in [0, 1] and Π_{j=i+1}^{n+1} g_j = ω_i for every i (zeros included: when
   ω_{i+1} = 0 then ω_i = 0, whatever the gate). *)
Theorem G2_monotone_weights_are_realised (w c : nat -> R) :
  monotone_weights w -> (forall j, 0 <= c j <= 1) ->
  (forall j, (0 < j <= n.+1)%N -> 0 <= gates_from w c j <= 1) /\
  (forall i, (0 < i <= n)%N -> weight (gates_from w c) i = w i).
Proof.
move=> [hw01 hmono] hc; split.
  move=> j /andP [j0 hj]; rewrite /gates_from; case: ifP => // j1.
  case: eqP => [hjn | /eqP jn].
    apply: hw01; rewrite leqnn andbT.
    by move: j1; rewrite hjn ltnS leqn0 lt0n => ->.
  have jn' : (j <= n)%N by rewrite -ltnS ltn_neqAle jn hj.
  have j2 : (1 < j)%N by rewrite ltnNge j1.
  case: eqP => // /eqP wj0.
  have /andP [wj0' _] : 0 <= w j <= 1 by apply: hw01; rewrite jn' (ltn_trans _ j2).
  have wjpos : 0 < w j by rewrite lt0r wj0 wj0'.
  have j1' : (0 < j.-1 < n)%N by rewrite ltn_predRL j2 /= (leq_trans _ jn') // ltn_predL (ltn_trans _ j2).
  have /andP [wp0 _] : 0 <= w j.-1 <= 1 by apply: hw01; case/andP: j1' => -> /ltnW.
  have hle := hmono j.-1 j1'; rewrite prednK in hle; last by rewrite (ltn_trans _ j2).
  by rewrite divr_ge0 //= ler_pdivr_mulr // mul1r.
have desc k : (k < n)%N -> weight (gates_from w c) (n - k)%N = w (n - k)%N.
  elim: k => [|k IH] hk.
    by rewrite subn0 weight_last /gates_from ltnS leqNgt hk eqxx.
  rewrite weight_step; last exact: leq_subr.
  rewrite subnSK ?(ltnW hk) // (IH (ltnW hk)) /gates_from.
  have h1 : (n - k <= 1)%N = false by apply/negbTE; rewrite -ltnNge ltn_subRL addn1.
  have h2 : ((n - k)%N == n.+1) = false by apply/negbTE; rewrite neq_ltn ltnS leq_subr.
  rewrite h1 h2; case: eqP => [w0 | /eqP w0].
    rewrite w0 mulr0; apply/eqP; rewrite Order.POrderTheory.eq_le.
    have hi : (0 < n - k.+1 < n)%N by rewrite subn_gt0 hk /= ltn_subrL (leq_ltn_trans _ hk).
    have := hmono _ hi; rewrite subnSK ?(ltnW hk) // w0 => ->.
    have /andP [] : 0 <= w (n - k.+1)%N <= 1 by apply: hw01; case/andP: hi => -> /ltnW.
    by move=> ->.
  by rewrite divfK // subnS.
move=> i /andP [i0 hi]; have := desc (n - i)%N; rewrite subKn // => -> //.
by rewrite ltn_subrL i0 (leq_trans i0 hi).
Qed.

Lemma prod_open_interval (g : nat -> R) a b :
  (a < b)%N -> (forall j, (a <= j < b)%N -> 0 < g j < 1) -> 0 < \prod_(a <= j < b) g j < 1.
Proof.
elim: b => [//|b IH] hab hg.
have hab' : (a <= b)%N by rewrite -ltnS.
have /andP [g0 g1] : 0 < g b < 1 by apply: hg; rewrite hab' ltnSn.
rewrite big_nat_recr //=; case: (ltnP a b) => h.
  have /andP [p0 p1] : 0 < \prod_(a <= j < b) g j < 1.
    by apply: IH => // j /andP [ja jb]; apply: hg; rewrite ja ltnS ltnW.
  by rewrite mulr_gt0 //= mulr_ilt1 // Order.POrderTheory.ltW.
have -> : a = b by apply/eqP; rewrite eqn_leq hab' h.
by rewrite big_geq // mul1r g0 g1.
Qed.

(* docs (G2, the cone and its interior): sigmoid gates take values in (0, 1), so
   ω_i = g_{i+1} ω_{i+1} < ω_{i+1} and 0 < ω_1, ω_n < 1: they reach only the interior
   0 < ω_1 < ... < ω_n < 1. *)
Theorem G2_open_gates_reach_only_the_interior (g : nat -> R) :
  (forall j, (1 < j <= n.+1)%N -> 0 < g j < 1) ->
  (forall i, (0 < i <= n)%N -> 0 < weight g i < 1) /\
  (forall i, (0 < i < n)%N -> weight g i < weight g i.+1).
Proof.
move=> hg; have hw i : (0 < i <= n)%N -> 0 < weight g i < 1.
  case/andP=> i0 hi; apply: prod_open_interval; first by rewrite ltnS.
  by move=> j /andP [hj hj']; apply: hg; rewrite (leq_ltn_trans i0 hj).
split=> // i /andP [i0 hi]; rewrite weight_step ?(ltnW hi) //.
have /andP [w0 _] : 0 < weight g i.+1 < 1 by apply: hw; rewrite ltn0Sn.
have /andP [_ g1] : 0 < g i.+1 < 1 by apply: hg; rewrite ltnS i0 /= ltnS ltnW.
by rewrite -[X in _ < X]mul1r ltr_pmul2r.
Qed.

End Weights.
