"""siputils helpers and sanity checks (with replies through sl)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from siprouter.core.runtime.context import Context
from siprouter.modules import sanity
from tests.core.runtime.sip.helpers import INVITE, REPLY, run, sip_state, with_headers

BYE_IN_DIALOG = INVITE.replace(b"To: Bob <sip:bob@biloxi.example.com>",
                               b"To: Bob <sip:bob@biloxi.example.com>;tag=x1")


def test_has_totag() -> None:
    assert run("if (has_totag()) { $var(a) = 1; }", BYE_IN_DIALOG).vars == {"a": 1}
    assert run("if (!has_totag()) { $var(a) = 1; }").vars == {"a": 1}


@pytest.mark.parametrize(("to", "expected"), [
    (b"To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf", 1),
    (b"To: <sip:bob@biloxi.example.com;tag=inuri>", -1),  # a URI parameter, not the tag
    (b'To: <sip:bob@biloxi.example.com>;tag=""', -1),  # quoted empty: no tag
    (b'To: <sip:bob@biloxi.example.com>;tag="q1"', 1),
    (b"To: <sip:bob@biloxi.example.com>;tag", -1),  # no value
    (b"To: <sip:bob@biloxi.example.com>;TAG=x", 1),
    (b"To: <sip:bob@biloxi.example.com", -1),  # does not parse: false, one error log
])
def test_has_totag_shapes(to: bytes, expected: int) -> None:
    data = INVITE.replace(b"To: Bob <sip:bob@biloxi.example.com>", to)
    assert run("$var(a) = 0; if (has_totag()) { $var(a) = 1; } $var(rc) = $rc;",
               data).vars == {"a": 1 if expected > 0 else 0, "rc": expected}


def test_has_totag_on_a_reply() -> None:
    assert run("if (has_totag()) { $var(a) = 1; }", REPLY).vars == {"a": 1}


def test_is_request_and_is_reply() -> None:
    assert run("if (is_request() && !is_reply()) { $var(a) = 1; }").vars == {"a": 1}
    assert run("if (is_reply()) { $var(a) = 1; }", REPLY).vars == {"a": 1}


def test_uri_param_without_and_with_value() -> None:
    r = run('if (uri_param("transport", "tcp")) { $var(a) = 1; } '
            'if (!uri_param("transport")) { $var(b) = 1; } '
            'if (uri_param_any("transport")) { $var(c) = 1; }')
    assert r.vars == {"a": 1, "b": 1, "c": 1}


def test_add_uri_param_and_uri_param_rm() -> None:
    r = run('add_uri_param("nat=yes"); uri_param_rm("transport"); $var(u) = $ru;')
    assert r.vars["u"] == "sip:bob@biloxi.example.com:5070;nat=yes"


def test_tel2sip_converts_a_tel_uri() -> None:
    r = run('tel2sip("tel:+1-555-123;phone-context=x", "gw.example", "$var(s)"); '
            '$var(rc) = $rc; tel2sip("sip:a@b", "gw", "$var(t)"); $var(rc2) = $rc;')
    assert r.vars["s"] == "sip:+1555123;phone-context=x@gw.example;user=phone"
    assert r.vars["rc"] == 1 and r.vars["rc2"] == 2 and "t" not in r.vars


def test_is_e164() -> None:
    r = run('if (is_e164("+4930123456")) { $var(a) = 1; } if (!is_e164("030123")) { $var(b) = 1; }'
            ' if (is_uri_user_e164("sip:+15551234@x")) { $var(c) = 1; }')
    assert r.vars == {"a": 1, "b": 1, "c": 1}


def test_is_first_hop_counts_vias() -> None:
    assert run("if (is_first_hop()) { $var(a) = 1; }").vars == {"a": 1}
    data = with_headers([b"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx"])
    assert run("if (!is_first_hop()) { $var(a) = 1; }", data).vars == {"a": 1}


def test_is_user_reads_the_credentials() -> None:
    data = with_headers([b'Authorization: Digest username="bob", realm="b", nonce="n", '
                         b'uri="sip:b", response="r"'])
    assert run('if (is_user("bob")) { $var(a) = 1; }', data).vars == {"a": 1}


def test_cmp_uri_and_cmp_aor() -> None:
    r = run('if (cmp_uri("sip:a@B.example;lr", "sip:%61@b.example;LR")) { $var(a) = 1; } '
            'if (cmp_aor("sip:a@b.example", "sip:a@b.example:5060;x=1")) { $var(b) = 1; }')
    assert r.vars == {"a": 1, "b": 1}


@dataclass
class FakeForwarder:
    """Records the replies the sl module asks for."""

    replies: list[tuple[int, str, list[str]]] = field(default_factory=list)

    def reply(self, ctx: Context, code: int, reason: str,
              headers: list[str] | None = None) -> bool:
        self.replies.append((code, reason, list(headers or [])))
        return True


def sanity_run(body: str, data: bytes) -> tuple[int, FakeForwarder, dict[str, object]]:
    sip = sip_state()
    fwd = FakeForwarder()
    sip.forwarder = fwd  # type: ignore[assignment]
    r = run(body, data, sip=sip)
    return r.code, fwd, r.vars


def test_sanity_check_passes_a_good_request() -> None:
    code, fwd, out = sanity_run("if (sanity_check()) { $var(ok) = 1; }", INVITE)
    assert out == {"ok": 1} and fwd.replies == []


BAD_EXPIRES = with_headers([b"Expires: soon"])


def test_bad_expires_replies_400_and_stops_the_script() -> None:
    code, fwd, out = sanity_run("sanity_check(); $var(after) = 1;", BAD_EXPIRES)
    assert code == 0 and out == {}
    assert fwd.replies == [(400, "Expires value is illegal", [])]


def test_cseq_method_mismatch_with_explicit_checks() -> None:
    data = INVITE.replace(b"CSeq: 314159 INVITE", b"CSeq: 314159 BYE")
    _, fwd, _ = sanity_run('sanity_check("32");', data)
    assert fwd.replies == [(400, "CSeq method does not match request method", [])]


def test_unsupported_scheme_replies_416() -> None:
    data = INVITE.replace(b"sip:bob@biloxi.example.com:5070;transport=tcp", b"http://x")
    _, fwd, _ = sanity_run("sanity_check(2);", data)
    assert fwd.replies[0][:2] == (416, "Unsupported URI Scheme in Request URI")


def test_proxy_require_replies_420_with_unsupported() -> None:
    data = with_headers([b"Proxy-Require: foo"])
    _, fwd, _ = sanity_run("sanity_check(512);", data)
    assert fwd.replies == [(420, "Bad Extension", ["Unsupported: foo"])]


@pytest.fixture
def no_autodrop_noreply():  # type: ignore[no-untyped-def]
    saved = (sanity.settings.autodrop, sanity.settings.noreply)
    sanity.settings.autodrop, sanity.settings.noreply = 0, 1
    yield
    sanity.settings.autodrop, sanity.settings.noreply = saved


@pytest.mark.usefixtures("no_autodrop_noreply")
def test_noreply_keeps_the_reply_for_sanity_reply_and_autodrop_off_returns_false() -> None:
    code, fwd, out = sanity_run("if (!sanity_check()) { $var(f) = 1; }", BAD_EXPIRES)
    assert out == {"f": 1} and fwd.replies == []
    _, fwd, _ = sanity_run("if (!sanity_check()) { sanity_reply(); }", BAD_EXPIRES)
    assert fwd.replies == [(400, "Expires value is illegal", [])]


def test_missing_required_header_is_found() -> None:
    data = INVITE.replace(b"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n", b"")
    failed = sanity.check(run("", data).msg, 4, 7)
    assert failed is not None and failed.status == 400
