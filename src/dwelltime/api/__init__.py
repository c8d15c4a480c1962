"""The HTTP API (FastAPI): thin routes over exports.ExportService; no rules live here."""
