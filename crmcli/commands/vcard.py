"""crm vcard export / import: a vdir (one .vcf per contact) for khard and vdirsyncer."""

from pathlib import Path
from typing import Annotated

import typer

from .. import clock, model, output
from ..errors import CrmError
from ..options import (
    DryRun,
    MergeByEmail,
    SkipInvalid,
    command_group,
    open_store,
    open_store_for_import,
)

app = command_group("vCard interchange: a vdir for khard and vdirsyncer.")
VERSIONS = ("3.0", "4.0")
VcardVersion = Annotated[
    str, typer.Option("--vcard-version", help="The vCard version to write: 3.0 or 4.0.")
]


@app.command("export")
def vcard_export(
    target: Annotated[
        str, typer.Argument(metavar="DIR", help="A folder (a vdir), or - for one stream.")
    ],
    archived: Annotated[
        bool, typer.Option("--archived", help="Include archived contacts.")
    ] = False,
    version: VcardVersion = "3.0",
) -> None:
    """Write one .vcf per contact, named by its uid (khard and vdirsyncer read the folder)."""
    from ..exchange.vcard_writer import export_vdir

    count = export_vdir(
        open_store(), target, archived, model.choice(version, VERSIONS, "--vcard-version") or ""
    )
    if target != "-":
        output.message(f"wrote {count} vCards to {target}")


@app.command("import")
def vcard_import(
    source: Annotated[
        str, typer.Argument(metavar="PATH", help="A .vcf file, a folder of them, or -.")
    ],
    dry_run: DryRun = False,
    on_duplicate: Annotated[str, typer.Option(help="skip, update or error.")] = "update",
    skip_invalid: SkipInvalid = False,
    merge_by_email: MergeByEmail = False,
) -> None:
    """Import vCards 3.0 / 4.0 from a file, a stream or a vdir."""
    from ..exchange import contact_import, importer
    from ..exchange.vcard import read_vcards

    duplicate = model.choice(on_duplicate, contact_import.ON_DUPLICATE, "--on-duplicate")
    if source != "-" and not Path(source).exists():
        raise CrmError(f"cannot read {source}: no such file or folder")
    store = open_store_for_import(dry_run)
    now = clock.now()

    def planner(store):
        return contact_import.ContactImport(store, duplicate, now, merge_by_email=merge_by_email)

    summary = importer.run_import(
        store, planner, read_vcards(source), skip_invalid, dry_run, what="cards"
    )
    output.import_report(summary, "vCards", dry_run)


@app.command("sync")
def vcard_sync(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="The vdir (vdirsyncer's folder).")],
    version: VcardVersion = "3.0",
    allow_empty: Annotated[
        bool,
        typer.Option(help="Sync a folder that lost every card (archives their contacts)."),
    ] = False,
) -> None:
    """Keep a vdir and crm in step both ways (changes, deletions, new cards; conflicts kept)."""
    from ..exchange.vsync import sync

    store = open_store(create=True)
    chosen = model.choice(version, VERSIONS, "--vcard-version") or ""
    from ..progress import progress_of

    summary = sync(store, folder, clock.now(), chosen, allow_empty, progress_of("writing cards"))
    output.notes(summary.warnings, "warning: ")
    for conflict in summary.conflicts:
        output.message(f"conflict: {conflict}")
    output.message(summary.line())


@app.command("resolve")
def vcard_resolve(
    ours: Annotated[Path, typer.Argument(metavar="A", help="The card as the first side has it.")],
    theirs: Annotated[Path, typer.Argument(metavar="B", help="The card as the other side has it.")],
) -> None:
    """For vdirsyncer: keep both sides of a conflict.

    A stays the card on both sides; B's version becomes a contact of its own, tagged
    sync-conflict (merge the two with `crm contact merge` once you have looked). In vdirsyncer's
    pair: conflict_resolution = ["command", "crm", "vcard", "resolve"]."""
    from ..exchange.vsync import resolve

    store = open_store(create=True)
    for line in resolve(store, ours, theirs, clock.now()):
        output.message(line)
