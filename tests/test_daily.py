"""The daily question: follow-ups, cadence, upcoming dates, complaints and the digest.

Today is Tuesday 2026-11-24 unless a test moves CRM_TODAY.
"""

import datetime as dt
import json


def at(day: str) -> dict:
    return {"CRM_TODAY": day}


# --------------------------------------------------------------------------- follow-ups


def test_followup_add_done_snooze_list(crm, people):
    first = crm.id('followup add silva friday "send the quote"')
    second = crm.id("followup add bruno 2026-12-01")
    rows = crm.json("followup list -f json")
    assert [(r["id"], r["due"], r["note"]) for r in rows] == [
        (first, "2026-11-27", "send the quote"), (second, "2026-12-01", None),
    ]  # fmt: skip
    crm(f'followup done {first} --note "sent"')
    assert [r["id"] for r in crm.json("followup list -f json")] == [second]
    done = [r for r in crm.json("followup list --all -f json") if r["id"] == first][0]
    assert done["done_at"].startswith("2026-11-24") and done["done_note"] == "sent"
    crm(f"followup snooze {second} +2w")
    [snoozed] = crm.json("followup list -f json")
    assert (snoozed["due"], snoozed["snoozed"]) == ("2026-12-08", 1)


def test_log_with_follow_up_creates_one_per_contact(crm, people):
    result = crm(
        'log "silva,bruno" "workshop" --follow-up "in 2 weeks" --follow-up-note "send slides"'
    )
    interaction_id = int(result.stdout.strip())
    assert result.stdout.strip() == str(interaction_id)  # only the interaction id on stdout
    rows = crm.json("followup list -f json")
    assert [(r["contact"], r["due"], r["note"], r["interaction_id"]) for r in rows] == [
        ("Ana Silva", "2026-12-08", "send slides", interaction_id),
        ("Bruno Costa", "2026-12-08", "send slides", interaction_id),
    ]


# --------------------------------------------------------------------------- overdue


def test_overdue_followups_due_today_and_before(crm, people):
    crm('followup add bruno 2026-11-20 "call back"')
    crm('followup add bruno today "today one"')
    crm('followup add bruno tomorrow "not yet"')
    rows = [r for r in crm.json("overdue -f json") if r["kind"] == "followup"]
    assert [(r["reason"], r["due"], r["days_overdue"]) for r in rows] == [
        ("call back", "2026-11-20", 4), ("today one", "2026-11-24", 0),
    ]  # fmt: skip
    keys = {
        "kind",
        "contact_id",
        "contact",
        "due",
        "days_overdue",
        "reason",
        "last_interaction",
        "channel",
    }
    assert keys <= set(rows[0])


def test_cadence_is_due_after_more_than_n_days_and_reset_by_a_touch_kept(crm, people):
    crm('log silva "call" --when 2026-10-25')  # 30 days before today: not yet due
    assert [r for r in crm.json("overdue -f json") if r["kind"] == "cadence"] == []
    tomorrow = json.loads(crm("overdue -f json", env=at("2026-11-25")).stdout)
    [row] = [r for r in tomorrow if r["kind"] == "cadence"]
    assert (row["contact"], row["due"], row["days_overdue"], row["last_interaction"]) == (
        "Ana Silva", "2026-11-24", 1, "2026-10-25",
    )  # fmt: skip
    assert row["channel"] == "email" and row["email"] == "ana@example.com"
    crm('log silva "inbound email" --direction in --when 2026-11-20')  # waits for my answer
    later = json.loads(crm("overdue -f json", env=at("2026-11-25")).stdout)
    assert sorted(r["kind"] for r in later) == ["cadence", "reply"]
    (cadence,) = [r for r in later if r["kind"] == "cadence"]  # why last contact is not the 20th
    assert cadence["reason"].endswith(
        "last contact 31 days ago (a message since waits for your reply)"
    )
    crm('log silva "called back" --channel call --when 2026-11-21')  # a call answers it
    assert json.loads(crm("overdue -f json", env=at("2026-11-25")).stdout) == []


