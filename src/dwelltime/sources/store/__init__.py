"""The local issue store: SQLite by default, PostgreSQL by URL. Tables, the one upsert
`write`, batched columnar reads, selections (filter types, JQL compiled to SQL), stored
calendars and parameter sets, and `LocalSource`, the `IssueSource` over all of it.

Must not know reports, files, export jobs or HTTP."""
