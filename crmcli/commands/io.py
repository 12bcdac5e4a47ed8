"""crm export / import / vcard / calendar: moving data in and out."""

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from .. import clock, output
from ..errors import CrmError
from ..options import Days, LeapDay, command_group, open_store

import_app = command_group("Import contacts and interactions, all-or-nothing.")
vcard_app = command_group("vCard interchange: a vdir for khard and vdirsyncer.")

OutputFile = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Check and count, write nothing.")]
SkipInvalid = Annotated[
    bool, typer.Option("--skip-invalid", help="Import the good rows and report the bad ones.")
]
Maps = Annotated[
    list[str] | None,
    typer.Option("--map", help='Map a column to a field: --map "Mobile=phones"; repeatable.'),
]
Source = Annotated[str, typer.Argument(metavar="FILE", help="A file, or - for stdin.")]


@contextmanager
def destination(path: Path | None):
    """stdout, or a file written beside its target and moved in place only when complete."""
    if path is None:
        yield sys.stdout
        return
    if path.is_dir():
        raise CrmError(f"{path} is a directory: give a file name for --output")
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        handle = temporary.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise CrmError(f"cannot write {path}: {error.strerror}") from None
    try:
        with handle:
            yield handle
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def export(
    entity: Annotated[
        str,
        typer.Argument(
            metavar="ENTITY", help="contacts, interactions, dates, followups, complaints, or all."
        ),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="csv, tsv, json or jsonl (all: json only).")
    ] = "csv",
    output_file: OutputFile = None,
    excel_safe: Annotated[
        bool, typer.Option("--excel-safe", help="Prefix ' to cells starting with = + - @.")
    ] = False,
    archived: Annotated[
        bool, typer.Option("--archived", help="Include archived contacts and their records.")
    ] = False,
) -> None:
    """Export ENTITY (crm export contacts --format csv); streams in constant memory."""
    from ..exporter import EXPORT_FORMATS, export_all, export_entity

    store = open_store()
    chosen = output.check_format(fmt, EXPORT_FORMATS)
    if entity == "all" and chosen != "json":
        raise CrmError("crm export all writes one JSON document: use --format json")
    with destination(output_file) as out:
        if entity == "all":
            count = export_all(store, out, clock.now())
        else:
            count = export_entity(store, entity, chosen, out, excel_safe, archived)
    if output_file is not None:
        output.message(
            f"exported {count} {entity if entity != 'all' else 'records'} to {output_file}"
        )


def _summarise(summary, what: str, dry_run: bool) -> None:
    if summary.ignored_columns:
        shown = ", ".join(summary.ignored_columns[:12])
        more = (
            f" and {len(summary.ignored_columns) - 12} more"
            if len(summary.ignored_columns) > 12
            else ""
        )
        output.message(f'ignored columns: {shown}{more} (map one with --map "Column=field")')
    for problem in summary.invalid:
        output.message(f"skipped {problem}")
    output.message(summary.line(what, dry_run))


def _run(planner, records, what: str, skip_invalid: bool, dry_run: bool, binary=None) -> None:
    from ..importer import ImportRefused, run_import

    progress = output.progress_for(binary)
    try:
        summary = run_import(planner, records, skip_invalid, dry_run, progress)
    except ImportRefused as refused:
        for problem in refused.problems[:200]:
            output.message(problem)
        if len(refused.problems) > 200:
            output.message(f"... and {len(refused.problems) - 200} more")
        raise
    finally:
        if progress:
            progress.close()
    _summarise(summary, what, dry_run)


def _records(source: str, fmt: str, builtin, maps, targets, summary):
    from .. import importer

    chosen = output.check_format(fmt, importer.IMPORT_FORMATS)
    user = importer.parse_maps(maps or [], targets)
    if chosen == "vcard" or (chosen == "auto" and source != "-" and Path(source).is_dir()):
        from ..vcards import read_vcards

        return read_vcards(source), None
    binary = importer.open_binary(source)
    if chosen == "auto":
        chosen = importer.detect_format(source, binary)
    if chosen == "vcard":
        from ..vcards import _parse

        return _parse(binary.read(), "card"), None
    reader = importer.read_csv if chosen == "csv" else importer.read_jsonl
    return reader(importer.text_stream(binary), builtin, user, summary), binary


