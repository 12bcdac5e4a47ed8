"""Every test gets its own database (CRM_DB) and a fixed today (CRM_TODAY=2026-11-24, a Tuesday)."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crmcli.cli import app

TODAY = "2026-11-24"


def pytest_collection_modifyitems(items):
    """The few long tests first: the parallel workers then end at about the same time, instead
    of one finishing a long test alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def crm_env(tmp_path, monkeypatch):
    db = tmp_path / "crm.db"
    monkeypatch.setenv("CRM_DB", str(db))
    monkeypatch.setenv("CRM_TODAY", TODAY)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return db


class Crm:
    """Runs `crm` in-process. `crm("contact add Ana")` or `crm(["log", "ana", "a call"])`."""

    def __init__(self, db: Path):
        self.db = db
        self.runner = CliRunner()

    def __call__(self, args, input=None, ok=True, env=None):
        argv = shlex.split(args) if isinstance(args, str) else list(args)
        result = self.runner.invoke(app, argv, input=input, env=env)
        if ok and result.exit_code != 0:
            raise AssertionError(
                f"crm {argv} exited {result.exit_code}\nstdout: {result.stdout}\n"
                f"stderr: {result.stderr}\n{result.exception!r}"
            )
        return result

    def json(self, args):
        return json.loads(self(args).stdout)

    def id(self, args) -> int:
        return int(self(args).stdout.strip())

    def fingerprint(self) -> str:
        """The database file and its WAL, byte for byte."""
        digest = hashlib.sha256()
        for suffix in ("", "-wal"):
            path = Path(str(self.db) + suffix)
            if path.exists():
                digest.update(path.read_bytes())
        return digest.hexdigest()

    def fails(self, args, code=1, says=None, input=None):
        """Runs a command that must fail cleanly and leave the database byte-identical."""
        before = self.fingerprint()
        result = self(args, ok=False, input=input)
        codes = code if isinstance(code, tuple) else (code,)
        assert result.exit_code in codes, (result.exit_code, result.stdout, result.stderr)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        assert "Traceback" not in result.stderr
        assert result.stdout == ""
        if says:
            assert says.lower() in result.stderr.lower(), result.stderr
        assert self.fingerprint() == before, "the database changed"
        return result


@pytest.fixture
def crm(crm_env) -> Crm:
    return Crm(crm_env)


PEOPLE_ARGS = {
    "ana": [
        "contact", "add", "Ana Silva", "--email", "ana@example.com", "--phone",
        "+351 912 345 678", "--company", "Acme", "--title", "CTO", "--tag", "client", "--tag",
        "lisbon", "--every", "30d", "--birthday", "1985-03-14", "--channel", "email",
        "--relationship", "dedicated", "--stage", "commitment", "--owner", "me", "--note",
        "met at WebSummit",
    ],
    "bruno": ["contact", "add", "Bruno Costa", "--email", "bruno@costa.pt", "--tag", "partner"],
    "anabela": ["contact", "add", "Anabela Rocha", "--email", "anabela@rocha.pt"],
}  # fmt: skip


@pytest.fixture(scope="session")
def people_template(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """The three contacts added once a test process, by the commands a user would run; each
    test that wants them gets a copy of that database (the commands cost more than a copy)."""
    db = tmp_path_factory.mktemp("people") / "crm.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CRM_DB", str(db))
        patch.setenv("CRM_TODAY", TODAY)
        crm = Crm(db)
        ids = {name: crm.id(args) for name, args in PEOPLE_ARGS.items()}
    return db, ids


@pytest.fixture
def people(crm, people_template) -> dict[str, int]:
    """Three contacts: Ana (client, 30-day cadence), Bruno, and Anabela."""
    import shutil

    template, ids = people_template
    for suffix in ("", "-wal"):
        source = Path(str(template) + suffix)
        if source.exists():
            shutil.copy(source, str(crm.db) + suffix)  # with its mode: crm keeps it private
    return dict(ids)


def in_process(db: Path, *args: str, input=None):
    """crm run inside the test process, answering like a finished process (returncode, stdout,
    stderr): for tests about what a command does rather than about being a process."""
    import subprocess

    result = CliRunner().invoke(
        app, list(args), input=input, env={"CRM_DB": str(db), "CRM_TODAY": TODAY}
    )
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def crm_env_for_process(db: Path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(CRM_DB=str(db), CRM_TODAY=TODAY, **extra)
    return env
