"""crm stage: move a contact through the lifecycle (dated)."""

from typing import Annotated

import typer

from .. import clock, contacts, model, output
from ..options import Ref, open_store, parse_when


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
    contact = contacts.resolve(store, ref)
    moment = parse_when(when, prefer="past") if when else clock.now()
    updated = store.change_stage(contact["id"], to_stage, moment, reason, clock.now())
    output.message(f"{updated['name']}: {contact['stage'] or 'no stage'} → {updated['stage']}")
