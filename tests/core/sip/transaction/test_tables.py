"""The tables themselves: every row has its test, the docs show the tables as they are, and
each machine hangs together (timers only where they run, every state reachable, every path
ends in Terminated)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from siprouter.core.sip.transaction import MACHINES, MachineSpec, State
from siprouter.core.sip.transaction.describe import format_tables
from siprouter.core.sip.transaction.states import TIMER_EVENTS

HERE = Path(__file__).parent
DOCS = Path(__file__).parents[4] / "docs" / "transactions.md"
IDS = [spec.slug for spec in MACHINES]


def row_test_names(spec: MachineSpec) -> set[str]:
    return {
        f"test_{spec.slug}_{state.slug}_to_{row.next.slug}_on_{event.slug}"
        for (state, event), row in spec.transitions.items()
    }


def defined_tests(spec: MachineSpec) -> set[str]:
    text = (HERE / f"test_{spec.slug}.py").read_text()
    return set(re.findall(rf"^def (test_{spec.slug}_\w+_to_\w+_on_\w+)\(", text, re.M))


@pytest.mark.parametrize("spec", MACHINES, ids=IDS)
def test_every_transition_has_its_test(spec: MachineSpec) -> None:
    assert sorted(row_test_names(spec) - defined_tests(spec)) == []


@pytest.mark.parametrize("spec", MACHINES, ids=IDS)
def test_every_transition_test_names_a_row_of_the_table(spec: MachineSpec) -> None:
    assert sorted(defined_tests(spec) - row_test_names(spec)) == []


def test_transition_counts() -> None:
    counts = {spec.slug: len(spec.transitions) for spec in MACHINES}
    assert counts == {
        "invite_client": 19, "non_invite_client": 14, "invite_server": 20, "non_invite_server": 12,
    }


def test_docs_show_the_tables_generated_from_the_data() -> None:
    text = DOCS.read_text()
    begin = text.index("<!-- BEGIN GENERATED TABLES -->\n") + len("<!-- BEGIN GENERATED TABLES -->\n")
    end = text.index("<!-- END GENERATED TABLES -->")
    assert text[begin:end] == format_tables()


@pytest.mark.parametrize("spec", MACHINES, ids=IDS)
def test_timer_rows_only_where_the_timer_runs(spec: MachineSpec) -> None:
    by_event = {event: timer for timer, event in TIMER_EVENTS.items()}
    for state, event in spec.transitions:
        if event in by_event:
            assert by_event[event] in spec.timers.get(state, ()), (state, event)


@pytest.mark.parametrize("spec", MACHINES, ids=IDS)
def test_every_state_is_reachable_and_can_terminate(spec: MachineSpec) -> None:
    edges: dict[State, set[State]] = {}
    for (state, _), row in spec.transitions.items():
        edges.setdefault(state, set()).add(row.next)

    def reach(start: State) -> set[State]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    assert reach(State.INIT) == set(spec.states())
    for state in spec.states():
        assert State.TERMINATED in reach(state), state
    assert State.TERMINATED not in edges  # nothing leaves Terminated
