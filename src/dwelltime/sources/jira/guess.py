"""`Guess`: a re-export computed from what the store confirmed, while Jira is asked.

An unchanged re-export of a confirmed selection (`confirmed`) could not compute before
Jira had answered: the catalog, then the listing of ids and the search of what changed,
~0.45 s with 50 ms a request at 30,000 issues, against a local export of ~0.4 s. Yet the
store's record already says what the answer will nearly always be: the same ids, none
changed, the same catalog. So the export computes at once from the record's rows (the
store's copies, valid while the store's generation stands) with the record's catalog, and
its total is the record's count; Jira is asked beside it, as a non-guessing export would
ask it. The guess stands only if Jira's answers confirm all of it: the same ids listed,
none of them to fetch (changed since, lacking a needed field's histories), the same
catalog. Otherwise the computation is dropped (`sources.base.Unconfirmed`) and done again
from Jira's answers, exactly as an export that never guessed would do it.
"""

from __future__ import annotations

from concurrent.futures import Future

from dwelltime.domain.issues import Status
from dwelltime.sources.jira.listings import Compared, ListingPlan


class Guess:
    """The record of `plan` (which must have rows and a catalog) as the selection's
    answer, until `listing` and `catalog` (Jira's, asked beside) confirm or refute it."""

    def __init__(
        self, plan: ListingPlan, listing: Future[Compared], catalog: Future[list[Status]]
    ) -> None:
        known = plan.known
        assert known is not None and known.rows is not None and known.statuses is not None
        self.plan = plan
        self.ids: list[int] = known.ids.tolist()
        self.rows: list[int] = known.rows.tolist()
        self.statuses: list[Status] = list(known.statuses)
        self.listing = listing
        self._catalog = catalog
        self._listing_agrees: bool | None = None

    def refuted_yet(self) -> bool:
        """Whether an answer already in refutes the guess (without waiting for the
        others): a computation checks between batches, so a refuted one stops early.
        A failed request raises its error here, as the listing would have."""
        catalog, listing = self._catalog, self.listing
        return (catalog.done() and catalog.result() != self.statuses) or (
            listing.done() and not self._listed_as_guessed(listing.result())
        )

    def confirmed(self) -> bool:
        """Whether Jira's answers, once all in, confirm the guess (errors raised)."""
        return self._catalog.result() == self.statuses and self._listed_as_guessed(
            self.listing.result()
        )

    def _listed_as_guessed(self, compared: Compared) -> bool:
        """The same ids, none to fetch, and the same store rows of them (those Jira
        listed as changed were looked up: a write since the record was loaded may have
        moved one)."""
        if self._listing_agrees is None:
            self._listing_agrees = (
                not compared.stale
                and compared.ids == self.ids
                and list(map(compared.rows.get, self.ids)) == self.rows
            )
        return self._listing_agrees
