"""Reading files: where the bytes come from, which encoding and format they are in, and how a
CSV or JSON Lines file becomes one `Record` per row (raw cells keyed by target field).

Which column means which field is the header maps' business (headers.py); what a record means
for the database is the importer's (importer.py). Nothing here validates a value.
"""

from __future__ import annotations

import codecs
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from ..errors import CrmError
from ..model import json_value

SAMPLE = 1 << 16  # bytes read ahead to sniff the encoding, the format and the CSV dialect
# A document read whole (vCards, a calendar, a JSON array) larger than this is no address book
# or calendar a person keeps (a phone's export of 5,000 contacts with photos is ~30 MB).
MAX_FILE = 64 * 1024 * 1024
MAX_LINE = 4 * 1024 * 1024  # a CSV or JSON Lines line: far past any row of real fields
MAX_STREAM = 1 << 30  # what stdin or a FIFO may carry (a file of rows is streamed, any size)
MAX_JSON_ITEMS = 50_000  # objects in a JSON array, parsed whole before the write lock


@dataclass
class Record:
    where: str  # "line 12", "card 3", "ana.vcf"
    raw: dict[str, Any]  # target field → value, before validation
    problem: str | None = None  # a reading error (bad encoding, unreadable row)
    warnings: list[str] = field(default_factory=list)
    skip: str | None = None  # why this is no record to import (a vCard of a group)


# --------------------------------------------------------------------------- bytes and text


def refuse_device(path: str | Path) -> None:
    """A device (a link to /dev/zero, a disk) is endless or not ours: refused before reading.
    A named pipe is a stream like stdin, and is read."""
    import os
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # opening it says what is wrong
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        raise CrmError(f"{path} is a device, not a file: give the file to import")


def open_binary(path: str) -> BinaryIO:
    """A file (or stdin for `-`) as buffered bytes that can be peeked at for sniffing. A stream
    (stdin, a FIFO) is first copied whole to an unnamed temporary file: a slow writer feeding it
    is waited on before the import takes the write lock, never while holding it, and nothing is
    left behind however crm ends. A regular file is read as it is, streamed."""
    if path == "-":
        return _spooled(sys.stdin.buffer, "stdin")
    refuse_device(path)
    target = Path(path)
    if target.is_dir():
        raise CrmError(
            f"{path} is a directory: give a file (a folder of .vcf files needs --format vcard)"
        )
    try:
        handle = target.open("rb", buffering=SAMPLE)
    except OSError as error:
        raise CrmError(f"cannot read {path}: {error.strerror}") from None
    if _regular_size(handle) is None:  # a FIFO, or a file that does not know its size (/proc)
        with handle:
            return _spooled(handle, path)
    return handle


def _spooled(source: BinaryIO, where: str) -> BinaryIO:
    """The stream copied to an unnamed temporary file (gone with the process), refused at once
    when a line runs past MAX_LINE (/dev/zero) or the whole past MAX_STREAM."""
    import tempfile

    spool = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the caller, who closes it)
    since_newline = total = 0
    while chunk := source.read(1 << 20):
        newline = chunk.rfind(b"\n")
        since_newline = len(chunk) - newline - 1 if newline >= 0 else since_newline + len(chunk)
        total += len(chunk)
        if since_newline > MAX_LINE or total > MAX_STREAM:
            spool.close()
            raise CrmError(
                f"{where} has a line longer than {MAX_LINE >> 20} MB: no file of rows or cards "
                "has one (is it binary, or endless?)"
                if since_newline > MAX_LINE
                else f"{where} holds more than {MAX_STREAM >> 30} GB: give it as a file"
            )
        spool.write(chunk)
    spool.seek(0)
    return io.BufferedReader(spool, SAMPLE)  # type: ignore[arg-type]


def read_whole(path: str) -> bytes:
    """A whole file (or stdin for `-`) as bytes, for the readers that parse a document at
    once (vCards): refused over MAX_FILE, before it is read when the file says its size."""
    with open_binary(path) as binary:
        return whole(binary, path)


