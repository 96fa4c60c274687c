"""Forges: the ports (Forge, Releaser and their values), the local forge, GitHub."""
