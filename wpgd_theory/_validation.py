"""One validation helper module used at every public entry point.

Every failure raises :class:`TypeError` (wrong kind of object) or :class:`ValueError`
(right kind, wrong value), and the message names the argument, what was expected and
what came.  Nothing is silently clipped, symmetrised or cast from a non-numeric type.
"""

from __future__ import annotations

import numbers

import numpy as np

#: Relative tolerance for "symmetric", "unit diagonal" and "PSD" checks.
STRUCTURE_TOL = 1e-10


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__}"


def as_array(value, name: str, *, ndim=None, shape=None, allow_batch: bool = False,
             allow_bool: bool = False) -> np.ndarray:
    """Return ``value`` as a finite float64 array, or raise naming ``name``.

    Boolean arrays are a ``TypeError`` unless ``allow_bool`` (a mask is not a matrix of
    numbers: ``True`` silently becoming ``1.0`` would hide a mistake).  The result may
    share memory with ``value``; callers that keep it copy it.

    ``ndim`` may be an int or a tuple of allowed ranks; ``shape`` may contain ``None``
    for a free axis.  With ``allow_batch`` the trailing axes must match ``shape`` and
    any number of leading batch axes is allowed.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a numeric array, got {_describe(value)}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - numpy raises many kinds
        raise TypeError(f"{name} must be a numeric array, got {_describe(value)}") from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be a numeric array, got {_describe(value)}")
    if np.issubdtype(arr.dtype, np.bool_) and not allow_bool:
        raise TypeError(f"{name} must be a numeric array, got a boolean {_describe(value)}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimensions, got shape {arr.shape}")
    if shape is not None:
        tail = arr.shape[arr.ndim - len(shape):] if allow_batch else arr.shape
        if len(tail) != len(shape) or (not allow_batch and arr.ndim != len(shape)) or any(
            s is not None and s != t for s, t in zip(shape, tail)
        ):
            want = tuple("*" if s is None else s for s in shape)
            prefix = "(..., " if allow_batch else "("
            raise ValueError(
                f"{name} must have shape {prefix}{', '.join(map(str, want))}), got {arr.shape}"
            )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    return arr


def as_scalar(value, name: str, *, minimum=None, strict: bool = False) -> float:
    """Return a finite real scalar, optionally bounded below (``>`` if ``strict``)."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    out = float(value)
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite, got {out}")
    if minimum is not None:
        if strict and not out > minimum:
            raise ValueError(f"{name} must be > {minimum}, got {out}")
        if not strict and not out >= minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {out}")
    return out


def as_positive_int(value, name: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {int(value)}")
    return int(value)


def check_symmetric(mat: np.ndarray, name: str, tol: float = STRUCTURE_TOL) -> None:
    scale = max(1.0, float(np.max(np.abs(mat))))
    err = float(np.max(np.abs(mat - mat.T))) if mat.size else 0.0
    if err > tol * scale:
        raise ValueError(f"{name} must be symmetric; max |A - A^T| = {err:.3g} exceeds {tol:g} (relative)")


def check_spd(mat: np.ndarray, name: str, tol: float = STRUCTURE_TOL) -> np.ndarray:
    """Symmetric positive definite; returns the eigenvalues (ascending).

    Positive definite means, as always, that the eigenvalues computed in float64
    (``numpy.linalg.eigvalsh``) are all ``> 0``; only the message of a refusal depends on
    why the smallest is not.  LAPACK scales a matrix whose norm is beyond ~1e154 down
    before it solves, which underflows its tiny eigenvalues to 0 (``diag(1e300, 1e-300, 1)``),
    and no float64 eigen-solve resolves an eigenvalue below ~1e-16 times the largest
    unless the matrix is diagonal.  So a refused matrix is tested once more after diagonal
    scaling, ``D^{-1/2} A D^{-1/2}`` with ``D = diag(A)`` (positive definite exactly when
    ``A`` is, by Sylvester's law of inertia, and unit-diagonal, so no such loss): when that
    is clearly positive definite, the message says that ``A`` is positive definite but its
    eigenvalues span more than float64 can represent relative to each other, instead of
    "smallest eigenvalue is 0".
    """
    check_symmetric(mat, name, tol)
    eig = np.linalg.eigvalsh(mat)
    if eig[0] <= 0:
        raise ValueError(_not_positive_definite(mat, eig, name))
    return eig


def _not_positive_definite(mat: np.ndarray, eig: np.ndarray, name: str) -> str:
    plain = f"{name} must be positive definite; smallest eigenvalue is {eig[0]:.3g}"
    diag = np.diag(mat)
    if not (diag.size and np.all(diag > 0) and np.isfinite(eig[-1]) and eig[-1] > 0):
        return plain  # a diagonal entry <= 0: not positive definite (e_i' A e_i = a_ii)
    root = np.sqrt(diag)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        B = (mat / root[:, None]) / root[None, :]
    if not np.all(np.isfinite(B)):
        return plain
    eb = np.linalg.eigvalsh((B + B.T) / 2)
    if not eb[0] > 64 * len(diag) * np.finfo(float).eps * max(1.0, float(eb[-1])):
        return plain  # (nearly) singular after scaling too
    largest, smallest = float(eig[-1]), float(np.min(diag))  # lambda_min <= min a_ii
    exponent = np.log10(smallest) - np.log10(largest)
    why = ("below float64's ~1e-308, so its condition number overflows" if exponent < -307
           else "beyond the ~16 significant digits of a float64 eigen-solve")
    return (f"{name} is positive definite, but its eigenvalues span more than float64 can represent relative "
            f"to each other (largest {largest:.3g}, smallest at most {smallest:.3g}: a ratio of at most "
            f"1e{exponent:.0f}, {why})")


def check_correlation(mat: np.ndarray, name: str, tol: float = STRUCTURE_TOL) -> np.ndarray:
    """Symmetric PSD with unit diagonal (within ``tol``); returns the eigenvalues."""
    check_symmetric(mat, name, tol)
    diag_err = float(np.max(np.abs(np.diag(mat) - 1.0))) if mat.size else 0.0
    if diag_err > tol:
        raise ValueError(f"{name} must have unit diagonal; max |diag - 1| = {diag_err:.3g} exceeds {tol:g}")
    eig = np.linalg.eigvalsh(mat)
    if eig[0] < -tol * max(1.0, float(eig[-1])):
        raise ValueError(f"{name} must be positive semidefinite; smallest eigenvalue is {eig[0]:.3g}")
    return eig


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator (np.random.default_rng(seed)), got {_describe(rng)}")
    return rng


def check_unit_interval(arr: np.ndarray, name: str) -> None:
    if arr.size and (arr.min() < 0.0 or arr.max() > 1.0):
        raise ValueError(f"{name} must lie in [0, 1]; got values in [{arr.min():.6g}, {arr.max():.6g}]")


def physical_memory_bytes() -> int | None:
    """Total physical memory of this machine in bytes (``None`` where the OS does not say)."""
    import os

    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def check_memory(nbytes: float, name: str, what: str) -> None:
    """``ValueError`` naming ``name`` when ``what`` needs more than this machine's physical memory.

    An up-front refusal in one line, instead of numpy's ``MemoryError`` (or the machine
    swapping) after the allocation has started."""
    total = physical_memory_bytes()
    if total is not None and nbytes > total:
        raise ValueError(f"{name}: {what} needs about {nbytes / 2**30:.3g} GiB, more than this machine's "
                         f"{total / 2**30:.3g} GiB of memory")
