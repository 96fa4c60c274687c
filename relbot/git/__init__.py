"""Every git process relbot starts: the runner, refs, picks, tree edits, fast-import."""
