"""The servers a shell session talks to: the current one and those used before (`connect URL`
switches; the others stay open so switching back is instant), each with its own catalogue."""

from __future__ import annotations

from collections.abc import Callable

from .catalogue import Catalogue
from .client import RPCClient, RPCConnectionError, RPCFault

ClientFactory = Callable[[str], RPCClient]


class Servers:
    """Clients by address; `current` is where commands go."""

    def __init__(self, first: RPCClient, factory: ClientFactory) -> None:
        self._factory = factory
        self._clients: dict[str, RPCClient] = {first.url: first}
        self._catalogues: dict[str, Catalogue] = {first.url: Catalogue(first.call)}
        self.current = first

    @property
    def catalogue(self) -> Catalogue:
        """The current server's catalogue."""
        return self._catalogues[self.current.url]

    def urls(self) -> list[str]:
        """Every address used in this session, the current one first."""
        return [self.current.url] + [u for u in self._clients if u != self.current.url]

    def connect(self, url: str) -> str:
        """Make the server at `url` current and return its `core.version`. URLError for a bad
        address; RPCConnectionError (and no switch) when nothing answers there."""
        client = self._factory(url)
        known = self._clients.get(client.url)
        if known is not None:
            client = known
        try:
            version = str(client.call("core.version"))
        except RPCFault as fault:
            version = f"(core.version: {fault.message})"  # it answers; that is enough
        except RPCConnectionError:
            if known is None:
                client.close()
            raise
        self._clients[client.url] = client
        self._catalogues.setdefault(client.url, Catalogue(client.call))
        self.current = client
        return version

    def close(self) -> None:
        """Close every connection."""
        for client in self._clients.values():
            client.close()
