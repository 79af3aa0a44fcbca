"""Source positions: where a piece of preprocessed text came from.

The preprocessor joins files (include_file) and expands `#!define`s, so an offset in the text the
lexer reads is not an offset in any one file. A `SourceMap` answers "which file, line and column
does this offset come from" so that every token, AST node and diagnostic can name the place the
operator wrote. Line and column are computed only when asked (tomllib's habit): lexing stays a
scan over offsets.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Position:
    """A place in an original source file; line and column are 1-based."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Span:
    """A range in an original file: start inclusive, end exclusive (same file).

    `expanded_from` names the `#!define` whose value produced this text, when it did.
    """

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    expanded_from: str | None = None

    @property
    def start(self) -> Position:
        return Position(self.file, self.line, self.column)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def to(self, other: Span) -> Span:
        """The span from the start of this one to the end of `other` (same file), else self."""
        if other.file != self.file or (other.end_line, other.end_column) < (self.line, self.column):
            return self
        return Span(self.file, self.line, self.column, other.end_line, other.end_column,
                    self.expanded_from)


UNKNOWN_SPAN = Span("<unknown>", 1, 1, 1, 1)


@dataclass(frozen=True, slots=True)
class Segment:
    """Output text from `out_start` on was copied from `file` starting at `line`:`column`.

    When `expansion` is set the text is a define's value: every offset in it maps to the single
    place where the define was used (`line`:`column`, `length` characters long there).
    """

    out_start: int
    file: str
    line: int
    column: int
    expansion: str | None = None
    length: int = 0


@dataclass
class SourceMap:
    """Maps offsets in preprocessed text back to original files.

    Segments are appended in increasing `out_start` order by the preprocessor. Inside a plain
    (non-expansion) segment text was copied verbatim, so lines and columns advance with the text.
    """

    text: str = ""
    segments: list[Segment] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)
    _line_starts: list[int] = field(default_factory=list)
    _seg_lines: list[int] = field(default_factory=list)

    def add(self, segment: Segment) -> None:
        if self._starts and segment.out_start < self._starts[-1]:
            raise ValueError("segments must be added in order")
        if self._starts and segment.out_start == self._starts[-1]:
            # An empty previous segment: the new one replaces it.
            self.segments[-1] = segment
            return
        self.segments.append(segment)
        self._starts.append(segment.out_start)

    @classmethod
    def identity(cls, text: str, file: str) -> SourceMap:
        """A map for text that was not preprocessed: offsets map into `file` directly."""
        smap = cls(text=text)
        smap.add(Segment(0, file, 1, 1))
        return smap

    def _newlines(self) -> list[int]:
        if not self._line_starts:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos >= 0:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        return self._line_starts

    def position(self, offset: int) -> tuple[str, int, int, str | None]:
        """(file, line, column, define name or None) of the character at `offset`."""
        if not self.segments:
            return ("<unknown>", 1, offset + 1, None)
        idx = bisect.bisect_right(self._starts, offset) - 1
        if idx < 0:
            idx = 0
        seg = self.segments[idx]
        if seg.expansion is not None:
            return (seg.file, seg.line, seg.column, seg.expansion)
        # Lines and columns advance with the text copied since the segment began.
        newlines = self._newlines()
        line_idx = bisect.bisect_right(newlines, offset) - 1
        seg_line_idx = self._segment_line_index(idx, newlines)
        lines_down = line_idx - seg_line_idx
        if lines_down == 0:
            return (seg.file, seg.line, seg.column + (offset - seg.out_start), None)
        return (seg.file, seg.line + lines_down, offset - newlines[line_idx] + 1, None)

    def _segment_line_index(self, idx: int, newlines: list[int]) -> int:
        cache = self._seg_lines
        if len(cache) != len(self.segments):
            cache.extend([-1] * (len(self.segments) - len(cache)))
        value = cache[idx]
        if value < 0:
            value = bisect.bisect_right(newlines, self.segments[idx].out_start) - 1
            cache[idx] = value
        return value

    def span(self, start: int, end: int) -> Span:
        """The original-source span of output text `start`..`end` (end exclusive)."""
        starts = self._starts
        if not starts:
            return Span("<unknown>", 1, start + 1, 1, end + 1)
        idx = bisect.bisect_right(starts, start) - 1
        if idx < 0:
            idx = 0
        seg = self.segments[idx]
        if seg.expansion is not None:
            return Span(seg.file, seg.line, seg.column, seg.line,
                        seg.column + max(seg.length, 1), seg.expansion)
        last = max(start, end - 1)
        if idx + 1 < len(starts) and last >= starts[idx + 1]:
            # The range crosses segments (an expansion inside it, or an include): its end is
            # where the last character came from, when that is plain text of the same file.
            file, line, col, _ = self.position(start)
            efile, eline, ecol, eexp = self.position(last)
            if efile != file or eexp is not None or (eline, ecol) < (line, col):
                return Span(file, line, col, line, col + 1)
            return Span(file, line, col, eline, ecol + 1)
        # Fast path, one segment: lines and columns advance with the copied text.
        newlines = self._newlines()
        seg_li = self._segment_line_index(idx, newlines)
        li = bisect.bisect_right(newlines, start) - 1
        li_end = bisect.bisect_right(newlines, last, li) - 1
        line = seg.line + (li - seg_li)
        col = seg.column + (start - seg.out_start) if li == seg_li else start - newlines[li] + 1
        end_line = seg.line + (li_end - seg_li)
        end_col = (seg.column + (last - seg.out_start) if li_end == seg_li
                   else last - newlines[li_end] + 1)
        return Span(seg.file, line, col, end_line, end_col + 1)
