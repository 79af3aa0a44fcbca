"""-A/--define reaches the preprocessor, so #!ifdef decides what is linted."""

from __future__ import annotations

import json


def test_code_inside_undefined_ifdef_is_not_linted(cfglint, cfg):
    result = cfglint("--format", "json", cfg("ifdef.cfg"))
    assert (result.returncode, json.loads(result.stdout)) == (0, [])


def test_define_enables_the_bad_line(cfglint, cfg):
    result = cfglint("-A", "WITH_BAD", "--format", "json", cfg("ifdef.cfg"))
    assert result.returncode == 1
    assert [(f["code"], f["line"]) for f in json.loads(result.stdout)] == [("E209", 3)]


def test_long_option_and_value_form_work_too(cfglint, cfg):
    result = cfglint("--define", "WITH_BAD=1", cfg("ifdef.cfg"))
    assert result.returncode == 1
