"""Reading vCards through vobject: what phones, Google, Apple, Outlook, khard and CardDAV
servers write (writing them is `vcard_writer`'s).

Reading is tolerant and honest: a stream is split into cards here (so one broken card costs that
card only), each card is parsed with quoted-printable allowed, and every property becomes a
contact field — or, when crm has no field for it (IMPP, a photo, a text birthday such as
`circa 1800`), a line kept verbatim in the contact's `extra`, written back on export and named
in a warning. A card is refused only when it has no usable identity (no name, organisation,
email or phone), or when a value crm does model breaks its rule (a 30 February birthday).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import model, when
from ..errors import CrmError
from .card_forms import form, in_order, says_more
from .readers import MAX_FILE, Record, read_whole
from .vcard_text import decode_bytes, split_cards

PRODID = "-//crm//crmcli//EN"
Row = dict[str, Any]
# Properties crm reads into fields (or deliberately passes over); everything else is kept.
HANDLED = {
    "VERSION", "PRODID", "REV", "UID", "FN", "N", "NICKNAME", "ORG", "TITLE", "EMAIL", "TEL",
    "ADR", "URL", "CATEGORIES", "NOTE", "BDAY", "ANNIVERSARY", "X-ANNIVERSARY",
    "X-MS-ANNIVERSARY", "X-ABDATE", "X-ABLABEL", "KIND", "X-ADDRESSBOOKSERVER-KIND",
}  # fmt: skip
SYSTEM_TAGS = {"mycontacts", "starred"}  # Google's own groups, not the user's tags
APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
ADR_FIELDS = ("box", "extended", "street", "city", "region", "code", "country")
ADR_TYPES = ("home", "work", "other", "postal", "parcel", "dom", "intl")


# --------------------------------------------------------------------------- vobject, tamed


def vobject_tamed():
    """vobject with two of its habits fixed: a text value is no longer cut at its first
    unescaped comma (py-vobject issue 55: `FN:Doe, John` read as `Doe`), and its parse
    warnings are ours to report instead of a handler printing on the user's terminal."""
    import vobject
    from vobject import base, icalendar, vcard

    if not getattr(vobject, "_crm_fixed", False):
        original = vcard.VCardTextBehavior.decode.__func__

        def decode(cls, line):
            if (
                line.encoded
                and "BASE64" not in line.singletonparams
                and not getattr(line, "encoding_param", None)
            ):
                line.value = ",".join(icalendar.stringToTextValues(line.value))
                line.encoded = False
            else:
                original(cls, line)

        vcard.VCardTextBehavior.decode = classmethod(decode)
        logging.getLogger("vobject.base").handlers[:] = []
        logging.getLogger("vobject.base").propagate = False
        vobject._crm_fixed = True
        del base  # imported for its side effect of registering behaviours
    return vobject


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _parse_warnings() -> Iterator[list[str]]:
    collector = _Collect()
    log = logging.getLogger("vobject.base")
    log.addHandler(collector)
    try:
        yield collector.messages
    finally:
        log.removeHandler(collector)


def parse_card(text: str) -> tuple[Any, list[str], str]:
    """A vobject card, what could not be read of it, and the text it was read from; lines that
    break the parser are left out one by one, so the rest of the card survives."""
    vobject = vobject_tamed()
    with _parse_warnings() as warnings:
        try:
            return vobject.readOne(text, allowQP=True, ignoreUnreadable=True), warnings, text
        except RecursionError:
            return None, [*warnings, "components nested too deeply to read"], text
        except Exception as error:  # vobject raises many kinds: each is this card's problem
            problems = [*warnings, f"{type(error).__name__}: {error}"]
    from vobject import base

    lines = [line for line, _ in base.getLogicalLines(io.StringIO(text), True)]
    version = next(
        (ln.split(":", 1)[1].strip() for ln in lines if ln.upper().startswith("VERSION:")), "3.0"
    )
    body = [ln for ln in lines if ln.strip().upper() not in ("BEGIN:VCARD", "END:VCARD")
            and not ln.upper().startswith("VERSION:")]  # fmt: skip

    def wrap(kept: list[str]) -> str:
        return "BEGIN:VCARD\r\nVERSION:{}\r\n{}\r\nEND:VCARD\r\n".format(version, "\r\n".join(kept))

    kept = []
    for line in body:
        try:
            vobject.readOne(wrap([line]), allowQP=True)
            kept.append(line)
        except Exception:
            problems.append(f"line skipped (unreadable): {line[:60]}")
    try:
        card = vobject.readOne(wrap(kept), allowQP=True, ignoreUnreadable=True)
        return card, problems, wrap(kept)
    except Exception as error:
        return None, [*problems, f"{type(error).__name__}: {error}"], text


