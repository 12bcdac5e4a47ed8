"""crm report retention / satisfaction / value / contact-load / activity."""

from typing import Annotated

import typer

from .. import clock, columns, insights, output
from ..options import Format, ReportFormat, Wide, command_group, open_store, parse_day

app = command_group("What the relationships are worth and how they change.")


def _number(value) -> str:
    return "n/a" if value is None else f"{value:g}"


@app.command("retention")
def retention(
    since: Annotated[
        str | None, typer.Option(help="Start of the period (default: 1 year ago).")
    ] = None,
    fmt: ReportFormat = None,
    wide: Wide = False,
) -> None:
    """Contacts per stage, moves in the period, dissolutions and how long things take."""
    store = open_store()
    chosen = output.check_format(fmt, output.REPORT_FORMATS)
    start = parse_day(since, prefer="past") if since else None
    report = insights.retention(store, start, clock.today())
    lines = [
        f"median days from exploration to commitment: {_number(report['median_days_exploration_to_commitment'])}",
        f"median length of dissolved relationships (days): {_number(report['median_days_dissolved_relationship'])}",
    ]
    title = f"retention since {report['since']}"
    output.render_report(report, chosen, columns.RETENTION, title=title, heading=lines)


@app.command("satisfaction")
def satisfaction(fmt: ReportFormat = None, wide: Wide = False) -> None:
    """Average score and NPS, per month, and unhappy contacts not contacted since."""
    store = open_store()
    chosen = output.check_format(fmt, output.REPORT_FORMATS)
    report = insights.satisfaction(store)
    average = "no scores" if report["average_5"] is None else f"{report['average_5']:g}/5"
    title = (
        f"{output.plural(report['responses'], 'response')} · average {average} · "
        f"NPS {_number(report['nps'])} ({output.plural(report['promoters'], 'promoter')}, "
        f"{output.plural(report['detractors'], 'detractor')})"
    )
    output.render_report(report, chosen, columns.SATISFACTION, title=title)


@app.command("value")
def value(
    top: Annotated[
        int | None, typer.Option(help="Only the N most valuable contacts.", min=1)
    ] = insights.VALUE_TOP,
    fmt: ReportFormat = None,
    wide: Wide = False,
) -> None:
    """Revenue, acquisition cost and lifetime value per contact, with totals."""
    store = open_store()
    chosen = output.check_format(fmt, output.REPORT_FORMATS)
    report = insights.value(store, top)
    totals = report["totals"]
    title = (
        f"{output.plural(totals['clients'], 'paying client')} · revenue {totals['revenue']:.2f} · cost "
        f"{totals['cost']:.2f} · lifetime value {totals['lifetime_value']:.2f}"
    )
    output.render_report(report, chosen, columns.VALUE_REPORT, title=title)


@app.command("contact-load")
def contact_load(
    days: Annotated[
        int, typer.Option(help="The window, in days, ending today.", min=1, max=366)
    ] = insights.LOAD_DAYS,
    limit: Annotated[
        int | None,
        typer.Option(help="Outbound touches allowed (default: config load_limit).", min=0),
    ] = None,
    fmt: Format = None,
    wide: Wide = False,
) -> None:
    """Who is being contacted too often: more outbound touches than the limit in the window."""
    store = open_store()
    chosen = output.check_format(fmt)
    rows = insights.contact_load(store, clock.today(), days, limit)
    allowed = insights.load_limit(store, limit)
    output.listing(
        rows,
        chosen,
        None,
        f"nobody had more than {output.plural(allowed, 'outbound touch', 'outbound touches')} "
        f"in {output.plural(days, 'day')}",
    )


@app.command("activity")
def activity(
    months: Annotated[
        int, typer.Option(help="How many months back.", min=1, max=insights.MAX_MONTHS)
    ] = insights.ACTIVITY_MONTHS,
    fmt: ReportFormat = None,
    wide: Wide = False,
) -> None:
    """Interactions per month and the pipeline by stage, drawn as bars."""
    store = open_store()
    chosen = output.check_format(fmt, output.REPORT_FORMATS)
    report = insights.activity(store, clock.today(), months)
    output.render_report(report, chosen, columns.ACTIVITY)
