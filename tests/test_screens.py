"""What a person sees: tables that fit the terminal at any width from 80 columns, tokens
(ids, dates, numbers, emails) never broken, free text cut with an ellipsis, CJK aligned."""

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios

import pytest
from conftest import crm_env_for_process, in_process
from test_process import CRM

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def screen(db, columns: int, *args) -> str:
    """The text a terminal `columns` wide shows for a command, colours removed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = crm_env_for_process(db, COLUMNS=str(columns), LINES="50")
    process = subprocess.Popen(
        [CRM, *args], stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return ANSI.sub("", b"".join(chunks).decode()).replace("\r\n", "\n")


@pytest.fixture(scope="module")
def busy(tmp_path_factory):
    """The demo address book, plus long names, notes and a CJK name (written in-process: what
    is on the screen is what the tests below read, each through a real terminal)."""
    db = tmp_path_factory.mktemp("screens") / "crm.db"
    assert in_process(db, "db", "demo").returncode == 0
    in_process(db, "contact", "add", "Maximiliana Evangelina Fitzgerald-Worthington",
        "--email", "maximiliana.evangelina@fitzgerald-worthington-consulting.example",
        "--phone", "+44 20 7946 0958", "--company", "Fitzgerald Worthington Consulting Ltd",
        "--tag", "client", "--tag", "london", "--every", "7d")  # fmt: skip
    in_process(db, "contact", "add", "張偉", "--email", "zhang@example.cn", "--every", "7d")
    in_process(db, "log", "maximiliana", "A very long summary of a meeting that went on for hours "
        "about many many things, budgets, timelines and the colour of the logo", "--when",
        "2026-11-02 09:15", "--follow-up", "2026-11-20 10:00")  # fmt: skip
    in_process(db, "complaint", "add", "maximiliana", "The invoice for October was charged twice and "
        "the refund has still not arrived", "--when", "2026-11-10 08:00")  # fmt: skip
    in_process(db, "note", "maximiliana", "Prefers calls in the morning; never on Fridays")
    meeting = db.parent / "today.ics"  # late tonight, so it is still to come whatever the hour
    meeting.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VEVENT\r\n"
        "UID:late@tests\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261124T235800\r\n"
        "DTEND:20261125T003000\r\nSUMMARY:Late call about the refund and the new contract\r\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:maximiliana.evangelina@fitzgerald-worthington-"
        "consulting.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert in_process(db, "import", "calendar", str(meeting)).returncode == 0
    return db


COMMANDS = [
    ("digest",), ("contact", "list"), ("contact", "show", "maximiliana"), ("overdue",),
    ("complaints",), ("upcoming", "--days", "60"), ("followup", "list"), ("history",),
    ("search", "invoice"), ("report", "value"), ("date", "list"),
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("columns", [80, 120])
def test_every_screen_fits_and_keeps_its_tokens_whole(busy, columns):
    emails = {e for line in in_process(busy, "export", "contacts").stdout.splitlines()[1:]
              for e in line.split(",")[3].split(";") if e}  # fmt: skip
    for args in COMMANDS:
        text = screen(busy, columns, *args)
        assert text.strip(), args
        for line in text.splitlines():
            assert len(line) <= columns, (args, columns, line)
            dated = UID.sub("<uid>", line)
            for token in re.findall(r"\b\d{4}-\d[\d-]*", dated):
                assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", token), (args, columns, line)
            assert not re.search(r"\d{4}-\d{2}-\d{2}T", line), (args, line)  # 09:15, not T09:15
            for token in re.findall(r"\S+@\S+", line):
                token = token.strip("<>,")
                if token.endswith("…"):  # free text cut to fit, or an email over 40 characters
                    assert any(e.startswith(token[:-1]) for e in emails), (args, token)
                else:
                    assert token in emails, (args, columns, token)


def test_todays_meetings_lead_the_digest_with_the_last_interaction(busy):
    text = screen(busy, 80, "digest")
    part = text.split("Meetings today (1)")[1].split("Overdue")[0]
    row = next(line for line in part.splitlines() if "23:58" in line)
    assert "Late call" in row and "Maximiliana" in row and "2026-11-02 09:15" in row


def test_a_narrow_screen_names_what_it_hid_and_wide_shows_it(busy):
    narrow = screen(busy, 80, "contact", "list")
    assert "hidden: " in narrow and "--wide" in narrow
    hidden = narrow.split("hidden: ")[1].split(" (")[0].split(", ")
    wide = screen(busy, 80, "contact", "list", "--wide")
    header = next(line for line in wide.splitlines() if "name" in line and "email" in line)
    assert all(column in header for column in hidden)
    assert "maximiliana.evangelina@fitzgerald-worthington-consulting.example" in wide
    assert "…" in screen(busy, 80, "contact", "show", "maximiliana")  # long text cut, not wrapped


def test_plain_output_aligns_by_display_width(busy):
    from crmcli.output import cell_width

    lines = in_process(busy, "contact", "list", "-f", "plain").stdout.splitlines()
    column = lines[0].index("email")  # the header is ASCII: index = display column
    rows = [line for line in lines[1:] if "@" in line]
    assert any("張偉" in line for line in rows)
    for line in rows:
        email = re.search(r"\S+@\S+", line).start()
        assert cell_width(line[:email]) == column, line


def test_prose_gets_room_before_trailing_contact_details(busy):
    from crmcli.layout import TEXT_WANT

    """At 120 columns an overdue contact's reason is readable: the channel, email and phone
    after it make way (and are named), instead of squeezing it to a few characters."""
    shown = screen(busy, 120, "overdue")
    header = next(line for line in shown.splitlines() if "reason" in line)
    after = header.find("last_interaction")
    assert (after if after > 0 else len(header)) - header.index("reason") >= TEXT_WANT
    assert "every 14 days; last contact" in shown
    hidden = shown.split("hidden: ")[1]
    assert "email" in hidden and "phone" in hidden
