"""Mail headers read as mail clients read them: unfolded, RFC 2047 words decoded (in any
charset a message claims, safely), addresses parsed, dates in the formats real mail uses."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re

from ..rules import email_key

# the headers crm reads; every other header line is passed over unparsed
WANTED = {
    "from", "to", "cc", "bcc", "subject", "date", "message-id", "list-id", "list-unsubscribe",
    "auto-submitted", "precedence", "x-autoreply", "x-autorespond", "x-mozilla-draft-info",
}  # fmt: skip

_UNFOLD = re.compile(rb"\r?\n(?=[ \t])")


def headers(head: bytes) -> dict[str, list[str]]:
    """The wanted headers, unfolded; 8-bit bytes read as UTF-8, else cp1252."""
    found: dict[str, list[str]] = {}
    for name, value in _WANTED_LINE.findall(head):
        if b"\n" in value:
            value = _UNFOLD.sub(b"", value)
        key = _KEYS.get(name) or _KEYS.setdefault(name, name.lower().decode("ascii"))
        if key in found:
            found[key].append(_text(value.strip()))
        else:
            found[key] = [_text(value.strip())]
    return found


_KEYS: dict[bytes, str] = {}  # b"From": "from", as met


# A wanted header and its continuation lines, found by the regex engine rather than line by line
# in Python (reading headers is most of an import's time).
_WANTED_LINE = re.compile(
    rb"^("
    + b"|".join(re.escape(n.encode()) for n in sorted(WANTED))
    + rb")[ \t]*:(.*(?:\r?\n[ \t].*)*)",
    re.I | re.M,
)


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


_WORD = re.compile(r"=\?([^?\s]+?)\?([qQbB])\?([^?\s]*?)\?=")
_BETWEEN_WORDS = re.compile(r"(?<=\?=)[ \t\r\n]+(?==\?)")


def decode_words(text: str) -> str:
    """RFC 2047 encoded words (`=?utf-8?q?Jo=C3=A3o?=`) decoded, as mail readers do: adjacent
    words of one charset are joined before decoding (a character may be split between them);
    a word that cannot be read is left as it is. Never raises."""
    if "=?" not in text:
        return text
    text = _BETWEEN_WORDS.sub("", text)
    out, position, pending, charset = [], 0, b"", ""
    for match in _WORD.finditer(text):
        data = _word_bytes(match)
        if match.start() != position or data is None or match[1].lower() != charset:
            out.append(_decoded(pending, charset))
            pending, charset = b"", ""
            out.append(text[position : match.start()])
        if data is None:
            out.append(match[0])
        else:
            pending, charset = pending + data, match[1].lower()
        position = match.end()
    out.append(_decoded(pending, charset))
    out.append(text[position:])
    return "".join(out)


def _word_bytes(match: re.Match) -> bytes | None:
    encoding, payload = match[2], match[3]
    try:
        if encoding in "bB":
            cleaned = re.sub(r"[^A-Za-z0-9+/]", "", payload)
            return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))
        return binascii.a2b_qp(payload.encode("ascii", "replace"), header=True)
    except (binascii.Error, ValueError):
        return None


def _decoded(data: bytes, charset: str) -> str:
    if not data:
        return ""
    charset = charset.split("*", 1)[0]
    for name in (charset, "utf-8"):
        try:
            if _TEXT_CODEC.match(name):  # a charset, not a codec that does something else
                return data.decode(name)
        except (LookupError, UnicodeError, ValueError):
            continue
    return data.decode("cp1252", "replace")


# Charset names to try: letters, digits and - _ . : only (no NUL, no `idna`/`punycode`-style
# transforms that raise on their own input)
_TEXT_CODEC = re.compile(r"^(?!idna|punycode|undefined)[a-z0-9][a-z0-9_.:-]{0,40}$")


def addresses(values: list[str]) -> list[tuple[str, str]]:
    """(display name, address as rules.email_key compares it) pairs; names decoded after splitting (an encoded name
    may hold a comma)."""
    found = []
    for value in values:
        pairs = _simple_addresses(value) if _SIMPLE.match(value) else _full_addresses(value)
        for name, address in pairs:
            address = address.strip()
            if "@" in address and len(address.split()) == 1:
                found.append((decode_words(name).strip(), email_key(address)))
    return found


# Most address headers are `a@b`, `Name <a@b>` and lists of them: read without the full RFC 5322
# parser (which costs more than everything else an import does); quotes, comments, groups and
# escapes go to it.
_SIMPLE = re.compile(r'^[^"()\\:;]*$')
_ANGLE = re.compile(r"^(.*?)<([^<>]*)>\s*$")


def _simple_addresses(value: str) -> list[tuple[str, str]]:
    pairs = []
    for part in value.split(","):
        angle = _ANGLE.match(part)
        pairs.append((angle[1].strip(), angle[2]) if angle else ("", part.strip()))
    return pairs


def _full_addresses(value: str) -> list[tuple[str, str]]:
    from email.utils import getaddresses

    try:
        return getaddresses([value])
    except (RecursionError, ValueError, IndexError):  # hostile nesting of comments, and such
        return []


def sent_at(value: str | None) -> dt.datetime | None:
    """The Date header in local time (a date without a zone is taken as UTC)."""
    if not value:
        return None
    moment = _usual_date(value)
    if moment is None:
        from email.utils import parsedate_to_datetime

        named = _NAMED_ZONE.search(value)
        if named and named[1].upper() in ZONE_NAMES:  # the parser knows only US names
            value = value[: named.start(1)] + ZONE_NAMES[named[1].upper()]
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        return moment.astimezone().replace(tzinfo=None)
    except (OverflowError, ValueError):
        return None


_USUAL_DATE = re.compile(
    r"\s*(?:[A-Za-z]{3},\s*)?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d\d):(\d\d)(?::(\d\d))? ([+-])(\d\d)(\d\d)\b"
)
# Zone abbreviations mailers still write, beyond the US ones the standard parser reads.
ZONE_NAMES = {
    "WET": "+0000", "WEST": "+0100", "BST": "+0100", "CET": "+0100", "CEST": "+0200",
    "MET": "+0100", "MEST": "+0200", "EET": "+0200", "EEST": "+0300", "MSK": "+0300",
    "HKT": "+0800", "SGT": "+0800", "JST": "+0900", "KST": "+0900", "AEST": "+1000",
    "AEDT": "+1100", "NZST": "+1200", "NZDT": "+1300",
}  # fmt: skip
_NAMED_ZONE = re.compile(r"\s([A-Za-z]{3,4})\s*(?:\([^)]*\))?\s*$")
_ZONES: dict[str, dt.timezone] = {}  # "+0100": its zone, made once
_MONTHS = {
    m: n
    for n, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def _usual_date(value: str) -> dt.datetime | None:
    """`Tue, 24 Nov 2026 09:30:00 +0000`, as nearly every mailer writes it, read without the
    general parser (a fifth of an import's time); anything else is left to it."""
    match = _USUAL_DATE.match(value)
    month = _MONTHS.get(match[2].lower()) if match else None
    if not match or not month:
        return None
    day, _, year, hour, minute, second, sign, zone_hours, zone_minutes = match.groups()
    zone = _ZONES.get(sign + zone_hours + zone_minutes)
    if zone is None:
        offset = dt.timedelta(hours=int(zone_hours), minutes=int(zone_minutes))
        if offset >= dt.timedelta(hours=24):
            return None
        zone = _ZONES[sign + zone_hours + zone_minutes] = dt.timezone(
            -offset if sign == "-" else offset
        )
    try:
        return dt.datetime(
            int(year), month, int(day), int(hour), int(minute), int(second or 0), tzinfo=zone
        )
    except ValueError:
        return None
