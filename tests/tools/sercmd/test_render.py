"""Results and errors as people and scripts see them."""

from __future__ import annotations

import io
import json
from typing import Any

from rich.console import Console

from siprouter.tools.sercmd import render
from siprouter.tools.sercmd.output import Output


def rich_text(value: Any, width: int = 100) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    renderable = render.to_rich(value, "core.test")
    assert renderable is not None
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


# --- kamcmd's plain layout


def test_plain_scalar_is_one_line() -> None:
    assert render.to_plain("siprouter 0.1.0") == "siprouter 0.1.0\n"


def test_plain_multi_value_reply_is_one_value_per_line() -> None:
    assert render.to_plain([123, "main process"]) == "123\nmain process\n"


def test_plain_struct_is_braced_with_tab_indented_members() -> None:
    assert render.to_plain({"now": "x", "uptime": 40}) == "{\n\tnow: x\n\tuptime: 40\n}\n"


def test_plain_nested_array_and_struct() -> None:
    assert render.to_plain({"a": [1, 2], "b": {"c": None}}) == (
        "{\n\ta: [\n\t\t1\n\t\t2\n\t]\n\tb: {\n\t\tc: \n\t}\n}\n")


def test_plain_empty_reply_prints_nothing() -> None:
    assert render.to_plain(None) == ""
    assert render.to_plain([]) == ""


# --- -f formats


def test_format_pairs_values_like_the_ps_alias() -> None:
    assert render.apply_format([1, "main", 2, "udp receiver"], "%v\\t%v\\n") == (
        "1\tmain\n2\tudp receiver\n")


def test_format_rest_is_printed_with_empty_slots() -> None:
    assert render.apply_format([1, 2, 3], "%v-%v|") == "1-2|3-|"


def test_format_percent_escape() -> None:
    assert render.apply_format([5], "%v%% done, not %%v\\n") == "5% done, not %v\n"


def test_format_takes_struct_member_values_in_order() -> None:
    psx = [{"IDX": 0, "PID": 10, "DSC": "main"}, {"IDX": 1, "PID": 11, "DSC": "worker"}]
    assert render.apply_format(psx, "%v %v %v\\n") == "0 10 main\n1 11 worker\n"


def test_format_of_empty_reply_prints_the_format_once() -> None:
    assert render.apply_format(None, "[%v]\\n") == "[]\n"


def test_format_without_slots_goes_before_each_value() -> None:
    assert render.apply_format(["a", "b"], "> ") == "> a> b"


# --- JSON


def test_json_is_the_result_itself() -> None:
    assert json.loads(render.to_json({"a": [1, "é"]})) == {"a": [1, "é"]}
    assert "é" in render.to_json("é")


def test_json_fault_is_the_error_object() -> None:
    assert json.loads(render.fault_json(500, "No such pid")) == {
        "error": {"code": 500, "message": "No such pid"}}


# --- rich


def test_rich_flat_struct_is_a_name_value_table() -> None:
    lines = rich_text({"now": "Mon", "uptime": 40}).splitlines()
    assert lines[0].split() == ["now", "Mon"]
    assert lines[1].split() == ["uptime", "40"]


def test_rich_list_of_scalars_is_one_row_each() -> None:
    assert rich_text(["core.echo", "core.ps"]).split() == ["core.echo", "core.ps"]


def test_rich_list_of_structs_is_a_table_with_a_column_per_member() -> None:
    out = rich_text([{"IDX": 0, "PID": 10, "DSC": "main"}, {"IDX": 1, "PID": 11}])
    lines = [line.split() for line in out.splitlines() if line.strip()]
    assert lines[0] == ["IDX", "PID", "DSC"]
    assert lines[2:] == [["0", "10", "main"], ["1", "11"]]


def test_rich_nested_struct_is_a_tree() -> None:
    out = rich_text({"tcp": {"readers": 8}, "list": [1]})
    assert "core.test" in out and "readers: 8" in out and "[0]: 1" in out


def test_rich_does_not_read_markup_in_server_strings() -> None:
    assert "[bold]x[/bold]" in rich_text("[bold]x[/bold]")


def test_rich_empty_reply_is_nothing() -> None:
    assert render.to_rich(None) is None
    assert render.to_rich([]) is None


# --- errors


def test_fault_line_is_kamcmds() -> None:
    assert render.fault_line(500, "No such pid") == "error: 500 - No such pid"


def test_fault_is_red_on_a_colour_terminal() -> None:
    err = Console(file=io.StringIO(), force_terminal=True, color_system="standard")
    out = Output(Console(file=io.StringIO()), err)
    out.fault(500, "No such pid")
    text = err.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b[1;31m" in text and "error: 500 - No such pid" in text


def test_long_failure_stays_one_line() -> None:
    err = Console(file=io.StringIO(), width=40)
    Output(Console(file=io.StringIO()), err).failure("cannot reach " + "x" * 100)
    assert err.file.getvalue().count("\n") == 1  # type: ignore[attr-defined]


def test_long_output_goes_to_the_pager_short_output_does_not() -> None:
    paged: list[str] = []
    console = Console(file=io.StringIO(), width=80, color_system=None)
    out = Output(console, console, "plain", pager=paged.append, page_after=5)
    out.result(list(range(3)))
    assert paged == [] and console.file.getvalue() == "0\n1\n2\n"  # type: ignore[attr-defined]
    out.result(list(range(10)))
    assert paged == ["".join(f"{i}\n" for i in range(10))]
