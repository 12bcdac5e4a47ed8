"""Progress bars on stderr for long imports: only when a person watches and there is much to do."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

LARGE_INPUT = 1_000_000  # bytes: smaller imports finish before a bar is worth drawing


class ByteProgress:
    """A progress bar on stderr that follows how far a file has been read."""

    def __init__(self, binary, total: int):
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        self.binary = binary
        self.rows = 0
        self.bar = Progress(
            "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
            TimeRemainingColumn(), console=Console(stderr=True), transient=True,
        )  # fmt: skip
        self.task = self.bar.add_task("importing", total=total)
        self.bar.start()

    def __call__(self) -> None:
        self.rows += 1
        if self.rows % 2000 == 0:
            self.bar.update(self.task, completed=self.binary.tell())

    def close(self) -> None:
        self.bar.stop()


class CountProgress:
    """A progress bar on stderr that counts items (mail messages) against a known total."""

    def __init__(self, total: int, what: str):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self.done = 0
        self.bar = Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), console=Console(stderr=True), transient=True,
        )  # fmt: skip
        self.task = self.bar.add_task(what, total=total)
        self.bar.start()

    def __call__(self) -> None:
        self.done += 1
        if self.done % 500 == 0:
            self.bar.update(self.task, completed=self.done)

    def close(self) -> None:
        self.bar.stop()


LARGE_COUNT = 2_000  # items: fewer are read before a bar is worth drawing


def progress_for_count(counter: Callable[[], int], what: str) -> CountProgress | None:
    """A bar only when a person watches stderr and there is much to do (counted only then)."""
    if not sys.stderr.isatty():
        return None
    total = counter()
    return CountProgress(total, what) if total >= LARGE_COUNT else None


def progress_of(what: str) -> Callable[[int], CountProgress | None]:
    """A bar for a job that learns its total as it starts (the cards a sync writes)."""
    return lambda total: CountProgress(total, what) if sys.stderr.isatty() else None


def progress_for(binary) -> ByteProgress | None:
    """A bar only when a person watches stderr and the input is a large regular file."""
    if binary is None or not sys.stderr.isatty():
        return None
    try:
        size = os.fstat(binary.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        return None
    return ByteProgress(binary, size) if size >= LARGE_INPUT else None
