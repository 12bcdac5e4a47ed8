"""The data layer on its own: opening, refusing, migrating, permissions, queries."""

import datetime as dt
import os
import sqlite3
import stat

import pytest

from crmcli import contacts, migrations, reports
from crmcli.dbfile import APPLICATION_ID
from crmcli.errors import CrmError, DatabaseRefused
from crmcli.store import open_store

NOW = dt.datetime(2026, 11, 24, 10, 0)
TODAY = NOW.date()


def sha(path):
    return path.read_bytes()


def test_new_database_is_owner_only_even_under_a_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        store = open_store(tmp_path / "new" / "dir" / "crm.db")
    finally:
        os.umask(old)
    store.close()
    assert stat.S_IMODE((tmp_path / "new" / "dir").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new" / "dir" / "crm.db").stat().st_mode) == 0o600


def test_new_database_is_marked_migrated_and_in_wal_mode(tmp_path):
    store = open_store(tmp_path / "crm.db")
    assert store.schema_version() == migrations.LATEST
    assert store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("my precious notes\n")
    with pytest.raises(DatabaseRefused, match="not a SQLite database"):
        open_store(path)
    assert path.read_text() == "my precious notes\n"


def test_another_programs_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE songs (title TEXT)")
    conn.commit()
    conn.close()
    before = sha(path)
    with pytest.raises(DatabaseRefused, match="another program"):
        open_store(path)
    assert sha(path) == before


def test_a_database_from_a_newer_crm_is_refused_untouched(tmp_path):
    path = tmp_path / "crm.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    conn.commit()
    conn.close()
    before = sha(path)
    with pytest.raises(DatabaseRefused, match="newer crm"):
        open_store(path)
    assert sha(path) == before


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(DatabaseRefused, match="directory"):
        open_store(tmp_path)


def test_every_past_schema_version_migrates_with_its_data(tmp_path, monkeypatch):
    """Build a database at each earlier version, add data, then open it with the latest crm."""
    for version in range(1, migrations.LATEST + 1):
        path = tmp_path / f"v{version}.db"
        monkeypatch.setattr("crmcli.store.opening.LATEST", version)
        monkeypatch.setattr("crmcli.store.opening.MIGRATIONS", migrations.MIGRATIONS[:version])
        old = open_store(path)
        old.conn.execute(
            "INSERT INTO contacts (uid, name, created, updated) VALUES ('u1', 'Old Friend', ?, ?)",
            (NOW.isoformat(), NOW.isoformat()),
        )
        old.conn.execute(
            "INSERT INTO interactions (uid, happened_at, summary, created) "
            "VALUES ('i1', ?, 'harbour lunch', ?)",
            (NOW.isoformat(), NOW.isoformat()),
        )
        old.conn.execute("INSERT INTO interaction_contacts VALUES (1, ?, 1)", (NOW.isoformat(),))
        old.close()
        monkeypatch.undo()
        new = open_store(path)
        assert new.schema_version() == migrations.LATEST
        assert contacts.resolve(new, "old friend")["uid"] == "u1"
        assert [i["summary"] for i in new.interactions.of_contact(1)] == ["harbour lunch"]
        assert [r["contact"] for r in new.search.find("harbour")] == ["Old Friend"]
        new.close()
        if version < migrations.LATEST:
            assert (tmp_path / f"v{version}.db.v{version}.bak").exists()


def test_names_are_bound_parameters_never_sql(tmp_path):
    store = open_store(tmp_path / "crm.db")
    evil = "Robert'); DROP TABLE contacts;--"
    contact_id = store.contacts.add({"name": evil, "tags": ["x' OR '1'='1"]}, NOW)
    assert contacts.resolve(store, "robert')")["name"] == evil
    assert store.contacts.listing(search="DROP TABLE")[0]["id"] == contact_id
    assert store.contacts.listing(tag="x' OR '1'='1")[0]["id"] == contact_id
    store.close()


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    store = open_store(tmp_path / "crm.db")
    with pytest.raises(CrmError):
        store.contacts.add(
            {"name": "Half Written"}, NOW, [{"label": "birthday", "month": 2, "day": 30}]
        )
    assert store.contacts.listing() == []
    store.close()


def test_occurrence_keys_put_the_leap_day_where_the_rule_says():
    common = reports.occurrence_keys(dt.date(2027, 2, 27), dt.date(2027, 3, 2), "feb28")
    assert common[229] == [dt.date(2027, 2, 28)]
    moved = reports.occurrence_keys(dt.date(2027, 2, 27), dt.date(2027, 3, 2), "mar1")
    assert moved[229] == [dt.date(2027, 3, 1)]
    leap = reports.occurrence_keys(dt.date(2028, 2, 27), dt.date(2028, 3, 2), "feb28")
    assert leap[229] == [dt.date(2028, 2, 29)] and leap[228] == [dt.date(2028, 2, 28)]


def test_upcoming_over_more_than_a_year_lists_each_occurrence(tmp_path):
    store = open_store(tmp_path / "crm.db")
    birthday = {"label": "birthday", "month": 12, "day": 1, "year": 1980}
    contact_id = store.contacts.add({"name": "Ana"}, NOW, [birthday])
    rows = reports.upcoming(store, TODAY, 800, "feb28")
    assert [(r["date"], r["years"]) for r in rows] == [
        ("2026-12-01", 46),
        ("2027-12-01", 47),
        ("2028-12-01", 48),
    ]
    assert {r["contact_id"] for r in rows} == {contact_id}
    store.close()


def test_complaint_breach_is_strictly_after_the_deadline(tmp_path):
    store = open_store(tmp_path / "crm.db")
    contact_id = store.contacts.add({"name": "Ana"}, NOW)
    due = NOW + dt.timedelta(hours=48)
    complaint_id = store.complaints.add(contact_id, "late", NOW, due)
    assert store.complaints.get(complaint_id, due)["breached"] is False
    assert store.complaints.get(complaint_id, due + dt.timedelta(seconds=1))["breached"] is True
    store.complaints.respond(complaint_id, None, due)
    assert store.complaints.get(complaint_id, due + dt.timedelta(days=9))["breached"] is False
    store.close()


def test_a_trash_entry_from_before_backup_documents_is_restored(tmp_path, monkeypatch):
    """Schema 3 kept a deleted contact as raw table rows; migration 4 turns it into a backup
    document, which the one restore engine reads."""
    import json

    from crmcli import trash

    path = tmp_path / "v3.db"
    monkeypatch.setattr("crmcli.store.opening.LATEST", 3)
    monkeypatch.setattr("crmcli.store.opening.MIGRATIONS", migrations.MIGRATIONS[:3])
    old = open_store(path)
    stamp = NOW.isoformat()
    contact = {"id": 7, "uid": "gone-1", "name": "Gone Person", "emails": '["gone@x.example"]',
               "phones": "[]", "company": None, "title": None, "tags": '["vip"]',
               "relationship": None, "stage": None, "channel": None, "cadence_days": 30,
               "owner": None, "source": None, "acquisition_cost": None, "notes": None,
               "archived": 0, "created": stamp, "updated": stamp}  # fmt: skip
    interaction = {"id": 3, "uid": "i-3", "happened_at": stamp, "channel": "call",
                   "direction": "out", "summary": "last call", "outcome": None,
                   "sentiment": None, "amount": 10.0, "rating": None, "created": stamp,
                   "kind": "touch", "score": None, "scale": None}  # fmt: skip
    payload = {"contacts": [contact], "interactions": [interaction],
               "interaction_contacts": [{"contact_id": 7, "happened_at": stamp, "interaction_id": 3}],
               "special_dates": [{"id": 1, "uid": "d-1", "contact_id": 7, "label": "birthday",
                                  "month": 2, "day": 29, "year": None, "created": stamp}],
               "followups": [{"id": 2, "uid": "f-2", "contact_id": 7, "due": "2026-12-01",
                              "note": "call back", "interaction_id": 3, "created": stamp,
                              "done_at": None, "done_note": None, "snoozed": 0}],
               "complaints": [], "stage_changes": []}  # fmt: skip
    old.conn.execute(
        "INSERT INTO trash (contact_uid, name, deleted_at, payload) VALUES (?, ?, ?, ?)",
        ("gone-1", "Gone Person", stamp, json.dumps(payload)),
    )
    old.close()
    monkeypatch.undo()
    new = open_store(path)
    entry, contact_id = trash.restore(new, "1", NOW)
    back = new.contacts.get(contact_id)
    assert (back["uid"], back["emails"], back["tags"]) == ("gone-1", ["gone@x.example"], ["vip"])
    assert [i["summary"] for i in new.interactions.of_contact(contact_id)] == ["last call"]
    assert new.followups.listing(TODAY, contact_id=contact_id)[0]["interaction_id"] is not None
    assert new.dates.listing(contact_id)[0]["date"] == "--02-29"
    new.close()
