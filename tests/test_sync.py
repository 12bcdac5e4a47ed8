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


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


PHOTO = "A" * 4000 + "/9j/4AAQSkZJRgABAQ=="  # a phone's picture: one long base64 line


def test_photos_and_foreign_cards_sync_without_churn(crm, tmp_path):
    """A card as a phone writes it (a photo, no N, crm's fields in another form) is taken in
    once, then left exactly as it is by every later sync; an edit in crm rewrites it in the
    same file (its name is the server's)."""
    vdir = tmp_path / "vdir"
    vdir.mkdir()
    (vdir / "a.vcf").write_bytes(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:card-a\r\nFN:Alice Card\r\n"
        f"EMAIL;TYPE=INTERNET:alice@card.example\r\nPHOTO;ENCODING=b;TYPE=JPEG:{PHOTO}\r\n"
        "END:VCARD\r\n".encode()
    )
    (vdir / "b.vcf").write_bytes(
        b"BEGIN:VCARD\r\nVERSION:4.0\r\nUID:card-b\r\nFN:Only Org\r\nN:;;;;\r\n"
        b"ORG:Only Org\r\nPHOTO:data:image/jpeg;base64,AAAA\r\nEND:VCARD\r\n"
    )
    first = crm(f"vcard sync {vdir}")
    assert "in crm 2 added" in first.stderr and "PHOTO kept as written" in first.stderr
    alice = crm.json("contact show alice -f json")
    assert f"PHOTO;ENCODING=b;TYPE=JPEG:{PHOTO}" in alice["extra"]
    assert "PHOTO:data:image/jpeg;base64,AAAA" in crm.json("contact show only -f json")["extra"]
    before, folder = crm.fingerprint(), files_of(vdir)
    for _ in range(3):
        quiet = crm(f"vcard sync {vdir}")
        assert "in crm 0 added, 0 updated" in quiet.stderr and "0 removed" in quiet.stderr
        assert "warning" not in quiet.stderr  # kept lines are said once, when taken in
    assert crm.fingerprint() == before and files_of(vdir) == folder
    crm("contact edit alice --company Wonderland")
    edited = crm(f"vcard sync {vdir}")
    assert "in the folder 0 added, 1 updated" in edited.stderr and "conflict" not in edited.stderr
    assert sorted(p.name for p in vdir.iterdir()) == ["a.vcf", "b.vcf"]
    text = exact(vdir / "a.vcf")
    assert "ORG:Wonderland" in text
    assert "".join(text.replace("\r\n ", "").split("PHOTO")[1:])[:40].startswith(";ENCODING=b")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))  # folded (RFC 6350)
    assert PHOTO in text.replace("\r\n ", "")


