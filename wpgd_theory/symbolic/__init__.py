r"""Symbolic third of the verifier (sympy): Gaussian moments, derivations, checked proofs.

* :mod:`.moments` — :class:`GaussianMoments`, exact expectations of polynomials in jointly
  Gaussian variables with a *symbolic* covariance, by Isserlis/Wick pairing (hafnians
  memoised on the variable multiset, independence blocks factorised).
* :mod:`.derivations` — the claims of THEORY.md re-derived and compared exactly with the
  stated formulas (:data:`~.derivations.DERIVATIONS`, one :class:`~.derivations.Derivation`
  per identity family, sizes per level ``quick``/``default``/``thorough``).
* :mod:`.recurrences` — a plain reference GLA recurrence and causal WPGD on exact values.
* The **symbolic-size engine** (``d``, ``n`` symbols; scope ``all-sizes``):
  :mod:`.matrixwick` (matrix expressions in canonical form, Wick contraction, matrix
  calculus), :mod:`.sizefree` (W1–W6 with index-coincidence classes), :mod:`.bilinear` and
  :mod:`.stationary` (vectors of symbolic length: W4, W5, A1, A3), :mod:`.termsums` (sums by
  their generic term), :mod:`.induction` (G1, G2 by induction over a symbolic length).
* Certified inequalities: :mod:`.positivity` (polynomial positivity certificates) and
  :mod:`.elasticity` (theorem U3 and the combined uniqueness condition).
* :mod:`.proofcheck` — the proofs of ``proofs/`` (:func:`~.proofcheck.load_proofs`,
  :func:`~.proofcheck.check_proof`, :func:`~.proofcheck.render_markdown`); run
  ``python -m wpgd_theory.symbolic.proofcheck``.

This package never imports torch, :mod:`wpgd_theory.gla`, or the report; only the proof
checker resolves numeric check keys in :mod:`wpgd_theory.claims`, lazily.
"""

from .algebra import Frac, Identity
from .derivations import DERIVATIONS, Derivation, clear_caches, derivation, run_derivation
from .moments import GaussianMoments, expectation

__all__ = [
    "GaussianMoments",
    "expectation",
    "Identity",
    "Frac",
    "Derivation",
    "DERIVATIONS",
    "derivation",
    "run_derivation",
    "clear_caches",
]
