"""How a table fits a screen: which columns show, which hide, how wide each one is."""

from __future__ import annotations

# Free text: truncated with an ellipsis to fit a table. Every other column is a token (an id,
# a date, a number, an email, a word of a vocabulary) and is never broken or shortened.
FREE_TEXT = {
    "name", "contact", "other_name", "summary", "reason", "note", "notes", "snippet", "text",
    "outcome", "company", "title", "tags", "command", "changed", "detail", "comment", "help",
    "resolution", "response", "done_note", "contacts", "source", "fields", "label", "state",
    "owner", "meeting", "location", "last_summary",
}  # fmt: skip
TEXT_MIN = 12  # a free-text column keeps at least this much before columns are hidden
TEXT_WANT = 40  # ... and gets this much (or all it needs) before trailing DETAIL columns show
# Ways to reach someone, repeated on every listing for convenience: at the end of a table, they
# make way for the prose before them (an overdue contact's reason, a complaint's summary).
DETAIL = {"channel", "email", "phone", "location", "last_channel", "contact_uid"}
PROSE = {"reason", "summary", "note", "meeting", "snippet", "text", "last_summary", "command",
         "detail", "comment", "done_note", "resolution", "response"}  # fmt: skip
TOKEN_MAX = 40  # a token longer than this (a very long email) is cut rather than its column hidden


def cell_width(text: str) -> int:
    """Columns a text takes on a terminal: CJK and emoji take two, combining marks none."""
    if text.isascii():
        return len(text)
    import unicodedata

    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Cf", "Mn", "Me"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def fit_columns(
    keys: list[str], cells: dict[str, list[str]], width: int
) -> tuple[list[str], list[str], dict[str, int]]:
    """Which columns a table of `width` shows, which it hides, and how wide each shown one is.
    Columns are in order of importance. Tokens keep their full width (up to TOKEN_MAX); free
    text shrinks first, down to TEXT_MIN. To fit: empty columns go first, then the last ones —
    first until the table's main PROSE column (an overdue reason, a complaint's summary) has
    TEXT_WANT, or all it needs, and then until everything fits at its smallest; trailing
    DETAIL columns also go while other prose before them would get less than TEXT_WANT."""
    natural = {k: max([cell_width(k), *(cell_width(c) for c in cells[k])]) for k in keys}
    smallest = {
        k: min(natural[k], max(TEXT_MIN if k in FREE_TEXT else TOKEN_MAX, len(k))) for k in keys
    }
    wanted = {
        k: min(natural[k], max(TEXT_WANT, smallest[k])) if k in PROSE else smallest[k] for k in keys
    }

    def total(columns: list[str], sizes: dict[str, int]) -> int:
        return sum(sizes[k] for k in columns) + 3 * len(columns) + 1

    shown: list[str] = list(keys)
    empty = {k for k in keys if not any(cells[k])}
    main = next((k for k in keys if k in PROSE and k not in empty), None)
    sizes = {**smallest, **({main: wanted[main]} if main else {})}
    for target in (sizes, smallest):
        while len(shown) > 1 and total(shown, target) > width:
            going = next((k for k in reversed(shown) if k in empty), shown[-1])
            if going == main and target is sizes:
                break  # the main prose itself: shrink it instead (the second pass)
            shown.remove(going)
    while len(shown) > 1 and shown[-1] in DETAIL and total(shown, wanted) > width:
        shown.pop()
    hidden = [k for k in keys if k not in shown]
    widths = {k: smallest[k] for k in shown}
    spare = width - total(shown, widths)
    for k in shown:  # prose first gets what it wants, in order of importance
        grow = max(0, min(spare, wanted[k] - widths[k]))
        widths[k] += grow
        spare -= grow
    while spare > 0:
        growing = [k for k in shown if widths[k] < natural[k]]
        if not growing:
            break
        for k in growing:
            if spare <= 0:
                break
            widths[k] += 1
            spare -= 1
    return shown, hidden, widths
