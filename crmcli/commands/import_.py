"""crm import contacts / interactions / all: all-or-nothing imports.

(The module is `import_` because `import` is a Python keyword; the command is `crm import`.)
"""

from typing import Annotated

import typer

from .. import clock, output
from .. import progress as progress_bar
from ..options import (
    AllowFuture,
    CaptureSkip,
    DryRun,
    MergeByEmail,
    SkipInvalid,
    Strict,
    command_group,
    open_store_for_import,
    parse_day,
)

app = command_group("Import contacts and interactions, all-or-nothing.")
STRICT_MEND = "fix them, or leave out --strict to skip them and import the rest"

Maps = Annotated[
    list[str] | None,
    typer.Option("--map", help='Map a column to a field: --map "Column=field"; repeatable.'),
]
Source = Annotated[str, typer.Argument(metavar="FILE", help="A file, or - for stdin.")]
Encoding = Annotated[
    str | None,
    typer.Option(help="The file's encoding (default: detected; utf-8, utf-16, cp1252…)."),
]
RecordsFormat = Annotated[str, typer.Option("--format", "-f", help="auto, csv, json or jsonl.")]
RECORDS_FORMATS = ("auto", "csv", "json", "jsonl")


def _import_file(what, source, fmt, header_map, encoding, dry_run, skip_invalid, planner_for,
                 create=True):  # fmt: skip
    """The steps every file import shares: read the records, plan and write them in one
    transaction (`planner_for(head)` gives the planner, the file's first bytes telling its
    date order), report. Interactions need their contacts: `create=False`."""
    from ..exchange import importer

    store = open_store_for_import(dry_run, create=create)
    ignored: list[str] = []
    records, binary, head = importer.open_records(source, fmt, header_map, ignored, encoding)
    summary = importer.run_import(
        store, planner_for(head), records, skip_invalid, dry_run, progress_bar.progress_for(binary)
    )
    summary.ignored_columns = ignored
    output.import_report(summary, what, dry_run)


@app.command("contacts")
def import_contacts(
    source: Source,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="auto, csv, json, jsonl or vcard.")
    ] = "auto",
    dry_run: DryRun = False,
    on_duplicate: Annotated[
        str,
        typer.Option(help="A contact already here (same uid or email): skip, update or error."),
    ] = "skip",
    maps: Maps = None,
    skip_invalid: SkipInvalid = False,
    encoding: Encoding = None,
    date_order: Annotated[
        str | None,
        typer.Option(help="Day and month order of slashed dates: dmy, mdy or ymd."),
    ] = None,
    merge_by_email: MergeByEmail = False,
) -> None:
    """Import contacts from crm, Google, Outlook or LinkedIn CSV, JSON (Lines) or vCard."""
    from .. import model, when
    from ..exchange import contact_import, headers, importer

    chosen = output.check_format(fmt, importer.IMPORT_FORMATS)
    duplicate = model.choice(on_duplicate, contact_import.ON_DUPLICATE, "--on-duplicate")
    order = model.choice(date_order, when.DATE_ORDERS, "--date-order")
    header_map = headers.HeaderMap(
        headers.CONTACT_HEADERS, headers.parse_maps(maps or [], headers.CONTACT_TARGETS)
    )
    now = clock.now()

    def planner_for(head):
        found = order or when.date_order_of(head)
        return lambda store: contact_import.ContactImport(
            store, duplicate, now, found, merge_by_email
        )

    _import_file("contacts", source, chosen, header_map, encoding, dry_run, skip_invalid,
                 planner_for)  # fmt: skip


@app.command("interactions")
def import_interactions(
    source: Source,
    fmt: RecordsFormat = "auto",
    dry_run: DryRun = False,
    maps: Maps = None,
    skip_invalid: SkipInvalid = False,
    encoding: Encoding = None,
    allow_future: AllowFuture = False,
) -> None:
    """Import interactions (contact by uid, id, email or exact name); what is here is skipped."""
    from ..exchange import headers, importer

    chosen = output.check_format(fmt, RECORDS_FORMATS)
    header_map = headers.HeaderMap(
        headers.INTERACTION_HEADERS, headers.parse_maps(maps or [], headers.INTERACTION_TARGETS)
    )
    now = clock.now()
    _import_file("interactions", source, chosen, header_map, encoding, dry_run, skip_invalid,
                 lambda head: lambda store: importer.InteractionImport(store, now, allow_future),
                 create=False)  # fmt: skip


def _records_import(entity: str, source, fmt, dry_run, maps, skip_invalid, encoding, order):
    from .. import model, when
    from ..exchange import headers, importer

    chosen = output.check_format(fmt, RECORDS_FORMATS)
    builtin = headers.DATE_HEADERS if entity == "special_dates" else headers.FOLLOWUP_HEADERS
    header_map = headers.HeaderMap(builtin, headers.parse_maps(maps or [], set(builtin.values())))
    checked_order = model.choice(order, when.DATE_ORDERS, "--date-order")
    now = clock.now()

    def planner_for(head):
        found = checked_order or when.date_order_of(head)
        return lambda store: importer.RecordImport(store, entity, now, found)

    what = "dates" if entity == "special_dates" else "follow-ups"
    _import_file(what, source, chosen, header_map, encoding, dry_run, skip_invalid, planner_for)


