"""The state tables rendered as Markdown, for ``docs/transactions.md`` (a test keeps the two
equal; regenerate with ``python -m siprouter.core.sip.transaction.describe``)."""

from __future__ import annotations

from .states import MACHINES, MachineSpec, State
from .timers import RETRANSMISSION_TIMERS, WAIT_TIMERS


def format_machine(spec: MachineSpec) -> str:
    """One machine: a heading, its table (rows in table order) and its timers per state."""
    lines = [
        f"### {spec.name} ({spec.reference})",
        "",
        "| State | Event | Next state | Actions |",
        "|---|---|---|---|",
    ]
    for (state, event), row in spec.transitions.items():
        names = [action.value for action in row.actions]
        if row.next is not state and row.next is State.TERMINATED:
            names.append("report Terminated")
        actions = ", ".join(names) or "none (absorbed)"
        lines.append(f"| {state.value} | {event.value} | {row.next.value} | {actions} |")
    lines += ["", "Timers of each state (started on entry unless already running; the others stop):", ""]
    for state, timers in spec.timers.items():
        described = []
        for timer in timers:
            note = ""
            if timer in RETRANSMISSION_TIMERS:
                note = " (unreliable transports only)"
            elif timer in WAIT_TIMERS:
                note = " (zero over reliable transports)"
            described.append(f"{timer.value}{note}")
        lines.append(f"- {state.value}: {', '.join(described)}")
    return "\n".join(lines) + "\n"


def format_tables() -> str:
    """All four machines, in the RFC's order."""
    return "\n".join(format_machine(spec) for spec in MACHINES)


if __name__ == "__main__":
    print(format_tables(), end="")
