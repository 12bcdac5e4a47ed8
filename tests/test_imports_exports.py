"""Export, import (crm, Google, Outlook, LinkedIn CSV, JSON Lines), vCard and iCalendar."""

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GOOGLE_CSV = (
    "First Name,Middle Name,Last Name,Phonetic First Name,Nickname,Birthday,Notes,Labels,"
    "E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,"
    "Phone 1 - Value,Organization Name,Organization Title\n"
    "Ana,,Silva,,,1985-03-14,met at WebSummit,* myContacts ::: Clients ::: Lisbon,* Work,"
    "ana@example.com,Home,ana@home.example,Mobile,+351 912 345 678,Acme,CTO\n"
    "Bruno,,Costa,,,--11-27,,* myContacts,,bruno@costa.pt,,,,,,\n"
)
GOOGLE_LEGACY_CSV = (
    "Name,Given Name,Additional Name,Family Name,Birthday,Group Membership,E-mail 1 - Type,"
    "E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Organization 1 - Name,Organization 1 - Title\n"
    "Carla Dias,Carla,,Dias,1990-07-02,* My Contacts ::: Friends,* Home,carla@dias.pt,Mobile,"
    "+351 933 000 111,Dias Design,Owner\n"
)
OUTLOOK_CSV = (
    "First Name,Middle Name,Last Name,Title,Suffix,E-mail Address,E-mail 2 Address,Business Phone,"
    "Mobile Phone,Company,Job Title,Birthday,Categories,Notes\n"
    "David,,Okafor,,,david@okafor.example,,+1 555 0100,+1 555 0199,Okafor Labs,CEO,7/2/1979,"
    "Clients;VIP,\n"
    'Eva,,Novak,,,eva@novak.example,,,,,,0/0/00,,"likes long\nemails"\n'
)
LINKEDIN_CSV = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are '
    "missing. You will only see email addresses for connections who have allowed their "
    'connections to see or download their email address."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Fatima,Zahra,https://www.linkedin.com/in/fzahra,,Zahra Consulting,Partner,26 Jul 2025\n"
    "Gil,Moreno,https://www.linkedin.com/in/gmoreno,gil@moreno.example,,Engineer,03 Jan 2024\n"
)


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def contacts(crm):
    return {c["name"]: c for c in crm.json("export contacts --format json")}


# --------------------------------------------------------------------------- export


def test_export_contacts_csv_is_rfc4180_with_lists_in_one_cell(crm, people):
    crm('contact edit silva --note "line one\nline, two"')
    raw = crm("export contacts").stdout_bytes
    assert raw.startswith(b"id,uid,name,emails,phones,company") and raw.endswith(b"\r\n")
    text = raw.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    ana = [r for r in rows if r["name"] == "Ana Silva"][0]
    assert ana["tags"] == "client;lisbon" and ana["notes"] == "line one\nline, two"
    assert ana["birthday"] == "1985-03-14" and ana["archived"] == "false"


def test_export_formats_and_output_file(crm, people, tmp_path):
    crm('log "silva,bruno" "lunch" --when 2026-11-01')
    [row] = crm.json("export interactions --format json")
    assert row["contact_ids"] == [people["ana"], people["bruno"]]
    assert row["contacts"] == ["Ana Silva", "Bruno Costa"]
    lines = crm("export interactions --format jsonl").stdout.splitlines()
    assert json.loads(lines[0])["summary"] == "lunch"
    tsv = crm("export dates --format tsv").stdout.splitlines()
    assert tsv[0].startswith("id\tuid\tcontact_id")
    target = tmp_path / "out.csv"
    result = crm(f"export contacts --output {target}")
    assert result.stdout == "" and len(target.read_text().splitlines()) == 4


def test_export_leaves_out_archived_unless_asked(crm, people):
    crm("contact archive bruno")
    assert "Bruno Costa" not in contacts(crm)
    assert "Bruno Costa" in {
        c["name"] for c in crm.json("export contacts --format json --archived")
    }


