"""Digest maths against the RFCs' worked examples, the credentials parser, challenges and the
self-validating nonces (time passed in)."""

from __future__ import annotations

import hashlib

import pytest

from siprouter.core.sip import digest
from siprouter.core.sip.digest import DigestError, NonceStatus

# RFC 7616 section 3.9.1 (the same request for MD5 and SHA-256).
RFC7616 = {
    "username": "Mufasa", "password": "Circle of Life", "realm": "http-auth@example.org",
    "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "uri": "/dir/index.html",
    "cnonce": "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "nc": "00000001",
}


def _rfc_response(algorithm: str, spec: dict[str, str], method: str = "GET") -> str:
    ha1 = digest.ha1(algorithm, spec["username"], spec["realm"], spec["password"])
    ha2 = digest.ha2(algorithm, method, spec["uri"], "auth")
    return digest.response(algorithm, ha1, spec["nonce"], ha2, qop="auth", nc=spec["nc"],
                           cnonce=spec["cnonce"])


def test_rfc2617_md5_qop_auth_example() -> None:
    spec = {"username": "Mufasa", "password": "Circle Of Life", "realm": "testrealm@host.com",
            "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093", "uri": "/dir/index.html",
            "cnonce": "0a4f113b", "nc": "00000001"}
    assert _rfc_response("MD5", spec) == "6629fae49393a05397450978507c4ef1"


def test_rfc7616_md5_example() -> None:
    assert _rfc_response("MD5", RFC7616) == "8ca523f5e9506fed4657c9700eebdbec"


