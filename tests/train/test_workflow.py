"""The workflow a managed repository installs for the release train: a daily cron and a manual
run with a date and dry-run, least privilege, one train at a time, the store rebuilt per run."""

from __future__ import annotations

import subprocess

import pytest

from testing import SOURCE

yaml = pytest.importorskip("yaml")

WORKFLOW = SOURCE / ".github" / "workflows" / "release-train.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads a bare `on` key as true
    return data


@pytest.fixture(scope="module")
def steps(workflow) -> list[dict]:
    return workflow["jobs"]["tick"]["steps"]


def tick_step(steps: list[dict]) -> dict:
    return next(s for s in steps if "relbot release tick" in s.get("run", ""))


def test_triggers_are_a_daily_cron_and_a_manual_run_with_a_date_and_dry_run(workflow):
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    [schedule] = workflow["on"]["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month, weekday) == ("*", "*", "*") and minute.isdigit() and hour.isdigit()
    inputs = workflow["on"]["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"date", "dry-run"}
    assert inputs["date"]["type"] == "string" and inputs["date"]["required"] is False
    assert "YYYY-MM-DD" in inputs["date"]["description"]
    assert inputs["dry-run"]["type"] == "boolean" and inputs["dry-run"]["default"] is False


def test_permissions_are_least_privilege(workflow):
    assert workflow["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert all("permissions" not in job for job in workflow["jobs"].values())


def test_one_train_at_a_time_and_a_running_one_is_never_cancelled(workflow):
    assert workflow["concurrency"] == {"group": "release-train", "cancel-in-progress": False}


def test_full_history_checkout_install_and_sync_unless_a_shared_database(workflow, steps):
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    runs = [s.get("run", "").strip() for s in steps]
    assert "pip install relbot" in runs
    sync = next(s for s in steps if s.get("run", "").strip() == "relbot sync --repo .")
    assert sync["if"] == "env.RELBOT_DATABASE_URL == ''"
    assert workflow["jobs"]["tick"]["env"]["RELBOT_DATABASE_URL"] == (
        "${{ secrets.RELBOT_DATABASE_URL }}")
    assert steps.index(sync) < steps.index(tick_step(steps))


def test_the_tick_step_uses_the_inputs_through_the_environment(steps):
    step = tick_step(steps)
    env = step["env"]
    assert env["GITHUB_TOKEN"] == "${{ secrets.GITHUB_TOKEN }}"
    assert env["AT"] == "${{ inputs.date }}" and env["DRY_RUN"] == "${{ inputs.dry-run }}"
    assert "${{" not in step["run"]  # no input is pasted into the script


@pytest.mark.parametrize(("at", "dry_run", "expected"), [
    ("", "", ["release", "tick", "--repo", ".", "--forge", "github"]),  # the daily cron
    ("", "false", ["release", "tick", "--repo", ".", "--forge", "github"]),
    ("2026-12-01", "true",
     ["release", "tick", "--repo", ".", "--forge", "github", "--at", "2026-12-01", "--dry-run"]),
    ("2026-12-01; rm -rf /", "false",
     ["release", "tick", "--repo", ".", "--forge", "github", "--at", "2026-12-01; rm -rf /"]),
])
def test_the_tick_script_passes_the_inputs_as_arguments(steps, at, dry_run, expected):
    """Run the step's script with bash, `relbot` replaced by a function printing its arguments."""
    script = "relbot() { printf '%s\\n' \"$@\"; }\n" + tick_step(steps)["run"]
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True,
                          text=True, env={"AT": at, "DRY_RUN": dry_run, "PATH": "/usr/bin:/bin"},
                          check=True)
    assert done.stdout.splitlines() == expected
