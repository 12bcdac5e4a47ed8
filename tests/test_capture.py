"""Capture without typing: `crm import mail` and `crm import calendar`.

Inputs are built the way the programs that keep them on disk write them: Maildirs and mbox files
with the standard library's `mailbox` (as mbsync, offlineimap, Thunderbird and mutt keep them),
messages with `email` (multipart, RFC 2047 headers in several charsets), and calendars with the
iCalendar library (repeating events with exceptions, cancellations, declines, all-day events,
time zones). Times are read in Europe/Lisbon, so zone conversion is visible.
"""

from __future__ import annotations

import datetime as dt
import json
import mailbox
import os
import sqlite3
import subprocess
import sys
import time
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

LISBON = ZoneInfo("Europe/Lisbon")
NEW_YORK = ZoneInfo("America/New_York")
ME = "me@work.example"


@pytest.fixture(autouse=True)
def lisbon_time(monkeypatch):
    """Local time is Lisbon's (UTC+0 in winter, +1 in summer) for these tests."""
    monkeypatch.setenv("TZ", "Europe/Lisbon")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def known(crm):
    """Ana and Bruno are contacts; my addresses are known."""
    crm("config set me 'me@work.example, Ana.Personal@Home.example'")
    return {
        "ana": crm.id("contact add 'Ana Silva' --email ana@example.com --every 30d"),
        "bruno": crm.id("contact add 'Bruno Costa' --email bruno@costa.pt"),
    }


def message(sender, to, subject, date, message_id=None, cc=None, bcc=None, **headers):
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    if cc:
        mail["Cc"] = cc
    if bcc:
        mail["Bcc"] = bcc
    mail["Subject"] = subject
    if date is not None:
        mail["Date"] = date if isinstance(date, str) else format_datetime(date)
    if message_id:
        mail["Message-ID"] = message_id
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content("Hello,\n\nFrom here on we talk about the plan.\n")
    return mail


def utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


def interactions(db: Path) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = conn.execute(
        "SELECT i.*, (SELECT group_concat(contact_id) FROM interaction_contacts l "
        "WHERE l.interaction_id = i.id) AS who FROM interactions i ORDER BY happened_at, id"
    ).fetchall()
    conn.close()
    return [dict(row) for row in rows]


def maildir(path: Path, messages) -> mailbox.Maildir:
    path.parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.Maildir(path, create=True)
    for mail in messages:
        box.add(mail)
    return box


# --------------------------------------------------------------------------- mail


def test_mail_becomes_interactions_once(crm, known, tmp_path):
    """In from a contact, out to contacts (one interaction for all), decoded subjects, local
    times; lists, robots and no-reply senders skipped; the same message in two folders and a
    re-run add nothing."""
    attachment = message(
        "Bruno Costa <bruno@costa.pt>", ME, "=?iso-8859-1?b?T3LnYW1lbnRv?= final",
        utc(2026, 11, 20, 9, 0), "<b1@costa.pt>",
    )  # fmt: skip
    attachment.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf")
    inbox = [
        message("Ana Silva <ana@example.com>", ME, "Re: =?utf-8?q?propos=C3=A3o?= Q3",
                utc(2026, 7, 1, 9, 30), "<a1@example.com>"),
        message(ME, "Ana <ana@example.com>", "Plan", utc(2026, 11, 21, 10, 0), "<m1@work>",
                cc="Bruno <bruno@costa.pt>, Stranger <who@else.example>"),
        attachment,
        message("Ana <ana@example.com>", "team@example.com", "FYI", utc(2026, 11, 22, 8, 0),
                "<a2@example.com>", bcc=ME),
        message("News <news@lists.example>", ME, "Weekly", utc(2026, 11, 22), "<l1@x>",
                List_Id="<weekly.lists.example>"),
        message("Ana <ana@example.com>", ME, "Out of office", utc(2026, 11, 22), "<o1@x>",
                Auto_Submitted="auto-replied"),
        message("Bruno <bruno@costa.pt>", ME, "Digest", utc(2026, 11, 22), "<p1@x>",
                Precedence="bulk"),
        message("noreply@costa.pt", ME, "Receipt", utc(2026, 11, 22), "<n1@x>"),
        message("Someone <someone@else.example>", ME, "Hi", utc(2026, 11, 22), "<s1@x>"),
    ]  # fmt: skip
    maildir(tmp_path / "Mail" / "INBOX", inbox)
    # the sent copy of "Plan" also sits in Sent, and an archive repeats Ana's July mail
    maildir(tmp_path / "Mail" / "Sent", [inbox[1]])
    maildir(tmp_path / "Mail" / "Archive", [inbox[0]])

    result = crm(["import", "mail", str(tmp_path / "Mail")])
    assert (
        "read 11 messages: logged 4, skipped 7 (2 already logged, 1 auto-reply, 1 bulk, "
        "1 mailing list, 1 no known contact, 1 no-reply sender); 0 new contacts"
    ) in result.stderr
    rows = interactions(crm.db)
    assert [(r["happened_at"], r["direction"], r["summary"], r["who"]) for r in rows] == [
        ("2026-07-01T10:30:00", "in", "Re: proposão Q3", str(known["ana"])),  # summer: UTC+1
        ("2026-11-20T09:00:00", "in", "Orçamento final", str(known["bruno"])),
        ("2026-11-21T10:00:00", "out", "Plan", f"{known['ana']},{known['bruno']}"),
        ("2026-11-22T08:00:00", "in", "FYI", str(known["ana"])),  # Bcc to me
    ]
    assert {(r["channel"], r["source"]) for r in rows} == {("email", "mail")}
    assert rows[0]["source_id"] == "a1@example.com"

    before = crm.fingerprint()
    again = crm(["import", "mail", str(tmp_path / "Mail")])
    assert "logged 0, skipped 11 (6 already logged" in again.stderr
    assert crm.fingerprint() == before


def test_captured_mail_counts_for_cadence_and_shows_its_source(crm, known, tmp_path):
    """Mail I sent keeps in touch at once; mail to me only once I answer it (an unanswered
    "can you review the contract?" is the client waiting on me, not contact kept)."""
    crm("log ana 'lunch' --when '60 days ago'")
    assert [r["contact"] for r in crm.json("overdue --format json")] == ["Ana Silva"]
    maildir(tmp_path / "in", [
        message("ana@example.com", ME, "Thanks", utc(2026, 11, 23, 12), "<t@x>"),
        message("ana@example.com", f"x@y.example, {ME}", "Can you review?", utc(2026, 11, 20, 9),
                "<r@x>", cc=None),
    ])  # fmt: skip
    crm(["import", "mail", str(tmp_path / "in")])
    assert sorted(r["kind"] for r in crm.json("overdue --format json")) == ["cadence", "reply"]
    maildir(tmp_path / "sent", [message(ME, "ana@example.com", "Re: Can you review?",
                                        utc(2026, 11, 23, 15), "<a@x>")])  # fmt: skip
    crm(["import", "mail", str(tmp_path / "sent")])
    assert crm.json("overdue --format json") == []  # answered: both counted, nothing waits
    shown = crm("contact show ana --wide").stdout
    thanks = next(line for line in shown.splitlines() if "Thanks" in line)
    assert "mail" in thanks.split() and "lunch" not in thanks


