"""The CLI's one error boundary: users get one line, bug reports get a log file."""

from __future__ import annotations

import os
import platform
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from engine.errors import EngineError, PolicyError
from relbot.errors import RelbotError


@dataclass
class Outcome:
    """The exit code a run ends with."""

    code: int = 0


def log_path() -> Path:
    """Where unexpected errors are written in full."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "relbot" / "relbot.log"


def _say(message: str) -> None:
    print(f"relbot: error: {message}", file=sys.stderr)


@contextmanager
def error_boundary() -> Iterator[Outcome]:
    """Map exceptions to one line on stderr and an exit code (2 bad input, 1 failure, 3 bug)."""
    outcome = Outcome()
    try:
        yield outcome
    except PolicyError as exc:
        _say(str(exc))
        outcome.code = 2
    except EngineError as exc:
        _say(str(exc))
        outcome.code = 2
    except RelbotError as exc:
        _say(str(exc))
        outcome.code = exc.exit_code
    except KeyboardInterrupt:
        _say("interrupted")
        outcome.code = 130
    except Exception as exc:
        from relbot.store import StoreError

        if isinstance(exc, StoreError):
            _say(str(exc))
            outcome.code = 1
            return
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
