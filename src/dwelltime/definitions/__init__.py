"""Shared definitions people save and look up: calendars and parameter sets.

One service per kind, called by both the REST routes and the CLI, so who may read, search
and change a definition is decided here once. Knows the store, never HTTP or reports.
"""
