"""The commands of ``wpgd-verify``, one module each: :mod:`wpgd_theory.commands.run`
(``run``), :mod:`wpgd_theory.commands.solve`, :mod:`wpgd_theory.commands.sweep`,
:mod:`wpgd_theory.commands.listing` (``list``) and :mod:`wpgd_theory.commands.architectures`.
The entry point :func:`wpgd_theory.cli.main`, the parser and the helpers the commands share
are in :mod:`wpgd_theory.cli`, which imports these modules when it builds its parser."""
