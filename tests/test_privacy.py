"""A person's rights: `crm contact export` (everything held on one person) and `crm contact
forget` (erased for good: no byte of them left in the database file or its log)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

MARIA = ["contact", "add", "Maria Lopez", "--email", "maria.lopez@example.org",
         "--phone", "+44 20 7946 0011", "--note", "allergic to peanuts"]  # fmt: skip
SECRETS = ("Maria Lopez", "maria.lopez@example.org", "7946 0011", "peanuts",
           "her divorce", "kid starts school", "tender for the hospital")  # fmt: skip

NOW = {"CRM_TODAY": "2026-11-24T12:00"}


def calendar(*events: str) -> bytes:
    body = "\r\n".join(events)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n{body}\r\nEND:VCALENDAR\r\n".encode()
    )


def meeting(uid: str, summary: str, *emails: str) -> str:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z", f"SUMMARY:{summary}",
             "DTSTART:20261126T100000Z", "DTEND:20261126T110000Z"]  # fmt: skip
    lines += [f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{email}" for email in emails]
    return "\r\n".join([*lines, "END:VEVENT"])


@pytest.fixture
def maria(crm, people, tmp_path):
    """Maria, with everything a person leaves in crm: her own records, an interaction shared
    with Ana, a mention in Bruno's notes, a trashed interaction, meetings, a synced card."""
    maria_id = crm.id(MARIA)
    crm(["log", "maria", "coffee about her divorce"])
    crm(["log", "maria,ana silva", "joint lunch with Maria Lopez"])
    crm(["note", "add", "maria", "kid starts school in May"])
    crm(["followup", "add", "maria", "2026-12-10", "ask about the tender for the hospital"])
    crm(["complaint", "add", "maria", "invoice sent to maria.lopez@example.org twice"])
    crm(["contact", "edit", "bruno", "--note", "met through Maria Lopez"])
    gone = crm.id(["log", "maria", "call about her divorce papers"])
    crm(["interaction", "rm", str(gone), "--yes"])
    ics = tmp_path / "week.ics"
    ics.write_bytes(calendar(
        meeting("m1", "Review with Maria Lopez", "maria.lopez@example.org"),
        meeting("m2", "Board with Maria Lopez", "maria.lopez@example.org", "ana@example.com"),
    ))  # fmt: skip
    crm(["import", "calendar", str(ics)], env=NOW)
    cards = tmp_path / "cards"
    cards.mkdir()
    crm(["vcard", "sync", str(cards)])
    return maria_id


