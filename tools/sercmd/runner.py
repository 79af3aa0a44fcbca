"""Run one command (a method, an alias or a built-in) and say how it went, the same way for a
one-shot `sercmd method args...` and for a line typed in the shell."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .args import Word, type_word
from .client import RPCClient, RPCConnectionError, RPCFault, RPCRequestError
from .commands import ALIASES, BUILTINS, HELP_WORDS, LICENSE_TEXT, SHELL_ONLY, resolve
from .output import Output

EXIT_OK, EXIT_FAULT, EXIT_USAGE, EXIT_CONNECTION = 0, 1, 2, 3


def tool_version() -> str:
    """sercmd's version: the installed siprouter's."""
    try:
        return metadata.version("siprouter")
    except metadata.PackageNotFoundError:
        return "0+unknown"


class Runner:
    """Executes commands against `client`, reporting through `output`."""

    def __init__(self, client: RPCClient, output: Output) -> None:
        self.client = client
        self.output = output

    def run(self, words: Sequence[Word], fmt: str | None = None) -> int:
        """Run `words` (command first); the exit status: 0 ok, 1 fault, 2 usage, 3 no server.
        `fmt` (from `-f`) overrides an alias's own format."""
        if not words:
            return EXIT_OK
        name = words[0].text
        if name in HELP_WORDS:
            return self.help(words[1].text if len(words) > 1 else None)
        if name in ("warranty", "license"):
            self.output.text(LICENSE_TEXT)
            return EXIT_OK
        if name in SHELL_ONLY and name not in ALIASES:
            self.output.failure(f"{name} works in the interactive shell only")
            return EXIT_USAGE
        method, alias_fmt = resolve(name)
        params = [type_word(w) for w in words[1:]]
        return self.call(method, params, fmt if fmt is not None else alias_fmt)

    def call(self, method: str, params: Sequence[object], fmt: str | None = None) -> int:
        """One RPC, its result or failure printed; the exit status."""
        try:
            result = self.client.call(method, *params)
        except RPCFault as fault:
            self.output.fault(fault.code, fault.message)
            return EXIT_FAULT
        except RPCRequestError as exc:
            self.output.failure(str(exc))
            return EXIT_USAGE
        except RPCConnectionError as exc:
            self.output.failure(str(exc))
            return EXIT_CONNECTION
        self.output.result(result, method, fmt)
        return EXIT_OK

    def help(self, name: str | None) -> int:
        """`help`: built-ins and aliases; `help NAME`: a built-in's or alias's use, else the
        server's help for the method (`system.methodHelp`)."""
        if name is None:
            self.output.text(self.overview())
            return EXIT_OK
        if name in BUILTINS and name not in ALIASES:
            self.output.text(f"{name}: {BUILTINS[name]}")
            return EXIT_OK
        method, fmt = resolve(name)
        if method != name:
            shown = f" (prints with -f {fmt!r})" if fmt else ""
            self.output.text(f"{name}: alias for {method}{shown}")
        return self.call("system.methodHelp", [method])

    def overview(self) -> str:
        """The text `help` prints: built-ins, aliases, and where the methods are."""
        table = Table(show_header=False, box=None, pad_edge=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold")
        table.add_column()
        for name, doc in BUILTINS.items():
            table.add_row(Text(name), Text(doc))
        for name, alias in ALIASES.items():
            fmt = f"  (format {alias.format!r})" if alias.format else ""
            table.add_row(Text(name), Text(f"alias for {alias.method}{fmt}"))
        console = Console(width=self.output.console.width, force_terminal=False,
                          color_system=None)
        with console.capture() as captured:
            console.print(Text(f"sercmd {tool_version()}: built-ins and aliases "
                               "(`ls` lists the server's methods, `help METHOD` explains one)"))
            console.print(table)
        return captured.get()