def test_excel_safe_prefixes_formula_cells(crm):
    crm('contact add "=HYPERLINK(\\"http://evil\\")" --phone "+1 555 0100" --note "@SUM(A1)"')
    plain = list(csv.DictReader(io.StringIO(crm("export contacts").stdout)))[0]
    assert plain["name"].startswith("=HYPERLINK")
    safe = list(csv.DictReader(io.StringIO(crm("export contacts --excel-safe").stdout)))[0]
    assert safe["name"].startswith("'=HYPERLINK") and safe["phones"] == "'+1 555 0100"
    assert safe["notes"] == "'@SUM(A1)"


def test_export_all_and_import_all_round_trip(crm, people, tmp_path):
    crm('log "silva,bruno" "lunch" --when 2026-11-01 --follow-up friday')
    crm('complaint add bruno "late" --when "2026-11-20 09:00"')
    crm("date add bruno anniversary 12-02")
    crm("contact archive anabela")
    crm("config set sla 24h")
    backup = tmp_path / "backup.json"
    crm(f"export all --format json --output {backup}")
    fresh = tmp_path / "fresh.db"
    crm(f"--db {fresh} import all {backup}")
    again = crm(f"--db {fresh} export all --format json").stdout
    strip = lambda text: [line for line in text.splitlines() if "exported_at" not in line]  # noqa: E731
    assert strip(again) == strip(backup.read_text())
    result = crm(f"--db {fresh} import all {backup}")  # nothing twice
    assert "0 added" in result.stderr


def test_export_unknown_entity_is_refused(crm, people):
    crm.fails("export people", code=2, says="unknown entity")
    crm.fails("export all --format csv", code=2, says="--format json")


# --------------------------------------------------------------------------- import CSV


def test_import_google_csv(crm, tmp_path):
    result = crm(f"import contacts {write(tmp_path, 'google.csv', GOOGLE_CSV)}")
    assert "2 added" in result.stderr
    assert "Phonetic First Name" in result.stderr  # unknown columns are reported
    found = contacts(crm)
    ana = found["Ana Silva"]
    assert ana["emails"] == ["ana@example.com", "ana@home.example"]
    assert ana["phones"] == ["+351 912 345 678"]
    assert (ana["company"], ana["title"], ana["birthday"]) == ("Acme", "CTO", "1985-03-14")
    assert ana["tags"] == ["Clients", "Lisbon"]
    assert found["Bruno Costa"]["birthday"] == "--11-27" and found["Bruno Costa"]["tags"] == []


def test_import_legacy_google_csv(crm, tmp_path):
    crm(f"import contacts {write(tmp_path, 'old.csv', GOOGLE_LEGACY_CSV)}")
    carla = contacts(crm)["Carla Dias"]
    assert (carla["emails"], carla["tags"], carla["company"]) == (
        ["carla@dias.pt"],
        ["Friends"],
        "Dias Design",
    )


def test_import_outlook_csv_in_utf16(crm, tmp_path):
    path = write(tmp_path, "outlook.csv", "\ufeff" + OUTLOOK_CSV, encoding="utf-16-le")
    crm("db init")
    crm.fails(f"import contacts {path}", says="line 2: ambiguous date '7/2/1979'")
    crm(f"import contacts {path} --date-order mdy")
    found = contacts(crm)
    david = found["David Okafor"]
    assert david["phones"] == ["+1 555 0100", "+1 555 0199"]
    assert (david["title"], david["birthday"], david["tags"]) == (
        "CEO",
        "1979-07-02",
        ["Clients", "VIP"],
    )
    assert (
        found["Eva Novak"]["birthday"] is None
        and found["Eva Novak"]["notes"] == "likes long\nemails"
    )


def test_import_linkedin_connections_with_notes_above_the_header(crm, tmp_path):
    crm(f"import contacts {write(tmp_path, 'Connections.csv', LINKEDIN_CSV)}")
    found = contacts(crm)
    fatima = found["Fatima Zahra"]
    assert (fatima["company"], fatima["title"]) == ("Zahra Consulting", "Partner")
    assert fatima["created"] == "2025-07-26"
    assert fatima["urls"] == ["https://www.linkedin.com/in/fzahra"]
    assert found["Gil Moreno"]["emails"] == ["gil@moreno.example"]


