"""Two-way vdir sync: a folder and the database in step, and the whole loop with a real CardDAV
server (Radicale on 127.0.0.1) and vdirsyncer, as a user would run it."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def exact(path: Path) -> str:
    with open(path, newline="") as handle:  # line ends as written (CRLF, or vdirsyncer's LF)
        return handle.read()


def card_of(folder: Path, name: str) -> Path:
    matches = [p for p in folder.glob("*.vcf") if f"FN:{name}" in exact(p).splitlines()]
    assert len(matches) == 1, (name, [p.name for p in folder.glob("*.vcf")])
    return matches[0]


def edit(path: Path, old: str, new: str) -> None:
    text = exact(path)
    assert old in text, (old, text)
    with open(path, "w", newline="") as handle:
        handle.write(text.replace(old, new))


def names(crm, archived=False) -> set[str]:
    return {
        c["name"] for c in crm.json("contact list -f json" + (" --archived" if archived else ""))
    }


def test_a_folder_and_crm_stay_in_step(crm, people, tmp_path):
    vdir = tmp_path / "vdir"
    first = crm(f"vcard sync {vdir}")
    assert "in the folder 3 added" in first.stderr
    files = {p.name: p.stat().st_mtime_ns for p in vdir.iterdir()}
    before = crm.fingerprint()
    quiet = crm(f"vcard sync {vdir}")  # nothing changed: nothing written on either side
    assert (
        "0 added, 0 updated, 0 archived; in the folder 0 added, 0 updated, 0 removed"
        in quiet.stderr
    )
    assert {p.name: p.stat().st_mtime_ns for p in vdir.iterdir()} == files
    assert crm.fingerprint() == before
    # edited elsewhere: the card replaces the contact's card fields (a deletion is a deletion)
    ana = card_of(vdir, "Ana Silva")
    edit(ana, "TEL:+351 912 345 678\r\n", "")
    edit(ana, "CATEGORIES:client,lisbon", "CATEGORIES:client")
    crm(f"vcard sync {vdir}")
    shown = crm.json("contact show silva -f json")
    assert shown["phones"] == [] and shown["tags"] == ["client"]
    assert shown["stage"] == "commitment"  # crm's own fields are never touched by a card
    # edited in crm: the card is rewritten, with a new REV in UTC
    crm("contact edit bruno --company 'Costa Lda'")
    crm(f"vcard sync {vdir}")
    bruno = card_of(vdir, "Bruno Costa").read_text()
    assert "ORG:Costa Lda" in bruno and "REV:" in bruno and bruno.split("REV:")[1][15] == "Z"
    # new on the other side: a card without a uid gets crm's, in a file named after it
    (vdir / "from-phone.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Pat Phone\r\nTEL:555 0199\r\nEND:VCARD\r\n"
    )
    crm(f"vcard sync {vdir}")
    assert "Pat Phone" in names(crm) and not (vdir / "from-phone.vcf").exists()
    pat = crm.json("contact show pat -f json")
    assert (vdir / f"{pat['uid']}.vcf").exists()
    # deleted on the other side: archived here; deleted here: the card goes
    card_of(vdir, "Pat Phone").unlink()
    crm(f"vcard sync {vdir}")
    assert "Pat Phone" in names(crm, archived=True)
    crm("contact delete anabela --yes")
    crm(f"vcard sync {vdir}")
    assert [p for p in vdir.glob("*.vcf") if "Anabela" in p.read_text()] == []
    # changed on both sides: both versions kept, and said
    crm("contact edit silva --title Boss")
    edit(card_of(vdir, "Ana Silva"), "TITLE:CTO", "TITLE:Chief")
    result = crm(f"vcard sync {vdir}")
    assert "conflict: Ana Silva changed in crm and in" in result.stderr
    tagged = [c for c in crm.json("contact list -f json") if "sync-conflict" in c["tags"]]
    assert [c["name"] for c in tagged] == ["Ana Silva"]
    assert crm.json(f"contact show {people['ana']} -f json")["title"] == "Boss"


# --------------------------------------------------------------------------- a real server

BIN = Path(sys.executable).parent
RADICALE = shutil.which("radicale", path=str(BIN))
VDIRSYNCER = shutil.which("vdirsyncer", path=str(BIN))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def radicale(tmp_path):
    if not (RADICALE and VDIRSYNCER):
        pytest.skip("radicale and vdirsyncer are not installed (pip install radicale vdirsyncer)")
    root = tmp_path / "server"
    book = root / "collections" / "collection-root" / "user" / "contacts"
    book.mkdir(parents=True)
    (book / ".Radicale.props").write_text(json.dumps({"tag": "VADDRESSBOOK"}))
    port = free_port()
    server = subprocess.Popen(
        [RADICALE, "-C", "", "--server-hosts", f"127.0.0.1:{port}", "--auth-type", "none",
         "--storage-filesystem-folder", str(root / "collections"), "--logging-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/.web/", timeout=1)
            break
        except OSError:
            time.sleep(0.05)
    yield f"{url}/user/contacts/"
    server.terminate()
    server.wait(timeout=10)


def vdirsyncer(tmp_path: Path, side: str, folder: Path, url: str) -> callable:
    """A vdirsyncer pairing `folder` with the server, as a user configures it."""
    config = tmp_path / f"{side}.conf"
    config.write_text(
        f'[general]\nstatus_path = "{tmp_path / (side + "-status")}/"\n\n'
        f'[pair {side}]\na = "{side}_local"\nb = "{side}_remote"\ncollections = null\n'
        f'conflict_resolution = "a wins"\n\n'
        f'[storage {side}_local]\ntype = "filesystem"\npath = "{folder}/"\nfileext = ".vcf"\n\n'
        f'[storage {side}_remote]\ntype = "carddav"\nurl = "{url}"\n'
    )
    env = {**os.environ, "VDIRSYNCER_CONFIG": str(config)}

    def run(command: str) -> None:
        done = subprocess.run([VDIRSYNCER, command], env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert done.returncode == 0, done.stderr

    run("discover")
    return lambda: run("sync")


def test_the_full_loop_with_radicale_and_vdirsyncer(crm, people, tmp_path, radicale):
    """crm ⇄ vdir ⇄ vdirsyncer ⇄ Radicale ⇄ vdirsyncer ⇄ a second vdir (the phone)."""
    mine, phone = tmp_path / "crm-vdir", tmp_path / "phone"
    crm(f"vcard sync {mine}")
    up = vdirsyncer(tmp_path, "crm", mine, radicale)
    down = vdirsyncer(tmp_path, "phone", phone, radicale)

    def round_trip_from_crm():
        crm(f"vcard sync {mine}")
        up()
        down()

    def round_trip_from_phone():
        down()
        up()
        crm(f"vcard sync {mine}")

    round_trip_from_crm()
    assert len(list(phone.glob("*.vcf"))) == 3
    # created on the phone
    (phone / "phone-1.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-1\r\nFN:Pat Phone\r\nTEL:555 0199\r\nEND:VCARD\r\n"
    )
    round_trip_from_phone()
    assert crm.json("contact show pat -f json")["uid"] == "phone-1"
    # edited on the phone: a deleted number stays deleted
    edit(card_of(phone, "Ana Silva"), "+351 912 345 678", "+351 900 000 000")
    round_trip_from_phone()
    assert crm.json("contact show silva -f json")["phones"] == ["+351 900 000 000"]
    # edited in crm
    crm("contact edit bruno --company 'Costa Lda'")
    round_trip_from_crm()
    assert "Costa Lda" in card_of(phone, "Bruno Costa").read_text()
    # deleted on the phone, deleted in crm
    card_of(phone, "Pat Phone").unlink()
    round_trip_from_phone()
    assert "Pat Phone" not in names(crm)
    crm("contact delete anabela --yes")
    round_trip_from_crm()
    assert not [p for p in phone.glob("*.vcf") if "Anabela" in p.read_text()]
    # changed on both sides: both versions kept
    crm("contact edit silva --title Boss")
    edit(card_of(phone, "Ana Silva"), "TITLE:CTO", "TITLE:Chief")
    down()
    up()
    result = crm(f"vcard sync {mine}")
    assert "conflict:" in result.stderr
    round_trip_from_crm()
    titles = sorted(
        c["title"] for c in crm.json("contact list -f json") if c["name"] == "Ana Silva"
    )
    assert titles == ["Boss", "Chief"]
    phone_titles = sorted(line for p in phone.glob("*.vcf") for line in p.read_text().splitlines()
                          if line.startswith("TITLE:"))  # fmt: skip
    assert phone_titles == ["TITLE:Boss", "TITLE:Chief"]
