"""The asyncio edge: UDP, TCP and TLS listeners and connections; the only owner of sockets."""

from .connections import Connections, StreamLimits
from .framing import Broken, Frame, Ping, StreamFramer
from .listen import Alias, ListenError, parse_alias, parse_listen, split_host_port
from .manager import Transports, resolve
from .sink import MessageSink
from .sockets import BindError, BoundSocket, bind, bind_all
from .tls_config import TLSConfigError, TLSSettings, client_context, server_context

__all__ = [
    "Alias", "BindError", "BoundSocket", "Broken", "Connections", "Frame", "ListenError",
    "MessageSink", "Ping", "StreamFramer", "StreamLimits", "TLSConfigError", "TLSSettings",
    "Transports", "bind", "bind_all", "client_context", "parse_alias", "parse_listen",
    "resolve", "server_context", "split_host_port",
]
