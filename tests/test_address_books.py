"""Real address books in and out: cards and CSV files shaped like what phones, Google, Apple,
Outlook, LinkedIn and khard write (built here from the formats' specs and the vendors'
documented quirks), nothing wrongly refused, nothing silently dropped, nothing duplicated."""

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def card(*lines: str, version: str = "3.0") -> str:
    return (
        "BEGIN:VCARD\r\nVERSION:"
        + version
        + "\r\n"
        + "".join(f"{ln}\r\n" for ln in lines)
        + "END:VCARD\r\n"
    )


# Android's vCard 2.1 export: quoted-printable names and a note with soft line breaks ("=" at
# the end of a line continues it), some text with commas.
ANDROID = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Garc=C3=ADa;=C3=81lvaro;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=81lvaro Garc=C3=ADa\r\n"
    "TEL;CELL:+34 600 000 001\r\n"
    "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Met in Sevilla, at the=\r\n"
    " conference; likes=\r\n"
    " flamenco\r\n"
    "END:VCARD\r\n"
)
CARDS = {
    "android.vcf": ANDROID
    + card("FN:Second Android", "TEL;HOME:+34 600 000 002").replace("3.0", "2.1"),
    "org-list.vcf": card(
        "FN:Dana Org", "ORG:Acme\\, Inc.;Research, Labs", "EMAIL:dana@acme.example"
    ),
    "khard4.vcf": card(
        "UID:khard-4-card",
        "FN:Kim Four",
        "N:Four;Kim;;;",
        "TEL;VALUE=uri;TYPE=cell:tel:+1-555-555-0100;ext=123",
        "BDAY:--0314",
        "ANNIVERSARY:20100612",
        version="4.0",
    ),
    "text-bday.vcf": card("FN:Old Timer", "BDAY;VALUE=text:circa 1800", "EMAIL:old@timer.example"),
    "reduced.vcf": card("FN:Reduced Dates", "BDAY:---14", "ANNIVERSARY:1985-03", "TEL:555 0101"),
    "phones.vcf": card(
        "FN:Phone Book",
        "TEL;TYPE=work:+1 (555) 0100 ext. 5",
        "TEL:+1 555 0100,,1234#",
        "TEL:*31#555 0199",
        "TEL:1 800 ELEPHANT",
    ),
    "org-only.vcf": card("FN:", "ORG:Harbour Cafe", "TEL:+351 210 000 000"),
    "apple.vcf": card(
        "UID:apple-card-1",
        "N:Doe;Jane;;Dr.;",
        "FN:Jane Doe",
        "NICKNAME:JD",
        "item1.ADR;type=HOME;type=pref:;;1 Main St;Springfield;IL;62701;USA",
        "item1.X-ABADR:us",
        "ADR;TYPE=WORK:;;2 Office Rd;Lisbon;;1000;Portugal",
        "item2.URL:https://jane.example",
        "item2.X-ABLabel:_$!<HomePage>!$_",
        "item3.X-ABDATE;type=pref:2010-06-12",
        "item3.X-ABLabel:_$!<Anniversary>!$_",
        "item4.X-ABDATE:2015-01-01",
        "item4.X-ABLabel:Met",
        "IMPP;X-SERVICE-TYPE=Skype:skype:jane.doe",
        "X-SOCIALPROFILE;type=twitter:https://x.example/jd",
        "BDAY;X-APPLE-OMIT-YEAR=1604:1604-07-02",
    ),
    "outlook.vcf": card(
        "FN:Olly Outlook", "X-MS-ANNIVERSARY:20120901", "EMAIL:olly@outlook.example"
    ),
    "google.vcf": card(
        "FN:Gabi Google",
        "EMAIL;TYPE=INTERNET:gabi@google.example",
        "CATEGORIES:myContacts,Friends",
        "X-ANNIVERSARY:2011-04-04",
    ),
    "broken-line.vcf": card(
        "FN:Line Breaker", "EMAIL:line@breaker.example", "THIS LINE HAS NO COLON"
    ),
    "group.vcf": card(
        "FN:Book Club", "X-ADDRESSBOOKSERVER-KIND:group", "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:a"
    ),
    "group4.vcf": card("FN:Team", "KIND:group", "MEMBER:urn:uuid:b", version="4.0"),
}
PEOPLE = 12  # every card above but the two groups; android.vcf holds two


