"""What the last complete sync of a (site, JQL) listed, per Jira account: the memory that
tells a sync which issues have vanished from its selection since.

Listings are kept per account because Jira lists only what the credentials may see: an
account that cannot see an issue must not make it vanish for the others sharing the
store. A listing recorded before accounts were (account "", migration 0020) is taken
over by the next sync of its (site, JQL), whoever runs it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import sqlalchemy as sa

from dwelltime.sources.jira.tables import jira_listed
from dwelltime.sources.store import schema
from dwelltime.sources.store.sql_lists import id_chunks

#: The account of listings recorded before accounts were.
UNKNOWN_ACCOUNT = ""


def recorded(engine: sa.Engine, site: str, jql: str, account: str) -> set[int]:
    """The ids the last complete sync of (`site`, `jql`) as `account` listed."""
    table = jira_listed
    own = sa.and_(
        table.c.site == site,
        table.c.jql == jql,
        table.c.account.in_([account, UNKNOWN_ACCOUNT]),
    )
    query = sa.select(table.c.jira_id).where(own).distinct()
    with engine.connect() as connection:
        return set(connection.execute(query).scalars())


def unlisted(engine: sa.Engine, site: str) -> set[int]:
    """Ids of the issues the store holds of `site` that no recorded listing holds: those
    only Jira-bound exports fetched (they record no listing), which no sync would
    otherwise ever ask about."""
    issues = schema.issues
    held = sa.select(jira_listed.c.jira_id).where(jira_listed.c.site == site)
    query = sa.select(issues.c.jira_id).where(issues.c.site == site, issues.c.jira_id.not_in(held))
    with engine.connect() as connection:
        return set(connection.execute(query).scalars())


def held_elsewhere(
    engine: sa.Engine, site: str, jql: str, account: str, jira_ids: Sequence[int]
) -> set[int]:
    """Those of `jira_ids` that a listing of `site` by another account still holds (of
    any JQL; one recorded before accounts were counts as another's, unless it is this
    selection's own, which this sync takes over)."""
    table = jira_listed
    found: set[int] = set()
    with engine.connect() as connection:
        for chunk in id_chunks(jira_ids):
            query = (
                sa.select(table.c.jira_id)
                .where(
                    table.c.site == site,
                    table.c.jira_id.in_(chunk),
                    table.c.account != account,
                    sa.not_(sa.and_(table.c.jql == jql, table.c.account == UNKNOWN_ACCOUNT)),
                )
                .distinct()
            )
            found.update(connection.execute(query).scalars())
    return found


def record(
    connection: sa.Connection, site: str, jql: str, account: str, jira_ids: Collection[int]
) -> None:
    """Make `jira_ids` the recorded listing of (`site`, `jql`) as `account`, in the
    caller's transaction: only the difference is written (a listing of tens of thousands
    of issues mostly stays as it was)."""
    table = jira_listed
    own = sa.and_(table.c.site == site, table.c.jql == jql, table.c.account == account)
    held = set(connection.execute(sa.select(table.c.jira_id).where(own)).scalars())
    listed = set(jira_ids)
    for chunk in id_chunks(sorted(held - listed)):
        connection.execute(table.delete().where(own, table.c.jira_id.in_(chunk)))
    added = sorted(listed - held)
    if added:
        connection.execute(
            table.insert(),
            [{"site": site, "jql": jql, "account": account, "jira_id": i} for i in added],
        )
    connection.execute(
        table.delete().where(
            table.c.site == site, table.c.jql == jql, table.c.account == UNKNOWN_ACCOUNT
        )
    )
