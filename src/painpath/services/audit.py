"""The audit trail: every read, write, export and print of patient data, and every denial;
checking its hash chain (``verify``), and the admins' report (``report``, ``export``, CSV).

Services call ``audit`` inside the unit of work that does the work, before it commits, so the
entry and the change are stored together or not at all.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import TextIO

from painpath.domain.accounts import Principal
from painpath.domain.audit import AuditAction, AuditEvent, AuditOutcome
from painpath.domain.audit_chain import GENESIS_HASH, AuditHead, StoredEntry, canonical_time
from painpath.domain.audit_query import AuditPage, AuditQuery, AuditSortKey, SortOrder
from painpath.services.errors import InvalidInputError
from painpath.services.ports import UnitOfWork


def event(
    *,
    principal: Principal | None,
    action: AuditAction,
    resource: str,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    patient_id: int | None = None,
    actor: str | None = None,
    clinic_id: int | None = None,
) -> AuditEvent:
    """An event stamped now (UTC), for a signed-in principal or a named actor (CLI, anonymous).

    ``clinic_id`` names the clinic for an actor without a principal (the command line).
    """
    return AuditEvent(
        at=datetime.now(UTC),
        actor=actor or (principal.username if principal else "anonymous"),
        action=action,
        resource=resource,
        outcome=outcome,
        user_id=principal.user_id if principal else None,
        clinic_id=principal.clinic_id if principal else clinic_id,
        patient_id=patient_id,
    )


def audit(uow: UnitOfWork, entry: AuditEvent) -> None:
    """Append to the trail in the caller's open unit of work (it commits with the work).

    Call it last, just before the commit: appending locks the trail's head until the commit,
    so every other audited request waits meanwhile, and on PostgreSQL a request that locked
    rows after its append could deadlock with one that locks the same rows before its own.
    """
    uow.audit.append(entry)


# --- Verifying the chain -------------------------------------------------------------------

VERIFY_BATCH = 1000


class AuditProblem(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    REORDERED = "reordered"
    ADDED = "added"
    REWRITTEN = "rewritten"


@dataclass(frozen=True)
class AuditVerification:
    """The result of walking the chain from the first entry to the head.

    ``first_bad_sequence`` is the first sequence where the trail stops being what painpath
    wrote; ``problem`` says what most likely happened there and ``detail`` says why.
    """

    checked: int
    head: AuditHead
    first_bad_sequence: int | None = None
    problem: AuditProblem | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if self.ok:
            return (
                f"audit trail intact: {_entries(self.checked)}, head "
                f"{self.head.sequence}:{self.head.entry_hash}"
            )
        return (
            f"audit trail broken at entry {self.first_bad_sequence} ({self.problem}): {self.detail}"
        )


def _entries(count: int) -> str:
    return f"{count} entry" if count == 1 else f"{count} entries"


def verify(
    uow: UnitOfWork, *, batch: int = VERIFY_BATCH, anchor: AuditHead | None = None
) -> AuditVerification:
    """Walk the chain in sequence order and report the first entry that breaks it.

    Each entry must follow the one before it without a gap, name that entry's hash as its
    ``previous_hash``, and hash to its own ``entry_hash``; the head must name the last entry.
    ``anchor`` is an entry's sequence and hash recorded earlier, outside the database (say,
    yesterday's head): someone able to rewrite the table could rebuild a consistent chain,
    but not one in which that entry keeps its hash.
    Reads only: verification writes nothing, not even an audit entry.
    """
    with uow:
        head = uow.audit.head()
        checked = 0
        expected, previous_hash = 1, GENESIS_HASH
        while entries := uow.audit.entries(after=expected - 1, limit=batch):
            for entry in entries:
                if entry.sequence > head.sequence:
                    # Appended since the head was read (a live system), or added behind
                    # painpath's back: a fresh head tells the two apart.
                    head = uow.audit.head()
                broken = _first_break(
                    entry, expected=expected, previous_hash=previous_hash, head=head
                )
                if broken is None and anchor is not None:
                    broken = _off_anchor(entry, anchor)
                if broken is not None:
                    sequence, problem, detail = broken
                    return AuditVerification(checked, head, sequence, problem, detail)
                checked += 1
                expected, previous_hash = entry.sequence + 1, entry.entry_hash
        result = _check_head(checked=checked, head=head, last=expected - 1, last_hash=previous_hash)
    if result.ok and anchor is not None and anchor.sequence >= expected:
        detail = (
            f"the recorded entry {anchor.sequence} is past the end of the trail "
            f"(entry {expected - 1}): entries were deleted"
        )
        return AuditVerification(checked, head, expected, AuditProblem.DELETED, detail)
    return result


def _off_anchor(entry: StoredEntry, anchor: AuditHead) -> tuple[int, AuditProblem, str] | None:
    if entry.sequence != anchor.sequence or entry.entry_hash == anchor.entry_hash:
        return None
    return (
        entry.sequence,
        AuditProblem.REWRITTEN,
        "its hash is not the one recorded earlier: the trail was rewritten from this entry "
        "or before it",
    )


def _first_break(
    entry: StoredEntry, *, expected: int, previous_hash: str, head: AuditHead
) -> tuple[int, AuditProblem, str] | None:
    if entry.sequence != expected:
        missing = (
            f"entry {expected} is missing"
            if entry.sequence == expected + 1
            else f"entries {expected} to {entry.sequence - 1} are missing"
        )
        return (
            expected,
            AuditProblem.DELETED,
            f"{missing}: the next entry found is {entry.sequence}",
        )
    if entry.sequence > head.sequence:
        return (
            expected,
            AuditProblem.ADDED,
            f"the trail goes on past its head at entry {head.sequence}: "
            "entries were added outside painpath",
        )
    if entry.previous_hash != previous_hash:
        before = f"entry {expected - 1}" if expected > 1 else "the start of the trail"
        return (
            expected,
            AuditProblem.REORDERED,
            f"it is not chained to {before} (its previous_hash differs): "
            "entries were moved or replaced",
        )
    if entry.recomputed_hash() != entry.entry_hash:
        return (
            expected,
            AuditProblem.EDITED,
            "its contents no longer match its hash: the entry was changed after it was written",
        )
    return None


def _check_head(*, checked: int, head: AuditHead, last: int, last_hash: str) -> AuditVerification:
    if head.sequence > last:
        gone = (
            f"entry {last + 1} was deleted"
            if head.sequence == last + 1
            else f"entries {last + 1} to {head.sequence} were deleted"
        )
        detail = f"the head names entry {head.sequence} but the trail ends at entry {last}: {gone}"
        return AuditVerification(checked, head, last + 1, AuditProblem.DELETED, detail)
    if head.entry_hash != last_hash:
        detail = "the head's hash does not match the last entry: the entry or the head was changed"
        return AuditVerification(checked, head, last, AuditProblem.EDITED, detail)
    return AuditVerification(checked, head)


# --- The report ----------------------------------------------------------------------------

MAX_PAGE_SIZE = 500
AUDIT_RESOURCE = "audit"


@dataclass(frozen=True)
class AuditFilters:
    """Which entries a report shows: ``since`` inclusive, ``until`` exclusive, and the rest
    exact, except ``resource_contains`` (a case-insensitive part of the resource)."""

    since: datetime | None = None
    until: datetime | None = None
    user_id: int | None = None
    patient_id: int | None = None
    action: AuditAction | None = None
    outcome: AuditOutcome | None = None
    resource_contains: str | None = None


def report(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    actor: str | None = None,
    clinic_id: int,
    filters: AuditFilters | None = None,
    sort: AuditSortKey = AuditSortKey.AT,
    order: SortOrder = SortOrder.DESC,
    page: int = 1,
    page_size: int = 50,
) -> AuditPage:
    """One page of a clinic's trail, read by ``principal`` (or, from the command line, by
    ``actor``). The reading is audited under the clinic with the resource ``audit``, after
    the search, so the page does not include it.
    """
    if page < 1:
        raise InvalidInputError("page", "must be 1 or more")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInputError("page_size", f"must be between 1 and {MAX_PAGE_SIZE}")
    query = _query(
        clinic_id, filters or AuditFilters(), sort=sort, order=order, offset=(page - 1) * page_size
    )
    with uow:
        found = uow.audit.search(replace(query, limit=page_size))
        audit(uow, _reading(principal, actor, clinic_id=clinic_id, action=AuditAction.READ))
        uow.commit()
    return found


def export(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    actor: str | None = None,
    clinic_id: int,
    filters: AuditFilters | None = None,
    sort: AuditSortKey = AuditSortKey.AT,
    order: SortOrder = SortOrder.DESC,
    audited_as: AuditAction = AuditAction.EXPORT,
) -> tuple[StoredEntry, ...]:
    """Every entry of a clinic's trail that matches, unpaged: for a file (audited as an
    export), or for a listing on the operator's terminal (``audited_as`` READ)."""
    query = _query(clinic_id, filters or AuditFilters(), sort=sort, order=order, offset=0)
    with uow:
        found = uow.audit.search(replace(query, limit=None))
        audit(uow, _reading(principal, actor, clinic_id=clinic_id, action=audited_as))
        uow.commit()
    return found.entries


