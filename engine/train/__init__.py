"""The release train: what a day requires, the security-release rule, release notes."""