def test_files_a_sync_cannot_take_are_left_alone(crm, people, tmp_path):
    vdir = tmp_path / "vdir"
    crm(f"vcard sync {vdir}")
    (vdir / "all.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:One\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Two\r\nEND:VCARD\r\n"
    )
    (vdir / "broken.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:../6B29FC40\r\nFN:X\r\nEND:VCARD\r\n"
    )
    (vdir / "folder.vcf").mkdir()
    os.mkfifo(vdir / "pipe.vcf")
    (vdir / "new.vcf").write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Nina New\r\nEND:VCARD\r\n")
    from conftest import crm_env_for_process
    from test_process import CRM

    done = subprocess.run([CRM, "vcard", "sync", str(vdir)], env=crm_env_for_process(crm.db),
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    for name in ("all.vcf: holds 2 cards", "broken.vcf: card 1 (broken.vcf): bad uid",
                 "folder.vcf: not a regular file", "pipe.vcf: not a regular file"):  # fmt: skip
        assert f"warning: {name}" in done.stderr, done.stderr
    assert "in crm 1 added" in done.stderr and "Nina New" in names(crm)
    assert (vdir / "all.vcf").exists() and (vdir / "broken.vcf").exists()
    assert {"One", "Two", "X"}.isdisjoint(names(crm))


def test_a_synced_card_left_alone_is_not_taken_as_deleted(crm, people, tmp_path):
    vdir = tmp_path / "vdir"
    crm(f"vcard sync {vdir}")
    ana = card_of(vdir, "Ana Silva")
    edit(ana, "END:VCARD", "BEGIN:VCARD\r\nFN:Stray\r\nEND:VCARD\r\nEND:VCARD")
    result = crm(f"vcard sync {vdir}")
    assert f"warning: {ana.name}: holds 2 cards" in result.stderr
    assert "Ana Silva" in names(crm) and ana.exists()  # neither archived nor removed


def test_undo_of_a_sync_then_syncing_again_loses_nothing(crm, people, tmp_path):
    source = tmp_path / "other"
    crm(f"vcard sync {source}")  # three cards written
    crm("undo")  # the sync's state is taken back with it
    again = crm(f"vcard sync {source}")
    assert "0 removed" in again.stderr and len(list(source.glob("*.vcf"))) == 3


def test_a_wiped_folder_is_refused_unless_said(crm, people, tmp_path):
    vdir = tmp_path / "vdir"
    crm(f"vcard sync {vdir}")
    for card in vdir.glob("*.vcf"):
        card.unlink()
    crm.fails(f"vcard sync {vdir}", says="--allow-empty")
    assert "in crm 0 added, 0 updated, 3 archived" in crm(f"vcard sync {vdir} --allow-empty").stderr


def test_long_uids_get_files_of_their_own(crm, tmp_path):
    cards = tmp_path / "cards"
    cards.mkdir()
    for letter in "AB":
        (cards / f"{letter}.vcf").write_text(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{'u' * 240}{letter}\r\nFN:Long {letter}\r\n"
            "END:VCARD\r\n"
        )
    crm(f"vcard import {cards}")
    crm(f"vcard sync {tmp_path / 'vdir'}")
    assert len(list((tmp_path / "vdir").glob("*.vcf"))) == 2
    assert "0 removed" in crm(f"vcard sync {tmp_path / 'vdir'}").stderr


def test_an_edit_there_to_an_archived_contact_is_kept(crm, people, tmp_path):
    vdir = tmp_path / "vdir"
    crm(f"vcard sync {vdir}")
    bruno = card_of(vdir, "Bruno Costa")
    crm("contact archive bruno")
    edit(bruno, "END:VCARD", "TEL:+351 999 000 111\r\nEND:VCARD")
    result = crm(f"vcard sync {vdir}")
    assert "edit is kept in the archived contact" in result.stderr
    shown = crm.json("contact show bruno -f json")
    assert shown["archived"] and shown["phones"] == ["+351 999 000 111"]


def test_kept_lines_cannot_reshape_a_card(crm, people, tmp_path):
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps([{"name": "Mal", "extra": ["X-NOTE:ok", "END:VCARD",
                                    "BEGIN:VCARD", "UID:victim-uid-1", "FN:Injected"]}]))  # fmt: skip
    result = crm.fails(f"import contacts {hostile}", says="cannot be kept aside")
    assert "END" in result.stderr


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


CRM = shutil.which("crm", path=str(BIN))
RESOLVE = f'["command", "{CRM}", "vcard", "resolve"]'  # the README's: both versions kept


def vdirsyncer(tmp_path: Path, side: str, folder: Path, url: str, resolution=RESOLVE) -> callable:
    """A vdirsyncer pairing `folder` with the server, as a user configures it."""
    config = tmp_path / f"{side}.conf"
    config.write_text(
        f'[general]\nstatus_path = "{tmp_path / (side + "-status")}/"\n\n'
        f'[pair {side}]\na = "{side}_local"\nb = "{side}_remote"\ncollections = null\n'
        f"conflict_resolution = {resolution}\n\n"
        f'[storage {side}_local]\ntype = "filesystem"\npath = "{folder}/"\nfileext = ".vcf"\n\n'
        f'[storage {side}_remote]\ntype = "carddav"\nurl = "{url}"\n'
    )
    from click.testing import CliRunner
    from vdirsyncer.cli import app

    def run(command: str) -> None:
        """vdirsyncer's own command line, run in this process (its start-up is most of a
        sync's time, and the loop syncs sixteen times)."""
        done = CliRunner().invoke(app, [command], env={"VDIRSYNCER_CONFIG": str(config)})
        assert done.exit_code == 0, (done.output, done.exception)

    run("discover")
    return lambda: run("sync")


@pytest.mark.slow
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


def test_a_conflict_keeps_both_in_the_same_run(crm, people, tmp_path):
    vdir = tmp_path / "vdir"
    crm(f"vcard sync {vdir}")
    crm("contact edit silva --title Boss")
    edit(card_of(vdir, "Ana Silva"), "TITLE:CTO", "TITLE:Chief")
    result = crm(f"vcard sync {vdir}")
    assert "in crm 1 added" in result.stderr and "in the folder 1 added, 1 updated" in result.stderr
    titles = sorted(line for p in vdir.glob("*.vcf") for line in exact(p).splitlines()
                    if line.startswith("TITLE:"))  # fmt: skip
    assert titles == ["TITLE:Boss", "TITLE:Chief"]  # both cards written in this same run
    before, folder = crm.fingerprint(), files_of(vdir)
    crm(f"vcard sync {vdir}")  # and the next run has nothing left to do
    assert crm.fingerprint() == before and files_of(vdir) == folder


