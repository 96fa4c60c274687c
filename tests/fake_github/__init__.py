"""A stateful fake of the GitHub REST API for tests, served over real HTTP.

Real PyGithub talks to it with ``Github(base_url=fake.base_url, ...)``; git semantics
(branches, refs, compare, merges, tags) come from real bare repositories whose
``clone_url`` is a ``file://`` URL, so real ``git clone``/``push`` work too.
See /work/shared/notes/github-testing.md for the design and the rules it follows.
"""

from .control import FakeGitHub, running_fake_github
from .state import Fault, RequestRecord

__all__ = ["FakeGitHub", "Fault", "RequestRecord", "running_fake_github"]
