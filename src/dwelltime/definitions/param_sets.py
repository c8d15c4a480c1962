"""`ParamSetService`: parameter sets each user reads (own, public; admins all) and writes
(own only), for the REST endpoints and the `dwelltime paramset` commands alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dwelltime.definitions.search import Page, search_page
from dwelltime.domain.caller import Caller
from dwelltime.errors import Forbidden, InvalidParameters, NotFound
from dwelltime.params.values import MAX_ID_CHARS, ParamProblem, clean_text
from dwelltime.params.wire import KNOWN_PARAMETERS
from dwelltime.sources.store.issue_store import IssueStore, ParamSet

NOT_OWNER = "Only the owner of a parameter set can change it."


class ParamSetService:
    """Parameter sets of one store on behalf of a caller."""

    def __init__(self, store: IssueStore) -> None:
        self._store = store

    def visible(self, caller: Caller) -> list[ParamSet]:
        return [saved for saved in self._store.param_sets() if saved.readable_by(caller)]

    def search(
        self,
        caller: Caller,
        name: str | None,
        search_type: str | None,
        page_number: int,
        page_size: int,
    ) -> Page[ParamSet]:
        return search_page(
            self.visible(caller), lambda s: s.name, name, search_type, page_number, page_size
        )

    def get(self, caller: Caller, param_set_id: str) -> ParamSet:
        """The set; another user's private one is reported exactly like a missing one."""
        saved = self._store.param_set(param_set_id)
        if saved is None or not saved.readable_by(caller):
            raise NotFound(f"No parameter set with id {param_set_id!r}.")
        return saved

    def create(
        self, caller: Caller, name: str, params: Mapping[str, Sequence[str]], public: bool
    ) -> ParamSet:
        """A new set owned by the caller, under the next free number."""
        return self._save(ParamSet(self._next_id(), name, caller.user, _values(params), public))

    def replace(
        self,
        caller: Caller,
        param_set_id: str,
        name: str,
        params: Mapping[str, Sequence[str]],
        public: bool,
    ) -> ParamSet:
        """Overwrite one's own set (it keeps its owner)."""
        current = self._writable(caller, param_set_id)
        return self._save(ParamSet(param_set_id, name, current.owner, _values(params), public))

    def save(
        self,
        param_set_id: str,
        name: str,
        params: Mapping[str, Sequence[str]],
        public: bool,
        owner: str | None,
    ) -> ParamSet:
        """The operator's create-or-overwrite under a chosen id, for any owner."""
        return self._save(ParamSet(param_set_id, name, owner, _values(params), public))

    def delete(self, caller: Caller, param_set_id: str) -> None:
        self._writable(caller, param_set_id)
        self._store.delete_param_set(param_set_id)

    def _writable(self, caller: Caller, param_set_id: str) -> ParamSet:
        saved = self.get(caller, param_set_id)
        if not saved.writable_by(caller):
            raise Forbidden(
                NOT_OWNER, [f"Parameter set {param_set_id!r} belongs to {saved.owner}."]
            )
        return saved

    def _save(self, param_set: ParamSet) -> ParamSet:
        checked = _checked(param_set)
        self._store.save_param_set(checked)
        return checked

    def _next_id(self) -> str:
        numbers = [int(s.id) for s in self._store.param_sets() if s.id.isdigit()]
        return str(max(numbers, default=0) + 1)


def _checked(param_set: ParamSet) -> ParamSet:
    """The set when its id, name and parameter names are usable.

    Unknown names are refused, not kept: reports ignore unknown parameters, so a typo in a
    saved set would never take effect and never be noticed. A set without an owner is
    public, since nobody could otherwise see it.
    """
    problems = []
    try:
        clean_text("id", param_set.id, MAX_ID_CHARS)
        clean_text("name", param_set.name, MAX_ID_CHARS)
    except ParamProblem as problem:
        problems.append(str(problem))
    if not param_set.id.strip() or "," in param_set.id:
        problems.append(f"id: must be non-empty and without commas, got {param_set.id!r}")
    if not param_set.name.strip():
        problems.append("name: a non-empty name is required")
    known = set(KNOWN_PARAMETERS) - {"paramSetId"}
    problems += [
        f"{name}: not a report parameter a set can hold"
        for name in sorted(set(param_set.params) - known)
    ]
    if not param_set.params:
        problems.append("parameters: a set needs at least one parameter")
    if problems:
        raise InvalidParameters(problems)
    public = param_set.public or param_set.owner is None
    return ParamSet(
        param_set.id.strip(), param_set.name.strip(), param_set.owner, param_set.params, public
    )


def _values(params: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    return {name: list(values) for name, values in params.items()}
