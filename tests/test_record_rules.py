"""Rules about a record among records (crmcli/rules.py), door by door: one date per label, things
that happened are not in the future, an interaction is imported once, money is counted once,
and phones are one number however written. Each door gets the same answer; a refusal leaves
the database byte-identical."""

import json

import pytest

# ----------------------------------------------------------------- one date per label


def dates_of(crm, label=None):
    rows = crm.json("export dates --format json")
    return [d for d in rows if label is None or d["label"].casefold() == label.casefold()]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def card(*lines):
    body = "".join(f"{line}\r\n" for line in lines)
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\n{body}END:VCARD\r\n"


@pytest.fixture
def married(crm, people):
    """Ana with a birthday (from `people`) and an anniversary."""
    crm("date add silva anniversary 2010-06-12")
    return dates_of(crm, "anniversary")[0]


# (door, how to offer Ana a second anniversary, what is refused or said)
SECOND_ANNIVERSARY = [
    ("option", lambda t: "date add silva Anniversary 2011-07-01", "already has an anniversary"),
    ("dates csv", lambda t: "import dates " + str(write(t, "d.csv", "contact,label,date\nana@example.com,ANNIVERSARY,2011-07-01\n")), "line 2: Ana Silva already has an anniversary"),
    ("dates jsonl", lambda t: "import dates " + str(write(t, "d.jsonl", json.dumps({"contact": "ana@example.com", "label": "anniversary", "date": "2011-07-01"}) + "\n")), "line 1: Ana Silva already has an anniversary"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("door", "command", "says"), SECOND_ANNIVERSARY, ids=[d for d, _, _ in SECOND_ANNIVERSARY]
)
def test_a_second_date_of_a_label_is_refused(crm, married, tmp_path, door, command, says):
    crm.fails(command(tmp_path), says=says)


def test_editing_a_date_onto_a_held_label_is_refused(crm, married):
    other = crm.id("date add silva wedding 2012-01-01")
    crm.fails(f"date edit {other} --label 'anniversary'", says="already has an anniversary")


def test_labels_fold_as_one_function_folds_them(crm, people):
    """SQLite's lower() leaves non-ASCII letters alone; the rule does not."""
    crm("date add silva 'Namenstag Ä' 2010-06-12")
    crm.fails("date add silva 'NAMENSTAG ä' 2011-01-01", says="already has")


# (door, a file that brings Ana's anniversary on another day, the command)
UPDATED_ANNIVERSARY = [
    ("contacts csv", "c.csv", "name,email,anniversary\nAna Silva,ana@example.com,2011-07-01\n", "import contacts {} --on-duplicate update"),
    ("google csv", "g.csv", "Name,E-mail 1 - Value,Event 1 - Type,Event 1 - Value\nAna Silva,ana@example.com,Anniversary,2011-07-01\n", "import contacts {} --on-duplicate update"),
    ("vcard", "c.vcf", card("FN:Ana Silva", "EMAIL:ana@example.com", "X-ANNIVERSARY:2011-07-01"), "vcard import {} --on-duplicate update"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("door", "name", "text", "command"),
    UPDATED_ANNIVERSARY,
    ids=[u[0] for u in UPDATED_ANNIVERSARY],
)
def test_an_update_moves_the_date_it_does_not_add_one(
    crm, married, tmp_path, door, name, text, command
):
    crm(command.format(write(tmp_path, name, text)))
    (anniversary,) = dates_of(crm, "anniversary")
    assert anniversary["date"] == "2011-07-01"
    assert anniversary["uid"] == married["uid"]  # the same date, moved: calendars see it move


def test_a_file_without_the_year_keeps_the_stored_year(crm, married, tmp_path):
    path = write(tmp_path, "c.csv", "name,email,anniversary\nAna Silva,ana@example.com,--06-12\n")
    crm(f"import contacts {path} --on-duplicate update")
    assert [d["date"] for d in dates_of(crm, "anniversary")] == ["2010-06-12"]


def test_a_record_with_two_days_for_one_label_keeps_the_first_and_says_so(crm, tmp_path):
    path = write(
        tmp_path,
        "c.vcf",
        card("FN:Zed", "X-ANNIVERSARY:2010-06-12", "X-ANNIVERSARY:2010-06-12",
             "item1.X-ABDATE:2011-07-01", "item1.X-ABLABEL:_$!<Anniversary>!$_"),
    )  # fmt: skip
    result = crm(f"vcard import {path}")
    assert "card 1: two anniversary dates (2010-06-12 and 2011-07-01)" in result.stderr
    assert [d["date"] for d in dates_of(crm, "anniversary")] == ["2010-06-12"]


def test_a_synced_card_with_a_moved_date_keeps_one_date_and_its_uid(crm, married, tmp_path):
    vdir = tmp_path / "vdir"
    crm(f"vcard sync {vdir}")
    (path,) = [p for p in vdir.glob("*.vcf") if "FN:Ana Silva" in p.read_text()]
    text = path.read_text().replace("X-ANNIVERSARY:2010-06-12", "X-ANNIVERSARY:2011-07-01")
    path.write_text(text + "")
    crm(f"vcard sync {vdir}")
    (anniversary,) = dates_of(crm, "anniversary")
    assert anniversary["date"] == "2011-07-01" and anniversary["uid"] == married["uid"]
    crm(f"vcard sync {vdir}")  # and the other way round: the loop again changes nothing
    assert dates_of(crm, "anniversary") == [anniversary]


def test_a_merge_keeps_one_date_per_label_and_says_what_it_left_out(crm, people):
    crm("date add silva 'Día santo' 2010-06-12")
    crm("date add bruno 'DÍA SANTO' 2011-07-01")
    crm("date add bruno birthday 1980-01-02")
    crm("date add bruno graduation 2004-07-01")
    result = crm("contact merge silva bruno --yes")
    assert "DÍA SANTO 2011-07-01 of the merged contact left out" in result.stderr
    labels = sorted(d["label"].casefold() for d in dates_of(crm))
    assert labels == ["birthday", "día santo", "graduation"]  # Bruno's graduation moved


def test_import_all_leaves_out_a_second_date_of_a_label_and_says_so(crm, married, tmp_path):
    document = json.loads(crm("export all --format json").stdout)
    date = next(d for d in document["dates"] if d["label"] == "anniversary")
    date.update(uid="another-anniversary", id=99, month=7, day=1, year=2011)
    path = write(tmp_path, "backup.json", json.dumps(document))
    result = crm(f"import all {path}")
    assert "anniversary 2011-07-01 (another-anniversary) left out" in result.stderr
    assert [d["date"] for d in dates_of(crm, "anniversary")] == ["2010-06-12"]


def test_trash_restore_of_a_date_whose_label_is_taken_again_is_refused(crm, married):
    crm(f"date rm {married['id']} --yes")
    crm("date add silva anniversary 2011-07-01")
    crm.fails("trash restore 1", says="already has an anniversary")
    assert "trash 1" in crm("doctor", ok=False).stdout + crm("doctor", ok=False).stderr


def test_doctor_finds_two_dates_of_one_label_written_by_hand(crm, married):
    import sqlite3

    conn = sqlite3.connect(crm.db)
    conn.execute(
        "INSERT INTO special_dates (uid, contact_id, label, month, day, year, created) "
        "VALUES ('second', 1, 'ANNIVERSARY', 7, 1, NULL, '2026-11-01')"
    )
    conn.commit()
    conn.close()
    result = crm("doctor --format json", ok=False)
    rules = next(c for c in json.loads(result.stdout) if c["check"] == "rules")["detail"]
    assert "contact 1: two anniversary dates" in rules


# ----------------------------------------------------------------- not in the future

FUTURE = [
    ("option", lambda t: "log silva 'call' --when 2027-01-05", "--when 2027-01-05 is in the future"),
    ("csv", lambda t: "import interactions " + str(write(t, "i.csv", "contact,when,summary\nana@example.com,2027-01-05,call\n")), "line 2: happened_at 2027-01-05 is in the future"),
    ("jsonl", lambda t: "import interactions " + str(write(t, "i.jsonl", json.dumps({"contact": "ana@example.com", "happened_at": "2027-01-05T10:00", "summary": "call"}) + "\n")), "line 1: happened_at 2027-01-05 is in the future"),
]  # fmt: skip


@pytest.mark.parametrize(("door", "command", "says"), FUTURE, ids=[d for d, _, _ in FUTURE])
def test_what_happened_is_not_in_the_future_at_every_door(
    crm, people, tmp_path, door, command, says
):
    args = command(tmp_path)
    crm.fails(args, says=says)
    crm.fails(args, says="--allow-future")
    crm(f"{args} --allow-future")  # meant: taken
    assert any(
        i["happened_at"].startswith("2027-01-05") for i in crm.json("export interactions -f json")
    )


def test_editing_an_interaction_into_the_future_is_refused(crm, people):
    logged = crm.id("log silva 'call'")
    crm.fails(f"interaction edit {logged} --when 2027-01-05", says="in the future")


# ----------------------------------------------------------------- imported once

ROWS = {
    "csv": ("i.csv", "contact,when,summary,amount\nana@example.com,2026-11-01,lunch,80\nbruno@costa.pt,2026-11-02,call,\n"),
    "tsv": ("i.tsv", "contact\twhen\tsummary\nana@example.com\t2026-11-01\tlunch\nbruno@costa.pt\t2026-11-02\tcall\n"),
    "jsonl": ("i.jsonl", '{"contact": "ana@example.com", "when": "2026-11-01", "summary": "lunch"}\n{"contact": "bruno@costa.pt", "when": "2026-11-02", "summary": "call"}\n'),
}  # fmt: skip


@pytest.mark.parametrize("fmt", sorted(ROWS))
def test_a_second_import_of_the_same_file_adds_nothing_and_says_so(crm, people, tmp_path, fmt):
    path = write(tmp_path, *ROWS[fmt])
    assert "2 added" in crm(f"import interactions {path}").stderr
    again = crm(f"import interactions {path}")
    assert "0 added, 0 updated, 2 skipped (2 already here)" in again.stderr
    assert len(crm.json("export interactions -f json")) == 2


def test_a_deleted_imported_interaction_is_not_brought_back_by_the_file(crm, people, tmp_path):
    path = write(tmp_path, *ROWS["csv"])
    crm(f"import interactions {path}")
    first = crm.json("export interactions -f json")[0]
    crm(f"interaction rm {first['id']} --yes")
    assert "2 already here" in crm(f"import interactions {path}").stderr
    crm("trash empty --yes")
    assert "2 already here" in crm(f"import interactions {path}").stderr
    assert len(crm.json("export interactions -f json")) == 1


def test_a_changed_row_is_a_new_interaction(crm, people, tmp_path):
    path = write(tmp_path, *ROWS["csv"])
    crm(f"import interactions {path}")
    path.write_text(path.read_text().replace("lunch", "dinner"))
    assert "1 added" in crm(f"import interactions {path}").stderr


def test_an_exported_file_imports_once_into_another_database(crm, people, tmp_path):
    crm('log "silva,bruno" "workshop" --amount 100')
    exported = write(tmp_path, "e.csv", crm("export interactions").stdout)
    fresh = tmp_path / "fresh.db"
    crm(f"--db {fresh} import contacts -", input=crm("export contacts").stdout)
    crm(f"--db {fresh} import interactions {exported}")
    assert "1 already here" in crm(f"--db {fresh} import interactions {exported}").stderr


# ----------------------------------------------------------------- money counted once


def test_an_amount_shared_by_several_people_is_counted_once(crm, people):
    crm('log "silva,bruno" "workshop" --amount 100')
    crm("log anabela 'retainer' --amount 50")
    value = crm.json("report value -f json")
    per = {row["contact"]: row["revenue"] for row in value["contacts"]}
    assert value["totals"]["revenue"] == 150 and value["totals"]["clients"] == 3
    assert per == {"Ana Silva": 50, "Bruno Costa": 50, "Anabela Rocha": 50}


# ----------------------------------------------------------------- one phone, however written


def test_a_merge_keeps_one_phone_written_two_ways(crm, people):
    crm("contact edit bruno --phone 912345678")
    crm("contact merge silva bruno --yes")
    assert crm.json("contact show silva -f json")["phones"] == ["+351 912 345 678"]


def test_phones_are_compared_in_the_default_region(crm, people):
    """Without a region a national number meets its international form by its digits; with
    one, a number in the region's own dialling form does too."""
    crm("contact add 'Zed Ray' --phone '0043 664 1234567'")
    crm("contact add 'Zed Roe' --phone '+43 664 1234567'")
    assert "same phone 0043 664 1234567" in crm("contact duplicates").stdout
    crm.fails("config set region Atlantis", code=(1, 2), says="unknown region")
    crm("config set region at")
    crm("contact edit 'Zed Roe' --remove-phone '+43 6641234567'")  # any form removes it
    assert "same phone" not in crm("contact duplicates").stdout
    crm("contact edit 'Zed Roe' --phone '0664 1234567'")
    assert "same phone" in crm("contact duplicates").stdout


def test_an_update_import_adds_a_phone_only_once(crm, people, tmp_path):
    path = write(tmp_path, "c.csv", "name,email,phones\nAna Silva,ana@example.com,00351912345678\n")
    crm(f"import contacts {path} --on-duplicate update")
    assert crm.json("contact show silva -f json")["phones"] == ["+351 912 345 678"]


def test_a_card_with_one_number_written_two_ways_keeps_it_once(crm, tmp_path):
    path = write(tmp_path, "c.vcf", card("FN:Zed", "TEL;TYPE=CELL:+351 912 345 678",
                                         "TEL:00351912345678", "TEL:+351 912 345 678 ext. 2"))  # fmt: skip
    crm(f"vcard import {path}")
    phones = crm.json("contact show zed -f json")["phones"]
    assert phones == ["+351 912 345 678", "+351 912 345 678 ext. 2"]  # an extension is a line


def test_two_real_calls_alike_in_a_file_stay_two_and_import_once(crm, people, tmp_path):
    path = write(tmp_path, "i.csv", "contact,when,summary\nana@example.com,2026-11-02,call\n"
                 "ana@example.com,2026-11-02,call\n")  # fmt: skip
    assert "2 added" in crm(f"import interactions {path}").stderr
    assert "2 already here" in crm(f"import interactions {path}").stderr


def test_a_merge_since_the_import_does_not_make_the_file_new(crm, people, tmp_path):
    path = write(tmp_path, *ROWS["csv"])
    crm(f"import interactions {path}")
    crm("contact merge silva bruno --yes")
    assert (
        "0 added, 0 updated, 2 skipped (2 already here)"
        in crm(f"import interactions {path}").stderr
    )


def test_a_file_taken_with_allow_future_is_known_without_it(crm, people, tmp_path):
    path = write(tmp_path, "f.csv", "contact,when,summary\nana@example.com,2027-01-05,launch\n")
    crm(f"import interactions {path} --allow-future")
    assert "1 already here" in crm(f"import interactions {path}").stderr


def test_a_dates_file_without_the_year_is_the_stored_date(crm, married, tmp_path):
    path = write(tmp_path, "d.csv", "contact,label,date\nana@example.com,anniversary,--06-12\n")
    assert "1 already here" in crm(f"import dates {path}").stderr
    assert [d["date"] for d in dates_of(crm, "anniversary")] == ["2010-06-12"]


def test_a_document_with_two_dates_of_one_label_restores_one(crm, people, tmp_path):
    document = json.loads(crm("export all --format json").stdout)
    fresh = tmp_path / "fresh.db"
    birthday = next(d for d in document["dates"] if d["label"] == "birthday")
    document["dates"].append({**birthday, "uid": "second-birthday", "id": 77, "day": 15})
    path = write(tmp_path, "backup.json", json.dumps(document))
    result = crm(f"--db {fresh} import all {path}")
    assert "birthday 1985-03-15 (second-birthday) left out" in result.stderr
    assert "1 skipped" in result.stderr
    births = [d for d in crm.json(f"--db {fresh} export dates -f json") if d["label"] == "birthday"]
    assert [d["date"] for d in births] == ["1985-03-14"]
