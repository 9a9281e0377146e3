"""Where the report sends a reader for a claim's proof: the documentation's *Theory* pages.

A claim's ``proof`` field names its family's proof module (``proofs/optimum.py``); the
documentation renders that proof, machine-checked, on the page ``theory/<family>``, which
is the reference a reader can follow (the ``proofs/`` folder is part of the repository,
not of the installed package).  :data:`FAMILY_TITLES` is also the title of each page in
the docs (``docs/_pages.py``).
"""

from __future__ import annotations

from pathlib import PurePosixPath

__all__ = ["FAMILY_TITLES", "theory_page"]

FAMILY_TITLES = {
    "construction": "Construction: GLA implements WPGD (G1–G4)",
    "risk": "The WPGD risk in closed form (W1–W3)",
    "optimum": "The optimum: stationary curve, existence and uniqueness (W4–W6)",
    "general_sigma": "Uniqueness for general Σ: theorem U3 and the combined condition (W5)",
    "gla_landscape": "The GLA landscape: what gating can reach (A1–A4, T1–T2)",
}


def theory_page(proof: str) -> tuple[str, str] | None:
    """``(page, title)`` of the docs page holding the proof named by a claim's ``proof`` field
    (``"proofs/optimum.py"`` → ``("theory/optimum", "The optimum: …")``), or ``None``."""
    if not proof:
        return None
    family = PurePosixPath(str(proof)).stem
    return f"theory/{family}", FAMILY_TITLES.get(family, family.replace("_", " ").capitalize())
