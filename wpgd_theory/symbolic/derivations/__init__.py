r"""Symbolic derivations of the claims of THEORY.md §4 (G1–G4, W1–W6, A1, A3).

Every derivation compares two *independently* obtained exact expressions:

* the left side is computed from the **definitions** — an expectation by the Isserlis
  engine (:mod:`.moments`), a derivative by differentiation, a GLA output by running the
  recurrence (:mod:`.recurrences`);
* the right side is the **claimed formula** of THEORY.md, written once in this module as a
  small function (:func:`~.core.risk_closed_form`, :func:`~.core.gate_weights_claim`, ...).

They agree when ``lhs − rhs`` is the zero polynomial (an exact identity over the
integers; rational functions are compared by cross-multiplication, see
:class:`~.algebra.Frac`).  Each claimed formula is a keyword argument of its
derivation, so the tests can substitute a wrong formula (a *mutant*) and see it rejected.

All entries are symbolic: ``Σ`` (symmetric), ``R`` (symmetric, unit diagonal), ``r``,
``P``, ``ω``, ``σ²``, gates, features, labels.  Sizes are small (listed per derivation in
:data:`~.core.DERIVATIONS`); the proofs in ``proofs/`` give the argument for general sizes and
say which steps the small sizes prove outright (e.g. identities that hold term by term).

Results are cached (``functools.lru_cache``) per size and formula, so the claims
registry, the proof checker and the tests share one computation per process;
:func:`~.core.clear_caches` resets them (benchmarks use it to time cold runs).

Layout, by claim family as the proofs are: :mod:`.core` (the registry, the claimed formulas,
the risk problem), :mod:`.construction` (G1–G4), :mod:`.risk` (W1–W3), :mod:`.optimum`
(W4–W6), :mod:`.gla_landscape` (A1, A3, A4).  This package re-exports their public names, and
importing it registers every derivation.
"""

from __future__ import annotations

from .construction import (  # noqa: F401  (re-exported)
    g1_one_layer,
    g2_forward,
    g2_inverse,
    g3_vector_gating,
    g4_multilayer,
)
from .core import (  # noqa: F401  (re-exported)
    DERIVATIONS,
    LEVELS,
    NOISE,
    ZZ,
    Derivation,
    RiskProblem,
    causal_weights_claim,
    clear_caches,
    derivation,
    describe_sizes,
    engine_risk,
    gate_weights_claim,
    gates_from_weights_claim,
    gradient_claim,
    h_claim,
    hessian_claim,
    identity_cov_matrix_claim,
    isotropic_matrix_claim,
    isserlis_claim,
    key_gating_claim,
    label_variance_claim,
    optimal_preconditioner_claim,
    profile_claim,
    reduced_task_matrix_claim,
    ridge_preconditioner_claim,
    risk_closed_form,
    risk_problem,
    run_derivation,
    second_moment_claim,
    stationary_matrix_claim,
    weight_moments_claim,
)
from .gla_landscape import (  # noqa: F401  (re-exported)
    a1_isotropic_profile,
    a3_single_task,
    a3_uniform_gap,
    a4_taskwise_optimum,
)
from .optimum import (  # noqa: F401  (re-exported)
    w4_euler,
    w4_gradient,
    w4_mu,
    w4_partials,
    w4_same_system,
    w5_gap,
    w5_identity_cov,
    w5_isotropic_mu,
    w5_optimum,
    w5_quadratic,
    w6_zero_r,
)
from .risk import (  # noqa: F401  (re-exported)
    w1_cross_moment,
    w1_isserlis,
    w1_label_variance,
    w1_risk,
    w1_second_moment,
    w2_scaling,
    w3_gradient,
    w3_hessian,
    w3_homogeneity,
    w3_profile_engine,
    w3_profile_value,
    w3_ridge,
    w3_stationary,
)

#: one order whatever the import order: families G, W, A, then claim number (registration order within)
_FAMILIES = ("G", "W", "A")
_ordered = sorted(DERIVATIONS.items(), key=lambda kv: (_FAMILIES.index(kv[1].claim[0]), int(kv[1].claim[1:])))
DERIVATIONS.clear()
DERIVATIONS.update(_ordered)
del _ordered

__all__ = [
    "Derivation",
    "DERIVATIONS",
    "LEVELS",
    "derivation",
    "run_derivation",
    "clear_caches",
    "risk_problem",
    "engine_risk",
    # claimed formulas (THEORY.md), replaceable by mutants in the tests
    "weight_moments_claim",
    "risk_closed_form",
    "second_moment_claim",
    "isserlis_claim",
    "gradient_claim",
    "optimal_preconditioner_claim",
    "ridge_preconditioner_claim",
    "profile_claim",
    "h_claim",
    "stationary_matrix_claim",
    "isotropic_matrix_claim",
    "gate_weights_claim",
    "gates_from_weights_claim",
    "causal_weights_claim",
    "key_gating_claim",
    "hessian_claim",
    "identity_cov_matrix_claim",
    "reduced_task_matrix_claim",
    "label_variance_claim",
]
