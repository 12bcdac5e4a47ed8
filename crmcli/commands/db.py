"""crm db path / init / migrate / demo / compact: where the database is, and its schema."""

from .. import clock, output
from ..options import command_group, db_path, open_store

app = command_group("Where the database is, and its schema.")


@app.command("path")
def path() -> None:
    """Print the database path (from --db, $CRM_DB or the user data directory)."""
    print(db_path())


@app.command("init")
def init() -> None:
    """Create the database if it does not exist yet (owner-only), and print its path."""
    store = open_store(create=True)
    output.message(f"{store.path}: ready")
    print(store.path)


@app.command("migrate")
def migrate() -> None:
    """Bring the database schema up to date (crm also does this on every open)."""
    from ..migrations import LATEST

    store = open_store()
    output.message(f"{store.path}: schema version {store.schema_version()} of {LATEST}, up to date")


@app.command("demo")
def demo() -> None:
    """Fill an empty database with a small demo address book (dated from today)."""
    from ..demo import seed

    store = open_store(create=True)
    added = seed(store, clock.today(), clock.now())
    output.message(f"{store.path}: added {added} demo contacts; try `crm digest`")


@app.command("compact")
def compact() -> None:
    """Rewrite the file without its free pages and empty its log (VACUUM): what was removed
    leaves no trace in it. `crm contact forget` does this itself."""
    store = open_store()
    store.conn.execute("PRAGMA secure_delete = ON")
    if store.erasure.compact():
        output.message(f"{store.path}: compacted, its log emptied")
    else:
        output.message(
            f"warning: {store.path}: compacted, but another program reading it keeps its old "
            "pages until it closes: run `crm db compact` again then"
        )