def test_import_with_utf8_bom_and_from_stdin(crm):
    result = crm("import contacts -", input="\ufeffname,email\nZoe Bom,zoe@bom.example\n")
    assert "1 added" in result.stderr
    assert contacts(crm)["Zoe Bom"]["emails"] == ["zoe@bom.example"]


def test_import_map_option(crm):
    crm(
        'import contacts - --map "Mobile Number=phones" --map "Full=name"',
        input="Full,Mobile Number\nHal,+1 555 0142\n",
    )
    assert contacts(crm)["Hal"]["phones"] == ["+1 555 0142"]


def test_crm_export_reimports_without_duplicates(crm, people, tmp_path):
    exported = write(tmp_path, "mine.csv", crm("export contacts").stdout)
    before = crm.fingerprint()
    result = crm(f"import contacts {exported}")
    assert "0 added, 0 updated, 3 skipped" in result.stderr
    assert crm.fingerprint() == before


def test_reimport_matches_by_email_and_updates_when_asked(crm, people):
    data = "name,email,company\nAna S.,ANA@example.com,NewCo\nNew Person,new@person.example,\n"
    result = crm("import contacts - --on-duplicate update", input=data)
    assert "1 added, 1 updated, 0 skipped" in result.stderr
    # matched by her email under another name: the fields are updated, her name is kept, and
    # the warning says whose email it is
    assert "ANA@example.com is Ana Silva's (contact 1)" in result.stderr
    ana = contacts(crm)["Ana Silva"]
    assert ana["company"] == "NewCo" and ana["emails"] == ["ana@example.com"]
    refused = crm("import contacts - --on-duplicate error", input=data, ok=False)
    assert refused.exit_code == 1 and "already here" in refused.stderr


def test_bad_rows_abort_with_every_line_and_write_nothing(crm, people):
    data = "name,email,birthday\nGood One,good@one.example,1990-01-01\n,nobody@x.example,\nBad Date,bad@d.example,1990-02-30\n"
    before = crm.fingerprint()
    result = crm("import contacts -", input=data, ok=False)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "line 3: name is empty" in result.stderr
    assert "line 4: no such date 1990-02-30" in result.stderr
    assert "nothing written" in result.stderr
    assert crm.fingerprint() == before


def test_skip_invalid_imports_the_good_rows(crm):
    data = "name,email\nGood One,good@one.example\n,nobody@x.example\n"
    result = crm("import contacts - --skip-invalid", input=data)
    assert "1 added" in result.stderr and "line 3: name is empty" in result.stderr
    assert list(contacts(crm)) == ["Good One"]


def test_dry_run_counts_and_writes_nothing(crm, people):
    before = crm.fingerprint()
    result = crm("import contacts - --dry-run", input="name\nSomeone New\n")
    assert "would import contacts: 1 added" in result.stderr
    assert crm.fingerprint() == before


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b'name,email\nTruncated,"unterminated\n', "nothing was imported"),
        (b"name,email\nToo,many,cells,here\n", "cells but the header has 2"),
    ],
)
def test_broken_files_are_refused(crm, people, tmp_path, data, says):
    path = tmp_path / "broken.csv"
    path.write_bytes(data)
    crm.fails(f"import contacts {path}", says=says)


def test_unreadable_inputs(crm, people, tmp_path):
    crm.fails(f"import contacts {tmp_path / 'missing.csv'}", says="cannot read")
    crm.fails(f"import contacts {tmp_path} --format csv", says="is a directory")
    crm.fails("import contacts - --format xml", code=2, says="unknown format")
    crm.fails('import contacts - --map "Col=nonsense"', says="bad --map")


def test_import_jsonl(crm):
    data = '{"name": "Jay Son", "emails": ["jay@son.example"], "tags": ["a", "b"], "cadence_days": 30}\n'
    crm("import contacts - --format jsonl", input=data)
    jay = contacts(crm)["Jay Son"]
    assert (jay["tags"], jay["cadence_days"]) == (["a", "b"], 30)


