"""Opening a Jira site for reading: the client with the settings' limits and the site's
shared budget, and the source over the store."""

from __future__ import annotations

import httpx

from dwelltime.config import Settings
from dwelltime.sources.jira.budget import SiteBudget, budget_file
from dwelltime.sources.jira.client import JiraClient, RetryPolicy
from dwelltime.sources.jira.credentials import JiraCredentials
from dwelltime.sources.jira.editions import SiteApi, site_api

BUDGET_FOLDER = "jira-budget"


def open_site(
    credentials: JiraCredentials,
    settings: Settings,
    transport: httpx.BaseTransport | None = None,
) -> SiteApi:
    """The API of `credentials`' site, sharing its request budget with this server's others."""
    budget = SiteBudget(
        budget_file(settings.home / BUDGET_FOLDER, credentials.site_url),
        settings.jira_requests_per_second,
    )
    policy = RetryPolicy(attempts=settings.jira_attempts, timeout_s=settings.jira_timeout_seconds)
    client = JiraClient(
        credentials,
        budget,
        policy=policy,
        concurrency=settings.jira_concurrency,
        transport=transport,
    )
    return site_api(client)