def _query(
    clinic_id: int,
    filters: AuditFilters,
    *,
    sort: AuditSortKey,
    order: SortOrder,
    offset: int,
) -> AuditQuery:
    for name, moment in (("from", filters.since), ("to", filters.until)):
        if moment is not None and moment.utcoffset() is None:
            raise InvalidInputError(name, "must give a time zone (such as Z or +01:00)")
    if filters.since and filters.until and filters.since >= filters.until:
        raise InvalidInputError("to", "must be later than 'from'")
    return AuditQuery(
        clinic_id=clinic_id,
        since=filters.since,
        until=filters.until,
        user_id=filters.user_id,
        patient_id=filters.patient_id,
        action=filters.action,
        outcome=filters.outcome,
        resource_contains=filters.resource_contains or None,
        sort=sort,
        order=order,
        offset=offset,
    )


def _reading(
    principal: Principal | None, actor: str | None, *, clinic_id: int, action: AuditAction
) -> AuditEvent:
    reading = event(principal=principal, actor=actor, action=action, resource=AUDIT_RESOURCE)
    return replace(reading, clinic_id=clinic_id)


# --- CSV ----------------------------------------------------------------------------------

CSV_COLUMNS = (
    "sequence",
    "at",
    "actor",
    "user_id",
    "clinic_id",
    "patient_id",
    "action",
    "resource",
    "outcome",
    "previous_hash",
    "entry_hash",
)

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A value as a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return canonical_time(value)
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(entries: Iterable[StoredEntry], out: TextIO) -> None:
    """A header row, then one row per entry, in the order given."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow([csv_cell(getattr(entry, column)) for column in CSV_COLUMNS])
