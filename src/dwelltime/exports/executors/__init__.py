"""Executors run `run_export` (and `run_unit` for split exports) somewhere; they only
schedule, never decide (the scheduler does).

`inline` runs in the calling thread (tests); `pool` runs each job in its own process
from a bounded pool owned by `dwelltime serve`; `celery` sends jobs to `dwelltime worker`
processes through a broker; `configured` picks one from settings.
"""
