"""The `crm` command: global options, the command registry, and the one place errors become
one stderr line and an exit status (1 for a user error, 2 for bad usage).

Commands load lazily: `crm log` imports and builds only the `log` command, not the forty others,
because every command is a fresh process and start-up is the product's speed.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from . import __version__
from .errors import CrmError
from .options import changes_saved, close_stores, set_command_line, set_db_path

# name → (module in crmcli.commands, attribute, the line `crm --help` shows)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "contact": ("contact", "app", "Add, list, show, change and remove contacts."),
    "log": ("log", "log", "Record an interaction; prints its id alone on stdout."),
    "followup": ("followup", "app", "Follow-ups: dated next steps with a contact."),
    "date": ("date", "app", "Special dates: birthdays, anniversaries, any yearly date."),
    "complaint": ("complaint", "app", "Complaints with a response deadline (SLA)."),
    "interaction": ("interaction", "app", "Correct or remove a logged interaction."),
    "note": ("note", "app", "Dated notes on a contact's timeline."),
    "overdue": ("overdue", "overdue", "Follow-ups due, cadences passed, messages awaiting you."),
    "upcoming": ("upcoming", "upcoming", "Birthdays, anniversaries and other dates ahead."),
    "suggest": ("suggest", "suggest", "When nothing is due, who to reach out to next, and why."),
    "complaints": ("complaint", "list_", "Unresolved complaints with age and SLA breaches."),
    "digest": ("digest", "digest", "The daily digest: overdue, upcoming, complaints."),
    "export": ("export", "export", "Stream a table as CSV, TSV, JSON or JSON Lines."),
    "import": ("import_", "app", "Import contacts and interactions, all-or-nothing."),
    "vcard": ("vcard", "app", "vCard interchange: a vdir for khard and vdirsyncer."),
    "calendar": ("calendar", "calendar", "An iCalendar feed of special dates and follow-ups."),
    "config": ("config", "app", "Settings kept in the database."),
    "db": ("db", "app", "Where the database is, and its schema."),
    "backup": ("backup", "backup", "A consistent copy of the database, safe while in use."),
    "doctor": ("doctor", "doctor", "Check integrity, schema, rules and permissions."),
    "trash": ("trash", "app", "Deleted contacts, kept for 30 days."),
    "stage": ("stage", "app", "Move a contact through the lifecycle (dated)."),
    "feedback": ("feedback", "feedback", "Record a satisfaction score (1–5, or 0–10 NPS)."),
    "report": ("report", "app", "Retention, satisfaction, value, contact load, activity."),
    "template": ("template", "app", "Message templates filled from a contact's fields."),
    "search": ("search", "search", "Full-text search over people, notes and interactions."),
    "undo": ("undo", "undo", "Take back the last change a crm command made."),
    "history": (
        "history",
        "history_",
        "Recent changes, newest first (what `crm undo` takes back).",
    ),
}


DETAILS_SHOWN = 200  # lines of an error's details (an import's bad rows) printed before it


def fail(text: str, code: int) -> typer.Exit:
    from .output import message

    message(f"crm: error: {text}")
    return typer.Exit(code)


@functools.cache  # built once a process (a test suite invokes commands thousands of times)
def load_command(name: str):
    """Import one command's module and build its click command."""
    module_name, attribute, help_line = COMMANDS[name]
    target = getattr(importlib.import_module(f"crmcli.commands.{module_name}"), attribute)
    if not isinstance(target, typer.Typer):
        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        single.command(name)(target)
        target = single
    command = typer.main.get_command(target)
    command.name = name
    command.short_help = help_line
    return command


