"""The database file itself: where it is, what may be opened as one, and how one is born.

Only two things are ever opened: a path that does not exist yet (when the command may create a
database) and a regular file that is a crm database. Everything else — a folder, a device, a
FIFO, a symlink to one of those, a zero-byte file, another program's SQLite file — is refused
with the file left untouched. A new database is built under a private temporary name and linked
into place complete, so no reader ever meets a half-made one and a crash leaves nothing behind.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import CrmError, DatabaseRefused, NotFound

APPLICATION_ID = 0x63726D31  # "crm1" in PRAGMA application_id marks a crm database
SQLITE_MAGIC = b"SQLite format 3\x00"
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def default_path() -> Path:
    """`$CRM_DB`, else crm.db in the user data directory."""
    env = os.environ.get("CRM_DB", "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("crm", appauthor=False)) / "crm.db"


def siblings(path: Path) -> list[Path]:
    """The files SQLite keeps beside a database, and crm's migration copies."""
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def inspect(path: Path) -> bool:
    """True if `path` is a crm-shaped SQLite file to open, False if nothing is there yet.

    Refuses (without touching it) whatever else the path names."""
    try:
        link = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        _check_folder(path.parent)
        return False
    except OSError as error:
        raise _unreachable(path, error) from None
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise DatabaseRefused(
            f"{path} is a symbolic link to nothing: crm left it alone; remove it or point "
            "--db / CRM_DB at a database file"
        ) from None
    except OSError as error:
        raise _unreachable(path, error) from None
    if stat.S_ISDIR(info.st_mode):
        raise DatabaseRefused(f"{path} is a directory: give the path of a database file")
    if not stat.S_ISREG(info.st_mode):
        kind = "a symbolic link to a device" if stat.S_ISLNK(link.st_mode) else _kind(info)
        raise DatabaseRefused(
            f"{path} is {kind}, not a database file: crm left it alone; point --db or CRM_DB "
            "at a regular file"
        )
    if info.st_size == 0:
        raise DatabaseRefused(
            f"{path} is an empty file that crm did not create: crm left it alone; remove it "
            "(crm then creates the database there) or point --db / CRM_DB elsewhere"
        )
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise _unreachable(path, error) from None
    if header != SQLITE_MAGIC:
        raise DatabaseRefused(
            f"{path} is not a SQLite database: crm left it untouched; point --db or CRM_DB elsewhere"
        )
    return True


def _kind(info: os.stat_result) -> str:
    mode = info.st_mode
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _check_folder(folder: Path) -> None:
    """A missing database can be created if the nearest existing folder above it is a folder."""
    for above in [folder, *folder.parents]:
        try:
            info = os.stat(above)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as error:
            raise _unreachable(above, error) from None
        if not stat.S_ISDIR(info.st_mode):
            raise CrmError(f"cannot create a database in {folder}: {above} is not a folder")
        return


def _unreachable(path: Path, error: OSError) -> CrmError:
    if error.errno in (errno.EACCES, errno.EPERM):
        return CrmError(
            f"cannot reach {path}: permission denied; check the permissions of {path.parent} "
            "(crm needs to read and write the folder and the file)"
        )
    return CrmError(f"cannot reach {path}: {error.strerror}")


def missing(path: Path) -> NotFound:
    return NotFound(
        f"no crm database at {path}: check --db or CRM_DB, or create one with `crm db init` "
        "(or `crm contact add NAME`)"
    )


def create(path: Path, build: Callable[[Path], Any]) -> None:
    """Make a new database at `path`: `build` fills a private temporary file beside it, which is
    then linked into place only if nothing appeared there meanwhile (another crm may win)."""
    import tempfile

    from . import leftovers

    make_folders(path.parent)
    leftovers.sweep(path.parent)
    try:
        fd, name = tempfile.mkstemp(
            prefix=leftovers.prefix(path.name), suffix=".new", dir=path.parent
        )
    except OSError as error:
        raise _unwritable(path.parent, error) from None
    os.close(fd)
    temporary = Path(name)
    try:
        os.chmod(temporary, PRIVATE_FILE)
        build(temporary)
        _link_into_place(temporary, path)
    finally:
        for leftover in [temporary, *siblings(temporary)]:
            leftover.unlink(missing_ok=True)


