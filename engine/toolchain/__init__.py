"""Toolchain release calendars, floors and the checks against them (Go, Rust)."""
