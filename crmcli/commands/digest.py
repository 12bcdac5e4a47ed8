"""crm digest: the daily question answered on one page (for a terminal or a cron mail)."""

import sys
from typing import Annotated

import typer

from .. import clock, columns, output, reports
from ..options import Days, LeapDay, ReportFormat, Wide, open_store


def digest(
    days: Days = None,
    leap_day: LeapDay = None,
    quiet_if_empty: Annotated[
        bool, typer.Option("--quiet-if-empty", help="Print nothing when nothing is due (for cron).")
    ] = False,
    fmt: ReportFormat = None,
    wide: Wide = False,
) -> None:
    """The daily digest: overdue, upcoming and complaints on one page."""
    store = open_store()
    chosen = output.check_format(fmt, output.REPORT_FORMATS)
    report = reports.run_digest(store, clock.today(), clock.now(), days, leap_day)
    if not (quiet_if_empty and reports.is_empty(report)):
        title = f"crm digest for {report['date']}"
        sections = columns.digest_sections(report["missed_title"])
        output.render_report(report, chosen, sections, title=title, heading=[report["summary"]])
        sys.stdout.flush()  # out (or failed) before the run is remembered
    reports.remember_run(store, clock.today())
