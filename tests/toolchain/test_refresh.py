"""`relbot toolchain refresh --from-file`: the official feeds' formats, parsed from stored samples
(no test fetches anything)."""

from __future__ import annotations

import json
import os
from datetime import date

import pytest

from engine.toolchain.releases import ToolchainRelease, ToolchainVersion
from relbot.toolchain.data import (
    SHIPPED,
    load_calendars,
    parse_go_downloads,
    parse_go_history,
    parse_rust_releases,
    refreshed_path,
)
from testing import SOURCE

SAMPLES = SOURCE / "tests" / "data" / "toolchains"
V = ToolchainVersion.parse


def test_go_history_page_gives_minor_releases_only():
    found = parse_go_history((SAMPLES / "go_release_history.html").read_text())
    assert [(str(r.version), r.day.isoformat()) for r in found] == [
        ("1.11", "2018-08-24"), ("1.20", "2023-02-01"), ("1.21", "2023-08-08"),
        ("1.26", "2026-02-10"), ("1.27", "2026-08-19"), ("1.28", "2027-02-09")]


def test_rust_releases_md_skips_patch_releases():
    found = parse_rust_releases((SAMPLES / "RELEASES.md").read_text())
    assert found == [ToolchainRelease(V("1.91"), date(2025, 10, 30)),
                     ToolchainRelease(V("1.92"), date(2025, 12, 11)),
                     ToolchainRelease(V("1.93"), date(2026, 1, 22))]


def test_go_downloads_json_lists_stable_minors():
    assert parse_go_downloads((SAMPLES / "go_dl.json").read_text()) == [V("1.26")]


def test_shipped_data_agrees_with_the_samples():
    calendars = load_calendars()
    go = {r.version: r.day for r in calendars["go"].known}
    for release in parse_go_history((SAMPLES / "go_release_history.html").read_text()):
        if release.version in go:
            assert go[release.version] == release.day
    rust = {r.version: r.day for r in calendars["rust"].known}
    for release in parse_rust_releases((SAMPLES / "RELEASES.md").read_text()):
        assert rust[release.version] == release.day


def test_refresh_from_a_saved_go_page_adds_releases_and_status_uses_them(relbot_cli):
    result = relbot_cli("toolchain", "refresh", "--from-file",
                        str(SAMPLES / "go_release_history.html"))
    assert result.code == 0, result.err
    assert "go: 1.28 (2027-02-09); newest 1.28 on 2027-02-09" in result.out
    written = refreshed_path()
    assert written.is_file() and str(written).startswith(os.environ["XDG_STATE_HOME"])
    data = json.loads(written.read_text())
    assert {"version": "1.28", "date": "2027-02-09"} in data["go"]["releases"]
    status = relbot_cli("toolchain", "status", "--policy", "runtime", "--at", "2027-03-01",
                        "--format", "json")
    assert status.json()[0]["newest_projected"] is False
    again = relbot_cli("toolchain", "refresh", "--from-file",
                       str(SAMPLES / "go_release_history.html"))
    assert "go: nothing new" in again.out


def test_refresh_from_a_channel_manifest_to_an_output_file(relbot_cli, tmp_path):
    target = tmp_path / "toolchains.json"
    result = relbot_cli("toolchain", "refresh", "--from-file",
                        str(SAMPLES / "channel-rust-stable.toml"), "--output", str(target))
    assert result.code == 0, result.err
    assert "rust: nothing new; newest 1." in result.out
    assert json.loads(target.read_text()).keys() == {"go", "rust"}
    assert SHIPPED.read_text() != ""  # the shipped copy is never written by a refresh


@pytest.mark.parametrize(("sample", "message"), [
    ("go_dl.json", "without release dates"),
    ("missing.html", "cannot read it"),
])
def test_refresh_refuses_files_it_cannot_date(relbot_cli, sample, message):
    result = relbot_cli("toolchain", "refresh", "--from-file", str(SAMPLES / sample))
    assert result.code == 2
    assert message in result.err and result.err.count("\n") == 1
    assert not refreshed_path().exists()


def test_refresh_refuses_unrelated_text(relbot_cli, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("nothing about releases here\n")
    result = relbot_cli("toolchain", "refresh", "--from-file", str(other))
    assert result.code == 2 and "found no Go release history entries" in result.err


def test_a_broken_refreshed_file_is_one_line(relbot_cli):
    path = refreshed_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    result = relbot_cli("toolchain", "status", "--at", "2026-01-01")
    assert result.code == 1 and "cannot read toolchain data" in result.err
