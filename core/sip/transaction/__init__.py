"""RFC 3261 s17 transactions, sans-IO: four table-driven state machines on a passed-in clock.

Events in (requests, responses, timer expiry, transport failures, each with ``now``),
events out (`SendToTransport`, `PassToTU`, `TransactionTimeout`, `TransportError`,
`Terminated`), next deadline from ``get_timer()``. The tm module owns sockets and the loop.
"""

from .ack import build_ack
from .client import ClientTransaction
from .describe import format_machine, format_tables
from .events import (
    PassToTU,
    SendToTransport,
    Terminated,
    TransactionError,
    TransactionEvent,
    TransactionTimeout,
    TransportError,
)
from .machine import Transaction
from .matching import (
    TransactionTable,
    client_key,
    loose_key,
    merge_key,
    server_key,
)
from .server import ServerTransaction
from .states import (
    INVITE_CLIENT,
    INVITE_SERVER,
    MACHINES,
    NON_INVITE_CLIENT,
    NON_INVITE_SERVER,
    Action,
    Event,
    MachineSpec,
    State,
    Transition,
)
from .timers import DEFAULT_TIMERS, Timer, TimerConfig

__all__ = [
    "DEFAULT_TIMERS", "INVITE_CLIENT", "INVITE_SERVER", "MACHINES", "NON_INVITE_CLIENT",
    "NON_INVITE_SERVER", "Action", "ClientTransaction", "Event", "MachineSpec", "PassToTU",
    "SendToTransport", "ServerTransaction", "State", "Terminated", "Timer", "TimerConfig",
    "Transaction", "TransactionError", "TransactionEvent", "TransactionTable",
    "TransactionTimeout", "TransportError", "Transition", "build_ack", "client_key",
    "format_machine", "format_tables", "loose_key", "merge_key", "server_key",
]
