"""The Jira credential options `token create` and `sync` share, read into credentials.

Secrets are read from files (never from the command line, which other users of the
machine can see in the process list) and never echoed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dwelltime.domain.sites import SiteProblem, site_url
from dwelltime.errors import DwelltimeError
from dwelltime.sources.jira.credentials import Edition, JiraCredentials

JiraUrlOption = Annotated[
    str | None, typer.Option("--jira-url", help="The Jira site, e.g. https://acme.atlassian.net.")
]
JiraEmailOption = Annotated[
    str | None, typer.Option("--jira-email", help="Jira Cloud: the account's email.")
]
JiraTokenFileOption = Annotated[
    Path | None,
    typer.Option("--jira-token-file", help="Jira Cloud: a file holding the API token."),
]
JiraPatFileOption = Annotated[
    Path | None,
    typer.Option(
        "--jira-pat-file", help="Jira Data Center: a file holding a personal access token."
    ),
]


def read_credentials(
    url: str | None, email: str | None, token_file: Path | None, pat_file: Path | None
) -> JiraCredentials | None:
    """Credentials from the options; None when none was given; DwelltimeError when unusable."""
    if url is None:
        if email or token_file or pat_file:
            raise DwelltimeError(
                "--jira-email, --jira-token-file and --jira-pat-file need --jira-url."
            )
        return None
    try:
        url = site_url(url)
    except SiteProblem as problem:
        raise DwelltimeError(f"--jira-url: {problem}") from None
    if (token_file is None) == (pat_file is None):
        raise DwelltimeError(
            "Give exactly one of --jira-token-file (Cloud, with --jira-email) or --jira-pat-file "
            "(Data Center)."
        )
    if token_file is not None and not email:
        raise DwelltimeError("A Jira Cloud API token (--jira-token-file) needs --jira-email.")
    if pat_file is not None and email:
        raise DwelltimeError("A personal access token (--jira-pat-file) takes no --jira-email.")
    path = token_file or pat_file
    assert path is not None
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise DwelltimeError(f"Cannot read the Jira token file {path}: {error}") from None
    if not secret:
        raise DwelltimeError(f"The Jira token file {path} is empty.")
    edition: Edition = "cloud" if token_file is not None else "datacenter"
    return JiraCredentials(url, edition, email, secret)
