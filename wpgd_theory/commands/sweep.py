"""``wpgd-verify sweep SPEC [--out DIR] [--workers N]``: an experiment grid (predicted and
trained risk), resumable (:mod:`wpgd_theory.sweep`)."""

from __future__ import annotations

import sys

from ..cli import EXIT_OK, UsageError, _check_local_workers, _Progress, _say, resolve_device

__all__ = ["cmd_sweep"]


def cmd_sweep(args) -> int:
    from .. import parallel
    from ..sweep import SweepError, load_spec, run_sweep

    _check_local_workers(args)
    try:
        spec = load_spec(args.spec)
    except SweepError as exc:
        raise UsageError(str(exc)) from None
    out = _sweep_out(args.out)
    device = resolve_device(args.device)
    bar = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=spec.num_cells, file=sys.stderr, unit="cell", desc="sweep", dynamic_ncols=True, leave=False)
    done = [0]

    def progress(finished, total):
        if bar is not None:
            bar.update(finished - done[0])
        elif not args.quiet and (finished == total or finished % 10 == 0):
            _Progress._line(f"sweep {finished}/{total} cells")
        done[0] = finished

    try:
        res = run_sweep(spec, out, workers=args.workers, scheduler=args.scheduler, device=device, progress=progress,
                        warn=(lambda line: bar.write(line, file=sys.stderr)) if bar is not None else None)
    except parallel.ParallelError as exc:
        raise UsageError(exc.command_line()) from None
    except OSError as exc:
        raise UsageError(f"--out {out}: could not write the sweep ({exc.strerror or exc})") from None
    finally:
        if bar is not None:
            bar.close()
    invalid = f", {len(res['invalid'])} invalid cache entries recomputed" if res["invalid"] else ""
    _say(f"sweep {spec.name!r}: {len(res['rows'])} cells, {res['cached']} from the cache, "
          f"{res['computed']} computed{invalid}; results in {out / 'results.parquet'}, {out / 'results.csv'}, "
          f"{out / 'summary.html'}")
    return EXIT_OK


def _sweep_out(path):
    from pathlib import Path

    out = Path(path)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot create ({exc.strerror or exc})") from None
    return out
