"""Deterministic synthetic Jira data (`dwelltime demo-data`): catalogs, workflows, people
on their working hours, and issues whose histories look like real teams' work.

Writes through the store; must not know reports, exports or HTTP."""
