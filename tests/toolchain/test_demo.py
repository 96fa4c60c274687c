"""`relbot demo` ends with the Go floor of the demo monorepo and its next change."""

from __future__ import annotations


def test_demo_prints_the_go_floor_and_its_next_change(relbot_cli, tmp_path):
    result = relbot_cli("demo", "--at", "2026-11-22", "--dir", str(tmp_path / "runtime"))
    assert result.code == 0, result.err
    # policies/runtime.toml: the two newest Go releases; Go 1.27 is the newest on 2026-11-22,
    # and Go 1.28 is projected for the 2nd Tuesday of February 2027.
    assert ("Go floor of the demo monorepo on 2026-11-22: 1.26 (newest 1.27); next change: "
            "1.27 on 2027-02-09 (Go 1.28 ships (projected))") in result.out
    # Any declaration behind the floor is listed with the command that fixes it.
    if " is older than the Go floor" in result.out:
        assert f"relbot toolchain bump --repo {tmp_path / 'runtime'}" in result.out
