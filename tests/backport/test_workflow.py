"""The workflow a managed repository installs for backports: triggers, least privilege, one run
per pull request at a time, and a checkout relbot can pick from."""

from __future__ import annotations

import pytest

from testing import SOURCE

yaml = pytest.importorskip("yaml")

WORKFLOW = SOURCE / ".github" / "workflows" / "backport.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads a bare `on` key as true
    return data


def test_triggers_are_merged_prs_and_new_comments(workflow):
    assert workflow["on"] == {"pull_request_target": {"types": ["closed"]},
                              "issue_comment": {"types": ["created"]}}
    condition = workflow["jobs"]["backport"]["if"]
    assert "github.event.pull_request.merged == true" in condition
    assert "github.event.issue.pull_request" in condition
    assert "startsWith(github.event.comment.body, '/relbot backport')" in condition


def test_permissions_are_least_privilege(workflow):
    assert workflow["permissions"] == {"contents": "write", "pull-requests": "write",
                                       "issues": "write"}
    assert all("permissions" not in job for job in workflow["jobs"].values())


def test_one_run_per_pull_request_at_a_time(workflow):
    assert workflow["concurrency"]["group"] == (
        "backport-${{ github.event.pull_request.number || github.event.issue.number }}")
    assert workflow["concurrency"].get("cancel-in-progress") is False


def test_steps_check_out_full_history_install_and_run_relbot(workflow):
    steps = workflow["jobs"]["backport"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    assert "ref" not in checkout.get("with", {})  # never the PR's code under pull_request_target
    runs = [s["run"] for s in steps if "run" in s]
    assert any(r.strip() == "pip install relbot" for r in runs)
    assert runs[-1].startswith("relbot backport --from-event")
    env = steps[-1]["env"]
    assert env["GITHUB_TOKEN"] == "${{ secrets.GITHUB_TOKEN }}"
