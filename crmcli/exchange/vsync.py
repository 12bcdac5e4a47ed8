"""`crm vcard sync DIR`: a vdir and the database kept in step both ways, so vdirsyncer can put a
CardDAV server (Radicale, Nextcloud, iCloud, Google) behind crm.

For each card crm remembers the contact as it was when both sides last agreed (a hash of the
fields a card carries). Then, card by card:

- changed on one side only: the other side takes it — a card edited on the phone *replaces* the
  contact's card fields (a phone number deleted there is deleted here); a contact edited in crm
  rewrites its card;
- changed on both sides: both versions are kept — crm's stays, the card's comes in as a second
  contact tagged `sync-conflict` — and the conflict is reported;
- a card deleted on the other side archives its contact (unless the contact changed since); a
  contact deleted or archived in crm removes its card;
- new on either side: copied to the other.

Files are written (atomically) before the database commits its sync state, so a failure at any
point is at worst seen as a change on the folder's side, never as a loss. A card is rewritten
only when its content changes, so its REV (in UTC) changes only then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import files
from ..errors import CrmError
from ..store import Store
from .vdir_cards import (
    Card,
    card_files_seen,
    read_card_file,
    read_folder,
)
from .vsync_steps import CONFLICT_TAG, Step, keep_copy

Row = dict[str, Any]
READS = 3  # times the folder is read again when another program changes it meanwhile


@dataclass
class SyncSummary:
    here: dict[str, int] = field(default_factory=lambda: {"added": 0, "updated": 0, "archived": 0})
    there: dict[str, int] = field(default_factory=lambda: {"added": 0, "updated": 0, "removed": 0})
    conflicts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def line(self) -> str:
        here = ", ".join(f"{n} {what}" for what, n in self.here.items())
        there = ", ".join(f"{n} {what}" for what, n in self.there.items())
        text = f"synced: in crm {here}; in the folder {there}"
        if self.conflicts:
            text += f"; {len(self.conflicts)} conflict(s), both versions kept"
        return text


def sync(
    store: Store,
    folder: Path,
    now: dt.datetime,
    version: str = "3.0",
    allow_empty: bool = False,
    progress: Callable[[int], Any] | None = None,
) -> SyncSummary:
    """Bring the folder and the database in step (see the module's rules), in three steps so
    that no other crm waits on this one for long: the folder is read and parsed first; one
    short transaction decides and takes in what the folder says; the cards to write are
    rendered and written with no lock held; a last short transaction remembers them (one
    change with the first, for `crm undo`)."""
    folder = folder.expanduser()
    if folder.exists() and not folder.is_dir():
        raise CrmError(f"{folder} is a file: give the vdir's folder")
    files.make_folder(folder)
    key = files.path_key(folder)
    for _ in range(READS):
        summary = SyncSummary()
        remembered = store.cards.state(key)  # a read: it waits on nobody
        found = read_folder(folder, now, summary, remembered)  # parsed before the write lock
        with store.transaction():
            if card_files_seen(folder) != found.seen or store.cards.state(key) != remembered:
                continue  # another program wrote meanwhile: read again, with no lock held
            if found.empty() and remembered and not allow_empty:
                raise CrmError(
                    f"{folder} holds no cards, but {len(remembered)} were there at the last "
                    "sync: a wiped or unmounted folder would archive them all. If you did "
                    "delete every card, run again with --allow-empty"
                )
            step = Step(store, folder, key, now, version, summary, found.left_alone)
            step.decide(found, remembered)
            break
    else:
        raise CrmError(
            f"{folder} kept changing while crm read it (another program writing it: vdirsyncer?)"
            "; nothing was synced: run it again when that program is done"
        )
    decided = store.recorded_change
    written = step.write_cards(progress)  # no lock held: files, and how each one reads back
    with store.transaction(continuing=decided):
        for uid, name, state, file_hash, contact_hash in written:
            store.cards.remember(key, uid, name, state, state, now, file_hash, contact_hash)
    return summary


def resolve(store: Store, ours: Path, theirs: Path, now: dt.datetime) -> list[str]:
    """vdirsyncer's conflict command, given the one card as each side has it: both changed
    since they last agreed. Both are kept: A stays the card (B's file becomes A, as vdirsyncer
    asks), and B's version arrives in crm as a contact of its own, tagged `sync-conflict`,
    whose card the next `crm vcard sync` writes. A card that cannot be read is never lost:
    the command fails and vdirsyncer leaves the conflict to the user."""
    (card,), (mine,) = (_readable(path, now) for path in (theirs, ours))
    if mine.state == card.state:
        said = [f"{theirs.name}: the two sides say the same"]
    else:
        with store.transaction():
            copy = keep_copy(store, card, now)
        said = [
            f"conflict: {card.record.get('name')} changed on both sides: {ours.name} is kept as "
            f"the card, the other version added as contact {copy} (tagged {CONFLICT_TAG}); "
            f"merge them with `crm contact merge`"
        ]
    theirs.write_bytes(ours.read_bytes())  # the two files equal: vdirsyncer's sign of a resolution
    return said


def _readable(path: Path, now: dt.datetime) -> list[Card]:
    """The one card of a file resolve was given, or why it is left to vdirsyncer (an unreadable
    A is never copied over a good B, nor is a B that cannot be read lost)."""
    why, cards = read_card_file(path, now)
    if why is not None:
        raise CrmError(f"{path.name}: {why}: the conflict is left to vdirsyncer")
    return cards
