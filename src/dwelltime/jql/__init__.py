"""The JQL subset as a language: grammar, parser, checked nodes and date functions.

Pure: it turns text into nodes or a problem that names the unsupported part. Compiling
nodes to SQL belongs to the store (`sources.store.jql_sql`); parameters use the parser to
refuse bad queries before an export is queued."""