def written_lines(text: str) -> dict[int, str]:
    """A card's properties as written (unfolded), by line number: what crm keeps of a property
    it has no field for is the card's own text, never a re-serialisation (vobject mangles
    BASE64 photos and data: URIs)."""
    from vobject import base

    return {number: line for line, number in base.getLogicalLines(io.StringIO(text), True)}


# --------------------------------------------------------------------------- reading


MAX_CARDS = 50_000  # cards in one import: more is no person's address book


def read_vcards(path: str) -> list[Record]:
    """Records from a .vcf file, a folder of them (a vdir), or `-` (stdin), all parsed before
    the import takes the write lock (a slow stdin or a large book never holds it)."""
    target = Path(path)
    if path != "-" and target.is_dir():
        cards = sorted(p for p in target.iterdir() if p.suffix.lower() in (".vcf", ".vcard"))
        if not cards:
            raise CrmError(f"{path} holds no .vcf files")
        return _at_most(record for file in cards for record in parse_stream(_read(file), file.name))
    return read_cards(read_whole(path))


def read_cards(data: bytes) -> list[Record]:
    """The records of one stream of cards, parsed before the write lock is taken."""
    return _at_most(parse_stream(data, "card"))


def _read(path: Path) -> bytes:
    """A card file of a folder: a pipe or a device there is refused without waiting on it."""
    from ..files import read_regular

    return read_regular(str(path), MAX_FILE)


def _at_most(records: Iterator[Record]) -> list[Record]:
    found = []
    for record in records:
        found.append(record)
        if len(found) > MAX_CARDS:
            raise CrmError(
                f"more than {MAX_CARDS:,} cards: no address book is that large; split it"
            )
    return found


def parse_stream(data: bytes, label: str) -> Iterator[Record]:
    """One record per card; `label` is the file name, or "card" for a stream (numbered)."""
    found = False
    for number, (text, problems) in enumerate(split_cards(decode_bytes(data)), 1):
        found = True
        where = f"card {number}" if label == "card" else f"card {number} ({label})"
        if not text:
            yield Record(where, {}, "; ".join(problems))
            continue
        card, parse_problems, read_text = parse_card(text)
        warnings = [*problems, *parse_problems]
        if card is None:
            yield Record(where, {}, "; ".join(warnings) or "unreadable vCard")
            continue
        if is_group(card):
            yield Record(where, {}, skip="a group card (KIND:group), not a person: left out")
            continue
        try:
            raw, more = card_fields(card, written_lines(read_text))
        except CrmError as error:
            yield Record(where, {}, str(error), warnings)
            continue
        yield Record(where, raw, None, warnings + more)
    if not found:
        yield Record(label, {}, "no vCard found (no BEGIN:VCARD line)")


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value if _text(v))
    return str(value).strip()


def _verbatim(line: Any, written: dict[int, str]) -> str:
    """A property as written in its card, unfolded, to keep and write back."""
    text = written.get(getattr(line, "lineNumber", None) or -1)
    if text is None:  # not found by its number: as vobject writes it
        text = (line.serialize() or "").replace("\r\n ", "").replace("\r\n\t", "").strip()
    return text if "\n" not in text else " ".join(text.split())


