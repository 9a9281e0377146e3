"""Checks of this claim family are registered here (see core.check)."""
