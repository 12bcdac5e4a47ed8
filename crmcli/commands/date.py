"""crm date add / list / rm: birthdays, anniversaries and any other yearly date."""

from typing import Annotated

import typer

from .. import clock, columns, contacts, output, records
from ..options import Format, Ref, Wide, Yes, command_group, confirm, open_store, record_id

app = command_group("Special dates: birthdays, anniversaries, any yearly date.")
DateId = Annotated[
    int,
    typer.Argument(
        metavar="ID", parser=record_id("special date", "crm date list"),
        help="The date's id (see `crm date list`).",
    ),
]  # fmt: skip


@app.command("add", context_settings={"ignore_unknown_options": True})
def add(
    ref: Ref,
    label: Annotated[
        str, typer.Argument(metavar="LABEL", help="birthday, anniversary, or any text.")
    ],
    date: Annotated[
        str, typer.Argument(metavar="DATE", help="YYYY-MM-DD, or MM-DD when the year is unknown.")
    ],
) -> None:
    """Add a special date (DATE may be --MM-DD too); prints its id alone on stdout."""
    store = open_store()
    contact = contacts.resolve(store, ref)
    date_id = records.add_date(store, contact, label, date, clock.now())
    output.message(f"added {label.strip()} {date.strip()} for {contact['name']} (date {date_id})")
    output.print_id(date_id)


@app.command("edit")
def edit(
    date_id: DateId,
    date: Annotated[
        str | None, typer.Option("--date", help="YYYY-MM-DD, or MM-DD when the year is unknown.")
    ] = None,
    label: Annotated[str | None, typer.Option(help="birthday, anniversary, or any text.")] = None,
) -> None:
    """Correct a special date's day or label."""
    store = open_store()
    row = records.edit(store, "date", date_id, records.date_fields(date, label), clock.now())
    output.message(f"updated {records.describe('date', row)}")


@app.command("list")
def list_(
    ref: Annotated[
        str | None, typer.Argument(metavar="REF", help="Only this contact's dates.")
    ] = None,
    fmt: Format = None,
    wide: Wide = False,
) -> None:
    """List special dates by month and day (a yearless date shows as --MM-DD)."""
    store = open_store()
    chosen = output.check_format(fmt)
    contact_id = contacts.resolve(store, ref)["id"] if ref else None
    output.listing(store.dates.listing(contact_id), chosen, columns.DATES, "no special dates")


@app.command("rm")
def rm(date_id: DateId, yes: Yes = False) -> None:
    """Remove a special date (kept in `crm trash` for 30 days); prints the trash id."""
    store = open_store()
    row = store.dates.get(date_id)
    confirm(f"remove {row['label']} {row['date']} of {row['contact']}", yes)
    label, trash_id = records.remove(store, "date", date_id, clock.now())
    output.message(f"removed {label} (trash entry {trash_id})")
    output.print_id(trash_id)