def _groups(card: Any) -> dict[str, str]:
    """Apple's item groups: item1.X-ABLabel names what item1.X-ABDATE (or URL, ADR) is."""
    labels = {}
    for line in card.getChildren():
        if line.name == "X-ABLABEL" and line.group:
            value = _text(line.value)
            match = APPLE_LABEL.match(value)
            labels[line.group.lower()] = (match.group(1) if match else value).lower()
    return labels


def card_fields(card: Any, written: dict[int, str] | None = None) -> tuple[Row, list[str]]:
    """A vobject card as raw contact fields, and warnings for what was kept aside (as written:
    `written` holds the card's lines by number)."""
    lines = sorted(card.getChildren(), key=lambda ln: getattr(ln, "lineNumber", 0) or 0)
    raw: Row = {"emails": [], "phones": [], "tags": [], "addresses": [], "urls": [], "dates": []}
    extra: list[str] = []
    warnings: list[str] = []
    labels = _groups(card)
    written_labels = _written_labels(card)
    version = (
        "4.0" if str(getattr(card, "version", None) and card.version.value) == "4.0" else "3.0"
    )
    forms: list[Row] = []
    notes: list[str] = []

    kept_groups: set[str] = set()

    def keep(line: Any, why: str) -> None:
        extra.append(_verbatim(line, written or {}))
        warnings.append(f"{line.name} kept as written ({why})")
        if line.group:
            kept_groups.add(line.group.lower())

    for line in lines:
        name, value = line.name, line.value
        label = labels.get((line.group or "").lower())
        before = {k: len(raw[k]) for k in _FORM_LISTS.values()} | {"birthday": raw.get("birthday")}
        if name not in HANDLED:
            keep(line, "crm has no field for it")
        elif name == "FN" and _text(value):
            raw["name"] = _text(value)
        elif name == "N":
            _name_parts(value, raw)
        elif name == "NICKNAME" and _text(value):
            raw["nickname"] = _text(value)
        elif name == "ORG":
            parts = [_text(p) for p in (value if isinstance(value, list) else [value])]
            parts = [p for p in parts if p]
            if parts:
                raw["company"] = parts[0]
                if parts[1:]:
                    raw["department"] = " / ".join(parts[1:])
        elif name == "TITLE" and _text(value):
            raw["title"] = _text(value)
        elif name == "EMAIL" and _text(value):
            _checked(line, _email_in, raw["emails"], keep, "not an email address crm can use")
        elif name == "TEL":
            _phone(line, raw, keep)
        elif name == "ADR":
            _address(line, label, raw, keep)
        elif name == "URL" and _text(value):  # (Google escapes its colon: http\\://)
            _checked(line, _url, raw["urls"], keep, "not a web address crm can use")
        elif name == "CATEGORIES":
            _tags(line, raw, keep)
        elif name == "NOTE" and _text(value):
            notes.append(_text(value))
        elif name == "UID" and _text(value):
            raw["uid"] = _text(value)  # checked with the rest: a bad uid refuses the card
        elif name == "REV":
            revision = _revision(_text(value))
            if revision:
                raw["updated"] = revision
        elif name in ("BDAY", "ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-ABDATE"):
            _date(line, label, raw, keep)
        value = _form_value(name, raw, before)
        if value is not None:
            found = form(line, name, value, written_labels.get((line.group or "").lower(), []),
                         version)  # fmt: skip
            if says_more(found, value):
                forms.append(found)
    for line in lines:  # Apple's label of a line kept as written goes with it (a spouse's name)
        if line.name == "X-ABLABEL" and (line.group or "").lower() in kept_groups:
            extra.append(_verbatim(line, written or {}))
    if raw.get("system_categories"):  # Google's myContacts, starred: its own, written back
        forms.append({"kind": "CATEGORIES", "key": "", "version": version,
                      "parts": raw.pop("system_categories")})  # fmt: skip
    if notes:
        raw["notes"] = "\n".join(notes)
    if "name" not in raw:
        raw["name"] = _identity(raw)
    kept = {k: v for k, v in raw.items() if v not in (None, [], "")}
    kept["extra"] = extra  # even none: a card's kept lines are all it has (an update replaces)
    kept["card_forms"] = in_order(forms)  # and how it wrote the rest, to write it back so
    return kept, warnings


