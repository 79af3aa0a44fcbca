"""The server process: settings, workers, the receive path and stateless forwarding."""

from .app import serve
from .settings import ServerSettings, SettingsError, from_config

__all__ = ["ServerSettings", "SettingsError", "from_config", "serve"]
