r"""Write ``Certificates.v``: every exact positivity certificate of ``proofs/general_sigma.py``
(theorem U3 and the U2 bounds, claim W5) as a Coq lemma over an arbitrary real field.

The certificates are taken from the proof itself: each symbolic step's functions are run with
:meth:`~wpgd_theory.symbolic.positivity.PositivityCertificate.check` recorded, so the Coq file
cannot drift from the Python certificates (``tests/test_coq.py`` regenerates it and compares).
For a certificate ``target · den = Σ_i c_i s_i² Π_{j∈J_i} g_j`` under ``g_j ≥ 0`` (``> 0`` when
strict) the lemma states the hypotheses and ``0 ≤ target`` (``0 < target`` when strict) and is
proved by

1. ``field``: ``target = (Σ_i c_i s_i² Π g_j) / den`` (the polynomial identity; every
   denominator is shown nonzero from a strict hypothesis it equals or divides);
2. construction: each term is a product of a positive rational, a square and hypotheses, so the
   sum is ``≥ 0`` (``> 0`` with a term ``c · Π(strict)``), and ``den > 0``.

Run ``python proofs/coq/certificates.py`` from the repository root to rewrite the file.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from unittest import mock

import sympy as sp

HERE = Path(__file__).resolve().parent
OUT = HERE / "Certificates.v"
FAMILY = "general_sigma"

_NAMES = {"lambda": "lam"}


@functools.cache
def collect() -> tuple:
    """``[(step index, function name, k, certificate)]`` for the certificates of the proof, in order."""
    from wpgd_theory.symbolic import positivity
    from wpgd_theory.symbolic.proofcheck import load_proofs

    proof = next(p for p in load_proofs(HERE.parent) if p.family == FAMILY)
    original = positivity.PositivityCertificate.check
    found: list = []
    for index, step in enumerate(proof.steps, start=1):
        if step.kind != "symbolic":
            continue
        for func in getattr(step.check, "funcs", (step.check,)):
            seen: list = []

            def record(self, size=None, _seen=seen):
                _seen.append(self)
                return original(self, size)

            with mock.patch.object(positivity.PositivityCertificate, "check", record):
                func()
            for k, cert in enumerate(seen, start=1):
                found.append((index, func.__name__, k, cert))
    return tuple(found)


def lemma_name(func: str, k: int, count: int) -> str:
    return f"{func}_cert" if count == 1 else f"{func}_cert{k}"


# ---------------------------------------------------------------------- sympy → Coq
def coq(e) -> str:
    """A sympy expression in MathComp notation (``x ^+ n``, ``x^-1``, ``n%:R``)."""
    e = sp.sympify(e)
    if e.is_Symbol:
        return _NAMES.get(e.name, e.name)
    if e.is_Integer:
        n = int(e)
        return "0" if n == 0 else "1" if n == 1 else f"{n}%:R" if n > 0 else f"(- {coq(-e)})"
    if e.is_Rational:
        if e < 0:
            return f"(- {coq(-e)})"
        return f"({coq(e.p)} / {coq(e.q)})"
    if e.is_Add:
        terms = e.as_ordered_terms()
        out = coq(terms[0])
        for a in terms[1:]:
            out += f" - {coq(-a)}" if a.could_extract_minus_sign() else f" + {coq(a)}"
        return f"({out})"
    if e.is_Mul:
        if e.could_extract_minus_sign():
            return f"(- {coq(-e)})"
        return "(" + " * ".join(coq(a) for a in e.as_ordered_factors()) + ")"
    if e.is_Pow and e.exp.is_Integer:
        n = int(e.exp)
        if n == -1:
            return f"({coq(e.base)})^-1"
        if n < 0:
            return f"(({coq(e.base)}) ^+ {-n})^-1"
        return f"({coq(e.base)} ^+ {n})"
    raise ValueError(f"no Coq form for {e!r}")


def _factors(expr) -> list:
    """The non-constant bases that ``expr`` inverts, as ``field`` will ask for them to be nonzero."""
    return [p.base for p in sp.preorder_traversal(expr)
            if p.is_Pow and p.exp.is_Integer and p.exp < 0 and p.base.free_symbols]


def _nonzero(f, hyps: list, names: list, tag: str) -> list:
    """Coq lines proving ``f != 0`` from the strict hypotheses (equal to one, or dividing one)."""
    for j, h in enumerate(hyps):
        if h.strict and sp.expand(h.expr - f) == 0:
            return [f"have {tag} : {coq(f)} != 0 := lt0r_neq0 {names[j]}."]
    for j, h in enumerate(hyps):
        if not h.strict:
            continue
        q, r = sp.div(sp.expand(h.expr), sp.expand(f), *sorted(h.expr.free_symbols | f.free_symbols, key=str))
        if r == 0:
            return [f"have {tag} : {coq(f)} != 0.",
                    f"  have e : {coq(h.expr)} = {coq(f)} * {coq(q)} by ring.",
                    f"  by apply/eqP => f0; move/eqP: (lt0r_neq0 {names[j]}); rewrite e f0 mul0r.",
                    ]
    raise ValueError(f"no strict hypothesis shows {f} != 0")


def render_lemma(index: int, func: str, name: str, cert) -> list:
    cert._validate()
    hyps = list(cert.hypotheses)
    symbols = sorted(set().union(cert.target.free_symbols, *(h.expr.free_symbols for h in hyps)), key=str)
    names = [f"h{j}" for j in range(len(hyps))]
    den = sp.Integer(1)
    for j in cert.denominator:
        den *= hyps[j].expr
    terms = list(cert.terms)
    if cert.strict:  # the term c · Π(strict hypotheses) first
        first = next(t for t in terms if t.square == 1 and all(hyps[j].strict for j in t.hyps))
        terms = [first] + [t for t in terms if t is not first]

    def term(t) -> str:
        parts = [] if sp.nsimplify(t.coeff) == 1 else [coq(sp.nsimplify(t.coeff))]
        if t.square != 1:
            parts.append(f"{coq(t.square)} ^+ 2")
        parts += [coq(hyps[j].expr) for j in t.hyps]
        return " * ".join(parts) or "1"

    total = " + ".join(f"({term(t)})" for t in terms)
    if len(terms) == 1:
        total = f"({term(terms[0])})"
    rel = "<" if cert.strict else "<="
    lines = [f"(* general_sigma step {index} ({func}): {cert.name}",
             "   certificate: target · den = " + " + ".join(
                 f"{sp.nsimplify(t.coeff)}·({t.square})²" + "".join(f"·g{j}" for j in t.hyps) for t in cert.terms)
             + (f",  den = {den}" if cert.denominator else "") + " *)"]
    binders = " ".join(coq(s) for s in symbols)
    hyp_text = " -> ".join(f"0 {'<' if h.strict else '<='} {coq(h.expr)}" for h in hyps)
    lines.append(f"Lemma {name} ({binders} : R) :")
    if hyps:
        lines.append(f"  {hyp_text} ->")
    lines.append(f"  0 {rel} {coq(cert.target)}.")
    lines.append("Proof.")
    lines.append("move=> " + " ".join(names) + "." if hyps else "idtac.")
    facts = []
    for f in _factors(cert.target) + [hyps[j].expr for j in cert.denominator]:
        if all(coq(f) != coq(g) for g in facts):
            facts.append(f)
    for i, f in enumerate(facts):
        lines += _nonzero(f, hyps, names, f"nz{i}")
    if den == 1:
        if coq(cert.target) != total:
            lines.append(f"have e : {coq(cert.target)} = {total}.")
            lines.append("  by field; repeat (apply/andP; split); try assumption.")
            lines.append("try rewrite e.  (* no-op when both sides parse alike (x / y is x * y^-1) *)")
        if cert.strict:
            lines.append("by " + ("apply: pos_add; [cert_pos | cert_nonneg]" if len(terms) > 1 else "cert_pos") + ".")
        else:
            lines.append("by cert_nonneg.")
        return lines + ["Qed.", ""]
    lines.append(f"have e : {coq(cert.target)} = ({total}) / {coq(den)}.")
    lines.append("  by field; repeat (apply/andP; split); try assumption.")
    lines.append("try rewrite e.  (* no-op when both sides parse alike (x / y is x * y^-1) *)")
    if cert.strict:
        rest = "[cert_pos | cert_nonneg]" if len(terms) > 1 else "cert_pos"
        lines.append("apply: divr_gt0; last by cert_pos.")
        lines.append("by " + ("apply: pos_add; " + rest if len(terms) > 1 else "cert_pos") + ".")
    else:
        lines.append("apply: divr_ge0; first by cert_nonneg.")
        lines.append("by apply: Order.POrderTheory.ltW; cert_pos.")
    return lines + ["Qed.", ""]


HEADER = """(* GENERATED by proofs/coq/certificates.py from proofs/general_sigma.py — do not edit.
   Regenerate: python proofs/coq/certificates.py  (tests/test_coq.py checks it is current).

   U3's (and U2's) exact positivity certificates, claim W5: for each certificate
   target · den = Σ_i c_i s_i² Π_{j∈J_i} g_j  with hypotheses g_j ≥ 0 (> 0 when strict), the
   inequality 0 ≤ target (0 < target when strict) over an arbitrary real field R: the identity by
   `field`, the sign of every term by construction.  Docs: docs/theory/general_sigma.md. *)
