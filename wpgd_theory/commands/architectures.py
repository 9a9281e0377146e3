"""``wpgd-verify architectures [--config FILE] [--json]``: which real architectures
(flash-linear-attention) implement WPGD, and their best risks (:mod:`wpgd_theory.architectures`)."""

from __future__ import annotations

from ..cli import _load_config

__all__ = ["cmd_architectures"]


def cmd_architectures(args) -> int:
    from ..architectures.cli import run
    from ..claims.defaults import default_models

    models = _load_config(args.config).models if args.config else default_models()
    return run(models, as_json=args.json, seed=args.seed, train=getattr(args, "train", False))
