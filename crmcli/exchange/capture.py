"""What `import mail` and `import calendar` share: interactions captured from a source, each
known by its source id (a Message-ID, an event occurrence) so it is logged once, written in
batches inside the import's one transaction, and the skip reasons counted for the summary.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from .. import model
from ..store import INTERACTION_COLUMNS, Store, new_uids
from .importer import BATCH, Summary


class CapturedLog:
    """The interactions one import captures from `source`, on `channel`."""

    def __init__(self, store: Store, now: dt.datetime, source: str, channel: str):
        self.store = store
        # The fields every captured interaction shares are checked once, through the model;
        # per message only what varies is (the rules between fields hold on the shared ones).
        self.templates = {
            direction: model.check(
                "interactions",
                {
                    "happened_at": now,
                    "kind": "touch",
                    "channel": channel,
                    "direction": direction,
                    "summary": "-",
                    "created": now,
                    "source": source,
                    "source_id": "-",
                },
            )  # fmt: skip
            for direction in model.DIRECTIONS
        }
        self.seen = store.capture.source_ids(source)
        self.next_id = store.next_id("interactions")
        self.rows: list[tuple] = []
        self.links: list[tuple] = []
        self.uids: list[str] = []
        self.summary = Summary()
        self.reasons: Counter[str] = Counter()
        self.streaming = True  # run_import turns it off once the import is refused anyway

    def logged(self, key: str) -> bool:
        return key in self.seen

    def skip(self, reason: str) -> None:
        self.reasons[reason] += 1
        self.summary.skipped += 1

    def add(
        self,
        key: str,
        happened: Any,
        direction: str,
        summary: str,
        who: list[int],
        awaits_reply: bool = False,
    ) -> None:
        varying = model.check(
            "interactions",
            {"happened_at": happened, "summary": summary[: model.MAX_TEXT], "source_id": key,
             "awaits_reply": awaits_reply},
            partial=True,
            rules=False,
        )  # fmt: skip
        record = {**self.templates[direction], **varying}
        if not self.uids:
            self.uids = new_uids(BATCH)[::-1]
        record.update(id=self.next_id, uid=self.uids.pop())
        self.rows.append(tuple(record.get(column) for column in INTERACTION_COLUMNS))
        self.links.extend((contact_id, record["happened_at"], self.next_id) for contact_id in who)
        self.next_id += 1
        self.seen.add(key)
        self.summary.added += 1
        if self.streaming and len(self.rows) >= BATCH:
            self.flush()

    def write(self) -> None:
        """The end of the import: what is left is written."""
        self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        self.store.bulk.insert_interactions(self.rows, self.links)
        self.rows, self.links = [], []
        self.next_id = self.store.next_id("interactions")

    def reasons_text(self) -> str:
        ordered = sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))
        reasons = ", ".join(f"{n} {why}" for why, n in ordered)
        return f" ({reasons})" if reasons else ""
