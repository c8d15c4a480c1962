"""Report parameters (SPEC §3): the validated `ReportParams` noun and the parsing of wire
values (query, form, JSON) into it, every problem reported at once.

Knows the shared nouns and the JQL language; must not know sources, the engine, writers,
exports or HTTP: what validation needs to look up comes through the `ParamContext` protocol."""
