"""One rule, every door: a bad value is refused the same way whether it comes from an option,
a CSV or JSON Lines row, a vCard, or a `crm export all` backup — one message, the database
byte-identical — and a dry run refuses exactly what the real import refuses."""

import json

import pytest


def csv_file(tmp_path, header, row):
    path = tmp_path / "in.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    return str(path)


def jsonl_file(tmp_path, text):
    path = tmp_path / "in.jsonl"
    path.write_text(text + "\n", encoding="utf-8", errors="surrogatepass")
    return str(path)


def vcard_file(tmp_path, lines):
    path = tmp_path / "in.vcf"
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\n" + "".join(f"{line}\r\n" for line in lines)
    path.write_text(card + "END:VCARD\r\n", encoding="utf-8")
    return str(path)


def backup_file(tmp_path, crm, change):
    """A real `crm export all` document with one record (or setting) broken by `change`."""
    document = json.loads(crm("export all --format json").stdout)
    change(document)
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(document), encoding="utf-8")  # \uXXXX escapes, surrogates too
    return str(path)


def set_in(section, field, value, index=0):
    def change(document):
        document[section][index][field] = value

    return change


def backup_text(tmp_path, text):
    path = tmp_path / "backup.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return str(path)


LONE = "Z\ud800"
SURROGATE = '{"name": "Z\\ud800"}'  # JSON's escape for a lone surrogate

