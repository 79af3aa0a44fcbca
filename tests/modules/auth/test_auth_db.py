"""auth_db's checks against a real SQLite subscriber table, and auth's challenges, called as the
script calls them; return codes as README.auth_db lists them."""

from __future__ import annotations

import pytest

from siprouter.core.db import Database
from siprouter.core.sip import SIPRequest, digest
from siprouter.modules import auth, auth_db
from tests.modules.auth.conftest import NOW, nonce
from tests.modules.auth.helpers import (
    REALM,
    challenge_params,
    context,
    credentials,
    request,
)
from tests.modules.registrar.helpers import FakeClock

pytestmark = pytest.mark.usefixtures("db")


def www(data: bytes, realm: str = REALM) -> int:
    ctx, _ = context(data)
    return auth_db.www_authorize(ctx, realm, "subscriber")


def test_no_credentials_is_minus_5() -> None:
    assert www(request()) == auth.AUTH_NO_CREDENTIALS


def test_credentials_for_another_realm_are_no_credentials() -> None:
    data = request(authorization=credentials(nonce(), realm="other.org"))
    assert www(data) == auth.AUTH_NO_CREDENTIALS


def test_right_password_from_the_plain_password_column() -> None:
    assert www(request(authorization=credentials(nonce()))) == auth.AUTH_OK


def test_wrong_password_is_minus_2() -> None:
    assert www(request(authorization=credentials(nonce(), password="guess"))) == (
        auth.AUTH_INVALID_PASSWORD)


def test_unknown_user_is_minus_3() -> None:
    assert www(request(user="mallory", authorization=credentials(nonce(), user="mallory"))) == (
        auth.AUTH_USER_UNKNOWN)


def test_expired_nonce_is_minus_4_and_the_challenge_says_stale(clock: FakeClock) -> None:
    ctx, fwd = context(request(authorization=credentials(nonce(NOW - 301))))
    assert auth_db.www_authorize(ctx, REALM, "subscriber") == auth.AUTH_NONCE_EXPIRED
    assert auth.www_challenge(ctx, REALM, "0") == 1
    (reply,) = fwd.replies
    assert (reply.status, reply.reason) == (401, "Unauthorized")
    assert challenge_params(reply)["stale"] == "true"


def test_nonce_within_expire_is_accepted(clock: FakeClock) -> None:
    assert www(request(authorization=credentials(nonce(NOW - 300)))) == auth.AUTH_OK


def test_a_nonce_that_is_not_ours_is_minus_1_and_no_stale() -> None:
    forged = digest.make_nonce(b"another server", int(NOW), 1)
    ctx, fwd = context(request(authorization=credentials(forged)))
    assert auth_db.www_authorize(ctx, REALM, "subscriber") == auth.AUTH_ERROR
    auth.www_challenge(ctx, REALM, "0")
    assert "stale" not in challenge_params(fwd.replies[0])


@pytest.mark.parametrize("value", [
    "Digest username=alice",
    'Digest username="alice", realm="example.com"',
    "Basic YWxpY2U6c2VjcmV0",
    'Digest username="alice", realm="example.com", nonce="x", uri="sip:example.com", '
    'response="0", qop=auth, nc=zz, cnonce="c"',
])
def test_malformed_credentials_are_minus_1_without_a_reply(value: str) -> None:
    ctx, fwd = context(request(authorization=value))
    assert auth_db.www_authorize(ctx, REALM, "subscriber") in (auth.AUTH_ERROR,
                                                               auth.AUTH_NO_CREDENTIALS)
    assert fwd.replies == []


def test_stored_ha1_without_calculate_ha1() -> None:
    auth_db.configure(db_url=auth_db.settings.db_url, calculate_ha1=False)
    assert www(request(authorization=credentials(nonce()))) == auth.AUTH_OK
    assert www(request(authorization=credentials(nonce(), password="guess"))) == (
        auth.AUTH_INVALID_PASSWORD)


def test_username_with_domain_uses_the_ha1b_column() -> None:
    auth_db.configure(db_url=auth_db.settings.db_url, calculate_ha1=False)
    cred = credentials(nonce(), user="alice@example.com")
    assert www(request(authorization=cred)) == auth.AUTH_OK


def test_use_domain_matches_the_realm_against_the_domain_column(db: Database) -> None:
    auth_db.configure(db_url=auth_db.settings.db_url, calculate_ha1=True,
                      password_column="password", use_domain=True)
    assert www(request(authorization=credentials(nonce()))) == auth.AUTH_OK
    other = request(authorization=credentials(nonce(), realm="other.org"))
    assert www(other, "other.org") == auth.AUTH_USER_UNKNOWN


