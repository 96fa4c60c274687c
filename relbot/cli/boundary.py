"""The CLI's one error boundary: users get one line, bug reports get a log file."""

from __future__ import annotations

import platform
import re
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
    # One line whatever a message quotes (a value with a newline, a multi-line git error).
    line = " ".join(message.split("\n")).replace("\r", " ")
    print(f"relbot: error: {line}", file=sys.stderr)


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
        ordinary = _ordinary_failure(exc)
        if ordinary is not None:
            _say(ordinary)
            outcome.code = 1
            return
        path = _write_report(exc)
        _say(f"unexpected {type(exc).__name__}; this is a bug in relbot, details in {path}")
        outcome.code = 3


URL_PASSWORD = re.compile(r"(?<=://)([^:/@\s]+):[^@\s]+@")


def _ordinary_failure(exc: Exception) -> str | None:
    """One line for a failure of the world, not of relbot: the database went away, the disk is
    full. None for anything else (a bug)."""
    # sqlalchemy is imported only by commands that open the store; look it up, never import it.
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is not None and isinstance(exc, sa_exc.SQLAlchemyError):
        cause = getattr(exc, "orig", None) or exc
        first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        first = URL_PASSWORD.sub(r"\1:***@", first)[:300]
        return (f"the store failed ({type(cause).__name__}: {first}); check RELBOT_DATABASE_URL "
                "and that the database is up, then run again: relbot resumes where it stopped")
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or type(exc).__name__}{where}; fix that and run again"
    return None


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