def test_cadence_of_a_never_contacted_contact_counts_from_creation(crm, people):
    rows = json.loads(crm("overdue -f json", env=at("2026-12-25")).stdout)
    [row] = [r for r in rows if r["kind"] == "cadence"]
    assert row["last_interaction"] is None and row["days_overdue"] == 1
    assert "never contacted" in row["reason"]


def test_overdue_is_most_overdue_first_and_skips_archived(crm, people):
    crm('followup add bruno 2026-11-01 "old"')
    crm('followup add anabela 2026-11-22 "recent"')
    crm('log silva "call" --when 2026-09-01')
    rows = crm.json("overdue -f json")
    assert [r["contact"] for r in rows] == ["Ana Silva", "Bruno Costa", "Anabela Rocha"]
    assert [r["days_overdue"] for r in rows] == [54, 23, 2]
    crm("contact archive bruno")
    assert [r["contact"] for r in crm.json("overdue -f json")] == ["Ana Silva", "Anabela Rocha"]


def test_snoozed_followup_leaves_overdue_until_its_new_day(crm, people):
    followup = crm.id("followup add bruno yesterday")
    crm(f"followup snooze {followup} thursday")
    assert crm.json("overdue -f json") == []
    rows = json.loads(crm("overdue -f json", env=at("2026-11-26")).stdout)
    assert [(r["kind"], r["days_overdue"]) for r in rows] == [("followup", 0)]


# --------------------------------------------------------------------------- upcoming


def test_upcoming_soonest_first_with_age_and_yearless(crm, people):
    crm("date add bruno birthday 1990-11-30")
    crm("date add anabela anniversary 12-02")
    crm("date add bruno anniversary 2016-11-24")
    rows = crm.json("upcoming -f json")
    assert [(r["contact"], r["label"], r["date"], r["in_days"], r["years"]) for r in rows] == [
        ("Bruno Costa", "anniversary", "2026-11-24", 0, 10),
        ("Bruno Costa", "birthday", "2026-11-30", 6, 36),
        ("Anabela Rocha", "anniversary", "2026-12-02", 8, None),
    ]
    assert [r["date"] for r in crm.json("upcoming --days 6 -f json")] == [
        "2026-11-24",
        "2026-11-30",
    ]


def test_upcoming_wraps_the_year_end(crm, people):
    crm("date add bruno birthday 1990-01-03")
    crm("date add anabela birthday 12-30")
    rows = json.loads(crm("upcoming --days 14 -f json", env=at("2026-12-28")).stdout)
    assert [(r["date"], r["in_days"], r["years"]) for r in rows] == [
        ("2026-12-30", 2, None), ("2027-01-03", 6, 37),
    ]  # fmt: skip


def test_leap_day_birthdays(crm):
    leo = crm.id('contact add "Leo Leap" --birthday 2000-02-29')
    feb28 = json.loads(crm("upcoming --days 3 -f json", env=at("2027-02-27")).stdout)
    assert [(r["date"], r["years"]) for r in feb28] == [("2027-02-28", 27)]
    mar1 = json.loads(crm("upcoming --days 3 --leap-day mar1 -f json", env=at("2027-02-27")).stdout)
    assert [(r["date"], r["years"]) for r in mar1] == [("2027-03-01", 27)]
    leap_year = json.loads(crm("upcoming --days 3 -f json", env=at("2028-02-27")).stdout)
    assert [(r["date"], r["years"]) for r in leap_year] == [("2028-02-29", 28)]
    crm("config set leap_day mar1")
    assert (
        json.loads(crm("upcoming --days 3 -f json", env=at("2027-02-27")).stdout)[0]["date"]
        == "2027-03-01"
    )
    assert leo