def write_cards(folder: Path, cards: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in cards.items():
        (folder / name).write_text(text, encoding="utf-8", newline="")
    return folder


def by_name(crm) -> dict:
    return {c["name"]: c for c in crm.json("export contacts --format json")}


def test_third_party_cards_nothing_wrongly_refused_nothing_silently_dropped(crm, tmp_path):
    folder = write_cards(tmp_path / "cards", CARDS)
    result = crm(f"vcard import {folder}")
    assert f"{PEOPLE} added" in result.stderr and "2 skipped" in result.stderr
    found = by_name(crm)
    assert len(found) == PEOPLE
    alvaro = found["Álvaro García"]
    assert alvaro["notes"] == "Met in Sevilla, at the conference; likes flamenco"
    assert (alvaro["given_name"], alvaro["family_name"]) == ("Álvaro", "García")
    assert (found["Dana Org"]["company"], found["Dana Org"]["department"]) == (
        "Acme, Inc.",
        "Research, Labs",
    )
    kim = found["Kim Four"]
    assert kim["phones"] == ["+1-555-555-0100 ext. 123"] and kim["birthday"] == "--03-14"
    old = found["Old Timer"]
    assert old["birthday"] is None and "BDAY;VALUE=text:circa 1800" in old["extra"]
    assert len(found["Reduced Dates"]["extra"]) == 2
    assert found["Phone Book"]["phones"] == [
        "+1 (555) 0100 ext. 5", "+1 555 0100,,1234#", "*31#555 0199", "1 800 ELEPHANT",
    ]  # fmt: skip
    assert found["Harbour Cafe"]["company"] == "Harbour Cafe"
    jane = found["Jane Doe"]
    assert (jane["prefix"], jane["nickname"], jane["urls"]) == (
        "Dr.",
        "JD",
        ["https://jane.example"],
    )
    assert [a["city"] for a in jane["addresses"]] == ["Springfield", "Lisbon"]
    assert jane["addresses"][1]["type"] == "work"
    assert any(line.startswith("IMPP") for line in jane["extra"])
    assert any(line.startswith("X-SOCIALPROFILE") for line in jane["extra"])
    dates = {(d["contact"], d["label"]): d["date"] for d in crm.json("export dates --format json")}
    assert (
        dates[("Jane Doe", "anniversary")] == "2010-06-12"
        and dates[("Jane Doe", "met")] == "2015-01-01"
    )
    assert dates[("Jane Doe", "birthday")] == "--07-02"
    assert dates[("Olly Outlook", "anniversary")] == "2012-09-01"
    assert dates[("Kim Four", "anniversary")] == "2010-06-12"
    assert found["Gabi Google"]["tags"] == ["Friends"]
    # every property crm keeps aside is named in a warning, card by card
    assert "card 1 (reduced.vcf): BDAY kept as written" in result.stderr
    assert "apple.vcf): IMPP kept as written" in result.stderr
    assert "broken-line.vcf" in result.stderr and "THIS LINE HAS NO COLON" in result.stderr
    # a second import of the same folder changes nothing
    before = crm.fingerprint()
    again = crm(f"vcard import {folder}")
    assert "0 added" in again.stderr
    assert crm.fingerprint() == before, again.stderr


def test_kept_lines_go_back_out_on_export(crm, tmp_path):
    write_cards(tmp_path / "in", {"apple.vcf": CARDS["apple.vcf"]})
    crm(f"vcard import {tmp_path / 'in'}")
    crm(f"vcard export {tmp_path / 'out'}")
    text = (tmp_path / "out" / "apple-card-1.vcf").read_text()
    assert "IMPP;X-SERVICE-TYPE=Skype:skype:jane.doe" in text
    assert "item1.ADR;TYPE=HOME,pref:;;1 Main St;Springfield;IL;62701;USA" in text  # its labels
    assert "NICKNAME:JD" in text and "URL:https://jane.example" in text
    assert "X-ABLABEL:met" in text.upper().replace("X-ABLABEL:MET", "X-ABLABEL:met")


def test_one_broken_card_costs_that_card_only(crm, tmp_path):
    stream = (
        ANDROID
        + card("NOTE:a card of nobody", "CATEGORIES:lost")
        + card("FN:After The Bad One", "TEL:555 0102")
    )
    path = tmp_path / "phone.vcf"
    path.write_text(stream, newline="")
    crm("db init")
    crm.fails(f"vcard import {path}", says="card 2: no name, organisation, email or phone")
    result = crm(f"vcard import {path} --skip-invalid")
    assert "2 added" in result.stderr and "card 2: no name" in result.stderr
    assert set(by_name(crm)) == {"Álvaro García", "After The Bad One"}


def test_cards_with_different_uids_sharing_an_email_stay_apart(crm, tmp_path):
    cards = {
        f"c{i}.vcf": card(f"UID:shared-{i}", f"FN:Person {i}", "EMAIL:team@shared.example")
        for i in range(35)
    }
    result = crm(f"vcard import {write_cards(tmp_path / 'team', cards)}")
    assert "35 added" in result.stderr and "34 share an email" in result.stderr
    assert len(by_name(crm)) == 35
    merged = tmp_path / "merged.db"
    out = crm(f"--db {merged} vcard import {tmp_path / 'team'} --merge-by-email")
    assert "1 added, 34 updated" in out.stderr


def test_contacts_without_email_or_uid_are_not_duplicated(crm, tmp_path):
    cards = {"a.vcf": card("FN:Phone Only", "TEL:+1 555 0150"), "b.vcf": card("FN:Name Only")}
    folder = write_cards(tmp_path / "noid", cards)
    crm(f"vcard import {folder} --on-duplicate skip")
    linkedin = tmp_path / "linkedin.csv"
    linkedin.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
                        "Fatima,Zahra,https://l.example/f,,Zahra Co,Partner,26 Jul 2025\n")  # fmt: skip
    crm(f"import contacts {linkedin}")
    before = crm.fingerprint()
    crm(f"vcard import {folder} --on-duplicate skip")
    crm(f"import contacts {linkedin}")
    assert crm.fingerprint() == before and len(by_name(crm)) == 3


