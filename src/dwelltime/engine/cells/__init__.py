"""What each report type stages per batch: long-form cells (issue, column key, value).

One module per family of report types; each reads a `BatchView` and returns a frame of
the staged cell schema. Knows nothing of column order, titles or rendering."""
