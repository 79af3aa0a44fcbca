"""Where the server lets a script debugger in (the debugger module registers itself here).

Two moments matter: the main process, once the script is compiled and before it forks the RPC
process and the workers (shared state must exist before the fork so every process maps it), and
each worker, before it serves (to attach to its copy of the script and to see, once per message,
whether the debugger was switched on). A server without a debugger pays nothing: the hooks are
only called for modules the config loads, and a worker's message handler is returned unwrapped.

The core never imports the debugger: the module registers a `ScriptDebugger` under its module
name when it is imported (which loading the config's modules does), and the server calls these
functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from siprouter.core.cfg import ast

from .compiler import Script
from .context import WorkerState

MessageHandler = Callable[..., Any]


class ScriptDebugger(Protocol):
    """What a debugger module provides to the server."""

    def server_started(self, script: Script, config: ast.Config, children: int) -> None:
        """Main process, before any fork: set up what every process must share."""

    def server_stopped(self) -> None:
        """Main process, at exit: remove what `server_started` made."""

    def worker_started(self, script: Script, worker: WorkerState,
                       on_message: MessageHandler) -> MessageHandler:
        """A worker, before it serves: the message handler to use instead of `on_message`."""


_debuggers: dict[str, ScriptDebugger] = {}


def register(module: str, debugger: ScriptDebugger) -> None:
    """Make `debugger` (of module `module`) known; called when the module is imported."""
    _debuggers[module] = debugger


def _active(script: Script) -> list[ScriptDebugger]:
    loaded = {m.name for m in script.loaded.modules}
    return [d for name, d in _debuggers.items() if name in loaded]


_started: list[ScriptDebugger] = []


def server_started(script: Script, config: ast.Config, children: int) -> None:
    """Main process, after compiling and before forking: start the loaded debuggers."""
    for d in _active(script):
        d.server_started(script, config, children)
        _started.append(d)


def server_stopped() -> None:
    """Main process, at exit."""
    while _started:
        _started.pop().server_stopped()


def worker_started(script: Script, worker: WorkerState,
                   on_message: MessageHandler) -> MessageHandler:
    """A worker, before serving: `on_message` as the loaded debuggers wrap it (unchanged when
    none is loaded)."""
    for d in _active(script):
        on_message = d.worker_started(script, worker, on_message)
    return on_message
