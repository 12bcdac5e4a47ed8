"""crm log: record an interaction (and, in the same step, a follow-up or a complaint)."""

from typing import Annotated

import typer

from .. import clock, contacts, model, output
from ..options import AllowFuture, Channel, happened, open_store, parse_when


def log(
    refs: Annotated[
        str,
        typer.Argument(
            metavar="REF", help="Contact(s): an id, email or name; several separated by commas."
        ),
    ],
    summary: Annotated[str, typer.Argument(metavar="SUMMARY", help="What happened, in one line.")],
    channel: Channel = None,
    direction: Annotated[
        str | None, typer.Option(help="in (they reached you) or out (default).")
    ] = None,
    when: Annotated[
        str | None,
        typer.Option(help="When it happened (default: now): yesterday, monday, 2026-11-20 14:00."),
    ] = None,
    outcome: Annotated[str | None, typer.Option(help="How it ended.")] = None,
    amount: Annotated[str | None, typer.Option(help="Money earned, e.g. 1200.50.")] = None,
    rating: Annotated[str | None, typer.Option(help="Satisfaction, 1 to 5.")] = None,
    sentiment: Annotated[
        str | None, typer.Option(help=f"One of: {', '.join(model.SENTIMENTS)}.")
    ] = None,
    follow_up: Annotated[
        str | None,
        typer.Option("--follow-up", help="Add a follow-up due then: in 2 weeks, friday."),
    ] = None,
    follow_up_note: Annotated[
        str | None, typer.Option("--follow-up-note", help="What the follow-up is for.")
    ] = None,
    complaint: Annotated[
        bool, typer.Option("--complaint", help="Also open a complaint about it.")
    ] = False,
    allow_future: AllowFuture = False,
    no_reply: Annotated[
        bool,
        typer.Option("--no-reply", help="A message in that needs no answer (a thank-you)."),
    ] = False,
) -> None:
    """Record an interaction; prints its id alone on stdout.

    A message or email that came in (--direction in) waits for your reply until you answer it
    (anything outbound, a call or a meeting): `crm overdue` lists it after `reply_within`."""
    from ..interactions import record_interaction

    store = open_store()
    people = contacts.resolve_many(store, refs)
    moment = happened(when)
    fields = dict(
        summary=summary, channel=channel, direction=direction, outcome=outcome, amount=amount,
        rating=rating, sentiment=sentiment, happened_at=moment,
    )  # fmt: skip
    fields = {key: value for key, value in fields.items() if value is not None}
    if no_reply:
        fields["awaits_reply"] = False
    due = parse_when(follow_up) if follow_up is not None else None
    result = record_interaction(
        store, people, fields, clock.now(), due, follow_up_note, complaint, allow_future
    )
    for line in result.messages:
        output.message(line)
    output.print_id(result.interaction_id)
