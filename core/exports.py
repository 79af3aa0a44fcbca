"""What a module exports, declared once: functions, parameters, PV classes, transformations, RPCs,
event routes and counters. Kamailio's `module_exports` in Python.

Each Kamailio module is one Python module `siprouter.modules.<name>` that builds a `ModuleExports`
called `exports`. The cfg checker, the server, `cfglint`, `route-graph`, `sercmd` completion and the
docs all read these declarations through `Registry`, so a function declared here is known
everywhere. The core's own functions and PV classes are declared the same way (`siprouter.core
.runtime.core_exports`) and are always loaded.
"""

from __future__ import annotations

import builtins
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntFlag
from typing import Any


class RouteType(IntFlag):
    """Kinds of route a function may run in (Kamailio's *_ROUTE flags, same bit values)."""

    REQUEST = 1
    FAILURE = 2
    TM_ONREPLY = 4
    BRANCH = 8
    ONSEND = 16
    ERROR = 32
    LOCAL = 64
    CORE_ONREPLY = 128
    BRANCH_FAILURE = 256
    # event_route blocks run as request routes in Kamailio (EVENT_ROUTE == REQUEST_ROUTE).
    EVENT = 1

    ONREPLY = TM_ONREPLY | CORE_ONREPLY
    ANY = 511


# Route-kind keyword (as written in the cfg) -> the route type its body runs as.
ROUTE_KIND_TYPES: dict[str, RouteType] = {
    "request_route": RouteType.REQUEST,
    "route": RouteType.REQUEST,  # named routes inherit the caller's type; checked per caller
    "failure_route": RouteType.FAILURE,
    "branch_route": RouteType.BRANCH,
    "onreply_route": RouteType.TM_ONREPLY,
    "reply_route": RouteType.CORE_ONREPLY,
    "onsend_route": RouteType.ONSEND,
    "event_route": RouteType.EVENT,
    "branch_failure_route": RouteType.BRANCH_FAILURE,
    "error_route": RouteType.ERROR,
    "local_route": RouteType.LOCAL,
}

# The usual route mask of Kamailio's module functions.
REQ_FAIL_BRANCH = RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH
REQ_FAIL = RouteType.REQUEST | RouteType.FAILURE
REQ_FAIL_ONREPLY = RouteType.REQUEST | RouteType.FAILURE | RouteType.ONREPLY
REQ_FAIL_BRANCH_ONREPLY = REQ_FAIL_BRANCH | RouteType.ONREPLY


@dataclass(frozen=True)
class FunctionSpec:
    """A cfg script function: `name(arg, ...)` with one of `arities` argument counts."""

    name: str
    arities: tuple[int, ...]
    routes: RouteType = RouteType.ANY
    doc: str = ""
    module: str = ""
    impl: Callable[..., Any] | None = None
    # Argument positions that are format strings: "$fu from $si" is expanded per call, as
    # Kamailio's spve fixups do. Other string arguments are passed as written (regexes use $).
    formats: frozenset[int] = frozenset()
    # The implementation takes `span=` (the call's place in the cfg), e.g. xlogl's line prefix.
    wants_span: bool = False

    def accepts(self, argc: int) -> bool:
        return argc in self.arities


@dataclass(frozen=True)
class ParamSpec:
    """A modparam: `type` is int or str (Kamailio's PARAM_INT / PARAM_STRING), or a tuple of
    both for the few parameters Kamailio registers twice (e.g. a user name or a numeric id)."""

    name: str
    type: type | tuple[type, ...]
    default: Any = None
    runtime: bool = False  # changeable at runtime through the cfg framework
    multi: bool = False  # may be given more than once
    doc: str = ""
    # The cfg framework's name for a runtime parameter when Kamailio gives it another one
    # than the modparam (registrar's realm_prefix is the cfg variable realm_pref).
    cfg_name: str = ""
    # The values `cfg.set` accepts for a runtime integer parameter (Kamailio's cfg_def
    # min..max: e.g. tm's cancel_b_method 0..2); None: any
    range: tuple[int, int] | None = None

    @property
    def cfg_var(self) -> str:
        """The name of this runtime parameter in the cfg framework (cfg.get, cfg.set)."""
        return self.cfg_name or self.name

    def accepts(self, value_type: builtins.type) -> bool:
        """Whether a value of `value_type` (int or str) may be given for this parameter."""
        types = self.type if isinstance(self.type, tuple) else (self.type,)
        return value_type in types


