"""Module start-up: modparams land on each module's settings; init hooks see the config."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from siprouter.core.cfg.parser import parse_text
from siprouter.core.exports import ModuleEnv, ModuleExports
from siprouter.core.runtime import modinit


@dataclass
class DemoSettings:
    limit: int = 70
    prefix: str = "x"
    enabled: bool = False
    servers: list[str] = field(default_factory=list)


def demo_module() -> ModuleExports:
    mod = ModuleExports("demo")
    mod.param("limit", int, 70)
    mod.param("prefix", str, "x")
    mod.param("enabled", int, 0)
    mod.param("servers", str, None, multi=True)
    mod.param("ignored", str, "")
    mod.settings = DemoSettings()
    return mod


def config(text: str):
    cfg, diags = parse_text(text)
    assert diags == []
    return cfg


def test_modparams_are_applied_to_the_settings_by_name():
    mod = demo_module()
    modinit.init_modules(config('modparam("demo", "limit", 15)\nmodparam("demo", "prefix", "p")\n'
                                'modparam("demo", "enabled", 1)\n'), [mod])
    assert mod.settings == DemoSettings(limit=15, prefix="p", enabled=True)


def test_a_repeatable_parameter_collects_every_value():
    mod = demo_module()
    modinit.init_modules(config('modparam("demo", "servers", "a")\n'
                                'modparam("demo", "servers", "b")\n'), [mod])
    assert mod.settings.servers == ["a", "b"]


def test_a_numeric_string_fills_an_int_parameter():
    mod = demo_module()
    modinit.init_modules(config('modparam("demo", "limit", "20")\n'), [mod])
    assert mod.settings.limit == 20


def test_module_lists_apply_to_each_module_named():
    mod = demo_module()
    modinit.init_modules(config('modparam("other|demo", "limit", 3)\n'), [mod])
    assert mod.settings.limit == 3


def test_a_bad_value_is_refused_at_start_up():
    mod = demo_module()
    with pytest.raises(ValueError):
        modinit.init_modules(config('modparam("demo", "limit", "lots")\n'), [mod])


def test_init_and_child_init_hooks_get_the_module_environment():
    mod = demo_module()
    seen: list[tuple[str, object, object]] = []

    def init(env: ModuleEnv) -> None:
        seen.append(("init", env.param("prefix"), env.services.get("cfg")))

    def child_init(env: ModuleEnv) -> None:
        seen.append(("child", env.param("prefix"), env.services.get("cfg")))

    mod.init, mod.child_init = init, child_init
    services: dict[str, object] = {}
    modinit.init_modules(config('modparam("demo", "prefix", "q")\n'), [mod], services=services)
    services["cfg"] = "the cfg framework"  # the server adds it after init, before forking
    modinit.child_init_modules()
    assert seen == [("init", "q", None), ("child", "q", "the cfg framework")]
    assert modinit.module_env("demo").params == {"prefix": ["q"]}