def test_a_date_in_the_future_is_not_an_anniversary_yet(crm, people):
    crm("date add bruno anniversary 2027-11-30")
    assert crm.json("upcoming -f json") == []


# --------------------------------------------------------------------------- complaints


def test_complaint_lifecycle_and_report(crm, people):
    first = crm.id('complaint add silva "invoice wrong" --when "2026-11-20 09:00"')
    second = crm.id('complaint add bruno "late delivery" --when "2026-11-24 08:00" --due 3d')
    rows = crm.json("complaints -f json")
    assert [r["id"] for r in rows] == [first, second]  # oldest first
    old, new = rows
    assert (old["due"], old["age_days"], old["breached"], old["responded"]) == (
        "2026-11-22T09:00:00",
        4,
        True,
        False,
    )
    assert (new["due"], new["age_days"], new["breached"], new["responded"]) == (
        "2026-11-27T08:00:00",
        0,
        False,
        False,
    )
    crm(f'complaint respond {second} "called them"')
    assert crm.json("complaints -f json")[1]["responded"] is True
    crm(f'complaint resolve {first} --note "credit note sent"')
    assert [r["id"] for r in crm.json("complaints -f json")] == [second]
    assert [r["id"] for r in crm.json("complaints --all -f json")] == [first, second]
    assert [r["id"] for r in crm.json("complaint list --all -f json")] == [first, second]


def test_sla_boundary_is_not_a_breach(crm, people):
    # Due at the end of today: not breached today, breached tomorrow.
    complaint = crm.id('complaint add silva "boundary" --due today')
    assert crm.json("complaints -f json")[0]["breached"] is False
    rows = json.loads(crm("complaints -f json", env=at("2026-11-25")).stdout)
    assert rows[0]["id"] == complaint and rows[0]["breached"] is True


def test_default_sla_is_configurable(crm, people):
    crm("config set sla 24h")
    crm('complaint add silva "slow" --when "2026-11-23 10:00"')
    assert crm.json("complaints -f json")[0]["due"] == "2026-11-24T10:00:00"


def test_log_complaint_opens_one_and_negative_sentiment_only_hints(crm, people):
    result = crm('log silva "shouted about the bill" --sentiment negative')
    assert "crm complaint add" in result.stderr
    assert crm.json("complaints -f json") == []
    interaction_id = crm.id('log silva "wrong invoice again" --complaint --when "2026-11-24 09:00"')
    [row] = crm.json("complaints -f json")
    assert (row["summary"], row["interaction_id"], row["due"]) == (
        "wrong invoice again",
        interaction_id,
        "2026-11-26T09:00:00",
    )


# --------------------------------------------------------------------------- digest


def _busy_day(crm):
    crm('followup add bruno 2026-11-20 "call back"')
    crm("date add bruno birthday 1990-11-26")
    crm('complaint add silva "invoice wrong" --when "2026-11-20 09:00"')


def test_digest_plain_has_summary_and_three_sections(crm, people):
    _busy_day(crm)
    out = crm("digest").stdout
    lines = out.splitlines()
    assert lines[0] == "crm digest for 2026-11-24"
    assert lines[1].startswith("1 overdue · 1 birthday in the next 7 days")
    assert "1 complaint past SLA" in lines[1]
    for title in ("Overdue (1)", "Upcoming (1)", "Open complaints (1)"):
        assert title in out
    assert "\x1b[" not in out


def test_digest_json_holds_the_report_rows(crm, people):
    _busy_day(crm)
    report = crm.json("digest -f json")
    assert report["overdue"] == crm.json("overdue -f json")
    assert report["upcoming"] == crm.json("upcoming -f json")
    assert report["complaints"] == crm.json("complaints -f json")
    assert report["summary"].startswith("1 overdue")


