"""The `crm` command: global options, the command groups, and the one place errors become
one stderr line and an exit status (1 for a user error, 2 for bad usage)."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from . import __version__
from .commands import complaints, contacts, dates, db, followups, io, log, reports
from .errors import CrmError
from .options import close_stores, set_db_path


def fail(text: str, code: int) -> typer.Exit:
    print(f"crm: error: {text}", file=sys.stderr)
    return typer.Exit(code)


class CrmGroup(TyperGroup):
    """Runs every command, so it is where our errors are turned into messages."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CrmError as error:
            raise fail(str(error), error.exit_code) from None
        except sqlite3.OperationalError as error:
            raise fail(_sqlite_hint(error), 1) from None
        except sqlite3.DatabaseError as error:
            raise fail(f"database error: {error}; run `crm doctor`", 1) from None
        except BrokenPipeError:
            # The reader went away (`crm export ... | head`): not a failure of ours.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            raise fail("interrupted; nothing was half-written", 130) from None
        finally:
            close_stores()


def _sqlite_hint(error: sqlite3.OperationalError) -> str:
    text = str(error)
    if "locked" in text or "busy" in text:
        return f"the database is busy ({text}): another crm is writing; try again"
    if "readonly" in text or "read-only" in text:
        return f"cannot write the database ({text}): check its permissions"
    if "unable to open" in text:
        return f"cannot open the database ({text}): check the path and its folder"
    return f"database error: {text}"


app = typer.Typer(
    cls=CrmGroup,
    help="crm: who needs me today? A personal relationship tracker for the terminal.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain click help and errors: faster, and one clear error line
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from .migrations import LATEST

        print(f"crm {__version__} (schema {LATEST})")
        raise typer.Exit()


@app.callback()
def main(
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="Database file (default: $CRM_DB, else the user data directory).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """crm: who needs me today? A personal relationship tracker for the terminal."""
    set_db_path(db)


app.add_typer(contacts.app, name="contact")
app.command("log")(log.log)
app.add_typer(followups.app, name="followup")
app.add_typer(dates.app, name="date")
app.add_typer(complaints.app, name="complaint")
app.command("overdue")(reports.overdue)
app.command("upcoming")(reports.upcoming)
app.command("complaints")(reports.complaints)
app.command("digest")(reports.digest)
app.command("export")(io.export)
app.add_typer(io.import_app, name="import")
app.add_typer(io.vcard_app, name="vcard")
app.command("calendar")(io.calendar)
app.add_typer(db.config_app, name="config")
app.add_typer(db.db_app, name="db")
app.add_typer(db.trash_app, name="trash")
app.command("backup")(db.backup)
app.command("doctor")(db.doctor)
