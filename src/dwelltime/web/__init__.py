"""The page at `/`: one HTML template and its plain JavaScript and CSS, no build step.

The page is a client of the public REST API only (it holds no rules and no private
endpoints); `api/routes/web.py` serves these files. Nothing here is fetched from the
internet, so the page works on an offline machine."""

from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