def query(crm, sql: str) -> list[tuple]:
    conn = sqlite3.connect(crm.db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()  # now, not whenever it is collected: its close may checkpoint the log


def raw_bytes(db: Path) -> bytes:
    return b"".join(
        Path(f"{db}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-journal")
        if Path(f"{db}{suffix}").exists()
    )


def test_forget_leaves_no_byte_of_the_person_in_the_file_or_its_log(crm, maria):
    before = raw_bytes(crm.db)
    assert all(secret.encode() in before for secret in SECRETS)  # the search can find them
    reader = sqlite3.connect(crm.db)  # another program holding the file open: the WAL stays
    try:
        reader.execute("SELECT count(*) FROM contacts").fetchone()
        result = crm(["contact", "forget", "maria", "--yes"])
        assert "forgot Maria Lopez for good" in result.stderr
        assert "warning" not in result.stderr
        after = raw_bytes(crm.db)
        for secret in SECRETS:
            assert secret.encode() not in after, secret
            assert secret.lower().encode() not in after.lower(), secret
    finally:
        reader.close()


def test_forget_keeps_the_others_and_takes_the_person_out_of_what_they_share(crm, people, maria):
    crm(["contact", "forget", "maria", "--yes"])
    assert [c["name"] for c in crm.json("contact list --format json")] == [
        "Ana Silva", "Anabela Rocha", "Bruno Costa"]  # fmt: skip
    ana = crm.json("contact show 'ana silva' --format json")
    assert [i["summary"] for i in ana["interactions"]] == ["joint lunch with a forgotten contact"]
    assert crm.json("contact show bruno --format json")["notes"] == (
        "met through a forgotten contact"
    )
    meetings = query(crm, "SELECT summary, contact_ids FROM meetings")
    assert meetings == [("Board with a forgotten contact", f"[{people['ana']}]")]
    assert crm("search peanuts", ok=False).stdout == ""
    assert "Ana Silva" in crm("search lunch").stdout  # the index was rebuilt, not dropped
    assert crm("doctor").exit_code == 0


def test_forget_clears_the_history_and_undo_stops_there(crm, maria):
    crm(["contact", "forget", "maria", "--yes"])
    history = crm.json("history --limit 100 --format json")
    assert not any("maria" in row["command"].lower() for row in history)
    assert history[0]["command"] == "crm contact forget … (a forgotten contact)"
    assert history[0]["state"] == "a forget: cannot be undone"
    assert "crm log … (a forgotten contact)" in [row["command"] for row in history]
    assert query(crm, "SELECT count(*) FROM change_log WHERE op != 'forget'") == [(0,)]
    crm.fails("undo", says="forgotten for good")
    crm(["log", "ana silva", "after the forget"])
    assert "after the forget" in crm("undo").stderr  # a change since can still be undone
    crm.fails("undo", says="nothing from then back can be undone")


def test_forget_empties_the_trash_of_them_and_sync_does_not_bring_them_back(crm, maria, tmp_path):
    cards = tmp_path / "cards"
    assert len(list(cards.glob("*.vcf"))) == 4
    result = crm(["contact", "forget", "maria", "--yes"])
    assert "removed their card" in result.stderr
    assert len(list(cards.glob("*.vcf"))) == 3
    assert crm.json("trash list --format json") == []
    crm(["vcard", "sync", str(cards)])
    crm(["import", "calendar", str(tmp_path / "week.ics")], env=NOW)
    assert crm.json("contact list --format json --search lopez") == []
    assert query(crm, "SELECT count(*) FROM vcard_sync") == [(3,)]


def test_only_whole_mentions_are_scrubbed_and_others_trash_keeps_them(crm):
    crm(["contact", "add", "Eva", "--phone", "+34 612 345 678"])
    crm(["contact", "add", "Bob Stone", "--source", "referred by Eva", "--owner", "Eva"])
    crm(["log", "bob", "performance evaluation, medieval history"])
    crm(["note", "add", "bob", "Bob's wife Evangeline; ask Eva (+34612345678 or 612-345-678)"])
    crm(["log", "eva,bob", "lunch with Eva and Bob"])
    crm(["log", "bob", "quarterly review"])
    crm(["interaction", "rm", "3", "--yes"])  # Bob's own, in the trash: nothing to do with Eva
    crm(["interaction", "rm", "2", "--yes"])  # shared with Eva, in the trash: stays Bob's
    crm(["contact", "forget", "eva", "--yes"])
    bob = crm.json("contact show bob --format json")
    assert [i["summary"] for i in bob["interactions"]] == [
        "performance evaluation, medieval history"
    ]
    assert (bob["source"], bob["owner"]) == (
        "referred by a forgotten contact",
        "a forgotten contact",
    )
    note = query(crm, "SELECT text FROM notes")[0][0]
    assert note == ("Bob's wife Evangeline; ask a forgotten contact (a forgotten contact or "
                    "a forgotten contact)")  # fmt: skip
    trash = crm.json("trash list --format json")
    assert len(trash) == 2
    shared = next(e for e in trash if "lunch" in e["name"])
    assert "Eva " not in shared["name"] and "a forgotten contact" in shared["name"]
    crm(["trash", "restore", str(shared["id"])])
    bob = crm.json("contact show bob --format json")
    assert "lunch with a forgotten contact and Bob" in [i["summary"] for i in bob["interactions"]]


def test_short_and_cjk_names_and_what_was_said_by_id_leave_no_byte(crm):
    crm(["contact", "add", "王伟", "--email", "wang@example.cn"])
    crm(["contact", "add", "Bob Stone"])
    crm(["log", "王伟,bob", "dinner with 王伟 and Bob"])
    crm(["contact", "edit", "1", "--company", "Hospice Sunflower", "--add-tag", "hivpositive"])
    crm(["date", "add", "1", "sobriety anniversary", "03-04"])
    crm(["contact", "forget", "1", "--yes"])
    data = raw_bytes(crm.db)
    for secret in ("王伟", "wang@example.cn", "Hospice Sunflower", "hivpositive", "sobriety"):
        assert secret.encode() not in data, secret
    assert [row["command"] for row in crm.json("history --format json")] == [
        "crm contact forget … (a forgotten contact)", "crm date add …", "crm contact edit …",
        "crm log … (a forgotten contact)", "crm contact add …",
        "crm contact add … (a forgotten contact)"]  # fmt: skip
    assert crm.json("contact show bob --format json")["interactions"][0]["summary"] == (
        "dinner with a forgotten contact and Bob"
    )


def test_a_reader_holding_the_file_gets_a_warning_and_db_compact_finishes(crm, people):
    import time

    crm(MARIA)
    reader = sqlite3.connect(crm.db)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM contacts").fetchone()  # a read transaction, held
    started = time.monotonic()
    result = crm(["contact", "forget", "maria", "--yes"])
    assert time.monotonic() - started < 10
    assert "another program is reading the database" in result.stderr
    assert "crm db compact" in result.stderr
    reader.close()
    assert "compacted, its log emptied" in crm("db compact").stderr
    assert b"peanuts" not in raw_bytes(crm.db) and b"Maria Lopez" not in raw_bytes(crm.db)


def test_a_setting_that_names_them_is_pointed_out(crm, people):
    crm(MARIA)
    crm(["config", "set", "me", "me@mine.example,maria.lopez@example.org"])
    result = crm(["contact", "forget", "maria", "--yes"])
    assert "the setting me names them" in result.stderr


def test_two_deleted_contacts_of_one_name_are_told_apart_by_uid(crm):
    uids = []
    for _ in range(2):
        crm(["contact", "add", "Zed Quill"])
        uids.append(crm.json("contact show zed --format json")["uid"])
        crm(["contact", "delete", "zed", "--yes"])
    crm.fails(["contact", "forget", "zed quill", "--yes"], says=uids[0])
    crm(["contact", "forget", uids[1], "--yes"])
    assert [e["contact_uid"] for e in crm.json("trash list --format json")] == [uids[0]]


def test_a_deleted_contact_in_the_trash_can_be_forgotten(crm, people):
    crm(MARIA)
    crm(["log", "maria,ana silva", "lunch"])
    crm(["contact", "delete", "maria", "--yes"])
    result = crm(["contact", "forget", "maria lopez", "--yes"])
    assert "1 trash entry" in result.stderr
    assert crm.json("trash list --format json") == []
    assert b"peanuts" not in raw_bytes(crm.db) and b"Maria Lopez" not in raw_bytes(crm.db)
    assert [
        i["summary"] for i in crm.json("contact show 'ana silva' --format json")["interactions"]
    ] == ["lunch"]


def test_forget_asks_and_refuses_without_yes_in_a_script(crm, maria):
    crm.fails(["contact", "forget", "maria"], says="cannot be undone) without --yes")
    crm.fails(["contact", "forget", "nobody at all", "--yes"], says="no contact matches")


def on_terminal(db: Path, answer: str, *args: str) -> tuple[int, str]:
    """A command run on a terminal that answers its question with `answer`."""
    import os
    import pty
    import subprocess

    from conftest import crm_env_for_process
    from test_process import CRM

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [CRM, *args], stdin=follower, stdout=follower, stderr=follower,
        env=crm_env_for_process(db),
    )  # fmt: skip
    os.close(follower)
    seen = b""
    while b"?" not in seen:
        seen += os.read(leader, 4096)
    os.write(leader, answer.encode() + b"\r")
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return process.wait(timeout=60), seen.decode()