def test_deleted_on_one_side_and_edited_on_the_other_comes_back_whole(crm, people, tmp_path):
    vdir = tmp_path / "vdir"
    crm("log silva 'lunch at the harbour' --when 2026-11-20")
    crm(f"vcard sync {vdir}")
    card = card_of(vdir, "Ana Silva")
    crm("contact delete silva --yes")
    edit(card, "TITLE:CTO", "TITLE:Chief")  # edited on the phone meanwhile
    done = crm(f"vcard sync {vdir}")
    assert "restored from the trash with its history, and the edit taken in" in done.stderr
    ana = crm.json("contact show silva -f json")
    assert ana["id"] == people["ana"] and ana["title"] == "Chief"
    assert [i["summary"] for i in ana["interactions"]] == ["lunch at the harbour"]
    assert crm.json("trash list -f json") == []
    card.unlink()  # deleted on the phone, edited in crm meanwhile: the card comes back
    crm("contact edit silva --title Founder")
    crm(f"vcard sync {vdir}")
    assert "TITLE:Founder" in exact(card_of(vdir, "Ana Silva"))
    assert crm.json("contact show silva -f json")["archived"] is False


def test_vcard_resolve_keeps_both_sides_of_a_conflict(crm, people, tmp_path):
    vdir = tmp_path / "vdir"
    crm(f"vcard sync {vdir}")
    ours = card_of(vdir, "Ana Silva")
    theirs = tmp_path / "server"
    theirs.write_bytes(ours.read_bytes().replace(b"TITLE:CTO", b"TITLE:Chief"))
    done = crm(["vcard", "resolve", str(ours), str(theirs)])
    assert "the other version added as contact" in done.stderr
    assert theirs.read_bytes() == ours.read_bytes()  # equal files: resolved, for vdirsyncer
    copy = [c for c in crm.json("contact list -f json") if "sync-conflict" in c["tags"]]
    assert [(c["name"], c["title"]) for c in copy] == [("Ana Silva", "Chief")]
    theirs.write_text("not a card")
    crm.fails(["vcard", "resolve", str(ours), str(theirs)], says="left to vdirsyncer")
    assert theirs.read_text() == "not a card"  # never lost
    good = ours.read_bytes()
    garbage = tmp_path / "garbage"
    garbage.write_text("garbage")
    crm.fails(["vcard", "resolve", str(garbage), str(ours)], says="left to vdirsyncer")
    assert ours.read_bytes() == good  # an unreadable A is never copied over a good card


@pytest.mark.slow
@pytest.mark.parametrize("crm_first", [True, False], ids=["crm-first", "vdirsyncer-first"])
def test_edits_on_both_sides_are_kept_in_either_loop_order(
    crm, people, tmp_path, radicale, crm_first
):
    """The loop a user runs from cron, either way round, with an edit in crm and one on the
    phone between two runs: both versions kept, nothing lost, labels kept on both sides.
    (With vdirsyncer's `"a wins"`, crm first, the phone's edit was lost everywhere.)"""
    mine, phone = tmp_path / "crm-vdir", tmp_path / "phone"
    up = vdirsyncer(tmp_path, "crm", mine, radicale)
    down = vdirsyncer(tmp_path, "phone", phone, radicale)

    def loop():
        if crm_first:  # crm vcard sync DIR && vdirsyncer sync && crm vcard sync DIR
            crm(f"vcard sync {mine}")
            up()
            crm(f"vcard sync {mine}")
        else:  # vdirsyncer sync && crm vcard sync DIR && vdirsyncer sync
            up()
            crm(f"vcard sync {mine}")
            up()
        down()

    loop()
    loop()
    edit(card_of(phone, "Bruno Costa"), "EMAIL;TYPE=INTERNET:bruno@costa.pt",
         "item1.EMAIL;TYPE=INTERNET,WORK:bruno@costa.pt\r\nitem1.X-ABLabel:_$!<Work>!$_")  # fmt: skip
    down()
    loop()
    crm("contact edit silva --title Boss")
    edit(card_of(phone, "Ana Silva"), "TITLE:CTO", "TITLE:Chief")
    down()  # the phone's edit reaches the server
    loop()
    loop()
    titles = sorted(
        c["title"] for c in crm.json("contact list -f json") if c["name"] == "Ana Silva"
    )
    assert titles == ["Boss", "Chief"]
    on_phone = sorted(line for p in phone.glob("*.vcf") for line in exact(p).splitlines()
                      if line.startswith("TITLE:") and "Ana" in exact(p))  # fmt: skip
    assert on_phone == ["TITLE:Boss", "TITLE:Chief"]
    crm("contact edit bruno --company 'Costa Lda'")  # edited in crm: the phone's label stays
    loop()
    bruno = exact(card_of(phone, "Bruno Costa"))
    assert "ORG:Costa Lda" in bruno and "item1.X-ABLABEL:_$!<Work>!$_" in bruno
    assert "item1.EMAIL;TYPE=INTERNET,WORK:bruno@costa.pt" in bruno


