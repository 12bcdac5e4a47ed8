"""A vCard stream as text: its bytes decoded, split into cards, each property on one line.

Joining the pieces of a property is done here, in linear time and bounded: vobject joins a
folded line by copying the line so far once per piece (a card folded into a million pieces took
minutes), and nothing bounds a line's length. A property longer than MAX_VCARD_LINE is left out
of its card, with a warning; the rest of the card is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import CrmError
from ..values import MAX_VCARD_LINE

_QP = re.compile(r"QUOTED-PRINTABLE", re.I)
_EIGHT_BIT = re.compile(r";(?:ENCODING=)?[78]BIT(?=;|:|$)", re.I)


def decode_bytes(data: bytes) -> str:
    """A .vcf file as text: UTF-8 or UTF-16 (with or without a mark), else cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    if len(data) > 1 and data[1:2] == b"\x00" and data[:1] != b"\x00":
        return data.decode("utf-16-le", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def split_cards(text: str) -> Iterator[tuple[str, list[str]]]:
    """Each card's text, one property a line, and its structural problems. Folded lines and 2.1
    quoted-printable soft breaks are joined here, in linear time (vobject joins them by copying
    the line so far once per piece: a card folded into a million pieces took minutes); a line
    longer than MAX_VCARD_LINE is left out, with a warning; a missing END:VCARD ends the card at
    the next BEGIN."""
    card: list[str] | None = None  # the card's finished lines
    problems: list[str] = []
    properties = 0  # in the whole stream
    line = _Line()
    for found in _PHYSICAL_LINE.finditer(text.lstrip("\ufeff")):
        physical = found.group(1)
        if card is not None and line.continued_by(physical):
            line.add(physical)
            continue
        if card is not None:
            line.finish(card, problems)
        key = _structure(physical)
        if key == "BEGIN:VCARD":
            if card is not None:
                yield _whole(card, [*problems, "no END:VCARD"])
            card, problems = [], []
        elif card is not None and key == "END:VCARD":
            yield _whole(card, problems)
            card = None
        elif card is not None and key.startswith("VERSION:"):
            line = _Line(key)  # (a grouped `home.version:3.0` too)
        elif card is not None:
            line = _Line(physical)
            properties += 1
            if properties > MAX_BOOK_LINES:
                raise CrmError(f"more than {MAX_BOOK_LINES:,} properties in all: no address "
                               "book is that large; split it")  # fmt: skip
    if card is not None:
        line.finish(card, problems)
        yield _whole(card, [*problems, "no END:VCARD at the end"])


MAX_CARD_LINES = 2_000  # properties of one card: a person's has tens, with every photo
MAX_CARD_SIZE = 8_000_000  # characters of one card: a 2 MB photo and much besides
MAX_NESTED = 20  # components inside a card (vCard 2.1 agents): deeper broke the parser
MAX_BOOK_LINES = 300_000  # properties of a whole book read at once (5,000 contacts: ~100,000)


def _whole(lines: list[str], problems: list[str]) -> tuple[str, list[str]]:
    """A card's text and problems; no text (the card refused) for one past any real card's
    size or nesting (a million short lines took 21 s and 781 MB in the parser)."""
    if len(lines) > MAX_CARD_LINES:
        return "", [f"more than {MAX_CARD_LINES:,} properties: no person's card has that many"]
    if sum(map(len, lines)) > MAX_CARD_SIZE:
        return "", [f"larger than {MAX_CARD_SIZE // 1_000_000} MB: no person's card is"]
    if sum(line[:6].upper() == "BEGIN:" for line in lines) > MAX_NESTED:
        return "", [f"more than {MAX_NESTED} components nested inside it: no card has that"]
    return _card_text(lines), problems


_PHYSICAL_LINE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|$)")  # lazily: no list of a million lines


_GROUP = re.compile(r"^[A-Za-z0-9-]+\.")


def _structure(physical: str) -> str:
    """BEGIN:VCARD, END:VCARD or VERSION:… as a line names it — some vendors put a group even
    there (`home.begin:vcard`) — else ""."""
    if len(physical) > 60:
        return ""
    key = _GROUP.sub("", physical.strip()).upper()
    return key if key in ("BEGIN:VCARD", "END:VCARD") or key.startswith("VERSION:") else ""


def _card_text(lines: list[str]) -> str:
    return "\r\n".join(["BEGIN:VCARD", *lines, "END:VCARD"]) + "\r\n"


class _Line:
    """One property being joined from its pieces."""

    def __init__(self, first: str = "") -> None:
        colon = first.find(":")
        head = first[:colon] if colon >= 0 else ""
        if _EIGHT_BIT.search(head):  # 2.1's 8BIT is plain text, not base64
            first = _EIGHT_BIT.sub("", head) + first[colon:]
            head = _EIGHT_BIT.sub("", head)
        self.name = (head or first[:40]).split(";", 1)[0].strip().upper()
        self.quoted_printable = bool(_QP.search(head))
        self.size = len(first)
        self.pieces = [first[: MAX_VCARD_LINE + 1]] if first else []

    def continued_by(self, physical: str) -> bool:
        """A soft break (quoted-printable `=` at the end) or a fold (a space or tab first)."""
        if self.quoted_printable and self.pieces and self.pieces[-1].endswith("="):
            return True
        return bool(self.pieces) and physical[:1] in (" ", "\t")

    def add(self, physical: str) -> None:
        if self.quoted_printable and self.pieces[-1].endswith("="):
            self.pieces[-1] = self.pieces[-1][:-1]  # the soft break: `=` and the line end go
            self.size -= 1
        else:
            physical = physical[1:]  # the fold: the line end and one space go
        self.size += len(physical)
        if self.size <= MAX_VCARD_LINE:
            self.pieces.append(physical)

    def finish(self, card: list[str], problems: list[str]) -> None:
        if len(card) > MAX_CARD_LINES:
            pass  # refused whole (_whole): no more of it is kept
        elif self.size > MAX_VCARD_LINE:
            problems.append(
                f"{self.name or 'a line'} left out: {self.size / 1e6:.1f} MB long, past the "
                f"{MAX_VCARD_LINE // 1_000_000} MB a property may hold"
            )
        elif self.pieces:
            card.append("".join(self.pieces))
        self.pieces, self.size = [], 0
