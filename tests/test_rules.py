"""The record rules (crmcli/rules.py) and the report arithmetic, as functions: their boundaries,
where a mutation of one comparison would otherwise go unseen."""

import datetime as dt

import pytest

from crmcli import insights, rules
from crmcli.errors import CrmError


def date(label, month, day, year=None, id=None):
    return {"id": id, "label": label, "month": month, "day": day, "year": year}


def test_labels_fold_case_accents_and_spacing():
    assert rules.label_key("Name  Day") == rules.label_key("NAME DAY")
    assert rules.label_key("Namensträger") == rules.label_key("Namenstra\u0308ger".upper())
    assert rules.label_key("birthday") != rules.label_key("birthdays")


def test_one_per_label_keeps_the_first_and_the_fuller_form_of_one_day():
    kept, notes = rules.one_per_label(
        [date("anniversary", 6, 12), date("Anniversary", 6, 12, 2010), date("anniversary", 7, 1)]
    )
    assert kept == [date("anniversary", 6, 12, 2010)]
    assert notes == [
        "two anniversary dates (2010-06-12 and --07-01): the first is kept (one date per label)"
    ]


def test_a_plan_changes_in_place_adds_new_labels_and_removes_only_when_replacing():
    stored = [date("birthday", 3, 14, 1985, id=1), date("met", 1, 1, id=2)]
    plan = rules.plan_dates(stored, [date("Birthday", 3, 15, 1985), date("wedding", 5, 5)], False)
    assert plan.change == [(1, date("Birthday", 3, 15, 1985))]
    assert plan.add == [date("wedding", 5, 5)] and plan.remove == []
    replaced = rules.plan_dates(stored, [date("birthday", 3, 14, 1985)], True)
    assert replaced.change == [] and replaced.remove == [2]
    yearless = rules.plan_dates(stored, [date("birthday", 3, 14)], False)
    assert yearless.change == [] and yearless.add == []  # says less than what is stored


def test_merge_moves_new_labels_fills_a_year_and_reports_a_clash():
    keep = [date("birthday", 3, 14, id=1)]
    other = [date("BIRTHDAY", 3, 14, 1985, id=5), date("graduation", 7, 1, id=6)]
    moved, filled, notes = rules.merge_dates(keep, other)
    assert moved == [6] and filled == [{"id": 1, "year": 1985}] and notes == []
    _, _, clash = rules.merge_dates(keep, [date("birthday", 3, 15, id=7)])
    assert clash and "left out" in clash[0]


def test_the_future_starts_tomorrow():
    today = dt.date(2026, 11, 24)
    rules.not_in_future(today, today, "--when")
    rules.not_in_future(dt.datetime(2026, 11, 24, 23, 59), today, "--when")
    with pytest.raises(CrmError, match="in the future"):
        rules.not_in_future(dt.date(2026, 11, 25), today, "--when")
    rules.not_in_future(dt.date(2026, 11, 25), today, "--when", allow=True)


def test_an_origin_is_the_row_and_its_people_whatever_their_order():
    row = {"happened_at": "2026-11-01", "summary": "lunch", "amount": 80.0}
    assert rules.origin_key(row, ["a", "b"]) == rules.origin_key(row, ["b", "a"])
    assert rules.origin_key(row, ["a"]) != rules.origin_key(row, ["b"])
    assert rules.origin_key(row, ["a"]) != rules.origin_key({**row, "amount": 81.0}, ["a"])
    assert rules.origin_key(row, ["a"]).startswith("row:")


def test_an_amount_is_split_evenly_and_nothing_is_counted_twice():
    assert rules.amount_share(100.0, 2) == 50.0
    assert rules.amount_share(100.0, 0) == 100.0  # an interaction whose people are gone
    assert rules.amount_share(None, 3) is None


@pytest.mark.parametrize(
    ("first", "second", "region", "same"),
    [
        ("+351 912 345 678", "912345678", None, True),
        ("+351 912 345 678", "00351912345678", None, True),
        ("+351 912 345 678", "+351 912 345 679", None, False),
        ("+1 555 0100 ext. 5", "+1 555 0100 ext. 6", None, False),
        ("0664 1234567", "+43 664 1234567", "AT", True),
    ],
)
def test_phones_are_one_number_however_written(first, second, region, same):
    assert rules.same_phone(first, second, region) is same


def test_emails_compare_in_one_case_and_one_unicode_form():
    assert rules.email_key("José@Example.com") == rules.email_key("Jose\u0301@example.COM")
    assert rules.unique_emails(["a@x.pt", "A@X.PT", "b@x.pt"]) == ["a@x.pt", "b@x.pt"]


def feedback(score, scale=10):
    return {"score": score, "scale": scale}


@pytest.mark.parametrize(
    ("score", "nps"), [(6, -100.0), (7, 0.0), (8, 0.0), (9, 100.0), (0, -100.0), (10, 100.0)]
)
def test_the_nps_boundaries(score, nps):
    """0–6 detract, 7–8 are passive, 9–10 promote."""
    assert insights._nps([feedback(score)]) == nps


def test_the_nps_counts_only_the_ten_point_answers():
    assert insights._nps([feedback(5, scale=5)]) is None
    assert insights._nps([feedback(9), feedback(6), feedback(7), feedback(5, scale=5)]) == 0.0
    assert insights._is_low(feedback(6)) and not insights._is_low(feedback(7))
    assert insights._is_low(feedback(2, 5)) and not insights._is_low(feedback(3, 5))
