"""The one place that reads the clock.

`CRM_TODAY=YYYY-MM-DD` fixes the date everywhere; the time of day stays the real clock's, unless
it is given too (`CRM_TODAY=2026-11-24T09:30`, for examples and tests about the hour).
Everything below the CLI takes `today` / `now` as arguments instead of calling this.
"""

import datetime as dt
import os

from .errors import CrmError
from .when import EARLIEST, LATEST, RANGE_TEXT


def _fixed() -> tuple[dt.datetime, bool] | None:
    """The fixed moment, and whether it names a time of day."""
    fixed = os.environ.get("CRM_TODAY", "").strip()
    if not fixed:
        return None
    try:
        moment = dt.datetime.fromisoformat(fixed)
    except ValueError:
        raise CrmError(
            f"CRM_TODAY={fixed!r} is not a date: use YYYY-MM-DD (or YYYY-MM-DDTHH:MM) or unset it"
        ) from None
    if moment.tzinfo is not None or not EARLIEST <= moment.date() <= LATEST:
        raise CrmError(
            f"CRM_TODAY={fixed} is outside the supported range {RANGE_TEXT} or names a time "
            "zone: use a local date in the range, or unset CRM_TODAY"
        )
    return moment.replace(microsecond=0), len(fixed) > 10


def today() -> dt.date:
    fixed = _fixed()
    return fixed[0].date() if fixed else dt.date.today()


def now() -> dt.datetime:
    """Today's date (possibly fixed by CRM_TODAY) at the real time of day (or the fixed one),
    to the second."""
    fixed = _fixed()
    real = dt.datetime.now().replace(microsecond=0)
    if fixed is None:
        return real
    moment, has_time = fixed
    return moment if has_time else dt.datetime.combine(moment.date(), real.time())
