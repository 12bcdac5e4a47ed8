"""crm complaint add / respond / resolve / list: complaints with an agreed response time."""

from typing import Annotated

import typer

from .. import clock, columns, contacts, output
from ..options import Format, Ref, command_group, open_store, parse_when

app = command_group("Complaints with a response deadline (SLA).")

ComplaintId = Annotated[
    int, typer.Argument(metavar="ID", help="The complaint's id (see `crm complaints`).")
]


@app.command("add")
def add(
    ref: Ref,
    summary: Annotated[str, typer.Argument(metavar="SUMMARY", help="What went wrong.")],
    when: Annotated[str | None, typer.Option(help="When it was raised (default: now).")] = None,
    due: Annotated[
        str | None,
        typer.Option(help="Respond within (48h, 3d) or by (friday 17:00); default: config `sla`."),
    ] = None,
) -> None:
    """Open a complaint; prints its id alone on stdout."""
    from ..interactions import complaint_deadline
    from ..when import as_datetime

    store = open_store()
    contact = contacts.resolve(store, ref)
    opened = as_datetime(parse_when(when, prefer="past")) if when else clock.now()
    deadline = complaint_deadline(store, opened, due, clock.today(), clock.now())
    complaint_id = store.add_complaint(contact["id"], summary, opened, deadline)
    output.message(
        f"complaint {complaint_id} opened for {contact['name']}; respond by {deadline:%Y-%m-%d %H:%M}"
    )
    output.print_id(complaint_id)


@app.command("respond")
def respond(
    complaint_id: ComplaintId,
    note: Annotated[str | None, typer.Argument(metavar="NOTE", help="What you answered.")] = None,
) -> None:
    """Record the first response to a complaint."""
    row = open_store().respond_complaint(complaint_id, note, clock.now())
    late = " (after the deadline)" if row["breached"] else ""
    output.message(f"complaint {complaint_id} of {row['contact']}: responded{late}")


@app.command("resolve")
def resolve(
    complaint_id: ComplaintId,
    note: Annotated[str | None, typer.Option(help="How it was resolved.")] = None,
) -> None:
    """Close a complaint."""
    row = open_store().resolve_complaint(complaint_id, note, clock.now())
    output.message(f"complaint {complaint_id} of {row['contact']} resolved")


@app.command("list")
def list_(
    all_: Annotated[bool, typer.Option("--all", "-a", help="Include resolved complaints.")] = False,
    fmt: Format = None,
) -> None:
    """Unresolved complaints, oldest first, with age and SLA breaches."""
    store = open_store()
    chosen = output.check_format(fmt)
    rows = store.list_complaints(clock.now(), include_resolved=all_)
    shown = columns.COMPLAINTS_ALL if all_ else columns.COMPLAINTS
    output.listing(rows, chosen, shown, "no open complaints")
