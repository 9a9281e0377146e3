"""``wpgd-verify architectures [--json] [--config FILE] [--seed N] [--train]`` (called from :mod:`wpgd_theory.cli`).

Exit status 0 when every architecture's measured verdict is the stated one (the WPGD
architectures match ``wpgd_predict`` within the float32 tolerance, the delta-rule and HGRN2
controls do not, and their exact alternative statements hold), 1 otherwise, 2 when fla cannot
be imported or standard output cannot be written (``> /dev/full``; one line on stderr).  A
closed pipe (``| head``) ends the command quietly, as for every ``wpgd-verify`` command.

The table is :func:`~.table.architecture_table` for ``--seed N``, the same computation as
the report's architectures table (claim G1's check) of a run with seed ``N``.  ``--train``
adds, per trainable architecture and model, the population risk of the WPGD trained through
fla's ops (:func:`add_trained`: :func:`~.train.train_classes` with the thorough suite's
settings and seed ``N``, the computation of claim T1's thorough check on
``multitask-nonmonotone``); the exit status does not depend on it (each entry says whether it
is within its tolerance).
"""

from __future__ import annotations

import json
import os
import sys

from . import fla_ops
from .table import architecture_table

__all__ = ["run", "format_table", "add_trained"]


def _fmt(v):
    """A risk for the text table: four decimals at ordinary magnitudes, else four significant digits
    in exponent form (a model scaled by 1e300 printed 300 digits)."""
    if v is None:
        return "—"
    return f"{v:.4f}" if v == 0 or 1e-3 <= abs(v) < 1e6 else f"{v:.4e}"


def add_trained(doc: dict, models: dict, *, seed: int = 0, settings: dict | None = None) -> dict:
    r"""Add ``"trained": {model: row | None}`` to each trainable row of ``doc`` (in place; returns it).

    ``row`` is :func:`~.train.train_classes`'s entry (``risk``, ``optimum``, ``relative_excess``,
    ``tolerance``, ``within``, ...) for the architecture trained on that model; ``None`` for a model
    of more than :data:`~.table.MAX_N_BEST_RISK` examples.  Rows of other architectures are unchanged.

    Parameters
    ----------
    doc : dict
        :func:`~.table.architecture_table`'s output.
    models : dict
        ``{name: MultitaskModel}``, the models of ``doc``.
    seed : int
        Training seed.
    settings : dict, optional
        ``{"steps", "batch"}``; default the thorough suite's (:data:`~.train.TRAIN_SETTINGS`).

    Returns
    -------
    dict
        ``doc``, with ``doc["trained_settings"]`` recorded.

    Examples
    --------
    >>> from wpgd_theory.claims.defaults import default_models
    >>> m = {"nm": default_models()["multitask-nonmonotone"]}
    >>> doc = {"architectures": [{"name": "retnet"}, {"name": "deltanet"}]}
    >>> out = add_trained(doc, m, settings={"steps": 2, "batch": 8})
    >>> sorted(out["architectures"][0]["trained"]), "trained" in out["architectures"][1]
    (['nm'], False)
    """
    from .table import MAX_N_BEST_RISK
    from .train import TRAIN_SETTINGS, TRAINABLE, train_classes

    settings = dict(TRAIN_SETTINGS["thorough"] if settings is None else settings)
    for a in doc["architectures"]:
        if a["name"] not in TRAINABLE:
            continue
        a["trained"] = {mname: (train_classes(m, [a["name"]], seed=seed, **settings)[0]
                                if m.n <= MAX_N_BEST_RISK else None) for mname, m in models.items()}
    doc["trained_settings"] = {**settings, "seed": seed}
    return doc


def _fmt_trained(t):
    if t is None:
        return "—"
    return _fmt(t["risk"]) + ("" if t["within"] else "!")


