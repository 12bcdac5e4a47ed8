"""What reaches a terminal from data: every character a terminal would act on, or that would
make two names look alike, shown as a visible escape — in tables and messages cell by cell, in
CSV, TSV and JSON written to a terminal line by line. Pipes and files get the data exact."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TextIO

# Characters a terminal would act on instead of showing: C0 and C1 controls (escape sequences
# start with ESC or CSI), DEL, the bidirectional overrides and isolates that reorder a line,
# and lone surrogates (which cannot even be encoded).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
    # and the invisible ones that let two names look alike or break a line: soft hyphen,
    # zero-width space, line and paragraph separators, word joiners, byte-order mark
    "\u00ad\u180e\u200b\u2028\u2029\u2060-\u2064\ufeff\ufff9-\ufffb"
    # fillers that draw nothing (Hangul, the combining grapheme joiner, Khmer vowel inherents)
    # and the tag characters, invisible copies of ASCII that hide text inside a name
    "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0\U000e0000-\U000e007f]"
)


def shown(text: str) -> str:
    """Text from data as a terminal may show it: unsafe characters as visible escapes (`\\x1b`,
    `\\u202e`). Table, plain, markdown and messages use it; CSV, TSV and JSON keep data exact."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_escaped, text)


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


_LINE_ENDS = re.compile(r"(\r?\n|\t)")


class TerminalSafe:
    """Data written to a terminal (CSV, TSV, JSON): its line ends and tabs kept, anything else
    a terminal would act on shown escaped — a note cannot set the window title or fill the paste
    buffer. Pipes and files get the data byte for byte; only a terminal gets this."""

    def __init__(self, out: TextIO):
        self.out = out

    def write(self, text: str) -> int:
        parts = _LINE_ENDS.split(text)
        return self.out.write(
            "".join(part if index % 2 else shown(part) for index, part in enumerate(parts))
        )

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.out, name)


def for_terminal(out: TextIO) -> TextIO:
    """`out` itself, or, when it is a terminal, `out` escaped as TerminalSafe escapes it."""
    try:
        return TerminalSafe(out) if out.isatty() else out  # type: ignore[return-value]
    except (AttributeError, ValueError):
        return out
