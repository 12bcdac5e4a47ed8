"""The one place that reads the clock.

`CRM_TODAY=YYYY-MM-DD` fixes the date everywhere; the time of day stays the real clock's.
Everything below the CLI takes `today` / `now` as arguments instead of calling this.
"""

import datetime as dt
import os

from .errors import CrmError
from .when import EARLIEST, LATEST, RANGE_TEXT


def today() -> dt.date:
    fixed = os.environ.get("CRM_TODAY", "").strip()
    if not fixed:
        return dt.date.today()
    try:
        day = dt.date.fromisoformat(fixed)
    except ValueError:
        raise CrmError(f"CRM_TODAY={fixed!r} is not a date: use YYYY-MM-DD or unset it") from None
    if not EARLIEST <= day <= LATEST:
        raise CrmError(
            f"CRM_TODAY={fixed} is outside the supported range {RANGE_TEXT}: "
            "use a date in it or unset CRM_TODAY"
        )
    return day


def now() -> dt.datetime:
    """Today's date (possibly fixed by CRM_TODAY) at the real time of day, to the second."""
    real = dt.datetime.now().replace(microsecond=0)
    return dt.datetime.combine(today(), real.time())
