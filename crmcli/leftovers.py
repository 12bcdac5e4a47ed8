"""Temporary files and folders crm makes (a backup being written, a dry run's copy of the
database, a file being replaced) carry the process id of the crm that made it. Every exit
path of a running crm removes its own (a `finally`, and SIGTERM or SIGHUP end it like Ctrl-C);
one left by a crm killed outright (kill -9, a power cut) is removed by the next crm that makes
one in the same place, once no process of that id is alive.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path


def prefix(name: str) -> str:
    """The start of a temporary name made for `name` (a target file, or a kind of folder)."""
    return f".{name}.crm{os.getpid()}."


# What tempfile makes from prefix(): eight random characters, then the suffix crm gave (and the
# files SQLite keeps beside a database being written).
_LEFT = re.compile(r"\..+\.crm(\d+)\.[a-z0-9_]{8}(?:\.tmp|\.new)?(?:-wal|-shm|-journal)?")
_swept: set[str] = set()


def sweep(folder: Path) -> None:
    """Remove what killed crms left in `folder` (their own: same owner), once a process."""
    if str(folder) in _swept:
        return
    _swept.add(str(folder))
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        found = _LEFT.fullmatch(entry.name)
        if found is None or _alive(int(found.group(1))):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            continue  # gone meanwhile, or not ours to remove


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or no real pid): leave its files alone
    return True


def end_on_signals() -> None:
    """SIGTERM and SIGHUP end crm as Ctrl-C does: the transaction rolls back, temporary files
    go, and it says so (the default would end it at once and leave them)."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    for signum in (signal.SIGTERM, signal.SIGHUP):
        try:
            signal.signal(signum, interrupt)
        except (ValueError, OSError):
            return  # not the main thread (crm run inside another program): leave them be