# (kind of bad value, door, how to build the command, what stderr says)
CASES = [
    # a special date that does not exist
    ("30 February", "option", lambda t, c: "contact add Zed --birthday 1985-02-30", "no such date"),
    ("30 February", "option", lambda t, c: "date add silva anniversary 02-30", "no such date"),
    ("30 February", "csv", lambda t, c: f"import contacts {csv_file(t, 'name,birthday', 'Zed,1985-02-30')}", "line 2: no such date"),
    ("30 February", "jsonl", lambda t, c: f"import contacts {jsonl_file(t, json.dumps({'name': 'Zed', 'birthday': '--02-30'}))}", "line 1: no such date"),
    ("30 February", "backup", lambda t, c: f"import all {backup_file(t, c, lambda d: d['dates'][0].update(month=2, day=30))}", "no such date"),
    # a year that is not a number
    ("year abc", "option", lambda t, c: "contact add Zed --birthday abc-03-01", "bad special date"),
    ("year abc", "csv", lambda t, c: f"import contacts {csv_file(t, 'name,birthday', 'Zed,abc-03-01')}", "line 2: bad special date"),
    ("year abc", "backup", lambda t, c: f"import all {backup_file(t, c, set_in('dates', 'year', 'abc'))}", "bad year"),
    # money that is not a number, or too large for JSON
    ("cost lots", "option", lambda t, c: "contact add Zed --acquisition-cost lots", "bad acquisition cost"),
    ("cost lots", "csv", lambda t, c: f"import contacts {csv_file(t, 'name,acquisition_cost', 'Zed,lots')}", "line 2: bad acquisition cost"),
    ("cost lots", "jsonl", lambda t, c: f"import contacts {jsonl_file(t, json.dumps({'name': 'Zed', 'acquisition_cost': [1]}))}", "line 1: bad acquisition cost"),
    ("cost lots", "backup", lambda t, c: f"import all {backup_file(t, c, set_in('contacts', 'acquisition_cost', 'lots'))}", "bad acquisition cost"),
    ("amount 1e308", "option", lambda t, c: 'log silva "call" --amount 1e308', "the limit is"),
    ("amount 1e308", "csv", lambda t, c: f"import interactions {csv_file(t, 'happened_at,contact,summary,amount', '2026-11-01,ana@example.com,call,1e308')}", "line 2: bad amount"),
    # a moment that is not a date
    ("when garbage", "option", lambda t, c: 'log silva "call" --when garbage', "bad date"),
    ("when garbage", "csv", lambda t, c: f"import interactions {csv_file(t, 'happened_at,contact,summary', 'garbage,ana@example.com,call')}", "line 2: bad date"),
    ("when garbage", "jsonl", lambda t, c: f"import interactions {jsonl_file(t, json.dumps({'happened_at': 'garbage', 'contact': 'ana@example.com', 'summary': 'x'}))}", "line 1: bad date"),
    ("when garbage", "backup", lambda t, c: f"import all {backup_file(t, c, set_in('interactions', 'happened_at', 'garbage'))}", "bad date"),
    ("year 0001", "option", lambda t, c: 'log silva "call" --when 0001-01-01', "outside the supported range"),
    ("year 0001", "csv", lambda t, c: f"import interactions {csv_file(t, 'happened_at,contact,summary', '0001-01-01,ana@example.com,call')}", "outside the supported range"),
    # a follow-up due "soon"
    ("due soon", "option", lambda t, c: "followup add silva soon", "bad date"),
    ("due soon", "csv", lambda t, c: f"import followups {csv_file(t, 'contact,due,note', 'ana@example.com,soon,x')}", "line 2: bad due date 'soon'"),
    ("due soon", "jsonl", lambda t, c: f"import followups {jsonl_file(t, json.dumps({'contact': 'ana@example.com', 'due': 'soon'}))}", "line 1: bad due date 'soon'"),
    ("due soon", "backup", lambda t, c: f"import all {backup_file(t, c, set_in('followups', 'due', 'soon'))}", "bad due date"),
    # a setting that is not a number
    ("config days abc", "option", lambda t, c: "config set days abc", "bad number of days"),
    ("config days abc", "backup", lambda t, c: f"import all {backup_file(t, c, lambda d: d['config'].update(days='abc'))}", "config days"),
    # a word outside a vocabulary
    ("stage nirvana", "option", lambda t, c: "contact add Zed --stage nirvana", "unknown stage"),
    ("stage nirvana", "csv", lambda t, c: f"import contacts {csv_file(t, 'name,stage', 'Zed,nirvana')}", "line 2: unknown stage"),
    ("stage nirvana", "jsonl", lambda t, c: f"import contacts {jsonl_file(t, json.dumps({'name': 'Zed', 'stage': 'nirvana'}))}", "line 1: unknown stage"),
    ("stage nirvana", "backup", lambda t, c: f"import all {backup_file(t, c, set_in('contacts', 'stage', 'nirvana'))}", "unknown stage"),
    ("channel fax", "option", lambda t, c: 'log silva "call" --channel fax', "unknown channel"),
    ("channel fax", "csv", lambda t, c: f"import interactions {csv_file(t, 'happened_at,contact,summary,channel', '2026-11-01,ana@example.com,call,fax')}", "line 2: unknown channel"),
    ("channel fax", "jsonl", lambda t, c: f"import interactions {jsonl_file(t, json.dumps({'happened_at': '2026-11-01', 'contact': 'ana@example.com', 'summary': 'x', 'channel': 'fax'}))}", "line 1: unknown channel"),
    ("channel fax", "backup", lambda t, c: f"import all {backup_file(t, c, set_in('interactions', 'channel', 'fax'))}", "unknown channel"),
    # a uid that could be a path
    ("uid /tmp/x", "csv", lambda t, c: f"import contacts {csv_file(t, 'name,uid', 'Zed,/tmp/x')}", "line 2: bad uid"),
    ("uid /tmp/x", "jsonl", lambda t, c: f"import contacts {jsonl_file(t, json.dumps({'name': 'Zed', 'uid': '../../x'}))}", "line 1: bad uid"),
    ("uid /tmp/x", "vcard", lambda t, c: f"vcard import {vcard_file(t, ['FN:Zed', 'UID:/tmp/x'])}", "bad uid"),
    ("uid /tmp/x", "backup", lambda t, c: f"import all {backup_file(t, c, set_in('contacts', 'uid', '/tmp/x'))}", "bad uid"),
    # a cadence too long for any calendar (or for SQLite's integers)
    ("cadence 1e20", "option", lambda t, c: "contact add Zed --every 99999999999999999999", "bad cadence"),
    ("cadence 1e20", "csv", lambda t, c: f"import contacts {csv_file(t, 'name,cadence_days', 'Zed,99999999999999999999')}", "line 2: bad cadence"),
    ("cadence 1e20", "jsonl", lambda t, c: f"import contacts {jsonl_file(t, json.dumps({'name': 'Zed', 'cadence_days': 10**20}))}", "line 1: bad cadence"),
    ("cadence 1e20", "backup", lambda t, c: f"import all {backup_file(t, c, set_in('contacts', 'cadence_days', 10**20))}", "bad cadence"),
    # JSON values of the wrong type
    ("birthday array", "jsonl", lambda t, c: f"import contacts {jsonl_file(t, json.dumps({'name': 'Zed', 'birthday': [2, 29, 1]}))}", "line 1: birthday must be text, not a list"),
    ("name list", "jsonl", lambda t, c: f"import contacts {jsonl_file(t, json.dumps({'name': ['Z']}))}", "line 1: name must be text, not a list"),
    ("name bool", "jsonl", lambda t, c: f"import contacts {jsonl_file(t, json.dumps({'name': True}))}", "line 1: name must be text, not true/false"),
    ("summary bool", "jsonl", lambda t, c: f"import interactions {jsonl_file(t, json.dumps({'happened_at': '2026-11-01', 'contact': 'ana@example.com', 'summary': True}))}", "line 1: summary must be text"),
    ("channel list", "jsonl", lambda t, c: f"import interactions {jsonl_file(t, json.dumps({'happened_at': '2026-11-01', 'contact': 'ana@example.com', 'summary': 'x', 'channel': ['call']}))}", "line 1: channel must be text"),
    ("name list", "backup", lambda t, c: f"import all {backup_file(t, c, set_in('contacts', 'name', ['Ana']))}", "name must be text"),
    # JSON that hurts parsers
    ("deep nesting", "jsonl", lambda t, c: f"import contacts {jsonl_file(t, '[' * 100_000 + ']' * 100_000)}", "nested too deeply"),
    ("deep nesting", "backup", lambda t, c: f"import all {backup_text(t, '[' * 100_000 + ']' * 100_000)}", "nested too deeply"),
    ("lone surrogate", "jsonl", lambda t, c: f"import contacts {jsonl_file(t, SURROGATE)}", "line 1: name holds a character that is not valid Unicode"),
    ("lone surrogate", "option", lambda t, c: ["log", "silva", LONE], "summary holds a character that is not valid Unicode"),
    ("lone surrogate", "option", lambda t, c: ["stage", "silva", "commitment", "--reason", LONE], "not valid Unicode"),
    ("lone surrogate", "option", lambda t, c: ["contact", "edit", "silva", "--company", LONE], "not valid Unicode"),
    ("lone surrogate", "backup", lambda t, c: f"import all {backup_file(t, c, set_in('contacts', 'name', LONE))}", "not valid Unicode"),
    # a list column holding something other than its items, or JSON too deep for a parser
    ("extra [1]", "csv", lambda t, c: f"import contacts {csv_file(t, 'name,extra', 'Zed,[1]')}", "line 2: bad vCard line '1'"),
    ("extra [1]", "jsonl", lambda t, c: f"import contacts {jsonl_file(t, json.dumps({'name': 'Zed', 'extra': [1]}))}", "line 1: bad vCard line '1'"),
    ("extra [1]", "backup", lambda t, c: f"import all {backup_file(t, c, set_in('contacts', 'extra', [1]))}", "bad vCard line '1'"),
    ("deep nesting", "csv", lambda t, c: f"import contacts {csv_file(t, 'name,addresses', 'Zed,' + '[' * 5000 + ']' * 5000)}", "line 2: addresses is not a JSON list"),
    # a backup from the future
    ("schema 999", "backup", lambda t, c: f"import all {backup_file(t, c, lambda d: d.update(schema=999))}", "newer crm (schema 999"),
    # values a CHECK constraint would catch, caught first
    ("amount 12.345", "csv", lambda t, c: f"import interactions {csv_file(t, 'happened_at,contact,summary,amount', '2026-11-01,ana@example.com,call,12.345')}", "line 2: bad amount"),
    ("amount 12.345", "backup", lambda t, c: f"import all {backup_file(t, c, set_in('interactions', 'amount', 12.345))}", "at most two decimals"),
    ("rating 7", "csv", lambda t, c: f"import interactions {csv_file(t, 'happened_at,contact,summary,rating', '2026-11-01,ana@example.com,call,7')}", "line 2: bad rating"),
    ("direction up", "jsonl", lambda t, c: f"import interactions {jsonl_file(t, json.dumps({'happened_at': '2026-11-01', 'contact': 'ana@example.com', 'summary': 'x', 'direction': 'up'}))}", "line 1: unknown direction"),
]  # fmt: skip