def test_add_unknown_adds_people_i_wrote_to_only(crm, known, tmp_path):
    maildir(tmp_path / "in", [
        message(ME, '"Carla Dias" <carla@dias.example>', "Proposal", utc(2026, 11, 20), "<c1@x>"),
        message("Dora <dora@else.example>", ME, "Hello", utc(2026, 11, 21), "<d1@x>"),
        message(ME, "eve@else.example, ana@example.com", "Intro", utc(2026, 11, 22), "<e1@x>"),
        message(ME, "frank@corp.example", "Internal", utc(2026, 11, 22), "<f1@x>"),
    ])  # fmt: skip
    result = crm(["import", "mail", str(tmp_path / "in"), "--add-unknown",
                  "--exclude", "*@corp.example"])  # fmt: skip
    assert "logged 2, skipped 2 (1 excluded, 1 no known contact); 2 new contacts" in result.stderr
    names = {c["name"]: c for c in crm.json("contact list --format json")}
    assert set(names) == {"Ana Silva", "Bruno Costa", "Carla Dias", "eve"}
    assert names["Carla Dias"]["emails"] == ["carla@dias.example"]
    assert "2 new contacts" in result.stderr
    intro = [r for r in interactions(crm.db) if r["summary"] == "Intro"][0]
    assert set(intro["who"].split(",")) == {str(names["eve"]["id"]), str(known["ana"])}


def test_since_and_exclude(crm, known, tmp_path):
    maildir(tmp_path / "in", [
        message("ana@example.com", ME, "Old", utc(2026, 1, 5), "<old@x>"),
        message("ana@example.com", ME, "New", utc(2026, 11, 23), "<new@x>"),
        message("bruno@costa.pt", ME, "Skip me", utc(2026, 11, 23), "<b@x>"),
    ])  # fmt: skip
    result = crm(["import", "mail", str(tmp_path / "in"), "--since", "7 days ago",
                  "--exclude", "BRUNO@*"])  # fmt: skip
    assert "logged 1, skipped 2 (1 before --since, 1 excluded)" in result.stderr
    assert [r["summary"] for r in interactions(crm.db)] == ["New"]


def test_since_does_not_read_files_written_before_it(crm, known, tmp_path):
    """A Maildir file last written before --since holds an older message: it is not even read
    (so yesterday's cron run over a large Maildir reads only the new mail)."""
    box = maildir(
        tmp_path / "in", [message("ana@example.com", ME, "New", utc(2026, 11, 23), "<n@x>")]
    )
    old = Path(box._path) / "cur" / "1600000000.M1P1.host:2,S"
    old.write_bytes(BROKEN["no date"])  # never parsed: it would refuse the import otherwise
    stamp = dt.datetime(2026, 1, 1).timestamp()
    os.utime(old, (stamp, stamp))
    result = crm(["import", "mail", str(tmp_path / "in"), "--since", "2026-11-01"])
    assert "logged 1, skipped 1 (1 before --since)" in result.stderr


def test_mbox_eml_folder_and_stdin(crm, known, tmp_path):
    box = mailbox.mbox(tmp_path / "Sent.mbox")
    box.add(message(ME, "ana@example.com", "From mbox", utc(2026, 11, 2), "<x1@x>"))
    box.add(message("bruno@costa.pt", ME, "Second", utc(2026, 11, 3), "<x2@x>"))
    box.flush()
    # mboxo writers do not always escape a body line "From here on…" after an empty line: it
    # is not a new message (no postmark date follows)
    with (tmp_path / "Sent.mbox").open("ab") as mbox:
        mbox.write(b"From ana@example.com Fri Nov  6 10:00:00 2026\nFrom: ana@example.com\n"
                   b"Subject: Unescaped\nDate: Fri, 6 Nov 2026 10:00:00 +0000\n"
                   b"Message-ID: <x5@x>\n\nHi,\n\nFrom here on we talk.\n\n")  # fmt: skip
    eml = tmp_path / "saved"
    eml.mkdir()
    (eml / "one.eml").write_bytes(
        message("ana@example.com", ME, "Saved", utc(2026, 11, 4), "<x3@x>").as_bytes()
    )
    crm(["import", "mail", str(tmp_path / "Sent.mbox"), str(eml)])
    piped = message("bruno@costa.pt", ME, "Piped", utc(2026, 11, 5), "<x4@x>").as_bytes()
    result = crm(["import", "mail", "-"], input=piped)
    assert "logged 1" in result.stderr
    assert [r["summary"] for r in interactions(crm.db)] == [
        "From mbox", "Second", "Saved", "Piped", "Unescaped",
    ]  # fmt: skip


def test_missing_message_id_uses_a_header_hash(crm, known, tmp_path):
    maildir(tmp_path / "in", [message("ana@example.com", ME, "No id", utc(2026, 11, 2))])
    crm(["import", "mail", str(tmp_path / "in")])
    maildir(tmp_path / "copy", [message("ana@example.com", ME, "No id", utc(2026, 11, 2))])
    assert "1 already logged" in crm(["import", "mail", str(tmp_path / "copy")]).stderr
    [row] = interactions(crm.db)
    assert row["source_id"].startswith("sha256:")


BROKEN = {
    "no date": b"From: ana@example.com\nTo: me@work.example\nSubject: undated\n\nbody\n",
    "bad date": b"From: ana@example.com\nDate: yesterday-ish\nSubject: odd\n\nbody\n",
    "not mail": b"\x89PNG\r\n\x1a\n\x00\x00 binary junk",
}


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_message_refuses_all_or_is_skipped(crm, known, tmp_path, kind):
    box = maildir(
        tmp_path / "in", [message("ana@example.com", ME, "Fine", utc(2026, 11, 2), "<f@x>")]
    )
    bad = Path(box._path) / "cur" / "1700000000.M1P1.host:2,S"
    bad.write_bytes(BROKEN[kind])
    result = crm.fails(
        ["import", "mail", "--strict", str(tmp_path / "in")],
        says="import refused, nothing written: 1 bad message",
    )
    assert str(bad) in result.stderr
    result = crm(["import", "mail", str(tmp_path / "in"), "--skip-invalid"])
    assert "logged 1" in result.stderr and "1 unreadable" in result.stderr
    assert [r["summary"] for r in interactions(crm.db)] == ["Fine"]


