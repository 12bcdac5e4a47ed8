"""The one place rows become text: table, plain, csv, tsv, json, jsonl (and markdown).

Rows are dicts keyed by snake_case field names; those names are the JSON keys and CSV headers.
`columns` picks what a person sees in table / plain / markdown; the machine formats carry every
field. Data goes to stdout; messages go to stderr through `message`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from .layout import cell_width, fit_columns
from .model import MULTI_SEPARATOR, choice
from .terminal import for_terminal as for_terminal  # what every data writer uses
from .terminal import shown as shown  # what every renderer and message uses
from .wording import plural as plural  # the output layer says counts as every message does

FORMATS = ("table", "plain", "csv", "tsv", "json", "jsonl")
REPORT_FORMATS = ("table", "plain", "markdown", "csv", "tsv", "json", "jsonl")
HUMAN = ("table", "plain", "markdown")
Row = dict[str, Any]


def default_format(stream: TextIO | None = None) -> str:
    """`table` on a terminal, `plain` when piped or redirected."""
    stream = stream or sys.stdout
    return "table" if stream.isatty() else "plain"


def check_format(fmt: str | None, allowed: Sequence[str] = FORMATS) -> str:
    if fmt is None:
        chosen = default_format()
        return chosen if chosen in allowed else allowed[0]
    return choice(fmt, tuple(allowed), "format") or allowed[0]


def message(text: str) -> None:
    """A note for the person at the terminal, never mixed into the data on stdout; anything
    from data in it is shown escaped, on one line."""
    # stderr gone or full: a note nobody can read must not fail a command that worked
    with contextlib.suppress(OSError):
        print(shown(text), file=sys.stderr)


def document(text: str) -> None:
    """A text meant for elsewhere (a message to send) on stdout: exact in a pipe; on a terminal
    its lines are kept and anything else unsafe is shown escaped."""
    if sys.stdout.isatty():  # line ends (\n, or a vCard's \r\n) kept; the rest shown escaped
        parts = re.split(r"(\r?\n)", text)
        text = "".join(part if index % 2 else shown(part) for index, part in enumerate(parts))
    sys.stdout.write(text)


def print_id(record_id: int) -> None:
    print(record_id)


# --------------------------------------------------------------------------- cell values


_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}$")


def human(value: Any) -> str:
    """A value as a person reads it in table / plain output, on one line, escaped; stored
    times as `2026-11-24 09:00`."""
    if type(value) is str:
        if len(value) == 19 and value[10] == "T":
            value = _TIMESTAMP.sub(r"\1 \2", value)
        return shown(_one_line(value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return (
            "; ".join(human(v) for v in value)
            if value and isinstance(value[0], dict)
            else (", ".join(human(v) for v in value))
        )
    if isinstance(value, dict):  # an address: its parts, type first
        return ", ".join(human(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, float):
        return f"{value:.2f}"
    return shown(str(value))


def flat(value: Any) -> str:
    """A value in one CSV / TSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return MULTI_SEPARATOR.join(flat(v) for v in value)
    return str(value)


