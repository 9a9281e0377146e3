"""Where the report sends a reader: the paper each claim refines, and the proof of each claim.

* The paper: Li, Ataee Tarzanagh, Rawat, Fazel, Oymak, *Gating is Weighting: Understanding
  Gated Linear Attention through In-context Learning*, 2025, arXiv:2504.04308
  (:data:`PAPER_URL`).  :data:`PAPER_RESULTS` names, for each claim id, the paper's
  statement it makes precise (the claims are the project's own refined versions; where
  they correct the paper's transcription, the docs' *Corrections* page says how).
* The proof: a claim's ``proof`` field names its family's proof module
  (``proofs/optimum.py``); the documentation renders that proof, machine-checked, on the
  page ``theory/<family>`` (:func:`theory_page`), which is the reference a reader can follow
  (the ``proofs/`` folder is part of the repository, not of the installed package).
  :data:`FAMILY_TITLES` is also the title of each page in the docs (``docs/_pages.py``).
"""

from __future__ import annotations

from pathlib import PurePosixPath

__all__ = ["FAMILY_TITLES", "PAPER", "PAPER_RESULTS", "PAPER_URL", "paper_result", "theory_page"]

PAPER_URL = "https://arxiv.org/abs/2504.04308"
PAPER = "Li et al. 2025, Gating is Weighting, arXiv:2504.04308"

#: The paper's statement each claim refines (by content: the paper's result, not a
#: section number).
PAPER_RESULTS = {
    "G1": "GLA as WPGD: one layer with scalar gating is one step of weighted preconditioned GD",
    "G2": "Gating induces the WPGD weights: scalar gates give monotone (cumulative-product) weights",
    "G3": "Vector gating: key-dimension gates give data-dependent, task-wise weights",
    "G4": "Multilayer GLA implements multi-step (causal) WPGD with data-dependent weights",
    "W1": "The WPGD risk under the multitask prompt model",
    "W2": "Scaling invariance of the WPGD risk, (P, ω) ↦ (cP, ω/c)",
    "W3": "The optimal preconditioner for given weights",
    "W4": "The stationary points of the WPGD landscape",
    "W5": "Existence and uniqueness (up to scaling) of the global minimum of WPGD",
    "W6": "The conditions of the existence and uniqueness result",
    "A1": "The optimization landscape of one-layer GLA: the best weights scalar gating can reach",
    "A2": "When GLA attains the optimal WPGD risk",
    "A3": "When GLA is provably better than linear attention",
    "A4": "Vector and multi-head gating reach context-aware weights beyond scalar gating",
    "T1": "The experiments: trained linear attention, scalar and vector GLA against the predicted risks",
    "T2": "The experiments on depth: multilayer GLA and multi-step WPGD",
}

FAMILY_TITLES = {
    "construction": "Construction: GLA implements WPGD (G1–G4)",
    "risk": "The WPGD risk in closed form (W1–W3)",
    "optimum": "The optimum: stationary curve, existence and uniqueness (W4–W6)",
    "general_sigma": "Uniqueness for general Σ: theorem U3 and the combined condition (W5)",
    "gla_landscape": "The GLA landscape: what gating can reach (A1–A4, T1–T2)",
}


def paper_result(claim_id: str) -> str:
    """The paper's statement claim ``claim_id`` refines (``""`` for an id not mapped).

    >>> paper_result("W5")
    'Existence and uniqueness (up to scaling) of the global minimum of WPGD'
    """
    return PAPER_RESULTS.get(str(claim_id), "")


def theory_page(proof: str) -> tuple[str, str] | None:
    """``(page, title)`` of the docs page holding the proof named by a claim's ``proof`` field
    (``"proofs/optimum.py"`` → ``("theory/optimum", "The optimum: …")``), or ``None``."""
    if not proof:
        return None
    family = PurePosixPath(str(proof)).stem
    return f"theory/{family}", FAMILY_TITLES.get(family, family.replace("_", " ").capitalize())
