"""The commands of ``wpgd-verify`` other than ``run``, one module each:
:mod:`wpgd_theory.commands.solve`, :mod:`wpgd_theory.commands.sweep`,
:mod:`wpgd_theory.commands.listing` (``list``) and
:mod:`wpgd_theory.commands.architectures`.  ``run``, the entry point
:func:`wpgd_theory.cli.main`, the parser and the helpers the commands share are in
:mod:`wpgd_theory.cli`, which imports these modules when it builds its parser."""
