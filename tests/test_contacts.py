"""crm contact add / list / show / edit / archive / delete, through the CLI."""

import csv
import io
import json


def test_add_prints_the_new_id_alone_and_keeps_every_field(crm, people):
    ana = crm.json(f"contact show {people['ana']} --format json")
    assert ana["name"] == "Ana Silva"
    assert ana["emails"] == ["ana@example.com"]
    assert ana["phones"] == ["+351 912 345 678"]
    assert (ana["company"], ana["title"], ana["owner"]) == ("Acme", "CTO", "me")
    assert ana["tags"] == ["client", "lisbon"]
    assert ana["cadence_days"] == 30
    assert (ana["channel"], ana["relationship"], ana["stage"]) == (
        "email",
        "dedicated",
        "commitment",
    )
    assert ana["notes"] == "met at WebSummit"
    assert ana["archived"] is False
    assert [d["date"] for d in ana["special_dates"]] == ["1985-03-14"]
    assert ana["stage_changes"][0]["to_stage"] == "commitment"


def test_add_confirms_on_stderr_and_the_id_on_stdout(crm):
    result = crm(
        'contact add "Carla Dias" -e carla@dias.pt -e carla@work.com -p "+1 555 0100" -p "+1 555 0101"'
    )
    assert result.stdout.strip().isdigit()
    assert "Carla Dias" in result.stderr
    carla = crm.json(f"contact show {result.stdout.strip()} -f json")
    assert carla["emails"] == ["carla@dias.pt", "carla@work.com"]
    assert carla["phones"] == ["+1 555 0100", "+1 555 0101"]


def test_list_filters_and_quiet(crm, people):
    assert crm("contact list -q").stdout.split() == [
        str(people[k]) for k in ("ana", "anabela", "bruno")
    ]
    assert crm("contact list --tag CLIENT -q").stdout.split() == [str(people["ana"])]
    assert crm("contact list --stage commitment -q").stdout.split() == [str(people["ana"])]
    assert crm("contact list --search rocha -q").stdout.split() == [str(people["anabela"])]
    assert crm("contact list --search costa.pt -q").stdout.split() == [str(people["bruno"])]


def test_list_formats(crm, people):
    rows = crm.json("contact list --format json")
    assert {r["name"] for r in rows} == {"Ana Silva", "Bruno Costa", "Anabela Rocha"}
    assert all(isinstance(r["archived"], bool) for r in rows)
    assert rows[0]["last_interaction"] is None
    lines = crm("contact list --format jsonl").stdout.splitlines()
    assert [json.loads(line)["name"] for line in lines] == [r["name"] for r in rows]
    text = crm("contact list --format csv").stdout
    assert not text.startswith("\ufeff")
    table = list(csv.DictReader(io.StringIO(text)))
    assert table[0]["tags"] == "client;lisbon"
    assert table[0]["archived"] == "false"
    tsv = crm("contact list --format tsv").stdout.splitlines()
    assert tsv[0].split("\t")[:3] == ["id", "uid", "name"]
    plain = crm("contact list --format plain").stdout
    assert "\x1b[" not in plain and "│" not in plain and "━" not in plain
    assert plain.splitlines()[0].split()[:2] == ["id", "name"]


def test_table_format_renders_a_rich_table(crm, people):
    out = crm("contact list --format table").stdout
    assert "Silva" in out and "━" in out


def test_show_lists_the_timeline_newest_first(crm, people):
    crm('log silva "first call" --when 2026-11-01')
    crm('log silva "second call" --when 2026-11-20')
    page = crm.json("contact show silva -f json")
    assert [i["summary"] for i in page["interactions"]] == ["second call", "first call"]
    assert page["last_interaction"] == "2026-11-20"
    text = crm("contact show silva").stdout
    assert text.index("second call") < text.index("first call")
    assert "special dates" in text and "1985-03-14" in text


def test_edit_changes_fields_tags_and_birthday(crm, people):
    crm(
        'contact edit silva --name "Ana M. Silva" --add-tag vip --remove-tag lisbon --company "" --birthday 03-15'
    )
    ana = crm.json("contact show ana@example.com -f json")
    assert ana["name"] == "Ana M. Silva"
    assert ana["tags"] == ["client", "vip"]
    assert ana["company"] is None
    assert [d["date"] for d in ana["special_dates"]] == ["--03-15"]


def test_edit_stage_is_dated(crm, people):
    crm("contact edit bruno --stage exploration")
    crm("contact edit bruno --stage awareness")
    changes = crm.json("contact show bruno -f json")["stage_changes"]
    assert [(c["from_stage"], c["to_stage"]) for c in changes] == [
        (None, "exploration"),
        ("exploration", "awareness"),
    ]
    assert changes[0]["changed_at"].startswith("2026-11-24")