def whole(binary: BinaryIO, where: str) -> bytes:
    refuse_large(_regular_size(binary) or 0, where)
    data = binary.read(MAX_FILE + 1)
    refuse_large(len(data), where)
    return data


def refuse_large(size: int, where: str) -> None:
    if size > MAX_FILE:
        raise CrmError(
            f"{where} holds more than {MAX_FILE >> 20} MB: no address book or calendar is that "
            "large; split it, or leave out what is not yours (photos, attachments)"
        )


def _regular_size(handle: BinaryIO) -> int | None:
    import os
    import stat

    info = os.fstat(handle.fileno())
    return info.st_size if stat.S_ISREG(info.st_mode) and info.st_size else None


def sample(binary: BinaryIO) -> bytes:
    return binary.peek(SAMPLE)[:SAMPLE] if hasattr(binary, "peek") else b""


# Latin-script code pages: on a short sample of Western text a detector guesses any of them
# (cp1250, cp1257, mac_latin2…), so crm reads cp1252 — Outlook's and Excel's Western files.
# Only a detected non-Latin script (Cyrillic, Greek, Hebrew, Arabic, CJK…) is believed.
LATIN_SCRIPT = ("ascii", "cp1250", "cp1252", "cp1254", "cp1257", "cp775", "cp850", "cp852",
                "cp437", "latin", "iso8859_1", "iso8859_2", "iso8859_3", "iso8859_4",
                "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15",
                "iso8859_16", "mac_roman", "mac_latin2", "mac_iceland", "mac_turkish",
                "windows_125")  # fmt: skip


def detect_encoding(head: bytes) -> str:
    """A byte-order mark; else UTF-16 by its zero bytes; else UTF-8 if the sample is valid;
    else a detector for non-Western scripts; else cp1252 (Outlook's and Excel's Western files)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    window = head[:4096]
    if window and window.count(0) > len(window) // 4:
        return "utf-16-le" if window[1::2].count(0) > window[0::2].count(0) else "utf-16-be"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 3 and len(head) >= SAMPLE:
            return "utf-8"  # a character cut in two at the end of the sample
    from charset_normalizer import from_bytes

    found = from_bytes(head)
    best = found.best()
    if best is None or best.encoding.replace("-", "_").lower().startswith(LATIN_SCRIPT):
        return "cp1252"
    if best.encoding.startswith("mac_"):  # Mac and Windows codes read alike: files come
        for match in found:  # from Windows far more often, so its code page wins a tie
            if match.encoding.startswith("cp125") and match.language == best.language:
                return match.encoding
    # A few words are too little for a detector: in them, a guess of a CJK code is more often
    # Cyrillic or Greek from Windows, which reads as letters of that one script alone.
    for code, first, last in (("cp1251", "\u0400", "\u04ff"), ("cp1253", "\u0370", "\u03ff")):
        letters = [ch for ch in head.decode(code, "replace") if not ch.isascii()]
        if len(head) < 2048 and letters and all(first <= ch <= last for ch in letters):
            return code
    return best.encoding  # Cyrillic (cp1251), Greek, CJK…


def text_stream(binary: BinaryIO, encoding: str | None = None) -> TextIO:
    """The file as text, in the encoding given or the one detected."""
    chosen = encoding or detect_encoding(sample(binary))
    try:
        "a".encode(chosen)  # a text encoding (not base64, rot13 or zlib)
    except (LookupError, UnicodeError, ValueError):
        raise CrmError(
            f"unknown encoding {chosen!r}: use utf-8, utf-16, cp1252, latin-1…"
        ) from None
    if (
        encoding is None
        and chosen not in ("utf-8", "utf-8-sig", "cp1252")
        and not chosen.startswith("utf-16")
    ):
        from ..output import message

        message(f"reading the file as {chosen} (what its bytes suggest): if names look wrong, "
                "give the file's encoding with --encoding")  # fmt: skip
    # Bytes the encoding cannot read become lone surrogates, found row by row (undecodable()),
    # so one bad row costs that row only and its line number is exact.
    errors = "replace" if chosen == "cp1252" and encoding is None else "surrogateescape"
    return io.TextIOWrapper(binary, encoding=chosen, newline="", errors=errors)  # type: ignore[arg-type]


_UNDECODABLE = re.compile("[\udc80-\udcff]")


def undecodable(text: str) -> bool:
    """Whether a row held bytes its file's encoding cannot read."""
    return _UNDECODABLE.search(text) is not None


