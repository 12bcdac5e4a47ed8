"""crm doctor: integrity, schema, permissions, and every stored row against the rules."""

from .. import health, output
from ..errors import CrmError
from ..options import Format, Wide, open_store


def doctor(fmt: Format = None, wide: Wide = False) -> None:
    """Check integrity, schema, orphans, permissions and the rules; exits 1 when something is wrong."""
    store = open_store()
    checks = health.checks(store)
    output.render(checks, output.check_format(fmt))
    failed = [c["check"] for c in checks if not c["ok"]]
    if failed:
        raise CrmError(f"{len(failed)} problem(s) found: {', '.join(failed)}")
    output.message(f"{store.path}: all {len(checks)} checks passed")
