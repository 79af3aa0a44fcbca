"""acc at work: which transactions are accounted, when, and where the records go.

Kamailio's rules (README.acc, acc_logic.c), on tm's transaction callbacks (tm/callbacks.py):

- A reply sent upstream (RESPONSE_OUT) is accounted as `transaction answered` when the
  transaction's request has `log_flag` (syslog) or `db_flag` (the `acc` table) set and the
  reply is a 2xx (or a 1xx with a body, with `early_media`); a reply >= 300 only when
  `failed_transaction_flag` is set too and its code is not in `failed_filter`.
- An INVITE whose branches all failed (ON_FAILURE, before `failure_route`) or that is answered
  >= 300 is a `call missed` when `log_missed_flag` / `db_missed_flag` is set (`missed_calls`
  table); those flags are then reset, so serial forking reports the call once.
- CANCELs are not accounted unless `report_cancels`.
- Flags are those of the transaction: set before `t_relay()` / `t_newtran()`, or in
  `failure_route` for what follows.

Records are built by records.py; the syslog line goes to the `siprouter.acc` logger at
`log_level`, rows go through core/db to `db_url`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from siprouter.core.db.connect import connect
from siprouter.core.db.errors import DBError
from siprouter.core.db.module_db import ModuleDatabase
from siprouter.core.exports import ModuleEnv
from siprouter.core.loglevels import python_level
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.pv import PVError, compile_pv
from siprouter.core.runtime.values import Value, to_str
from siprouter.core.sip import SIPError, SIPRequest
from siprouter.modules.tm import callbacks
from siprouter.modules.tm.callbacks import TmEvent

from . import records
from .declarations import exports
from .records import AccRecord, Columns

log = logging.getLogger("siprouter.acc")



@dataclass
class AccSettings:
    """The acc parameters this implementation acts on (modparams are applied here)."""

    early_media: int = 0
    failed_transaction_flag: int = -1
    failed_filter: str = ""
    report_cancels: int = 0
    reason_from_hf: int = 0
    acc_extra_nullable: int = 0
    log_flag: int = -1
    log_missed_flag: int = -1
    log_level: int = 1
    log_facility: str = "LOG_DAEMON"
    log_extra: str = ""
    db_flag: int = -1
    db_missed_flag: int = -1
    db_extra: str = ""
    db_url: str = ""
    db_table_acc: str = "acc"
    db_table_missed_calls: str = "missed_calls"
    acc_method_column: str = "method"
    acc_from_tag_column: str = "from_tag"
    acc_to_tag_column: str = "to_tag"
    acc_callid_column: str = "callid"
    acc_sip_code_column: str = "sip_code"
    acc_sip_reason_column: str = "sip_reason"
    acc_time_column: str = "time"


Getter = Callable[[Context], Value]


@dataclass
class Prepared:
    """What start-up works out once from the settings."""

    log_extra: list[tuple[str, Getter]] = field(default_factory=list)
    db_extra: list[tuple[str, Getter]] = field(default_factory=list)
    failed_filter: frozenset[int] = frozenset()
    columns: Columns = Columns()
    level: int = logging.INFO


settings = AccSettings()
exports.settings = settings
prepared = Prepared()

# This process's connection to db_url (opened on first use, again after fork).
database = ModuleDatabase("acc", lambda: settings.db_url)


# --- start-up ---------------------------------------------------------------------------------


def _extras(spec: str, what: str) -> list[tuple[str, Getter]]:
    out = []
    for name, pv in records.parse_extra(spec, what):
        try:
            out.append((name, compile_pv(pv).get))
        except PVError as exc:
            raise ValueError(f"acc: {what}: {name}: {exc}") from None
    return out


def prepare() -> None:
    """Check the settings and work out what every record needs; ValueError naming the
    parameter for a bad one (the server then refuses to start, as Kamailio does)."""
    s = settings
    for name in ("log_flag", "log_missed_flag", "db_flag", "db_missed_flag",
                 "failed_transaction_flag"):
        records.check_flag(name, getattr(s, name))
    if s.log_facility.upper() not in records.FACILITIES:
        raise ValueError(f"acc: log_facility: unknown syslog facility {s.log_facility!r}")
    if s.db_url:
        try:
            connect(database.url())  # checks the URL; connects on first use only
        except DBError as exc:
            raise ValueError(f"acc: db_url: {exc}") from None
    prepared.log_extra = _extras(s.log_extra, "log_extra")
    prepared.db_extra = _extras(s.db_extra, "db_extra")
    prepared.failed_filter = records.parse_failed_filter(s.failed_filter)
    prepared.columns = Columns(s.acc_method_column, s.acc_from_tag_column,
                               s.acc_to_tag_column, s.acc_callid_column,
                               s.acc_sip_code_column, s.acc_sip_reason_column,
                               s.acc_time_column)
    prepared.level = python_level(max(-5, min(3, s.log_level)))
    wanted = any(f >= 0 for f in (s.log_flag, s.log_missed_flag, s.db_flag, s.db_missed_flag))
    for kind, callback in ((callbacks.RESPONSE_OUT, on_response_out),
                           (callbacks.ON_FAILURE, on_failure)):
        if wanted:
            callbacks.register(kind, callback)
        else:
            callbacks.unregister(kind, callback)


def init(env: ModuleEnv) -> None:
    """Module start-up in the main process: the settings checked, tm's callbacks registered
    when a flag asks for accounting (the workers inherit them)."""
    prepare()


exports.init = init


def configure(**params: object) -> None:
    """Set this process's acc parameters and prepare (tests, tools); the server uses the
    modparams."""
    database.configure(settings, params)
    prepare()


# --- records ----------------------------------------------------------------------------------


def _db_on() -> bool:
    return bool(settings.db_url)


def _values(ctx: Context, extras: list[tuple[str, Getter]]) -> tuple[tuple[str, str | None], ...]:
    out = []
    for name, get in extras:
        try:
            value = get(ctx)
        except SIPError:
            value = None
        out.append((name, None if value is None else to_str(value)))
    return tuple(out)


def _record(ctx: Context, req: SIPRequest, to_tag: str, code: str, reason: str,
            extras: list[tuple[str, Getter]]) -> AccRecord:
    try:
        cseq = req.cseq
        method = cseq.method if cseq is not None else req.method
    except SIPError:
        method = req.method
    try:
        from_ = req.from_
        from_tag = (from_.tag or "") if from_ is not None else ""
    except SIPError:
        from_tag = ""
    return AccRecord(method, from_tag, to_tag, req.header("call-id") or "", code, reason,
                     ctx.now(), _values(ctx, extras))


def _write_log(ctx: Context, req: SIPRequest, text: str, to_tag: str, code: str,
               reason: str) -> None:
    record = _record(ctx, req, to_tag, code, reason, prepared.log_extra)
    log.log(prepared.level, "%s", records.log_line(text, record))


def _write_db(ctx: Context, req: SIPRequest, table: str, to_tag: str, code: str,
              reason: str) -> bool:
    record = _record(ctx, req, to_tag, code, reason, prepared.db_extra)
    row = records.db_row(record, prepared.columns, nullable=bool(settings.acc_extra_nullable))
    return database.answer(log, f"acc: cannot write to table {table}",
                           lambda: database().insert(table, row) or True, False)


# --- transactions (tm callbacks) --------------------------------------------------------------


def _status(ev: TmEvent) -> tuple[str, str, str]:
    """To-tag, code and reason of the event's reply; for one tm made up, Kamailio's standard
    reason for the code (whatever phrase the script gave) and our To-tag."""
    reply = ev.reply
    if ev.local or reply is None:
        return ev.tm.tag, str(ev.code), records.error_text(ev.code)
    try:
        to = reply.to
        to_tag = (to.tag or "") if to is not None else ""
    except SIPError:
        to_tag = ""
    reason = reply.reason
    if settings.reason_from_hf:
        reason = reply.header("reason") or reason
    return to_tag, str(reply.status_code), reason


def _skipped(ev: TmEvent) -> bool:
    return ev.tm.request.method == "CANCEL" and not settings.report_cancels


def missed_call(ev: TmEvent) -> None:
    """`call missed` records for an INVITE that failed, then its missed flags reset."""
    s = settings
    flags = ev.tm.flags
    log_mc = records.flag_set(flags, s.log_missed_flag)
    db_mc = records.flag_set(flags, s.db_missed_flag) and _db_on()
    if not (log_mc or db_mc):
        return
    ctx = ev.context()
    to_tag, code, reason = _status(ev)
    req = ev.tm.request
    reset = 0
    if log_mc:
        _write_log(ctx, req, records.MISSED, to_tag, code, reason)
        reset |= 1 << s.log_missed_flag
    if db_mc:
        _write_db(ctx, req, s.db_table_missed_calls, to_tag, code, reason)
        reset |= 1 << s.db_missed_flag
    ev.tm.flags &= ~reset


def _should_account(ev: TmEvent) -> bool:
    s = settings
    flags, code = ev.tm.flags, ev.code
    if code >= 300:
        return records.flag_set(flags, s.failed_transaction_flag) and \
            code not in prepared.failed_filter
    if code >= 200:
        return True
    if not s.early_media or ev.reply is None:
        return False
    try:
        return len(ev.reply.body) > 0
    except SIPError:
        return False


def on_response_out(ev: TmEvent) -> None:
    """TMCB_RESPONSE_OUT: account the reply that went upstream, as Kamailio's
    acc_onreply."""
    if _skipped(ev):
        return
    if ev.code >= 300 and ev.tm.is_invite:
        missed_call(ev)
    s = settings
    log_on = records.flag_set(ev.tm.flags, s.log_flag)
    db_on = records.flag_set(ev.tm.flags, s.db_flag) and _db_on()
    if not (log_on or db_on) or not _should_account(ev):
        return
    ctx = ev.context()
    to_tag, code, reason = _status(ev)
    if log_on:
        _write_log(ctx, ev.tm.request, records.ANSWERED, to_tag, code, reason)
    if db_on:
        _write_db(ctx, ev.tm.request, s.db_table_acc, to_tag, code, reason)


def on_failure(ev: TmEvent) -> None:
    """TMCB_ON_FAILURE: every branch of an INVITE failed; a missed call (before
    failure_route, which sees the missed flags reset)."""
    if ev.tm.is_invite and not _skipped(ev):
        missed_call(ev)


# --- script functions -------------------------------------------------------------------------


def _request_parts(ctx: Context, what: str, comment: Value) -> tuple[SIPRequest, str, str, str] | None:
    msg = ctx.msg
    if not isinstance(msg, SIPRequest):
        ctx.log.error("%s: not a request", what)
        return None
    code, reason = records.parse_comment(to_str(comment))
    try:
        to = msg.to
        to_tag = (to.tag or "") if to is not None else ""
    except SIPError:
        to_tag = ""
    return msg, to_tag, code, reason


@exports.function("acc_log_request", args=1, formats=(0,), doc="acc_request reports on a request, for example, it can be used to report on missed calls...")
def acc_log_request(ctx: Context, comment: Value) -> int:
    """Log a `request accounted` record for the current request now: `comment` is
    "<code> <reason>" ("404 Not Found") or only a reason."""
    parts = _request_parts(ctx, "acc_log_request", comment)
    if parts is None:
        return -1
    msg, to_tag, code, reason = parts
    _write_log(ctx, msg, records.REQUEST, to_tag, code, reason)
    return 1


@exports.function("acc_db_request", args=2, formats=(0, 1), doc="Like acc_log_request, acc_db_request reports on a request.")
def acc_db_request(ctx: Context, comment: Value, table: Value) -> int:
    """Write a record of the current request to `table` now (db_url must be set); -1 when
    the database refuses it."""
    if not _db_on():
        ctx.log.error("acc_db_request: db support not configured (no db_url)")
        return -1
    parts = _request_parts(ctx, "acc_db_request", comment)
    if parts is None:
        return -1
    msg, to_tag, code, reason = parts
    return 1 if _write_db(ctx, msg, to_str(table), to_tag, code, reason) else -1


@exports.function("acc_request", args=2, formats=(0, 1), doc="Wrapper around acc_log_request and acc_db_request functions, writing the accounting...")
def acc_request(ctx: Context, comment: Value, table: Value) -> int:
    """acc_log_request, and acc_db_request to `table` when db_url is set."""
    parts = _request_parts(ctx, "acc_request", comment)
    if parts is None:
        return -1
    msg, to_tag, code, reason = parts
    _write_log(ctx, msg, records.REQUEST, to_tag, code, reason)
    if _db_on() and not _write_db(ctx, msg, to_str(table), to_tag, code, reason):
        return -1
    return 1