def test_digest_markdown_has_a_heading_per_section(crm, people):
    _busy_day(crm)
    out = crm("digest --format markdown").stdout
    headings = [line for line in out.splitlines() if line.startswith("# ")]
    assert headings == [
        "# crm digest for 2026-11-24",
        "# Overdue (1)",
        "# Upcoming (1)",
        "# Open complaints (1)",
    ]
    assert "| Bruno Costa |" in out or "Bruno Costa" in out


def test_digest_quiet_if_empty(crm, people):
    result = crm("digest --quiet-if-empty")
    assert result.stdout == "" and result.exit_code == 0
    _busy_day(crm)
    assert "Overdue" in crm("digest --quiet-if-empty").stdout


def test_digest_reports_missed_days_and_the_dates_they_hid(crm, people):
    crm("date add bruno birthday 1990-11-21")
    crm("digest", env=at("2026-11-19"))
    report = json.loads(crm("digest -f json").stdout)
    assert report["last_run"] == "2026-11-19" and report["missed_days"] == 4
    assert [(r["contact"], r["date"], r["years"]) for r in report["missed"]] == [
        ("Bruno Costa", "2026-11-21", 36)
    ]
    assert "4 days missed since 2026-11-19" in report["summary"]
    # ran today: nothing missed any more, and a quiet digest stays quiet
    assert json.loads(crm("digest -f json").stdout)["missed_days"] == 0


def test_a_digest_that_could_not_be_written_is_no_run(crm, people, tmp_path):
    """The cron mail never went out (a full disk, a closed pipe): the next digest still lists
    what fell that day, under Missed."""
    import subprocess

    from conftest import crm_env_for_process
    from test_process import CRM

    crm("date add bruno birthday 1990-11-21")
    crm("digest", env=at("2026-11-19"))
    env = {**crm_env_for_process(crm.db), "CRM_TODAY": "2026-11-22"}
    with open("/dev/full", "w") as full:
        failed = subprocess.run([CRM, "digest"], stdout=full, stderr=subprocess.PIPE, text=True,
                                env=env)  # fmt: skip
    assert failed.returncode == 1 and "full" in failed.stderr
    report = json.loads(crm("digest -f json").stdout)
    assert report["last_run"] == "2026-11-19"
    assert [r["contact"] for r in report["missed"]] == ["Bruno Costa"]


# --------------------------------------------------------------------------- config


def test_config_list_get_set(crm):
    crm("db init")
    keys = {row["key"] for row in crm.json("config list -f json")}
    assert {"sla", "days", "leap_day", "cadence", "week_start"} <= keys
    assert crm("config get days").stdout.strip() == "14"
    crm("config set days 30")
    assert crm("config get days").stdout.strip() == "30"
    crm("config set cadence 6w")
    new = crm.id('contact add "New Person"')
    assert crm.json(f"contact show {new} -f json")["cadence_days"] == 42


def test_the_headline_counts_birthdays_as_the_section_lists_them(crm, people):
    """A rolling week, whatever the day: on a Sunday a birthday on Wednesday is one in the next
    7 days (it was "0 birthdays this week", above it). `week_ends` stays in the JSON."""
    crm("date add bruno birthday 1990-11-29")  # Sunday
    crm("date add anabela birthday 1990-12-01")  # Tuesday of next week: the 8th day
    report = crm.json("digest -f json")
    assert (
        "1 birthday in the next 7 days" in report["summary"] and report["week_ends"] == "2026-11-29"
    )
    sunday = json.loads(crm("digest -f json", env=at("2026-11-29")).stdout)
    assert "2 birthdays in the next 7 days" in sunday["summary"]
    crm("config set week_start sunday")  # the week's end moves; the rolling count does not
    assert crm.json("digest -f json")["week_ends"] == "2026-11-28"


def test_counts_in_messages_agree_with_their_number(crm, people):
    assert "no special dates in the next 1 day\n" in crm("upcoming --days 1 -f plain").stderr
    assert "in the next 2 days" in crm("upcoming --days 2 -f plain").stderr
    said = crm("report contact-load --days 1 --limit 1 -f plain").stderr
    assert "nobody had more than 1 outbound touch in 1 day" in said


