r"""The best one-step WPGD fit to any in-context predictor (used for verdicts and inferred weights).

One-step WPGD predicts ``ŷ = Σ_i ω_i y_i xᵀ P x_i = Σ_{i,a,b} M_{iab} y_i x_a x_{ib}`` with
``M = ω ⊗ P`` of rank one.  Least squares over *all* tensors ``M ∈ R^{n×d×d}`` (a linear
problem, ``n d²`` unknowns) gives a lower bound on the distance of a predictor to every
WPGD: if even the unconstrained ``M`` leaves a residual on held-out prompts, the predictor
is not one-step WPGD.  If the residual vanishes, the predictor is WPGD iff ``M`` (as an
``n × d²`` matrix) has rank one, and then ``ω ⊗ P`` is its leading singular pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["WPGDFit", "features", "fit_wpgd", "wpgd_terms"]


def features(X, y, x) -> np.ndarray:
    r"""Return the features ``φ_{b,(i,a,c)} = y_{bi} x_{ba} X_{bic}`` of the least-squares WPGD fit.

    A predictor ``ŷ = Σ M_{iac} y_i x_a x_{ic}`` is ``features(X, y, x) @ M.ravel()``.

    Parameters
    ----------
    X : numpy.ndarray of shape (B, n, d)
        The examples' features.
    y : numpy.ndarray of shape (B, n)
        The examples' labels.
    x : numpy.ndarray of shape (B, d)
        The queries.

    Returns
    -------
    numpy.ndarray of shape (B, n·d·d)
        The features, ``(i, a, c)`` in C order.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.architectures.fit import features
    >>> features(np.ones((4, 3, 2)), np.ones((4, 3)), np.ones((4, 2))).shape
    (4, 12)
    """
    B, n, d = X.shape
    return np.einsum("bi,ba,bic->biac", y, x, X).reshape(B, n * d * d)


def wpgd_terms(X, y, x, P, omega) -> np.ndarray:
    r"""Return the ``n`` terms ``ω_i y_i xᵀ P x_i`` of a one-step WPGD prediction (their sum is ``ŷ``).

    Parameters
    ----------
    X : numpy.ndarray of shape (B, n, d)
        The examples' features.
    y : numpy.ndarray of shape (B, n)
        The examples' labels.
    x : numpy.ndarray of shape (B, d)
        The queries.
    P : numpy.ndarray of shape (d, d)
        The preconditioner.
    omega : array_like of shape (n,)
        The weights.

    Returns
    -------
    numpy.ndarray of shape (B, n)
        The terms.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.architectures.fit import wpgd_terms
    >>> X, y, x = np.ones((1, 2, 2)), np.array([[1.0, 2.0]]), np.array([[1.0, 0.0]])
    >>> wpgd_terms(X, y, x, np.eye(2), [1.0, 0.5])
    array([[1., 1.]])
    """
    return np.asarray(omega)[None] * y * np.einsum("ba,ac,bic->bi", x, P, X)


@dataclass(frozen=True)
class WPGDFit:
    r"""Least-squares WPGD fit of a predictor, as returned by :func:`fit_wpgd`.

    The fitted predictor is ``ŷ = Σ_{i,a,b} M_{iab} y_i x_a x_{ib}``; one-step WPGD is the
    rank-one case ``M = ω ⊗ P`` (``ŷ = Σ_i ω_i y_i xᵀ P x_i``, claim G1).

    Parameters
    ----------
    M : numpy.ndarray of shape (n, d, d)
        The least-squares tensor.
    omega : numpy.ndarray of shape (n,)
        Weights of the rank-one part, scaled so that ``‖P‖_F = 1`` and ``Σ ω ≥ 0``.
    P : numpy.ndarray of shape (d, d)
        Preconditioner of the rank-one part.
    rank_ratio : float
        ``σ₂/σ₁`` of ``M`` as an ``n × d²`` matrix (0 for an exact WPGD).

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.architectures import fit_wpgd
    >>> rng = np.random.default_rng(0)
    >>> X, y, x = rng.standard_normal((40, 3, 2)), rng.standard_normal((40, 3)), rng.standard_normal((40, 2))
    >>> fit = fit_wpgd(X, y, x, np.einsum("bi,ba,bia->b", y, x, X))  # ω = 1, P = I
    >>> fit.M.shape, fit.omega.shape, fit.P.shape, fit.rank_ratio < 1e-8
    ((3, 2, 2), (3,), (2, 2), True)
    """

    M: np.ndarray
    omega: np.ndarray
    P: np.ndarray
    rank_ratio: float

    def predict_full(self, X, y, x):
        r"""Predict with the full tensor: ``ŷ_b = Σ_{i,a,c} M_{iac} y_{bi} x_{ba} X_{bic}``.

        Parameters
        ----------
        X : numpy.ndarray of shape (B, n, d)
            The examples' features.
        y : numpy.ndarray of shape (B, n)
            The examples' labels.
        x : numpy.ndarray of shape (B, d)
            The queries.

        Returns
        -------
        numpy.ndarray of shape (B,)
            The predictions.

        Examples
        --------
        >>> import numpy as np
        >>> from wpgd_theory.architectures import fit_wpgd
        >>> rng = np.random.default_rng(0)
        >>> X, y, x = rng.standard_normal((40, 3, 2)), rng.standard_normal((40, 3)), rng.standard_normal((40, 2))
        >>> out = np.einsum("bi,ba,bia->b", y, x, X)
        >>> bool(np.allclose(fit_wpgd(X, y, x, out).predict_full(X, y, x), out))
        True
        """
        return features(X, y, x) @ self.M.reshape(-1)

    def predict(self, X, y, x):
        r"""Predict with the rank-one part: ``ŷ_b = Σ_i ω_i y_{bi} xᵀ P x_{bi}``.

        Parameters
        ----------
        X : numpy.ndarray of shape (B, n, d)
            The examples' features.
        y : numpy.ndarray of shape (B, n)
            The examples' labels.
        x : numpy.ndarray of shape (B, d)
            The queries.

        Returns
        -------
        numpy.ndarray of shape (B,)
            The predictions.

        Examples
        --------
        >>> import numpy as np
        >>> from wpgd_theory.architectures import fit_wpgd
        >>> rng = np.random.default_rng(0)
        >>> X, y, x = rng.standard_normal((40, 3, 2)), rng.standard_normal((40, 3)), rng.standard_normal((40, 2))
        >>> out = np.einsum("bi,ba,bia->b", y, x, X)
        >>> bool(np.allclose(fit_wpgd(X, y, x, out).predict(X, y, x), out))
        True
        """
        return wpgd_terms(X, y, x, self.P, self.omega).sum(axis=1)


def fit_wpgd(X, y, x, out) -> WPGDFit:
    r"""Fit ``M`` by least squares to the outputs of a predictor on prompts ``(X, y, x)``.

    Least squares over all tensors ``M ∈ R^{n×d×d}`` of ``ŷ = Σ M_{iab} y_i x_a x_{ib}``
    (``n d²`` unknowns); its leading singular pair is the nearest one-step WPGD
    ``ω ⊗ P`` (claim G1).  A residual of the unconstrained fit bounds the distance of the
    predictor to every WPGD from below.

    Parameters
    ----------
    X : numpy.ndarray of shape (B, n, d)
        The examples' features.
    y : numpy.ndarray of shape (B, n)
        The examples' labels.
    x : numpy.ndarray of shape (B, d)
        The queries.
    out : numpy.ndarray of shape (B,)
        The predictor's outputs on the ``B`` prompts.

    Returns
    -------
    WPGDFit
        ``M``, its rank-one part ``omega``, ``P`` and ``rank_ratio``.

    Raises
    ------
    ValueError
        If there are fewer prompts ``B`` than unknowns ``n d²``.

    Examples
    --------
    >>> import numpy as np
    >>> from wpgd_theory.architectures import fit_wpgd
    >>> rng = np.random.default_rng(0)
    >>> X, y, x = rng.standard_normal((40, 3, 2)), rng.standard_normal((40, 3)), rng.standard_normal((40, 2))
    >>> omega = np.array([0.25, 0.5, 1.0])
    >>> out = np.einsum("i,bi,ba,bia->b", omega, y, x, X)  # ω as above, P = I
    >>> fit = fit_wpgd(X, y, x, out)
    >>> np.round(fit.omega / fit.omega[-1], 6)
    array([0.25, 0.5 , 1.  ])
    """
    B, n, d = X.shape
    Phi = features(X, y, x)
    if B < Phi.shape[1]:
        raise ValueError(f"need at least n*d*d = {Phi.shape[1]} prompts to fit, got {B}")
    coef, *_ = np.linalg.lstsq(Phi, np.asarray(out, dtype=float), rcond=None)
    M = coef.reshape(n, d, d)
    U, s, Vt = np.linalg.svd(M.reshape(n, d * d), full_matrices=False)
    ratio = float(s[1] / s[0]) if s.size > 1 and s[0] > 0 else 0.0
    omega, P = U[:, 0] * s[0], Vt[0].reshape(d, d)
    if omega.sum() < 0:
        omega, P = -omega, -P
    return WPGDFit(M, omega, P, ratio)
