"""``python -m wpgd_theory``: the ``wpgd-verify`` command line (same arguments, same exit status)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
