"""TLS contexts (pyOpenSSL) from the `tls` module's parameters.

Server side: our certificate and key; client certificates are asked for and checked against
`ca_list`/`ca_path` when `verify_certificate` or `require_certificate` is on (or `verify_client`
says so), required with `require_certificate`, and refused when revoked by the `crl` (Kamailio
3.1's CRL support). Client side (connections we open): the server's certificate is checked
when `verify_certificate` is on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from OpenSSL import SSL, crypto

# tls_method values -> (lowest, highest) protocol version; None leaves OpenSSL's default.
_METHODS: dict[str, tuple[int | None, int | None]] = {
    "tlsv1": (SSL.TLS1_VERSION, SSL.TLS1_VERSION),
    "tlsv1.1": (SSL.TLS1_1_VERSION, SSL.TLS1_1_VERSION),
    "tlsv1.2": (SSL.TLS1_2_VERSION, SSL.TLS1_2_VERSION),
    "tlsv1.3": (SSL.TLS1_3_VERSION, SSL.TLS1_3_VERSION),
    "tlsv1+": (SSL.TLS1_VERSION, None),
    "tlsv1.1+": (SSL.TLS1_1_VERSION, None),
    "tlsv1.2+": (SSL.TLS1_2_VERSION, None),
    "tlsv1.3+": (SSL.TLS1_3_VERSION, None),
    "sslv23": (None, None),
    "tls": (None, None),
}


class TLSConfigError(ValueError):
    """The tls parameters cannot give a working context (missing file, bad method ...)."""


@dataclass(frozen=True, slots=True)
class TLSSettings:
    """The tls module parameters siprouter uses (Kamailio's names)."""

    certificate: str | None = None
    private_key: str | None = None
    ca_list: str | None = None
    ca_path: str | None = None
    crl: str | None = None
    verify_certificate: bool = False
    require_certificate: bool = False
    verify_client: str = ""  # 5.x: off | on | optional | optional_no_ca
    verify_depth: int = 9
    tls_method: str = "TLSv1.2+"
    cipher_list: str | None = None
    server_name: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> TLSSettings:
        """From modparam values (ints for flags, strings for paths)."""
        def text(name: str) -> str | None:
            value = params.get(name)
            return None if value in (None, "") else str(value)

        def flag(name: str) -> bool:
            value = params.get(name)
            return str(value).lower() in ("1", "yes", "on", "true")

        return cls(
            certificate=text("certificate"), private_key=text("private_key"),
            ca_list=text("ca_list"), ca_path=text("ca_path"), crl=text("crl"),
            verify_certificate=flag("verify_certificate"),
            require_certificate=flag("require_certificate"),
            verify_client=(text("verify_client") or "").lower(),
            verify_depth=int(params.get("verify_depth") or 9),
            tls_method=text("tls_method") or "TLSv1.2+",
            cipher_list=text("cipher_list"), server_name=text("server_name"),
        )


def _base_context(settings: TLSSettings, method: int) -> SSL.Context:
    ctx = SSL.Context(method)
    versions = _METHODS.get(settings.tls_method.lower())
    if versions is None:
        raise TLSConfigError(f"unknown tls_method {settings.tls_method!r}")
    low, high = versions
    if low is not None:
        ctx.set_min_proto_version(low)
    if high is not None:
        ctx.set_max_proto_version(high)
    if settings.cipher_list and settings.cipher_list != "not":
        try:
            ctx.set_cipher_list(settings.cipher_list.encode())
        except SSL.Error as exc:
            raise TLSConfigError(f"bad cipher_list: {exc}") from exc
    ctx.set_options(SSL.OP_NO_COMPRESSION)
    if settings.ca_list or settings.ca_path:
        try:
            ctx.load_verify_locations(settings.ca_list, settings.ca_path)
        except (SSL.Error, OSError) as exc:
            raise TLSConfigError(f"cannot load ca_list {settings.ca_list}: {exc}") from exc
    if settings.crl:
        try:
            with open(settings.crl, "rb") as f:
                raw = f.read()
            crl = (x509.load_pem_x509_crl(raw) if b"-----BEGIN" in raw
                   else x509.load_der_x509_crl(raw))
        except (OSError, ValueError) as exc:
            raise TLSConfigError(f"cannot load crl {settings.crl}: {exc}") from exc
        store = ctx.get_cert_store()
        assert store is not None
        store.add_crl(crl)
        store.set_flags(crypto.X509StoreFlags.CRL_CHECK)
    ctx.set_verify_depth(settings.verify_depth)
    return ctx


def _load_identity(ctx: SSL.Context, settings: TLSSettings, required: bool) -> None:
    if not settings.certificate:
        if required:
            raise TLSConfigError("tls: no certificate configured (modparam tls certificate)")
        return
    try:
        ctx.use_certificate_chain_file(settings.certificate)
        ctx.use_privatekey_file(settings.private_key or settings.certificate)
        ctx.check_privatekey()
    except (SSL.Error, OSError) as exc:
        if required:
            raise TLSConfigError(
                f"tls: cannot load certificate {settings.certificate} / key "
                f"{settings.private_key}: {exc}") from exc


def _accept_any(conn: SSL.Connection, cert: Any, errno: int, depth: int, ok: int) -> bool:
    return bool(ok)


def server_context(settings: TLSSettings) -> SSL.Context:
    """The context of accepted TLS connections."""
    ctx = _base_context(settings, SSL.TLS_SERVER_METHOD)
    _load_identity(ctx, settings, required=True)
    verify = settings.verify_certificate or settings.require_certificate
    require = settings.require_certificate
    if settings.verify_client in ("on", "optional", "optional_no_ca"):
        verify, require = True, settings.verify_client == "on"
    elif settings.verify_client == "off":
        verify = require = False
    if verify:
        mode = SSL.VERIFY_PEER | (SSL.VERIFY_FAIL_IF_NO_PEER_CERT if require else 0)
        ctx.set_verify(mode, _accept_any)
        ctx.set_session_id(b"siprouter")
    return ctx


def client_context(settings: TLSSettings) -> SSL.Context:
    """The context of TLS connections we open."""
    ctx = _base_context(settings, SSL.TLS_CLIENT_METHOD)
    _load_identity(ctx, settings, required=False)
    if settings.verify_certificate:
        ctx.set_verify(SSL.VERIFY_PEER, _accept_any)
    else:
        ctx.set_verify(SSL.VERIFY_NONE, _accept_any)
    return ctx
