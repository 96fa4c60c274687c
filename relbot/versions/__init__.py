"""Versions of the manifests that move with the runtime: read, checked, set in lock-step."""
