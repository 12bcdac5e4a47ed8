"""`crm import calendar`, the writing side: each occurrence read from the calendars (events.py)
becomes a `meeting` interaction once it has ended — logged once, by its event key; moved, not
logged again, when a one-off meeting's time is corrected — or a meeting still to come, kept for
the digest's "Meetings" part."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from .. import model, settings
from ..store import Store
from ..wording import plural
from .capture import CapturedLog
from .events import Meeting, Occurrence

Row = dict[str, Any]


class CalendarCapture(CapturedLog):
    """Turns occurrences into meeting interactions (once they have ended) and meetings to come."""

    def __init__(
        self, store: Store, now: dt.datetime, since: dt.datetime | None, origins: list[str]
    ):
        super().__init__(store, now, "calendar", "meeting")
        self.now = now
        self.since = since
        self.me = set(settings.my_addresses(store))
        _, _, self.emails = store.contacts.lookup()
        self.ahead: dict[str, Row] = {}
        self.origins = origins
        self.moved = 0  # meetings logged before whose time the calendar has corrected since
        self._logged_once: dict[str, str] | None = None  # one-off event uid → its logged key

    def plan(self, occurrence: Occurrence) -> None:
        if occurrence.origin.startswith("stdin:") and occurrence.origin not in self.origins:
            self.origins.append(occurrence.origin)
        meeting = occurrence.meeting
        if occurrence.nobody or meeting is None:
            return self.skip("no known contact")
        if meeting.cancelled:
            return self.skip("cancelled")
        who, direction, declined = self._people(meeting)
        if declined:
            return self.skip("declined")
        if not who:
            return self.skip("no known contact")
        if self.since and when_of(meeting.begins) < self.since:
            return self.skip("before --since")
        if when_of(meeting.ends) > self.now:
            return self._keep_ahead(occurrence, meeting, who)
        # (a one-off event logged by an earlier crm is known by its bare UID)
        bare = occurrence.key.rpartition("|")[0]
        if self.logged(occurrence.key) or (occurrence.single and self.logged(bare)):
            return self.skip("already logged")
        if occurrence.single and self._moved(bare, occurrence.key, meeting):
            return None
        self.add(occurrence.key, meeting.begins, direction, meeting.title, who)

    def _moved(self, uid: str, key: str, meeting: Meeting) -> bool:
        """A one-off meeting logged before at another time (its time corrected since): the
        meeting logged is moved to the time the calendar now says, never logged twice."""
        if self._logged_once is None:
            keys = Counter(k.rpartition("|")[0] for k in self.seen if "|" in k)
            self._logged_once = {
                k.rpartition("|")[0]: k for k in self.seen if keys[k.rpartition("|")[0]] == 1
            }
        earlier = self._logged_once.get(uid)
        if earlier is None:
            return False
        logged = self.store.capture.interaction_of("calendar", earlier)
        if logged is None:  # removed by the user: it stays removed
            self.skip("already logged")
            return True
        self.store.interactions.update(logged, {"happened_at": meeting.begins, "source_id": key})
        self.seen.add(key)
        self._logged_once[uid] = key
        self.moved += 1
        return True

    def _people(self, meeting: Meeting) -> tuple[list[int], str, bool]:
        """Known contacts who did not decline, the direction, and whether I declined."""
        organizer = meeting.organizer
        who, declined_by_me = [], False
        for address, declined in meeting.attendees:
            if address in self.me:
                declined_by_me = declined_by_me or declined
            elif address in self.emails and not declined:
                who.append(self.emails[address])
        if organizer in self.emails and organizer not in self.me:
            who.insert(0, self.emails[organizer])
        direction = "in" if organizer in self.emails and organizer not in self.me else "out"
        return list(dict.fromkeys(who)), direction, declined_by_me

    def _keep_ahead(self, occurrence: Occurrence, meeting: Meeting, who: list[int]) -> None:
        self.ahead[occurrence.key] = model.check(
            "meetings",
            {"event_key": occurrence.key, "starts_at": meeting.begins, "ends_at": meeting.ends,
             "summary": meeting.title, "location": meeting.location, "contact_ids": who,
             "origin": occurrence.origin},
        )  # fmt: skip

    def write(self) -> None:
        super().write()
        self.store.capture.replace_meetings(
            self.origins, list(self.ahead.values()), self.now.date()
        )

    def line(self, dry_run: bool) -> str:
        verb = "would log" if dry_run else "logged"
        read = (
            self.summary.added + len(self.ahead) + self.summary.skipped + len(self.summary.invalid)
        ) + self.moved
        text = f"read {plural(read, 'event occurrence')}: {verb} {plural(self.summary.added, 'meeting')}"
        text += f", {len(self.ahead)} still to come"
        if self.moved:
            text += f", moved {plural(self.moved, 'meeting')} to the time now in the calendar"
        text += f", skipped {self.summary.skipped}"
        text += self.reasons_text()
        return text + (f", {len(self.summary.invalid)} unreadable" if self.summary.invalid else "")


def when_of(moment: dt.date | dt.datetime) -> dt.datetime:
    """A day as a moment: its first second (an all-day event's end, exclusive, is the next
    day's first second)."""
    if isinstance(moment, dt.datetime):
        return moment
    return dt.datetime.combine(moment, dt.time(0))
