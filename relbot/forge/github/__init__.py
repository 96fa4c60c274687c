"""The GitHub forge: PyGithub behind the Forge and Releaser ports."""
