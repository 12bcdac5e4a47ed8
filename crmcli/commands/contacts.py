"""crm contact add / list / show / edit / archive / unarchive / delete."""

import sys
from typing import Annotated

import typer

from .. import clock, output
from ..errors import CrmError
from ..options import Channel, Format, Ref, Relationship, Stage, command_group, open_store

app = command_group("Add, list, show, change and remove contacts.")

LIST_COLUMNS = ("id", "name", "email", "phone", "company", "tags", "stage", "last_interaction")

Emails = Annotated[
    list[str] | None, typer.Option("--email", "-e", help="An email; repeat for several.")
]
Phones = Annotated[
    list[str] | None, typer.Option("--phone", "-p", help="A phone; repeat for several.")
]
Tags = Annotated[list[str] | None, typer.Option("--tag", "-t", help="A tag; repeat for several.")]
Company = Annotated[str | None, typer.Option(help="Company or organisation.")]
Title = Annotated[str | None, typer.Option(help="Job title.")]
Every = Annotated[
    str | None, typer.Option(help="Keep-in-touch cadence: 30d, 6w, 3m, 1y ('off' clears it).")
]
Birthday = Annotated[
    str | None, typer.Option(help="YYYY-MM-DD, or MM-DD when the year is unknown.")
]
Owner = Annotated[str | None, typer.Option(help="Who owns the relationship.")]
Source = Annotated[str | None, typer.Option(help="Where the contact came from.")]
Note = Annotated[str | None, typer.Option("--note", help="Free-text notes.")]
Cost = Annotated[float | None, typer.Option(help="What winning this client cost.")]


def _cadence(every: str | None) -> int | None:
    from ..when import parse_duration

    if every is None or every.strip().lower() in ("", "off", "none"):
        return None
    return parse_duration(every).days()


def _birthday(text: str | None):
    from ..when import parse_special_date

    return parse_special_date(text) if text is not None else None


def _fields(**options) -> dict:
    """The contact fields the user gave, under their column names; untouched ones left out."""
    renames = {"email": "emails", "phone": "phones", "tag": "tags", "every": "cadence_days"}
    renames.update(note="notes", cost="acquisition_cost")
    fields = {}
    for option, value in options.items():
        if value is None:
            continue
        column = renames.get(option, option)
        fields[column] = _cadence(value) if column == "cadence_days" else value
    return fields


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Full name.")],
    email: Emails = None,
    phone: Phones = None,
    company: Company = None,
    title: Title = None,
    tag: Tags = None,
    every: Every = None,
    birthday: Birthday = None,
    channel: Channel = None,
    relationship: Relationship = None,
    stage: Stage = None,
    owner: Owner = None,
    source: Source = None,
    note: Note = None,
    acquisition_cost: Cost = None,
) -> None:
    """Add a contact; prints its id alone on stdout."""
    from .. import settings

    store = open_store()
    fields = _fields(
        name=name, email=email, phone=phone, company=company, title=title, tag=tag, every=every,
        channel=channel, relationship=relationship, stage=stage, owner=owner, source=source,
        note=note, cost=acquisition_cost,
    )  # fmt: skip
    if every is None and (default := settings.get(store, "cadence")):
        fields["cadence_days"] = _cadence(default)
    contact_id = store.add_contact(fields, clock.now(), birthday=_birthday(birthday))
    output.message(f"added contact {contact_id}: {fields['name'].strip()}")
    output.print_id(contact_id)


@app.command("list")
def list_(
    tag: Annotated[
        str | None, typer.Option("--tag", "-t", help="Only contacts with this tag.")
    ] = None,
    stage: Stage = None,
    relationship: Relationship = None,
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", help="Text in name, company, email, tags, notes."),
    ] = None,
    archived: Annotated[
        bool, typer.Option("--archived", help="List the archived contacts instead.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Ids only, one a line.")] = False,
    fmt: Format = None,
) -> None:
    """List contacts (archived ones only with --archived)."""
    store = open_store()
    rows = store.list_contacts(
        tag=tag, stage=stage, search=search, archived=archived, relationship=relationship
    )
    if quiet:
        for row in rows:
            print(row["id"])
        return
    chosen = output.check_format(fmt)
    if chosen in ("table", "plain"):  # people see the first email / phone; scripts get all
        for row in rows:
            row["email"] = row["emails"][0] if row["emails"] else None
            row["phone"] = row["phones"][0] if row["phones"] else None
    if not output.render(rows, chosen, columns=LIST_COLUMNS) and chosen in ("table", "plain"):
        output.message(
            "no contacts match"
            if (tag or stage or search or relationship)
            else "no contacts yet: add one with `crm contact add NAME`"
        )


