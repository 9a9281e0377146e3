"""Assemble the registry: statements plus the checks each family module registers.

Family modules (one per claim family, named after the mathematics) register checks with
:func:`~wpgd_theory.claims.core.check` at import.  Modules that need torch import it
inside their check functions, so the registry loads without torch.
"""

from __future__ import annotations

import copy
import importlib

from . import core
from .statements import CLAIMS

#: Family modules under ``wpgd_theory.claims`` that register checks.
FAMILIES = ("risk", "stationary_points", "global_minimum", "weight_cones", "symbolic", "construction", "training",
            "depth", "architectures")

CLAIM_IDS = tuple(c.id for c in CLAIMS)

_loaded = False


def _load_families():
    global _loaded
    if not _loaded:
        for fam in FAMILIES:
            importlib.import_module(f"{__package__}.{fam}")
        _loaded = True


def registry() -> list:
    r"""The claims in registry order (G1–G4, W1–W6, A1–A4, T1–T2), each with its checks.

    Returns
    -------
    list of Claim
        Fresh copies (editing one does not change the registry): ``id``, ``title``,
        ``statement`` (LaTeX), ``assumptions``, ``proof`` and ``checks``.

    Raises
    ------
    RuntimeError
        If a check is registered for a claim id the registry does not know (a bug).

    Examples
    --------
    >>> claims = registry()
    >>> [c.id for c in claims][:4]
    ['G1', 'G2', 'G3', 'G4']
    >>> all(c.checks for c in claims)  # every claim has checks
    True
    """
    _load_families()
    claims = {c.id: copy.copy(c) for c in CLAIMS}
    for c in claims.values():
        c.checks = []
    for chk in core._PENDING:
        if chk.claim_id not in claims:
            raise RuntimeError(f"check {chk.name!r} registered for unknown claim id {chk.claim_id!r}")
        claims[chk.claim_id].checks.append(chk)
    return [claims[i] for i in CLAIM_IDS]