def tsv_cell(value: Any) -> str:
    return (
        flat(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


# --------------------------------------------------------------------------- renderers


def render(
    rows: Iterable[Row],
    fmt: str,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    out: TextIO | None = None,
) -> int:
    """Write rows in `fmt`; returns how many were written. Bulk formats stream."""
    out = out or sys.stdout
    if fmt not in HUMAN:  # the human formats escape cell by cell already
        out = for_terminal(out)
    writer = {
        "csv": _write_csv,
        "tsv": _write_tsv,
        "json": _write_json,
        "jsonl": _write_jsonl,
        "plain": _write_plain,
        "table": _write_table,
        "markdown": _write_markdown,
    }[fmt]
    return writer(rows, out, columns=columns, title=title)


def _fields(first: Row | None, columns) -> list[str]:
    return list(first.keys()) if first else list(columns or [])


def _write_csv(rows, out, columns=None, title=None, delimiter=","):
    import csv

    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    count = 0
    header: list[str] | None = None
    for row in rows:
        if header is None:
            header = list(row.keys())
            writer.writerow(header)
        writer.writerow([flat(row.get(key)) for key in header])
        count += 1
    return count  # no rows, no header: a header of guessed columns would mislead scripts


def _write_tsv(rows, out, columns=None, title=None):
    count = 0
    header: list[str] | None = None
    for row in rows:
        if header is None:
            header = list(row.keys())
            out.write("\t".join(header) + "\n")
        out.write("\t".join(tsv_cell(row.get(key)) for key in header) + "\n")
        count += 1
    return count


def write_cells(
    out: TextIO, header: Sequence[str], batches: Iterable[Sequence[Sequence[Any]]], fmt: str
) -> int:
    """Rows of flat cells (an export's) as CSV or TSV, streamed in batches; the header is
    written even when no row follows, so a script reading it learns the columns either way."""
    count = 0
    out = for_terminal(out)
    if fmt == "csv":
        import csv

        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for batch in batches:
            writer.writerows(batch)
            count += len(batch)
        return count
    out.write("\t".join(header) + "\n")
    for batch in batches:
        out.writelines("\t".join(tsv_cell(cell) for cell in row) + "\n" for row in batch)
        count += len(batch)
    return count


def to_json(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, default=str)


def _write_json(rows, out, columns=None, title=None):
    count = 0
    out.write("[")
    for row in rows:
        out.write(("," if count else "") + "\n  " + to_json(row))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _write_jsonl(rows, out, columns=None, title=None):
    count = 0
    for row in rows:
        out.write(to_json(row) + "\n")
        count += 1
    return count


def _visible(rows: list[Row], columns) -> list[str]:
    return list(columns) if columns else _fields(rows[0] if rows else None, None)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_width(text))


def _write_plain(rows, out, columns=None, title=None):
    """Aligned columns, two spaces apart (by display width, so CJK names line up); no colour,
    no box characters; every cell in full."""
    rows = list(rows)
    if not rows:
        return 0
    keys = _visible(rows, columns)
    cells = [[human(row.get(key)) for key in keys] for row in rows]
    widths = [max(len(key), *(cell_width(line[i]) for line in cells)) for i, key in enumerate(keys)]
    if title:
        out.write(f"{shown(title)}\n")
    for line in [keys, *cells]:
        out.write(
            "  ".join(_pad(cell, width) for cell, width in zip(line, widths, strict=True)).rstrip()
            + "\n"
        )
    return len(rows)


def _one_line(text: str) -> str:
    if "\n" in text or "\r" in text:
        return text.replace("\r", " ").replace("\n", " ")
    return text


def _write_markdown(rows, out, columns=None, title=None):
    rows = list(rows)
    if title:
        out.write(f"# {title}\n\n")
    if not rows:
        out.write("Nothing.\n\n")
        return 0
    keys = _visible(rows, columns)
    out.write("| " + " | ".join(keys) + " |\n")
    out.write("|" + "|".join("---" for _ in keys) + "|\n")
    for row in rows:
        cells = [_markdown_cell(human(row.get(key))) for key in keys]
        out.write("| " + " | ".join(cells) + " |\n")
    out.write("\n")
    return len(rows)


_MARKDOWN_ACTIVE = re.compile(r"([\\|<>\[\]`])")


def _markdown_cell(text: str) -> str:
    """A cell that renders as the text it holds: no HTML, no link, no code span, no column
    break can come from data (emphasis marks are left: they are harmless and common)."""
    return _MARKDOWN_ACTIVE.sub(r"\\\1", _one_line(text))


def console(out: TextIO | None = None):
    """A rich console on stdout. With NO_COLOR set, no escape codes at all (not even bold)."""
    from rich.console import Console

    if no_color():
        return Console(file=out or sys.stdout, highlight=False, soft_wrap=False, color_system=None)
    return Console(file=out or sys.stdout, highlight=False, soft_wrap=False)


TABLE_LIMIT = 500  # rows; rich takes seconds to lay out thousands (DESIGN.md measured 6 s for 10k)
WIDE = False  # `--wide`: show every column in full, however wide the table gets


def set_wide(value: bool) -> None:
    global WIDE
    WIDE = WIDE or value


def _write_table(rows, out, columns=None, title=None):
    rows = list(rows)
    if not rows:
        return 0
    if len(rows) > TABLE_LIMIT:
        message(
            f"{plural(len(rows), 'row')}: shown in the plain layout (a table is for screen-sized output)"
        )
        return _write_plain(rows, out, columns=columns, title=title)
    from rich import box
    from rich.table import Table

    keys = _visible(rows, columns)
    cells = {key: [human(row.get(key)) for row in rows] for key in keys}
    # a column with nothing in it takes room from those with something (plain output and
    # --wide keep it: there the layout is the same for every run)
    filled = [key for key in keys if any(cells[key])] or keys[:1]
    keys = keys if WIDE else filled
    screen = console(out)
    width = 10**6 if WIDE else screen.width
    shown_keys, hidden, widths = fit_columns(keys, cells, width)
    caption = None
    if hidden:
        caption = f"hidden: {', '.join(hidden)} (--wide shows them)"
    table = Table(
        title=shown(title) if title else None, box=box.SIMPLE_HEAVY, title_justify="left",
        title_style="bold",
    )  # fmt: skip
    for key in shown_keys:
        table.add_column(key, width=widths[key], no_wrap=True, overflow="ellipsis")
    for index in range(len(rows)):
        table.add_row(*(_escape(cells[key][index]) for key in shown_keys))
    if WIDE:
        screen.width = sum(widths.values()) + 3 * len(shown_keys) + 1
    screen.print(table)
    if caption:  # under the table, as wide as the screen (a caption wraps to the table's width)
        screen.print(caption, style="dim", markup=False, highlight=False)
    return len(rows)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def listing(
    rows: Iterable[Row], fmt: str, columns: Sequence[str] | None = None, empty: str = ""
) -> int:
    """A listing in `fmt`; on a terminal or in plain text, `empty` on stderr when it has no rows
    (machine formats stay silent: `[]` in JSON, nothing in CSV)."""
    count = render(rows, fmt, columns=columns)
    if not count and empty and fmt in HUMAN:
        message(empty)
    return count


@dataclass(frozen=True)
class Section:
    """One part of a report: where its rows are in the report, and how a person sees them."""

    key: str
    title: str
    columns: tuple[str, ...] | None = None
    count: bool = False  # "Overdue (3)"
    optional: bool = False  # left out when it has no rows
    bars: tuple[str, str] | None = None  # (label, value): drawn as bars on a screen


def render_report(
    report: Row,
    fmt: str,
    sections: Sequence[Section],
    title: str | None = None,
    heading: Sequence[str] = (),
    out: TextIO | None = None,
) -> None:
    """A report of several parts in any format: one JSON object (the whole report), CSV / TSV
    with a `section` column, or a title, heading lines, then a table per part (table, plain,
    markdown)."""
    out = out or sys.stdout
    if fmt in ("json", "jsonl"):
        out.write(to_json(report, indent=2 if fmt == "json" else None) + "\n")
        return
    if fmt in ("csv", "tsv"):
        render(_sectioned_rows(report, sections), fmt, out=out)
        return
    _write_heading(title, heading, fmt, out)
    for section in sections:
        rows = report[section.key]
        if section.optional and not rows:
            continue
        title = f"{section.title} ({len(rows)})" if section.count else section.title
        if fmt != "markdown":
            out.write("\n")
        if section.bars and fmt != "markdown":
            out.write(f"{title}\n")
            bars(rows, *section.bars, fmt, out=out)
        elif rows or fmt == "markdown":
            render(rows, fmt, columns=section.columns, title=title, out=out)
        elif fmt == "table":
            console(out).print(f"[bold]{_escape(title)}[/bold]\n  nothing")
        else:
            out.write(f"{title}\n  nothing\n")


def _write_heading(title: str | None, lines: Sequence[str], fmt: str, out: TextIO) -> None:
    title = shown(title) if title else title
    lines = [shown(line) for line in lines]
    if title and fmt == "markdown":
        out.write(f"# {title}\n\n")
    elif title and fmt == "table":
        console(out).print(f"[bold]{_escape(title)}[/bold]")
    elif title:
        out.write(f"{title}\n")
    if fmt == "table":  # wrapped at words to the terminal
        for line in lines:
            console(out).print(_escape(line))
    else:
        out.write("".join(f"{line}\n" for line in lines))
    if lines and fmt == "markdown":
        out.write("\n")


def _sectioned_rows(report: Row, sections: Sequence[Section]) -> list[Row]:
    """Every part's rows with the part's name first, under the union of their columns."""
    rows = [{"section": s.key, **row} for s in sections for row in report[s.key]]
    keys: dict[str, None] = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    return [{key: row.get(key) for key in keys} for row in rows]


def bars(
    rows: list[Row], label: str, value: str, fmt: str, width: int = 40, out: TextIO | None = None
) -> None:
    """A horizontal bar per row, scaled to the largest value (# in plain text, █ on a terminal)."""
    out = out or sys.stdout
    mark = "█" if fmt == "table" else "#"
    largest = max((row[value] for row in rows), default=0) or 1
    name_width = max((len(str(row[label])) for row in rows), default=0)
    for row in rows:
        length = round(width * row[value] / largest)
        out.write(
            f"{str(row[label]).ljust(name_width)}  {mark * length}{' ' if length else ''}{row[value]}\n"
        )


def record_lines(record: Row) -> list[str]:
    """One record as `field  value` lines, for a person."""
    width = max((len(key) for key in record), default=0)
    return [
        f"{key.ljust(width)}  {_one_line(human(value))}".rstrip() for key, value in record.items()
    ]


def no_color() -> bool:
    return "NO_COLOR" in os.environ


def import_report(summary: Any, what: str, dry_run: bool) -> None:
    """An import's summary on stderr: columns nobody maps, warnings, skipped rows, counts."""
    if summary.ignored_columns:
        shown = ", ".join(summary.ignored_columns[:12])
        more = len(summary.ignored_columns) - 12
        extra = f" and {more} more" if more > 0 else ""
        message(f'ignored columns: {shown}{extra} (map one with --map "Column=field")')
    notes(summary.warnings, "warning: ")
    notes(summary.invalid, "skipped ", collapse=False)
    message(summary.line(what, dry_run))


SHOWN = 200  # lines of warnings (or of rows skipped) said before "… and N more"


def notes(lines: list[str], prefix: str, collapse: bool = True) -> None:
    """Warnings (or skipped rows) on stderr, one line each: what many share said once, and no
    more than SHOWN lines however many there are (990,000 kept vCard lines said 990,000)."""
    shown = _collapsed(lines) if collapse else lines
    for line in shown[:SHOWN]:
        message(f"{prefix}{line}")
    if len(shown) > SHOWN:
        message(f"{prefix}… and {len(shown) - SHOWN:,} more")


def _collapsed(warnings: list[str], at_most: int = 3) -> list[str]:
    """Warnings, one line for what many records share (a phone's vendor line on each of 354
    cards is said once, with how many and where): `card 1: X kept` ×354 → `X kept (354
    times: card 1, card 2 … card 354)`."""
    by_text: dict[str, list[str]] = {}
    for warning in warnings:
        where, sep, text = warning.partition(": ")
        by_text.setdefault(text if sep else warning, []).append(where if sep else "")
    said: list[str] = []
    for warning in warnings:
        where, sep, text = warning.partition(": ")
        places = by_text.pop(text if sep else warning, None)
        if places is None:
            continue
        if len(places) <= at_most or not sep:
            said.extend(f"{place}: {text}" if sep else warning for place in places)
        else:
            said.append(f"{text} ({len(places)} times: {places[0]}, {places[1]} … {places[-1]})")
    return said