def test_a_command_that_fails_leaves_no_database_it_made(crm, tmp_path):
    """A mistyped CRM_DB under cron: the failed import used to leave typo/crm.db behind, and
    every later digest read that empty database and said nothing."""
    typo = tmp_path / "typo" / "deep" / "crm.db"
    failed = crm(["--db", str(typo), "import", "contacts", str(tmp_path / "missing.csv")], ok=False)
    assert failed.exit_code == 1 and not (tmp_path / "typo").exists()
    refused = crm(["--db", str(typo), "contact", "add", "Ana", "--email", "bad@"], ok=False)
    assert refused.exit_code == 1 and not (tmp_path / "typo").exists()
    digest = crm(["--db", str(typo), "digest"], ok=False)
    assert digest.exit_code == 1 and "no crm database at" in digest.stderr
    crm(["--db", str(typo), "contact", "add", "Ana"])  # a write that works makes it
    assert typo.exists()


def test_nobody_is_listed_twice_in_the_digests_overdue(crm):
    crm("contact add 'Ana Silva' --every 7d")
    crm("log ana call --when 2026-11-01")
    crm("followup add ana 2026-11-20 'send proposal'")
    report = crm.json("digest -f json")
    (row,) = report["overdue"]  # the follow-up first: what a narrow table cuts is the cadence
    assert row["kind"] == "followup" and row["reason"].startswith("send proposal; also: every 7")
    assert report["summary"].startswith("1 overdue")
    assert sorted(r["kind"] for r in crm.json("overdue -f json")) == ["cadence", "followup"]


# --------------------------------------------------------------------------- awaiting my reply


def test_a_message_waiting_for_my_answer_is_overdue_until_answered(crm, people):
    crm("log silva 'Urgent: can you review the contract?' --channel email --direction in "
        "--when 2026-11-20")  # fmt: skip
    early = json.loads(crm("overdue -f json", env=at("2026-11-21")).stdout)
    assert [r["kind"] for r in early] == []  # 2 days is the default time to answer: due the 22nd
    on_the_day = json.loads(crm("overdue -f json", env=at("2026-11-22")).stdout)
    assert [(r["kind"], r["days_overdue"]) for r in on_the_day] == [("reply", 0)]
    rows = json.loads(crm("overdue -f json", env=at("2026-11-24")).stdout)
    (reply,) = [r for r in rows if r["kind"] == "reply"]
    assert (reply["contact"], reply["due"], reply["days_overdue"]) == ("Ana Silva", "2026-11-22", 2)
    assert reply["reason"] == "Urgent: can you review the contract? (waiting 4 days)"
    digest = json.loads(crm("digest -f json", env=at("2026-11-24")).stdout)
    assert [r["kind"] for r in digest["overdue"]] == ["reply"]  # the most pressing first
    crm("log silva 'sent my comments' --channel email --when 2026-11-24")  # answered: it leaves
    assert [r for r in json.loads(crm("overdue -f json", env=at("2026-11-24")).stdout)
            if r["kind"] == "reply"] == []  # fmt: skip


def test_how_long_a_message_may_wait_is_a_setting_and_a_contacts_own(crm, people):
    crm("log bruno 'a question' --channel message --direction in --when 2026-11-21")
    crm(
        "log anabela 'thanks for lunch' --channel email --direction in --when 2026-11-20 --no-reply"
    )
    assert [r["contact"] for r in crm.json("overdue -f json") if r["kind"] == "reply"] == [
        "Bruno Costa"
    ]
    crm("contact edit bruno --reply-within 5d")  # a partner: answered within the week is fine
    assert [r for r in crm.json("overdue -f json") if r["kind"] == "reply"] == []
    crm("config set reply_within off")  # the contact's own still holds
    assert [r["contact"] for r in json.loads(crm("overdue -f json", env=at("2026-11-27")).stdout)
            if r["kind"] == "reply"] == ["Bruno Costa"]  # fmt: skip
    crm.fails("contact edit bruno --reply-within 0d", says="zero duration")


