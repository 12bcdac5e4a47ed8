"""crm log and crm date, through the CLI."""


def test_log_records_every_field_and_prints_the_id(crm, people):
    result = crm(
        'log silva "proposal call" --channel call --direction in --when "2026-11-20 14:30" '
        '--outcome "wants a quote" --amount 1200.50 --rating 4 --sentiment positive'
    )
    interaction_id = int(result.stdout.strip())
    [row] = crm.json("contact show silva -f json")["interactions"]
    assert row["id"] == interaction_id
    assert row["happened_at"] == "2026-11-20T14:30:00"
    assert (row["channel"], row["direction"], row["outcome"]) == ("call", "in", "wants a quote")
    assert (row["amount"], row["rating"], row["sentiment"]) == (1200.5, 4, "positive")


def test_log_defaults_to_now_and_outbound(crm, people):
    crm('log bruno "quick note"')
    [row] = crm.json("contact show bruno -f json")["interactions"]
    assert row["happened_at"].startswith("2026-11-24T")
    assert (row["channel"], row["direction"]) == ("other", "out")


def test_log_when_weekday_means_the_last_one(crm, people):
    crm('log bruno "met" --when monday')  # 2026-11-24 is a Tuesday
    assert crm.json("contact show bruno -f json")["interactions"][0]["happened_at"] == "2026-11-23"


def test_log_several_contacts_share_one_interaction(crm, people):
    interaction_id = crm.id('log "silva, bruno" "lunch"')
    for ref in ("silva", "bruno"):
        [row] = crm.json(f"contact show {ref} -f json")["interactions"]
        assert row["id"] == interaction_id
        assert row["contacts"] == "Ana Silva, Bruno Costa"


def test_log_by_email_and_id(crm, people):
    crm('log ANA@example.com "by email"')
    crm(f'log {people["bruno"]} "by id"')
    assert crm.json("contact show silva -f json")["interactions"][0]["summary"] == "by email"
    assert crm.json("contact show bruno -f json")["interactions"][0]["summary"] == "by id"


def test_ref_fragment_is_case_and_accent_insensitive(crm):
    joao = crm.id('contact add "João Gonçalves"')
    crm('log joao "olá"')
    crm('log GONCALVES "again"')
    assert crm.json(f"contact show {joao} -f json")["interaction_count"] == 2


def test_exact_name_wins_over_longer_names(crm):
    ana = crm.id('contact add "Ana"')
    crm.id('contact add "Anabela"')
    crm('log ana "hello"')
    assert crm.json(f"contact show {ana} -f json")["interaction_count"] == 1


def test_ambiguous_ref_lists_the_candidates(crm, people):
    result = crm.fails('log ana "hello"', says="matches 2 contacts")
    assert "Ana Silva <ana@example.com>" in result.stderr
    assert "Anabela Rocha <anabela@rocha.pt>" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_date_add_list_rm(crm, people):
    birthday = crm.id("date add bruno birthday 1990-02-28")
    anniversary = crm.id("date add bruno anniversary 02-29")
    other = crm.id('date add silva "company founded" 10-01')
    rows = crm.json("date list -f json")
    assert [(r["id"], r["date"]) for r in rows] == [
        (birthday, "1990-02-28"), (anniversary, "--02-29"), (people["ana"] and 1, "1985-03-14"), (other, "--10-01"),
    ]  # fmt: skip
    assert [r["label"] for r in crm.json("date list bruno -f json")] == ["birthday", "anniversary"]
    crm.fails(f"date rm {anniversary}", says="without --yes")
    crm(f"date rm {anniversary} --yes")
    assert [r["id"] for r in crm.json("date list bruno -f json")] == [birthday]


def test_birthday_option_takes_yearless_and_leap_dates(crm):
    leap = crm.id('contact add "Leo Leap" --birthday 02-29')
    assert crm.json(f"contact show {leap} -f json")["special_dates"][0]["date"] == "--02-29"
