"""The nouns every layer shares: issues and their histories, calendars, the selection of
issues a report covers, the columnar batch sources hand the engine, and wall-clock time.

Plain values and pure functions only: no I/O, no database, no HTTP, and nothing from any
other dwelltime package, so that every layer can import it."""
