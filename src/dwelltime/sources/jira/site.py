"""Opening a Jira site for reading: the client with the settings' limits and the site's
shared budget; checking credentials before a token is bound to them."""

from __future__ import annotations

import httpx

from dwelltime.config import Settings
from dwelltime.errors import DwelltimeError
from dwelltime.sources.jira.budget import SiteBudget, budget_file
from dwelltime.sources.jira.client import JiraAnswer, JiraClient, RetryPolicy
from dwelltime.sources.jira.credentials import JiraCredentials
from dwelltime.sources.jira.editions import SiteApi, site_api

BUDGET_FOLDER = "jira-budget"


#: Checking credentials is interactive: two attempts, ten seconds each, then say so.
VERIFY_POLICY = RetryPolicy(attempts=2, timeout_s=10.0)


def open_site(
    credentials: JiraCredentials,
    settings: Settings,
    transport: httpx.BaseTransport | None = None,
    policy: RetryPolicy | None = None,
) -> SiteApi:
    """The API of `credentials`' site, sharing its request budget with this server's others."""
    budget = SiteBudget(
        budget_file(settings.home / BUDGET_FOLDER, credentials.site_url),
        settings.jira_requests_per_second,
    )
    policy = policy or RetryPolicy(
        attempts=settings.jira_attempts, timeout_s=settings.jira_timeout_seconds
    )
    client = JiraClient(
        credentials,
        budget,
        policy=policy,
        concurrency=settings.jira_concurrency,
        transport=transport,
    )
    return site_api(client)


def verify_credentials(
    credentials: JiraCredentials,
    settings: Settings,
    transport: httpx.BaseTransport | None = None,
) -> str:
    """Who `credentials` authenticate as on their site (its `/myself`), so a token is
    never bound to credentials Jira refuses; DwelltimeError saying what Jira answered
    (the messages name the site, never the secret)."""
    api = open_site(credentials, settings, transport, VERIFY_POLICY)
    try:
        me = api.myself()
    except JiraAnswer as error:
        hint = {
            401: "check the email and API token (Cloud) or the personal access token",
            403: "the account may not use the REST API (or Jira asks it to solve a CAPTCHA)",
        }.get(error.status, "is this the site's base URL?")
        raise DwelltimeError(f"{error.message} ({hint})") from None
    finally:
        api.client.close()
    name = me.get("displayName") or me.get("emailAddress") or me.get("name") or "?"
    return str(name)