def test_edit_with_nothing_to_change_is_an_error(crm, people):
    crm.fails("contact edit silva", code=2, says="nothing to change")


def test_archive_hides_from_lists_and_reports(crm, people):
    crm("followup add silva yesterday")
    assert crm.json("overdue -f json")
    crm("contact archive silva")
    assert str(people["ana"]) not in crm("contact list -q").stdout.split()
    assert crm("contact list --archived -q").stdout.split() == [str(people["ana"])]
    assert crm.json("overdue -f json") == []
    assert crm.json("upcoming --days 365 -f json") == []
    crm("contact unarchive silva")
    assert str(people["ana"]) in crm("contact list -q").stdout.split()


def test_delete_needs_yes_when_not_on_a_terminal(crm, people):
    crm.fails("contact delete bruno", says="--yes")
    crm("contact delete bruno --yes")
    assert str(people["bruno"]) not in crm("contact list -q").stdout.split()
    trash = crm.json("trash list -f json")
    assert [t["name"] for t in trash] == ["Bruno Costa"]


def test_delete_and_restore_keep_everything(crm, people):
    crm('log "silva,bruno" "lunch together" --when 2026-11-01')
    crm('log bruno "call" --when 2026-11-02 --follow-up friday')
    crm("date add bruno anniversary 2010-06-01")
    before = crm.json("contact show bruno -f json")
    crm("contact delete bruno --yes")
    # the shared lunch stays with Ana
    assert [i["summary"] for i in crm.json("contact show silva -f json")["interactions"]] == [
        "lunch together"
    ]
    trash_id = crm.json("trash list -f json")[0]["id"]
    assert crm.id(f"trash restore {trash_id}") == people["bruno"]
    after = crm.json("contact show bruno -f json")
    for key in ("uid", "name", "emails", "interactions", "special_dates", "followups"):
        assert after[key] == before[key], key
    assert crm.json("trash list -f json") == []


def test_empty_results_per_format(crm):
    crm("db init")
    assert crm("overdue -f json").stdout == "[]\n"
    for fmt in ("csv", "tsv", "jsonl", "plain"):
        result = crm(f"overdue -f {fmt}")
        assert result.stdout == "" and result.exit_code == 0, fmt


def test_a_long_listing_falls_back_to_the_plain_layout(crm, monkeypatch):
    import crmcli.output

    monkeypatch.setattr(crmcli.output, "TABLE_LIMIT", 2)
    for name in ("One", "Two", "Three"):
        crm(f'contact add "{name} Person"')
    result = crm("contact list --format table")
    assert "━" not in result.stdout and "Three Person" in result.stdout
    assert "plain layout" in result.stderr


def test_edit_adds_and_removes_emails_and_phones_one_by_one(crm, people):
    crm(
        'contact edit silva --add-email ana@work.example --add-phone "+351 210 000 000" --remove-phone "+351 912 345 678"'
    )
    ana = crm.json("contact show silva -f json")
    assert ana["emails"] == ["ana@example.com", "ana@work.example"]
    assert ana["phones"] == ["+351 210 000 000"]
    crm("contact edit silva --remove-email ANA@EXAMPLE.COM")
    assert crm.json("contact show silva -f json")["emails"] == ["ana@work.example"]
    crm.fails("contact edit silva --add-email nope", says="bad email")


def test_a_name_is_found_by_its_words_in_any_order_active_contacts_first(crm):
    for name in ("Silva, Ana", "O'Brien, Sean", "Kenji Tanaka", "Ana", "Maria Ana"):
        crm(["contact", "add", name])
    for ref, name in (("ana silva", "Silva, Ana"), ("sean o'brien", "O'Brien, Sean"),
                      ("obrien", "O'Brien, Sean"), ("ken tan", "Kenji Tanaka")):  # fmt: skip
        assert crm.json(["contact", "show", ref, "-f", "json"])["name"] == name, ref
    assert crm.json(["contact", "show", "Ana", "-f", "json"])["id"] == 4  # exact, active
    crm("contact archive 4")
    crm(["contact", "add", "Ana Costa"])
    # an archived exact name beside active word matches: neither wins silently
    crm.fails("contact show Ana", says="matches 4 contacts")
    assert "4 Ana (archived)" in crm("contact show Ana", ok=False).stderr
    crm("contact unarchive Ana")  # unarchive looks at the archived first
    assert crm.json(["contact", "show", "4", "-f", "json"])["archived"] is False
    crm("contact archive 4")
    crm("contact archive 6")
    crm("contact archive 5")
    crm("contact archive 1")
    assert crm.json(["contact", "show", "Ana", "-f", "json"])["id"] == 4  # all archived: exact
