"""crm backup: a consistent copy of the database, safe while crm is in use."""

from pathlib import Path
from typing import Annotated

import typer

from .. import files, output
from ..options import Force, open_store


def backup(
    target: Annotated[Path, typer.Argument(metavar="PATH", help="Where to write the copy.")],
    force: Force = False,
) -> None:
    """A consistent copy of the database (SQLite online backup), safe while crm is in use."""
    store = open_store()
    files.backup(store, target, force)
    output.message(f"backed up {store.path} to {target}")