def test_odd_headers_are_read_and_never_reach_the_terminal_raw(crm, known, tmp_path):
    raw = [
        # 8-bit UTF-8 and Latin-1 in headers, as some mailers send them
        b"From: =?utf-8?q?Ana?= <ana@example.com>\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n"
        b"Message-ID: <8bit@x>\nSubject: Or\xc3\xa7amento \xe2\x80\x94 ok\n\nbody\n",
        b"From: ana@example.com\nDate: Tue, 3 Nov 2026 10:00:00 +0000\nMessage-ID: <latin@x>\n"
        b"Subject: Ol\xe1 =?utf-8?q?broken=ZZ?= =?bogus-charset?q?caf=E9?=\n\nbody\n",
        b"From: ana@example.com\nDate: Wed, 4 Nov 2026 10:00:00 +0000\nMessage-ID: <esc@x>\n"
        b"Subject: =?utf-8?b?G1syShtbMzFtcHduZWQ=?=\n\nbody\n",
    ]
    folder = tmp_path / "eml"
    folder.mkdir()
    for number, data in enumerate(raw):
        (folder / f"{number}.eml").write_bytes(data)
    crm(["import", "mail", str(folder)])
    summaries = [r["summary"] for r in interactions(crm.db)]
    assert summaries[0] == "Orçamento — ok"
    assert summaries[1] == "Olá broken=ZZcafé"  # as lenient as mail readers; no error
    assert summaries[2] == "[2J[31mpwned"  # stored without its control characters
    shown = crm("contact show ana --wide").stdout
    assert "\x1b" not in shown and "pwned" in shown


def test_truncated_mbox(crm, known, tmp_path):
    box = mailbox.mbox(tmp_path / "INBOX")
    box.add(message("ana@example.com", ME, "Whole", utc(2026, 11, 2), "<w@x>"))
    box.flush()
    data = (tmp_path / "INBOX").read_bytes()
    (tmp_path / "INBOX").write_bytes(
        data + b"From ana@example.com Tue Nov  3 10:00:00 2026\nFrom: ana@exa"
    )
    result = crm.fails(
        ["import", "mail", "--strict", str(tmp_path / "INBOX")], says="1 bad message"
    )
    assert "INBOX message 2: cut off in its headers" in result.stderr
    assert "logged 1" in crm(["import", "mail", str(tmp_path / "INBOX"), "--skip-invalid"]).stderr


def test_mail_needs_my_addresses_and_an_existing_path(crm, tmp_path):
    crm("contact add Ana --email ana@example.com")
    maildir(tmp_path / "in", [message("ana@example.com", ME, "x", utc(2026, 11, 2), "<x@x>")])
    crm.fails(["import", "mail", str(tmp_path / "in")], says="crm config set me")
    crm("config set me me@work.example")
    crm.fails(["import", "mail", str(tmp_path / "nowhere")], says="no such file or folder")
    crm.fails(["config", "set", "me", "not-an-address"], code=(1, 2), says="email")


def test_dry_run_and_undo(crm, known, tmp_path):
    maildir(tmp_path / "in", [message(ME, "new@person.example", "Hi", utc(2026, 11, 2), "<h@x>")])
    before = crm.fingerprint()
    result = crm(["import", "mail", str(tmp_path / "in"), "--add-unknown", "--dry-run"])
    assert "would log 1" in result.stderr and "1 new contact" in result.stderr
    assert crm.fingerprint() == before
    crm(["import", "mail", str(tmp_path / "in"), "--add-unknown"])
    assert len(crm.json("contact list --format json")) == 3
    crm("undo")
    assert len(crm.json("contact list --format json")) == 2 and interactions(crm.db) == []


def test_reimporting_an_export_keeps_captured_mail_once(crm, known, tmp_path):
    maildir(tmp_path / "in", [message("ana@example.com", ME, "Once", utc(2026, 11, 2), "<o@x>")])
    crm(["import", "mail", str(tmp_path / "in")])
    exported = crm("export interactions --format csv").stdout
    assert ",mail,o@x" in exported
    without_uids = "\n".join(line.split(",", 2)[2] if n else line.split(",", 2)[2]
                             for n, line in enumerate(exported.splitlines()))  # fmt: skip
    (tmp_path / "back.csv").write_text(without_uids + "\n")
    result = crm(["import", "interactions", str(tmp_path / "back.csv")])
    assert "0 added" in result.stderr and len(interactions(crm.db)) == 1


# --------------------------------------------------------------------------- calendars


def event(uid, summary, start, end=None, attendees=(), organizer=None, **extra):
    item = icalendar.Event()
    item.add("uid", uid)
    item.add("summary", summary)
    item.add("dtstart", start)
    item.add("dtstamp", utc(2026, 1, 1))
    if end is not None:
        item.add("dtend", end)
    if organizer:
        item.add("organizer", icalendar.vCalAddress(f"mailto:{organizer}"))
    for address, status in attendees:
        person = icalendar.vCalAddress(f"mailto:{address}")
        person.params["PARTSTAT"] = status
        person.params["CN"] = address.split("@")[0]
        item.add("attendee", person)
    for name, value in extra.items():
        item.add(name.replace("_", "-"), value)
    return item


def calendar(*events) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//tests//crm//EN")
    cal.add("version", "2.0")
    for item in events:
        cal.add_component(item)
    return cal.to_ical()


def lisbon(*args):
    return dt.datetime(*args, tzinfo=LISBON)


ANA = ("ana@example.com", "ACCEPTED")
BRUNO = ("bruno@costa.pt", "ACCEPTED")
ME_IN = (ME, "ACCEPTED")
NOW = {"CRM_TODAY": "2026-11-24T12:00"}