From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section Certificates.
Variable R : realFieldType.

Lemma pos_add (x y : R) : 0 < x -> 0 <= y -> 0 < x + y.
Proof. by move=> hx hy; rewrite (Order.POrderTheory.lt_le_trans hx) // ler_addl. Qed.

Ltac cert_nonneg := repeat first
  [ assumption | (apply: Order.POrderTheory.ltW; assumption) | apply: sqr_ge0 | apply: divr_ge0
  | apply: addr_ge0 | apply: mulr_ge0 | apply: ler0n | apply: ler01 ].

Ltac cert_pos := repeat first
  [ assumption | apply: divr_gt0 | apply: mulr_gt0 | (rewrite ltr0n) | apply: ltr01 ].

"""


def render() -> str:
    found = collect()
    counts: dict = {}
    for _, func, _, _ in found:
        counts[func] = counts.get(func, 0) + 1
    out = [HEADER]
    for index, func, k, cert in found:
        out += render_lemma(index, func, lemma_name(func, k, counts[func]), cert)
    out.append("End Certificates.\n")
    return "\n".join(out)


def lemmas() -> dict:
    """``{step index: [lemma names]}`` of the generated file."""
    found = collect()
    counts: dict = {}
    for _, func, _, _ in found:
        counts[func] = counts.get(func, 0) + 1
    table: dict = {}
    for index, func, k, _ in found:
        table.setdefault(index, []).append(lemma_name(func, k, counts[func]))
    return table


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[1]))
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
