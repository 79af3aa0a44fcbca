"""The interactive shell: a prompt_toolkit `PromptSession` composed of our completer, a history
(file-backed, with Ctrl-R search and suggestions from it), a toolbar of argument hints and a few
key bindings; each accepted line goes to the same `Runner` the one-shot mode uses."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from prompt_toolkit import PromptSession
from prompt_toolkit.application import run_in_terminal
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.output import Output as PTOutput
from prompt_toolkit.shortcuts import CompleteStyle
from prompt_toolkit.styles import Style

from .args import ArgError, split_line
from .catalogue import Catalogue
from .client import RPCConnectionError, RPCError, RPCFault
from .commands import ALIASES, BUILTINS
from .completion import SercmdCompleter, State, context_for
from .output import Output
from .runner import EXIT_OK, Runner
from .servers import Servers
from .urls import URLError

HISTORY_ENV = "SERCMD_HISTORY"
STYLE = Style.from_dict({
    "bottom-toolbar": "noreverse bg:#303030 #d0d0d0",
    "hint.method": "bold #ffffff",
    "hint.param": "#87afd7",
    "hint.current": "bold reverse #87afd7",
    "hint.result": "#afaf87",
    "hint.doc": "#d0d0d0",
    "hint.muted": "#8a8a8a",
})
IDLE_HINT = "Tab completes · help lists commands · Up/Ctrl-R search history · F1 help · Ctrl-D quits"


def default_history_path() -> str:
    """`$SERCMD_HISTORY`, else ~/.sercmd_history."""
    return os.environ.get(HISTORY_ENV) or os.path.join(os.path.expanduser("~"), ".sercmd_history")


def open_history(path: str | None) -> tuple[History, str | None]:
    """A FileHistory at `path` (None: in memory only), and a warning when it cannot be used."""
    if path is None:
        return InMemoryHistory(), None
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        return InMemoryHistory(), f"history not saved: cannot write {path}: {exc.strerror}"
    return FileHistory(path), None


def hint_fragments(text_before_cursor: str, signature: list[str], doc: str) -> StyleAndTextTuples:
    """The toolbar for a method being typed: `name ‹type› ‹type› → result │ first help line`,
    with the parameter under the cursor highlighted."""
    words = text_before_cursor.split()
    ctx = context_for(text_before_cursor)
    typing_param = len(words) - (0 if text_before_cursor[-1:].isspace() else 1)
    frags: StyleAndTextTuples = [("class:hint.method", words[0] if words else "")]
    for i, kind in enumerate(signature[1:], start=1):
        style = "class:hint.current" if i == typing_param else "class:hint.param"
        frags += [("", " "), (style, f"‹{kind}›")]
    if signature:
        frags += [("class:hint.result", f" → {signature[0]}")]
    first_line = doc.strip().splitlines()[0] if doc.strip() else ""
    if first_line:
        frags += [("class:hint.muted", "  │  "), ("class:hint.doc", first_line)]
    if ctx.state not in (State.NOTHING, State.COMMAND):
        frags += [("class:hint.muted", f"  │  Tab: {ctx.state.value}")]
    return frags


class HintFetcher:
    """Asks for signatures and help in the background, so typing never waits on the server;
    `on_ready` redraws the toolbar when an answer arrives. Each method is asked about once per
    server: the toolbar is redrawn often, and a name that is no method must not start a loop
    of questions and redraws."""

    PENDING = "…"
    UNKNOWN = "not a method of this server"

    def __init__(self, catalogue: Callable[[], Catalogue], on_ready: Callable[[], None]) -> None:
        self._catalogue = catalogue
        self._on_ready = on_ready
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sercmd-hints")
        self._asked: dict[tuple[int, str], str] = {}  # -> PENDING, UNKNOWN or "" (done)
        self._lock = threading.Lock()

    def lookup(self, method: str) -> tuple[list[str], str] | str:
        """(signature, help) when known; else what to show meanwhile (PENDING or UNKNOWN)."""
        cat = self._catalogue()
        known = cat.cached_hint(method)
        if known is not None:
            return known
        key = (id(cat), method)
        with self._lock:
            state = self._asked.get(key)
            if state is None:
                self._asked[key] = self.PENDING
        if state is None:
            self._pool.submit(self._fetch, cat, method, key)
            return self.PENDING
        return state or "no hint: the server did not answer"

    def _fetch(self, cat: Catalogue, method: str, key: tuple[int, str]) -> None:
        state = self.UNKNOWN
        try:
            if method in cat.methods():
                cat.signature(method)
                cat.help(method)
                state = ""
        finally:
            with self._lock:
                self._asked[key] = state
            self._on_ready()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class Shell:
    """`sercmd` without a method: read lines, run them, until quit/exit/Ctrl-D."""

    def __init__(self, servers: Servers, output: Output, history: History | None = None,
                 pt_input: Input | None = None, pt_output: PTOutput | None = None,
                 fmt: str | None = None) -> None:
        self.servers = servers
        self.output = output
        self.fmt = fmt  # -f applies to every call, as in kamcmd's interactive mode
        self.hints = HintFetcher(lambda: self.servers.catalogue, self._redraw)
        self.session: PromptSession[str] = PromptSession(
            history=history or InMemoryHistory(),
            completer=SercmdCompleter(lambda: self.servers.catalogue, self.servers.urls),
            complete_style=CompleteStyle.MULTI_COLUMN,
            complete_while_typing=False,  # like kamcmd: Tab asks, typing does not
            complete_in_thread=True,  # the first Tab asks the server: keep the screen alive
            auto_suggest=AutoSuggestFromHistory(),
            bottom_toolbar=self.toolbar,
            key_bindings=self.key_bindings(),
            style=STYLE,
            input=pt_input,
            output=pt_output,
        )

    # --- the prompt's parts --------------------------------------------------------------------

    def prompt_text(self) -> str:
        return f"sercmd {self.servers.current.endpoint.label()}> "

    def toolbar(self) -> StyleAndTextTuples:
        """Hints for what is being typed: the method's signature and help, a built-in's or an
        alias's use, else the keys to know."""
        text = self.session.default_buffer.document.text_before_cursor
        words = text.split()
        if not words:
            return [("class:hint.muted", f"{self.servers.current.url}  │  {IDLE_HINT}")]
        name = words[0]
        if name in BUILTINS and name not in ALIASES:
            return [("class:hint.method", name), ("class:hint.doc", f"  {BUILTINS[name]}")]
        method = ALIASES[name].method if name in ALIASES else name
        if len(words) == 1 and not text[-1:].isspace():
            return [("class:hint.muted", "Tab completes the command name")]
        found = self.hints.lookup(method)
        if isinstance(found, str):
            return [("class:hint.method", method), ("class:hint.muted", f"  {found}")]
        signature, doc = found
        if name != method:
            doc = f"alias for {method}. {doc}"
        return hint_fragments(method + text[len(name):], signature, doc)

    def key_bindings(self) -> KeyBindings:
        """F1: the help of the command being typed, printed above the prompt."""
        kb = KeyBindings()

        @kb.add("f1")
        def _(event: KeyPressEvent) -> None:
            words = event.current_buffer.document.text.split()
            if words:
                name = words[0]
                run_in_terminal(lambda: Runner(self.servers.current, self.output).help(name))

        return kb

    def _redraw(self) -> None:
        app = self.session.app
        if app.is_running:
            app.invalidate()

    # --- the loop ------------------------------------------------------------------------------

    def run(self) -> int:
        """Read and run lines until quit; the shell's exit status is 0."""
        try:
            while True:
                try:
                    line = self.session.prompt(self.prompt_text)
                except KeyboardInterrupt:
                    continue  # Ctrl-C drops the line, as in bash
                except EOFError:
                    break
                try:
                    if not self.execute(line):
                        break
                except KeyboardInterrupt:
                    # Ctrl-C while waiting for a reply: give up on it. The connection may hold
                    # half an exchange, so start the next call on a fresh one.
                    self.servers.current.close()
                    self.output.failure("interrupted")
        finally:
            self.hints.close()
            self.servers.close()
        return EXIT_OK

    def execute(self, line: str) -> bool:
        """Run one line; False when it asks to leave."""
        try:
            words = split_line(line)
        except ArgError as exc:
            self.output.failure(str(exc))
            return True
        if not words:
            return True
        name = words[0].text
        if name in ("quit", "exit"):
            return False
        if name == "connect":
            self.connect([w.text for w in words[1:]])
            return True
        Runner(self.servers.current, self.output).run(words, self.fmt)
        return True

    def greet(self) -> None:
        """Say which server this is (its `core.version`), or why it does not answer; the shell
        starts either way, as the server may come up later."""
        client = self.servers.current
        try:
            self.output.text(f"connected to {client.url}: {client.call('core.version')}")
        except RPCFault as fault:
            self.output.text(f"connected to {client.url} (core.version: {fault.message})")
        except RPCError as exc:
            self.output.failure(str(exc))

    def connect(self, args: list[str]) -> None:
        """`connect URL`: switch servers; `connect`: list the servers of this session."""
        if not args:
            for i, url in enumerate(self.servers.urls()):
                self.output.text(f"{'*' if i == 0 else ' '} {url}")
            return
        try:
            version = self.servers.connect(args[0])
        except (URLError, RPCConnectionError) as exc:
            self.output.failure(str(exc))
            return
        self.output.text(f"connected to {self.servers.current.url}: {version}")
