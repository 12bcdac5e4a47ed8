"""What every command shares: option aliases, the open store, the clock, parsed dates.

Defined once so `--format`, `--db` and friends read the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import clock, model
from .output import FORMATS, REPORT_FORMATS
from .settings import MAX_DAYS

if TYPE_CHECKING:
    from .store import Store

_db_override: Path | None = None
_open_stores: list[Store] = []
_temporary_folders: list[Path] = []  # dry runs' throwaway databases, removed at the end
_fresh: list[tuple[Path, list[Path]]] = []  # databases (and folders) this command created
_command_line: list[str] = []


def set_command_line(args: list[str]) -> None:
    _command_line[:] = args


def set_db_path(path: Path | None) -> None:
    global _db_override
    _db_override = path


def db_path() -> Path:
    from .dbfile import default_path

    return _db_override or default_path()


def open_store(create: bool = False) -> Store:
    """Open (migrating) the database; `create` it if missing — only commands that add data do,
    so a mistyped path in a report's cron line is an error, not a new empty database.
    `close_stores` closes it after the command."""
    import shlex

    from .store import open_store as _open

    path = db_path()
    missing = [] if path.exists() else _missing_folders(path)
    store = _open(path, create=create)
    if missing:
        _fresh.append((path, missing))
    # What `crm history` shows. Bytes that are not UTF-8 arrive as lone surrogates: shown as
    # escapes here, so the record of the command never fails where the command's own checks
    # would refuse the value with a clear message.
    command = shlex.join(["crm", *_command_line])
    store.command = command.encode("utf-8", "backslashreplace").decode("utf-8")
    store.clock = clock.now
    _open_stores.append(store)
    return store


def _missing_folders(path: Path) -> list[Path]:
    """The file and the folders above it that do not exist yet, innermost first."""
    missing, current = [path], path.parent
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    return missing


def discard_fresh(remove: bool) -> None:
    """A command that failed having saved nothing leaves no database it created (a mistyped
    CRM_DB under cron would otherwise be an empty database every later digest reads in
    silence). Called once its stores are closed."""
    while _fresh:
        path, made = _fresh.pop()
        if not remove:
            continue
        for leftover in [path, *(Path(f"{path}{s}") for s in ("-wal", "-shm", "-journal"))]:
            leftover.unlink(missing_ok=True)
        for folder in made[1:]:
            try:
                folder.rmdir()  # only if empty: never a folder holding anything else
            except OSError:
                break


def changes_saved() -> bool:
    """Whether this command has already committed a change (then a failure to print its
    output must not send the user to run it again: that would do it twice)."""
    return any(store.committed for store in _open_stores)


def close_stores() -> None:
    while _open_stores:
        _open_stores.pop().close()
    while _temporary_folders:
        import shutil

        shutil.rmtree(_temporary_folders.pop(), ignore_errors=True)


def _complete(values: tuple[str, ...]):
    def complete(incomplete: str) -> list[str]:
        return [v for v in values if v.startswith(incomplete)]

    return complete


def parse_when(text: str, prefer: str = "future"):
    from .when import parse_when as _parse

    return _parse(text, clock.today(), clock.now(), prefer=prefer)  # type: ignore[arg-type]


def happened(text: str | None):
    """When something happened: now if not said; a bare weekday is the last one."""
    return parse_when(text, prefer="past") if text else clock.now()


def open_store_for_import(dry_run: bool, create: bool = True) -> Store:
    """An import's database: created if missing. A dry run writes nothing, not even a new
    file or a migration: without a database it runs on a throwaway empty one, and on a
    database an older crm wrote it runs on a migrated copy; both are removed afterwards."""
    from .store import copy_database, migration_pending
    from .store import open_store as _open

    path = db_path()
    if not dry_run or (path.exists() and not migration_pending(path)):
        return open_store(create=create)
    import tempfile

    from . import leftovers

    leftovers.sweep(Path(tempfile.gettempdir()))
    folder = Path(tempfile.mkdtemp(prefix=leftovers.prefix("crm-dry-run")))
    _temporary_folders.append(folder)
    if path.exists():
        copy_database(path, folder / "crm.db")
    store = _open(folder / "crm.db")
    _open_stores.append(store)
    return store


def parse_day(text: str, prefer: str = "future") -> dt.date:
    from .when import parse_date

    return parse_date(text, clock.today(), clock.now(), prefer=prefer)  # type: ignore[arg-type]


def _format_option(formats: tuple[str, ...]):
    return typer.Option(
        "--format",
        "-f",
        help=f"Output: {', '.join(formats)} (default: table on a terminal, plain in a pipe).",
        autocompletion=_complete(formats),
        show_default=False,
    )


def _wide(value: bool) -> bool:
    from .output import set_wide

    set_wide(value)
    return value


Format = Annotated[str | None, _format_option(FORMATS)]
Wide = Annotated[
    bool,
    typer.Option("--wide", help="Tables: every column in full, however wide.", callback=_wide),
]
ReportFormat = Annotated[str | None, _format_option(REPORT_FORMATS)]
Ref = Annotated[
    str, typer.Argument(metavar="REF", help="Contact: an id, an exact email, or part of the name.")
]
Channel = Annotated[
    str | None,
    typer.Option(
        help=f"One of: {', '.join(model.CHANNELS)}.", autocompletion=_complete(model.CHANNELS)
    ),
]
Stage = Annotated[
    str | None,
    typer.Option(
        help=f"One of: {', '.join(model.STAGES)}.", autocompletion=_complete(model.STAGES)
    ),
]
Relationship = Annotated[
    str | None,
    typer.Option(
        help=f"One of: {', '.join(model.RELATIONSHIPS)}.",
        autocompletion=_complete(model.RELATIONSHIPS),
    ),
]
Days = Annotated[
    int | None,
    typer.Option(
        "--days",
        "-d",
        help="How many days ahead (default: config `days`, 14).",
        min=0,
        max=MAX_DAYS,
    ),
]
LeapDay = Annotated[
    str | None,
    typer.Option(
        "--leap-day",
        help="Where 29 February falls in common years: feb28 or mar1 (default: config `leap_day`).",
        autocompletion=_complete(("feb28", "mar1")),
    ),
]


OutputFile = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
]
Force = Annotated[
    bool, typer.Option("--force", help="Replace the file even if it was made read-only.")
]


MergeByEmail = Annotated[
    bool,
    typer.Option(
        "--merge-by-email", help="Merge a record into a contact with its email even if uids differ."
    ),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Check and count, write nothing.")]
SkipInvalid = Annotated[
    bool, typer.Option("--skip-invalid", help="Import the good rows and report the bad ones.")
]


# Capture is idempotent (a fixed message or event is picked up by the next run), so it skips
# what it cannot read by default: one stray item must never silence the cron digest.
CaptureSkip = Annotated[
    bool,
    typer.Option("--skip-invalid", hidden=True, help="The default for capture: still taken."),
]
Strict = Annotated[
    bool,
    typer.Option("--strict", help="All or nothing: refuse the whole run on one unreadable item."),
]


AllowFuture = Annotated[
    bool, typer.Option("--allow-future", help="Accept a moment after today for a past event.")
]
NoTouch = Annotated[
    bool, typer.Option("--no-touch", help="Do not count this as a touch for the cadence.")
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask (needed outside a terminal).")]


def confirm(action: str, yes: bool) -> None:
    """Destructive commands: on a terminal, say what will go and ask; in a script, need --yes."""
    import sys

    from .errors import CrmError
    from .output import shown

    if yes:
        return
    if not sys.stdin.isatty():
        raise CrmError(f"refusing to {shown(action)} without --yes when not on a terminal")
    if not typer.confirm(shown(action[:1].upper() + action[1:]) + "?"):
        raise CrmError("nothing changed: you answered no")


def record_id(kind: str, where: str):
    """An id argument that says what an id is when it is not one (`crm followup done maria`)."""

    def parse(value: str) -> int:
        from .errors import UsageError

        cleaned = value.strip()
        if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 18 and int(cleaned) > 0:
            return int(cleaned)
        raise UsageError(
            f"{value!r} is not {'an' if kind[0] in 'aeiou' else 'a'} {kind} id: an id is the "
            f"number in the first column of `{where}`"
        )

    return parse


def default_command_group(help_text: str, default: str) -> typer.Typer:
    """A group whose first command needs no name: `crm stage ana commitment` is
    `crm stage move ana commitment`, and `crm stage rm 3` still reaches `rm`."""
    from typer.core import TyperGroup

    class DefaultGroup(TyperGroup):
        def parse_args(self, ctx, args):
            if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
                args = [default, *args]
            return super().parse_args(ctx, args)

    return typer.Typer(
        cls=DefaultGroup, help=help_text, no_args_is_help=True, rich_markup_mode=None,
        add_completion=False,
    )  # fmt: skip


def command_group(help_text: str) -> typer.Typer:
    """A command group (`crm contact ...`) with plain help and errors, like the root."""
    return typer.Typer(
        help=help_text, no_args_is_help=True, rich_markup_mode=None, add_completion=False
    )
