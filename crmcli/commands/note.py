"""crm note REF TEXT / list / edit / rm: dated notes on a contact's timeline."""

from typing import Annotated

import typer

from .. import clock, columns, contacts, output, records
from ..options import (
    Format,
    Ref,
    Wide,
    Yes,
    confirm,
    default_command_group,
    open_store,
    record_id,
)

app = default_command_group("Dated notes on a contact's timeline: crm note REF TEXT.", "add")
NoteId = Annotated[
    int,
    typer.Argument(
        metavar="ID", parser=record_id("note", "crm note list REF"),
        help="The note's id (see `crm note list REF`).",
    ),
]  # fmt: skip
Text = Annotated[str, typer.Argument(metavar="TEXT", help="The note.")]


@app.command("add")
def add(ref: Ref, text: Text) -> None:
    """Add a dated note to a contact (kept as history, searchable); prints its id."""
    store = open_store()
    contact = contacts.resolve(store, ref)
    note_id = records.add_note(store, contact, text, clock.now())
    output.message(f"note {note_id} on {contact['name']}")
    output.print_id(note_id)


@app.command("list")
def list_(
    ref: Annotated[str | None, typer.Argument(metavar="REF", help="Only this contact's.")] = None,
    fmt: Format = None,
    wide: Wide = False,
) -> None:
    """Notes, newest first."""
    store = open_store()
    chosen = output.check_format(fmt)
    contact_id = contacts.resolve(store, ref)["id"] if ref else None
    rows = store.notes.listing(contact_id)
    output.listing(rows, chosen, columns.NOTES, "no notes")


@app.command("edit")
def edit(note_id: NoteId, text: Text) -> None:
    """Correct a note's text."""
    store = open_store()
    row = records.edit(store, "note", note_id, {"text": text}, clock.now())
    output.message(f"updated {records.describe('note', row)}")


@app.command("rm")
def rm(note_id: NoteId, yes: Yes = False) -> None:
    """Remove a note (kept in `crm trash` for 30 days); prints the trash id."""
    store = open_store()
    row = store.notes.get(note_id)
    confirm(f"remove {records.describe('note', row)}", yes)
    label, trash_id = records.remove(store, "note", note_id, clock.now())
    output.message(f"removed {label} (trash entry {trash_id})")
    output.print_id(trash_id)
