"""wpgd_theory: a symbolic-numeric verifier of *Gating is Weighting* (Li et al., 2025).

Gated linear attention (GLA) as weighted preconditioned gradient descent (WPGD): the
paper's claims stated, proved and checked three ways (the documentation's *Theory* pages
state them and give the proofs).  Public names are importable from here; torch is imported
only by :mod:`wpgd_theory.gla` and :mod:`wpgd_theory.architectures` (and only when they are
used).

``__version__`` is read from the installed package's metadata (the version in
``pyproject.toml`` is the only place it is written).

Examples
--------
The optimal WPGD of a two-task model (claims W3–W5): its risk, and that it beats the
uniform weights of linear attention.

>>> import numpy as np
>>> import wpgd_theory as wt
>>> model = wt.MultitaskModel.from_tasks([3, 3], rho=np.eye(2), r_task=np.array([0.3, 0.9]),
...                                      sigma=np.eye(2), noise=0.5)
>>> sol = wt.solve(model)
>>> sol.status
'unique'
>>> bool(sol.risk < wt.profile_risk(model, np.ones(model.n)))
True
>>> bool(np.isclose(wt.population_risk(model, sol.P, sol.omega), sol.risk, rtol=1e-10))
True
"""

# first: in the wpgd-verify program only (never as a library), a Ctrl-C during the imports
# below is one line and exit status 130 (wpgd_theory._interrupts)
from . import _interrupts  # noqa: F401

# isort: split
from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

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

try:
    __version__ = _version("wpgd_theory")
except _PackageNotFoundError:  # pragma: no cover - imported from a source tree that was never installed
    __version__ = "0+unknown"

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
