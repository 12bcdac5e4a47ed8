"""How the daily reports look: their columns and the digest page in every format."""

from __future__ import annotations

import sys
from typing import Any

from . import output

OVERDUE_COLUMNS = (
    "kind",
    "contact",
    "due",
    "days_overdue",
    "reason",
    "last_interaction",
    "channel",
    "email",
    "phone",
)
UPCOMING_COLUMNS = ("date", "in_days", "contact", "label", "years", "channel", "email", "phone")
COMPLAINT_COLUMNS = (
    "id",
    "contact",
    "summary",
    "opened",
    "age_days",
    "due",
    "breached",
    "responded",
    "channel",
    "email",
    "phone",
)
DIGEST_FORMATS = ("table", "plain", "markdown", "json")

SECTIONS = (
    ("overdue", "Overdue", OVERDUE_COLUMNS),
    ("upcoming", "Upcoming", UPCOMING_COLUMNS),
    ("complaints", "Open complaints", COMPLAINT_COLUMNS),
    ("missed", "Missed while the digest did not run", UPCOMING_COLUMNS),
)


def render_digest(report: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        public = {k: v for k, v in report.items() if k != "empty"}
        sys.stdout.write(output.to_json(public, indent=2) + "\n")
        return
    out = sys.stdout
    heading = f"crm digest for {report['date']}"
    if fmt == "markdown":
        out.write(f"# {heading}\n\n{report['summary']}\n\n")
    elif fmt == "table":
        output.console().print(f"[bold]{heading}[/bold]\n{report['summary']}")
    else:
        out.write(f"{heading}\n{report['summary']}\n")
    for key, title, columns in SECTIONS:
        rows = report[key]
        if key == "missed" and not rows:
            continue
        title = f"{title} ({len(rows)})"
        if fmt == "markdown":
            output.render(rows, "markdown", columns=columns, title=title)
        elif rows:
            out.write("\n")
            output.render(rows, fmt, columns=columns, title=title)
        elif fmt == "plain":
            out.write(f"\n{title}\n  nothing\n")
        else:
            output.console().print(f"\n[bold]{title}[/bold]\n  nothing")


def render_sections(
    report: dict[str, Any], sections, fmt: str, lines: tuple[str, ...] | list[str] = ()
) -> None:
    """A report of several parts: one JSON object, or a heading line then a table per part."""
    if fmt in ("json", "jsonl"):
        sys.stdout.write(output.to_json(report, indent=2 if fmt == "json" else None) + "\n")
        return
    if fmt in ("csv", "tsv"):  # one table only makes sense: the first part
        key, _, _ = sections[0]
        output.render(report[key], fmt)
        return
    for line in lines:
        sys.stdout.write(line + "\n")
    for key, title, columns in sections:
        rows = report[key]
        sys.stdout.write("\n")
        if rows:
            output.render(rows, fmt, columns=columns, title=title)
        else:
            sys.stdout.write(f"{title}\n  nothing\n")


def bars(rows: list[dict[str, Any]], label: str, value: str, fmt: str, width: int = 40) -> None:
    """A horizontal bar per row, scaled to the largest value (# in plain text, █ on a terminal)."""
    if fmt in ("json", "jsonl", "csv", "tsv"):
        output.render(rows, fmt)
        return
    mark = "█" if fmt == "table" else "#"
    largest = max((row[value] for row in rows), default=0) or 1
    name_width = max((len(str(row[label])) for row in rows), default=0)
    for row in rows:
        length = round(width * row[value] / largest)
        sys.stdout.write(
            f"{str(row[label]).ljust(name_width)}  {mark * length}{' ' if length else ''}{row[value]}\n"
        )
