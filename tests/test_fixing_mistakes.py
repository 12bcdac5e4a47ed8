"""Fixing mistakes and everyday trust: every record correctable, undo, the trash, no silent wrong
person or date, defaults that hold."""

import json
import re
import sqlite3

import pytest

# --------------------------------------------------------------------------- fixing mistakes


def test_an_interaction_logged_wrong_is_corrected(crm, people):
    interaction = crm.id('log silva "call about Q3" --amount 1200 --channel call')
    crm(f'interaction edit {interaction} --contact bruno --amount "" --when yesterday')
    row = crm.json(f"interaction show {interaction} -f json")
    assert (row["contacts"], row["amount"], row["happened_at"]) == (
        "Bruno Costa",
        None,
        "2026-11-23",
    )
    assert crm.json("contact show silva -f json")["interactions"] == []
    assert [i["id"] for i in crm.json("contact show bruno -f json")["interactions"]] == [
        interaction
    ]


def test_every_record_can_be_removed_to_the_trash_and_restored(crm, people):
    interaction = crm.id('log silva "call"')
    followup = crm.id("followup add silva friday")
    complaint = crm.id('complaint add silva "late"')
    note = crm.id('note silva "likes tea"')
    date = crm.json("date list silva -f json")[0]["id"]
    crm("stage silva expansion")
    change = crm.json("contact show silva -f json")["stage_changes"][-1]["id"]
    for command in (
        f"interaction rm {interaction}", f"followup rm {followup}", f"complaint rm {complaint}",
        f"note rm {note}", f"date rm {date}", f"stage rm {change}",
    ):  # fmt: skip
        crm.fails(command, says="without --yes")
        assert crm(f"{command} --yes").stdout.strip().isdigit()
    page = crm.json("contact show silva -f json")
    for section in ("interactions", "followups", "complaints", "dated_notes", "special_dates"):
        assert page[section] == [], section
    kinds = [entry["kind"] for entry in crm.json("trash list -f json")]
    assert sorted(kinds) == ["complaint", "date", "followup", "interaction", "note", "stage change"]
    for entry in crm.json("trash list -f json"):
        crm(f"trash restore {entry['id']}")
    page = crm.json("contact show silva -f json")
    assert [i["id"] for i in page["interactions"]] == [interaction]
    assert [n["text"] for n in page["dated_notes"]] == ["likes tea"]
    assert len(page["stage_changes"]) == 2 and page["special_dates"][0]["date"] == "1985-03-14"


def test_a_deleted_contact_prints_its_trash_id_and_is_restored_by_name(crm, people):
    trash_id = crm.id("contact delete bruno --yes")
    assert crm.json("trash list -f json")[0]["id"] == trash_id
    restored = crm("trash restore bruno")
    assert "Bruno Costa" in restored.stderr
    assert crm.json("contact show bruno -f json")["id"] == people["bruno"]


def test_other_records_are_edited(crm, people):
    followup = crm.id("followup add silva friday call")
    crm(f"followup edit {followup} --due 2026-11-20 --note ''")
    row = crm.json("followup list -f json")[0]
    assert (row["due"], row["note"]) == ("2026-11-20", None)
    complaint = crm.id('complaint add silva "late"')
    crm(f'complaint edit {complaint} --summary "very late" --due 3d')
    edited = crm.json("complaints -f json")[0]
    assert edited["summary"] == "very late" and edited["due"] > edited["opened"]
    date = crm.json("date list silva -f json")[0]["id"]
    crm(f"date edit {date} --date 03-15")
    assert crm.json("date list silva -f json")[0]["date"] == "--03-15"
    note = crm.id('note silva "first draft"')
    crm(f'note edit {note} "final text"')
    assert crm.json("note list silva -f json")[0]["text"] == "final text"


def test_an_empty_value_clears_birthday_and_emails(crm, people):
    crm('contact edit silva --birthday "" --email "" --company ""')
    ana = crm.json(f"contact show {people['ana']} -f json")
    assert ana["emails"] == [] and ana["company"] is None and ana["special_dates"] == []


def test_dated_notes_keep_history_and_are_searchable(crm, people):
    crm('note silva "met at the harbour"')
    crm('contact edit silva --note "one-line summary"')
    page = crm.json("contact show silva -f json")
    assert page["notes"] == "one-line summary"
    assert [n["text"] for n in page["dated_notes"]] == ["met at the harbour"]
    assert [r["kind"] for r in crm.json("search harbour -f json")] == ["note"]