@pytest.mark.slow
def test_deletions_against_edits_and_photos_through_radicale(crm, people, tmp_path, radicale):
    """Through a real server and a second device: deleted in crm but edited on the phone
    comes back the same contact with its history; deleted on the phone but edited in crm
    comes back to the phone; 200 contacts with photos, and a second sync writes nothing."""
    mine, phone = tmp_path / "crm-vdir", tmp_path / "phone"
    up = vdirsyncer(tmp_path, "crm", mine, radicale)
    down = vdirsyncer(tmp_path, "phone", phone, radicale)

    def loop():
        crm(f"vcard sync {mine}")
        up()
        crm(f"vcard sync {mine}")
        down()

    crm("log silva 'harbour lunch' --when 2026-11-20")
    loop()
    crm("contact delete silva --yes")
    edit(card_of(phone, "Ana Silva"), "TITLE:CTO", "TITLE:Chief")
    down()
    loop()
    ana = crm.json("contact show silva -f json")
    assert ana["id"] == people["ana"] and ana["title"] == "Chief"
    assert [i["summary"] for i in ana["interactions"]] == ["harbour lunch"]
    card_of(phone, "Bruno Costa").unlink()
    down()
    crm("contact edit bruno --company 'Costa Lda'")
    loop()
    assert "ORG:Costa Lda" in exact(card_of(phone, "Bruno Costa"))
    for i in range(200):
        (phone / f"p{i}.vcf").write_text(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:photo-{i}\r\nFN:Photo {i}\r\n"
            f"PHOTO;ENCODING=b;TYPE=JPEG:{PHOTO}\r\nEND:VCARD\r\n", newline=""
        )  # fmt: skip
    down()
    loop()
    assert len(crm.json("contact list -f json")) == 203
    before, folder = crm.fingerprint(), files_of(mine)
    loop()
    assert crm.fingerprint() == before and files_of(mine) == folder


def test_a_card_written_by_another_program_during_a_sync_is_never_overwritten(
    crm, people, tmp_path
):
    """crm writes the cards after it decided, with no lock held: one vdirsyncer wrote in the
    meantime is left as it is, and the next sync keeps both versions."""
    from crmcli.exchange import vsync_steps

    vdir = tmp_path / "vdir"
    crm(f"vcard sync {vdir}")
    card = card_of(vdir, "Ana Silva")
    crm("contact edit silva --title Boss")
    render = vsync_steps.to_vcard

    def meanwhile(contact, *args):
        if contact["name"] == "Ana Silva" and "Chief" not in exact(card):
            edit(card, "TITLE:CTO", "TITLE:Chief")  # the phone's edit lands now
        return render(contact, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vsync_steps, "to_vcard", meanwhile)
        done = crm(f"vcard sync {vdir}")
    assert "changed while crm synced: left as it is" in done.stderr
    assert "TITLE:Chief" in exact(card)
    crm(f"vcard sync {vdir}")
    titles = sorted(
        c["title"] for c in crm.json("contact list -f json") if c["name"] == "Ana Silva"
    )
    assert titles == ["Boss", "Chief"]


def test_a_first_sync_of_a_folder_that_differs_keeps_both(crm, people, tmp_path):
    """No sync remembered, and the folder's card (another program's) says something else: no
    side can be called the newer, so both are kept — it was newest-wins, and lost one."""
    vdir = tmp_path / "vdir"
    crm(f"vcard export {vdir}")
    card = card_of(vdir, "Ana Silva")
    text = exact(card).replace("PRODID:-//crm//crmcli//EN", "PRODID:-//Apple Inc.//iOS 17//EN")
    with open(card, "w", newline="") as handle:
        handle.write(text.replace("TITLE:CTO", "TITLE:Edited on the phone"))
    crm("contact edit silva --add-tag vip")
    crm("contact edit bruno --company 'Costa Lda'")  # crm's own export of Bruno is older now
    done = crm(f"vcard sync {vdir}")
    assert "differs from crm's, with no sync between: crm's version kept" in done.stderr
    both = [c for c in crm.json("contact list -f json") if c["name"] == "Ana Silva"]
    assert sorted(c["title"] for c in both) == ["CTO", "Edited on the phone"]
    assert any("vip" in c["tags"] for c in both)
    assert "ORG:Costa Lda" in exact(card_of(vdir, "Bruno Costa"))  # crm's newer version out
    assert [
        c["company"] for c in crm.json("contact list -f json") if c["name"] == "Bruno Costa"
    ] == ["Costa Lda"]
