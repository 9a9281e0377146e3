"""``wpgd-verify``: command line of the verifier (placeholder: ``list`` only)."""

from __future__ import annotations

import sys


def main(argv=None) -> int:
    from .claims import registry

    for claim in registry():
        print(f"{claim.id:3s} {claim.title}  [{len(claim.checks)} checks]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
