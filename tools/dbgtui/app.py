"""dbgtui's application: the main screen, its keys, and the RPC work behind them.

Every RPC runs in a Textual thread worker (`@work(thread=True)`), so a slow or dead server never
freezes the screen. A poll (`dbg.ls`, `dbg.bp_list`, and for a paused selected worker `dbg.where`,
`dbg.stack`, `dbg.vars`, `dbg.msg`) keeps the panes current; when the server stops answering a
banner says so and the poll keeps retrying until it answers again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.widgets import Footer, Header, Static

from siprouter.tools.sercmd.client import RPCConnectionError, RPCError, RPCFault

from .completion import pv_candidates, pv_classes
from .paths import short_path
from .screens.help import HelpScreen
from .session import (
    STATE_PAUSED,
    Breakpoint,
    DebugSession,
    Frame,
    StepMode,
    Vars,
    Where,
    Worker,
)
from .widgets import (
    EvalBox,
    MessageView,
    SourceView,
    StackView,
    TraceLog,
    VariablesView,
    WorkersList,
)

POLL_SECONDS = 0.3
RETRY_SECONDS = 1.0


@dataclass
class Details:
    """What the panes show of one paused worker."""

    pid: int
    where: Where
    stack: list[Frame]
    vars: Vars
    message: str


@dataclass
class Snapshot:
    """One poll's worth of server state, fetched in a thread and applied on the UI thread."""

    workers: list[Worker]
    breakpoints: list[Breakpoint]
    files: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # newly fetched file texts
    pv_classes: dict[str, bool | None] | None = None
    details: Details | None = None