def test_import_interactions(crm, people):
    data = (
        "happened_at,contact,channel,summary,amount\n"
        "2026-11-01,ana@example.com,call,kick-off,100\n"
        "2026-11-02 10:00,Bruno Costa,meeting,review,\n"
    )
    result = crm("import interactions -", input=data)
    assert "2 added" in result.stderr
    rows = crm.json("export interactions --format json")
    assert [(r["contacts"], r["happened_at"], r["amount"]) for r in rows] == [
        (["Ana Silva"], "2026-11-01", 100.0),
        (["Bruno Costa"], "2026-11-02T10:00:00", None),
    ]
    exported = crm("export interactions").stdout
    assert "0 added, 0 updated, 2 skipped" in crm("import interactions -", input=exported).stderr


def test_import_interactions_bad_rows(crm, people):
    data = (
        "happened_at,contact,summary\n2026-11-01,nobody@x.example,call\nyesterday,Ana Silva,call\n"
    )
    before = crm.fingerprint()
    bad = crm("import interactions -", input=data, ok=False)
    assert "line 2: unknown contact" in bad.stderr and "line 3: bad date" in bad.stderr
    assert crm.fingerprint() == before


# --------------------------------------------------------------------------- vCard


APPLE_VCF = """BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//iPhone OS 17.0//EN
N:Silva;Ana;;;
FN:Ana Silva
ORG:Acme;
TITLE:CTO
EMAIL;type=INTERNET;type=WORK;type=pref:ana@example.com
TEL;type=CELL;type=VOICE;type=pref:+351 912 345 678
BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-14
NOTE:met at WebSummit and we talked about a very long list of things that mak
 e this line fold
CATEGORIES:client,lisbon
END:VCARD
"""
GOOGLE_VCF = """BEGIN:VCARD
VERSION:3.0
FN:Bruno Costa
N:Costa;Bruno;;;
EMAIL;TYPE=INTERNET;TYPE=HOME:bruno@costa.pt
EMAIL;TYPE=INTERNET;TYPE=WORK:bruno@work.example
TEL;TYPE=CELL:+351 911 111 111
BDAY:--1127
CATEGORIES:myContacts
END:VCARD
"""
THUNDERBIRD_VCF = """BEGIN:VCARD
VERSION:4.0
FN:Carla Dias
N:Dias;Carla;;;
EMAIL;PREF=1:carla@dias.pt
TEL;VALUE=TEXT:+351 933 000 111
BDAY;VALUE=DATE:19900702
ANNIVERSARY:--0615
UID:1b7d9c3e-0a7e-4c1e-9c1f-2a1f0d4b9e11
END:VCARD
"""
QUOTED_PRINTABLE_VCF = """BEGIN:VCARD
VERSION:2.1
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Gon=C3=A7alves;Jo=C3=A3o;;;
FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Jo=C3=A3o Gon=C3=A7alves
BDAY:1900-05-01
END:VCARD
"""


def test_vcard_import_of_real_world_cards(crm, tmp_path):
    path = write(
        tmp_path, "all.vcf", APPLE_VCF + GOOGLE_VCF + THUNDERBIRD_VCF + QUOTED_PRINTABLE_VCF
    )
    result = crm(f"vcard import {path}")
    assert "4 added" in result.stderr
    found = contacts(crm)
    ana = found["Ana Silva"]
    assert (ana["birthday"], ana["company"], ana["tags"]) == (
        "--03-14",
        "Acme",
        ["client", "lisbon"],
    )
    assert ana["notes"].endswith("make this line fold")
    bruno = found["Bruno Costa"]
    assert (
        bruno["emails"] == ["bruno@costa.pt", "bruno@work.example"]
        and bruno["birthday"] == "--11-27"
    )
    carla = found["Carla Dias"]
    assert (
        carla["birthday"] == "1990-07-02" and carla["uid"] == "1b7d9c3e-0a7e-4c1e-9c1f-2a1f0d4b9e11"
    )
    assert [d["date"] for d in crm.json(f"date list {carla['id']} -f json")] == [
        "--06-15",
        "1990-07-02",
    ]
    assert found["João Gonçalves"]["birthday"] == "--05-01"


