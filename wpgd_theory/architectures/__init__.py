r"""Real architectures of the GLA family (through flash-linear-attention) and WPGD (issue 13).

* :mod:`.fla_ops` — fla's own operators adapted to one layout (imported lazily);
* :mod:`.registry` — :data:`ARCHITECTURES`: constructions run through fla vs ``wpgd_predict``;
* :mod:`.cones` — the best risk of each architecture's weight class on a model;
* :mod:`.delta` — what the delta rule computes instead (negative controls);
* :mod:`.conformance` — :func:`check_recurrence` for a user's own recurrence;
* :mod:`.table` — the architecture table (``wpgd-verify architectures``) and its figure.

torch (and fla) are imported only here and in :mod:`wpgd_theory.gla`.
"""

from .cones import WEIGHT_CLASSES, ClassOptimum, best_risk
from .conformance import NonFiniteOutput, RecurrenceVerdict, check_recurrence
from .delta import delta_rule_first_order_weights, delta_rule_predict
from .fit import WPGDFit, fit_wpgd
from .registry import ARCHITECTURES, Architecture, Conformance, architecture, float32_tolerance, run_conformance
from .table import architecture_table, figure_risk_vs_n, risk_vs_n

__all__ = [
    "ARCHITECTURES",
    "WEIGHT_CLASSES",
    "Architecture",
    "ClassOptimum",
    "Conformance",
    "NonFiniteOutput",
    "RecurrenceVerdict",
    "WPGDFit",
    "architecture",
    "architecture_table",
    "best_risk",
    "check_recurrence",
    "figure_risk_vs_n",
    "risk_vs_n",
    "delta_rule_first_order_weights",
    "delta_rule_predict",
    "fit_wpgd",
    "float32_tolerance",
    "run_conformance",
]