@pytest.fixture
def vdir(tmp_path):
    """A calendar folder as vdirsyncer keeps it: one event (with its exceptions) per file."""
    folder = tmp_path / "calendars" / "work"
    folder.mkdir(parents=True)
    weekly = event("weekly@work", "Weekly sync", lisbon(2026, 10, 5, 10), lisbon(2026, 10, 5, 10, 30),
                   [ANA, ME_IN], ME, rrule={"freq": "weekly", "count": 12},
                   exdate=[lisbon(2026, 10, 19, 10)])  # fmt: skip
    moved = event("weekly@work", "Weekly sync (moved)", lisbon(2026, 10, 27, 15),
                  lisbon(2026, 10, 27, 15, 30), [ANA, ME_IN], ME,
                  recurrence_id=lisbon(2026, 10, 26, 10))  # fmt: skip
    cancelled_one = event("weekly@work", "Weekly sync", lisbon(2026, 11, 2, 10),
                          lisbon(2026, 11, 2, 10, 30), [ANA], ME, status="CANCELLED",
                          recurrence_id=lisbon(2026, 11, 2, 10))  # fmt: skip
    files = {
        "weekly.ics": calendar(weekly, moved, cancelled_one),
        "cancelled.ics": calendar(event("lunch", "Lunch", lisbon(2026, 11, 3, 13), None, [BRUNO],
                                        status="CANCELLED")),  # fmt: skip
        "declined.ics": calendar(event("pitch", "Pitch", dt.datetime(2026, 11, 4, 9, tzinfo=NEW_YORK),
                                       None, [(ME, "DECLINED"), BRUNO], "bruno@costa.pt")),  # fmt: skip
        "bruno-declined.ics": calendar(event("review", "Review", lisbon(2026, 11, 5, 9), None,
                                             [ANA, ("bruno@costa.pt", "DECLINED")], ME)),  # fmt: skip
        "ny.ics": calendar(event("ny", "Call from New York", dt.datetime(2026, 11, 6, 9, tzinfo=NEW_YORK),
                                 dt.datetime(2026, 11, 6, 10, tzinfo=NEW_YORK), [BRUNO], "bruno@costa.pt")),  # fmt: skip
        "allday.ics": calendar(event("workshop", "Workshop", dt.date(2026, 11, 10), dt.date(2026, 11, 11),
                                     [BRUNO])),  # fmt: skip
        "strangers.ics": calendar(event("other", "Dentist", lisbon(2026, 11, 12, 9), None,
                                        [("dr@teeth.example", "ACCEPTED")])),  # fmt: skip
        "today.ics": calendar(event("today", "Contract call", lisbon(2026, 11, 24, 16),
                                    lisbon(2026, 11, 24, 17), [ANA, BRUNO], ME,
                                    location="Zoom")),  # fmt: skip
        "tomorrow.ics": calendar(event("tomorrow", "Tomorrow's call", lisbon(2026, 11, 25, 9), None, [ANA])),
    }  # fmt: skip
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_calendar_logs_past_meetings_once(crm, known, vdir):
    result = crm(["import", "calendar", str(vdir.parent)], env=NOW)
    assert "logged 9 meetings, 4 still to come" in result.stderr, result.stderr
    assert "(2 cancelled, 1 declined, 1 no known contact)" in result.stderr
    rows = interactions(crm.db)
    weekly = [(r["happened_at"], r["summary"]) for r in rows if r["summary"].startswith("Weekly")]
    assert weekly == [
        ("2026-10-05T10:00:00", "Weekly sync"),  # Lisbon in summer time, read as Lisbon
        ("2026-10-12T10:00:00", "Weekly sync"),  # 19 October is an exception date
        ("2026-10-27T15:00:00", "Weekly sync (moved)"),
        ("2026-11-09T10:00:00", "Weekly sync"),  # 2 November was cancelled
        ("2026-11-16T10:00:00", "Weekly sync"),
        ("2026-11-23T10:00:00", "Weekly sync"),
    ]
    by_title = {r["summary"]: r for r in rows}
    assert by_title["Call from New York"]["happened_at"] == "2026-11-06T14:00:00"
    assert by_title["Call from New York"]["direction"] == "in"  # Bruno organised it
    assert by_title["Workshop"]["happened_at"] == "2026-11-10"
    assert by_title["Review"]["who"] == str(known["ana"])  # Bruno declined
    assert {"Lunch", "Pitch", "Dentist"}.isdisjoint(by_title)
    assert {(r["channel"], r["source"]) for r in rows} == {("meeting", "calendar")}
    assert "weekly@work|20261005T090000Z" in {r["source_id"] for r in rows}

    before = crm.fingerprint()
    again = crm(["import", "calendar", str(vdir.parent)], env=NOW)
    assert "logged 0 meetings" in again.stderr
    assert crm.fingerprint() == before


def test_meetings_today_in_the_digest_with_last_interaction(crm, known, vdir):
    crm("log bruno 'sent the contract draft' --when '2026-11-20'")
    crm(["import", "calendar", str(vdir)], env=NOW)
    report = json.loads(crm("digest --format json", env=NOW).stdout)
    assert [(m["starts_at"], m["meeting"], m["contact"], m["last_summary"]) for m in report["meetings"]] == [
        ("2026-11-24T16:00:00", "Contract call", "Ana Silva", "Weekly sync"),
        ("2026-11-24T16:00:00", "Contract call", "Bruno Costa", "sent the contract draft"),
    ]  # fmt: skip
    assert report["meetings"][0]["location"] == "Zoom"
    assert report["summary"].startswith("1 meeting today")
    plain = crm("digest --format plain", env=NOW).stdout
    assert "Meetings today (2)" in plain and "Tomorrow's call" not in plain
    tomorrow = json.loads(crm("digest --format json", env={"CRM_TODAY": "2026-11-25T08:00"}).stdout)
    assert [m["meeting"] for m in tomorrow["meetings"]] == ["Tomorrow's call"]


def test_a_meeting_gone_from_the_calendar_leaves_the_digest(crm, known, vdir):
    crm(["import", "calendar", str(vdir)], env=NOW)
    (vdir / "today.ics").unlink()
    crm(["import", "calendar", str(vdir)], env=NOW)
    assert json.loads(crm("digest --format json", env=NOW).stdout)["meetings"] == []


def test_a_digest_with_only_a_meeting_is_not_empty(crm, known, tmp_path):
    ics = tmp_path / "one.ics"
    ics.write_bytes(calendar(event("x", "Call", lisbon(2026, 11, 24, 18), None, [ANA])))
    crm(["import", "calendar", str(ics)], env=NOW)
    assert "Call" in crm("digest --quiet-if-empty --format plain", env=NOW).stdout


BROKEN_ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n"
    b"BEGIN:VEVENT\r\nUID:cut\r\nSUMMARY:Never ends\r\nDTSTART:20261101T100000Z\r\n"
    b"BEGIN:VEVENT\r\nUID:fine\r\nSUMMARY:Fine\r\nDTSTART:20261102T100000Z\r\n"
    b"ATTENDEE:mailto:ana@example.com\r\nEND:VEVENT\r\n"
    b"BEGIN:VEVENT\r\nUID:bad-date\r\nSUMMARY:Bad date\r\nDTSTART:20261345T100000\r\n"
    b"ATTENDEE:mailto:ana@example.com\r\nEND:VEVENT\r\n"
    b"END:VCALENDAR\r\n"
)