def test_sha256_challenge_and_credentials() -> None:
    auth.configure(secret="test-secret", algorithm="SHA-256")
    ctx, fwd = context(request())
    assert auth.www_challenge(ctx, REALM, "1") == 1
    params = challenge_params(fwd.replies[0])
    assert (params["algorithm"], params["qop"]) == ("SHA-256", "auth")
    cred = credentials(params["nonce"], algorithm="SHA-256", qop="auth")
    assert www(request(authorization=cred)) == auth.AUTH_OK


def test_qop_auth_int_checks_the_body() -> None:
    body = "v=0\r\n"
    cred = credentials(nonce(), qop="auth-int", body=body.encode())
    assert www(request(authorization=cred, body=body)) == auth.AUTH_OK
    assert www(request(authorization=cred, body="v=1\r\n")) == auth.AUTH_INVALID_PASSWORD


def test_challenge_nonce_authenticates_the_retry() -> None:
    ctx, fwd = context(request())
    assert auth_db.www_authorize(ctx, REALM, "subscriber") == auth.AUTH_NO_CREDENTIALS
    auth.auth_challenge(ctx, REALM, "0")
    params = challenge_params(fwd.replies[0])
    assert params["algorithm"] == "MD5" and "qop" not in params and "stale" not in params
    assert www(request(authorization=credentials(params["nonce"]))) == auth.AUTH_OK


def test_auth_challenge_answers_407_outside_register() -> None:
    ctx, fwd = context(request("INVITE"))
    assert auth.auth_challenge(ctx, REALM, "1") == 1
    (reply,) = fwd.replies
    assert (reply.status, reply.reason) == (407, "Proxy Authentication Required")
    assert challenge_params(reply, "Proxy-Authenticate")["realm"] == REALM


def test_empty_realm_is_the_to_domain_of_a_register() -> None:
    ctx, fwd = context(request())
    auth.www_challenge(ctx, "", "0")
    assert challenge_params(fwd.replies[0])["realm"] == "example.com"


def test_realm_prefix_is_stripped() -> None:
    auth.configure(secret="test-secret", realm_prefix="sip.")
    ctx, fwd = context(request())
    auth.www_challenge(ctx, "sip.example.com", "0")
    assert challenge_params(fwd.replies[0])["realm"] == "example.com"
    assert www(request(authorization=credentials(nonce())), "sip.example.com") == auth.AUTH_OK


def test_proxy_authorize_reads_proxy_authorization() -> None:
    cred = credentials(nonce(), method="INVITE", uri="sip:bob@example.com")
    ctx, _ = context(request("INVITE", authorization=cred, header="Proxy-Authorization"))
    assert auth_db.proxy_authorize(ctx, REALM, "subscriber") == auth.AUTH_OK
    ctx, _ = context(request("INVITE", authorization=cred))  # Authorization is not for proxies
    assert auth_db.proxy_authorize(ctx, REALM, "subscriber") == auth.AUTH_NO_CREDENTIALS


def test_www_authenticate_with_a_method_argument() -> None:
    cred = credentials(nonce(), method="FETCH")
    ctx, _ = context(request(authorization=cred))
    assert auth_db.www_authenticate(ctx, REALM, "subscriber", "FETCH") == auth.AUTH_OK


def test_nonce_count_rejects_an_nc_that_does_not_increase() -> None:
    auth.configure(secret="test-secret", nonce_count=True, qop="auth")
    n = nonce(index=99)
    assert www(request(authorization=credentials(n, qop="auth", nc=1))) == auth.AUTH_OK
    assert www(request(authorization=credentials(n, qop="auth", nc=1))) == (
        auth.AUTH_NONCE_REUSED)
    assert www(request(authorization=credentials(n, qop="auth", nc=3))) == auth.AUTH_OK
    assert www(request(authorization=credentials(n, qop="auth", nc=2))) == (
        auth.AUTH_NONCE_REUSED)


def test_a_wrong_password_does_not_use_up_an_nc() -> None:
    auth.configure(secret="test-secret", nonce_count=True)
    n = nonce(index=5)
    bad = credentials(n, qop="auth", nc=1, password="guess")
    assert www(request(authorization=bad)) == auth.AUTH_INVALID_PASSWORD
    assert www(request(authorization=credentials(n, qop="auth", nc=1))) == auth.AUTH_OK


def test_nc_above_255_makes_the_nonce_stale() -> None:
    auth.configure(secret="test-secret", nonce_count=True)
    cred = credentials(nonce(), qop="auth", nc=256)
    assert www(request(authorization=cred)) == auth.AUTH_NONCE_EXPIRED


