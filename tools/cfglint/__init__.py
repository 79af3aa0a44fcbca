"""cfglint: lint Kamailio-style configs with the shared cfg front-end (see docs/cfglint.md)."""

from .cli import main

__all__ = ["main"]
