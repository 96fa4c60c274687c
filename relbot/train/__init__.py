"""The release train: branch cuts, version bumps, tags, release notes, patch releases."""
