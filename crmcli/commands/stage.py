"""crm stage REF STAGE / rm ID: move a contact through the lifecycle (dated), or take a move back."""

from typing import Annotated

import typer

from .. import clock, contacts, model, output, records
from ..options import (
    AllowFuture,
    Ref,
    Yes,
    confirm,
    default_command_group,
    happened,
    open_store,
    record_id,
)

app = default_command_group("Move a contact through the lifecycle: crm stage REF STAGE.", "move")


@app.command("move")
def move(
    ref: Ref,
    to_stage: Annotated[
        str, typer.Argument(metavar="STAGE", help=f"One of: {', '.join(model.STAGES)}.")
    ],
    reason: Annotated[str | None, typer.Option(help="Why (kept with the change).")] = None,
    when: Annotated[str | None, typer.Option(help="When it happened (default: now).")] = None,
    allow_future: AllowFuture = False,
) -> None:
    """Move a contact through the lifecycle; every move is dated."""
    store = open_store()
    contact = contacts.resolve(store, ref)
    updated = records.move_stage(
        store, contact, to_stage, happened(when), reason, clock.now(), allow_future
    )
    output.message(f"{updated['name']}: {contact['stage'] or 'no stage'} → {updated['stage']}")


@app.command("rm")
def rm(
    change_id: Annotated[
        int,
        typer.Argument(
            metavar="ID",
            parser=record_id("stage change", "crm contact show REF"),
            help="The stage change's id (see `crm contact show REF`).",
        ),
    ],
    yes: Yes = False,
) -> None:
    """Remove a wrong stage move (kept in `crm trash`); the contact goes back a stage."""
    store = open_store()
    row = store.stages.get(change_id)
    confirm(f"remove {records.describe('stage change', row)}", yes)
    label, trash_id = records.remove(store, "stage change", change_id, clock.now())
    output.message(f"removed {label} (trash entry {trash_id})")
    output.print_id(trash_id)