def test_forget_on_a_terminal_asks_first(crm, maria):
    before = crm.fingerprint()
    code, seen = on_terminal(crm.db, "n", "contact", "forget", "maria")
    assert code == 1 and "you answered no" in seen
    assert "Forget Maria Lopez (id" in seen and "for good (this cannot be undone)?" in seen
    assert crm.fingerprint() == before
    code, seen = on_terminal(crm.db, "y", "contact", "forget", "maria")
    assert code == 0 and "forgot Maria Lopez for good" in seen
    assert crm.json("contact list --format json --search lopez") == []


def test_export_is_everything_held_on_one_person_and_imports_back(crm, maria, tmp_path):
    out = tmp_path / "maria.json"
    result = crm(["contact", "export", "maria", "-o", str(out)])
    assert f"exported what crm holds on Maria Lopez to {out}" in result.stderr
    document = json.loads(out.read_text())
    assert document["format"] == "crm-backup"
    assert [c["name"] for c in document["contacts"]] == ["Maria Lopez"]
    assert {i["summary"] for i in document["interactions"]} == {
        "coffee about her divorce", "joint lunch with Maria Lopez"}  # fmt: skip
    assert [n["text"] for n in document["notes"]] == ["kid starts school in May"]
    assert [f["note"] for f in document["followups"]] == ["ask about the tender for the hospital"]
    assert len(document["complaints"]) == 1
    assert sorted(m["summary"] for m in document["meetings"]) == [
        "Board with Maria Lopez", "Review with Maria Lopez"]  # fmt: skip
    assert [t["name"][-29:] for t in document["trash"]] == ["call about her divorce papers"]
    assert (
        len(document["sync"]) == 1 and document["sync"][0]["uid"] == document["contacts"][0]["uid"]
    )
    assert any(
        h["command"].startswith("crm contact add 'Maria Lopez'") for h in document["history"]
    )
    assert not any("Bruno Costa" in h["command"] for h in document["history"])
    # an access request's file is a backup: forgotten, then imported, she is back
    crm(["contact", "forget", "maria", "--yes"])
    crm(["import", "all", str(out)])
    back = crm.json("contact show maria --format json")
    assert back["emails"] == ["maria.lopez@example.org"] and back["notes"] == "allergic to peanuts"


