"""Find and read policy files; parsing and validation live in ``engine``.

Lookup order for the policy: ``--policy FILE`` (a path, or the name of a shipped policy such as
``wasmtime``); else ``relbot.toml`` at the top of the repository (``--repo``, or the one holding
the current directory); else the shipped ``policies/runtime.toml``.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import PolicyError
from engine.policy import Policy
from engine.policy.load import load_policy_text
from relbot.errors import GitError
from relbot.git.refs import repository_root
from relbot.paths import default_policy, policies_dir

REPOSITORY_POLICY = "relbot.toml"


def shipped_policies() -> list[str]:
    """Names of the policies shipped with relbot."""
    return sorted(p.stem for p in policies_dir().glob("*.toml"))


def locate_policy(policy: Path | None, repo: Path | None) -> Path:
    """The policy file to use, by the documented lookup order."""
    if policy is not None:
        if policy.exists() or policy.suffix:
            return policy
        shipped = policies_dir() / f"{policy}.toml"
        return shipped if shipped.exists() else policy
    for start in [repo] if repo is not None else [Path.cwd()]:
        try:
            root = repository_root(start)
        except GitError:
            if repo is not None:
                raise
            continue
        candidate = root / REPOSITORY_POLICY
        if candidate.is_file():
            return candidate
    return default_policy()


def read_policy(path: Path) -> Policy:
    """Read and validate a policy file; every failure is a one-line :class:`PolicyError`."""
    source = str(path)
    if not path.exists():
        raise PolicyError(
            source, "", f"no such policy file (shipped policies: {', '.join(shipped_policies())})"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(source, "", f"cannot read the file: {exc}") from None
    return load_policy_text(text, source)


def load(policy: Path | None, repo: Path | None) -> Policy:
    """Locate and read the policy in one step."""
    return read_policy(locate_policy(policy, repo))