# --------------------------------------------------------------------------- undo and history


def test_undo_takes_back_the_last_change_and_is_itself_recorded(crm, people):
    crm('log silva "call"')
    crm("contact edit silva --company NewCo")
    crm("contact delete bruno --yes")
    history = crm.json("history -f json")
    assert [h["command"] for h in history[:3]] == [
        "crm contact delete bruno --yes",
        "crm contact edit silva --company NewCo",
        "crm log silva call",
    ]
    crm("undo")
    assert crm.json("contact show bruno -f json")["name"] == "Bruno Costa"
    crm("undo")
    assert crm.json("contact show silva -f json")["company"] == "Acme"
    newest = crm.json("history -f json")[0]
    assert newest["undoes"] is not None and "undo of" in newest["state"]


def test_undo_of_an_import_removes_what_it_added(crm, people):
    before = {c["id"] for c in crm.json("contact list -f json")}
    rows = "".join(f"Person {i},p{i}@example.com\n" for i in range(50))
    crm("import contacts -", input="name,email\n" + rows)
    assert len(crm.json("contact list -f json")) == len(before) + 50
    assert "+50 contacts" in crm.json("history -f json")[0]["changed"]
    crm("undo")
    assert {c["id"] for c in crm.json("contact list -f json")} == before


def test_nothing_to_undo_and_a_change_made_outside_crm(crm, people, tmp_path):
    fresh = tmp_path / "fresh.db"
    crm(f"--db {fresh} db init")
    crm.fails(f"--db {fresh} undo", says="nothing to undo")
    crm("contact edit silva --company Changed")
    outside(crm.db, "DELETE FROM contacts WHERE id = ?", people["ana"])
    crm.fails("undo", says="changed since, outside crm")


def outside(db, sql, *params):
    """Another program (sqlite3, Datasette) writes to the file."""
    conn = sqlite3.connect(db)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def test_undo_refuses_rather_than_lose_an_outside_edit(crm, people):
    crm("log silva hello")
    outside(crm.db, "UPDATE interactions SET summary = 'edited elsewhere'")
    crm.fails("undo", says="changed since, outside crm")
    crm("contact edit silva --company Acme2")
    outside(crm.db, "UPDATE contacts SET title = 'Boss' WHERE id = ?", people["ana"])
    crm.fails("undo", says="changed since, outside crm")
    assert crm.json("contact show silva -f json")["title"] == "Boss"