def test_export_to_stdout_is_json(crm, maria):
    document = json.loads(crm(["contact", "export", "maria lopez"]).stdout)
    assert document["contacts"][0]["phones"] == ["+44 20 7946 0011"]
    crm.fails(["contact", "export", "nobody at all"], says="no contact matches")


# --------------------------------------------------------------------------- do not contact

LEFT_ALONE = ["contact", "add", "Zoe Quiet", "--email", "zoe@example.org", "--every", "7d",
              "--birthday", "1980-11-26", "--do-not-contact"]  # fmt: skip
REACHABLE = ["contact", "add", "Yuri Open", "--email", "yuri@example.org", "--every", "7d",
             "--birthday", "1980-11-26"]  # fmt: skip
LATER = {"CRM_TODAY": "2026-12-10"}


def names(rows) -> set[str]:
    return {row["contact"] for row in rows}


def test_a_contact_marked_do_not_contact_is_never_a_prompt(crm):
    zoe, _ = crm.id(LEFT_ALONE), crm.id(REACHABLE)
    crm(["followup", "add", "zoe", "2026-12-01", "send the signed contract back"])
    assert crm.json("contact show zoe --format json")["do_not_contact"] is True
    # no keep-in-touch reminder and no birthday; a follow-up you wrote stays yours to close
    overdue = crm(["overdue", "--format", "json"], env=LATER)
    rows = json.loads(overdue.stdout)
    assert {(r["kind"], r["contact"]) for r in rows} == {
        ("cadence", "Yuri Open"), ("followup", "Zoe Quiet")}  # fmt: skip
    assert names(crm.json("upcoming --format json")) == {"Yuri Open"}
    digest = crm(["digest", "--format", "plain"]).stdout
    assert "Yuri Open" in digest and "Zoe Quiet" not in digest
    feed = crm("calendar").stdout
    assert "Yuri Open's birthday" in feed and "Zoe Quiet's birthday" not in feed
    assert "send the signed contract back" in feed
    # the views for sqlite3 and Datasette say the same
    assert query(crm, "SELECT contact FROM upcoming_dates") == [("Yuri Open",)]
    assert query(crm, "SELECT contact FROM cadence_overdue WHERE contact_id = ?".replace(
        "?", str(zoe))) == []  # fmt: skip
    # cleared, she is a prompt again
    crm(["contact", "edit", "zoe", "--may-contact"])
    assert names(crm.json("upcoming --format json")) == {"Yuri Open", "Zoe Quiet"}


