"""How file names are shown: relative to the main cfg's folder, so a remote server's paths stay
short (the full path is in the file list and the docs)."""

from __future__ import annotations

import posixpath


def short_path(path: str, main_file: str) -> str:
    """`path` relative to `main_file`'s folder when it lies under it, else unchanged."""
    if not path or not main_file:
        return path
    base = posixpath.dirname(main_file)
    if base and path.startswith(base.rstrip("/") + "/"):
        return path[len(base.rstrip("/")) + 1:]
    return path