@app.command("show")
def show(
    ref: Ref,
    limit: Annotated[int, typer.Option(help="How many interactions to show (0: all).", min=0)] = 20,
    fmt: Format = None,
) -> None:
    """One contact: every field, then the timeline."""
    from ..timeline import contact_page, render_page

    store = open_store()
    chosen = output.check_format(fmt)
    contact = store.resolve_contact(ref)
    page = contact_page(store, contact, clock.today(), clock.now(), limit or None)
    render_page(page, chosen)


@app.command("edit")
def edit(
    ref: Ref,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    email: Annotated[
        list[str] | None,
        typer.Option("--email", "-e", help="Replace the emails; repeat for several."),
    ] = None,
    phone: Annotated[
        list[str] | None,
        typer.Option("--phone", "-p", help="Replace the phones; repeat for several."),
    ] = None,
    company: Company = None,
    title: Title = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Replace the tags; repeat for several.")
    ] = None,
    add_tag: Annotated[list[str] | None, typer.Option("--add-tag", help="Add a tag.")] = None,
    remove_tag: Annotated[
        list[str] | None, typer.Option("--remove-tag", help="Remove a tag.")
    ] = None,
    add_email: Annotated[
        list[str] | None, typer.Option("--add-email", help="Add an email.")
    ] = None,
    remove_email: Annotated[
        list[str] | None, typer.Option("--remove-email", help="Remove an email.")
    ] = None,
    add_phone: Annotated[list[str] | None, typer.Option("--add-phone", help="Add a phone.")] = None,
    remove_phone: Annotated[
        list[str] | None, typer.Option("--remove-phone", help="Remove a phone.")
    ] = None,
    every: Every = None,
    birthday: Birthday = None,
    channel: Channel = None,
    relationship: Relationship = None,
    stage: Stage = None,
    owner: Owner = None,
    source: Source = None,
    note: Note = None,
    acquisition_cost: Cost = None,
) -> None:
    """Change a contact's fields (an empty value clears an optional one)."""
    store = open_store()
    contact = store.resolve_contact(ref)
    fields = _fields(
        name=name, email=email, phone=phone, company=company, title=title, tag=tag,
        channel=channel, relationship=relationship, stage=stage, owner=owner, source=source,
        note=note, cost=acquisition_cost,
    )  # fmt: skip
    if every is not None:
        fields["cadence_days"] = _cadence(every)
    lists = (add_tag, remove_tag, add_email, remove_email, add_phone, remove_phone)
    if not fields and not any(lists) and birthday is None:
        raise CrmError("nothing to change: give at least one option, e.g. --company or --add-tag")
    add = {"tags": add_tag or [], "emails": add_email or [], "phones": add_phone or []}
    remove = {"tags": remove_tag or [], "emails": remove_email or [], "phones": remove_phone or []}
    updated = store.update_contact(
        contact["id"], fields, clock.now(), add, remove, _birthday(birthday)
    )
    output.message(f"updated contact {updated['id']}: {updated['name']}")


def _set_archived(ref: str, archived: bool) -> None:
    store = open_store()
    contact = store.resolve_contact(ref)
    store.set_archived(contact["id"], archived, clock.now())
    verb = "archived" if archived else "unarchived"
    output.message(f"{verb} contact {contact['id']}: {contact['name']}")


@app.command("archive")
def archive(ref: Ref) -> None:
    """Hide a contact from every list and report (keeps its history)."""
    _set_archived(ref, True)


@app.command("unarchive")
def unarchive(ref: Ref) -> None:
    """Bring an archived contact back."""
    _set_archived(ref, False)


@app.command("delete")
def delete(
    ref: Ref,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete a contact and its records (kept in `crm trash` for 30 days)."""
    store = open_store()
    contact = store.resolve_contact(ref)
    if not yes:
        if not sys.stdin.isatty():
            raise CrmError(
                f"refusing to delete {contact['name']} without --yes when not on a terminal"
            )
        if not typer.confirm(f"Delete {contact['name']} (id {contact['id']}) and its records?"):
            raise CrmError("not deleted")
    store.delete_contact(contact["id"], clock.now())
    output.message(
        f"deleted contact {contact['id']}: {contact['name']} (restore with `crm trash restore`)"
    )