def test_no_template_is_filled_for_them_unless_forced(crm):
    crm(LEFT_ALONE)
    crm.fails(["template", "render", "thank-you", "zoe", "--set", "last_amount=5"],
              says="asked not to be contacted")  # fmt: skip
    forced = crm(["template", "render", "thank-you", "zoe", "--set", "last_amount=5", "--force"])
    assert forced.stdout.startswith("Hi Zoe,")


def test_the_mark_goes_through_every_door(crm, tmp_path):
    crm(LEFT_ALONE)
    # CSV: the column is written, read back, and an update that does not state it keeps it
    exported = crm("export contacts").stdout
    assert exported.splitlines()[0].split(",").count("do_not_contact") == 1
    rows = tmp_path / "rows.csv"
    rows.write_text("name,email,do_not_contact\nXena New,xena@example.org,yes\n"
                    "Walt Blank,walt@example.org,\n")  # fmt: skip
    crm(["import", "contacts", str(rows)])
    assert crm.json("contact show xena --format json")["do_not_contact"] is True
    assert crm.json("contact show walt --format json")["do_not_contact"] is False
    silent = tmp_path / "silent.csv"
    silent.write_text("name,email,company\nZoe Quiet,zoe@example.org,Quiet Ltd\n")
    crm(["import", "contacts", str(silent), "--on-duplicate", "update"])
    zoe = crm.json("contact show zoe --format json")
    assert zoe["company"] == "Quiet Ltd" and zoe["do_not_contact"] is True
    said = tmp_path / "said.csv"
    said.write_text("name,email,do_not_contact\nXena New,xena@example.org,no\n")
    crm(["import", "contacts", str(said), "--on-duplicate", "update"])
    assert crm.json("contact show xena --format json")["do_not_contact"] is False
    crm.fails(["import", "contacts", str(_bad(tmp_path))], says="do_not_contact")
    # a vCard sync (cards have no such field) leaves it alone, both ways round
    cards = tmp_path / "cards"
    cards.mkdir()
    crm(["vcard", "sync", str(cards)])
    card = next(p for p in cards.glob("*.vcf") if "Zoe" in p.read_text())
    card.write_text(card.read_text().replace("Quiet Ltd", "Quiet Group"))
    crm(["vcard", "sync", str(cards)])
    zoe = crm.json("contact show zoe --format json")
    assert zoe["company"] == "Quiet Group" and zoe["do_not_contact"] is True
    # a backup restores it; a merge keeps it when either had it
    backup = tmp_path / "all.json"
    crm(["export", "all", "--format", "json", "-o", str(backup)])
    crm(["contact", "add", "Zoe Q.", "--email", "zoe.q@example.org"])
    crm(["contact", "merge", "zoe q.", "zoe quiet", "--yes"])
    assert crm.json("contact show zoe --format json")["do_not_contact"] is True
    crm(["contact", "delete", "zoe", "--yes"])
    crm(["import", "all", str(backup)])
    assert crm.json("contact show 'zoe quiet' --format json")["do_not_contact"] is True


def _bad(tmp_path: Path) -> Path:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email,do_not_contact\nVic Bad,vic@example.org,perhaps\n")
    return bad
