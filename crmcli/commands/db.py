"""crm db path / migrate, crm config get / set / list, crm trash list / restore / empty."""

from pathlib import Path
from typing import Annotated

import typer

from .. import clock, output
from ..errors import CrmError
from ..options import Format, command_group, db_path, open_store

db_app = command_group("Where the database is, and its schema.")
config_app = command_group("Settings kept in the database.")
trash_app = command_group("Deleted contacts, kept for 30 days.")


@db_app.command("path")
def path() -> None:
    """Print the database path (from --db, $CRM_DB or the user data directory)."""
    print(db_path())


@db_app.command("migrate")
def migrate() -> None:
    """Bring the database schema up to date (crm also does this on every open)."""
    from ..migrations import LATEST

    store = open_store()
    output.message(f"{store.path}: schema version {store.schema_version()} of {LATEST}, up to date")


@config_app.command("get")
def get(
    key: Annotated[str, typer.Argument(metavar="KEY", help="A setting (see `crm config list`).")],
) -> None:
    """Print one setting's value."""
    from .. import settings

    print(settings.get(open_store(), key))


@config_app.command("set")
def set_(
    key: Annotated[str, typer.Argument(metavar="KEY", help="A setting.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="Its new value.")],
) -> None:
    """Change a setting."""
    from .. import settings

    stored = settings.put(open_store(), key, value)
    output.message(f"{settings.setting(key).key} = {stored}")


@config_app.command("list")
def list_(fmt: Format = None) -> None:
    """Every setting with its value and default."""
    from .. import settings

    output.render(settings.listing(open_store()), output.check_format(fmt))


@trash_app.command("list")
def trash_list(fmt: Format = None) -> None:
    """Deleted contacts that can still be restored."""
    store = open_store()
    chosen = output.check_format(fmt)
    if not output.render(store.list_trash(clock.now()), chosen) and chosen in ("table", "plain"):
        output.message("the trash is empty")


@trash_app.command("restore")
def trash_restore(
    trash_id: Annotated[int, typer.Argument(metavar="ID", help="The trash entry's id.")],
) -> None:
    """Restore a deleted contact with everything it had; prints the contact's id."""
    contact_id = open_store().restore_from_trash(trash_id)
    output.message(f"restored contact {contact_id}")
    output.print_id(contact_id)


@trash_app.command("empty")
def trash_empty(
    expired: Annotated[
        bool, typer.Option("--expired", help="Only entries older than 30 days.")
    ] = False,
) -> None:
    """Remove deleted contacts for good."""
    import datetime as dt

    from ..store import TRASH_DAYS

    cutoff = clock.now() - dt.timedelta(days=TRASH_DAYS) if expired else None
    removed = open_store().empty_trash(cutoff)
    output.message(f"removed {removed} deleted contact(s) for good")


@db_app.command("demo")
def demo() -> None:
    """Fill an empty database with a small demo address book (dated from today)."""
    from ..demo import seed

    store = open_store()
    added = seed(store, clock.today(), clock.now())
    output.message(f"{store.path}: added {added} demo contacts; try `crm digest`")


def backup(
    target: Annotated[Path, typer.Argument(metavar="PATH", help="Where to write the copy.")],
) -> None:
    """A consistent copy of the database (SQLite online backup), safe while crm is in use."""
    store = open_store()
    if target.resolve() == store.path.resolve():
        raise CrmError("the backup would overwrite the database itself: give another path")
    store.backup(target)
    output.message(f"backed up {store.path} to {target}")


def doctor(fmt: Format = None) -> None:
    """Check integrity, schema, orphans and permissions; exits 1 when something is wrong."""
    store = open_store()
    checks = store.health_checks()
    output.render(checks, output.check_format(fmt))
    failed = [c["check"] for c in checks if not c["ok"]]
    if failed:
        raise CrmError(f"{len(failed)} problem(s) found: {', '.join(failed)}")
    output.message(f"{store.path}: all {len(checks)} checks passed")
