"""wpgd_theory: a symbolic-numeric verifier of *Gating is Weighting* (Li et al., 2025).

Gated linear attention (GLA) as weighted preconditioned gradient descent (WPGD): the
claims of THEORY.md stated, proved and checked three ways.  Public names are importable
from here; torch is imported only by :mod:`wpgd_theory.gla`.
"""

from .convex import ConstrainedSolution, solve_constrained
from .landscape import (
    MonteCarloEstimate,
    WPGDSolution,
    monte_carlo_risk,
    optimal_preconditioner,
    population_risk,
    profile_risk,
    risk_gradient,
    solve,
    weight_moments,
)
from .model import MultitaskModel, PromptBatch
from .wpgd import (
    causal_wpgd_predict,
    gate_weight_matrix,
    gate_weights,
    gates_from_weights,
    multistep_wpgd_predict,
    wpgd_predict,
)

__version__ = "0.1.0"

__all__ = [
    "MultitaskModel",
    "PromptBatch",
    "wpgd_predict",
    "multistep_wpgd_predict",
    "causal_wpgd_predict",
    "gate_weight_matrix",
    "gate_weights",
    "gates_from_weights",
    "population_risk",
    "risk_gradient",
    "monte_carlo_risk",
    "MonteCarloEstimate",
    "optimal_preconditioner",
    "profile_risk",
    "weight_moments",
    "solve",
    "WPGDSolution",
    "solve_constrained",
    "ConstrainedSolution",
]
