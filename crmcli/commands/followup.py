"""crm followup add / done / snooze / edit / rm / list: dated next steps."""

from typing import Annotated

import typer

from .. import clock, columns, contacts, interactions, output, records
from ..options import (
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

app = command_group("Follow-ups: dated next steps with a contact.")
FollowupId = Annotated[
    int,
    typer.Argument(
        metavar="ID", parser=record_id("follow-up", "crm followup list --all"),
        help="The follow-up's id (see `crm followup list`).",
    ),
]  # fmt: skip
When = Annotated[
    str,
    typer.Argument(
        metavar="WHEN", help="Due: tomorrow, friday, in 2 weeks, 2026-12-03, next tuesday 9:30."
    ),
]


def _shown(due) -> str:
    return str(due).replace("T", " ")[:16]


@app.command("add")
def add(
    ref: Ref,
    when: When,
    note: Annotated[str | None, typer.Argument(metavar="NOTE", help="What to do.")] = None,
) -> None:
    """Add a follow-up (a time of day is kept); prints its id alone on stdout."""
    store = open_store()
    contact = contacts.resolve(store, ref)
    due = parse_when(when)
    followup_id = store.followups.add(contact["id"], due, note, clock.now())
    output.message(f"follow-up {followup_id} with {contact['name']} due {_shown(due)}")
    output.print_id(followup_id)


@app.command("done")
def done(
    followup_id: FollowupId,
    note: Annotated[str | None, typer.Option(help="How it went.")] = None,
    no_touch: NoTouch = False,
) -> None:
    """Mark a follow-up done; it counts as a touch for the cadence unless --no-touch."""
    store = open_store()
    row = interactions.complete_followup(store, followup_id, note, clock.now(), not no_touch)
    output.message(f"follow-up {followup_id} with {row['contact']} done")


@app.command("snooze")
def snooze(followup_id: FollowupId, when: When) -> None:
    """Put a follow-up off to a later day (only later: `edit --due` moves it anywhere)."""
    row = open_store().followups.snooze(followup_id, parse_when(when))
    output.message(f"follow-up {followup_id} with {row['contact']} now due {_shown(row['due'])}")


@app.command("edit")
def edit(
    followup_id: FollowupId,
    due: Annotated[str | None, typer.Option(help="A new due date (any direction).")] = None,
    note: Annotated[str | None, typer.Option(help="What to do (empty clears).")] = None,
) -> None:
    """Correct a follow-up's due date or note."""
    store = open_store()
    changes = {"due": parse_when(due) if due is not None else None, "note": note}
    changes = {key: value for key, value in changes.items() if value is not None}
    row = records.edit(store, "followup", followup_id, changes, clock.now())
    output.message(f"updated {records.describe('followup', row)}")


@app.command("rm")
def rm(followup_id: FollowupId, yes: Yes = False) -> None:
    """Remove a follow-up (kept in `crm trash` for 30 days); prints the trash id."""
    store = open_store()
    row = store.followups.get(followup_id)
    confirm(f"remove {records.describe('followup', row)}", yes)
    label, trash_id = records.remove(store, "followup", followup_id, clock.now())
    output.message(f"removed {label} (trash entry {trash_id})")
    output.print_id(trash_id)


@app.command("list")
def list_(
    all_: Annotated[bool, typer.Option("--all", "-a", help="Include done follow-ups.")] = False,
    fmt: Format = None,
    wide: Wide = False,
) -> None:
    """List open follow-ups, soonest due first."""
    store = open_store()
    chosen = output.check_format(fmt)
    rows = store.followups.listing(clock.today(), include_done=all_)
    output.listing(rows, chosen, columns.FOLLOWUPS, "no open follow-ups")
