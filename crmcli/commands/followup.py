"""crm followup add / done / snooze / list: dated next steps."""

from typing import Annotated

import typer

from .. import clock, columns, contacts, output
from ..options import Format, Ref, command_group, open_store, parse_day

app = command_group("Follow-ups: dated next steps with a contact.")
FollowupId = Annotated[
    int, typer.Argument(metavar="ID", help="The follow-up's id (see `crm followup list`).")
]


@app.command("add")
def add(
    ref: Ref,
    when: Annotated[
        str, typer.Argument(metavar="WHEN", help="Due: tomorrow, friday, in 2 weeks, 2026-12-03.")
    ],
    note: Annotated[str | None, typer.Argument(metavar="NOTE", help="What to do.")] = None,
) -> None:
    """Add a follow-up; prints its id alone on stdout."""
    store = open_store()
    contact = contacts.resolve(store, ref)
    due = parse_day(when)
    followup_id = store.add_followup(contact["id"], due, note, clock.now())
    output.message(f"follow-up {followup_id} with {contact['name']} due {due}")
    output.print_id(followup_id)


@app.command("done")
def done(
    followup_id: FollowupId, note: Annotated[str | None, typer.Option(help="How it went.")] = None
) -> None:
    """Mark a follow-up done."""
    row = open_store().complete_followup(followup_id, note, clock.now())
    output.message(f"follow-up {followup_id} with {row['contact']} done")


@app.command("snooze")
def snooze(
    followup_id: FollowupId,
    when: Annotated[str, typer.Argument(metavar="WHEN", help="New due date: monday, +3d.")],
) -> None:
    """Put a follow-up off to a later day."""
    row = open_store().snooze_followup(followup_id, parse_day(when))
    output.message(f"follow-up {followup_id} with {row['contact']} now due {row['due']}")


@app.command("list")
def list_(
    all_: Annotated[bool, typer.Option("--all", "-a", help="Include done follow-ups.")] = False,
    fmt: Format = None,
) -> None:
    """List open follow-ups, soonest due first."""
    store = open_store()
    chosen = output.check_format(fmt)
    rows = store.list_followups(clock.today(), include_done=all_)
    output.listing(rows, chosen, columns.FOLLOWUPS, "no open follow-ups")