def test_vcard_round_trip_through_a_vdir(crm, people, tmp_path):
    crm("date add bruno anniversary 12-02")
    vdir = tmp_path / "vdir"
    crm(f"vcard export {vdir}")
    files = sorted(p.name for p in vdir.iterdir())
    assert files == sorted(f"{c['uid']}.vcf" for c in contacts(crm).values())
    fresh = tmp_path / "fresh.db"
    crm(f"--db {fresh} vcard import {vdir}")
    again = tmp_path / "again"
    crm(f"--db {fresh} vcard export {again}")
    for path in vdir.iterdir():
        assert (again / path.name).read_text() == path.read_text()


def test_vcard_export_to_stdout_and_reimport_from_stdin(crm, people, tmp_path):
    stream = crm("vcard export -").stdout
    assert stream.count("BEGIN:VCARD") == 3
    fresh = tmp_path / "fresh.db"
    assert "3 added" in crm(f"--db {fresh} vcard import -", input=stream).stderr


def test_vcard_bad_card_is_refused(crm, people, tmp_path):
    path = write(tmp_path, "bad.vcf", "BEGIN:VCARD\nVERSION:3.0\nNOTE:who am I?\nEND:VCARD\n")
    crm.fails(f"vcard import {path}", says="no name, organisation, email or phone")
    crm.fails(f"vcard import {tmp_path / 'nothing.vcf'}", says="cannot read")


KHARD = shutil.which("khard", path=str(Path(sys.executable).parent)) or "khard"


