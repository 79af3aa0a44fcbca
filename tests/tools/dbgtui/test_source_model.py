"""The source pane's model: markers, the current line and the cursor."""

from __future__ import annotations

from rich.style import Style

from siprouter.tools.dbgtui.source_model import BREAKPOINT_MARK, CURRENT_MARK, SourceModel

CFG = "\n".join(f"line{n}" for n in range(1, 13))


def test_gutter_shows_breakpoints_current_line_and_numbers() -> None:
    m = SourceModel("/k.cfg", CFG, breakpoints={3, 5}, current=5)
    assert m.render(3).plain == f"{BREAKPOINT_MARK}  3 line3"
    assert m.render(5).plain == f"{BREAKPOINT_MARK}{CURRENT_MARK} 5 line5"
    assert m.render(12).plain == "  12 line12"
    assert m.gutter_width == 5


def test_markers_alone() -> None:
    m = SourceModel("/k.cfg", CFG, breakpoints={2}, current=4)
    assert [m.markers(n) for n in (1, 2, 4)] == ["  ", BREAKPOINT_MARK + " ", " " + CURRENT_MARK]


def test_current_line_style_wins_over_the_cursor() -> None:
    m = SourceModel("/k.cfg", CFG, current=4)
    m.move_cursor(4)
    styles = {"current": Style(bgcolor="yellow"), "cursor": Style(bgcolor="blue")}
    assert Style(bgcolor="yellow") in [s.style for s in m.render(4, styles).spans]
    m.move_cursor(6)
    assert Style(bgcolor="blue") in [s.style for s in m.render(6, styles).spans]


def test_cursor_stays_inside_the_file() -> None:
    m = SourceModel("/k.cfg", CFG)
    assert m.move_cursor(0) == 1 and m.move_cursor(99) == 12


def test_loading_another_file_keeps_the_cursor_in_range() -> None:
    m = SourceModel("/k.cfg", CFG)
    m.move_cursor(12)
    m.load("/inc.cfg", "a\nb")
    assert (m.file, m.line_count, m.cursor, m.line_text(2), m.line_text(3)) == (
        "/inc.cfg", 2, 2, "b", "")
