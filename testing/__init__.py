"""Test helpers relbot's tests import: a stateful fake of GitHub, repository builders."""

from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent  # the relbot checkout the tests run from
