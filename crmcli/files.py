"""Files crm writes for the user — exports, calendars, vCards, backups: where they may go and
how they are written.

- Never over the database, the files SQLite keeps beside it (-wal, -shm, -journal) or crm's
  migration copies (crm.db.vN.bak).
- A regular file is written under an unpredictable name created exclusively (0600) in the same
  folder, flushed to disk, and renamed over the target only when complete: killed half-way, on
  a full disk, or with the old file open elsewhere, the previous file stays whole.
- A FIFO, a character device or `-` is written to directly, as a stream.
- Everything crm creates is owner-only (files 0600, folders 0700) whatever the umask.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from . import dbfile, leftovers
from .errors import CrmError
from .store import Store


def check_target(path: Path, store: Store, force: bool = False) -> None:
    """Refuse a target that is the database, a file beside it, a folder, or (unless `force`) a
    file made read-only. Beside the real file too: when CRM_DB is a symlink, SQLite names its
    -wal and -shm after the link's target."""
    real = _real(store.path)
    protected = [store.path, *dbfile.siblings(store.path), real, *dbfile.siblings(real)]
    if any(_same(path, other) for other in protected):
        raise CrmError(
            f"{path} is the database or a file SQLite keeps beside it: writing there would "
            "overwrite the database itself; give another path"
        )
    if _is_migration_copy(path, store.path) or _is_migration_copy(path, real):
        raise CrmError(
            f"{path} is the copy crm made of the database before a migration: keep it; "
            "give another path"
        )
    if path.is_dir():
        raise CrmError(f"{path} is a directory: give a file name")
    if not force and _read_only(path):
        raise CrmError(
            f"{path} is read-only (someone protected it): give --force to replace it all the "
            "same, or another path"
        )


def _read_only(path: Path) -> bool:
    """A regular file without its owner's write bit (`chmod a-w`): root may write it, but
    whoever protected it meant it to stay."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and not info.st_mode & stat.S_IWUSR


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path


def _same(a: Path, b: Path) -> bool:
    """The same file: by inode when both exist (through any symlink, hard link or
    /dev/fd/N), else by resolved path (a file SQLite would create there)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        pass
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _is_migration_copy(path: Path, database: Path) -> bool:
    """A `crm.db.vN.bak` beside the database (as named through a link, or as the real file),
    or anything that is one of them."""
    pattern = re.escape(database.name) + r"\.v\d+\.bak"
    try:
        if any(_same(path, copy) for copy in database.parent.glob(f"{database.name}.v*.bak")):
            return True
        same_folder = _real(path).parent == _real(database.parent)
    except OSError:
        return False
    return same_folder and re.fullmatch(pattern, _real(path).name) is not None