def test_broken_calendar_components_are_named_and_refused(crm, known, tmp_path):
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "broken.ics").write_bytes(BROKEN_ICS)
    (folder / "junk.ics").write_bytes(b"\x00\x01 not a calendar")
    result = crm.fails(["import", "calendar", "--strict", str(folder)], says="3 bad events")
    assert "broken.ics: event 1 ('Never ends'): never ends" in result.stderr
    assert "junk.ics: not a calendar file" in result.stderr
    result = crm(["import", "calendar", str(folder), "--skip-invalid"], env=NOW)
    assert "logged 1 meeting" in result.stderr
    assert [r["summary"] for r in interactions(crm.db)] == ["Fine"]


def test_bad_date_in_an_event_is_named(crm, known, tmp_path):
    ics = tmp_path / "bad.ics"
    ics.write_bytes(
        BROKEN_ICS.replace(
            b"BEGIN:VEVENT\r\nUID:cut\r\nSUMMARY:Never ends\r\nDTSTART:20261101T100000Z\r\n", b""
        )
    )
    result = crm.fails(["import", "calendar", "--strict", str(ics)], says="1 bad event")
    assert "event 'Bad date': DTSTART" in result.stderr


def test_calendar_on_stdin_and_duplicates_across_files(crm, known, tmp_path):
    data = calendar(event("same@uid", "Kickoff", lisbon(2026, 11, 2, 10), None, [ANA]))
    (tmp_path / "a.ics").write_bytes(data)
    (tmp_path / "b.ics").write_bytes(data)
    crm(["import", "calendar", str(tmp_path / "a.ics"), str(tmp_path / "b.ics")], env=NOW)
    result = crm(["import", "calendar", "-"], input=data, env=NOW)
    assert "1 already logged" in result.stderr
    assert [r["summary"] for r in interactions(crm.db)] == ["Kickoff"]


def test_since_limits_calendar_history(crm, known, vdir):
    crm(["import", "calendar", str(vdir), "--since", "2026-11-15"], env=NOW)
    assert [r["happened_at"][:10] for r in interactions(crm.db)] == ["2026-11-16", "2026-11-23"]


def test_khal_sees_the_meetings_we_log(crm, known, vdir, tmp_path):
    """khal, the terminal calendar that reads the same vdirs, expands the same occurrences at
    the same local times: every one that has ended is logged, but for the one I declined and
    the one with nobody I know."""
    config = tmp_path / "khal.conf"
    config.write_text(
        f"[calendars]\n[[work]]\npath = {vdir}\n[sqlite]\npath = {tmp_path / 'khal.db'}\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        "local_timezone = Europe/Lisbon\ndefault_timezone = Europe/Lisbon\n"
    )
    khal = Path(sys.executable).parent / "khal"
    listed = subprocess.run(
        [str(khal), "-c", str(config), "list", "2026-01-01", "2026-11-24", "--day-format", "",
         "--format", "{start}|{title}|{status}"],
        capture_output=True, text=True, check=True, env={**os.environ, "TZ": "Europe/Lisbon"},
    ).stdout.splitlines()  # fmt: skip
    expected = [
        (start.replace(" ", "T") + (":00" if " " in start else ""), title)
        for start, title, status in (line.split("|") for line in listed)
        if "CANCELLED" not in status and title not in ("Pitch", "Dentist")
    ]
    crm(["import", "calendar", str(vdir)], env={"CRM_TODAY": "2026-11-24T23:59"})
    logged = [(r["happened_at"], r["summary"]) for r in interactions(crm.db)]
    assert sorted(logged) == sorted(expected) and len(logged) == 10


# --------------------------------------------------------------------------- hostile and odd input


def raw_calendar(*lines: str) -> bytes:
    body = "\r\n".join(lines)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n{body}\r\nEND:VCALENDAR\r\n".encode()
    )


def vevent(*lines: str) -> str:
    return "\r\n".join(["BEGIN:VEVENT", "DTSTAMP:20260101T000000Z", *lines, "END:VEVENT"])


def test_endless_repetitions_are_never_expanded(crm, known, tmp_path):
    stranger = tmp_path / "stranger.ics"  # an invitation anyone can send: skipped unexpanded
    stranger.write_bytes(raw_calendar(vevent(
        "UID:flood", "SUMMARY:flood", "DTSTART:20201101T000000Z", "DTEND:20201101T000001Z",
        "RRULE:FREQ=SECONDLY", "ATTENDEE:mailto:nobody@else.example")))  # fmt: skip
    result = crm(["import", "calendar", str(stranger)], env=NOW)
    assert "skipped 1 (1 no known contact)" in result.stderr
    for rule, says in (("FREQ=MINUTELY", "repeats minutely: not a meeting"),
                       ("FREQ=DAILY;INTERVAL=0", "interval below 1"),
                       ("FREQ=HOURLY", "repeats over 5000 times")):  # fmt: skip
        path = tmp_path / "known.ics"
        path.write_bytes(raw_calendar(vevent(
            "UID:r", "SUMMARY:r", "DTSTART:20200101T000000Z", f"RRULE:{rule}",
            "ATTENDEE:mailto:ana@example.com")))  # fmt: skip
        crm.fails(["import", "calendar", "--strict", str(path)], says=says)


def test_a_pipe_in_a_calendar_folder_does_not_hang(crm, known, tmp_path):
    folder = tmp_path / "cal"
    folder.mkdir()
    os.mkfifo(folder / "evil.ics")
    (folder / "ok.ics").write_bytes(
        calendar(event("ok", "Fine", lisbon(2026, 11, 2, 10), None, [ANA]))
    )
    result = crm(["import", "calendar", str(folder), "--skip-invalid"], env=NOW)
    assert "evil.ics is not a regular file" in result.stderr and "logged 1 meeting" in result.stderr


def test_repeated_properties_and_apple_attendees(crm, known, tmp_path):
    path = tmp_path / "odd.ics"
    path.write_bytes(raw_calendar(
        vevent("UID:twice", "SUMMARY:First title", "SUMMARY:Second title",
               "DTSTART:20261102T100000Z", "ATTENDEE:mailto:ana@example.com"),
        vevent("UID:cancelled-twice", "SUMMARY:Gone", "STATUS:CONFIRMED", "STATUS:CANCELLED",
               "DTSTART:20261103T100000Z", "ATTENDEE:mailto:ana@example.com"),
        vevent("SUMMARY:No uid", "DTSTART:20261104T100000Z", "ATTENDEE:mailto:bruno@costa.pt"),
        vevent("UID:apple", "SUMMARY:Via Apple", "DTSTART:20261106T100000Z",
               "ORGANIZER;CN=Bruno;EMAIL=Bruno@Costa.pt:urn:uuid:1234-5678"),
    ))  # fmt: skip
    result = crm(["import", "calendar", str(path)], env=NOW)
    assert "1 cancelled" in result.stderr
    by_title = {r["summary"]: r for r in interactions(crm.db)}
    assert set(by_title) == {"First title", "No uid", "Via Apple"}
    assert by_title["Via Apple"]["direction"] == "in"
    two_starts = tmp_path / "two.ics"
    two_starts.write_bytes(raw_calendar(vevent(
        "SUMMARY:Which one", "DTSTART:20261104T100000Z", "DTSTART:20261105T100000Z",
        "ATTENDEE:mailto:bruno@costa.pt")))  # fmt: skip
    crm.fails(["import", "calendar", "--strict", str(two_starts)], says="DTSTART given 2 times")