@pytest.fixture
def story(crm, people):
    """People with something in every section, so backups have a record of each kind."""
    crm('log silva "kick-off" --follow-up friday --complaint')
    crm("date add silva anniversary 2010-06-12")
    crm("stage silva expansion")
    return people


@pytest.mark.parametrize(
    ("kind", "door", "command", "says"), CASES, ids=[f"{k}-{d}" for k, d, _, _ in CASES]
)
def test_a_bad_value_is_refused_at_every_door(crm, story, tmp_path, kind, door, command, says):
    args = command(tmp_path, crm)
    refused = crm.fails(args, code=(1, 2), says=says)
    assert "Traceback" not in refused.stderr
    if door in ("csv", "jsonl", "vcard", "backup"):
        dry = crm.fails(f"{args} --dry-run", code=(1, 2), says=says)
        assert dry.exit_code == refused.exit_code
        assert dry.stderr == refused.stderr


def test_skip_invalid_passes_the_good_rows_and_lists_the_bad(crm, story, tmp_path):
    rows = "Good One,,\nBad Cadence,99999999999999999999,\nBad Stage,,nirvana\n"
    path = tmp_path / "mixed.csv"
    path.write_text("name,cadence_days,stage\n" + rows)
    dry = crm(f"import contacts {path} --skip-invalid --dry-run")
    real = crm(f"import contacts {path} --skip-invalid")
    assert "line 3: bad cadence" in real.stderr and "line 4: unknown stage" in real.stderr
    assert dry.stderr.replace("would import", "imported") == real.stderr
    names = {c["name"] for c in crm.json("contact list -f json")}
    assert "Good One" in names and not {"Bad Cadence", "Bad Stage"} & names


