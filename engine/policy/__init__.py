"""Policies: the model of a policy file, loading it, and describing it in words."""

from engine.policy.model import (
    CHANGE_KINDS,
    PERIOD_SECTIONS,
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
    Period,
    PeriodFile,
    Policy,
    PolicyFile,
    Prerelease,
    Project,
    Rules,
    Support,
    Toolchain,
    Toolchains,
    deep_merge,
)

__all__ = [
    "CHANGE_KINDS", "PERIOD_SECTIONS", "Backport", "BackportRule", "Cadence", "ChangeKind",
    "Component", "Holidays", "Lts", "Milestone", "MonthlyPrerelease", "Package", "Period",
    "PeriodFile", "Policy", "PolicyFile", "Prerelease", "Project", "Rules", "Support", "Toolchain",
    "Toolchains", "deep_merge",
]
