"""What the interpreter needs from a SIP message: as little as possible.

The interpreter core (values, flags, `$var`, `$avp`, control flow) never looks inside a message.
Everything that reads or changes one (`$ru`, `$hdr(...)`, `method == "INVITE"`, `t_relay()` ...)
is a PV class, keyword or function that the SIP layer and the modules register; they know the
concrete message type. So the interpreter only carries the message through to them, and this
protocol states that and nothing more -- a test can pass any object, or None.
"""

from __future__ import annotations

from typing import Protocol


class ScriptMessage(Protocol):
    """A message the script runs for. Intentionally empty: see the module docstring."""
