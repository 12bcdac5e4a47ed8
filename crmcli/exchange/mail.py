"""`crm import mail`: interactions from the mail that sync engines already keep on disk —
Maildir (mbsync, offlineimap, getmail), mbox (Thunderbird, mutt), folders of .eml files, or one
message on stdin (an MTA or procmail rule piping each message in).

Only headers are read (bodies never are): From, To, Cc, Subject, Date, Message-ID and the marks
of lists and robots. A message from one of my addresses (`crm config set me …`) to known
contacts is one outbound interaction shared by every known recipient in To/Cc; a message from a
contact is an inbound one. The Message-ID (or, without one, a hash of the headers) is kept, so
the same message is never logged twice, whatever folder it turns up in again.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import os
import re
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .. import model, rules, settings
from ..errors import CrmError
from ..store import Store
from ..when import stamp
from ..wording import plural
from .capture import CapturedLog
from .mailheaders import addresses, decode_words, headers, sent_at

HEAD_LIMIT = 256 * 1024  # a header block longer than this is no mail header
CHUNK = 16 * 1024  # read at a time: most header blocks fit in one read
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK  # computed once: it is costly per file
NO_REPLY = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer-daemon|postmaster|bounces?|notifications?|"
    r"newsletters?|reply)([+._-]|$)",
    re.I,
)
Row = dict[str, Any]
People = tuple[
    list[int], list[tuple[str, str]], str
]  # known ids, (name, address) to add, direction


@dataclass(slots=True)
class Message:
    where: str  # the file (and message number for an mbox)
    head: bytes  # the header block
    problem: str | None = None
    skip: str | None = None
    warnings: Sequence[str] = ()  # (made a hundred thousand times: nothing built per message)
    old: bool = False  # a file last written before --since: its message is older still
    draft: bool = False  # flagged a draft in its Maildir file name: not sent


# --------------------------------------------------------------------------- finding messages


def messages(paths: list[str], since: dt.datetime | None = None) -> Iterator[Message]:
    """Every message under the paths: Maildirs (and folders of them), mbox files, .eml files, or
    one message on stdin (`-`). A one-message file last written before `since` is not read: a
    message is written after it is sent, so its Date is older still (the daily cron run over a
    large Maildir reads only the new mail). The message on stdin is read now, whole, before the
    import takes the write lock: an MTA delivering it slowly holds nobody else up."""
    piped = _stdin_message() if "-" in paths else None
    return _messages(paths, since, piped)


MAX_BODY = 256 << 20  # what is drained of a message piped in: past it, no mail (/dev/zero)


def _stdin_message() -> Message:
    message = _one_message(sys.stdin.buffer.read(HEAD_LIMIT), "stdin")
    drained = 0
    while chunk := sys.stdin.buffer.read(1 << 16):  # the body: read to the end, so the MTA
        drained += len(chunk)  # or procmail piping it in sees the message delivered, not a
        if drained > MAX_BODY:  # broken pipe
            raise CrmError(f"stdin holds more than {MAX_BODY >> 20} MB: no mail message is that "
                           "large (is it endless?)")  # fmt: skip
    return message


def _messages(
    paths: list[str], since: dt.datetime | None, piped: Message | None
) -> Iterator[Message]:
    written_since = since.timestamp() if since else None
    for path in paths:
        if path == "-" and piped is not None:
            yield piped
            continue
        target = os.path.expanduser(path)
        if os.path.isdir(target):
            for name in _mail_files(target):
                yield from _file(name, written_since)
        elif os.path.exists(target):
            yield from _file(target, written_since)
        else:
            raise CrmError(f"cannot read {path}: no such file or folder")


def count(paths: list[str]) -> int:
    """How many message files there are (mbox messages count when read), for a progress bar."""
    folders = [os.path.expanduser(p) for p in paths if p != "-"]
    return sum(1 for folder in folders if os.path.isdir(folder) for _ in _mail_files(folder))


def _mail_files(folder: str) -> Iterator[str]:
    """Message files in a folder tree: every Maildir's cur/ and new/ (tmp/ holds deliveries still
    being written), .eml files, and mbox files; symlink loops are not followed twice."""
    seen: set[tuple[int, int]] = set()
    for root, dirs, names in os.walk(folder, followlinks=True):
        info = os.stat(root)
        if (info.st_dev, info.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((info.st_dev, info.st_ino))
        parent, here = os.path.split(root)
        if here in ("cur", "new") and _is_maildir(parent):
            yield from (os.path.join(root, n) for n in sorted(names) if not n.startswith("."))
            dirs[:] = []
            continue
        # A Maildir's tmp/ holds deliveries still being written; a folder the user named
        # "tmp" (an IMAP folder, itself a Maildir) is mail like any other.
        maildir = _is_maildir(root)
        dirs[:] = sorted(
            d for d in dirs if d not in (".notmuch", ".git") and not (maildir and d == "tmp")
        )
        for name in sorted(names):
            if not name.startswith(".") and _mail_file(root, name):
                yield os.path.join(root, name)


def _is_maildir(folder: str) -> bool:
    return all(os.path.isdir(os.path.join(folder, sub)) for sub in ("cur", "new"))


def _mail_file(folder: str, name: str) -> bool:
    """A file of mail outside a Maildir: .eml, .mbox, Apple Mail's `Inbox.mbox/mbox`, or a
    Thunderbird mailbox (no extension; it starts with a `From ` line)."""
    if name.lower().endswith((".eml", ".mbox")) or name == "mbox":
        return True
    if "." in name:  # Thunderbird's .msf indexes, and everything else
        return False
    try:
        descriptor = os.open(os.path.join(folder, name), _OPEN_FLAGS)
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.fstat(descriptor).st_mode) and os.read(descriptor, 5) == b"From "
    except OSError:
        return False
    finally:
        os.close(descriptor)


def _file(path: str, written_since: float | None = None) -> Iterator[Message]:
    try:
        # O_NONBLOCK: a FIFO left in a mail folder must not hang the import (it is refused below)
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        yield Message(path, b"", f"cannot read: {error.strerror}")
        return
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            yield Message(path, b"", "not a regular file (a pipe, a device or a folder)")
            return
        if "D" in _maildir_flags(path):
            yield Message(path, b"", draft=True)
            return
        first = os.read(descriptor, CHUNK)
        if written_since and info.st_mtime < written_since and not first.startswith(b"From "):
            yield Message(path, b"", old=True)
        elif first.startswith(b"From "):
            with os.fdopen(os.dup(descriptor), "rb") as handle:
                handle.seek(0)
                yield from _mbox(handle, path)
        else:
            yield Message(path, _read_head(descriptor, first))
    except OSError as error:
        yield Message(path, b"", f"cannot read: {error.strerror}")
    finally:
        os.close(descriptor)


def _maildir_flags(path: str) -> str:
    """The flags of a Maildir file name (`…:2,DS`: D is a draft, S seen), or nothing."""
    _, _, flags = os.path.basename(path).rpartition(":2,")
    return flags if ":2," in os.path.basename(path) else ""


def _read_head(descriptor: int, block: bytes) -> bytes:
    """The header block: everything before the first empty line (the body is never read)."""
    start = 0
    while True:
        end = _head_end(block, start)
        if end >= 0:
            return block[:end]
        if len(block) >= HEAD_LIMIT:
            return block
        chunk = os.read(descriptor, CHUNK)
        if not chunk:
            return block
        start = max(len(block) - 3, 0)
        block += chunk


def _head_end(block: bytes, start: int = 0) -> int:
    """Where the empty line after the headers starts (LF or CRLF endings), or -1."""
    plain = block.find(b"\n\n", start)
    if b"\r" not in block:
        return plain
    crlf = block.find(b"\n\r\n", start)
    return crlf if plain < 0 or 0 <= crlf < plain else plain


# `From sender Tue Nov 24 09:30:00 2026` (Thunderbird: `From - Tue Nov…`): a sender, then the
# date as asctime writes it. A body line "From here on…" is not one, blank line or not.
_POSTMARK = re.compile(
    rb"From \S+\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|"
    rb"Nov|Dec) +\d{1,2} \d\d:\d\d(?::\d\d)? (?:[A-Z]{3,4} |[+-]\d{4} )?\d{4}\s*$"
)


def _mbox(handle, name: str) -> Iterator[Message]:
    """An mbox, message by message: a message starts at a `From ` line that is a postmark
    (a sender and a date), after an empty line or not (not every writer leaves one)."""
    number, in_head, size = 0, False, 0
    head: list[bytes] = []
    while line := handle.readline(CHUNK):  # (a line of a body is read a piece at a time)
        if line.startswith(b"From ") and _POSTMARK.match(line):
            if number:
                yield _mbox_message(head, f"{name} message {number}", in_head, size)
            number, head, in_head, size = number + 1, [], True, 0
            continue
        if in_head:
            if line in (b"\n", b"\r\n"):
                in_head = False
            elif size <= HEAD_LIMIT:  # past it, the rest of the header is passed over
                head.append(line)
                size += len(line)
    if number:
        yield _mbox_message(head, f"{name} message {number}", in_head, size)
    else:
        yield Message(name, b"", "starts like an mbox, but its first line is no `From` postmark")


def _mbox_message(head: list[bytes], where: str, truncated: bool, size: int) -> Message:
    if size > HEAD_LIMIT:
        return Message(where, b"", f"a header block over {HEAD_LIMIT // 1024} KB: no mail's")
    return _one_message(b"".join(head), where, truncated)


def _one_message(head: bytes, where: str, truncated: bool = False) -> Message:
    end = _head_end(head)
    head = head if end < 0 else head[:end]
    if truncated:
        return Message(where, head, "cut off in its headers (a truncated mbox?)")
    return Message(where, head)


# --------------------------------------------------------------------------- capturing


class MailCapture(CapturedLog):
    """Turns messages into email interactions."""

    def __init__(
        self,
        store: Store,
        now: dt.datetime,
        since: dt.datetime | None,
        add_unknown: bool,
        exclude: list[str],
    ):
        super().__init__(store, now, "mail", "email")
        self.now = now
        self.since = since
        self.add_unknown = add_unknown
        self.exclude = [pattern.lower() for pattern in exclude]
        self.me = set(settings.my_addresses(store))
        if not self.me:
            raise CrmError(
                "crm does not know your addresses yet: crm config set me "
                '"you@work.example,you@home.example"'
            )
        _, _, self.emails = store.contacts.lookup()
        self.new_contacts = 0
        # --add-unknown: mail from someone not known yet waits for the end of the run, when
        # the people I wrote to in it are known (else the first run logged 43 of 153, the
        # second the rest): (address, key, when, subject, waits for my reply)
        self.later: list[tuple[str, str, dt.datetime, str, bool]] = []

    def plan(self, message: Message) -> None:
        if message.old:
            return self.skip("before --since")
        if message.draft:
            return self.skip("draft")
        if message.problem:
            raise CrmError(message.problem)
        try:
            self._plan(message)
        except (ValueError, LookupError, RecursionError, OverflowError) as error:
            # a header built to break a decoder is this message's problem, never the import's
            raise CrmError(f"unreadable headers ({type(error).__name__}: {error})") from None

    def _plan(self, message: Message) -> None:
        found = headers(message.head)
        if not found.keys() & {"from", "date", "subject", "message-id"}:
            raise CrmError("not a mail message (no From, Date or Subject header)")
        if "x-mozilla-draft-info" in found:  # Thunderbird's drafts carry it; mutt's go to Drafts
            return self.skip("draft")
        reason = self._robot(found)
        if reason:
            return self.skip(reason)
        sender = addresses(found.get("from", []))
        if not sender:  # nobody crm could know: nothing to log
            self.skip("no sender address")
            return
        people = self._people(sender[0], found)  # first: most mail is with nobody crm knows
        if people is None:
            return
        date = (found.get("date") or [""])[0]
        when = sent_at(date)
        if when is None:
            raise CrmError(f"no readable Date header ({date or 'missing'!r})")
        if self.since and when < self.since:
            return self.skip("before --since")
        if when > self.now:
            when = self._not_ahead(when)
        key = _message_key(found, message.head)
        if self.logged(key):
            return self.skip("already logged")
        known, unknown, direction = people
        who = known + [self._add(name, address) for name, address in unknown]
        subject = model.one_line(decode_words((found.get("subject") or [""])[0])) or "(no subject)"
        waits = self._to_me(found, direction)
        if not who:  # from someone not known yet: decided once the run knows who I wrote to
            self.seen.add(key)
            self.later.append((sender[0][1], key, when, subject, waits))
            return None
        self.add(key, when, direction, subject, list(dict.fromkeys(who)), waits)

    def write(self) -> None:
        for address, key, when, subject, waits in self.later:
            if address in self.emails:  # someone I wrote to in this run
                self.add(key, when, "in", subject, [self.emails[address]], waits)
            else:
                self.skip("no known contact")
        self.later = []
        super().write()

    def _to_me(self, found: dict[str, list[str]], direction: str) -> bool:
        """A message in that waits for my answer: one sent *to* me. Where I was only in Cc (or
        Bcc) it is for my information, and waits on nobody."""
        if not rules.awaits_reply(direction, "email"):
            return False
        return any(address in self.me for _, address in addresses(found.get("to", [])))

    def _not_ahead(self, when: dt.datetime) -> dt.datetime:
        """A sender's clock a little fast is forgiven (the message arrived, so it happened);
        a date days ahead is a wrong date."""
        if when - self.now > dt.timedelta(days=1):
            raise CrmError(f"dated {stamp(when)}, in the future: the sender's clock is wrong")
        return self.now

    def _robot(self, found: dict[str, list[str]]) -> str | None:
        if "list-id" in found or "list-unsubscribe" in found:
            return "mailing list"
        auto = (found.get("auto-submitted") or ["no"])[0].strip().lower()
        if auto != "no" or "x-autoreply" in found or "x-autorespond" in found:
            return "auto-reply"
        if (found.get("precedence") or [""])[0].strip().lower() in ("bulk", "list", "junk"):
            return "bulk"
        return None

    def _people(self, sender: tuple[str, str], found) -> People | None:
        """The known contacts a message is with, the people to add (with --add-unknown), and
        its direction; None (the reason counted) to skip it."""
        if sender[1] in self.me:  # (my Sent copy keeps Bcc: a client written to in Bcc counts)
            recipients = addresses(found.get("to", []) + found.get("cc", []) + found.get("bcc", []))
            recipients = [r for r in recipients if r[1] not in self.me]
            if not recipients:
                self.skip("only to myself")
                return None
            recipients = [r for r in recipients if not self._excluded(r[1])]
            if not recipients:
                self.skip("excluded")
                return None
            known = [self.emails[r[1]] for r in recipients if r[1] in self.emails]
            unknown = (
                [r for r in recipients if r[1] not in self.emails and not _robot_address(r[1])]
                if self.add_unknown
                else []
            )
            if not known and not unknown:
                self.skip("no known contact")
                return None
            return known, unknown, "out"
        if _robot_address(sender[1]):
            self.skip("no-reply sender")
            return None
        if self._excluded(sender[1]):
            self.skip("excluded")
            return None
        if sender[1] in self.emails:
            return [self.emails[sender[1]]], [], "in"
        if self.add_unknown:
            return [], [], "in"  # perhaps someone I write to later in this run: decided at the end
        self.skip("no known contact")
        return None

    def _excluded(self, address: str) -> bool:
        return any(fnmatch.fnmatchcase(address, pattern) for pattern in self.exclude)

    def _add(self, name: str, address: str) -> int:
        """A contact for someone I wrote to (never for someone who only wrote to me)."""
        if address in self.emails:
            return self.emails[address]
        name = model.one_line(name)[: model.MAX_NAME].strip()  # a sender names themselves
        fields = {"name": name or address.split("@")[0], "emails": [address],
                  "cadence_days": settings.default_cadence(self.store), "source": "mail"}  # fmt: skip
        contact_id = self.store.contacts.add(fields, self.now)
        self.emails[address] = contact_id
        self.new_contacts += 1
        return contact_id

    def line(self, dry_run: bool) -> str:
        verb = "would log" if dry_run else "logged"
        read = self.summary.added + self.summary.skipped + len(self.summary.invalid)
        text = f"read {plural(read, 'message')}: {verb} {self.summary.added}, skipped {self.summary.skipped}"
        text += self.reasons_text()
        text += f", {len(self.summary.invalid)} unreadable" if self.summary.invalid else ""
        return text + f"; {plural(self.new_contacts, 'new contact')}"


# The people behind a mailing list or a robot: never made contacts of, even when written to.
LIST_LOCAL_PART = re.compile(
    r"(.+-(request|owner|bounces?|announce|devel|users?|list)|lists?|majordomo|listserv)$", re.I
)
LIST_DOMAINS = ("lists.", "list.")  # lists.python.org
ROBOT_DOMAINS = ("googlegroups.com", "groups.io", "reply.github.com")


def _robot_address(address: str) -> bool:
    local, _, domain = address.partition("@")
    return bool(
        NO_REPLY.match(local)
        or LIST_LOCAL_PART.match(local)
        or domain.startswith(LIST_DOMAINS)
        or domain.endswith(ROBOT_DOMAINS)
    )


def _message_key(found: dict[str, list[str]], head: bytes) -> str:
    """The Message-ID, or a hash of the headers that say what the message is."""
    message_id = (found.get("message-id") or [""])[0].strip().strip("<>").strip()
    if message_id and len(message_id) <= 900:
        return message_id
    parts = [(found.get(k) or [""])[0] for k in ("from", "to", "cc", "subject", "date")]
    return "sha256:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()