def write_unchecked(db, statements):
    """Rows as an older crm, a hand in `sqlite3`, or another program might have left them."""
    import sqlite3

    conn = sqlite3.connect(db)
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


UNCHECKED = [
    "INSERT INTO special_dates (uid, contact_id, label, month, day, year, created) "
    "VALUES ('bad-date', 1, 'birthday', 2, 30, NULL, '2026-11-01')",
    "UPDATE contacts SET stage = 'nirvana', acquisition_cost = 'lots' WHERE id = 2",
    "INSERT INTO interactions (uid, happened_at, summary, created, channel) "
    "VALUES ('bad-when', 'garbage', 'x', '2026-11-01', 'fax')",
    "INSERT INTO interaction_contacts VALUES (3, 'garbage', last_insert_rowid())",
    "INSERT INTO followups (uid, contact_id, due, created) VALUES ('bad-due', 3, 'soon', '2026-11-01')",
    "INSERT INTO config (key, value) VALUES ('days', 'abc')",
    "UPDATE contacts SET extra = '[1]' WHERE id = 1",
    "UPDATE contacts SET addresses = '" + "[" * 5000 + "]" * 5000 + "' WHERE id = 3",
]


def test_doctor_finds_rows_written_unchecked(crm, people):
    write_unchecked(crm.db, UNCHECKED)
    result = crm("doctor --format json", ok=False)
    assert result.exit_code == 1 and "rules" in result.stderr
    rules = next(c for c in json.loads(result.stdout) if c["check"] == "rules")
    assert rules["ok"] is False
    for found in (
        "special_dates",
        "unknown stage 'nirvana'",
        "bad acquisition cost",
        "bad date 'garbage'",
        "unknown channel 'fax'",
        "bad due date 'soon'",
        "config days='abc'",
        "contacts 1: bad vCard line '1'",
        "contacts 3: addresses is not a JSON list",
    ):
        assert found in rules["detail"], found


