"""Backports: decide the targets from the policy, pick onto each, publish, track."""
