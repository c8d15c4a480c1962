"""The synchronous report surface (SPEC §8): single issues, pages of the list report,
aggregations and small exports, answered in the request.

Everything runs through `pipeline.computed_report` (the exports' computation) over a window
of the selection, within a time budget; pages carry signed tokens. Knows parameters, the
pipeline and the writers, never HTTP.
"""