_FORM_LISTS = {"EMAIL": "emails", "TEL": "phones", "ADR": "addresses", "URL": "urls",
               "X-ABDATE": "dates", "ANNIVERSARY": "dates", "X-ANNIVERSARY": "dates",
               "X-MS-ANNIVERSARY": "dates"}  # fmt: skip


def _form_value(name: str, raw: Row, before: Row) -> Any:
    """The value a line just gave crm (its form belongs to it), or None."""
    if name in _FORM_LISTS:
        values = raw[_FORM_LISTS[name]]
        return values[-1] if len(values) > before[_FORM_LISTS[name]] else None
    if name == "BDAY" and raw.get("birthday") and raw.get("birthday") != before["birthday"]:
        return ("birthday", raw["birthday"])
    if name == "N":
        return {k: raw.get(k) for k in ("given_name", "family_name", "prefix", "suffix")}
    return None


def _written_labels(card: Any) -> dict[str, list[str]]:
    """Apple's X-ABLabel values as written, by group: written back with their line."""
    found: dict[str, list[str]] = {}
    for line in card.getChildren():
        if line.name == "X-ABLABEL" and line.group:
            found.setdefault(line.group.lower(), []).append(_text(line.value))
    return found


def is_group(card: Any) -> bool:
    kinds = {
        _text(line.value).lower()
        for line in card.getChildren()
        if line.name in ("KIND", "X-ADDRESSBOOKSERVER-KIND")
    }
    return "group" in kinds


def _name_parts(value: Any, raw: Row) -> None:
    parts = {
        k: _text(getattr(value, k, ""))
        for k in ("family", "given", "additional", "prefix", "suffix")
    }
    given = " ".join(p for p in (parts["given"], parts["additional"]) if p)
    for field, part in (("given_name", given), ("family_name", parts["family"]),
                        ("prefix", parts["prefix"]), ("suffix", parts["suffix"])):  # fmt: skip
        if part:
            raw[field] = part
    whole = " ".join(p for p in (parts["prefix"], given, parts["family"], parts["suffix"]) if p)
    if whole:
        raw["n_name"] = whole


def _identity(raw: Row) -> str:
    """A card without FN: its N, else its organisation, else its email or phone."""
    for candidate in (raw.pop("n_name", None), raw.get("company")):
        if candidate:
            return candidate
    if raw["emails"] or raw["phones"]:
        return (raw["emails"] or raw["phones"])[0]
    raise CrmError("no name, organisation, email or phone: nothing to know this person by")


def _url(text: str) -> str:
    return model.url(text.replace("\\:", ":"))


def _email_in(text: str) -> str:
    """The address of `John Doe <jd@example.com>`, as some programs write EMAIL."""
    named = re.fullmatch(r"[^<>]*<\s*([^<>\s]+@[^<>\s]+)\s*>\s*", text)
    return model.email(named.group(1) if named else text)


def _checked(line: Any, check, values: list[Any], keep, why: str) -> None:
    """A value the model takes joins `values`; one it refuses is kept as written, named in a
    warning, and costs the card nothing else."""
    try:
        values.append(check(_text(line.value)))
    except CrmError as error:
        keep(line, f"{why}: {error}")


def _phone(line: Any, raw: Row, keep) -> None:
    text = _text(line.value)
    if text.lower().startswith("tel:"):  # vCard 4.0's URI form: tel:+1-555-0100;ext=5
        number, _, params = text[4:].partition(";")
        extension = dict(p.partition("=")[::2] for p in params.split(";") if "=" in p).get("ext")
        text = number + (f" ext. {extension}" if extension else "")
    # the same extension written in a 3.0 value, where `;` is only text: +1 555 0103;ext=7
    text = re.sub(r"\s*;\s*ext=\s*", " ext. ", text, flags=re.I)
    if not text:
        return
    try:
        raw["phones"].append(model.phone(text))
    except CrmError:
        keep(line, "not a phone number crm can keep as a phone")


