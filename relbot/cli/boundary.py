"""The CLI's one error boundary: users get one line, bug reports get a log file."""

from __future__ import annotations

import platform
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from engine.errors import EngineError
from relbot.errors import RelbotError
from relbot.paths import state_dir


@dataclass
class Outcome:
    """The exit code a run ends with."""

    code: int = 0


def log_path() -> Path:
    """Where unexpected errors are written in full."""
    return state_dir() / "relbot.log"


def _say(message: str) -> None:
    print(f"relbot: error: {message}", file=sys.stderr)


@contextmanager
def error_boundary() -> Iterator[Outcome]:
    """Map exceptions to one line on stderr and an exit code (2 bad input, 1 failure, 3 bug)."""
    outcome = Outcome()
    try:
        yield outcome
    except EngineError as exc:  # PolicyError included
        _say(str(exc))
        outcome.code = 2
    except RelbotError as exc:
        _say(str(exc))
        outcome.code = exc.exit_code
    except KeyboardInterrupt:
        _say("interrupted")
        outcome.code = 130
    except Exception as exc:
        path = _write_report(exc)
        _say(f"unexpected {type(exc).__name__}; this is a bug in relbot, details in {path}")
        outcome.code = 3


def _write_report(exc: BaseException) -> Path:
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {datetime.now(UTC).isoformat()} relbot {' '.join(sys.argv[1:])}\n")
            log.write(f"python {platform.python_version()} on {platform.platform()}\n")
            log.write("".join(traceback.format_exception(exc)))
    except OSError:
        pass
    return path
