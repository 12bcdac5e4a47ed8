"""Start-up stays small: `crm --help` and `crm log` must not pay for heavy modules (not timed)."""

import json
import subprocess
import sys

HEAVY = ("rich", "vobject", "icalendar", "sqlite_utils", "dateutil.parser", "platformdirs", "csv")


def loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nimport json; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout))


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_importing_the_cli_loads_no_heavy_module():
    assert heavy(loaded_after("import crmcli.cli")) == []


def test_building_the_everyday_commands_loads_no_heavy_module():
    code = "from crmcli.cli import load_command\nfor name in ('log', 'contact', 'followup', 'overdue', 'digest'):\n    load_command(name)"
    assert heavy(loaded_after(code)) == []


def test_the_root_help_does_not_import_the_commands():
    modules = loaded_after("from crmcli.cli import app, COMMANDS")
    assert not [m for m in modules if m.startswith("crmcli.commands.")]
