"""Bad input: one clear stderr line, a non-zero exit, no traceback, the database unchanged."""

import pytest

BAD_INPUT = [
    # (command, exit code, what stderr must say)
    ('log nobody "call"', 1, "no contact matches"),
    ('log ana "call"', 1, "matches 2 contacts"),
    ('log "" "call"', 1, "empty contact reference"),
    ('log silva ""', 1, "summary is empty"),
    ('log silva "   "', 1, "summary is empty"),
    ('log silva "call" --when "the day after"', 1, "bad date"),
    ('log silva "call" --when 2026-02-30', 1, "no such date"),
    ('log silva "call" --when "2026-11-20 25:00"', 1, "bad time"),
    ('log silva "call" --rating 6', 1, "bad rating"),
    ('log silva "call" --rating 0', 1, "bad rating"),
    ('log silva "call" --channel pigeon', 2, "unknown channel"),
    ('log silva "call" --direction sideways', 2, "unknown direction"),
    ('log silva "call" --sentiment angry', 2, "unknown sentiment"),
    ('log silva "call" --amount -5', 1, "cannot be negative"),
    ('log silva "call" --follow-up never', 1, "bad date"),
    ('log silva "call" --follow-up-note "no date"', 2, "needs --follow-up"),
    ('log "silva,nobody" "call"', 1, "no contact matches"),
    ('contact add ""', 1, "name is empty"),
    ('contact add "   "', 1, "name is empty"),
    ("contact add Zed --every 0d", 1, "zero duration"),
    ("contact add Zed --every -3d", 1, "negative duration"),
    ("contact add Zed --every soon", 1, "bad duration"),
    ("contact add Zed --birthday 1985-02-29", 1, "no such date"),
    ("contact add Zed --birthday 13-01", 1, "no such date"),
    ("contact add Zed --birthday yesterday", 1, "bad special date"),
    ("contact add Zed --email not-an-email", 1, "bad email"),
    ("contact add Zed --phone call-me", 1, "bad phone"),
    ("contact add Zed --stage sleeping", 2, "unknown stage"),
    ("contact add Zed --relationship fling", 2, "unknown relationship"),
    ("contact add Zed --channel pigeon", 2, "unknown channel"),
    ('contact add Zed --tag "a;b"', 1, "bad tag"),
    ("contact list --format xml", 2, "unknown format"),
    ("contact list --stage sleeping", 2, "unknown stage"),
    ("contact show nobody", 1, "no contact matches"),
    ("contact show 999", 1, "no contact with id 999"),
    ("contact edit silva --stage sleeping", 2, "unknown stage"),
    ('contact edit silva --name ""', 1, "name is empty"),
    ("contact archive nobody", 1, "no contact matches"),
    ("contact delete nobody --yes", 1, "no contact matches"),
    ("date add silva birthday 2026-13-01", 1, "no such date"),
    ("date add silva '' 03-01", 1, "label is empty"),
    ("date add nobody birthday 03-01", 1, "no contact matches"),
    ("date rm 999", 1, "no special date"),
    ("followup add silva someday", 1, "bad date"),
    ("followup done 999", 1, "no follow-up"),
    ("followup snooze 999 tomorrow", 1, "no follow-up"),
    ('complaint add silva ""', 1, "summary is empty"),
    ('complaint add silva "late" --due never', 1, "bad date"),
    ("complaint respond 999", 1, "no complaint"),
    ("complaint resolve 999", 1, "no complaint"),
    ("upcoming --leap-day feb30", 2, "feb28, mar1"),
    ("digest --format xml", 2, "unknown format"),
    ("overdue --format xml", 2, "unknown format"),
    ("config set days many", 1, "bad number of days"),
    ("config set nonsense 1", 2, "unknown setting"),
    ("config get nonsense", 2, "unknown setting"),
    ("trash restore 999", 1, "no trash entry"),
    ("contact add", 2, "missing argument"),
    ("log silva", 2, "missing argument"),
    ("contact list --bogus", 2, "no such option"),
    ("followup done notanumber", 2, "'notanumber' is not a follow-up id: an id is the number"),
    ("followup done 99999999999999999999", 2, "is not a follow-up id"),
    ("contact show 99999999999999999999", 1, "no contact with id"),
    ("nonsense", 2, "no such command"),
]


@pytest.mark.parametrize(("command", "code", "says"), BAD_INPUT, ids=[c for c, _, _ in BAD_INPUT])
def test_bad_input_is_refused_cleanly(crm, people, command, code, says):
    result = crm.fails(command, code=code, says=says)
    if code == 1:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_huge_name_or_a_nul_byte_is_refused(crm, people):
    crm.fails(["contact", "add", "x" * 1_000_000], says="the limit is")
    crm.fails(["contact", "add", "Nul\x00Byte"], says="NUL byte")
    crm.fails(["log", "silva", "a\x00b"], says="NUL byte")


def test_unknown_and_ambiguous_refs_in_every_command(crm, people):
    for command in (
        "contact show {}",
        "contact edit {} --company X",
        "date add {} birthday 03-01",
        "followup add {} tomorrow",
        "complaint add {} late",
    ):
        crm.fails(command.format("nobody"), says="no contact matches")
        crm.fails(command.format("ana"), says="matches 2 contacts")


def test_already_done_followup_and_resolved_complaint(crm, people):
    followup = crm.id("followup add silva tomorrow")
    crm(f"followup done {followup}")
    crm.fails(f"followup done {followup}", says="already done")
    crm.fails(f"followup snooze {followup} friday", says="already done")
    complaint = crm.id('complaint add silva "late delivery"')
    crm(f"complaint respond {complaint}")
    crm.fails(f"complaint respond {complaint}", says="already had its first response")
    crm(f"complaint resolve {complaint}")
    crm.fails(f"complaint resolve {complaint}", says="already resolved")


def test_bad_crm_today_is_a_user_error(crm, people):
    before = crm.fingerprint()
    result = crm("overdue", ok=False, env={"CRM_TODAY": "tomorrow-ish"})
    assert result.exit_code == 1
    assert "CRM_TODAY" in result.stderr
    assert crm.fingerprint() == before


def test_a_database_path_that_cannot_be_created(crm, people, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = crm(f"--db {blocker}/crm.db contact list", ok=False)
    assert result.exit_code == 1 and "cannot create" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_edit_that_changes_nothing_is_bad_usage(crm, people):
    crm('log silva "call" --follow-up friday')
    for command in ("interaction edit 1", "followup edit 1", "contact edit silva"):
        crm.fails(command, code=2, says="nothing to change")