def test_a_meeting_of_several_days_is_in_the_digest_every_day(crm, known, tmp_path):
    path = tmp_path / "offsite.ics"
    path.write_bytes(
        calendar(event("offsite", "Offsite", dt.date(2026, 11, 23), dt.date(2026, 11, 27), [ANA]))
    )
    crm(["import", "calendar", str(path)], env={"CRM_TODAY": "2026-11-23T08:00"})
    for day in ("2026-11-24", "2026-11-26"):
        report = json.loads(crm("digest -f json", env={"CRM_TODAY": f"{day}T08:00"}).stdout)
        assert [m["meeting"] for m in report["meetings"]] == ["Offsite"], day
    report = json.loads(crm("digest -f json", env={"CRM_TODAY": "2026-11-27T08:00"}).stdout)
    assert report["meetings"] == []


HOSTILE_FROM = [
    b"From: =?undefined?q?x?= <spam@evil.example>",
    b"From: =?idna?q?xn--aaaa?= <spam@evil.example>",
    b"From: =?\x00-8?b?eA==?= <spam@evil.example>",
    b"From: " + b"(" * 500 + b" <spam@evil.example>",
]


def test_headers_built_to_break_decoders_cost_nothing(crm, known, tmp_path):
    folder = tmp_path / "eml"
    folder.mkdir()
    for number, line in enumerate(HOSTILE_FROM):
        (folder / f"{number}.eml").write_bytes(
            line + b"\nTo: me@work.example\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n"
            b"Message-ID: <h" + str(number).encode() + b"@x>\nSubject: hi\n\nbody\n"
        )
    (folder / "ok.eml").write_bytes(
        b"From: ana@example.com\nDate: Mon, 2 Nov 2026 10:00:00 +0000\nMessage-ID: <ok@x>\n"
        b"Subject: =?utf-8?q?Jo=C3?= =?utf-8?q?=A3o?=\n\nbody\n"  # a character split in two words
    )
    result = crm(["import", "mail", str(folder)])
    assert "read 5 messages: logged 1, skipped 4" in result.stderr
    assert [r["summary"] for r in interactions(crm.db)] == ["João"]
    bad_zone = folder / "zone.eml"
    bad_zone.write_bytes(b"From: ana@example.com\nDate: Mon, 23 Nov 2026 09:30:00 +2500\n"
                         b"Message-ID: <z@x>\nSubject: z\n\nbody\n")  # fmt: skip
    crm.fails(["import", "mail", "--strict", str(folder)], says="no readable Date header")


def test_named_zones_and_mboxes_without_blank_lines(crm, known, tmp_path):
    box = tmp_path / "Inbox.mbox"  # Apple Mail's export: a folder holding a file named mbox
    box.mkdir()
    (box / "mbox").write_bytes(
        b"From - Mon Nov  2 10:00:00 2026\nFrom: ana@example.com\nDate: Mon, 2 Nov 2026 "
        b"10:30:00 CET\nMessage-ID: <c1@x>\nSubject: one\n\nbody\n"
        b"From - Mon Nov  2 11:00:00 2026\nFrom: ana@example.com\nDate: Mon, 2 Nov 2026 "
        b"11:00:00 +0000\nMessage-ID: <c2@x>\nSubject: two\n\nbody\n"
    )
    thunderbird = tmp_path / "Thunderbird"
    thunderbird.mkdir()
    (thunderbird / "Sent").write_bytes(
        b"From - Tue Nov  3 09:00:00 2026\nFrom: me@work.example\nTo: ana@example.com\n"
        b"Date: Tue, 3 Nov 2026 09:00:00 +0000\nMessage-ID: <t1@x>\nSubject: three\n\nbody\n"
    )
    (thunderbird / "Sent.msf").write_bytes(b'// <!-- <mdb:mork:z v="1.4"/> -->')
    crm(["import", "mail", str(box.parent)])
    rows = [(r["happened_at"], r["summary"]) for r in interactions(crm.db)]
    assert rows == [("2026-11-02T09:30:00", "one"), ("2026-11-02T11:00:00", "two"),
                    ("2026-11-03T09:00:00", "three")]  # fmt: skip


def test_a_long_display_name_is_cut_not_refused(crm, known, tmp_path):
    import base64

    name = base64.b64encode(b"X" * 5000).decode()
    maildir(tmp_path / "in", [message(ME, f"=?utf-8?b?{name}?= <long@e.example>", "Hi",
                                      utc(2026, 11, 2), "<l@x>")])  # fmt: skip
    crm(["import", "mail", str(tmp_path / "in"), "--add-unknown"])
    added = crm.json("contact show long@e.example -f json")
    assert added["name"] == "X" * 300


def test_a_removed_captured_interaction_stays_removed(crm, known, tmp_path):
    maildir(
        tmp_path / "in", [message("ana@example.com", ME, "Spam-ish", utc(2026, 11, 2), "<s@x>")]
    )
    crm(["import", "mail", str(tmp_path / "in")])
    [row] = interactions(crm.db)
    crm(f"interaction rm {row['id']} --yes")
    assert "1 already logged" in crm(["import", "mail", str(tmp_path / "in")]).stderr
    crm("trash restore 1")
    assert [r["summary"] for r in interactions(crm.db)] == ["Spam-ish"]


def test_a_large_message_on_stdin_is_read_to_its_end(known, crm):
    from conftest import crm_env_for_process
    from test_process import CRM

    big = message("ana@example.com", ME, "Big", utc(2026, 11, 2), "<big@x>")
    big.set_content("x" * 5_000_000)
    done = subprocess.run([CRM, "import", "mail", "-"], input=big.as_bytes(),
                          env=crm_env_for_process(crm.db), capture_output=True, timeout=60)  # fmt: skip
    assert done.returncode == 0 and b"logged 1" in done.stderr


