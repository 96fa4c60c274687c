"""Run the real CLI entry point in-process and capture what a user would see."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from relbot.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def relbot(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """``relbot("status", "--format", "json")`` → exit code, stdout, stderr (echoed on failure)."""

    def invoke(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        print(f"$ relbot {' '.join(args)}\n[exit {code}]\n{captured.out}\n{captured.err}")
        return Result(code, captured.out, captured.err)

    return invoke
