"""Tab completion as kamcmd does it, as a prompt_toolkit `Completer`.

A small state machine decides what the word under the cursor is from the words before it
(kamcmd's `complete_states`): the first word is a command (built-ins, aliases and every method
from `system.listMethods`); after `help` (and `?`, `h`, `system.methodHelp`,
`system.methodSignature`) a method name; after `cfg.get` and friends a cfg group, then a variable
of that group (`cfg.list`); after `cnt.get` and friends a counter group (`cnt.grps_list`), then
for some a counter name (`cnt.var_list GROUP`); after `connect` a server address used before.
The candidates come from a `Catalogue`, so the machine is testable with a fake one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from .catalogue import Catalogue
from .commands import (
    ALIASES,
    BUILTINS,
    CFG_GROUP_ONLY,
    CFG_GROUP_VAR,
    CNT_GROUP,
    CNT_GROUP_NAME,
    METHOD_PARAM,
)


class State(Enum):
    """What the word being typed is."""

    COMMAND = "command"
    METHOD = "method"
    CFG_GROUP = "cfg group"
    CFG_VAR = "cfg variable"
    CNT_GROUP = "counter group"
    CNT_NAME = "counter name"
    URL = "server address"
    NOTHING = "nothing"


@dataclass(frozen=True)
class Context:
    """The state, the partial word under the cursor, and the group a variable belongs to."""

    state: State
    word: str = ""
    group: str = ""


def context_for(text_before_cursor: str) -> Context:
    """The completion context of a line typed up to the cursor."""
    words = text_before_cursor.split()
    if text_before_cursor and not text_before_cursor[-1].isspace() and words:
        done, word = words[:-1], words[-1]
    else:
        done, word = words, ""
    position = len(done)  # the parameter number of `word`; 0 is the command itself
    if position == 0:
        return Context(State.COMMAND, word)
    command = done[0]
    command = ALIASES[command].method if command in ALIASES else command
    if position == 1:
        if command in METHOD_PARAM:
            return Context(State.METHOD, word)
        if command in CFG_GROUP_VAR or command in CFG_GROUP_ONLY:
            return Context(State.CFG_GROUP, word)
        if command in CNT_GROUP:
            return Context(State.CNT_GROUP, word)
        if command == "connect":
            return Context(State.URL, word)
    if position == 2:
        if command in CFG_GROUP_VAR:
            return Context(State.CFG_VAR, word, done[1])
        if command in CNT_GROUP_NAME:
            return Context(State.CNT_NAME, word, done[1])
    return Context(State.NOTHING, word)


class SercmdCompleter(Completer):
    """Completes sercmd lines from the catalogue of the server currently connected."""

    def __init__(self, catalogue: Callable[[], Catalogue],
                 known_urls: Callable[[], Iterable[str]] = tuple) -> None:
        # Callables, not objects: `connect` swaps the server under the shell.
        self._catalogue = catalogue
        self._known_urls = known_urls

    def candidates(self, ctx: Context) -> list[tuple[str, str]]:
        """(text, meta) pairs for a context, before prefix filtering."""
        cat = self._catalogue()
        if ctx.state is State.COMMAND:
            out = [(m, "") for m in cat.methods()]
            out += [(name, f"alias: {alias.method}") for name, alias in ALIASES.items()]
            out += [(name, "built-in") for name in BUILTINS]
            return out
        if ctx.state is State.METHOD:
            return [(m, "") for m in cat.methods()] + [(a, "alias") for a in ALIASES]
        if ctx.state is State.CFG_GROUP:
            return [(g, "cfg group") for g in cat.cfg_groups()]
        if ctx.state is State.CFG_VAR:
            return [(v, f"{ctx.group} variable") for v in cat.cfg_vars(ctx.group)]
        if ctx.state is State.CNT_GROUP:
            return [(g, "counter group") for g in cat.counter_groups()]
        if ctx.state is State.CNT_NAME:
            return [(n, f"{ctx.group} counter") for n in cat.counter_names(ctx.group)]
        if ctx.state is State.URL:
            return [(u, "used before") for u in self._known_urls()]
        return []

    def get_completions(self, document: Document,
                        complete_event: CompleteEvent) -> Iterator[Completion]:
        ctx = context_for(document.text_before_cursor)
        seen: set[str] = set()
        for text, meta in sorted(self.candidates(ctx)):
            if text.startswith(ctx.word) and text not in seen:
                seen.add(text)
                yield Completion(text, start_position=-len(ctx.word), display_meta=meta or None)
