"""The one object callers hold: an open database and its rooms, each built (and its module
imported) the first time it is used, so `crm log` pays only for the rooms it walks through."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from .database import Database

if TYPE_CHECKING:
    from .bulk import Bulk
    from .complaints import Complaints
    from .contacts import Contacts
    from .dates import Dates
    from .erasure import Erasure
    from .export import Export
    from .followups import Followups
    from .health import Health
    from .interactions import Interactions
    from .notes import Notes
    from .reports import Reports
    from .search import Search
    from .settings import Settings
    from .stages import Stages
    from .sync import Capture, CardSync
    from .trash import Trash


class Store(Database):
    """An open crm database and its rooms."""

    @cached_property
    def contacts(self) -> Contacts:
        from .contacts import Contacts

        return Contacts(self)

    @cached_property
    def interactions(self) -> Interactions:
        from .interactions import Interactions

        return Interactions(self)

    @cached_property
    def dates(self) -> Dates:
        from .dates import Dates

        return Dates(self)

    @cached_property
    def followups(self) -> Followups:
        from .followups import Followups

        return Followups(self)

    @cached_property
    def complaints(self) -> Complaints:
        from .complaints import Complaints

        return Complaints(self)

    @cached_property
    def notes(self) -> Notes:
        from .notes import Notes

        return Notes(self)

    @cached_property
    def stages(self) -> Stages:
        from .stages import Stages

        return Stages(self)

    @cached_property
    def trash(self) -> Trash:
        from .trash import Trash

        return Trash(self)

    @cached_property
    def settings(self) -> Settings:
        from .settings import Settings

        return Settings(self)

    @cached_property
    def reports(self) -> Reports:
        from .reports import Reports

        return Reports(self)

    @cached_property
    def search(self) -> Search:
        from .search import Search

        return Search(self)

    @cached_property
    def bulk(self) -> Bulk:
        from .bulk import Bulk

        return Bulk(self)

    @cached_property
    def capture(self) -> Capture:
        from .sync import Capture

        return Capture(self)

    @cached_property
    def cards(self) -> CardSync:
        from .sync import CardSync

        return CardSync(self)

    @cached_property
    def export(self) -> Export:
        from .export import Export

        return Export(self)

    @cached_property
    def health(self) -> Health:
        from .health import Health

        return Health(self)

    @cached_property
    def erasure(self) -> Erasure:
        from .erasure import Erasure

        return Erasure(self)
