"""Jira sites as a source: the httpx client (Cloud v3, Data Center v2), the site-wide
request budget, per-token credentials, the read-through mirror and `sync`.

Issues read from Jira are parsed by `sources.jira_json` and written through the store;
reports are computed from the store. Must not know reports, exports or HTTP routes."""
