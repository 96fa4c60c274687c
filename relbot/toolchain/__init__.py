"""Toolchain floors (Go, Rust): what a repository declares, checks, bumps, release data."""
