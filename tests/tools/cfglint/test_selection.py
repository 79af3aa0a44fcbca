"""--select and --ignore take codes or prefixes, comma-separated or repeated (ruff's habit)."""

from __future__ import annotations

import json


def codes(result) -> list[str]:
    return [f["code"] for f in json.loads(result.stdout)]


def test_select_by_prefix(cfglint, cfg):
    assert codes(cfglint("--format", "json", "--select", "W2", cfg("bad.cfg"))) == ["W203"]


def test_select_by_full_code(cfglint, cfg):
    assert codes(cfglint("--format", "json", "--select", "E209", cfg("bad.cfg"))) == ["E209"]


def test_ignore_by_prefix(cfglint, cfg):
    assert codes(cfglint("--format", "json", "--ignore", "E", cfg("bad.cfg"))) == ["W203"]


def test_comma_separated_and_repeated_lists_combine(cfglint, cfg):
    result = cfglint("--format", "json", "--ignore", "E1,E2", "--ignore", "W203", cfg("bad.cfg"))
    assert (result.returncode, codes(result)) == (0, [])


def test_more_specific_select_beats_broader_ignore(cfglint, cfg):
    result = cfglint("--format", "json", "--ignore", "E", "--select", "E209", cfg("bad.cfg"))
    assert codes(result) == ["E209"]


def test_more_specific_ignore_beats_broader_select(cfglint, cfg):
    result = cfglint("--format", "json", "--select", "E2,W", "--ignore", "E209", cfg("bad.cfg"))
    assert codes(result) == ["W203"]


def test_selectors_are_case_insensitive(cfglint, cfg):
    assert codes(cfglint("--format", "json", "--select", "w203", cfg("bad.cfg"))) == ["W203"]


def test_everything_filtered_out_exits_0(cfglint, cfg):
    assert cfglint("--select", "E1", cfg("bad.cfg")).returncode == 0


def test_unknown_selector_is_a_usage_error(cfglint, cfg):
    result = cfglint("--select", "X9", cfg("bad.cfg"))
    assert result.returncode == 2
    assert "unknown rule selector 'X9'" in result.stderr
