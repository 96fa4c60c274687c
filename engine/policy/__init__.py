"""Policies: the model of a policy file, loading it, and describing it in words."""

from engine.policy.model import (
    PERIOD_SECTIONS,
    Period,
    PeriodFile,
    Policy,
    PolicyFile,
    Rules,
    deep_merge,
)
from engine.policy.sections import (
    CHANGE_KINDS,
    Backport,
    BackportRule,
    Cadence,
    ChangeKind,
    Component,
    Holidays,
    Lts,
    Milestone,
    MonthlyPrerelease,
    Package,
    Prerelease,
    Project,
    Support,
    Toolchain,
    Toolchains,
)

__all__ = [
    "CHANGE_KINDS", "PERIOD_SECTIONS", "Backport", "BackportRule", "Cadence", "ChangeKind",
    "Component", "Holidays", "Lts", "Milestone", "MonthlyPrerelease", "Package", "Period",
    "PeriodFile", "Policy", "PolicyFile", "Prerelease", "Project", "Rules", "Support", "Toolchain",
    "Toolchains", "deep_merge",
]