def _address(line: Any, label: str | None, raw: Row, keep) -> None:
    value = line.value
    parts = {field: _text(getattr(value, field, "")) for field in ADR_FIELDS}
    parts = {k: v for k, v in parts.items() if v}
    if not parts:
        return
    # 3.0 and 4.0 say ADR;TYPE=home; 2.1 says ADR;HOME (a parameter without a name)
    named = [*line.params.get("TYPE", []), *getattr(line, "singletonparams", [])]
    types = [t.lower() for t in named for t in t.split(",")]
    kind = label or next((t for t in types if t in ADR_TYPES), None)
    address = {"type": kind, **parts} if kind else parts
    try:
        raw["addresses"].append(model.address(address))
    except CrmError:
        keep(line, "an address crm cannot keep as one")


def _tags(line: Any, raw: Row, keep) -> None:
    values = line.value if isinstance(line.value, list) else [line.value]
    for value in (_text(v) for v in values):
        if value and value.lower().lstrip("* ") in SYSTEM_TAGS:  # not the user's tags: kept
            raw.setdefault("system_categories", []).append(value)  # to be written back
            continue
        if not value:
            continue
        try:
            raw["tags"].append(model.tag(value))
        except CrmError:
            keep(line, f"the category {value!r} cannot be a tag")
            return


def _date(line: Any, label: str | None, raw: Row, keep) -> None:
    """BDAY, the anniversaries of every vendor, and Apple's labelled X-ABDATE."""
    try:
        parsed = special_date(line)
    except CrmError as error:  # 30 February, year 0000: the field, not the card, is wrong
        keep(line, f"{error}; not kept as a date")
        return
    if parsed is None:
        keep(line, "not a calendar date crm can remind you of")
        return
    if line.name == "BDAY":
        raw["birthday"] = parsed
        return
    name = "anniversary" if line.name != "X-ABDATE" or label in (None, "anniversary") else label
    raw["dates"].append((name, parsed))


_DATE = re.compile(
    r"^(?:(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})|--(?P<m2>\d{2})-?(?P<d2>\d{2}))"
    r"(?:T[\d:]*(?:Z|[+-]\d{2}:?\d{2})?)?$"
)


def special_date(line: Any) -> tuple[int, int, int | None] | None:
    """(month, day, year) of a vCard date; None for text (`circa 1800`) and reduced forms
    (`---14`, `1985-03`), which are no calendar day. A day that does not exist (30 February)
    is an error: the card says something false."""
    value = _text(line.value)
    if [v.lower() for v in line.params.get("VALUE", [])] == ["text"]:
        return None
    match = _DATE.match(value)
    if not match:
        return None
    groups = match.groupdict()
    month = int(groups["m"] or groups["m2"])
    day = int(groups["d"] or groups["d2"])
    year = int(groups["y"]) if groups["y"] else None
    if year in when.PLACEHOLDER_YEARS or "X-APPLE-OMIT-YEAR" in line.params:
        year = None
    try:
        return when.special_date(month, day, year)
    except CrmError:
        raise CrmError(f"bad {line.name} {value!r}: no such date") from None


def _revision(value: str) -> str | None:
    """REV 20261124T173438Z (or ISO) → local 2026-11-24T17:34:38; unreadable ones are dropped."""
    compact = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})Z?", value.strip())
    if not compact:
        return None
    year, month, day, hour, minute, second = map(int, compact.groups())
    try:
        moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    except ValueError:
        return None
    try:
        return when.stamp(moment.astimezone().replace(tzinfo=None))
    except (OverflowError, ValueError):
        return None
