"""Screens pushed over the debugger's main screen."""

from .help import HelpScreen

__all__ = ["HelpScreen"]
