"""crm contact add / list / show / edit / archive / unarchive / delete."""

from typing import Annotated

import typer

from .. import clock, columns, contacts, output
from ..errors import UsageError
from ..options import (
    Channel,
    Force,
    Format,
    OutputFile,
    Ref,
    Relationship,
    ReportFormat,
    Stage,
    Wide,
    Yes,
    command_group,
    confirm,
    open_store,
)
from ..timeline import INTERACTIONS_SHOWN
from ..wording import plural

app = command_group("Add, list, show, change and remove contacts.")

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
GivenName = Annotated[str | None, typer.Option(help="Given (first) name, for templates.")]
FamilyName = Annotated[str | None, typer.Option(help="Family (last) name.")]
SharedEmail = Annotated[
    bool,
    typer.Option("--allow-shared-email", help="Accept an email another contact already has."),
]
Source = Annotated[str | None, typer.Option(help="Where the contact came from.")]
Note = Annotated[str | None, typer.Option("--note", help="Free-text notes.")]
Cost = Annotated[str | None, typer.Option(help="What winning this client cost.")]
AtMost = Annotated[
    str | None,
    typer.Option(
        help="With --every: the most time to go without contact (due at --every, "
        "overdue at this): 45d ('off' clears it)."
    ),
]
TimeZone = Annotated[
    str | None,
    typer.Option(
        "--tz", help="Where they live: an IANA zone (Europe/Berlin), for their local time."
    ),
]
ReplyWithin = Annotated[
    str | None,
    typer.Option(
        help="How long their messages may wait for your answer: 1d, 3d, 1w ('off': never)."
    ),
]
DoNotContact = Annotated[
    bool | None,
    typer.Option(
        "--do-not-contact/--may-contact",
        help="They asked not to be contacted: no reminder, date or template for them.",
    ),
]


def _fields(**options) -> dict:
    """The contact fields the user gave, under their column names; untouched ones left out."""
    renames = {"email": "emails", "phone": "phones", "tag": "tags", "every": "cadence_days"}
    renames.update(note="notes", cost="acquisition_cost")
    return {renames.get(k, k): v for k, v in options.items() if v is not None}


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
    given_name: GivenName = None,
    family_name: FamilyName = None,
    do_not_contact: DoNotContact = None,
    reply_within: ReplyWithin = None,
    at_most: AtMost = None,
    tz: TimeZone = None,
    allow_shared_email: SharedEmail = False,
) -> None:
    """Add a contact; prints its id alone on stdout."""
    store = open_store(create=True)
    fields = _fields(
        name=name, email=email, phone=phone, company=company, title=title, tag=tag, every=every,
        channel=channel, relationship=relationship, stage=stage, owner=owner, source=source,
        note=note, cost=acquisition_cost, given_name=given_name, family_name=family_name,
        do_not_contact=do_not_contact, reply_within=reply_within, at_most=at_most, tz=tz,
    )  # fmt: skip
    contact_id = contacts.add(store, fields, birthday, clock.now(), allow_shared_email)
    output.message(f"added contact {contact_id}: {store.contacts.get(contact_id)['name']}")
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
    wide: Wide = False,
) -> None:
    """List contacts (archived ones only with --archived)."""
    store = open_store()
    chosen = output.check_format(fmt)
    rows = contacts.listing(
        store, tag=tag, stage=stage, search=search, archived=archived, relationship=relationship
    )
    if quiet:
        for row in rows:
            print(row["id"])
        return
    filtered = tag or stage or search or relationship
    empty = (
        "no contacts match" if filtered else "no contacts yet: add one with `crm contact add NAME`"
    )
    output.listing(rows, chosen, columns.CONTACTS, empty)


@app.command("show")
def show(
    ref: Ref,
    limit: Annotated[
        int, typer.Option(help="How many interactions to show (0: all).", min=0)
    ] = INTERACTIONS_SHOWN,
    fmt: ReportFormat = None,
    wide: Wide = False,
) -> None:
    """One contact: every field, then the timeline."""
    from ..timeline import contact_page, sections

    store = open_store()
    chosen = output.check_format(fmt, output.REPORT_FORMATS)
    contact = contacts.resolve(store, ref)
    page = contact_page(store, contact, clock.today(), clock.now(), limit or None)
    fields = {k: v for k, v in page.items() if k not in columns.TIMELINE}
    output.render_report(page, chosen, sections(page), heading=output.record_lines(fields))


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
    given_name: GivenName = None,
    family_name: FamilyName = None,
    do_not_contact: DoNotContact = None,
    reply_within: ReplyWithin = None,
    at_most: AtMost = None,
    tz: TimeZone = None,
    allow_shared_email: SharedEmail = False,
) -> None:
    """Change a contact's fields (an empty value clears an optional one)."""
    store = open_store()
    contact = contacts.resolve(store, ref)
    fields = _fields(
        name=name, email=email, phone=phone, company=company, title=title, tag=tag, every=every,
        channel=channel, relationship=relationship, stage=stage, owner=owner, source=source,
        note=note, cost=acquisition_cost, given_name=given_name, family_name=family_name,
        do_not_contact=do_not_contact, reply_within=reply_within, at_most=at_most, tz=tz,
    )  # fmt: skip
    lists = (add_tag, remove_tag, add_email, remove_email, add_phone, remove_phone)
    if not fields and not any(lists) and birthday is None:
        raise UsageError("nothing to change: give at least one option, e.g. --company or --add-tag")
    added = {"tags": add_tag or [], "emails": add_email or [], "phones": add_phone or []}
    removed = {"tags": remove_tag or [], "emails": remove_email or [], "phones": remove_phone or []}
    updated = contacts.edit(
        store, contact, fields, added, removed, birthday, clock.now(), allow_shared_email
    )
    output.message(f"updated contact {updated['id']}: {updated['name']}")


