"""Benchmarks: scripts that measure dwelltime against a baseline run in the same process."""