def test_drafts_robots_and_a_folder_named_tmp(crm, known, tmp_path):
    """Drafts are not sent mail (Maildir's D flag, Thunderbird's draft header), even without a
    Date; robots and lists I wrote to never become contacts; an IMAP folder called tmp is read,
    a Maildir's own tmp/ is not; bidirectional overrides never reach the log."""
    drafts = maildir(tmp_path / "Mail" / "Drafts", [])
    key = drafts.add(message(ME, "bruno@costa.pt", "unsent draft", None, "<draft1@x>"))
    drafts.get_message(key)
    flagged = drafts.get_message(key)
    flagged.set_subdir("cur")
    flagged.set_flags("DS")
    drafts[key] = flagged
    maildir(tmp_path / "Mail" / "Local", [
        message(ME, "bruno@costa.pt", "draft too", utc(2026, 11, 20), "<draft2@x>",
                X_Mozilla_Draft_Info="internal/draft; vcard=0; receipt=0"),
        message(ME, "noreply@github.com, dev@lists.python.org, python-list-request@python.org, "
                "no_reply@shop.example, reply+AB12@reply.github.com, team@googlegroups.com, "
                "newsletter@news.example, carla@dias.example", "Hi all", utc(2026, 11, 21),
                "<robots@x>"),
    ])  # fmt: skip
    maildir(tmp_path / "Mail" / "tmp", [
        message("ana@example.com", ME, "Filed under tmp \u202egnp.exe", utc(2026, 11, 22), "<t@x>")
    ])  # fmt: skip
    (tmp_path / "Mail" / "Local" / "tmp" / "1.partial").write_bytes(b"From: ana@example.com\n")
    result = crm(["import", "mail", str(tmp_path / "Mail"), "--add-unknown"])
    assert "logged 2, skipped 2 (2 draft)" in result.stderr, result.stderr
    names = {c["name"] for c in crm.json("contact list --format json")}
    assert names == {"Ana Silva", "Bruno Costa", "carla"}
    summaries = {r["summary"] for r in interactions(crm.db)}
    assert summaries == {"Hi all", "Filed under tmp gnp.exe"}


def test_a_one_off_event_made_repeating_is_not_logged_twice(crm, known, tmp_path):
    ics = tmp_path / "cal.ics"
    first = event("series", "Planning", lisbon(2026, 11, 2, 10), lisbon(2026, 11, 2, 11), [ANA])
    ics.write_bytes(calendar(first))
    crm(["import", "calendar", str(ics)], env=NOW)
    weekly = event("series", "Planning", lisbon(2026, 11, 2, 10), lisbon(2026, 11, 2, 11), [ANA],
                   rrule={"freq": "weekly", "count": 3})  # fmt: skip
    ics.write_bytes(calendar(weekly))
    assert "logged 2 meetings" in crm(["import", "calendar", str(ics)], env=NOW).stderr
    ics.write_bytes(calendar(first))  # and back to a one-off
    assert "logged 0 meetings" in crm(["import", "calendar", str(ics)], env=NOW).stderr
    assert [r["happened_at"] for r in interactions(crm.db)] == [
        "2026-11-02T10:00:00", "2026-11-09T10:00:00", "2026-11-16T10:00:00",
    ]  # fmt: skip


def test_calendars_on_stdin_add_up_and_archived_people_leave_meetings(crm, known, tmp_path):
    one = calendar(event("a", "Call with Ana", lisbon(2026, 11, 24, 16), None, [ANA]))
    two = calendar(event("b", "Call with Bruno", lisbon(2026, 11, 24, 17), None, [BRUNO]))
    crm(["import", "calendar", "-"], input=one.decode(), env=NOW)
    crm(["import", "calendar", "-"], input=two.decode(), env=NOW)
    meetings = json.loads(crm("digest --format json", env=NOW).stdout)["meetings"]
    assert [m["meeting"] for m in meetings] == ["Call with Ana", "Call with Bruno"]
    crm("contact archive bruno")
    meetings = json.loads(crm("digest --format json", env=NOW).stdout)["meetings"]
    assert [m["meeting"] for m in meetings] == ["Call with Ana"]
    cancelled = calendar(event("a", "Call with Ana", lisbon(2026, 11, 24, 16), None, [ANA],
                               status="CANCELLED"))  # fmt: skip
    crm(["import", "calendar", "-"], input=cancelled.decode(), env=NOW)  # the same event again
    assert json.loads(crm("digest --format json", env=NOW).stdout)["meetings"] == []


def test_a_calendar_read_once_through_a_link_is_one_calendar(crm, known, vdir, tmp_path):
    """Read through a symlink, then by its own path: a meeting gone from it leaves the digest."""
    link = tmp_path / "cal-link"
    link.symlink_to(vdir)
    crm(["import", "calendar", str(link)], env=NOW)
    (vdir / "today.ics").unlink()
    crm(["import", "calendar", str(vdir)], env=NOW)
    assert json.loads(crm("digest --format json", env=NOW).stdout)["meetings"] == []


def test_folders_whose_names_are_not_utf8_are_read(crm, known, tmp_path):
    import os

    base = os.fsencode(str(tmp_path))
    folder = os.fsdecode(base + b"/cal\xff")
    os.mkdir(folder)
    with open(os.path.join(folder, "e.ics"), "wb") as handle:
        handle.write(calendar(event("u@x", "Review", lisbon(2026, 11, 20, 10), None, [ANA])))
    result = crm(["import", "calendar", folder], env=NOW)
    assert "logged 1 meeting" in result.stderr, result.stderr
    cards = os.fsdecode(base + b"/cards\xff")
    assert "in the folder 2 added" in crm(["vcard", "sync", cards]).stderr
    assert "0 added, 0 updated" in crm(["vcard", "sync", cards]).stderr  # the same folder again


def test_a_meeting_whose_time_was_corrected_is_moved_not_logged_twice(crm, known, tmp_path):
    ics = tmp_path / "call.ics"
    ics.write_bytes(calendar(event("call@x", "Scoping call", lisbon(2026, 11, 20, 10),
                                   lisbon(2026, 11, 20, 11), [ANA, ME_IN], ME)))  # fmt: skip
    crm(["import", "calendar", str(ics)], env=NOW)
    ics.write_bytes(calendar(event("call@x", "Scoping call", lisbon(2026, 11, 20, 14),
                                   lisbon(2026, 11, 20, 15), [ANA, ME_IN], ME)))  # fmt: skip
    moved = crm(["import", "calendar", str(ics)], env=NOW)
    assert (
        "logged 0 meetings, 0 still to come, moved 1 meeting to the time now in the "
        "calendar" in moved.stderr
    ), moved.stderr
    rows = interactions(crm.db)
    assert [(r["happened_at"], r["summary"]) for r in rows] == [
        ("2026-11-20T14:00:00", "Scoping call")
    ]
    links = sqlite3.connect(crm.db).execute("SELECT happened_at FROM interaction_contacts")
    assert links.fetchall() == [("2026-11-20T14:00:00",)]  # the link follows the time
    crm("undo")  # the move is one change of the import: undone, the first time is back
    assert interactions(crm.db)[0]["happened_at"] == "2026-11-20T10:00:00"
    again = crm(["import", "calendar", str(ics)], env=NOW)  # and the next read moves it again
    assert "moved 1 meeting" in again.stderr
    crm(f"interaction rm {rows[0]['id']} --yes")  # removed by me: a move never revives it
    ics.write_bytes(calendar(event("call@x", "Scoping call", lisbon(2026, 11, 20, 16),
                                   lisbon(2026, 11, 20, 17), [ANA, ME_IN], ME)))  # fmt: skip
    crm(["import", "calendar", str(ics)], env=NOW)
    assert interactions(crm.db) == []


