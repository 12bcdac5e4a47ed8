"""crm trash list / restore / empty: deleted contacts, kept for 30 days."""

from typing import Annotated

import typer

from .. import clock, columns, output, trash
from ..options import Format, Wide, Yes, command_group, confirm, open_store

app = command_group(f"Deleted contacts, kept for {trash.TRASH_DAYS} days.")


@app.command("list")
def trash_list(fmt: Format = None, wide: Wide = False) -> None:
    """Deleted contacts that can still be restored."""
    store = open_store()
    output.listing(
        trash.listing(store, clock.now()), output.check_format(fmt), columns.TRASH,
        "the trash is empty",
    )  # fmt: skip


@app.command("restore")
def trash_restore(
    ref: Annotated[
        str,
        typer.Argument(metavar="ID|REF", help="The trash entry's id, or a deleted contact's name."),
    ],
) -> None:
    """Restore a removed contact (with everything it had) or record; prints its id."""
    entry, record_id = trash.restore(open_store(), ref, clock.now())
    output.message(f"restored {entry['kind']} {record_id}: {entry['name']}")
    output.print_id(record_id)


@app.command("empty")
def trash_empty(
    expired: Annotated[
        bool, typer.Option("--expired", help=f"Only entries older than {trash.TRASH_DAYS} days.")
    ] = False,
    yes: Yes = False,
) -> None:
    """Remove deleted contacts for good."""
    store = open_store()
    going = trash.listing(store, clock.now())
    if not expired and going:
        names = ", ".join(entry["name"] for entry in going[:5])
        more = f" and {len(going) - 5} more" if len(going) > 5 else ""
        confirm(f"remove {output.plural(len(going), 'trash entry', 'trash entries')} for good "
                f"({names}{more})", yes)  # fmt: skip
    removed = trash.empty(store, expired, clock.now())
    output.message(f"removed {output.plural(removed, 'trash entry', 'trash entries')} for good")