class DbgApp(App[None]):
    """The debugger: one server, one selected worker at a time."""

    CSS_PATH = "dbgtui.tcss"
    TITLE = "dbgtui"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5,c", "resume", "Continue"),
        Binding("f10,n", "step('over')", "Over"),
        Binding("f11,s", "step('into')", "Into"),
        Binding("shift+f11,f23,o", "step('out')", "Out"),
        Binding("f9,b", "toggle_breakpoint", "Breakpoint"),
        Binding("f6,p", "pause", "Pause"),
        Binding("t", "toggle_trace", "Trace"),
        Binding("e,colon", "focus_eval", "Eval"),
        Binding("w", "focus_pane('workers')", "Workers", show=False),
        Binding("v", "focus_pane('source')", "Source", show=False),
        Binding("f", "next_file", "Next file", show=False),
        Binding("f1,question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    connected: var[bool] = var(True)
    selected_pid: var[int | None] = var(None)

    def __init__(self, session: DebugSession, poll_seconds: float = POLL_SECONDS) -> None:
        super().__init__()
        self.session = session
        self.poll_seconds = poll_seconds
        self.processes: list[Worker] = []
        self.breakpoints: list[Breakpoint] = []
        self.files: list[str] = []
        self.sources: dict[str, str] = {}
        self.details: Details | None = None
        self.var_names: set[str] = set()
        self.pv_classes: dict[str, bool | None] = {}
        self._polling = False
        self._retry_at = 0.0
        self._detail_key: tuple[Any, ...] | None = None
        self._lost_reason = ""
        self._no_debugger = ""

    # --- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="banner")
        yield Static("connecting ...", id="status")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield WorkersList(id="workers", classes="pane")
                yield StackView(id="stack", classes="pane")
                yield VariablesView(id="vars", classes="pane")
            with Vertical(id="center"):
                yield SourceView(id="source", classes="pane")
                with Horizontal(id="bottom"):
                    yield EvalBox(id="eval", classes="pane")
                    yield MessageView(id="message", classes="pane")
                    yield TraceLog(id="trace", classes="pane")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.session.url
        titles = {"workers": "Workers", "stack": "Call stack", "vars": "Variables",
                  "source": "Source", "eval": "Eval", "message": "SIP message", "trace": "Trace"}
        for wid, title in titles.items():
            self.query_one(f"#{wid}").border_title = title
        self.query_one(WorkersList).show_path = self.show_path
        self.query_one(StackView).show_path = self.show_path
        self.query_one(SourceView).focus()
        self.poll()
        self.set_interval(self.poll_seconds, self.poll)

    def show_path(self, path: str) -> str:
        """How a file name is shown (relative to the main cfg's folder)."""
        return short_path(path, self.files[0] if self.files else "")

    # --- polling -----------------------------------------------------------------------------------

    def poll(self) -> None:
        """Refresh from the server unless a refresh is running (or a retry is not due yet)."""
        if self._polling or time.monotonic() < self._retry_at:
            return
        self._polling = True
        self._poll_worker(self.selected_pid)

    @work(thread=True, exit_on_error=False, group="poll")
    def _poll_worker(self, selected: int | None) -> None:
        try:
            snapshot = self._fetch(selected)
        except RPCConnectionError as exc:
            self.call_from_thread(self._connection_lost, str(exc))
        except RPCFault as exc:
            self.call_from_thread(self._server_refused, exc)
        except Exception as exc:  # a reply we cannot read must not end the app
            self.call_from_thread(self._report, f"cannot read the server's state: {exc}", "red")
        else:
            self.call_from_thread(self._apply, snapshot)
        finally:
            self._polling = False

    def _fetch(self, selected: int | None) -> Snapshot:
        """Blocking: the server's state as one Snapshot (runs in a thread)."""
        s = self.session
        files: list[str] = []
        sources: dict[str, str] = {}
        classes = None
        if not self.files:
            files = s.source_files()
            if files:
                sources[files[0]] = s.source(files[0])
            classes = pv_classes(s.modules())
        workers = s.workers()
        breakpoints = s.breakpoints()
        if selected is None or selected not in {w.pid for w in workers}:
            selected = pick_worker(workers, None)
        else:
            selected = pick_worker(workers, selected)
        details = None
        worker = next((w for w in workers if w.pid == selected), None)
        if worker is not None and worker.paused:
            key = (worker.pid, worker.state, worker.file, worker.line)
            if key != self._detail_key:
                where = s.where(worker.pid)
                details = Details(worker.pid, where, s.stack(worker.pid), s.vars(worker.pid),
                                  s.message(worker.pid))
                if where.file and where.file not in self.sources and where.file not in sources:
                    sources[where.file] = s.source(where.file)
                self._detail_key = key
        return Snapshot(workers, breakpoints, files, sources, classes, details)

    def _apply(self, snap: Snapshot) -> None:
        """Show a Snapshot (UI thread)."""
        self.connected = True
        self._no_debugger = ""
        self.sources.update(snap.sources)
        source = self.query_one(SourceView)
        if snap.files:
            self.files = snap.files
            if not source.file and self.files:
                self._show_file(self.files[0])
        if snap.pv_classes is not None:
            self.pv_classes = snap.pv_classes
            self.query_one(EvalBox).set_candidates(pv_candidates(self.pv_classes, self.var_names))
        self.processes = snap.workers
        self.breakpoints = snap.breakpoints
        chosen = pick_worker(self.processes, self.selected_pid)
        if chosen != self.selected_pid:
            self.selected_pid = chosen
        self.query_one(WorkersList).update_workers(self.processes, self.selected_pid)
        self._mark_breakpoints()
        worker = self.selected_worker
        if snap.details is not None and worker is not None and snap.details.pid == worker.pid:
            self._show_details(snap.details)
        elif (worker is None or not worker.paused) and self.details is not None:
            self._clear_details()
        self._update_status()

    def _show_details(self, d: Details) -> None:
        first = self.details is None or self.details.pid != d.pid
        self.details = d
        where = d.where
        if where.file and where.file != self.query_one(SourceView).file:
            self._show_file(where.file)
        source = self.query_one(SourceView)
        source.current_line = where.line or None
        self.query_one(StackView).update_frames(d.stack)
        self.query_one(VariablesView).update_vars(d.vars)
        self.query_one(MessageView).show_message(d.message)
        new_vars = set(d.vars.var) - self.var_names
        if new_vars:
            self.var_names |= new_vars
            self.query_one(EvalBox).set_candidates(
                pv_candidates(self.pv_classes, self.var_names))
        verb = "paused" if first else "at"
        self._report(f"{verb} {d.pid} {where.route} {self.show_path(where.file)}:{where.line}"
                     f" {where.name}".rstrip())

    def _clear_details(self) -> None:
        self.details = None
        self._detail_key = None
        self.query_one(SourceView).current_line = None
        self.query_one(StackView).update_frames([])
        self.query_one(VariablesView).update_vars(None)
        self.query_one(MessageView).show_message(None)

    def _mark_breakpoints(self) -> None:
        source = self.query_one(SourceView)
        source.set_breakpoints({b.line for b in self.breakpoints if b.file == source.file})

    def _show_file(self, file: str) -> None:
        text = self.sources.get(file)
        if text is None:
            self._load_source(file)
            return
        source = self.query_one(SourceView)
        source.show_file(file, text)
        source.border_title = f"Source — {self.show_path(file)}"
        self._mark_breakpoints()

    @work(thread=True, exit_on_error=False, group="rpc")
    def _load_source(self, file: str) -> None:
        try:
            text = self.session.source(file)
        except RPCError as exc:
            self.call_from_thread(self._failed, f"dbg.source {file}", exc)
            return
        self.call_from_thread(self._source_loaded, file, text)

    def _source_loaded(self, file: str, text: str) -> None:
        self.sources[file] = text
        self._show_file(file)

    def _connection_lost(self, reason: str) -> None:
        self._retry_at = time.monotonic() + RETRY_SECONDS
        if self.connected or reason != self._lost_reason:
            self._report(f"connection lost: {reason}", "red")
        self._lost_reason = reason
        self.connected = False

    def _server_refused(self, exc: RPCFault) -> None:
        """A fault while polling: most likely a server without the debugger module."""
        self._retry_at = time.monotonic() + RETRY_SECONDS
        message = f"the server answers, but not as a debugger: {exc}"
        if message != self._no_debugger:
            self._no_debugger = message
            self._report(message + " (is debugger.so loaded?)", "red")
        banner = self.query_one("#banner", Static)
        banner.update(message + " — is debugger.so loaded? retrying")
        banner.add_class("-visible")

    def watch_connected(self, connected: bool) -> None:
        banner = self.query_one("#banner", Static)
        if connected:
            banner.remove_class("-visible")
            self._lost_reason = ""
        else:
            banner.update(f"Connection lost — {self._lost_reason} — retrying every "
                          f"{RETRY_SECONDS:g} s")
            banner.add_class("-visible")

    @property
    def selected_worker(self) -> Worker | None:
        return next((w for w in self.processes if w.pid == self.selected_pid), None)

    def _update_status(self) -> None:
        w = self.selected_worker
        if w is None:
            text = "no workers"
        elif self.details is not None and w.paused:
            where = self.details.where
            text = (f"worker {w.entry} (pid {w.pid}) paused in {where.route} at "
                    f"{self.show_path(where.file)}:{where.line} {where.name}").rstrip()
        else:
            text = f"worker {w.entry} (pid {w.pid}) {w.state_name}"
        bps = len(self.breakpoints)
        text += f"  ·  {bps} breakpoint{'s' if bps != 1 else ''}"
        self.query_one("#status", Static).update(text)

    # --- events from the panes ---------------------------------------------------------------------

    @on(WorkersList.Selected)
    def _worker_selected(self, event: WorkersList.Selected) -> None:
        if event.pid != self.selected_pid:
            self.selected_pid = event.pid
            self._detail_key = None
            self._clear_details()
            self._update_status()
            self.poll()

    @on(StackView.FrameSelected)
    def _frame_selected(self, event: StackView.FrameSelected) -> None:
        if event.frame.file != self.query_one(SourceView).file:
            self._show_file(event.frame.file)
        self.query_one(SourceView).cursor_line = event.frame.line

    @on(SourceView.GutterClicked)
    def _gutter_clicked(self, event: SourceView.GutterClicked) -> None:
        self._toggle_breakpoint_at(event.view.file, event.line)

    @on(EvalBox.Submitted)
    def _eval_submitted(self, event: EvalBox.Submitted) -> None:
        pid = self._paused_pid("evaluate")
        box = self.query_one(EvalBox)
        if pid is None:
            box.show_result(event.pv, "no paused worker", ok=False)
            return
        self._rpc(f"eval {event.pv}", lambda: self.session.eval(pid, event.pv),
                  lambda r: box.show_result(event.pv, r.display()),
                  on_fault=lambda e: box.show_result(event.pv, str(e), ok=False))

    # --- actions -----------------------------------------------------------------------------------

    def _paused_pid(self, what: str) -> int | None:
        w = self.selected_worker
        if w is None or w.state != STATE_PAUSED:
            self.notify(f"cannot {what}: the selected worker is not paused", severity="warning")
            return None
        return w.pid

    def action_resume(self) -> None:
        """Continue the selected paused worker to the next breakpoint."""
        pid = self._paused_pid("continue")
        if pid is not None:
            self._rpc(f"continue {pid}", lambda: self.session.resume(pid),
                      lambda _: self._after_move(f"continued {pid}"))

    def action_step(self, mode: StepMode) -> None:
        """Step the selected paused worker: into, over or out."""
        pid = self._paused_pid(f"step {mode}")
        if pid is not None:
            self._rpc(f"step {mode}", lambda: self.session.step(pid, mode),
                      lambda loc: self._after_move(
                          f"step {mode}: exec {self.show_path(loc.file)}:{loc.line} {loc.name}"))

    def _after_move(self, line: str) -> None:
        self._report(line)
        self._detail_key = None
        self.poll()

    def action_pause(self) -> None:
        """Make the selected worker stop at its next action."""
        w = self.selected_worker
        if w is None:
            self.notify("no worker selected", severity="warning")
            return
        pid = w.pid
        self._rpc(f"pause {pid}", lambda: self.session.pause(pid),
                  lambda _: self._report(f"worker {pid} stops at its next action"))

    def action_toggle_trace(self) -> None:
        """cfgtrace on or off for the selected worker."""
        w = self.selected_worker
        if w is None:
            return
        pid, on = w.pid, not w.tracing
        self._rpc("trace", lambda: self.session.trace(on, pid),
                  lambda _: self._after_move(f"cfgtrace {'on' if on else 'off'} for {pid}"))

    def action_toggle_breakpoint(self) -> None:
        """Set or clear a breakpoint on the source cursor's line."""
        source = self.query_one(SourceView)
        if not source.file:
            self.notify("no source loaded yet", severity="warning")
            return
        self._toggle_breakpoint_at(source.file, source.cursor_line)

    def _toggle_breakpoint_at(self, file: str, line: int) -> None:
        existing = next((b for b in self.breakpoints if b.file == file and b.line == line), None)
        where = f"{self.show_path(file)}:{line}"
        if existing is not None:
            bp_id = existing.id
            self.breakpoints = [b for b in self.breakpoints if b.id != bp_id]
            self._rpc(f"delete breakpoint {where}", lambda: self.session.delete_breakpoint(bp_id),
                      lambda _: self._after_move(f"breakpoint {bp_id} at {where} deleted"))
        else:
            self._rpc(f"breakpoint at {where}", lambda: self.session.add_breakpoint(file, line),
                      lambda bp: self._breakpoint_added(bp))

    def _breakpoint_added(self, bp: Breakpoint) -> None:
        self.breakpoints = [*self.breakpoints, bp]
        self._mark_breakpoints()
        self._update_status()
        self._after_move(f"breakpoint {bp.id} at {self.show_path(bp.file)}:{bp.line}")

    def action_focus_eval(self) -> None:
        self.query_one("#eval-input").focus()

    def action_focus_pane(self, wid: str) -> None:
        self.query_one(f"#{wid}").focus()

    def action_next_file(self) -> None:
        """Show the next file the server runs (includes)."""
        if not self.files:
            return
        current = self.query_one(SourceView).file
        i = self.files.index(current) if current in self.files else -1
        self._show_file(self.files[(i + 1) % len(self.files)])

    def action_help(self) -> None:
        self.push_screen(HelpScreen(b for b in self.BINDINGS if isinstance(b, Binding)))

    # --- running RPCs ------------------------------------------------------------------------------

    def _rpc(self, what: str, call: Callable[[], Any], then: Callable[[Any], None],
             on_fault: Callable[[RPCError], None] | None = None) -> None:
        self._rpc_worker(what, call, then, on_fault)

    @work(thread=True, exit_on_error=False, group="rpc")
    def _rpc_worker(self, what: str, call: Callable[[], Any], then: Callable[[Any], None],
                    on_fault: Callable[[RPCError], None] | None) -> None:
        try:
            result = call()
        except RPCConnectionError as exc:
            self.call_from_thread(self._connection_lost, str(exc))
            if on_fault is not None:
                self.call_from_thread(on_fault, exc)
        except RPCError as exc:
            self.call_from_thread(on_fault or (lambda e: self._failed(what, e)), exc)
        except Exception as exc:
            self.call_from_thread(self._failed, what, exc)
        else:
            self.call_from_thread(then, result)

    def _failed(self, what: str, exc: BaseException) -> None:
        self._report(f"{what} failed: {exc}", "red")
        self.notify(f"{what} failed: {exc}", severity="error")

    def _report(self, line: str, style: str = "") -> None:
        self.query_one(TraceLog).add(line, style)


def pick_worker(workers: list[Worker], selected: int | None) -> int | None:
    """Which worker the panes follow: the selected one while it is paused; else the first
    paused one (a debugger jumps to where execution stopped); else keep the selection; else the
    first worker."""
    by_pid = {w.pid: w for w in workers}
    if selected in by_pid and by_pid[selected].paused:
        return selected
    paused = [w.pid for w in workers if w.paused]
    if paused:
        return paused[0]
    if selected in by_pid:
        return selected
    return workers[0].pid if workers else None

