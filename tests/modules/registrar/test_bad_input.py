"""Malformed REGISTERs get Kamailio's 4xx and a P-Registrar-Error, never a traceback."""

from __future__ import annotations

import pytest

from tests.modules.registrar.helpers import Script, register

CASES = [
    ("unclosed contact", dict(contacts=["<sip:alice@192.0.2.1"]), "Contact parse error"),
    ("expires param not a number", dict(contacts=["<sip:alice@192.0.2.1>;expires=soon"]),
     "Invalid expires param in contact"),
    ("expires param too big", dict(contacts=["<sip:alice@192.0.2.1>;expires=4294967296"]),
     "Invalid expires param in contact"),
    ("negative expires param", dict(contacts=["<sip:alice@192.0.2.1>;expires=-5"]),
     "Invalid expires param in contact"),
    ("expires header not a number", dict(expires="soon"), "Expires parse error"),
    ("expires header too big", dict(expires="99999999999"), "Expires parse error"),
    ("q out of range", dict(contacts=["<sip:alice@192.0.2.1>;q=1.5"]),
     "Invalid q param in contact"),
    ("q not a number", dict(contacts=["<sip:alice@192.0.2.1>;q=high"]),
     "Invalid q param in contact"),
    ("contact too long", dict(contacts=[f"<sip:{'a' * 600}@192.0.2.1>"]),
     "Contact/received too long"),
    ("no user in To", dict(to_uri="sip:example.com"), "No username in To URI"),
    ("To is not a SIP URI", dict(to_uri="tel:+15551234"), "Error while parsing AOR"),
]


@pytest.mark.parametrize(("what", "kw", "info"), CASES, ids=[c[0] for c in CASES])
def test_malformed_register_gets_400(setup, what: str, kw: dict, info: str) -> None:
    r = Script('save("location"); $var(rc) = $rc;').run(register(**kw))
    assert (r.reply.status, r.reply.reason) == (400, "Bad Request")
    assert r.reply.header("P-Registrar-Error") == info
    assert r.ctx.vars["rc"] == -1


def test_nothing_is_saved_from_a_refused_register(setup) -> None:
    s = Script('save("location");')
    s.run(register(contacts=["<sip:alice@192.0.2.1>", "<sip:alice@192.0.2.2>;q=7"]))
    from siprouter.modules import usrloc
    assert usrloc.service().bindings("location", "alice") == []