def test_a_tag_has_its_own_cadence_and_reply_time(crm, people):
    """Ana (client, her own 30 days), Bruno (partner, none of his own), Anabela (no tag)."""
    crm("config set cadence.partner 7d")
    crm("config set reply_within.partner 5d")
    crm("log bruno 'lunch' --when 2026-11-10")
    rows = crm.json("overdue -f json")
    (bruno,) = [r for r in rows if r["contact"] == "Bruno Costa"]
    assert bruno["kind"] == "cadence" and bruno["reason"].startswith("every 7 days")
    crm("config set cadence.client 1d")  # Ana's own cadence wins over her tag's
    assert all(r["contact"] != "Ana Silva" or "every 30 days" in r["reason"]
               for r in crm.json("overdue -f json"))  # fmt: skip
    crm("log bruno 'a question' --channel email --direction in --when 2026-11-21")
    assert [r for r in crm.json("overdue -f json") if r["kind"] == "reply"] == []  # 5 days
    later = json.loads(crm("overdue -f json", env=at("2026-11-27")).stdout)
    assert [r["contact"] for r in later if r["kind"] == "reply"] == ["Bruno Costa"]
    listed = {r["key"]: r["value"] for r in crm.json("config list -f json")}
    assert listed["cadence.partner"] == "7d" and listed["reply_within.partner"] == "5d"
    crm.fails("config set cadence.bad,tag 7d", says="tag")
    crm.fails("config set colour.partner red", code=2, says="unknown setting")


def test_suggest_ranks_who_to_reach_next_with_the_reason(crm):
    """Nobody is due yet: who next, by how far through their cadence, lifted by their value
    and a good last touch; never who is already overdue (that is `crm overdue`), nor who asked
    not to be contacted."""
    for args in ("'Ana Silva' --every 30d", "'Bruno Costa' --every 30d", "'Cara Dias' --every 10d",
                 "'Dora Quiet' --every 10d --do-not-contact", "'Eva Late' --every 5d",
                 "'Fay Tagged' --tag client"):  # fmt: skip
        crm(f"contact add {args}")
    crm("config set cadence.client 60d")
    crm("log ana lunch --when '20 days ago' --amount 900")
    crm("log bruno call --when '20 days ago' --sentiment positive")
    crm("log cara call --when '3 days ago'")
    crm("log dora call --when '9 days ago'")
    crm("log eva call --when '9 days ago'")
    crm("log fay call --when '30 days ago'")
    rows = crm.json("suggest -f json")
    assert [r["contact"] for r in rows] == ["Ana Silva", "Bruno Costa", "Fay Tagged", "Cara Dias"]
    assert rows[0]["reason"] == ("67% through every 30 days (last contact 20 days ago); "
                                 "lifetime value 900.00")  # fmt: skip
    assert rows[1]["reason"].endswith("last touch positive")
    assert [r["contact"] for r in crm.json("suggest 2 -f json")] == ["Ana Silva", "Bruno Costa"]
    assert "Eva Late" in {r["contact"] for r in crm.json("overdue -f json")}


def test_an_ideal_interval_and_a_maximum(crm):
    """--every 30d --at-most 45d: due at 30 (crm suggest says so), overdue at 45."""
    crm("contact add 'Ana Silva' --every 30d --at-most 45d")
    crm("log ana call --when 2026-10-20")  # 35 days before today
    assert crm.json("overdue -f json") == []
    (due,) = crm.json("suggest -f json")
    assert due["reason"].startswith("due: 117% through every 30 days")
    later = json.loads(crm("overdue -f json", env=at("2026-12-05")).stdout)
    (row,) = later
    assert (row["due"], row["days_overdue"]) == ("2026-12-04", 1)
    assert row["reason"].startswith("every 30 days, at most 45; last contact 46 days ago")
    assert crm.json("contact show ana -f json")["at_most"] == 45
    crm("contact edit ana --at-most off")  # back to one interval: overdue at 30
    assert [r["contact"] for r in crm.json("overdue -f json")] == ["Ana Silva"]


