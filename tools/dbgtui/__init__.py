"""dbgtui: the Textual stepper for siprouter's debugger module (see docs/dbgtui.md)."""

from .session import DebugSession

__all__ = ["DebugSession"]