# --------------------------------------------------------------------------- CSV dialects

OUTLOOK_CP1252 = (
    "Title,First Name,Middle Name,Last Name,Suffix,E-mail Address,Business Phone,Company,"
    "Job Title,Birthday,Anniversary,Notes\r\n"
    "Herr,Jürgen,,Müller,,juergen@mueller.example,+49 30 123456,Müller & Söhne,Geschäftsführer,"
    "14.03.1965,29.02.1992,Café owner – €5 coffee\r\n"
)
GOOGLE_EVENTS = (
    "First Name,Last Name,E-mail 1 - Value,Event 1 - Type,Event 1 - Value,Event 2 - Type,"
    "Event 2 - Value,Organization Name\n"
    "Eve,Events,eve@events.example,Anniversary,2010-06-12,Name Day,--12-24,\n"
    ",,,,,,,Lonely Company Ltd\n"
)


def test_outlook_in_cp1252_with_a_title_and_european_dates(crm, tmp_path):
    path = tmp_path / "outlook.csv"
    path.write_bytes(OUTLOOK_CP1252.encode("cp1252"))
    crm(f"import contacts {path}")
    jurgen = by_name(crm)["Jürgen Müller"]
    assert (jurgen["prefix"], jurgen["title"]) == ("Herr", "Geschäftsführer")
    assert jurgen["birthday"] == "1965-03-14" and jurgen["notes"] == "Café owner – €5 coffee"
    dates = {d["label"]: d["date"] for d in crm.json("export dates --format json")}
    assert dates["anniversary"] == "1992-02-29"


def test_google_events_and_a_company_only_row(crm, tmp_path):
    path = tmp_path / "google.csv"
    path.write_text(GOOGLE_EVENTS)
    crm(f"import contacts {path}")
    assert set(by_name(crm)) == {"Eve Events", "Lonely Company Ltd"}
    dates = {d["label"]: d["date"] for d in crm.json("export dates --format json")}
    assert dates == {"anniversary": "2010-06-12", "name day": "--12-24"}


def test_semicolons_and_ambiguous_dates(crm, tmp_path):
    path = tmp_path / "european.csv"
    path.write_text("name;email;birthday\nAna;ana@e.example;05/03/1990\n")
    crm("db init")
    crm.fails(f"import contacts {path}", says="line 2: ambiguous date '05/03/1990'")
    crm(f"import contacts {path} --date-order dmy")
    assert by_name(crm)["Ana"]["birthday"] == "1990-03-05"


@pytest.mark.parametrize(
    "args", ["--format csv", "--format tsv", "--format json", "--format jsonl", "--excel-safe"]
)
def test_every_export_format_imports_back_unchanged(crm, people, tmp_path, args):
    crm('contact edit silva --note "=cmd|calc" --add-tag "tab	and"', ok=False)
    crm('contact edit silva --note "=SUM(1);\tand\nmore"')
    crm("date add bruno anniversary 2010-06-12")
    crm('followup add bruno friday "call back"')
    suffix = args.split()[-1] if "format" in args else "csv"
    for entity in ("contacts", "dates", "followups"):
        exported = tmp_path / f"{entity}.{suffix}"
        exported.write_text(crm(f"export {entity} {args}").stdout)
    fresh = tmp_path / "fresh.db"
    crm(f"--db {fresh} import contacts {tmp_path / ('contacts.' + suffix)}")
    crm(f"--db {fresh} import dates {tmp_path / ('dates.' + suffix)}")
    crm(f"--db {fresh} import followups {tmp_path / ('followups.' + suffix)}")
    for entity in ("contacts", "dates", "followups"):
        original = crm.json(f"export {entity} --format json")
        copied = json.loads(crm(f"--db {fresh} export {entity} --format json").stdout)
        drop = {"id", "contact_id", "created", "updated", "aliases", "interaction_uid"}
        drop |= {"uid"} if entity == "dates" else set()  # a birthday comes with its contact
        assert [{k: v for k, v in r.items() if k not in drop} for r in copied] == [
            {k: v for k, v in r.items() if k not in drop} for r in original
        ], entity
    again = crm(f"--db {fresh} import contacts {tmp_path / ('contacts.' + suffix)}")
    assert "0 added, 0 updated, 3 skipped" in again.stderr