def decoding_problem(encoding: str) -> str:
    return f"not valid {encoding}: give the file's encoding with --encoding (utf-8, cp1252…)"


def detect_format(path: str, binary: BinaryIO | None) -> str:
    """csv, jsonl or vcard, by the file name, else by the first bytes."""
    suffix = Path(path).suffix.lower() if path != "-" else ""
    by_suffix = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".jsonl": "jsonl"}
    by_suffix.update({".ndjson": "jsonl", ".json": "json", ".vcf": "vcard", ".vcard": "vcard"})
    if suffix in by_suffix:
        return by_suffix[suffix]
    if path != "-" and Path(path).is_dir():
        return "vcard"
    head = sample(binary) if binary is not None else b""
    text = head[:256].decode(detect_encoding(head[:256]) if head else "utf-8", "ignore")
    text = text.lstrip("\ufeff \r\n\t")
    if text.upper().startswith("BEGIN:VCARD"):
        return "vcard"
    if text.startswith("["):
        return "json"
    if text.startswith("{"):
        return "jsonl"
    return "csv"


# --------------------------------------------------------------------------- CSV


def sniff_delimiter(head: str) -> str:
    """Comma, semicolon (European spreadsheets) or tab, judged by the header line."""
    first = head.split("\n", 1)[0]
    counts = {delimiter: first.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class _Lines:
    """Feeds the csv module line by line and remembers the raw text of the current row, so a
    stray quote inside an unquoted cell (which csv accepts silently) can be found."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.raw: list[str] = []
        self.size = 0  # characters of the row being read
        self.read = 0  # lines so far

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = bounded_line(self.stream, self.read + 1)
        if not line:
            raise StopIteration
        self.read += 1
        self.raw.append(line)
        self.size += len(line)
        if self.size > MAX_LINE:  # a row of many big quoted cells, each line short enough
            raise CrmError(
                f"the row ending at line {self.read} is longer than {MAX_LINE >> 20} MB: no row "
                "of real fields is; nothing was imported"
            )
        return line

    def start_row(self) -> None:
        self.raw, self.size = [], 0


def bounded_line(stream: TextIO, number: int) -> str:
    """The next line, refused past MAX_LINE characters (read no further than that)."""
    line = stream.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise CrmError(
            f"line {number} is longer than {MAX_LINE >> 20} MB: no row of real "
            "fields is; the rest of the file cannot be read from there, so nothing was imported"
        )
    return line


def _stray_quote(raw: str, delimiter: str) -> bool:
    d = re.escape(delimiter)
    cell = f'(?:"(?:[^"]|"")*"|[^"{d}\\r\\n]*)'
    return re.fullmatch(f"{cell}(?:{d}{cell})*\\r?\\n?", raw, re.S) is None


def csv_rows(stream: TextIO, delimiter: str) -> Iterator[tuple[int, list[str] | str]]:
    """(line number, cells) per row, or (line number, problem) for a row that cannot be read:
    a quote inside an unquoted cell, bytes not in the encoding. A quote never closed leaves
    the rest of the file unreadable: that refuses the whole file, --skip-invalid or not, since
    the rows after it could not even be counted."""
    import csv

    csv.field_size_limit(MAX_LINE)  # big cells are the model's to refuse, row by row
    lines = _Lines(stream)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    start = 1
    while True:
        lines.start_row()
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            encoding = getattr(stream, "encoding", "utf-8")
            yield start, decoding_problem(encoding)
            return
        except csv.Error as error:
            raise CrmError(
                f"line {start}: {_csv_problem(str(error))}; the rest of the file cannot be "
                "read from there, so nothing was imported"
            ) from None
        number, start = start, reader.line_num + 1
        raw = "".join(lines.raw)
        if undecodable(raw):
            yield number, decoding_problem(getattr(stream, "encoding", "utf-8"))
            continue
        if any('"' in cell for cell in row) and _stray_quote(raw, delimiter):
            yield (
                number,
                'a quote inside a cell that does not start with one: quote the cell ("…") and double the quote ("")',
            )
            continue
        yield number, row


_TSV_ESCAPE = re.compile(r"\\([tnr\\])")
_TSV_CHARS = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def tsv_rows(stream: TextIO) -> Iterator[tuple[int, list[str] | str]]:
    """(line number, cells) of a TSV file as crm writes it: no quotes, and tabs, newlines and
    backslashes inside cells escaped as `\\t`, `\\n`, `\\\\`."""
    for number, line, problem in _numbered_lines(stream):
        if problem:
            yield number, problem
            continue
        cells = line.rstrip("\r\n").split("\t")
        yield number, [_TSV_ESCAPE.sub(lambda m: _TSV_CHARS[m.group(1)], cell) for cell in cells]


def _numbered_lines(stream: TextIO) -> Iterator[tuple[int, str, str | None]]:
    """(line number, line, problem) per line: a line the encoding cannot read is a problem (and
    a stream that cannot be decoded at all ends with one)."""
    number = 0
    while True:
        try:
            line = bounded_line(stream, number + 1)
        except UnicodeDecodeError:
            yield number + 1, "", decoding_problem(getattr(stream, "encoding", "utf-8"))
            return
        if not line:
            return
        number += 1
        if undecodable(line):
            yield number, line, decoding_problem(getattr(stream, "encoding", "utf-8"))
        else:
            yield number, line, None


def _csv_problem(error: str) -> str:
    if "unexpected end of data" in error:
        return 'a quoted cell is never closed: add the closing quote (")'
    return f"unreadable CSV: {error}"


# --------------------------------------------------------------------------- JSON


def jsonl_objects(stream: TextIO) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, object) per JSON Lines line, or (line number, problem)."""
    for number, line, problem in _numbered_lines(stream):
        if problem:
            yield number, problem
            continue
        if not line.strip():
            continue
        try:
            obj = json_value(line)
        except CrmError as error:
            yield number, str(error)
            continue
        if not isinstance(obj, dict):
            yield number, "each line must be a JSON object"
            continue
        yield number, obj


def json_array_objects(stream: TextIO) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """The objects of one JSON array (what `crm export --format json` writes), numbered."""
    buffer = getattr(stream, "buffer", None)
    try:
        size = _regular_size(buffer) or 0 if buffer is not None else 0
        text = stream.read(MAX_FILE + 1) if size <= MAX_FILE else ""
    except UnicodeDecodeError:
        text = "\udcff"
    if max(size, len(text)) > MAX_FILE or text.count("{") > MAX_JSON_ITEMS:
        yield 1, (f"a JSON array of more than {MAX_FILE >> 20} MB or {MAX_JSON_ITEMS:,} objects "
                  "is read whole: give it as JSON Lines (crm export -f jsonl), read a line at a "
                  "time")  # fmt: skip
        return
    if undecodable(text):
        yield 1, decoding_problem(getattr(stream, "encoding", "utf-8"))
        return
    try:
        document = json_value(text)
    except CrmError as error:
        yield 1, str(error)
        return
    if not isinstance(document, list):
        yield 1, "expected a JSON array of objects, as `crm export --format json` writes"
        return
    for number, obj in enumerate(document, 1):
        yield number, obj if isinstance(obj, dict) else "each item must be a JSON object"