def format_table(doc: dict) -> str:
    """Plain-text table of :func:`~.table.architecture_table`'s output (with trained-risk columns
    when :func:`add_trained` has run)."""
    models = list(doc["models"])
    trained = "trained_settings" in doc
    tcols = [f"trained {m}" for m in models] if trained else []
    head = ["architecture", "WPGD", "weight class", "discrepancy", "bound", *models, *tcols, "proof"]
    rows = [[a["name"], "yes" if a["implements_wpgd"] else "no", a["weight_class"], f"{a['max_discrepancy']:.1e}",
             f"{a['tolerance']:.1e}", *[_fmt(a["best_risk"][m]) for m in models],
             *([_fmt_trained(a.get("trained", {}).get(m)) for m in models] if trained else []),
             a.get("proof", "").replace("proofs/architectures.md ", "")] for a in doc["architectures"]]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    out = [line(head), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append("")
    taus = ", ".join(f"{m} {v['tau']:g}" for m, v in doc["models"].items())
    out.append(f"fla {doc['fla_version']}; discrepancy: max |fla - reference| relative to the sum of |terms| "
               f"(controls: to the best one-step WPGD fit, held-out prompts); bound: the a-priori float32 bound "
               f"gamma_m (WPGD iff discrepancy <= bound); best risk: best WPGD of the class "
               f"(tau = label variance: {taus}); proof: section of proofs/architectures.md")
    for u in doc.get("unavailable", []):
        out.append(f"not in the map: {u['name']}: {u['reason']}")
    for a in doc["architectures"]:
        if a.get("reason"):
            out.append(f"{a['name']}: not WPGD: {a['reason']}")
    if trained:
        ts = doc["trained_settings"]
        out.append(f"trained: population risk of the WPGD trained through fla's ops ({ts['steps']} Adam steps of "
                   f"{ts['batch']} prompts, seed {ts['seed']}); '!' marks one outside [optimum, optimum (1 + tol)], "
                   "tol half the relative gap to the next larger class optimum (proofs/architectures.md §B)")
    for a in doc["architectures"]:
        if "layer" in a:
            lay = a["layer"]
            out.append(f"{a['name']} layer {lay['module']}: construction "
                       f"{'holds' if lay['holds'] else 'FAILS'} ({lay['identity_discrepancy']:.1e}) with "
                       f"{', '.join(lay['must_be_identity'])} at the identity")
            out.extend(_ablation_lines(lay))
    for a in doc["architectures"]:
        if "distance_curve" in a:
            c = a["distance_curve"]
            slopes = ", ".join(f"{r['median_over_beta']:.2f}" for r in c["curve"])
            pts = "; ".join(f"beta {r['beta']:g}: {r['median']:.3f} [{r['min']:.3f}, {r['max']:.3f}]"
                            for r in c["curve"])
            out.append(f"{a['name']}: distance to the best one-step WPGD (held out; median [min, max] over "
                       f"{len(c['seeds'])} seeds, fitted on {c['curve'][0]['fit_prompts']} prompts, fitting error "
                       f"<= {max(r['fit_error'] for r in c['curve']):.0%}): {pts}; first order in beta: "
                       f"distance/beta = {slopes}")
    for a in doc["architectures"]:
        if not a["as_stated"]:
            out.append(f"UNEXPECTED: {a['name']}: measured implements_wpgd={a['implements_wpgd']}")
    return "\n".join(out)


def _ablation_lines(lay: dict) -> list:
    """One line per component switched back to fla's default: what it does, or why it did not run."""
    lines = []
    for comp, res in lay.get("components", {}).items():
        if isinstance(res, str):  # "not run: needs CUDA (Triton module): ..."
            lines.append(f"  ablation {comp}: {res}")
        else:
            lines.append(f"  ablation {comp}: ran; {'breaks' if res['breaks_construction'] else 'does NOT break'} "
                         f"the construction (discrepancy {res['discrepancy']:.1e})")
    return lines


def _emit(text: str) -> int | None:
    """Write ``text`` to stdout; ``2`` (one line on stderr) when stdout cannot be written.

    A closed pipe raises :class:`BrokenPipeError` on to :func:`wpgd_theory.cli.main`, which
    ends quietly; any other write error (``> /dev/full``) is said here in one line, and
    stdout is pointed at ``/dev/null`` so that the interpreter's final flush stays silent.
    """
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # in-process (captured) stdout: nothing to detach
            pass
        print(f"wpgd-verify: error: cannot write to standard output ({exc.strerror or exc})", file=sys.stderr)
        return 2
    return None


def run(models: dict, *, as_json: bool = False, seed: int = 0, train: bool = False) -> int:
    if not fla_ops.fla_available():
        print("wpgd-verify: error: flash-linear-attention's ops (package fla-core, with triton, einops and packaging) "
              "cannot be imported here; install them: pip install -c constraints.txt -e .", file=sys.stderr)
        return 2
    doc = architecture_table(models, seed=seed)
    if train:
        add_trained(doc, models, seed=seed)
    text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) if as_json else format_table(doc)
    failed = _emit(text)
    if failed is not None:
        return failed
    return 0 if all(a["as_stated"] for a in doc["architectures"]) else 1
