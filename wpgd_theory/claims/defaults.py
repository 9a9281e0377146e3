"""The built-in model instances the checks run on when no ``--config`` is given.

Chosen to cover the regimes the claims distinguish: isotropic vs anisotropic ``Σ``,
single task vs multitask, a general (AR(1), time-series-like) ``C``, an optimum that is
monotone (A2) and one that is not (A4).
"""

from __future__ import annotations

import numpy as np

from ..model import MultitaskModel


def _ar1(n: int, phi: float):
    """AR(1) correlations over positions 1..n+1 (the query last): ``C_ij = φ^|i−j|``."""
    idx = np.arange(n + 1)
    C = phi ** np.abs(idx[:, None] - idx[None, :])
    return C[:n, :n], C[:n, n]


def default_models() -> dict:
    """Named default models (fresh instances)."""
    rho3 = np.array([[1.0, 0.5, -0.2], [0.5, 1.0, 0.3], [-0.2, 0.3, 1.0]])
    R_ar, r_ar = _ar1(6, 0.8)
    return {
        "single-task-isotropic": MultitaskModel.single_task(8, sigma=np.eye(4), noise=0.25),
        "multitask-anisotropic": MultitaskModel.from_tasks(
            [4, 3, 5], rho3, np.array([0.3, 0.5, 0.8]), sigma=np.diag([2.0, 1.0, 0.5]), noise=0.1
        ),
        "multitask-nonmonotone": MultitaskModel.from_tasks(
            [4, 4, 4], np.eye(3), np.array([0.2, 0.9, 0.1]), sigma=np.eye(3), noise=0.5
        ),
        "ar1-general": MultitaskModel(np.diag([1.5, 0.5]), R_ar, r_ar, noise=0.2),
    }
