"""textopsx: applying changes, reply status, body and header removal."""

from __future__ import annotations

from siprouter.core.sip import SIPResponse
from tests.core.runtime.sip.helpers import INVITE, REPLY, run, with_headers

FAILURE = REPLY.replace(b"180 Ringing", b"486 Busy Here")


def onreply(body: str, data: bytes = FAILURE):  # type: ignore[no-untyped-def]
    return run("", data, route="onreply_route {\n" + body + "\n}\n")


def test_msg_apply_changes_makes_pvs_read_the_new_text() -> None:
    r = run('append_hf("X-New: 1\\r\\n"); $var(a) = $hdr(X-New); msg_apply_changes(); '
            '$var(b) = $hdr(X-New);')
    assert r.vars == {"a": 0, "b": "1"}
    assert r.msg.serialize() == r.msg.raw  # nothing pending after applying


def test_change_reply_status_rewrites_the_status_line() -> None:
    r = onreply('change_reply_status(404, "Not Here");')
    assert isinstance(r.msg, SIPResponse)
    assert r.msg.serialize().startswith(b"SIP/2.0 404 Not Here\r\n")


def test_change_reply_status_code_keeps_the_reason() -> None:
    assert onreply("change_reply_status_code(480);").msg.serialize().startswith(
        b"SIP/2.0 480 Busy Here\r\n")


def test_changing_a_provisional_reply_into_a_failure_is_refused() -> None:
    r = onreply('if (!change_reply_status(404, "No")) { $var(r) = 1; }', REPLY)
    assert r.vars == {"r": 1} and r.msg.serialize() == REPLY


def test_remove_body_drops_body_and_content_type() -> None:
    out = run("remove_body();").msg.serialize()
    assert out.endswith(b"Content-Length: 0\r\n\r\n") and b"Content-Type" not in out


def test_keep_hf_removes_other_headers() -> None:
    data = with_headers([b"X-Keep: 1", b"X-Drop: 2"])
    out = run('keep_hf("^X-Keep$");', data).msg.serialize()
    assert b"X-Keep: 1" in out and b"X-Drop" not in out and b"User-Agent" not in out
    assert b"Call-ID:" in out


def test_fnmatch() -> None:
    r = run('if (fnmatch("$rU", "b*")) { $var(a) = 1; } if (fnmatch("ABC", "a?c", "i")) '
            '{ $var(b) = 1; }')
    assert r.vars == {"a": 1, "b": 1}


def test_apply_changes_of_untouched_message_keeps_it() -> None:
    assert run("msg_apply_changes();").msg.serialize() == INVITE