@app.command("dates")
def import_dates(
    source: Source,
    fmt: RecordsFormat = "auto",
    dry_run: DryRun = False,
    maps: Maps = None,
    skip_invalid: SkipInvalid = False,
    encoding: Encoding = None,
    date_order: Annotated[str | None, typer.Option(help="dmy, mdy or ymd.")] = None,
) -> None:
    """Import special dates (as `crm export dates` writes them); known uids are skipped."""
    _records_import("special_dates", source, fmt, dry_run, maps, skip_invalid, encoding, date_order)


@app.command("followups")
def import_followups(
    source: Source,
    fmt: RecordsFormat = "auto",
    dry_run: DryRun = False,
    maps: Maps = None,
    skip_invalid: SkipInvalid = False,
    encoding: Encoding = None,
) -> None:
    """Import follow-ups (as `crm export followups` writes them); known uids are skipped."""
    _records_import("followups", source, fmt, dry_run, maps, skip_invalid, encoding, None)


@app.command("all")
def import_all(source: Source, dry_run: DryRun = False) -> None:
    """Read back a `crm export all` backup; records already here (same uid) are skipped."""
    from ..exchange import backup, readers

    binary = readers.open_binary(source)
    document = backup.load(readers.text_stream(binary, "utf-8-sig"))
    store = open_store_for_import(dry_run)
    summary = backup.import_document(store, document, dry_run)
    output.import_report(summary, "records", dry_run)


Since = Annotated[
    str | None,
    typer.Option(help='Only what happened since then ("7 days ago", 2026-01-01).'),
]


@app.command("mail")
def import_mail(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            help="A Maildir, a folder of Maildirs, an mbox file, a folder of .eml files, or -.",
        ),
    ],
    since: Since = None,
    dry_run: DryRun = False,
    add_unknown: Annotated[
        bool,
        typer.Option(help="Add people you wrote to as contacts (never people who only wrote)."),
    ] = False,
    exclude: Annotated[
        list[str] | None,
        typer.Option(help="Leave out addresses matching a pattern (*@corp.example); repeatable."),
    ] = None,
    skip_invalid: CaptureSkip = True,
    strict: Strict = False,
) -> None:
    """Log mail with known contacts as email interactions (headers only; never twice).

    What cannot be read is skipped and named (--strict: refuse the whole run instead)."""
    del skip_invalid  # the default; still taken, so the scripts that give it keep working
    from ..exchange import importer, mail
    from ..when import as_datetime

    start = as_datetime(parse_day(since, prefer="past")) if since else None
    store = open_store_for_import(dry_run, create=False)  # capture needs contacts and `me`
    now = clock.now()
    capture: list[mail.MailCapture] = []

    def planner(store):
        capture.append(mail.MailCapture(store, now, start, add_unknown, exclude or []))
        return capture[0]

    progress = progress_bar.progress_for_count(lambda: mail.count(paths), "reading mail")
    summary = importer.run_import(
        store,
        planner,
        mail.messages(paths, start),
        not strict,
        dry_run,
        progress,
        "messages",
        STRICT_MEND,
    )
    output.notes(summary.invalid, "skipped ", collapse=False)
    output.message(capture[0].line(dry_run))


@app.command("calendar")
def import_calendar(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="PATH...", help="An .ics file, a folder of them (a vdir), or -."),
    ],
    since: Since = None,
    dry_run: DryRun = False,
    skip_invalid: CaptureSkip = True,
    strict: Strict = False,
) -> None:
    """Log past meetings with known contacts; keep today's and the next ones for the digest.

    What cannot be read is skipped and named (--strict: refuse the whole run instead)."""
    del skip_invalid  # the default; still taken, so the scripts that give it keep working
    from ..exchange import events, importer, meetings
    from ..when import as_datetime

    start = as_datetime(parse_day(since, prefer="past")) if since else None
    files = events.calendar_files(paths)
    origins = events.origins(paths)
    store = open_store_for_import(dry_run, create=False)  # capture needs contacts and `me`
    now = clock.now()
    first, end = events.window(now, start)
    capture: list[meetings.CalendarCapture] = []

    def planner(store):
        capture.append(meetings.CalendarCapture(store, now, start, origins))
        return capture[0]

    # Read and expanded before the write lock is taken: a slow stdin or a hostile calendar
    # holds nobody up (a contact added meanwhile is simply not matched this time).
    _, _, emails = store.contacts.lookup()
    said: list[str] = []
    found = list(events.occurrences(files, first, end, events.involving(emails), said))
    summary = importer.run_import(
        store, planner, found, not strict, dry_run, None, "events", STRICT_MEND
    )
    output.notes([*said, *summary.warnings], "warning: ")
    output.notes(summary.invalid, "skipped ", collapse=False)
    output.message(capture[0].line(dry_run))