def test_one_stray_item_never_silences_the_cron_digest(crm, known, tmp_path):
    """Under the cron line, a Date-less message and an event that cannot be read (a 2015
    railway ticket) are skipped and named; the rest goes in and the exit status is 0, so the
    digest that follows runs."""
    box = maildir(
        tmp_path / "Mail", [message("ana@example.com", ME, "Fine", utc(2026, 11, 20), "<f@x>")]
    )
    (Path(box._path) / "cur" / "1700000000.M1P1.host:2,S").write_bytes(
        b"From: ana@example.com\r\nTo: me@work.example\r\nSubject: no date\r\n\r\nbody\r\n"
    )
    calendars = tmp_path / "calendars"
    calendars.mkdir()
    (calendars / "ticket.ics").write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:train@cp\r\nSUMMARY:Lisboa-Porto"
        b"\r\nDTSTART:20150301T080000Z\r\nDURATION:PT-2H\r\nRRULE:FREQ=SOMETIMES\r\n"
        b"ATTENDEE:mailto:ana@example.com\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    (calendars / "call.ics").write_bytes(calendar(event("call@x", "Scoping call",
        lisbon(2026, 11, 20, 10), lisbon(2026, 11, 20, 11), [ANA, ME_IN], ME)))  # fmt: skip
    mail = crm(["import", "mail", str(tmp_path / "Mail"), "--since", "7 days ago"], env=NOW)
    assert (
        mail.exit_code == 0
        and "skipped" in mail.stderr
        and "no readable Date header" in mail.stderr
    )
    assert "logged 1" in mail.stderr
    meetings = crm(["import", "calendar", str(calendars)], env=NOW)
    assert (
        meetings.exit_code == 0
        and "ticket.ics" in meetings.stderr
        and "logged 1 meeting" in meetings.stderr
    )
    assert {r["summary"] for r in interactions(crm.db)} == {"Fine", "Scoping call"}
    strict = crm(["import", "calendar", "--strict", str(calendars)], env=NOW, ok=False)
    assert strict.exit_code == 1 and "import refused" in strict.stderr  # all or nothing, if asked
    assert "leave out --strict to skip them" in strict.stderr


def test_an_added_date_before_the_start_is_an_occurrence_too(crm, known, tmp_path):
    item = event("rd@x", "Kick-off", lisbon(2026, 11, 16, 10), lisbon(2026, 11, 16, 11),
                 [ANA, ME_IN], ME, rrule={"freq": "weekly", "count": 2},
                 rdate=[lisbon(2026, 11, 9, 10)])  # fmt: skip
    ics = tmp_path / "rd.ics"
    ics.write_bytes(calendar(item))
    crm(["import", "calendar", str(ics)], env=NOW)
    days = sorted(r["happened_at"][:10] for r in interactions(crm.db))
    assert days == ["2026-11-09", "2026-11-16", "2026-11-23"]


def test_mail_i_sent_in_bcc_only_is_logged(crm, known, tmp_path):
    maildir(tmp_path / "Sent", [message(ME, "me@work.example", "Proposal", utc(2026, 11, 20),
                                        "<bcc@x>", bcc="ana@example.com")])  # fmt: skip
    done = crm(["import", "mail", str(tmp_path / "Sent")], env=NOW)
    assert "logged 1" in done.stderr, done.stderr
    (row,) = interactions(crm.db)
    assert (row["summary"], row["direction"], row["who"]) == ("Proposal", "out", str(known["ana"]))


def test_mail_where_i_was_only_in_cc_waits_on_nobody(crm, known, tmp_path):
    maildir(tmp_path / "in", [
        message("ana@example.com", "boss@acme.example", "FYI: the plan", utc(2026, 11, 18), "<c@x>",
                cc=ME),
        message("ana@example.com", ME, "Your view?", utc(2026, 11, 19), "<v@x>"),
    ])  # fmt: skip
    crm(["import", "mail", str(tmp_path / "in")], env=NOW)
    (reply,) = [r for r in crm.json("overdue -f json") if r["kind"] == "reply"]
    assert reply["reason"].startswith("Your view? (waiting")  # the Cc'd one waits on nobody


def test_add_unknown_logs_in_one_run_the_mail_of_the_people_it_adds(crm, known, tmp_path):
    """A reply read before the mail that makes its sender a contact is logged in the same run
    (the first run logged 43 of 153 on a real Maildir, the second the rest), dry run alike."""
    maildir(tmp_path / "in", [
        message("Carla <carla@dias.example>", ME, "Re: Proposal", utc(2026, 11, 21), "<r1@x>"),
        message(ME, '"Carla Dias" <carla@dias.example>', "Proposal", utc(2026, 11, 20), "<p1@x>"),
        message("Dora <dora@else.example>", ME, "Hello", utc(2026, 11, 21), "<d1@x>"),
    ])  # fmt: skip
    args = ["import", "mail", str(tmp_path / "in"), "--add-unknown"]
    dry = crm([*args, "--dry-run"], env=NOW)
    done = crm(args, env=NOW)
    said = "logged 2, skipped 1 (1 no known contact); 1 new contact"
    assert said in done.stderr and said.replace("logged", "would log") in dry.stderr
    assert sorted(r["summary"] for r in interactions(crm.db)) == ["Proposal", "Re: Proposal"]
    assert "logged 0" in crm(args, env=NOW).stderr  # and a second run has nothing left


def test_meetings_today_say_the_time_where_each_person_lives(crm, known, vdir):
    crm("contact edit bruno --tz America/New_York")
    crm(["import", "calendar", str(vdir)], env=NOW)
    report = json.loads(crm("digest --format json", env=NOW).stdout)
    times = {m["contact"]: m["their_time"] for m in report["meetings"]}
    assert times["Ana Silva"] is None and times["Bruno Costa"].endswith("America/New_York")
