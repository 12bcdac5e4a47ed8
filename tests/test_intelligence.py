"""Relationship intelligence on a fixture whose answers were worked out by hand.

Today is 2026-11-24. The story:
  Ana    exploration 01-10 → awareness 02-01 → commitment 03-11 (60 days to commit);
         sales 1000 (01-15) and 500 (03-20), acquisition cost 300; scores 5/5 (10-05), 4/5 (11-10);
         four outbound touches 11-20..11-23 (one more than the default limit of 3).
  Bruno  exploration 02-01 → commitment 02-21 (20 days); sale 2000 (05-05); NPS 10 (10-20);
         three outbound touches 11-21..11-23 (at the limit, not over it).
  Carla  exploration 03-01 → commitment 05-10 (70 days) → dissolution 10-01 "moved abroad"
         (214 days); NPS 3 (11-02) and not contacted since.
  Dave   exploration 06-01 → dissolution 07-01 "no budget" (30 days); cost 400, no sales;
         2/5 (11-03) but called back on 11-05.
"""

import json

import pytest

_STORY: dict = {}  # the story's database, written once per test process and copied after


@pytest.fixture
def story(crm):
    if _STORY:
        _copy(_STORY["db"], crm.db)
        return _STORY["ids"]
    ids = _tell_story(crm)
    _STORY["db"] = crm.db.with_name("story-template.db")
    _copy(crm.db, _STORY["db"])
    _STORY["ids"] = ids
    return ids


def _copy(source, target) -> None:
    """A consistent copy of a database, WAL included (SQLite's backup)."""
    import sqlite3

    with sqlite3.connect(source) as old, sqlite3.connect(target) as new:
        old.backup(new)
    new.close()
    old.close()


def _tell_story(crm):
    ids = {name: crm.id(f'contact add "{name} Test"') for name in ("Ana", "Bruno", "Carla", "Dave")}
    for name, stage, when, reason in [
        ("Ana", "exploration", "2026-01-10", None), ("Ana", "awareness", "2026-02-01", None),
        ("Ana", "commitment", "2026-03-11", "signed"), ("Bruno", "exploration", "2026-02-01", None),
        ("Bruno", "commitment", "2026-02-21", None), ("Carla", "exploration", "2026-03-01", None),
        ("Carla", "commitment", "2026-05-10", None), ("Carla", "dissolution", "2026-10-01", "moved abroad"),
        ("Dave", "exploration", "2026-06-01", None), ("Dave", "dissolution", "2026-07-01", "no budget"),
    ]:  # fmt: skip
        crm(
            ["stage", str(ids[name]), stage, "--when", when]
            + (["--reason", reason] if reason else [])
        )
    crm(f'log {ids["Ana"]} "workshop sale" --amount 1000 --when 2026-01-15')
    crm(f'log {ids["Ana"]} "follow-on sale" --amount 500 --when 2026-03-20')
    crm(f'log {ids["Bruno"]} "big project" --amount 2000 --when 2026-05-05')
    crm(f"contact edit {ids['Ana']} --acquisition-cost 300")
    crm(f"contact edit {ids['Dave']} --acquisition-cost 400")
    crm(f'feedback {ids["Ana"]} 5 "loved it" --when 2026-10-05')
    crm(f"feedback {ids['Ana']} 4 --when 2026-11-10")
    crm(f"feedback {ids['Bruno']} 10 --scale 10 --when 2026-10-20")
    crm(f'feedback {ids["Carla"]} 3 "too slow" --scale 10 --when 2026-11-02')
    crm(f'feedback {ids["Dave"]} 2 "late" --when 2026-11-03')
    crm(f'log {ids["Dave"]} "called to apologise" --when 2026-11-05')
    for day in (20, 21, 22, 23):
        crm(f'log {ids["Ana"]} "nudge {day}" --when 2026-11-{day}')
    for day in (21, 22, 23):
        crm(f'log {ids["Bruno"]} "nudge {day}" --when 2026-11-{day}')
    return ids


def test_stage_moves_are_dated_and_validated(crm, story):
    changes = crm.json(f"contact show {story['Carla']} -f json")["stage_changes"]
    assert [(c["from_stage"], c["to_stage"], c["changed_at"]) for c in changes] == [
        (None, "exploration", "2026-03-01"),
        ("exploration", "commitment", "2026-05-10"),
        ("commitment", "dissolution", "2026-10-01"),
    ]
    assert changes[-1]["reason"] == "moved abroad"
    crm.fails(f"stage {story['Ana']} sleeping", code=2, says="unknown stage")
    crm.fails(f"stage {story['Ana']} commitment", says="already in stage commitment")


