"""The functions as a config calls them: PVs in the arguments, return codes in `if`, the
default config's AUTH route; pv_* with passwords given by the script."""

from __future__ import annotations

import pytest

from siprouter.modules import auth
from tests.modules.auth.conftest import nonce
from tests.modules.auth.helpers import Script, challenge_params, credentials, request

pytestmark = pytest.mark.usefixtures("db")

AUTH_ROUTE = """
if (!auth_check("$fd", "subscriber", "1")) {
    auth_challenge("$fd", "0");
    exit;
}
consume_credentials();
sl_send_reply("200", "OK");
"""


def test_register_without_credentials_is_challenged_for_the_from_domain() -> None:
    run = Script(AUTH_ROUTE).run(request())
    assert run.reply.status == 401
    assert challenge_params(run.reply)["realm"] == "example.com"


def test_register_with_the_right_password_passes() -> None:
    run = Script(AUTH_ROUTE).run(request(authorization=credentials(nonce())))
    assert run.reply.status == 200


def test_register_with_a_wrong_password_is_challenged_again() -> None:
    run = Script(AUTH_ROUTE).run(request(authorization=credentials(nonce(), password="x")))
    assert run.reply.status == 401
    assert "stale" not in challenge_params(run.reply)


def test_return_code_reaches_the_script() -> None:
    script = Script('auth_check("$fd", "subscriber", "1"); $avp(rc) = $rc;')
    run = script.run(request(authorization=credentials(nonce(), password="x")))
    assert run.ctx.avps["rc"] == [-2]


def test_pv_www_authenticate_with_a_plain_password() -> None:
    script = Script('$avp(pw) = "secret";\n'
                    'pv_www_authenticate("$td", "$avp(pw)", "0"); $avp(rc) = $rc;')
    assert script.run(request(authorization=credentials(nonce()))).ctx.avps["rc"] == [1]
    bad = script.run(request(authorization=credentials(nonce(), password="x")))
    assert bad.ctx.avps["rc"] == [-2]


def test_pv_www_authenticate_with_an_ha1_and_a_challenge_in_an_avp() -> None:
    from siprouter.core.sip import digest

    ha1 = digest.ha1("MD5", "alice", "example.com", "secret")
    script = Script(f'if (!pv_www_authenticate("example.com", "{ha1}", "5")) {{ '
                    'append_to_reply("$avp(digest_challenge)\\r\\n"); '
                    'sl_send_reply("401", "Unauthorized"); exit; } '
                    'sl_send_reply("200", "OK");')
    assert script.run(request(authorization=credentials(nonce()))).reply.status == 200
    run = script.run(request())
    assert run.reply.status == 401
    assert challenge_params(run.reply)["qop"] == "auth"


def test_pv_auth_check_checks_the_user() -> None:
    script = Script('pv_auth_check("$fd", "secret", "0", "1"); $avp(rc) = $rc;')
    cred = credentials(nonce())
    assert script.run(request(authorization=cred)).ctx.avps["rc"] == [1]
    run = script.run(request(authorization=cred, from_user="bob"))
    assert run.ctx.avps["rc"] == [auth.AUTH_USER_MISMATCH]


def test_has_credentials() -> None:
    script = Script('if (has_credentials("example.com")) { sl_send_reply("200", "yes"); } '
                    'else { sl_send_reply("200", "no"); }')
    assert script.run(request(authorization=credentials(nonce()))).reply.reason == "yes"
    assert script.run(request()).reply.reason == "no"
    other = credentials(nonce(), realm="other.org")
    assert script.run(request(authorization=other)).reply.reason == "no"


def test_auth_get_www_authenticate_sets_the_pv() -> None:
    script = Script('auth_get_www_authenticate("$fd", "1", "$avp(h)");')
    (reason,) = script.run(request()).ctx.avps["h"]
    assert isinstance(reason, str)
    assert reason.startswith('Digest realm="example.com", nonce="')
    assert 'qop="auth"' in reason
