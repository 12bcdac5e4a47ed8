"""crm feedback: a satisfaction score (1–5) or a net promoter answer (0–10)."""

from typing import Annotated

import typer

from .. import clock, contacts, output
from ..options import AllowFuture, Ref, open_store, parse_when


def feedback(
    ref: Ref,
    score: Annotated[int, typer.Argument(metavar="SCORE", help="1–5, or 0–10 with --scale 10.")],
    comment: Annotated[
        str | None, typer.Argument(metavar="COMMENT", help="What they said.")
    ] = None,
    scale: Annotated[int, typer.Option(help="5 (satisfaction 1–5) or 10 (NPS 0–10).")] = 5,
    when: Annotated[str | None, typer.Option(help="When they said it (default: now).")] = None,
    allow_future: AllowFuture = False,
) -> None:
    """Record a satisfaction score (an interaction of its own); prints its id."""
    from ..interactions import add_feedback

    store = open_store()
    contact = contacts.resolve(store, ref)
    moment = parse_when(when, prefer="past") if when else clock.now()
    interaction_id = add_feedback(
        store, contact, score, scale, comment, moment, clock.now(), allow_future
    )
    output.message(
        f"feedback {score}/{scale} from {contact['name']} (interaction {interaction_id})"
    )
    output.print_id(interaction_id)