def test_retention_report(crm, story):
    report = json.loads(crm("report retention --since 2026-06-01 -f json").stdout)
    stages = {row["stage"]: row["contacts"] for row in report["stages"]}
    assert (stages["commitment"], stages["dissolution"], stages["exploration"]) == (2, 2, 0)
    flows = {row["stage"]: (row["entered"], row["left"]) for row in report["flows"]}
    assert flows["exploration"] == (1, 1)
    assert flows["commitment"] == (0, 1)
    assert flows["dissolution"] == (2, 0)
    assert [(d["contact"], d["date"], d["reason"]) for d in report["dissolutions"]] == [
        ("Dave Test", "2026-07-01", "no budget"), ("Carla Test", "2026-10-01", "moved abroad"),
    ]  # fmt: skip
    assert report["median_days_exploration_to_commitment"] == 60  # of 60, 20, 70
    assert report["median_days_dissolved_relationship"] == 122  # of 214 and 30
    text = crm("report retention --since 2026-06-01").stdout
    assert "median days from exploration to commitment: 60" in text and "moved abroad" in text


def test_relationship_types_are_validated_listed_and_counted(crm, story):
    crm(f"contact edit {story['Ana']} --relationship dedicated")
    crm(f"contact edit {story['Bruno']} --relationship co-creation")
    assert crm("contact list --relationship dedicated -q").stdout.split() == [str(story["Ana"])]
    counts = {
        r["relationship"]: r["contacts"]
        for r in crm.json("report retention -f json")["relationships"]
    }
    assert counts == {"none": 2, "dedicated": 1, "co-creation": 1}
    crm.fails(
        f"contact edit {story['Ana']} --relationship fling", code=2, says="unknown relationship"
    )


def test_satisfaction_report(crm, story):
    report = crm.json("report satisfaction -f json")
    assert report["responses"] == 5
    assert report["average_5"] == 3.67  # (5 + 4 + 2) / 3
    assert (report["nps"], report["promoters"], report["detractors"]) == (0.0, 1, 1)
    assert report["trend"] == [
        {"month": "2026-10", "responses": 2, "average_5": 5.0, "nps": 100.0},
        {"month": "2026-11", "responses": 3, "average_5": 3.0, "nps": -100.0},
    ]
    assert [
        (r["contact"], r["score"], r["scale"]) for r in report["low_scores_not_contacted_since"]
    ] == [("Carla Test", 3, 10)]


def test_feedback_is_an_interaction_with_a_validated_score(crm, story):
    rows = crm.json(f"contact show {story['Ana']} -f json")["interactions"]
    feedback = [r for r in rows if r["kind"] == "feedback"]
    assert [(r["score"], r["scale"], r["direction"]) for r in feedback] == [
        (4, 5, "in"),
        (5, 5, "in"),
    ]
    crm.fails(f"feedback {story['Ana']} 6", says="bad score 6")
    crm.fails(f"feedback {story['Ana']} 11 --scale 10", says="bad score 11")
    crm.fails(f"feedback {story['Ana']} 3 --scale 7", code=2, says="bad scale")


def test_value_report(crm, story):
    report = crm.json("report value -f json")
    rows = [
        (
            r["contact"],
            r["revenue"],
            r["cost"],
            r["lifetime_value"],
            r["first_sale"],
            r["last_sale"],
            r["months_active"],
        )
        for r in report["contacts"]
    ]
    assert rows == [
        ("Bruno Test", 2000.0, 0, 2000.0, "2026-05-05", "2026-05-05", 1),
        ("Ana Test", 1500.0, 300.0, 1200.0, "2026-01-15", "2026-03-20", 3),
        ("Dave Test", 0, 400.0, -400.0, None, None, 0),
    ]
    assert report["totals"] == {
        "revenue": 3500.0,
        "cost": 700.0,
        "lifetime_value": 2800.0,
        "clients": 2,
    }
    assert [r["contact"] for r in crm.json("report value --top 1 -f json")["contacts"]] == [
        "Bruno Test"
    ]


def test_contact_load_warns_and_reports(crm, story):
    rows = crm.json("report contact-load -f json")
    assert [(r["contact"], r["outbound"]) for r in rows] == [("Ana Test", 4)]
    assert [r["contact"] for r in crm.json("report contact-load --limit 2 -f json")] == [
        "Ana Test",
        "Bruno Test",
    ]
    warned = crm(f'log {story["Bruno"]} "one more"')
    assert "too much contact" in warned.stderr and warned.stdout.strip().isdigit()
    quiet = crm(f'log {story["Carla"]} "hello"')
    assert "too much contact" not in quiet.stderr


def test_activity_report(crm, story):
    report = crm.json("report activity --months 3 -f json")
    assert [(m["month"], m["interactions"]) for m in report["months"]] == [
        ("2026-09", 0), ("2026-10", 2), ("2026-11", 11),
    ]  # fmt: skip
    assert {p["stage"]: p["contacts"] for p in report["pipeline"]}["commitment"] == 2
    text = crm("report activity --months 3").stdout
    assert "2026-11  " + "#" * 40 + " 11" in text


def test_contact_show_is_the_one_screen(crm, story):
    page = crm.json(f"contact show {story['Ana']} -f json")
    assert (page["revenue"], page["lifetime_value"], page["last_sale"]) == (
        1500.0,
        1200.0,
        "2026-03-20",
    )
    assert (page["average_score"], page["last_feedback"]) == (4.5, "4/5")
    text = crm(f"contact show {story['Ana']}").stdout
    for part in ("lifetime_value", "stage changes", "interactions", "nudge 23"):
        assert part in text


