"""crm stage, feedback, report ..., template ..., search: acting on the relationship model."""

from typing import Annotated

import typer

from .. import clock, model, output, views
from ..options import Format, Ref, command_group, db_path, open_store, parse_day, parse_when

report_app = command_group("What the relationships are worth and how they change.")
template_app = command_group("Message templates filled from a contact's fields.")


def stage(
    ref: Ref,
    to_stage: Annotated[
        str, typer.Argument(metavar="STAGE", help=f"One of: {', '.join(model.STAGES)}.")
    ],
    reason: Annotated[str | None, typer.Option(help="Why (kept with the change).")] = None,
    when: Annotated[str | None, typer.Option(help="When it happened (default: now).")] = None,
) -> None:
    """Move a contact through the lifecycle; every move is dated."""
    store = open_store()
    contact = store.resolve_contact(ref)
    moment = parse_when(when, prefer="past") if when else clock.now()
    updated = store.change_stage(contact["id"], to_stage, moment, reason, clock.now())
    output.message(f"{updated['name']}: {contact['stage'] or 'no stage'} → {updated['stage']}")


def feedback(
    ref: Ref,
    score: Annotated[int, typer.Argument(metavar="SCORE", help="1–5, or 0–10 with --scale 10.")],
    comment: Annotated[
        str | None, typer.Argument(metavar="COMMENT", help="What they said.")
    ] = None,
    scale: Annotated[int, typer.Option(help="5 (satisfaction 1–5) or 10 (NPS 0–10).")] = 5,
    when: Annotated[str | None, typer.Option(help="When they said it (default: now).")] = None,
) -> None:
    """Record a satisfaction score (an interaction of its own); prints its id."""
    store = open_store()
    contact = store.resolve_contact(ref)
    moment = parse_when(when, prefer="past") if when else clock.now()
    interaction_id = store.add_feedback(contact["id"], score, scale, comment, moment, clock.now())
    output.message(
        f"feedback {score}/{scale} from {contact['name']} (interaction {interaction_id})"
    )
    output.print_id(interaction_id)


@report_app.command("retention")
def retention(
    since: Annotated[
        str | None, typer.Option(help="Start of the period (default: 1 year ago).")
    ] = None,
    fmt: Format = None,
) -> None:
    """Contacts per stage, moves in the period, dissolutions and how long things take."""
    from ..insights import retention as build

    store = open_store()
    chosen = output.check_format(fmt)
    today = clock.today()
    start = parse_day(since, prefer="past") if since else today.replace(year=today.year - 1)
    report = build(store, start, today)
    lines = [
        f"retention since {report['since']}",
        f"median days from exploration to commitment: {_number(report['median_days_exploration_to_commitment'])}",
        f"median length of dissolved relationships (days): {_number(report['median_days_dissolved_relationship'])}",
    ]
    sections = [
        ("stages", "Contacts per stage now", None),
        ("flows", f"Moves since {report['since']}", None),
        ("dissolutions", "Dissolutions", None),
        ("relationships", "Relationship types", None),
    ]
    views.render_sections(report, sections, chosen, lines)


def _number(value) -> str:
    return "n/a" if value is None else f"{value:g}"


@report_app.command("satisfaction")
def satisfaction(fmt: Format = None) -> None:
    """Average score and NPS, per month, and unhappy contacts not contacted since."""
    from ..insights import satisfaction as build

    store = open_store()
    chosen = output.check_format(fmt)
    report = build(store)
    lines = [
        f"{report['responses']} responses · average {_number(report['average_5'])}/5 · "
        f"NPS {_number(report['nps'])} ({report['promoters']} promoters, {report['detractors']} detractors)"
    ]
    sections = [
        ("trend", "Per month", None),
        ("low_scores_not_contacted_since", "Low scores not contacted since", None),
    ]
    views.render_sections(report, sections, chosen, lines)


