"""crm date add / list / rm: birthdays, anniversaries and any other yearly date."""

from typing import Annotated

import typer

from .. import clock, columns, contacts, output
from ..options import Format, Ref, Yes, command_group, confirm, open_store

app = command_group("Special dates: birthdays, anniversaries, any yearly date.")


@app.command("add")
def add(
    ref: Ref,
    label: Annotated[
        str, typer.Argument(metavar="LABEL", help="birthday, anniversary, or any text.")
    ],
    date: Annotated[
        str, typer.Argument(metavar="DATE", help="YYYY-MM-DD, or MM-DD when the year is unknown.")
    ],
) -> None:
    """Add a special date; prints its id alone on stdout."""
    from ..when import parse_special_date

    store = open_store()
    contact = contacts.resolve(store, ref)
    month, day, year = parse_special_date(date)
    date_id = store.add_special_date(
        contact["id"],
        {"label": label, "month": month, "day": day, "year": year, "created": clock.now()},
    )
    output.message(f"added {label.strip()} {date.strip()} for {contact['name']} (date {date_id})")
    output.print_id(date_id)


@app.command("list")
def list_(
    ref: Annotated[
        str | None, typer.Argument(metavar="REF", help="Only this contact's dates.")
    ] = None,
    fmt: Format = None,
) -> None:
    """List special dates by month and day (a yearless date shows as --MM-DD)."""
    store = open_store()
    chosen = output.check_format(fmt)
    contact_id = contacts.resolve(store, ref)["id"] if ref else None
    output.listing(store.list_special_dates(contact_id), chosen, columns.DATES, "no special dates")


@app.command("rm")
def rm(
    date_id: Annotated[
        int, typer.Argument(metavar="ID", help="The date's id (see `crm date list`).")
    ],
    yes: Yes = False,
) -> None:
    """Remove a special date."""
    store = open_store()
    row = store.get_special_date(date_id)
    confirm(f"remove {row['label']} {row['date']} of {row['contact']}", yes)
    store.remove_special_date(date_id)
    output.message(f"removed {row['label']} {row['date']} of {row['contact']}")
