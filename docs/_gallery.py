"""The example gallery's matplotlib style: the report's (:data:`wpgd_theory.report.figures.STYLE`)."""


def reset_style(gallery_conf, fname):
    """Called by sphinx-gallery before each example: one style for the report and the docs."""
    from wpgd_theory.report.figures import style

    style()