def test_khard_lists_the_exported_vdir(crm, people, tmp_path):
    vdir = tmp_path / "vdir"
    crm(f"vcard export {vdir}")
    config = tmp_path / "khard.conf"
    config.write_text(
        f"[addressbooks]\n[[crm]]\npath = {vdir}\n\n[general]\ndefault_action = list\n"
        "editor = /bin/true\nmerge_editor = /bin/true\n\n[vcard]\nskip_unparsable = no\n"
    )
    listed = subprocess.run(
        [KHARD, "-c", str(config), "list", "--parsable"], capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    assert {"Ana Silva", "Bruno Costa", "Anabela Rocha"} <= {
        line.split("\t")[1] for line in listed.stdout.splitlines()
    }
    birthdays = subprocess.run(
        [KHARD, "-c", str(config), "birthdays", "--parsable"], capture_output=True, text=True
    )
    assert "Ana Silva" in birthdays.stdout


# --------------------------------------------------------------------------- iCalendar


def test_calendar_feed_parses_with_stable_uids(crm, people, tmp_path):
    crm("date add bruno anniversary 02-29")
    followup = crm.id('followup add bruno friday "send slides"')
    crm("followup add silva 2028-01-01 far-away")
    from icalendar import Calendar

    feed = crm("calendar").stdout
    events = Calendar.from_ical(feed).walk("VEVENT")
    summaries = {str(e["summary"]): e for e in events}
    birthday = summaries["Ana Silva's birthday"]
    assert (
        birthday["rrule"]["FREQ"] == ["YEARLY"] and str(birthday.decoded("dtstart")) == "1985-03-14"
    )
    leap = summaries["Bruno Costa's anniversary"]
    assert leap["rrule"]["BYMONTH"] == [2] and leap["rrule"]["BYMONTHDAY"] == [-1]
    slides = summaries["Follow up with Bruno Costa: send slides"]
    assert str(slides.decoded("dtstart")) == "2026-11-27"
    assert not any("far-away" in s for s in summaries)
    again = Calendar.from_ical(crm("calendar").stdout).walk("VEVENT")
    assert sorted(str(e["uid"]) for e in again) == sorted(str(e["uid"]) for e in events)
    out = tmp_path / "crm.ics"
    crm(f"calendar --days 2000 --output {out}")
    assert "far-away" in out.read_text() and followup


def test_interactions_round_trip_through_csv_with_feedback(crm, people, tmp_path):
    crm('log "silva,bruno" "lunch" --when "2026-11-01 13:00" --amount 80')
    crm('feedback silva 9 "great" --scale 10 --when 2026-11-02')
    exported = crm("export interactions").stdout
    fresh = tmp_path / "fresh.db"
    crm(f"--db {fresh} import contacts -", input=crm("export contacts").stdout)
    result = crm(f"--db {fresh} import interactions -", input=exported)
    assert "2 added" in result.stderr and "ignored columns" not in result.stderr
    drop = ("id", "contact_ids", "created")
    before = [
        {k: v for k, v in r.items() if k not in drop}
        for r in crm.json("export interactions -f json")
    ]
    after = [
        {k: v for k, v in r.items() if k not in drop}
        for r in crm.json(f"--db {fresh} export interactions -f json")
    ]
    assert after == before


def test_vcard_reimport_adds_a_new_anniversary_to_a_known_contact(crm, people, tmp_path):
    card = (
        "BEGIN:VCARD\nVERSION:4.0\nFN:Ana Silva\nEMAIL:ana@example.com\nEMAIL:ana@new.example\n"
        "ANNIVERSARY:--0615\nEND:VCARD\n"
    )
    result = crm(f"vcard import {write(tmp_path, 'ana.vcf', card)}")
    assert "1 updated" in result.stderr
    ana = crm.json("contact show silva -f json")
    assert ana["emails"] == ["ana@example.com", "ana@new.example"]
    assert sorted(d["date"] for d in ana["special_dates"]) == ["--06-15", "1985-03-14"]


def test_calendar_and_export_destinations_that_cannot_be_written(crm, people, tmp_path):
    crm.fails("calendar --leap-day feb30", code=2, says="feb28, mar1")
    crm.fails(f"calendar --output {tmp_path}", says="is a directory")
    crm.fails(f"export contacts --output {tmp_path}", says="is a directory")
    afile = tmp_path / "a-file"
    afile.write_text("x")
    crm.fails(f"vcard export {afile}", says="is a file")
    crm.fails(f"import all {afile}", says="not valid JSON")


def test_a_dry_run_on_an_older_database_migrates_nothing_and_leaves_nothing(
    crm, tmp_path, monkeypatch
):
    """A dry run writes nothing: not the migration an older database would get (it runs on a
    migrated copy), not a `.bak`, and no throwaway database left in the temporary folder."""
    import hashlib
    import tempfile

    from crmcli import migrations
    from crmcli.store import open_store

    monkeypatch.setattr("crmcli.store.opening.LATEST", 3)
    monkeypatch.setattr("crmcli.store.opening.MIGRATIONS", migrations.MIGRATIONS[:3])
    open_store(crm.db).close()
    monkeypatch.undo()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    before = hashlib.sha256(crm.db.read_bytes()).hexdigest()
    result = crm("import contacts - --dry-run", input="name\nSomeone New\n")
    assert "would import contacts: 1 added" in result.stderr
    crm("import interactions - --dry-run", ok=False,
        input="happened_at,contact,summary\n2026-11-01,nobody@x.example,call\n")  # fmt: skip
    assert hashlib.sha256(crm.db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in crm.db.parent.iterdir() if p.name.startswith("crm.db")) == [
        "crm.db"
    ]
    crm.db.unlink()
    assert "1 added" in crm("import contacts - --dry-run", input="name\nX\n").stderr
    assert not crm.db.exists() and list(scratch.iterdir()) == []


def test_a_quote_never_closed_refuses_the_file_even_when_skipping(crm, people, tmp_path):
    """The rows after it cannot be read, so they cannot be skipped and counted either."""
    path = tmp_path / "open-quote.csv"
    path.write_text('name,email\nAnn,\n"Open,o@x.com\nBob,\nCarl,\n')
    for extra in ("", " --skip-invalid", " --skip-invalid --dry-run"):
        crm.fails(f"import contacts {path}{extra}", says="line 3: a quoted cell is never closed")


def test_a_row_taken_by_someone_elses_email_is_said(crm, people):
    result = crm(
        "import contacts -", input="name,email\nJane,ANA@example.com\nAna Silva,ana@example.com\n"
    )
    assert (
        "line 2: ANA@example.com is Ana Silva's (contact 1): the row for Jane was taken as "
        "Ana Silva"
    ) in result.stderr
    assert "line 3" not in result.stderr and "2 skipped" in result.stderr


ENTITIES = (
    "contacts",
    "interactions",
    "dates",
    "followups",
    "complaints",
    "notes",
    "stage_changes",
)
FLAGS = ("", " --excel-safe", " --archived")


@pytest.mark.parametrize("entity", ENTITIES)
def test_an_empty_export_says_the_same_in_every_format_and_flag(crm, entity):
    """CSV and TSV write their header, JSON `[]`, JSON Lines nothing — whatever the entity."""
    crm("db init")  # an empty database
    for flag in FLAGS:
        csv_text = crm(f"export {entity} -f csv{flag}").stdout
        tsv_text = crm(f"export {entity} -f tsv{flag}").stdout
        assert len(csv_text.splitlines()) == 1 and len(tsv_text.splitlines()) == 1, flag
        assert tsv_text.rstrip("\n").split("\t") == csv_text.rstrip("\r\n").split(","), flag
        assert csv_text.startswith("id,uid,")
        assert crm(f"export {entity} -f json{flag}").stdout == "[]\n"
        assert crm(f"export {entity} -f jsonl{flag}").stdout == ""


def test_excel_safe_changes_cells_not_columns(crm, people):
    crm("contact edit bruno --company '=HYPERLINK(\"x\")' --tag '-1'")
    crm('log bruno "+call" --amount 5')
    for fmt in ("csv", "tsv"):
        plain = crm(f"export contacts -f {fmt}").stdout.splitlines()
        safe = crm(f"export contacts -f {fmt} --excel-safe").stdout.splitlines()
        assert plain[0] == safe[0] and len(plain) == len(safe)
        bruno = next(line for line in safe if "Bruno" in line)
        assert "'=HYPERLINK" in bruno and "'-1" in bruno and "'+351" not in bruno
        assert "'+351 912 345 678" in next(line for line in safe if "Ana Silva" in line)
    logged = crm("export interactions -f csv --excel-safe").stdout
    assert "'+call" in logged and ",5.0," in logged


@pytest.mark.parametrize("flag", ["", " --excel-safe"])
def test_a_cell_starting_with_a_quote_survives_a_round_trip(crm, tmp_path, flag):
    crm("""contact add "Ana Silva" --note "'tis the season" --title "'=not a formula" """)
    crm("""contact add "Bruno Costa" --note "=SUM(1)" --company "''twice" """)
    for fmt in ("csv", "tsv"):
        exported = tmp_path / f"c{fmt}.{fmt}"
        exported.write_text(crm(f"export contacts -f {fmt}{flag}").stdout)
        fresh = tmp_path / f"{fmt}{bool(flag)}.db"
        crm(f"--db {fresh} import contacts {exported} --format csv")
        back = {c["name"]: c for c in crm.json(f"--db {fresh} export contacts -f json")}
        assert back["Ana Silva"]["notes"] == "'tis the season"
        assert back["Bruno Costa"]["notes"] == "=SUM(1)"
        if flag:  # written for a spreadsheet, read back exactly
            assert back["Ana Silva"]["title"] == "'=not a formula"
            assert back["Bruno Costa"]["company"] == "''twice"


def test_only_a_message_that_came_in_can_await_a_reply(crm, people, tmp_path):
    rows = tmp_path / "i.csv"
    rows.write_text("contact,date,channel,direction,summary,awaits_reply\n"
                    "ana@example.com,2026-11-06,email,out,sent it,true\n")  # fmt: skip
    crm.fails(f"import interactions {rows}", says="awaits_reply is for a message that came in")
    rows.write_text("contact,date,channel,direction,summary,awaits_reply\n"
                    "ana@example.com,2026-11-06,email,in,a question,true\n")  # fmt: skip
    crm(f"import interactions {rows}")
    assert [r["kind"] for r in crm.json("overdue -f json") if r["contact"] == "Ana Silva"] == [
        "reply"
    ]


def test_capture_into_a_database_that_is_not_there_says_so(crm, tmp_path):
    missing = tmp_path / "typo" / "crm.db"
    done = crm(["--db", str(missing), "import", "mail", str(tmp_path)], ok=False)
    assert done.exit_code == 1 and "no crm database at" in done.stderr
    assert not (tmp_path / "typo").exists()