def test_rfc7616_sha256_example() -> None:
    assert _rfc_response("SHA-256", RFC7616) == (
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")


def test_algorithm_names_are_case_insensitive() -> None:
    assert _rfc_response("sha-256", RFC7616) == _rfc_response("SHA-256", RFC7616)


def test_response_without_qop_is_rfc2069s() -> None:
    def md5(s: str) -> str:
        return hashlib.md5(s.encode()).hexdigest()

    ha1, ha2 = md5("alice:example.com:secret"), md5("REGISTER:sip:example.com")
    assert digest.response("MD5", ha1, "n1", ha2) == md5(f"{ha1}:n1:{ha2}")
    assert digest.ha1("MD5", "alice", "example.com", "secret") == ha1
    assert digest.ha2("MD5", "REGISTER", "sip:example.com") == ha2


def test_auth_int_hashes_the_body() -> None:
    def md5(s: str) -> str:
        return hashlib.md5(s.encode()).hexdigest()

    assert digest.ha2("MD5", "INVITE", "sip:b@x", "auth-int", b"v=0") == (
        md5(f"INVITE:sip:b@x:{md5('v=0')}"))


def test_sess_algorithm_rehashes_ha1_with_the_nonces() -> None:
    plain = digest.ha1("MD5", "a", "r", "p")
    sess = digest.ha1("MD5-sess", "a", "r", "p", nonce="n", cnonce="c")
    assert sess == hashlib.md5(f"{plain}:n:c".encode()).hexdigest()


def test_looks_like_ha1_knows_each_hash_length() -> None:
    assert digest.looks_like_ha1("MD5", "0" * 32)
    assert not digest.looks_like_ha1("SHA-256", "0" * 32)
    assert digest.looks_like_ha1("SHA-256", "a" * 64)


# --- the parser -----------------------------------------------------------------------------


SIP_CREDENTIALS = ('Digest username="bob", realm="biloxi.com", '
                   'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:bob@biloxi.com", '
                   'qop=auth, nc=00000001, cnonce="0a4f113b", '
                   'response="6629FAE49393A05397450978507C4EF1", opaque="5ccc069c403ebaf9"')


def test_parses_rfc3261_credentials() -> None:
    cred = digest.parse_credentials(SIP_CREDENTIALS)
    assert (cred.username, cred.realm, cred.uri) == ("bob", "biloxi.com", "sip:bob@biloxi.com")
    assert (cred.qop, cred.nc, cred.nc_value, cred.cnonce) == ("auth", "00000001", 1, "0a4f113b")
    assert cred.response == "6629fae49393a05397450978507c4ef1"  # compared in lower case
    assert cred.opaque == "5ccc069c403ebaf9" and cred.algorithm == "MD5"


def test_username_with_domain_splits() -> None:
    cred = digest.parse_credentials(
        'Digest username="a@ex.com", realm="r", nonce="n", uri="u", response="x"')
    assert (cred.user, cred.domain) == ("a", "ex.com")


def test_quoted_strings_unescape_and_may_hold_commas() -> None:
    cred = digest.parse_credentials(
        r'digest realm="a, \"b\"",username="u",nonce="n",uri="sip:x",response="r"')
    assert cred.realm == 'a, "b"'


@pytest.mark.parametrize("value", [
    "Basic dXNlcjpwYXNz",
    "Digest",
    'Digest username="u", realm="r", nonce="n", uri="x"',  # no response
    'Digest username="u, realm="r"',  # unterminated quote
    'Digest username="u" realm="r", nonce="n", uri="x", response="r"',  # no comma
    'Digest username="u", username="v", realm="r", nonce="n", uri="x", response="r"',
    'Digest username="u", realm="r", nonce="n", uri="x", response="r", qop=auth',  # no nc
    'Digest username="u", realm="r", nonce="n", uri="x", response="r", qop=auth, nc=1, '
    'cnonce="c"',  # nc not 8 hex digits
    'Digest username="u", realm="r", nonce="n", uri="x", response="r", qop=weird, '
    'nc=00000001, cnonce="c"',
    'Digest username',
    'Digest =x',
])
def test_malformed_credentials_are_a_400_not_a_crash(value: str) -> None:
    with pytest.raises(DigestError) as info:
        digest.parse_credentials(value)
    assert info.value.status == 400


# --- challenges -------------------------------------------------------------------------------


def test_challenge_header_in_kamailios_order() -> None:
    assert digest.challenge_header("example.com", "abc", qop="auth", stale=True) == (
        'Digest realm="example.com", nonce="abc", qop="auth", stale=true, algorithm=MD5')
    assert digest.challenge_header("ex", "n", algorithm="SHA-256") == (
        'Digest realm="ex", nonce="n", algorithm=SHA-256')


# --- nonces -----------------------------------------------------------------------------------

SECRET = b"k" * 32
NOW = 1_700_000_000


def test_a_fresh_nonce_is_valid_and_carries_time_and_index() -> None:
    nonce = digest.make_nonce(SECRET, NOW, 42)
    assert len(nonce) == digest.NONCE_LEN
    check = digest.check_nonce(SECRET, nonce, NOW + 10, 300)
    assert (check.status, check.issued, check.index) == (NonceStatus.VALID, NOW, 42)


def test_a_nonce_older_than_expire_is_expired() -> None:
    nonce = digest.make_nonce(SECRET, NOW, 1)
    assert digest.check_nonce(SECRET, nonce, NOW + 300, 300).status is NonceStatus.VALID
    assert digest.check_nonce(SECRET, nonce, NOW + 301, 300).status is NonceStatus.EXPIRED


def test_a_nonce_from_the_future_beyond_the_drift_is_expired() -> None:
    nonce = digest.make_nonce(SECRET, NOW + 3, 1)
    assert digest.check_nonce(SECRET, nonce, NOW, 300, 3).status is NonceStatus.VALID
    nonce = digest.make_nonce(SECRET, NOW + 4, 1)
    assert digest.check_nonce(SECRET, nonce, NOW, 300, 3).status is NonceStatus.EXPIRED


def test_another_secret_or_a_changed_nonce_is_invalid() -> None:
    nonce = digest.make_nonce(SECRET, NOW, 7)
    assert digest.check_nonce(b"other", nonce, NOW, 300).status is NonceStatus.INVALID
    tampered = ("B" if nonce[0] != "B" else "C") + nonce[1:]
    assert digest.check_nonce(SECRET, tampered, NOW, 300).status is NonceStatus.INVALID


@pytest.mark.parametrize("nonce", ["", "short", "!" * digest.NONCE_LEN, "é" * digest.NONCE_LEN,
                                   "dcd98b7102dd2f0e8b11d0f600bfb0c093"])
def test_garbage_nonces_are_invalid(nonce: str) -> None:
    assert digest.check_nonce(SECRET, nonce, NOW, 300).status is NonceStatus.INVALID