def test_concurrent_undos_take_back_different_changes(crm, people):
    import subprocess

    from conftest import crm_env_for_process
    from test_process import CRM

    for number in range(6):
        crm(f"log silva 'call {number}'")
    env = crm_env_for_process(crm.db)
    undos = [subprocess.Popen([CRM, "undo"], env=env, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]  # fmt: skip
    said = sorted(process.communicate()[1] for process in undos)
    assert all(process.returncode == 0 for process in undos), said
    assert len({line.split(":")[0] for line in said}) == 3, said  # three different changes
    summaries = [r["summary"] for r in crm.json("contact show silva -f json")["interactions"]]
    assert sorted(summaries) == ["call 0", "call 1", "call 2"]


def test_a_trash_listing_writes_nothing(crm, people):
    crm("contact delete bruno --yes")
    crm("contact edit silva --company Later")
    before = crm.fingerprint()
    later = crm("trash list", env={"CRM_TODAY": "2027-03-01"})
    assert "Bruno" not in later.stdout + later.stderr  # past its time: not listed…
    assert crm.fingerprint() == before  # …and not purged by a listing
    crm("undo", env={"CRM_TODAY": "2027-03-01"})  # takes back the edit, not a purge
    assert crm.json("contact show silva -f json")["company"] == "Acme"


# --------------------------------------------------------------------------- no silent wrong answers


@pytest.mark.parametrize(
    "command",
    [
        'log silva "call" --when 2027-06-01',
        'complaint add silva "late" --when 2027-06-01',
        "feedback silva 4 --when 2027-06-01",
        "stage silva expansion --when 2027-06-01",
    ],
)
def test_past_events_refuse_the_future_unless_asked(crm, people, command):
    crm.fails(command, says="is in the future")
    crm(f"{command} --allow-future")


def test_emails_belong_to_one_active_contact(crm, people):
    crm.fails("contact add Zed --email ANA@example.com", says="already belongs to Ana Silva")
    crm.fails("contact edit bruno --add-email ana@example.com", says="already belongs to Ana Silva")
    shared = crm.id("contact add Zed --email ana@example.com --allow-shared-email")
    crm.fails("contact show ana@example.com", says="matches 2 contacts")
    crm("contact archive zed")
    assert crm.json("contact show ana@example.com -f json")["id"] == people["ana"]
    assert shared


def test_same_exact_name_twice_is_ambiguous_and_fragments_match_word_starts(crm, people):
    crm('contact add "Kenji Tanaka"')
    crm('contact add "Maria Ana"')
    result = crm.fails("contact show ana", says="matches")
    assert "Kenji" not in result.stderr and "Maria Ana" in result.stderr
    crm('contact add "Bruno Costa" --email other@costa.pt')
    crm.fails('contact show "Bruno Costa"', says="matches 2 contacts")


def test_a_special_date_is_not_added_twice_and_snooze_only_moves_later(crm, people):
    crm.fails("date add silva birthday 1985-03-14", says="already has a birthday")
    followup = crm.id("followup add silva friday")
    crm.fails(f"followup snooze {followup} yesterday", says="moves a follow-up later")
    crm(f"followup snooze {followup} 'next monday'")


def test_an_import_keeps_two_uids_apart_even_with_one_email(crm, people):
    data = (
        '{"uid": "card-1", "name": "Ana Work", "emails": ["ana@example.com"]}\n'
        '{"uid": "card-2", "name": "Other Ana", "emails": ["ana@example.com"]}\n'
    )
    result = crm("import contacts - --format jsonl", input=data)
    assert "2 added" in result.stderr and "share an email" in result.stderr
    pairs = crm.json("contact duplicates -f json")
    assert any("same email" in p["reason"] for p in pairs)


def test_a_second_import_of_people_without_email_or_uid_changes_nothing(crm, tmp_path):
    path = tmp_path / "phone-only.csv"
    path.write_text("name,phone\nPhone Only,+1 555 0100\nName Only,\nOther Name,+1 555 0199\n")
    crm(f"import contacts {path}")
    before = crm.fingerprint()
    again = crm(f"import contacts {path}")
    assert "0 added" in again.stderr and "3 skipped" in again.stderr
    assert crm.fingerprint() == before


# --------------------------------------------------------------------------- duplicates and merge


def test_duplicates_and_merge(crm, people, tmp_path):
    other = crm.id('contact add "Silva, Ana" --phone 912345678 --tag vip')
    pairs = crm.json("contact duplicates -f json")
    assert pairs == [
        {"id": people["ana"], "name": "Ana Silva", "other_id": other, "other_name": "Silva, Ana",
         "reason": "same phone +351 912 345 678; same name"},
    ]  # fmt: skip
    crm(f'log {other} "call"')
    crm(f'note {other} "from the other card"')
    other_uid = crm.json(f"contact show {other} -f json")["uid"]
    crm.fails(f"contact merge {people['ana']} {other}", says="without --yes")
    crm(f"contact merge {people['ana']} {other} --yes")
    ana = crm.json(f"contact show {people['ana']} -f json")
    assert ana["tags"] == ["client", "lisbon", "vip"] and len(ana["interactions"]) == 1
    assert [n["text"] for n in ana["dated_notes"]] == ["from the other card"]
    card = (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{other_uid}\r\nFN:Ana S.\r\nTITLE:Boss\r\nEND:VCARD\r\n"
    )
    (tmp_path / "other.vcf").write_text(card)
    crm(f"vcard import {tmp_path / 'other.vcf'}")
    assert crm.json(f"contact show {people['ana']} -f json")["title"] == "Boss"
    crm("undo")  # the import
    crm("undo")  # the merge
    assert crm.json(f"contact show {other} -f json")["name"] == "Silva, Ana"


# --------------------------------------------------------------------------- dead ends


def test_date_add_takes_a_yearless_date_written_like_an_option(crm, people):
    crm('date add bruno "name day" --02-29')
    assert crm.json("date list bruno -f json")[0]["date"] == "--02-29"


def test_search_takes_any_text(crm, people):
    crm('followup add silva friday "bring the harbour photos"')
    crm('complaint add silva "harbour invoice"')
    for text in ('"', "AND OR NOT", "*", "(", "harbour NEAR(x)", "'"):
        assert crm(["search", text]).exit_code == 0
    kinds = {r["kind"] for r in crm.json("search harbour -f json")}
    assert kinds == {"followup", "complaint"}


def test_mistyped_commands_get_a_suggestion_at_every_level(crm, people):
    crm.fails("digets", code=2, says="did you mean digest")
    crm.fails("contat list", code=2, says="did you mean contact")
    crm.fails("contact lsit", code=2, says="did you mean 'list'")


def test_read_only_commands_never_create_a_database(crm, tmp_path):
    missing = tmp_path / "typo" / "crm.db"
    for command in ("digest", "overdue", "contact list", "export contacts", "doctor"):
        result = crm(f"--db {missing} {command}", ok=False)
        assert result.exit_code == 1 and "no crm database at" in result.stderr
    assert not missing.exists() and not missing.parent.exists()


# --------------------------------------------------------------------------- defaults


def test_log_uses_the_preferred_channel(crm, people):
    crm('log silva "wrote"')
    assert crm.json("contact show silva -f json")["interactions"][0]["channel"] == "email"


def test_a_finished_followup_and_a_response_count_as_touches(crm, people):
    crm("contact edit bruno --every 7d")
    crm('log bruno "long ago" --when "10 days ago"')
    assert [r["contact"] for r in crm.json("overdue -f json")] == ["Bruno Costa"]
    followup = crm.id("followup add bruno today")
    crm(f'followup done {followup} --note "called, all good"')
    assert crm.json("overdue -f json") == []
    summary = crm.json("contact show bruno -f json")["interactions"][0]["summary"]
    assert summary == "follow-up done: called, all good"
    complaint = crm.id('complaint add silva "late"')
    crm(f"complaint respond {complaint} --no-touch")
    assert crm.json("contact show silva -f json")["interactions"] == []


def test_follow_ups_keep_a_time_of_day(crm, people):
    crm('log silva "call" --follow-up "next tuesday 9:30"')
    crm('followup add bruno "tomorrow 14:00"')
    dues = [f["due"] for f in crm.json("followup list -f json")]
    assert dues == ["2026-11-25T14:00:00", "2026-12-01T09:30:00"]
    assert "2026-11-25 14:00" in crm("followup list -f plain").stdout
    assert "DTSTART:20261201T093000" in crm("calendar").stdout


def test_templates_greet_by_given_name(crm):
    crm('contact add "O\'Brien, Sean" --email sean@example.com')
    text = crm("template render welcome sean").stdout
    assert text.startswith("Welcome aboard, Sean!")


@pytest.mark.parametrize("fmt", ["json", "plain"])
def test_a_weekday_cron_does_not_miss_weekends(crm, people, fmt):
    crm("config set digest_days mon-fri")
    crm("date add bruno birthday 1990-11-28")  # a Saturday
    crm("digest", env={"CRM_TODAY": "2026-11-27"})  # Friday
    monday = crm(f"digest -f {fmt}", env={"CRM_TODAY": "2026-11-30"}).stdout
    if fmt == "json":
        report = json.loads(monday)
        assert report["missed_days"] == 0
        assert [d["contact"] for d in report["missed"]] == ["Bruno Costa"]
        assert "since Friday" in report["summary"] and "missed" not in report["summary"]
    else:
        assert re.search(r"Since the last digest \(Friday 2026-11-27\) \(1\)", monday)


def test_overdue_reasons_read_as_english(crm):
    crm("contact add Dai --every 1d")
    crm("log dai hello --when 2026-11-22")
    [row] = crm.json("overdue -f json")
    assert row["reason"] == "every day; last contact 2 days ago"


def test_removing_a_wrong_stage_move_puts_the_contact_back(crm, people):
    crm("stage silva awareness")
    crm("stage silva expansion")
    moves = [m["id"] for m in crm.json("contact show silva -f json")["stage_changes"]]
    crm(f"stage rm {moves[-1]} --yes")
    assert crm.json("contact show silva -f json")["stage"] == "awareness"
    crm("trash restore 1")
    assert crm.json("contact show silva -f json")["stage"] == "expansion"
    crm(f"stage rm {moves[-2]} --yes")  # an earlier move: the stage stays where it is
    assert crm.json("contact show silva -f json")["stage"] == "expansion"
    crm("stage silva commitment --when 2026-10-01")  # a backdated wrong move
    backdated = crm.json("contact show silva -f json")["stage_changes"]
    wrong = next(m["id"] for m in backdated if m["to_stage"] == "commitment")
    crm(f"stage rm {wrong} --yes")
    assert crm.json("contact show silva -f json")["stage"] == "expansion"


def test_small_words_said_right(crm, people):
    crm('followup add silva "2026-11-26 10:00" "call"')
    crm("followup snooze 1 2026-11-28")
    assert crm.json("followup list -f json")[0]["due"] == "2026-11-28T10:00:00"  # time kept
    crm.fails("followup snooze 1 2026-11-27", says="it is due 2026-11-28 10:00;")
    crm.fails("interaction edit abc --summary x", code=2, says="'abc' is not an interaction id")
    crm('date add silva "name  day" 06-12')
    crm.fails('date add silva "name day" 06-12', says="already")
    title = crm("report satisfaction --format plain").stdout.splitlines()[0]
    assert title.startswith("0 responses · average no scores · NPS n/a (0 promoters")


def test_an_expired_trash_entry_is_neither_listed_nor_restored(crm, people):
    trash_id = crm.id("contact delete anabela --yes")
    later = {"CRM_TODAY": "2026-12-25"}  # 31 days on
    assert crm("trash list -f json", env=later).stdout.strip() == "[]"
    before = crm.fingerprint()
    refused = crm(f"trash restore {trash_id}", ok=False, env=later)
    assert refused.exit_code == 1 and "has expired" in refused.stderr
    assert crm.fingerprint() == before
    assert (
        crm.id(
            f"trash restore {trash_id}",
        )
        == people["anabela"]
    )  # in time: back


def test_a_name_written_family_comma_given_is_one_reference(crm, people):
    crm("contact add Bruno")
    logged = crm('log "Costa, Bruno" "call"')
    assert "with Bruno Costa\n" in logged.stderr
    both = crm('log "costa,silva" "lunch"')  # two references that are not one name
    assert "with Bruno Costa, Ana Silva" in both.stderr


def test_money_is_kept_to_the_cent_never_rounded_silently(crm, people):
    crm.fails("log silva 'x' --amount 12.345", says="at most two decimals")
    crm("log silva 'x' --amount 12.34")
    crm.fails("config set sla 99999y", says="a year at most")
    crm("config set sla 1y")


def test_an_email_in_both_unicode_forms_is_one_email_at_every_door(crm):
    import unicodedata

    composed = unicodedata.normalize("NFC", "José@Example.com")  # é as one character (macOS
    decomposed = unicodedata.normalize("NFD", "josé@example.com")  # file names write it as two)
    assert composed.lower() != decomposed
    crm(["contact", "add", "Jose Alves", "--email", composed])
    crm.fails(
        ["contact", "add", "Jose B", "--email", decomposed], says="already belongs to Jose Alves"
    )
    imported = crm(["import", "contacts", "-"], input=f"name,email\nJose Alves,{decomposed}\n")
    assert "0 added" in imported.stderr
    crm(["contact", "add", "Jose B", "--email", decomposed, "--allow-shared-email"])
    (pair,) = crm.json("contact duplicates -f json")
    assert (pair["name"], pair["other_name"]) == ("Jose Alves", "Jose B")
    assert pair["reason"].startswith("same email")


def test_a_message_in_is_marked_as_needing_no_reply_after_the_fact(crm, people):
    """An imported or captured thank-you waited for an answer nobody owes."""
    thanks = crm.id(
        "log silva 'thanks for lunch!' --channel email --direction in --when 2026-11-18"
    )
    assert [r["kind"] for r in crm.json("overdue -f json") if r["contact"] == "Ana Silva"] == [
        "reply"
    ]
    crm(f"interaction edit {thanks} --no-reply")
    assert all(r["kind"] != "reply" for r in crm.json("overdue -f json"))
    crm(f"interaction edit {thanks} --awaits-reply")
    assert any(r["kind"] == "reply" for r in crm.json("overdue -f json"))
    crm(f"interaction edit {thanks} --direction out")  # turned outbound: it waits no more
    assert all(r["kind"] != "reply" for r in crm.json("overdue -f json"))
    sent = crm.id("log silva 'the proposal' --channel email")
    crm.fails(
        f"interaction edit {sent} --awaits-reply", says="awaits_reply is for a message that came in"
    )
