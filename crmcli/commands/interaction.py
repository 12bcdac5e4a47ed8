"""crm interaction show / edit / rm: correct or remove a logged touch."""

from typing import Annotated

import typer

from .. import clock, contacts, model, output, records
from ..options import (
    AllowFuture,
    Channel,
    ReportFormat,
    Wide,
    Yes,
    command_group,
    confirm,
    open_store,
    parse_when,
    record_id,
)

app = command_group("Correct or remove a logged interaction.")

InteractionId = Annotated[
    int,
    typer.Argument(
        metavar="ID", parser=record_id("interaction", "crm contact show REF"),
        help="The interaction's id (see `crm contact show REF`).",
    ),
]  # fmt: skip


@app.command("show")
def show(interaction_id: InteractionId, fmt: ReportFormat = None, wide: Wide = False) -> None:
    """One interaction with everyone who took part."""
    store = open_store()
    row = store.interactions.get(interaction_id)
    output.render_report(row, output.check_format(fmt, output.REPORT_FORMATS), [],
                         heading=output.record_lines(row))  # fmt: skip


@app.command("edit")
def edit(
    interaction_id: InteractionId,
    summary: Annotated[str | None, typer.Option(help="What happened.")] = None,
    when: Annotated[str | None, typer.Option(help="When it happened.")] = None,
    contact: Annotated[
        str | None, typer.Option("--contact", help="Who took part instead (REFs, comma-separated).")
    ] = None,
    channel: Channel = None,
    direction: Annotated[str | None, typer.Option(help="in or out.")] = None,
    outcome: Annotated[str | None, typer.Option(help="How it ended (empty clears).")] = None,
    amount: Annotated[str | None, typer.Option(help="Money earned (empty clears).")] = None,
    rating: Annotated[str | None, typer.Option(help="1 to 5 (empty clears).")] = None,
    sentiment: Annotated[str | None, typer.Option(help="positive, neutral, negative.")] = None,
    awaits_reply: Annotated[
        bool | None,
        typer.Option(
            "--awaits-reply/--no-reply",
            help="A message in that waits for your answer, or one that needs none.",
        ),
    ] = None,
    allow_future: AllowFuture = False,
) -> None:
    """Correct an interaction: summary, time, channel, amount… or who it was with."""
    store = open_store()
    changes = {
        "summary": summary, "channel": channel, "direction": direction, "outcome": outcome,
        "amount": amount, "rating": rating, "sentiment": sentiment, "awaits_reply": awaits_reply,
        "happened_at": parse_when(when, prefer="past") if when is not None else None,
    }  # fmt: skip
    changes = {key: value for key, value in changes.items() if value is not None}
    if changes.get("awaits_reply") or {"direction", "channel"} & changes.keys():
        row = store.interactions.get(interaction_id)  # the model's rule, on the whole record
        changes.setdefault("direction", row["direction"])
        changes.setdefault("channel", row["channel"])
        if "awaits_reply" not in changes:  # a message turned outbound waits no more
            changes["awaits_reply"] = bool(row["awaits_reply"]) and model.awaits_reply(
                str(changes["direction"]), str(changes["channel"])
            )
    people = contacts.resolve_many(store, contact) if contact is not None else None
    row = records.edit_interaction(
        store, interaction_id, changes, people, clock.today(), allow_future
    )
    output.message(f"updated {records.describe('interaction', row)}")


@app.command("rm")
def rm(interaction_id: InteractionId, yes: Yes = False) -> None:
    """Remove an interaction (kept in `crm trash` for 30 days); prints the trash id."""
    store = open_store()
    row = store.interactions.get(interaction_id)
    confirm(f"remove {records.describe('interaction', row)}", yes)
    label, trash_id = records.remove(store, "interaction", interaction_id, clock.now())
    output.message(f"removed {label} (trash entry {trash_id})")
    output.print_id(trash_id)
