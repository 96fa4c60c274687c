"""relbot: the release bot that knows the project's policy and carries it out."""

__version__ = "0.1.0"