def test_one_time_nonce_allows_each_nonce_once() -> None:
    auth.configure(secret="test-secret", one_time_nonce=True)
    cred = credentials(nonce(index=7))
    assert www(request(authorization=cred)) == auth.AUTH_OK
    assert www(request(authorization=cred)) == auth.AUTH_NONCE_REUSED


def test_replay_state_is_shared_through_the_store_file(tmp_path: object) -> None:
    # What another worker recorded in the shared file counts here too.
    auth.configure(secret="test-secret", nonce_count=True)
    url = f"sqlite://{tmp_path}/replay.db"
    auth.replay.create(url)
    other = auth.ReplayStore()
    other.create(url)
    assert other.advance(11, int(NOW), 4, int(NOW))
    n = nonce(index=11)
    assert www(request(authorization=credentials(n, qop="auth", nc=4))) == (
        auth.AUTH_NONCE_REUSED)
    assert www(request(authorization=credentials(n, qop="auth", nc=5))) == auth.AUTH_OK
    other.reset()


def test_consume_credentials_removes_the_used_header() -> None:
    ctx, _ = context(request(authorization=credentials(nonce())))
    assert auth.consume_credentials(ctx) == auth.AUTH_ERROR  # nothing authorized yet
    assert auth_db.www_authorize(ctx, REALM, "subscriber") == auth.AUTH_OK
    assert auth.consume_credentials(ctx) == auth.AUTH_OK
    assert isinstance(ctx.msg, SIPRequest)
    assert b"Authorization" not in ctx.msg.serialize()


@pytest.mark.parametrize(("method", "from_user", "flags", "code"), [
    ("REGISTER", "alice", "1", auth.AUTH_OK),
    ("REGISTER", "bob", "1", auth.AUTH_USER_MISMATCH),
    ("REGISTER", "bob", "0", auth.AUTH_OK),
    ("INVITE", "bob", "1", auth.AUTH_USER_MISMATCH),
    ("INVITE", "bob", "3", auth.AUTH_OK),  # bit 2: anonymous callers allowed for INVITE
    ("OPTIONS", "bob", "3", auth.AUTH_USER_MISMATCH),
])
def test_auth_check_user_checks(method: str, from_user: str, flags: str, code: int) -> None:
    uri = "sip:example.com" if method == "REGISTER" else "sip:bob@example.com"
    cred = credentials(nonce(), method=method, uri=uri)
    header = "Authorization" if method == "REGISTER" else "Proxy-Authorization"
    ctx, _ = context(request(method, authorization=cred, header=header, from_user=from_user))
    assert auth_db.auth_check(ctx, REALM, "subscriber", flags) == code


def test_load_credentials_sets_avps_after_success() -> None:
    auth_db.configure(db_url=auth_db.settings.db_url, calculate_ha1=True,
                      password_column="password", load_credentials="$avp(i:7)=ha1;domain")
    ctx, _ = context(request(authorization=credentials(nonce())))
    assert auth_db.www_authorize(ctx, REALM, "subscriber") == auth.AUTH_OK
    assert ctx.avps["7"] == [digest.ha1("MD5", "alice", REALM, "secret")]
    assert ctx.avps["domain"] == ["example.com"]
    ctx, _ = context(request(authorization=credentials(nonce(), password="guess")))
    auth_db.www_authorize(ctx, REALM, "subscriber")
    assert ctx.avps == {}


@pytest.mark.parametrize(("uri", "flags", "code"), [
    ("sip:alice@example.com", "0", 1),
    ("sip:alice@example.com", "1", 1),
    ("sip:alice@other.org", "1", -1),
    ("sip:alice@other.org", "0", 1),
    ("sip:nobody@example.com", "0", -1),
    ("not a uri", "0", -1),
    ("sip:example.com", "0", -1),
])
def test_is_subscriber(uri: str, flags: str, code: int) -> None:
    ctx, _ = context(request())
    assert auth_db.is_subscriber(ctx, uri, "subscriber", flags) == code


def test_a_table_that_is_not_there_is_minus_1_not_a_crash() -> None:
    ctx, _ = context(request(authorization=credentials(nonce())))
    assert auth_db.www_authorize(ctx, REALM, "no_such_table") == auth.AUTH_ERROR
    assert auth_db.www_authorize(ctx, REALM, "bad name; drop") == auth.AUTH_ERROR
    assert auth_db.is_subscriber(ctx, "sip:alice@example.com", "no_such_table", "0") == -1


def test_ack_and_cancel_are_not_challenged() -> None:
    ctx, _ = context(request("CANCEL"))
    assert auth_db.proxy_authorize(ctx, REALM, "subscriber") == auth.AUTH_OK
