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