@dataclass(frozen=True)
class PVSpec:
    """A pseudo-variable class: `$name` or `$name(inner)`."""

    name: str
    writable: bool = False
    inner: bool | None = None  # True: needs (inner); False: takes none; None: either
    doc: str = ""


@dataclass(frozen=True)
class RPCSpec:
    name: str
    doc: str = ""
    params: tuple[str, ...] = ()
    handler: Callable[..., Any] | None = None


@dataclass
class ModuleEnv:
    """What a module's `init`/`child_init` hooks get from the server (see runtime.modinit)."""

    config: Any  # the parsed config (siprouter.core.cfg.ast.Config)
    params: dict[str, list[Any]]  # modparam values given for this module, in config order
    services: dict[str, Any] = field(default_factory=dict)  # e.g. "cfg": the cfg framework
    pid: int = 0  # the process the hook runs in

    def param(self, name: str, default: Any = None) -> Any:
        """The last value given for parameter `name`, else `default`."""
        values = self.params.get(name)
        return values[-1] if values else default


@dataclass
class ModuleExports:
    """Everything one module declares. Build it once at import time with the helper methods."""

    name: str
    doc: str = ""
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    params: dict[str, ParamSpec] = field(default_factory=dict)
    pvs: dict[str, PVSpec] = field(default_factory=dict)
    transformations: dict[str, frozenset[str]] = field(default_factory=dict)
    rpcs: dict[str, RPCSpec] = field(default_factory=dict)
    event_routes: tuple[str, ...] = ()
    counters: dict[str, str] = field(default_factory=dict)  # "group.name" -> description
    # Counters whose value is computed when read ("group.name" -> getter), e.g. usrloc's
    # number of stored bindings.
    counter_getters: dict[str, Callable[[], int]] = field(default_factory=dict)
    # The module's typed parameters: modparams are applied onto its fields by name at start-up.
    settings: Any = None
    init: Callable[[ModuleEnv], None] | None = None  # once, in the main process
    child_init: Callable[[ModuleEnv], None] | None = None  # in every worker

    def function(
        self,
        name: str,
        args: int | Iterable[int] = 0,
        routes: RouteType = RouteType.ANY,
        doc: str = "",
        formats: Iterable[int] = (),
        wants_span: bool = False,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Declare a script function; use as a decorator to attach its implementation.

        `args` is the allowed argument count or counts (`(0, 2)` for `t_relay()` and
        `t_relay(host, port)`); `formats` the positions of arguments whose PVs are expanded
        per call (`xlog("from $fu")`).
        """
        arities = (args,) if isinstance(args, int) else tuple(sorted(args))
        fmt = frozenset(formats)
        spec = FunctionSpec(name, arities, routes, doc, self.name, None, fmt, wants_span)
        self.functions[name] = spec

        def attach(impl: Callable[..., Any]) -> Callable[..., Any]:
            self.functions[name] = FunctionSpec(name, arities, routes, doc or (impl.__doc__ or ""),
                                                self.name, impl, fmt, wants_span)
            return impl

        return attach

    def param(self, name: str, type_: type | tuple[type, ...], default: Any = None, *, runtime: bool = False,
              multi: bool = False, doc: str = "", cfg_name: str = "",
              range: tuple[int, int] | None = None) -> None:
        self.params[name] = ParamSpec(name, type_, default, runtime, multi, doc, cfg_name, range)

    def pv(self, name: str, *, writable: bool = False, inner: bool | None = None,
           doc: str = "") -> None:
        self.pvs[name] = PVSpec(name, writable, inner, doc)

    def transformation(self, cls: str, names: Iterable[str]) -> None:
        self.transformations[cls] = frozenset(names)

    def rpc(self, name: str, doc: str = "", params: Iterable[str] = ()) -> Callable[
            [Callable[..., Any]], Callable[..., Any]]:
        """Declare an RPC command; use as a decorator to attach its handler."""
        self.rpcs[name] = RPCSpec(name, doc, tuple(params))

        def attach(handler: Callable[..., Any]) -> Callable[..., Any]:
            self.rpcs[name] = RPCSpec(name, doc or (handler.__doc__ or ""), tuple(params), handler)
            return handler

        return attach


class UnknownModule(LookupError):
    pass


def _normalise(name: str) -> str:
    """`tm.so`, `/usr/lib/kamailio/modules/tm.so` and `tm` all name module `tm`."""
    base = name.rsplit("/", 1)[-1]
    return base[:-3] if base.endswith(".so") else base


class Registry:
    """Finds module declarations by Kamailio module name and answers look-ups for a set of
    loaded modules. Modules are imported lazily, the first time they are named."""

    CORE = "core"

    def __init__(self, package: str = "siprouter.modules") -> None:
        self._package = package
        self._cache: dict[str, ModuleExports] = {}

    @staticmethod
    def module_name(spec: str) -> str:
        return _normalise(spec)

    def available(self) -> list[str]:
        """Every module this installation ships, by Kamailio name."""
        pkg = importlib.import_module(self._package)
        return sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))

    def core(self) -> ModuleExports:
        if self.CORE not in self._cache:
            from .runtime.core_exports import exports

            self._cache[self.CORE] = exports
        return self._cache[self.CORE]

    def get(self, name: str) -> ModuleExports:
        """The declarations of module `name` (e.g. "tm" or "tm.so"); UnknownModule if none."""
        name = _normalise(name)
        if name == self.CORE:
            return self.core()
        if name not in self._cache:
            if not name.isidentifier():
                raise UnknownModule(name)
            try:
                mod = importlib.import_module(f"{self._package}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name and (exc.name == f"{self._package}.{name}"):
                    raise UnknownModule(name) from None
                raise
            exports = getattr(mod, "exports", None)
            if not isinstance(exports, ModuleExports):
                raise UnknownModule(name)
            self._cache[name] = exports
        return self._cache[name]

    def has(self, name: str) -> bool:
        try:
            self.get(name)
        except UnknownModule:
            return False
        return True

    def loaded(self, names: Iterable[str]) -> LoadedSet:
        """A view over the core plus the given (known) modules."""
        mods = [self.core()]
        for n in names:
            if self.has(n):
                mods.append(self.get(n))
        return LoadedSet(mods)

    def find_function_owner(self, fname: str) -> list[str]:
        """Modules (not necessarily loaded) that export `fname`: for hints."""
        owners = []
        for n in self.available():
            try:
                if fname in self.get(n).functions:
                    owners.append(n)
            except UnknownModule:
                continue
        return owners


class LoadedSet:
    """Look-ups over the core and the loaded modules, later modules shadowing nothing: the first
    declaration of a name wins, as in Kamailio's find_export."""

    def __init__(self, modules: list[ModuleExports]) -> None:
        self.modules = modules
        self.functions: dict[str, FunctionSpec] = {}
        self.pvs: dict[str, PVSpec] = {}
        self.transformations: dict[str, frozenset[str]] = {}
        self.event_routes: set[str] = set()
        self.rpcs: dict[str, RPCSpec] = {}
        for m in modules:
            for k, f in m.functions.items():
                self.functions.setdefault(k, f)
            for k, p in m.pvs.items():
                self.pvs.setdefault(k, p)
            for k, t in m.transformations.items():
                self.transformations[k] = self.transformations.get(k, frozenset()) | t
            self.event_routes.update(m.event_routes)
            for k, r in m.rpcs.items():
                self.rpcs.setdefault(k, r)


_default: Registry | None = None


def default_registry() -> Registry:
    """The process-wide registry over `siprouter.modules`."""
    global _default
    if _default is None:
        _default = Registry()
    return _default