def _set_archived(ref: str, archived: bool) -> None:
    store = open_store()
    contact = contacts.resolve(store, ref, archived_first=not archived)  # unarchive: the archived
    contacts.set_archived(store, contact, archived, clock.now())
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
def delete(ref: Ref, yes: Yes = False) -> None:
    """Delete a contact and its records (kept in `crm trash` for 30 days)."""
    from ..trash import delete_contact

    store = open_store()
    contact = contacts.resolve(store, ref)
    confirm(f"delete {contact['name']} (id {contact['id']}) and its records", yes)
    trash_id = delete_contact(store, contact, clock.now())
    output.message(
        f"deleted contact {contact['id']}: {contact['name']} "
        f"(trash entry {trash_id}; restore with `crm trash restore {trash_id}`)"
    )
    output.print_id(trash_id)


@app.command("duplicates")
def duplicates(fmt: Format = None, wide: Wide = False) -> None:
    """Likely duplicates: the same email, the same phone in any formatting, the same name."""
    store = open_store()
    rows = contacts.duplicates(store)
    output.listing(rows, output.check_format(fmt), columns.DUPLICATES, "no likely duplicates")


@app.command("merge")
def merge(
    keep: Annotated[str, typer.Argument(metavar="KEEP", help="The contact that stays.")],
    other: Annotated[str, typer.Argument(metavar="OTHER", help="The contact merged into it.")],
    yes: Yes = False,
) -> None:
    """Merge OTHER into KEEP: every record, email, phone and tag moves; OTHER's uid stays an
    alias of KEEP (so imports of OTHER land on KEEP). Undo with `crm undo`."""
    store = open_store()
    kept, gone = contacts.resolve(store, keep), contacts.resolve(store, other)
    confirm(
        f"merge {gone['name']} (id {gone['id']}) into {kept['name']} (id {kept['id']}), "
        f"removing {gone['name']}",
        yes,
    )
    merged, left_out = contacts.merge(store, kept, gone, clock.now())
    output.message(f"merged {gone['name']} into {merged['name']} (id {merged['id']})")
    for line in left_out:
        output.message(line)


@app.command("export")
def export(ref: Ref, output_file: OutputFile = None, force: Force = False) -> None:
    """Everything crm holds on one person, as one JSON document (an access request): their
    records as a crm backup (`crm import all` reads it), meetings, trash, sync and history."""
    from .. import files, privacy

    store = open_store()
    who = privacy.person(store, ref, clock.now())
    document = privacy.holdings(store, who)
    with files.destination(output_file, store, force) as destination:
        out = output.for_terminal(destination)  # exact in a pipe or a file
        out.write(output.to_json(document, indent=2) + "\n")
    if output_file is not None:
        output.message(f"exported what crm holds on {who.name} to {output_file}")


@app.command("forget")
def forget(ref: Ref, yes: Yes = False) -> None:
    """Forget a person for good (an erasure request): their records, their words in others'
    records, trash, sync state and history; the file is rewritten. Cannot be undone."""
    from .. import privacy

    store = open_store()
    who = privacy.person(store, ref, clock.now())
    where = f"id {who.contact_id}" if who.contact_id else "deleted, in the trash"
    confirm(f"forget {who.name} ({where}) for good (this cannot be undone)", yes)
    done = privacy.forget(store, who)
    erased = "".join(
        f", {plural(done.counts[key], word, many)}"
        for key, word, many in (
            ("interactions", "interaction", None),
            ("meetings", "meeting", None),
            ("trash", "trash entry", "trash entries"),
        )
        if done.counts[key]
    )
    output.message(
        f"forgot {who.name} for good{erased and ' (' + erased[2:] + ' too)'}; the history "
        "before keeps only which commands ran, and the file was rewritten"
    )
    for card in done.cards_removed:
        output.message(f"removed their card {card} (the next vdirsyncer sync removes it there)")
    for card in done.cards_left:
        output.message(f"warning: their card {card} is a link or could not be removed: remove it")
    for key in done.settings:
        output.message(f"warning: the setting {key} names them: change it with `crm config set`")
    if not done.log_emptied:
        output.message(
            "warning: another program is reading the database, so the file keeps old pages "
            "with them until it closes: then run `crm db compact`"
        )
    for copy in done.copies:
        output.message(f"note: {copy} is an earlier copy and still holds them: remove it")
    output.message("note: backups you made before (crm backup, export all) still hold them")
