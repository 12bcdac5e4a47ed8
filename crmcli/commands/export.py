"""crm export: stream a table, or the whole database as one backup document."""

from typing import Annotated

import typer

from .. import clock, files, output
from ..errors import UsageError
from ..options import Force, OutputFile, open_store


def export(
    entity: Annotated[
        str,
        typer.Argument(
            metavar="ENTITY",
            help="contacts, interactions, dates, followups, complaints, stage_changes, or all.",
        ),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="csv, tsv, json or jsonl (all: json only).")
    ] = "csv",
    output_file: OutputFile = None,
    force: Force = False,
    excel_safe: Annotated[
        bool, typer.Option("--excel-safe", help="Prefix ' to cells starting with = + - @.")
    ] = False,
    archived: Annotated[
        bool, typer.Option("--archived", help="Include archived contacts and their records.")
    ] = False,
) -> None:
    """Export ENTITY (crm export contacts --format csv); streams in constant memory."""
    from ..exchange import backup
    from ..exchange.exporter import EXPORT_FORMATS, export_entity

    store = open_store()
    chosen = output.check_format(fmt, EXPORT_FORMATS)
    if entity == "all" and chosen != "json":
        raise UsageError("crm export all writes one JSON document: use --format json")
    with files.destination(output_file, store, force) as destination:
        out = output.for_terminal(destination)  # exact in a pipe or a file
        if entity == "all":
            count = backup.write(store, out, clock.now())
        else:
            count = export_entity(store, entity, chosen, out, excel_safe, archived)
    if output_file is not None:
        what = entity if entity != "all" else "records"
        output.message(f"exported {count} {what} to {output_file}")
