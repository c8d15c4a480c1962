"""HTTP routes: exports (SPEC §2) and operational endpoints (health, metrics)."""