class CrmGroup(TyperGroup):
    """The root group: loads commands on demand and turns our errors into messages."""

    def list_commands(self, ctx) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx, cmd_name: str):
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def resolve_command(self, ctx, args):
        """An unknown command gets "did you mean" from the registry (commands load lazily, so
        Typer's own suggestion, which looks at loaded commands, sees none)."""
        name = args[0] if args else ""
        if name and name not in COMMANDS and not name.startswith("-"):
            from difflib import get_close_matches

            from .errors import UsageError
            from .output import shown

            close = get_close_matches(name, list(COMMANDS), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; see `crm --help`"
            raise UsageError(f"no such command '{shown(name)}'{hint}")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx, formatter) -> None:
        # The registry's help lines: listing commands must not import them all.
        with formatter.section("Commands"):
            formatter.write_dl([(name, entry[2]) for name, entry in COMMANDS.items()])

    def main(self, args=None, *rest, **options):
        if sys.stdout is None:  # started with stdout closed (`crm … >&-`): say so, do nothing
            if sys.stderr is not None:
                sys.stderr.write(
                    "crm: error: stdout is closed, so nothing was done: give crm somewhere to "
                    "write (`> /dev/null` to throw the output away)\n"
                )
            raise SystemExit(1)
        if args is None:  # a process of its own (not run inside another program)
            from .leftovers import end_on_signals

            end_on_signals()
        # What `crm history` shows: the command line as typed (CliRunner passes it here too).
        set_command_line(list(sys.argv[1:] if args is None else args))
        return super().main(args, *rest, **options)

    def invoke(self, ctx):
        failed = True
        try:
            result = super().invoke(ctx)
            failed = False
            return result
        except typer.Exit as done:
            failed = bool(done.exit_code)
            raise
        except CrmError as error:
            from .output import message

            for line in error.details[:DETAILS_SHOWN]:
                message(line)
            if len(error.details) > DETAILS_SHOWN:
                message(f"... and {len(error.details) - DETAILS_SHOWN} more")
            raise fail(str(error), error.exit_code) from None
        except BrokenPipeError:
            # The reader went away (`crm export ... | head`): not a failure of ours.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except typer.Abort:
            raise
        except KeyboardInterrupt:
            raise fail("interrupted; nothing was half-written", 130) from None
        except OSError as error:
            raise fail(_os_error(error, changes_saved()), 1) from None
        except OverflowError as error:
            if "SQLite" in str(error):
                raise fail("a number is too large: ids must fit in 64 bits", 1) from None
            raise fail(f"a date or number is out of range ({error})", 1) from None
        except Exception as error:
            import sqlite3  # here, not at the top: `crm --help` never needs it

            if isinstance(error, sqlite3.DatabaseError):
                from .dbfile import explain
                from .options import db_path

                raise fail(explain(error, db_path()), 1) from None
            if _is_usage_error(error) or os.environ.get("CRM_DEBUG"):
                raise
            raise fail(
                f"unexpected {type(error).__name__} ({error}): a stored record may break a rule; "
                "run `crm doctor` to find it (CRM_DEBUG=1 shows where it happened)",
                1,
            ) from None
        finally:
            saved = changes_saved()
            close_stores()
            from .options import discard_fresh

            discard_fresh(remove=failed and not saved)


def _os_error(error: OSError, saved: bool = False) -> str:
    """A failure to read or write a file or the output, said plainly — and, when the command
    had already saved its change, said so, since running it again would do it twice."""
    import errno

    where = f"{error.filename}" if error.filename else "the output"
    if saved:
        return (
            f"the change was saved, but crm cannot write {where} ({error.strerror or error}): "
            "do not run the command again; `crm history` shows the change, `crm undo` takes it "
            "back"
        )
    if error.errno == errno.ENOSPC:
        return f"cannot write {where}: the device is full (free some space and run it again)"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"cannot use {where}: permission denied"
    return f"cannot use {where}: {error.strerror or error}"


def _is_usage_error(error: Exception) -> bool:
    """Click's own errors (a missing argument, an unknown option), which it prints with the
    usage line and exit status 2. Typer keeps Click private, so they are known by their shape."""
    return hasattr(error, "format_message") and isinstance(getattr(error, "exit_code", None), int)


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
