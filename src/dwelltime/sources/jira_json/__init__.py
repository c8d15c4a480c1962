"""The import of Jira REST JSON files (v2/v3 search results, issues, changelog pages,
bulkfetch, status lists) into the local store, each file in one transaction.

Reading JSON into domain objects is pure; only `importer` writes (through the store).
Must not know reports, exports or HTTP."""