@report_app.command("value")
def value(
    top: Annotated[int | None, typer.Option(help="Only the N most valuable contacts.", min=1)] = 20,
    fmt: Format = None,
) -> None:
    """Revenue, acquisition cost and lifetime value per contact, with totals."""
    from ..insights import value as build

    store = open_store()
    chosen = output.check_format(fmt)
    report = build(store, top)
    totals = report["totals"]
    lines = [
        f"{totals['clients']} paying clients · revenue {totals['revenue']:.2f} · cost "
        f"{totals['cost']:.2f} · lifetime value {totals['lifetime_value']:.2f}"
    ]
    columns = (
        "contact",
        "revenue",
        "cost",
        "lifetime_value",
        "first_sale",
        "last_sale",
        "months_active",
    )
    views.render_sections(report, [("contacts", "Per contact", columns)], chosen, lines)


@report_app.command("contact-load")
def contact_load(
    days: Annotated[
        int, typer.Option(help="The window, in days, ending today.", min=1, max=366)
    ] = 7,
    limit: Annotated[
        int | None,
        typer.Option(help="Outbound touches allowed (default: config load_limit).", min=0),
    ] = None,
    fmt: Format = None,
) -> None:
    """Who is being contacted too often: more outbound touches than the limit in the window."""
    from .. import settings
    from ..insights import contact_load as build

    store = open_store()
    chosen = output.check_format(fmt)
    allowed = limit if limit is not None else int(settings.get(store, "load_limit"))
    rows = build(store, clock.today(), days, allowed)
    if not output.render(rows, chosen) and chosen in ("table", "plain"):
        output.message(f"nobody had more than {allowed} outbound touches in {days} days")


@report_app.command("activity")
def activity(
    months: Annotated[int, typer.Option(help="How many months back.", min=1, max=120)] = 12,
    fmt: Format = None,
) -> None:
    """Interactions per month and the pipeline by stage, drawn as bars."""
    from ..insights import activity as build

    store = open_store()
    chosen = output.check_format(fmt)
    report = build(store, clock.today(), months)
    if chosen in ("json", "jsonl", "csv", "tsv"):
        views.render_sections(report, [("months", "", None), ("pipeline", "", None)], chosen)
        return
    print("Interactions per month")
    views.bars(report["months"], "month", "interactions", chosen)
    print("\nPipeline by stage")
    views.bars(report["pipeline"], "stage", "contacts", chosen)


@template_app.command("list")
def template_list(fmt: Format = None) -> None:
    """Built-in templates and your own (NAME.txt in the templates folder beside the database)."""
    from .. import templates

    rows = [
        {"name": name, "source": source, "fields": templates.placeholders(text)}
        for name, (source, text) in templates.available(db_path()).items()
    ]
    output.render(rows, output.check_format(fmt))


@template_app.command("show")
def template_show(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A template's name.")],
) -> None:
    """Print a template as written, placeholders and all."""
    from .. import templates

    print(templates.get(db_path(), name)[1], end="")


@template_app.command("render")
def template_render(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A template's name.")],
    ref: Ref,
    sets: Annotated[
        list[str] | None, typer.Option("--set", help="Supply a field: --set amount_due=1200.")
    ] = None,
) -> None:
    """Print a message filled with a contact's fields; a missing field is an error naming it."""
    from .. import templates

    store = open_store()
    text = templates.get(db_path(), name)[1]
    contact = store.resolve_contact(ref)
    fields = templates.contact_fields(store, contact, clock.today(), clock.now())
    fields.update(templates.parse_sets(sets or []))
    print(templates.render(name, text, fields, contact["name"]), end="")


def search(
    text: Annotated[str, typer.Argument(metavar="TEXT", help="Words to find (all of them).")],
    limit: Annotated[int, typer.Option(help="At most this many results.", min=1)] = 50,
    fmt: Format = None,
) -> None:
    """Full-text search over names, companies, notes and interactions, best first."""
    from ..model import text as check_text

    store = open_store()
    chosen = output.check_format(fmt)
    query = check_text(text, "search text", required=True)
    rows = store.search(query, limit)
    columns = ("kind", "contact", "happened_at", "snippet")
    if not output.render(rows, chosen, columns=columns) and chosen in ("table", "plain"):
        output.message(f"nothing matches {query!r}")
