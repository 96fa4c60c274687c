"""A stateful fake of the GitHub REST API for tests, served over real HTTP.

Real PyGithub talks to it with ``Github(base_url=fake.base_url, ...)``; git semantics
(branches, refs, compare, merges, tags) come from real bare repositories whose
``clone_url`` is a ``file://`` URL, so real ``git clone``/``push`` work too.
See /work/shared/notes/github-testing.md for the design and the rules it follows.

Typical use::

    with running_fake_github(tmp_path) as fake:
        fake.add_repo("acme/widget", local_repo)            # git clone --bare
        fake.add_pull("acme/widget", title="Fix", head="fix", merged=True,
                      merge_commit_sha=sha, labels=["backport-1.x"])
        fake.set_permission("acme/widget", "alice", "write")
        fake.faults.add("POST", "/repos/acme/widget/pulls", 502, apply_first=True)
        g = Github(base_url=fake.base_url, auth=Auth.Token("t"),
                   seconds_between_requests=None, seconds_between_writes=None, retry=None)
        ...
        assert fake.requests_to("POST", "/repos/acme/widget/pulls")

Unknown routes answer 501 ``{"message": "fake-github: not implemented: METHOD PATH"}``.
"""

from .control import FakeGitHub, running_fake_github
from .state import Fault, RequestRecord

__all__ = ["FakeGitHub", "Fault", "RequestRecord", "running_fake_github"]
