"""crm feedback: a satisfaction score (1–5) or a net promoter answer (0–10)."""

from typing import Annotated

import typer

from .. import clock, contacts, output
from ..options import AllowFuture, Ref, happened, open_store


def feedback(
    ref: Ref,
    score: Annotated[str, typer.Argument(metavar="SCORE", help="1–5, or 0–10 with --scale 10.")],
    comment: Annotated[
        str | None, typer.Argument(metavar="COMMENT", help="What they said.")
    ] = None,
    scale: Annotated[
        str | None, typer.Option(help="5 (satisfaction 1–5, the default) or 10 (NPS 0–10).")
    ] = None,
    when: Annotated[str | None, typer.Option(help="When they said it (default: now).")] = None,
    allow_future: AllowFuture = False,
) -> None:
    """Record a satisfaction score (an interaction of its own); prints its id."""
    from ..interactions import add_feedback

    store = open_store()
    contact = contacts.resolve(store, ref)
    moment = happened(when)
    interaction_id = add_feedback(
        store, contact, score, scale, comment, moment, clock.now(), allow_future
    )
    row = store.interactions.get(interaction_id)
    output.message(
        f"feedback {row['score']}/{row['scale']} from {contact['name']} "
        f"(interaction {interaction_id})"
    )
    output.print_id(interaction_id)