# --------------------------------------------------------------------------- templates


def test_templates_list_show_render(crm, story):
    names = [t["name"] for t in crm.json("template list -f json")]
    assert names == [
        "thank-you",
        "apology",
        "welcome",
        "payment-reminder",
        "check-in",
        "out-of-hours",
    ]
    assert "$last_amount" in crm("template show thank-you").stdout
    message = crm(f"template render thank-you {story['Ana']}").stdout
    assert message.startswith("Hi Ana,") and "order of 500.00" in message


def test_a_missing_field_is_an_error_that_names_it(crm, story):
    crm.fails(f"template render apology {story['Bruno']}", says="needs $open_complaint")
    crm(f'complaint add {story["Bruno"]} "the report was late" --when "2026-11-24 09:00"')
    assert "the report was late" in crm(f"template render apology {story['Bruno']}").stdout
    crm.fails(f"template render payment-reminder {story['Ana']}", says="--set amount_due=")
    filled = crm(
        [
            "template",
            "render",
            "payment-reminder",
            str(story["Ana"]),
            "--set",
            "amount_due=EUR 1,200",
            "--set",
            "due_date=1 December",
        ]
    )
    assert "EUR 1,200 is due on 1 December" in filled.stdout
    crm.fails("template render nonsense 1", says="no template")


def test_user_templates_beside_the_database(crm, story):
    folder = crm.db.parent / "templates"
    folder.mkdir()
    (folder / "intro.txt").write_text("Dear $name of $company, price: $$100\n")
    assert "intro" in [t["name"] for t in crm.json("template list -f json")]
    crm.fails(f"template render intro {story['Ana']}", says="needs $company")
    crm(f"contact edit {story['Ana']} --company Acme")
    assert (
        crm(f"template render intro {story['Ana']}").stdout
        == "Dear Ana Test of Acme, price: $100\n"
    )


# --------------------------------------------------------------------------- search


def test_search_finds_people_and_interactions_with_snippets(crm, story):
    crm(f'contact edit {story["Bruno"]} --company "Workshop Studios" --note "prefers calls"')
    rows = crm.json("search workshop -f json")
    kinds = {(r["kind"], r["contact"]) for r in rows}
    assert ("interaction", "Ana Test") in kinds and ("contact", "Bruno Test") in kinds
    assert all("[" in r["snippet"] for r in rows)
    assert crm.json("search 'prefers calls' -f json")[0]["contact"] == "Bruno Test"


def test_search_copes_with_any_text(crm, story):
    for text in ['foo"bar', "AND", "NEAR(", "*", "x-y", "ção", "a:b"]:
        result = crm(["search", text, "-f", "json"])
        assert isinstance(json.loads(result.stdout), list)
    crm.fails(["search", "  "], says="search text is empty")


def test_archived_contacts_leave_the_reports(crm, story):
    crm(f"contact archive {story['Bruno']}")
    assert "Bruno Test" not in [r["contact"] for r in crm.json("report value -f json")["contacts"]]
    assert "Bruno Test" not in [
        r["contact"] for r in crm.json("report contact-load --limit 0 -f json")
    ]


def test_a_stage_nobody_is_in_is_listed_with_zero(crm, people):
    """Every stage is a row of the pipeline and of retention, whether anyone is in it or not."""
    pipeline = {r["stage"]: r["contacts"] for r in crm.json("report activity -f json")["pipeline"]}
    assert pipeline == {"exploration": 0, "awareness": 0, "expansion": 0, "commitment": 1,
                        "dissolution": 0}  # fmt: skip
    stages = {r["stage"]: r["contacts"] for r in crm.json("report retention -f json")["stages"]}
    assert stages["awareness"] == 0 and stages["commitment"] == 1 and stages["none"] == 2


def test_a_template_falls_back_to_the_last_word_of_the_name(crm):
    crm("contact add 'Maria da Graça Souza' --email m@x.br")
    crm("contact add 'Prince' --email p@x.com")
    crm("contact add 'Sean Ó Briain' --email s@x.ie --family-name 'Ó Briain' --given-name Sean")
    fill = "Dear $first_name $last_name"
    folder = crm.db.parent / "templates"
    folder.mkdir()
    (folder / "formal.txt").write_text(fill + "\n")
    assert crm("template render formal m@x.br").stdout == "Dear Maria Souza\n"
    assert crm("template render formal s@x.ie").stdout == "Dear Sean Ó Briain\n"
    refused = crm("template render formal p@x.com", ok=False)  # one word: no last name to guess
    assert refused.exit_code != 0 and "last_name" in refused.stderr


def test_a_template_speaks_of_the_last_touch_not_the_last_score(crm, people):
    crm("log silva 'call about the roadmap' --when 2026-11-10")
    crm("feedback silva 9 'great' --scale 10 --when 2026-11-20")
    text = crm("template render check-in silva").stdout
    assert "(2026-11-10)" in text and "2026-11-20" not in text
