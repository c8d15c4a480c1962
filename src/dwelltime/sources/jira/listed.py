"""What the last complete sync of a (site, JQL) listed, per Jira account: the memory that
tells a sync which issues have vanished from its selection since.

Listings are kept per account because Jira lists only what the credentials may see: an
account that cannot see an issue must not make it vanish for the others sharing the
store. A listing recorded before accounts were (account "", migration 0020) is taken
over by the next sync of its (site, JQL), whoever runs it.

Issues no listing holds (fetched by Jira-bound exports only) are asked for by id; what a
sync got back is recorded per account (`jira_checked`) and not asked again until the
check is `RECHECK_AFTER_MS` old, so a deletion in Jira still reaches the store, a day
late at most, without a search per 200 such issues on every sync.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import sqlalchemy as sa

from dwelltime.sources.jira.tables import jira_checked, jira_listed
from dwelltime.sources.store import schema
from dwelltime.sources.store.sql_lists import id_chunks

#: The account of listings recorded before accounts were.
UNKNOWN_ACCOUNT = ""
#: How long a by-id check of an unlisted issue spares it the next syncs' question.
RECHECK_AFTER_MS = 24 * 3_600_000


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


def unlisted(engine: sa.Engine, site: str, checked_since_ms: int) -> set[int]:
    """Ids of the issues the store holds of `site` that no recorded listing holds and no
    account's sync checked since `checked_since_ms`: those only Jira-bound exports
    fetched (they record no listing), which no sync would otherwise ever ask about."""
    issues = schema.issues
    held = sa.select(jira_listed.c.jira_id).where(jira_listed.c.site == site)
    checked = sa.select(jira_checked.c.jira_id).where(
        jira_checked.c.site == site, jira_checked.c.checked_ms >= checked_since_ms
    )
    query = sa.select(issues.c.jira_id).where(
        issues.c.site == site, issues.c.jira_id.not_in(held), issues.c.jira_id.not_in(checked)
    )
    with engine.connect() as connection:
        return set(connection.execute(query).scalars())


def record_checked(
    engine: sa.Engine,
    site: str,
    account: str,
    asked: Sequence[int],
    returned: Collection[int],
    at_ms: int,
) -> None:
    """Of the unlisted issues `asked` for by id as `account` at `at_ms`, Jira `returned`
    these: their checks are renewed; the account's checks of the others are dropped (it
    may not see them any more, so they no longer keep them for it, `held_elsewhere`)."""
    table = jira_checked
    with engine.begin() as connection:
        for chunk in id_chunks(asked):
            connection.execute(
                table.delete().where(
                    table.c.site == site, table.c.account == account, table.c.jira_id.in_(chunk)
                )
            )
        rows = [
            {"site": site, "jira_id": i, "account": account, "checked_ms": at_ms}
            for i in asked
            if i in returned
        ]
        if rows:
            connection.execute(table.insert(), rows)


def held_elsewhere(
    engine: sa.Engine, site: str, jql: str, account: str, jira_ids: Sequence[int]
) -> set[int]:
    """Those of `jira_ids` that a listing of `site` by another account still holds (of
    any JQL; one recorded before accounts were counts as another's, unless it is this
    selection's own, which this sync takes over), or that another account's check of
    unlisted issues got back."""
    table = jira_listed
    found: set[int] = set()
    with engine.connect() as connection:
        for chunk in id_chunks(jira_ids):
            checked = sa.select(jira_checked.c.jira_id).where(
                jira_checked.c.site == site,
                jira_checked.c.jira_id.in_(chunk),
                jira_checked.c.account != account,
            )
            found.update(connection.execute(checked).scalars())
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
