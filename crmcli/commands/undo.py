"""crm undo: take back the last change a crm command made."""

from .. import history, output
from ..options import open_store


def undo() -> None:
    """Take back the last change (any write command, imports included); undo twice for two."""
    store = open_store()
    change = history.undo(store)
    output.message(
        f"undid change {change['id']}: {change['command']} ({change['at'][:16].replace('T', ' ')})"
    )