@import_app.command("contacts")
def import_contacts(
    source: Source,
    fmt: Annotated[str, typer.Option("--format", "-f", help="auto, csv, jsonl or vcard.")] = "auto",
    dry_run: DryRun = False,
    on_duplicate: Annotated[
        str,
        typer.Option(help="A contact already here (same uid or email): skip, update or error."),
    ] = "skip",
    maps: Maps = None,
    skip_invalid: SkipInvalid = False,
) -> None:
    """Import contacts from crm, Google, Outlook or LinkedIn CSV, JSON Lines or vCard."""
    from .. import importer

    if on_duplicate not in importer.ON_DUPLICATE:
        raise CrmError(f"bad --on-duplicate {on_duplicate!r}: use skip, update or error")
    store = open_store()
    planner = importer.ContactImport(store, on_duplicate, clock.now())
    records, binary = _records(
        source, fmt, importer.CONTACT_HEADERS, maps, importer.CONTACT_TARGETS, planner.summary
    )
    _run(planner, records, "contacts", skip_invalid, dry_run, binary)


@import_app.command("interactions")
def import_interactions(
    source: Source,
    fmt: Annotated[str, typer.Option("--format", "-f", help="auto, csv or jsonl.")] = "auto",
    dry_run: DryRun = False,
    maps: Maps = None,
    skip_invalid: SkipInvalid = False,
) -> None:
    """Import interactions (contact by uid, id, email or exact name); known uids are skipped."""
    from .. import importer

    store = open_store()
    planner = importer.InteractionImport(store, clock.now())
    targets = set(importer.INTERACTION_HEADERS.values())
    records, binary = _records(
        source, fmt, importer.INTERACTION_HEADERS, maps, targets, planner.summary
    )
    _run(planner, records, "interactions", skip_invalid, dry_run, binary)


@import_app.command("all")
def import_all(source: Source, dry_run: DryRun = False) -> None:
    """Read back a `crm export all` backup; records already here (same uid) are skipped."""
    from .. import importer

    store = open_store()
    stream = importer.text_stream(importer.open_binary(source))
    summary = importer.import_backup(store, stream, dry_run)
    output.message(summary.line("records", dry_run))


@vcard_app.command("export")
def vcard_export(
    target: Annotated[
        str, typer.Argument(metavar="DIR", help="A folder (a vdir), or - for one stream.")
    ],
    archived: Annotated[
        bool, typer.Option("--archived", help="Include archived contacts.")
    ] = False,
) -> None:
    """Write one .vcf per contact, named by its uid (khard and vdirsyncer read the folder)."""
    from ..vcards import export_vdir

    count = export_vdir(open_store(), target, archived)
    if target != "-":
        output.message(f"wrote {count} vCards to {target}")


@vcard_app.command("import")
def vcard_import(
    source: Annotated[
        str, typer.Argument(metavar="PATH", help="A .vcf file, a folder of them, or -.")
    ],
    dry_run: DryRun = False,
    on_duplicate: Annotated[str, typer.Option(help="skip, update or error.")] = "update",
    skip_invalid: SkipInvalid = False,
) -> None:
    """Import vCards 3.0 / 4.0 from a file, a stream or a vdir."""
    from .. import importer
    from ..vcards import read_vcards

    if on_duplicate not in importer.ON_DUPLICATE:
        raise CrmError(f"bad --on-duplicate {on_duplicate!r}: use skip, update or error")
    if source != "-" and not Path(source).exists():
        raise CrmError(f"cannot read {source}: no such file or folder")
    store = open_store()
    planner = importer.ContactImport(store, on_duplicate, clock.now())
    _run(planner, read_vcards(source), "vCards", skip_invalid, dry_run)


def calendar(
    days: Days = None,
    leap_day: LeapDay = None,
    output_file: OutputFile = None,
) -> None:
    """An iCalendar (.ics) feed: yearly special dates and open follow-ups, with stable UIDs."""
    from .. import settings
    from ..ical import build_calendar

    store = open_store()
    horizon = 365 if days is None else days
    feed = build_calendar(
        store, clock.today(), clock.now(), horizon, settings.leap_rule(store, leap_day)
    )
    with destination(output_file) as out:
        out.write(feed.decode("utf-8"))
