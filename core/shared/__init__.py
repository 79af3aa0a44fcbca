"""State every process of the server sees: counters and the cfg framework, in shared memory."""

from .cfgframework import CfgError, CfgFramework, CfgVarDef
from .counters import COUNTERS, Counter, CounterError, CounterSet, define
from .segment import Segment

__all__ = [
    "COUNTERS", "CfgError", "CfgFramework", "CfgVarDef", "Counter", "CounterError",
    "CounterSet", "Segment", "define",
]
