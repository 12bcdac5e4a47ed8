"""How crm words counts and labels in its messages, in one place: "1 contact", "2 contacts",
"an anniversary", "a birthday"."""

from __future__ import annotations


def plural(count: int, word: str, plural: str | None = None) -> str:
    """`1 meeting`, `2 meetings` (or the plural given)."""
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def article(word: str) -> str:
    """`an anniversary`, `a birthday`, `a name day` (by the first letter: good enough for the
    labels and kinds crm names)."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
