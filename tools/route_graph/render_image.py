"""`--format svg|png`: the DOT output laid out by Graphviz's `dot` program, where installed."""

from __future__ import annotations

import shutil
import subprocess

IMAGE_FORMATS = ("svg", "png")


class ImageError(Exception):
    """The image cannot be made; the message says what to install or use instead."""


def render_image(dot_text: str, fmt: str, *, timeout: float = 120.0) -> bytes:
    """`dot_text` rendered by `dot -T<fmt>`; ImageError when Graphviz is missing or fails."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"not an image format: {fmt}")
    dot = shutil.which("dot")
    if dot is None:
        raise ImageError(f"--format {fmt} needs Graphviz's 'dot' program, which is not "
                         "installed (Debian: apt-get install graphviz); --format dot writes the "
                         "graph without it")
    try:
        done = subprocess.run([dot, f"-T{fmt}"], input=dot_text.encode(), capture_output=True,
                              timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ImageError(f"Graphviz 'dot' could not run: {exc}") from None
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        raise ImageError(f"Graphviz 'dot' failed: {reason[0] if reason else done.returncode}")
    return done.stdout
