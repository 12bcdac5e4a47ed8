"""Files crm writes for the user — exports, calendars, vCards, backups: where they may go and
how they are written."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from .errors import CrmError
from .store import Store


def check_target(path: Path, store: Store) -> None:
    """Never the database itself or the files SQLite keeps beside it."""
    from . import dbfile

    protected = [store.path, *dbfile.siblings(store.path)]
    if any(_same(path, other) for other in protected):
        raise CrmError(
            f"{path} is the database or a file SQLite keeps beside it: writing there would "
            "overwrite the database itself; give another path"
        )
    if path.is_dir():
        raise CrmError(f"{path} is a directory: give a file name")


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


@contextmanager
def destination(path: Path | None, store: Store) -> Iterator[TextIO]:
    """stdout, or a file written beside its target and moved in place only when complete."""
    if path is None:
        yield sys.stdout
        return
    check_target(path, store)
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


def backup(store: Store, target: Path) -> None:
    """A consistent copy of the database at `target` (SQLite's online backup)."""
    check_target(target, store)
    try:
        store.backup(target)
    except OSError as error:
        raise CrmError(f"cannot write backup {target}: {error.strerror}") from None