def is_stream(path: Path) -> bool:
    """A FIFO or a device (a terminal, /dev/stdout): written to as it is, never replaced."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)


# Names of a descriptor this process already holds (the shell's `>> log` behind /dev/stdout):
# written through that descriptor, at its offset, never replaced or truncated.
DESCRIPTOR_PATH = re.compile(
    r"/dev/(?:std(out|err)|fd/(\d+))|/proc/(?:self|thread-self|(\d+))/(?:task/\d+/)?fd/(\d+)"
)


def _descriptor(path: Path) -> int | None:
    found = DESCRIPTOR_PATH.fullmatch(os.path.normpath(os.path.abspath(path)))
    if found is None:
        return None
    std, dev_fd, pid, proc_fd = found.groups()
    if pid is not None and int(pid) != os.getpid():
        return None
    if std:
        return 1 if std == "out" else 2
    return int(dev_fd or proc_fd)


@contextmanager
def destination(path: Path | None, store: Store, force: bool = False) -> Iterator[TextIO]:
    """Where a command's output goes: stdout (None or `-`), a descriptor this process holds, a
    stream, or a file replaced whole."""
    if path is None or str(path) == "-":
        yield sys.stdout
        return
    descriptor = _descriptor(path)
    if descriptor is not None:
        check_target(path, store)  # not one of crm's own descriptors: the database, its WAL
        with _opened(path, descriptor) as handle:
            yield handle
        return
    check_target(path, store, force)
    if is_stream(path):
        with _opened(path) as handle:
            yield handle
        return
    with replacing(path) as temporary, _opened(temporary) as handle:
        yield handle


@contextmanager
def _opened(path: Path, descriptor: int | None = None) -> Iterator[TextIO]:
    """`path` opened for writing as it is (a stream), or a copy of a `descriptor` this process
    holds (written at its offset: `>> log` appends)."""
    target: int | Path = path if descriptor is None else descriptor
    try:
        if descriptor is not None:
            target = os.dup(descriptor)
        handle = open(target, "w", encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as error:
        raise unwritable(path, error) from None
    with handle:
        try:
            yield handle
            handle.flush()
        except OSError as error:
            raise unwritable(path, error) from None


@contextmanager
def replacing(path: Path, follow_link: bool = True, durable: bool = True) -> Iterator[Path]:
    """A private temporary file beside `path` (a symlink's target, when following: the link
    stays), renamed over it once the block has written it completely; removed if anything
    fails. Not following, a symlink at `path` is itself replaced and its target untouched."""
    target = path.resolve() if follow_link and path.is_symlink() else path
    folder = target.parent
    if not folder.is_dir():
        raise CrmError(f"cannot write {path}: the folder {folder} does not exist")
    leftovers.sweep(folder)
    try:
        fd, name = tempfile.mkstemp(prefix=leftovers.prefix(target.name), suffix=".tmp", dir=folder)
    except OSError as error:
        raise unwritable(path, error) from None
    os.close(fd)
    temporary = Path(name)
    try:
        os.chmod(temporary, dbfile.PRIVATE_FILE)
        yield temporary
        if durable:  # (not durable: the caller flushes a whole batch at once)
            _sync(temporary)
        os.replace(temporary, target)
        if durable:
            _sync_folder(folder)
    except OSError as error:
        raise unwritable(path, error) from None
    finally:
        temporary.unlink(missing_ok=True)


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename itself is still atomic
    finally:
        os.close(fd)


def unwritable(path: Path, error: OSError) -> CrmError:
    """An OS error while writing, said truthfully, with how to mend it."""
    if error.errno == errno.ENOSPC:
        return CrmError(
            f"cannot write {path}: the disk is full; free some space and try again "
            "(the previous file, if any, is untouched)"
        )
    if error.errno == errno.EROFS:
        return CrmError(f"cannot write {path}: the file system is read-only; choose another folder")
    if error.errno in (errno.EACCES, errno.EPERM):
        return CrmError(
            f"cannot write {path}: permission denied; choose a folder you can write, or fix its "
            "permissions"
        )
    return CrmError(f"cannot write {path}: {error.strerror}")


class CardWriter:
    """Many small files written into one folder (a vdir's cards), each replaced whole and
    owner-only like `write_private`, and made durable together: one flush of the file system
    when the batch ends instead of two per file (a first sync of thousands of cards spent
    most of its time there). Killed before the flush, a card is at worst as it was before, or
    missing its last write — which the next sync writes again, since crm remembers a card only
    after the flush."""

    def __init__(self, folder: Path, store: Store):
        self.folder, self.store = folder, store
        real = _real(folder)
        # a card can only be the database (or beside it) in the database's own folder
        self.checked = real in (_real(store.path.parent), _real(_real(store.path).parent))
        self.wrote = False

    def __enter__(self) -> CardWriter:
        return self

    def write(self, name: str, text: str) -> None:
        path = self.folder / name
        if self.checked:
            check_target(path, self.store)
        with replacing(path, follow_link=False, durable=False) as temporary:
            temporary.write_text(text, encoding="utf-8", newline="")
        self.wrote = True

    def __exit__(self, *exc) -> None:
        if self.wrote:
            os.sync()  # every card on the disk at once, before the sync remembers them
            _sync_folder(self.folder)


def write_private(path: Path, text: str, store: Store) -> None:
    """A small file named from data (one vCard) written whole, owner-only, replacing any
    previous one — never through a symlink planted there, never over the database."""
    check_target(path, store)
    with replacing(path, follow_link=False) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="")


def backup(store: Store, target: Path, force: bool = False) -> None:
    """A consistent copy of the database at `target` (SQLite's online backup), written to a
    temporary file and renamed into place: the previous backup survives any failure."""
    import sqlite3

    if str(target) == "-" or _descriptor(target) is not None:
        raise CrmError(
            "a backup is a database file, not a stream: give a file name, or use "
            "`crm export all --format json` to write everything to stdout"
        )
    check_target(target, store, force)
    if is_stream(target):
        raise CrmError(f"{target} is not a regular file: a backup is a database file")
    try:
        with replacing(target) as temporary:
            store.backup(temporary)
            for stale in (f"{target}-wal", f"{target}-shm", f"{target}-journal"):
                Path(stale).unlink(missing_ok=True)  # the old file's: never replayed onto this
    except sqlite3.Error as error:
        if "full" in str(error):
            raise unwritable(target, OSError(errno.ENOSPC, "disk full")) from None
        raise CrmError(f"cannot write backup {target}: {error}") from None


SAFE_NAME = re.compile(r"[^A-Za-z0-9._@+=-]")
HASHED = re.compile(r"-[0-9a-f]{10}$")


def safe_name(text: str, suffix: str) -> str:
    """A file name made from data (a uid) that cannot leave its folder or hide: unusual
    characters become `_`, and a short hash of the original keeps two such names apart."""
    cleaned = SAFE_NAME.sub("_", text).lstrip(".") or "_"
    # changed, cut, or already ending like a hashed name: the hash keeps it apart from others
    if cleaned != text or len(cleaned) > 200 or HASHED.search(cleaned):
        import hashlib

        cleaned = f"{cleaned[:80]}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"
    return cleaned + suffix


def make_folder(folder: Path) -> None:
    """A folder for crm's output, created owner-only if it is not there."""
    dbfile.make_folders(folder)


def read_regular(path: str, limit: int) -> bytes:
    """A whole file read safely: a pipe or a device named like a file is refused without
    blocking on it, and a file over `limit` bytes is not read into memory."""
    import stat

    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise CrmError(f"cannot read {path}: {error.strerror}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise CrmError(f"{path} is not a regular file (a pipe, a device or a folder)")
        if info.st_size > limit:
            raise CrmError(f"{path} is larger than {limit >> 20} MB: split it")
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            return handle.read(limit + 1)
    except OSError as error:
        raise CrmError(f"cannot read {path}: {error.strerror}") from None
    finally:
        os.close(descriptor)


def path_key(path: str | Path) -> str:
    """A file or folder as the database remembers it: its real path (a link and its target
    are one place), as text even where the name is not UTF-8 (its bytes shown as `\\xff`)."""
    real = os.path.realpath(os.path.expanduser(os.fspath(path)))
    return os.fsencode(real).decode("utf-8", "backslashreplace")