def test_reports_survive_rows_written_unchecked(crm, people):
    write_unchecked(crm.db, UNCHECKED)
    for command in (
        "calendar", "upcoming", "contact show silva", "contact show bruno", "contact show anabela",
        "report value", "digest", 'log silva "call"', "overdue", "followup list", "export all -f json",
        "report activity", "report retention", "report satisfaction",
    ):  # fmt: skip
        result = crm(command, ok=False)
        assert (
            "Traceback" not in result.stderr
            and result.exception is None
            or isinstance(result.exception, SystemExit)
        ), (command, result.exception)
        if result.exit_code:
            assert "crm doctor" in result.stderr, (command, result.stderr)


def test_a_vcard_field_crm_cannot_take_is_kept_aside_never_stored_as_the_field(crm, tmp_path):
    """An address book's card is refused only when it has no identity (issue 14); a bad field
    is refused as that field — 30 February never becomes a birthday — and kept as written in
    the card's extra lines, named in a warning, so nothing is lost."""
    path = vcard_file(tmp_path, ["FN:Zed", "EMAIL:Zed <zed@example.com>", "EMAIL:bad@",
                                 "URL:http://example.com/a b", "BDAY:1985-02-30",
                                 "UID:{3F2504E0-4F89-11D3-9A0C-0305E82C3301}"])  # fmt: skip
    result = crm(f"vcard import {path}")
    for field in ("EMAIL", "URL", "BDAY"):
        assert f"card 1: {field} kept as written" in result.stderr, field
    zed = crm.json("contact show zed -f json")
    assert zed["emails"] == ["zed@example.com"] and zed["uid"].startswith("{3F2504E0")
    assert zed["extra"] == ["EMAIL:bad@", "URL:http://example.com/a b", "BDAY:1985-02-30"]
    assert crm.json("export dates --format json") == []
    assert "BDAY:1985-02-30" in crm("vcard export -").stdout
    fixed = vcard_file(tmp_path, ["FN:Zed", "EMAIL:zed@example.com", "BDAY:1985-02-28",
                                  "UID:{3F2504E0-4F89-11D3-9A0C-0305E82C3301}"])  # fmt: skip
    crm(f"vcard import {fixed} --on-duplicate update")  # fixed at the source: nothing set aside
    assert crm.json("contact show zed -f json")["extra"] == []
    assert crm("vcard export -").stdout.count("BDAY") == 1


def test_doctor_reads_stored_lists_strictly_and_checks_the_trash(crm, people):
    """A list column holding an object, an infinite number or JSON nested too deep, and a
    trash entry whose record breaks a rule: each is a finding, not a crash."""
    crm("contact delete anabela --yes")
    write_unchecked(crm.db, [
        """UPDATE contacts SET urls = '{"a": 1}' WHERE id = 1""",
        "UPDATE contacts SET urls = '[1e999]' WHERE id = 2",
        """UPDATE trash SET payload = replace(payload, '"extra": []', '"extra": 5')""",
    ])  # fmt: skip
    result = crm("doctor --format json", ok=False)
    rules = next(c for c in json.loads(result.stdout) if c["check"] == "rules")["detail"]
    assert "contacts 1: urls is not a JSON list" in rules
    assert "contacts 2: urls is not a JSON list: '[1e999]'" in rules
    assert "trash 1 (Anabela Rocha):" in rules