def test_a_contacts_time_zone_across_a_change_of_summer_time():
    """Lisbon and New York change to summer time two weeks apart (14 and 28 March 2027): a 15:00
    meeting in Lisbon is 11:00 for them on the 20th, 10:00 on the 30th."""
    from zoneinfo import ZoneInfo

    from crmcli.when import their_time

    lisbon = ZoneInfo("Europe/Lisbon")
    assert (
        their_time(dt.datetime(2027, 3, 10, 15), "America/New_York", lisbon)
        == "10:00 America/New_York"
    )
    assert (
        their_time(dt.datetime(2027, 3, 20, 15), "America/New_York", lisbon)
        == "11:00 America/New_York"
    )
    assert (
        their_time(dt.datetime(2027, 3, 30, 15), "America/New_York", lisbon)
        == "10:00 America/New_York"
    )
    assert their_time("2027-03-30T23:30:00", "Asia/Tokyo", lisbon) == "Wed 07:30 Asia/Tokyo"
    assert their_time(dt.datetime(2027, 3, 30, 15), None, lisbon) is None


def test_a_contacts_time_zone_is_shown_where_it_helps(crm):
    crm("config set me me@example.com")
    crm.fails(
        "contact add 'Kenji Tanaka' --tz Mars/Olympus", says="unknown time zone 'Mars/Olympus'"
    )
    crm.fails("contact add 'Kenji Tanaka' --tz ../../etc/passwd", says="unknown time zone")
    crm("contact add 'Kenji Tanaka' --email kenji@example.jp --tz Asia/Tokyo")
    assert crm.json("contact show kenji -f json")["their_time"].endswith("Asia/Tokyo")
    crm("log kenji 'can we meet?' --channel email --direction in --when 2026-11-20")
    (reply,) = [r for r in crm.json("overdue -f json") if r["kind"] == "reply"]
    assert reply["their_time"].endswith("Asia/Tokyo") and reply["reason"].endswith("for them")
    crm("contact edit kenji --tz ''")  # cleared
    assert "their_time" not in crm.json("contact show kenji -f json")


def test_off_silences_a_contact_or_a_tag_and_a_day_alone_answers_the_day(crm):
    """From a user's review: --reply-within off and reply_within.TAG off were read as "use the
    setting"; an answer logged with a day alone did not answer that day's mail; suggest
    offered someone waiting on me."""
    crm("contact add 'Ana Silva' --reply-within off --every 30d")
    crm("contact add 'Bo News' --tag news")
    crm("contact add 'Cy Call' --every 30d")
    for who in ("ana", "bo", "cy"):
        crm(f"log '{who}' 'a question' --channel email --direction in --when 2026-11-18T10:00")
    crm("config set reply_within.news off")
    kinds = {(r["contact"], r["kind"]) for r in crm.json("overdue -f json")}
    assert ("Ana Silva", "reply") not in kinds and ("Bo News", "reply") not in kinds
    assert ("Cy Call", "reply") in kinds
    assert "Cy Call" not in {r["contact"] for r in crm.json("suggest -f json")}  # waits on me
    crm("log cy 'called back' --channel call --when 2026-11-18")  # that day, no time given
    assert ("Cy Call", "reply") not in {
        (r["contact"], r["kind"]) for r in crm.json("overdue -f json")
    }
    crm("config set cadence.news off")  # a tag's own off: never a cadence prompt either
    assert crm.json("config list -f json") and all(
        r["contact"] != "Bo News" for r in crm.json("overdue -f json")
    )
