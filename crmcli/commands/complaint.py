"""crm complaint add / respond / resolve / edit / rm / list: complaints with a response deadline."""

from typing import Annotated

import typer

from .. import clock, columns, contacts, interactions, output, records
from ..options import (
    AllowFuture,
    Format,
    NoTouch,
    Ref,
    Wide,
    Yes,
    command_group,
    confirm,
    open_store,
    parse_when,
    record_id,
)

app = command_group("Complaints with a response deadline (SLA).")

ComplaintId = Annotated[
    int,
    typer.Argument(
        metavar="ID", parser=record_id("complaint", "crm complaint list --all"),
        help="The complaint's id (see `crm complaints`).",
    ),
]  # fmt: skip
Due = Annotated[
    str | None,
    typer.Option(help="Respond within (48h, 3d) or by (friday 17:00); default: config `sla`."),
]


@app.command("add")
def add(
    ref: Ref,
    summary: Annotated[str, typer.Argument(metavar="SUMMARY", help="What went wrong.")],
    when: Annotated[str | None, typer.Option(help="When it was raised (default: now).")] = None,
    due: Due = None,
    allow_future: AllowFuture = False,
) -> None:
    """Open a complaint; prints its id alone on stdout."""
    from ..when import as_datetime

    store = open_store()
    contact = contacts.resolve(store, ref)
    opened = as_datetime(parse_when(when, prefer="past")) if when else clock.now()
    complaint_id, deadline = records.open_complaint(
        store, contact, summary, opened, due, clock.now(), allow_future
    )
    output.message(
        f"complaint {complaint_id} opened for {contact['name']}; respond by {deadline:%Y-%m-%d %H:%M}"
    )
    output.print_id(complaint_id)


@app.command("respond")
def respond(
    complaint_id: ComplaintId,
    note: Annotated[str | None, typer.Argument(metavar="NOTE", help="What you answered.")] = None,
    no_touch: NoTouch = False,
) -> None:
    """Record the first response; it counts as a touch for the cadence unless --no-touch."""
    store = open_store()
    row = interactions.respond_complaint(store, complaint_id, note, clock.now(), not no_touch)
    late = " (after the deadline)" if row["breached"] else ""
    output.message(f"complaint {complaint_id} of {row['contact']}: responded{late}")


@app.command("resolve")
def resolve(
    complaint_id: ComplaintId,
    note: Annotated[str | None, typer.Option(help="How it was resolved.")] = None,
) -> None:
    """Close a complaint."""
    row = open_store().complaints.resolve(complaint_id, note, clock.now())
    output.message(f"complaint {complaint_id} of {row['contact']} resolved")


@app.command("edit")
def edit(
    complaint_id: ComplaintId,
    summary: Annotated[str | None, typer.Option(help="What went wrong.")] = None,
    when: Annotated[str | None, typer.Option(help="When it was raised.")] = None,
    due: Annotated[str | None, typer.Option(help="A new response deadline.")] = None,
    allow_future: AllowFuture = False,
) -> None:
    """Correct a complaint's summary, opening time or deadline."""
    from ..when import as_datetime

    store = open_store()
    opened = as_datetime(parse_when(when, prefer="past")) if when is not None else None
    row = records.edit_complaint(
        store, complaint_id, summary, opened, due, clock.today(), clock.now(), allow_future
    )
    output.message(f"updated {records.describe('complaint', row)}")


@app.command("rm")
def rm(complaint_id: ComplaintId, yes: Yes = False) -> None:
    """Remove a complaint (kept in `crm trash` for 30 days); prints the trash id."""
    store = open_store()
    row = store.complaints.get(complaint_id, clock.now())
    confirm(f"remove {records.describe('complaint', row)}", yes)
    label, trash_id = records.remove(store, "complaint", complaint_id, clock.now())
    output.message(f"removed {label} (trash entry {trash_id})")
    output.print_id(trash_id)


@app.command("list")
def list_(
    all_: Annotated[bool, typer.Option("--all", "-a", help="Include resolved complaints.")] = False,
    fmt: Format = None,
    wide: Wide = False,
) -> None:
    """Unresolved complaints, oldest first, with age and SLA breaches."""
    store = open_store()
    chosen = output.check_format(fmt)
    rows = store.complaints.listing(clock.now(), include_resolved=all_)
    shown = columns.COMPLAINTS_ALL if all_ else columns.COMPLAINTS
    output.listing(rows, chosen, shown, "no open complaints")
