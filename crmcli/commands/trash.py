"""crm trash list / restore / empty: deleted contacts, kept for 30 days."""

from typing import Annotated

import typer

from .. import clock, output, trash
from ..options import Format, command_group, open_store

app = command_group(f"Deleted contacts, kept for {trash.TRASH_DAYS} days.")


@app.command("list")
def trash_list(fmt: Format = None) -> None:
    """Deleted contacts that can still be restored."""
    store = open_store()
    output.listing(
        trash.listing(store, clock.now()), output.check_format(fmt), None, "the trash is empty"
    )


@app.command("restore")
def trash_restore(
    trash_id: Annotated[int, typer.Argument(metavar="ID", help="The trash entry's id.")],
) -> None:
    """Restore a deleted contact with everything it had; prints the contact's id."""
    contact_id = trash.restore(open_store(), trash_id)
    output.message(f"restored contact {contact_id}")
    output.print_id(contact_id)


@app.command("empty")
def trash_empty(
    expired: Annotated[
        bool, typer.Option("--expired", help=f"Only entries older than {trash.TRASH_DAYS} days.")
    ] = False,
) -> None:
    """Remove deleted contacts for good."""
    removed = trash.empty(open_store(), expired, clock.now())
    output.message(f"removed {removed} deleted contact(s) for good")
