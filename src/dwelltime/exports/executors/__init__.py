"""Executors run `run_export` somewhere; they only schedule, never decide (the scheduler does).

`inline` runs in the calling thread (tests); `pool` runs each export in its own process
from a bounded pool owned by `dwelltime serve`; `configured` picks one from settings.
"""
