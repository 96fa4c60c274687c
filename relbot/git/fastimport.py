"""Write commits, branches and annotated tags with ``git fast-import`` (fast, no checkouts)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from relbot.errors import GitError
from relbot.git.refs import layout
from relbot.git.runner import run_git_bytes

Person = tuple[str, str]


class FastImport:
    """Buffers a fast-import stream; marks persist across flushes so shas can be read mid-way."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        git_dir = layout(repo).git_dir
        self.marks_file = git_dir / "relbot-fast-import.marks"
        self.buffer: list[bytes] = []
        self.next_mark = 1
        self.heads: dict[str, int] = {}
        self.trees: dict[str, dict[str, str]] = {}
        self.commits = 0

    def _data(self, text: str) -> bytes:
        raw = text.encode()
        return b"data %d\n" % len(raw) + raw + b"\n"

    @staticmethod
    def _who(person: Person, when: datetime) -> bytes:
        return f"{person[0]} <{person[1]}> {int(when.timestamp())} +0000".encode()

    def commit(self, branch: str, when: datetime, author: Person, message: str,
               changes: dict[str, str]) -> int:
        """Commit ``changes`` (path → full content) on ``branch``; returns the commit's mark."""
        mark = self.next_mark
        self.next_mark += 1
        out = [b"commit refs/heads/" + branch.encode() + b"\n", b"mark :%d\n" % mark,
               b"author " + self._who(author, when) + b"\n",
               b"committer " + self._who(author, when) + b"\n", self._data(message)]
        if branch in self.heads:
            out.append(b"from :%d\n" % self.heads[branch])
        tree = self.trees.setdefault(branch, {})
        for path, content in sorted(changes.items()):
            out.append(b"M 100644 inline " + path.encode() + b"\n" + self._data(content))
            tree[path] = content
        out.append(b"\n")
        self.buffer.extend(out)
        self.heads[branch] = mark
        self.commits += 1
        return mark

    def branch(self, name: str, from_branch: str) -> None:
        """Create ``name`` at ``from_branch``'s head."""
        mark = self.heads[from_branch]
        self.buffer.append(b"reset refs/heads/" + name.encode() + b"\nfrom :%d\n\n" % mark)
        self.heads[name] = mark
        self.trees[name] = dict(self.trees[from_branch])

    def tag(self, name: str, mark: int, when: datetime, tagger: Person, message: str) -> None:
        """An annotated tag ``name`` on the commit ``mark``."""
        self.buffer.extend([b"tag " + name.encode() + b"\n", b"from :%d\n" % mark,
                            b"tagger " + self._who(tagger, when) + b"\n", self._data(message)])

    def head(self, branch: str) -> int:
        """The mark of ``branch``'s newest commit."""
        return self.heads[branch]

    def tree(self, branch: str) -> dict[str, str]:
        """The files on ``branch`` (path → content)."""
        return self.trees[branch]

    def sha_of(self, mark: int) -> str:
        """The commit id behind a mark (flushes the stream first)."""
        self.flush()
        for line in self.marks_file.read_text().splitlines():
            key, sha = line.split()
            if key == f":{mark}":
                return sha
        raise GitError(f"fast-import did not record mark :{mark}")

    def flush(self) -> None:
        """Send everything buffered to git fast-import."""
        if not self.buffer:
            return
        stream = b"".join(self.buffer) + b"done\n"
        self.buffer = []
        try:
            run_git_bytes(self.repo, "fast-import", "--quiet", "--done",
                          f"--import-marks-if-exists={self.marks_file}",
                          f"--export-marks={self.marks_file}", input=stream)
        except GitError as exc:
            raise GitError(f"git fast-import failed: {str(exc)[-300:]}") from None

    def finish(self) -> None:
        """Flush and remove the marks file."""
        self.flush()
        self.marks_file.unlink(missing_ok=True)