def _link_into_place(temporary: Path, path: Path) -> None:
    try:
        os.link(temporary, path)
    except FileExistsError:
        return  # another crm created it a moment ago: use theirs
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise _unwritable(path.parent, error) from None
        if not path.exists():  # a filesystem without hard links
            os.rename(temporary, path)


def make_folders(folder: Path) -> None:
    """Create `folder` and any missing parents, each owner-only (0700) whatever the umask."""
    missing_folders = []
    current = folder
    while not current.exists() and current != current.parent:
        missing_folders.append(current)
        current = current.parent
    for target in reversed(missing_folders):
        try:
            target.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:
            continue  # another crm created it a moment ago
        except OSError as error:
            raise _unwritable(target, error) from None
        os.chmod(target, PRIVATE_FOLDER)  # mkdir's mode is filtered by the umask


def _unwritable(folder: Path, error: OSError) -> CrmError:
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return CrmError(
            f"cannot create {folder}: {error.strerror}; choose a folder you can write "
            "(--db or CRM_DB) or fix its permissions"
        )
    if error.errno == errno.ENOSPC:
        return CrmError(f"cannot create {folder}: the disk is full; free some space")
    return CrmError(f"cannot create {folder}: {error.strerror}")


def explain(error: Exception, path: Path) -> str:
    """A SQLite error about the file, said truthfully with how to mend it."""
    text = str(error)
    if "full" in text or "I/O error" in text and _disk_is_full(path.parent):
        return (
            f"the disk holding {path} is full: free some space and try again (nothing was written)"
        )
    if any(word in text for word in ("readonly", "read-only", "unable to open")):
        reason = _why_unwritable(path)
        if reason:
            return f"cannot write {path}: {reason}"
    if "locked" in text or "busy" in text:
        return (
            f"the database is busy ({text}): another program has held it for over a minute; "
            "try again"
        )
    if "unable to open" in text:
        return f"cannot open {path} ({text}): check the path and its folder"
    if "I/O error" in text:
        return (
            f"the disk failed while crm used {path} ({text}): check the disk, then run `crm doctor`"
        )
    return f"database error: {text}; run `crm doctor`"


def _disk_is_full(folder: Path) -> bool:
    try:
        info = os.statvfs(folder)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < 64 * 1024  # less than a few pages


def _why_unwritable(path: Path) -> str | None:
    folder = path.parent
    try:
        read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    if read_only:
        return (
            "the file system is read-only; copy the database to a writable folder (crm writes "
            "-wal and -shm files beside it, even to read)"
        )
    if path.exists() and not os.access(path, os.W_OK):
        return f"the file is read-only; run chmod u+w {path}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"the folder {folder} is not writable (crm keeps -wal and -shm files beside the "
            "database); fix its permissions"
        )
    return None


def permission_checks(path: Path) -> list[dict[str, Any]]:
    """Permissions of the database file and its folder: they hold other people's data."""
    rows = []
    # The file must be private; the folder must at least not be writable by others, or someone
    # could swap the file.
    for target, wanted, forbidden in (
        (path, PRIVATE_FILE, 0o077),
        (path.parent, PRIVATE_FOLDER, 0o022),
    ):
        mode = stat.S_IMODE(target.stat().st_mode)
        loose = mode & forbidden
        rows.append(
            {
                "check": f"permissions {'file' if target == path else 'folder'}",
                "ok": not loose,
                "detail": f"{target} is {mode:04o}"
                + (f": run chmod {wanted:04o} {target}" if loose else ""),
            }
        )
    return rows
