"""The claim registry: one :class:`Claim` per THEORY.md id, each with its checks.

``registry()`` returns the claims (ids in THEORY order) with every family's checks
attached; ``run(claim_ids=None, suite="default")`` runs them (see :mod:`.runner`).
"""

from .core import SUITES, Check, CheckContext, CheckResult, Claim, check, compare, compare_monte_carlo
from .registry import CLAIM_IDS, registry
from .runner import ClaimOutcome, run

__all__ = [
    "SUITES",
    "CLAIM_IDS",
    "Check",
    "CheckContext",
    "CheckResult",
    "Claim",
    "ClaimOutcome",
    "check",
    "compare",
    "compare_monte_carlo",
    "registry",
    "run",
]
