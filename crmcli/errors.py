"""Our own errors. The CLI turns each into one stderr line and an exit code (see cli.py)."""


class CrmError(Exception):
    """A user error: bad input, an unknown record, a refused action. Exit status 1.

    `details` are lines printed before the error itself (an import's `line N: …` list)."""

    exit_code = 1

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.details = details or []


class UsageError(CrmError):
    """The command line itself is wrong (a missing or conflicting option). Exit status 2."""

    exit_code = 2


class NotFound(CrmError):
    """A contact, interaction or other record that does not exist."""


class DatabaseRefused(CrmError):
    """A file that is not a crm database, or one from a newer crm."""