# --------------------------------------------------------------------------- yearless birthdays

KHARD = shutil.which("khard", path=str(Path(sys.executable).parent)) or "khard"


def test_khard_reads_a_yearless_birthday_as_yearless(crm, tmp_path):
    crm('contact add "Yara Yearless" --birthday 03-14')
    crm('contact add "Bea Born" --birthday 1985-03-15')
    vdir = tmp_path / "vdir"
    crm(f"vcard export {vdir}")
    config = tmp_path / "khard.conf"
    config.write_text(
        f"[addressbooks]\n[[crm]]\npath = {vdir}\n[general]\ndebug = no\ndefault_action = list\n"
        "editor = true\nmerge_editor = true\n[contact table]\nlocalize_dates = no\n"
    )
    out = subprocess.run([KHARD, "-c", str(config), "birthdays"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "--03-14" in out.stdout and "1985-03-15" in out.stdout
    assert "1604" not in out.stdout and "1900" not in out.stdout


# --------------------------------------------------------------------------- SQLite views


def test_views_match_the_reports(crm, people):
    """Datasette and sqlite3 users see the same numbers (the views use the real today)."""
    crm('log bruno "lunch" --amount 120 --when "40 days ago"', env={"CRM_TODAY": ""})
    crm("contact edit bruno --every 14d")
    crm(
        'log bruno "a question" --channel email --direction in --when "3 days ago"',
        env={"CRM_TODAY": ""},
    )
    crm('complaint add silva "late"', env={"CRM_TODAY": ""})
    crm("contact add Archie --every 1d")
    crm("contact add 'Tina Tagged' --tag retainer")  # her tag's cadence, in the view too
    crm("config set cadence.retainer 1d")
    crm('log tina "call" --when "5 days ago"', env={"CRM_TODAY": ""})
    crm("contact archive archie")
    today = {"CRM_TODAY": ""}
    conn = sqlite3.connect(crm.db)
    conn.row_factory = sqlite3.Row

    def view(name):
        return [dict(r) for r in conn.execute(f"SELECT * FROM {name}")]

    upcoming = json.loads(crm("upcoming --days 366 -f json", env=today).stdout)
    assert [(r["contact"], r["date"], r["in_days"]) for r in view("upcoming_dates")] == [
        (r["contact"], r["date"], r["in_days"]) for r in upcoming
    ]
    cadence = [
        r for r in json.loads(crm("overdue -f json", env=today).stdout) if r["kind"] == "cadence"
    ]
    assert [(r["contact"], r["days_overdue"]) for r in view("cadence_overdue")] == [
        (r["contact"], r["days_overdue"]) for r in cadence
    ]
    assert "Tina Tagged" in {r["contact"] for r in cadence}
    value = json.loads(crm("report value -f json", env=today).stdout)["contacts"]
    assert {(r["contact"], r["lifetime_value"]) for r in view("contact_value")} == {
        (r["contact"], r["lifetime_value"]) for r in value
    }
    assert [r["contact"] for r in view("open_complaints")] == ["Ana Silva"]
    assert "Archie" not in {r["contact"] for r in view("last_interactions")}
    # the other reports: retention's stages, satisfaction and activity by month, contact load
    crm("feedback silva 9 --scale 10", env=today)
    crm("feedback bruno 4 --scale 5", env=today)
    for _ in range(3):
        crm('log silva "nudge"', env=today)
    retention = json.loads(crm("report retention -f json", env=today).stdout)
    assert {(r["stage"], r["contacts"]) for r in view("stage_counts")} == {
        (r["stage"], r["contacts"]) for r in retention["stages"] if r["contacts"]
    }
    satisfaction = json.loads(crm("report satisfaction -f json", env=today).stdout)
    assert view("satisfaction_by_month") == satisfaction["trend"]
    activity = json.loads(crm("report activity --months 3 -f json", env=today).stdout)
    by_month = {r["month"]: r for r in view("activity_by_month")}
    for month in activity["months"]:
        assert by_month.get(month["month"], {**month, "interactions": 0}) == month
    load = json.loads(crm("report contact-load --limit 0 -f json", env=today).stdout)
    assert [(r["contact"], r["outbound"]) for r in view("contact_load")] == [
        (r["contact"], r["outbound"]) for r in load
    ]
    conn.close()


def test_two_people_of_one_name_stay_two_and_a_second_import_changes_nothing(crm, tmp_path):
    linkedin = tmp_path / "Connections.csv"
    linkedin.write_text(
        'Notes:\n"When exporting your connection data, you may notice..."\n\n'
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "John,Smith,https://www.linkedin.com/in/john-smith-1,,Acme,CTO,26 Jul 2025\n"
        "John,Smith,https://www.linkedin.com/in/john-smith-2,,Globex,Chef,01 Aug 2025\n"
    )
    assert "2 added" in crm(f"import contacts {linkedin}").stderr
    before = crm.fingerprint()
    assert "0 added" in crm(f"import contacts {linkedin}").stderr
    assert crm.fingerprint() == before
    companies = sorted(c["company"] for c in crm.json("contact list -f json"))
    assert companies == ["Acme", "Globex"]


def test_repeated_columns_are_not_silently_dropped(crm, tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text(
        "Name,Name,Notes,Notes,Email\nAna Silva,Ana S.,met in Lisbon,likes tea,a@x.example\n"
    )
    result = crm(f"import contacts {path}")
    assert "column 'Name' gives another name ('Ana S.'): 'Ana Silva' kept" in result.stderr
    assert crm.json("contact show ana -f json")["notes"] == "met in Lisbon\nlikes tea"


def test_google_event_labels_and_a_21_home_address(crm, tmp_path):
    google = tmp_path / "google.csv"
    google.write_text(
        "First Name,Last Name,Event 1 - Label,Event 1 - Value\nEve,Label,Anniversary,2010-06-12\n"
    )
    crm(f"import contacts {google}")
    assert [(d["label"], d["date"]) for d in crm.json("export dates -f json")] == [
        ("anniversary", "2010-06-12")
    ]
    card = tmp_path / "old.vcf"
    card.write_text(card_text := "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Home;Hal\r\nFN:Hal Home\r\n"
                    "ADR;HOME:;;1 Main St;Porto;;4000;Portugal\r\nEND:VCARD\r\n")  # fmt: skip
    assert card_text
    crm(f"vcard import {card}")
    assert crm.json("contact show hal -f json")["addresses"][0]["type"] == "home"


def test_a_header_crm_does_not_know_points_to_map(crm, people, tmp_path):
    german = tmp_path / "kontakte.csv"
    german.write_text("Vorname;Nachname;E-Mail-Adresse\nJürgen;Weiß;j@w.example\n")
    result = crm.fails(f"import contacts {german}", says="--map")
    assert "'Vorname'" in result.stderr
    crm(f"import contacts {german} --map Vorname=given_name --map Nachname=family_name "
        "--map E-Mail-Adresse=emails")  # fmt: skip
    assert crm.json("contact show weiß -f json")["emails"] == ["j@w.example"]


GOOGLE_ADDRESSES = (
    "Name,Given Name,Family Name,Name Prefix,E-mail 1 - Value,Organization 1 - Name,"
    "Organization 1 - Department,Address 1 - Type,Address 1 - Formatted,Address 1 - Street,"
    "Address 1 - City,Address 1 - Postal Code,Address 1 - Country,Address 2 - Type,"
    "Address 2 - Formatted\n"
    'Ana Silva,Ana,Silva,Dr.,ana@x.example,Acme,R&D,Home,"Rua A 1\n1000 Lisboa",Rua A 1,Lisboa,'
    '1000-001,Portugal,Work,"Av. B 2, Porto"\n'
)
OUTLOOK_ADDRESSES = (
    "First Name,Last Name,Job Title,E-mail Address,Business Street,Business Street 2,"
    "Business City,Business State,Business Postal Code,Business Country/Region,Home City\r\n"
    "Bruno,Costa,CTO,b@x.example,1 Main St,Suite 5,Springfield,IL,62701,United States,Porto\r\n"
)


def test_postal_addresses_in_columns_become_typed_addresses(crm, tmp_path):
    google, outlook = tmp_path / "google.csv", tmp_path / "outlook.csv"
    google.write_text(GOOGLE_ADDRESSES)
    outlook.write_bytes(OUTLOOK_ADDRESSES.encode("cp1252"))
    crm(f"import contacts {google}")
    crm(f"import contacts {outlook}")
    people = by_name(crm)
    ana, bruno = people["Ana Silva"], people["Bruno Costa"]
    assert ana["addresses"] == [
        {"type": "home", "street": "Rua A 1", "city": "Lisboa", "code": "1000-001",
         "country": "Portugal"},
        {"type": "work", "street": "Av. B 2, Porto"},
    ]  # fmt: skip
    assert (ana["prefix"], ana["department"]) == ("Dr.", "R&D")
    assert bruno["addresses"] == [
        {"type": "work", "street": "1 Main St", "extended": "Suite 5", "city": "Springfield",
         "region": "IL", "code": "62701", "country": "United States"},
        {"type": "home", "city": "Porto"},
    ]  # fmt: skip
    before = crm.fingerprint()
    crm(f"import contacts {google}")
    crm(f"import contacts {outlook}")
    assert crm.fingerprint() == before


def test_update_imports_never_unarchive_and_own_vcards_change_nothing(crm, tmp_path):
    """An archived contact stays archived through an update import that does not say so; crm's
    own vCards (an N made from the name, notes with Windows line ends) read back unchanged."""
    outlook = tmp_path / "outlook.csv"
    outlook.write_bytes(OUTLOOK_ADDRESSES.encode("cp1252"))
    crm(f"import contacts {outlook}")
    crm(["contact", "add", "Acme Widgets", "--email", "a@w.example"])
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(b'name,notes\r\nCr Lf,"line one\r\nline two"\r\n')
    crm(f"import contacts {crlf}")
    assert by_name(crm)["Cr Lf"]["notes"] == "line one\nline two"
    crm("contact archive bruno")
    crm(f"vcard export {tmp_path / 'vd'} --archived")
    before = crm.fingerprint()
    crm(f"import contacts {outlook} --on-duplicate update")
    crm(f"vcard import {tmp_path / 'vd'} --on-duplicate update")
    assert crm.fingerprint() == before
    archived = crm.json("export contacts --format json --archived")
    assert [c["archived"] for c in archived if c["name"] == "Bruno Costa"] == [True]


def test_a_profile_url_or_phone_in_common_is_the_same_person(crm, tmp_path):
    linkedin = tmp_path / "Connections.csv"
    rows = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    linkedin.write_text(rows + "Carla,Mendes,https://l.example/carla,,Acme,CTO,26 Jul 2025\n"
                        "Eve,Stone,https://l.example/eve,,,Founder,1 Aug 2025\n")  # fmt: skip
    crm(f"import contacts {linkedin}")
    linkedin.write_text(rows + "Carla,Mendes,https://l.example/carla,,Globex,CTO,26 Jul 2025\n"
                        "Eve,Stone,https://l.example/eve,,Initech,Founder,1 Aug 2025\n")  # fmt: skip
    crm(f"import contacts {linkedin} --on-duplicate update")
    people = by_name(crm)
    assert sorted(people) == ["Carla Mendes", "Eve Stone"]
    assert people["Carla Mendes"]["company"] == "Globex"


def test_a_31_extension_and_a_cyrillic_code_page(crm, tmp_path):
    folder = write_cards(
        tmp_path / "ext", {"a.vcf": card("FN:Ext Person", "TEL:+1-555-0100;ext=55")}
    )
    crm(f"vcard import {folder}")
    assert by_name(crm)["Ext Person"]["phones"] == ["+1-555-0100 ext. 55"]
    cyrillic = tmp_path / "ru.csv"
    cyrillic.write_bytes("name,email\nИван Петров,ivan@x.example\nМария Сидорова,m@x.example\n"
                         .encode("cp1251"))  # fmt: skip
    crm(f"import contacts {cyrillic}")
    crm("import contacts -", input="name,phones\nCsv Ext,+1 555 0103;ext=7\n")
    assert by_name(crm)["Csv Ext"]["phones"] == ["+1 555 0103 ext. 7"]
    assert {"Иван Петров", "Мария Сидорова"} <= set(by_name(crm))


def test_a_short_cyrillic_file_is_read_as_cyrillic_and_the_guess_is_said(crm, tmp_path):
    path = tmp_path / "short.csv"
    path.write_bytes("name,email\nОлег,oleg@x.example\n".encode("cp1251"))
    result = crm(f"import contacts {path}")
    assert "reading the file as cp1251" in result.stderr and "--encoding" in result.stderr
    assert "Олег" in by_name(crm)


# --------------------------------------------------------------------------- labels kept

# An Apple (iOS 17) card: labelled emails and dates in item groups, typed phones, a middle name
# and a prefix and suffix in N, an address with its country code beside it.
APPLE_LABELLED = card(
    "PRODID:-//Apple Inc.//iPhone OS 17.0//EN",
    "N:Silva;Ana;Maria;Dr.;PhD",
    "FN:Dr. Ana Maria Silva PhD",
    "ORG:Acme;Engineering",
    "TITLE:CTO",
    "item1.EMAIL;type=INTERNET;type=WORK;type=pref:ana@acme.example",
    "item1.X-ABLabel:_$!<Work>!$_",
    "EMAIL;type=INTERNET;type=HOME:ana@home.example",
    "TEL;type=CELL;type=VOICE;type=pref:+351 912 345 678",
    "TEL;type=WORK;type=VOICE:+351 213 000 000",
    "item2.X-ABDATE;type=pref:2015-06-20",
    "item2.X-ABLabel:_$!<Anniversary>!$_",
    "BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-14",
    "item3.ADR;type=HOME;type=pref:;;Rua Augusta 1;Lisboa;;1100-048;Portugal",
    "item3.X-ABADR:pt",
    "NOTE:met at WebSummit",
    "UID:apple-ana-1",
)
# An Android phone's 2.1 export (OPPO's): vendor lines with underscores on every card, names in
# quoted-printable, bare 2.1 types; and a card whose every line, BEGIN too, carries a group.
ANDROID_VENDOR = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Costa;Jo=C3=A3o;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Jo=C3=A3o Costa\r\n"
    "TEL;CELL;PREF:+351933000111\r\nTEL;HOME:+351210000111\r\n"
    "OPPO_RECENT_CALL:NULL\r\nX_OPPO_FAV:1\r\nEND:VCARD\r\n"
    "home.begin:vcard\r\nhome.version:3.0\r\nhome.fn:Grouped Begin\r\n"
    "home.email:g@example.com\r\nhome.end:vcard\r\n"
)


def properties(text: str, *leave_out: str) -> set[tuple]:
    """A card's properties as vobject reads them: (group, name, parameters, value), so two
    spellings of one parameter (`type=A;type=B`, `TYPE=A,B`) are one."""
    import vobject

    found = set()
    for line in vobject.readOne(text).getChildren():
        if line.name in leave_out:
            continue
        params = tuple(sorted((k, tuple(v.lower() for v in vs)) for k, vs in line.params.items()))
        found.add(((line.group or "").lower(), line.name, params, str(line.value)))
    return found


def test_a_phones_vendor_lines_and_grouped_cards_are_read_not_refused(crm, tmp_path):
    source = tmp_path / "oppo.vcf"
    source.write_text(ANDROID_VENDOR * 1, newline="")
    done = crm(f"vcard import {source}")
    assert "imported vCards: 2 added" in done.stderr
    costa = crm.json("contact show costa -f json")
    assert costa["name"] == "João Costa" and costa["extra"] == [
        "OPPO_RECENT_CALL:NULL",
        "X_OPPO_FAV:1",
    ]
    assert crm.json("contact show grouped -f json")["emails"] == ["g@example.com"]
    crm(f"vcard export {tmp_path / 'out'}")
    (written,) = [
        p.read_bytes().decode() for p in (tmp_path / "out").iterdir() if "Costa" in p.read_text()
    ]
    assert "OPPO_RECENT_CALL:NULL\r\n" in written  # back out as it came
    assert ("", "TEL", (("TYPE", ("cell", "pref")),), "+351933000111") in properties(written)
    many = tmp_path / "many.vcf"  # one vendor line on each of 354 cards: said once
    many.write_text("".join(ANDROID_VENDOR.split("home.begin")[0].replace("Costa", f"Costa{i}")
                            for i in range(354)), newline="")  # fmt: skip
    said = crm(f"vcard import {many} --dry-run").stderr
    assert said.count("OPPO-RECENT-CALL kept as written") == 1 and "354 times" in said


def test_a_card_edited_in_crm_differs_only_in_that_field(crm, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ana.vcf").write_text(APPLE_LABELLED, newline="")
    crm(f"vcard import {tmp_path / 'in'}")
    crm("contact edit silva --title CEO")
    crm(f"vcard export {tmp_path / 'out'}")
    written = (tmp_path / "out" / "apple-ana-1.vcf").read_text()
    before, after = (
        properties(APPLE_LABELLED, "REV", "PRODID"),
        properties(written, "REV", "PRODID"),
    )
    assert before - after == {("", "TITLE", (), "CTO")}
    assert after - before == {("", "TITLE", (), "CEO")}
    crm("contact edit silva --add-phone '+351 913 000 000' --remove-phone '+351 912 345 678'")
    crm(f"vcard export {tmp_path / 'out'}")
    changed = properties((tmp_path / "out" / "apple-ana-1.vcf").read_text())
    cell = (("TYPE", ("cell", "voice", "pref")),)
    assert ("", "TEL", cell, "+351 913 000 000") in changed  # a changed number keeps its label
    crm("contact edit silva --add-email ana@new.example")  # added in crm: written plainly
    crm(f"vcard export {tmp_path / 'out'}")
    added = properties((tmp_path / "out" / "apple-ana-1.vcf").read_text())
    assert ("", "EMAIL", (("TYPE", ("internet",)),), "ana@new.example") in added


def test_labels_survive_backup_trash_merge_and_khard(crm, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ana.vcf").write_text(APPLE_LABELLED, newline="")
    crm(f"vcard import {tmp_path / 'in'}")
    labelled = properties(APPLE_LABELLED, "REV", "PRODID")
    backup = tmp_path / "all.json"
    backup.write_text(crm("export all -f json").stdout)
    crm(f"--db {tmp_path / 'restored.db'} import all {backup}")
    crm(f"--db {tmp_path / 'restored.db'} vcard export {tmp_path / 'restored'}")
    assert (
        properties((tmp_path / "restored" / "apple-ana-1.vcf").read_text(), "REV", "PRODID")
        == labelled
    )
    crm("contact delete silva --yes")
    crm("trash restore 1")
    crm("contact add 'Ana S' --email ana@other.example")
    crm("contact merge silva 'Ana S' --yes")
    crm(f"vcard export {tmp_path / 'out'}")
    merged = properties((tmp_path / "out" / "apple-ana-1.vcf").read_text(), "REV", "PRODID")
    assert labelled <= merged  # every label of the card kept, the other's email added
    config = tmp_path / "khard.conf"
    config.write_text(
        f"[addressbooks]\n[[crm]]\npath = {tmp_path / 'out'}\n[general]\ndebug = no\n"
        "default_action = list\neditor = true\nmerge_editor = true\n"
    )
    phones = subprocess.run([KHARD, "-c", str(config), "phone", "--parsable"],
                            capture_output=True, text=True)  # fmt: skip
    assert phones.returncode == 0, phones.stderr
    assert "+351 912 345 678\tAna Maria Silva\tCELL, VOICE, pref" in phones.stdout
    emails = subprocess.run([KHARD, "-c", str(config), "email", "--parsable"],
                            capture_output=True, text=True)  # fmt: skip
    assert "ana@acme.example\tAna Maria Silva\t_$!<Work>!$_, INTERNET, WORK, pref" in emails.stdout


def test_every_label_survives_4_0_date_edits_merges_and_kept_lines(crm, tmp_path):
    """From a user's review: 4.0 output dropped a 3.0 card's labels; a date edited in crm lost
    Apple's form; a kept line lost its X-ABLabel; two merged cards' item1 collided; Google's
    own groups, an escaped URL and Outlook's LABEL were dropped."""
    extra = card("UID:apple-ana-1", "FN:Dr. Ana Maria Silva PhD", "N:Silva;Ana;Maria;Dr.;PhD",
                 "item1.EMAIL;type=INTERNET;type=WORK:ana@acme.example", "item1.X-ABLabel:_$!<Work>!$_",
                 "item2.X-ABDATE:2015-06-20", "item2.X-ABLabel:_$!<Anniversary>!$_",
                 "item6.X-ABRELATEDNAMES:Bob", "item6.X-ABLabel:_$!<Spouse>!$_",
                 "item7.URL:http\\://gina.example", "CATEGORIES:myContacts,Clients,starred",
                 "LABEL;TYPE=WORK:1 Main St\\nLisbon")  # fmt: skip
    other = card("UID:other-1", "FN:Ana S", "item1.EMAIL;type=HOME:ana@home.example",
                 "item1.X-ABLabel:_$!<Home>!$_")  # fmt: skip
    crm(["vcard", "import", "-"], input=extra + other)
    (anniversary,) = [d for d in crm.json("date list -f json") if d["label"] == "anniversary"]
    crm(f"date edit {anniversary['id']} --date 2016-06-20")
    crm("contact merge silva 'Ana S' --yes")
    four = tmp_path / "four"
    crm(f"vcard export {four} --vcard-version 4.0")
    written = (four / "apple-ana-1.vcf").read_text()
    found = properties(written)
    assert ("item1", "EMAIL", (("TYPE", ("internet", "work")),), "ana@acme.example") in found
    home = [p for p in found if p[1] == "EMAIL" and p[3] == "ana@home.example"]
    assert home and home[0][0] not in ("", "item1")  # the merged card's item1 moved
    assert any(p[1] == "X-ABDATE" and p[3] == "20160620" for p in found)  # still Apple's form
    assert ("item6", "X-ABRELATEDNAMES", (), "Bob") in found
    assert ("item6", "X-ABLABEL", (), "_$!<Spouse>!$_") in found
    assert any(p[1] == "URL" and p[3] == "http://gina.example" for p in found)
    assert ("", "CATEGORIES", (), "['myContacts', 'starred', 'Clients']") in found
    assert any(p[1] == "LABEL" for p in found)
