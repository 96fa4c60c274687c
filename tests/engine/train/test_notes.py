"""Release notes: which release they start after, and how entries are grouped."""

from __future__ import annotations

import pytest
import semver

from engine.train.notes import NoteEntry, commit_entry, previous_release, render_notes

V = semver.Version.parse
TAGS = {"v1.0.0": V("1.0.0"), "v1.0.5": V("1.0.5"), "v13.0.0": V("13.0.0"),
        "v14.0.0": V("14.0.0"), "v14.0.1": V("14.0.1"), "v15.0.0-rc.1": V("15.0.0-rc.1")}


@pytest.mark.parametrize(("version", "previous"), [
    ("15.0.0", "v14.0.0"),  # a new major: since the previous major's first release
    ("14.0.2", "v14.0.1"),  # a patch: since the line's previous release
    ("1.0.6", "v1.0.5"),
    ("13.0.1", "v13.0.0"),
    ("1.0.0", None),  # the first release
    ("16.0.0-rc.1", "v14.0.0"),  # pre-releases never start notes
])
def test_previous_release(version, previous):
    assert previous_release(TAGS, V(version), "major") == previous


def test_minor_lines_start_after_the_previous_minor():
    tags = {"v1.2.0": V("1.2.0"), "v1.2.3": V("1.2.3"), "v1.3.0": V("1.3.0")}
    assert previous_release(tags, V("1.3.1"), "minor") == "v1.3.0"
    assert previous_release(tags, V("1.4.0"), "minor") == "v1.3.0"


def test_notes_group_by_kind_and_leave_relbot_commits_out():
    labels = {"security": ["security"], "bug": ["bug"], "feature": ["feature"]}
    entries = [e for e in (
        commit_entry("decoder: fix (#12)", "ada", "decoder: fix (#12)\n\nLabels: bug"),
        commit_entry("Release 1.0.6", "relbot", "Release 1.0.6\n\nRelbot-Train: bump-branch"),
        commit_entry("Release checklist: tag from the branch (#15)", "ada",
                     "Release checklist: tag from the branch (#15)\n\nLabels: docs"),
        commit_entry("wasi: reject traversal (#13)", "grace",
                     "wasi: reject traversal (#13)\n\nLabels: security\n"
                     f"(cherry picked from commit {'a' * 40})"),
    ) if e is not None]
    entries.append(NoteEntry(14, "api: drop old call", "linus", ("breaking",)))
    text = render_notes("runtime 1.0.6", entries, labels)
    assert text.splitlines()[:4] == ["# runtime 1.0.6", "", "## Security", ""]
    assert "- #13 wasi: reject traversal (@grace) (backport of aaaaaaaaaaaa)" in text
    assert "## Breaking changes\n\n- #14 api: drop old call (@linus)" in text
    assert "## Fixes\n\n- #12 decoder: fix (@ada)" in text
    assert "Release 1.0.6" not in text
    # A person's change titled "Release ..." is a change like any other.
    assert "- #15 Release checklist: tag from the branch (@ada)" in text
