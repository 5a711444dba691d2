"""The copies of each policy key within one storing batch: duplicate, new, or conflict.

``reports.storage`` offers every routed policy here. A copy whose fingerprint is already stored
is a duplicate (a stronger delivery of it takes over the stored copy: provenance, arrival and
delivery, so retention keeps the raw body of the delivery that now counts); a copy with new
content is kept, and the copy that counts is re-chosen by ``reports.provenance.beats``. What
changed is written in three steps so the "one counted copy per key" constraint holds throughout:
stored losers are uncounted before the new rows go in, stored winners counted after.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from reports.models import ReportPolicy
from reports.provenance import beats

NEW, DUPLICATE, CONFLICT = "new", "duplicate", "conflict"


@dataclass
class Copy:
    """One copy of a policy key: stored (``pk``) or planned in this batch (``row``)."""

    fingerprint: str
    provenance: int
    received_at: datetime
    domain_id: int | None
    day: date
    submission_id: int | None = None
    counted: bool = True
    pk: int | None = None
    row: tuple | None = None  # the planned ``reports.store_rows.PolicyRow`` of a new copy
    was_counted: bool = True  # as stored before this batch
    was_provenance: int = 0
    # The header (``reports.store_rows.ReportRow``) of the delivery in this batch that gave this
    # copy its rank; None for a stored copy nothing in this batch raised. The report's header
    # follows it when this copy ends up its strongest counted copy (``reports.storage``).
    header: tuple | None = None

    @property
    def rank(self) -> tuple[int, datetime]:
        return (self.provenance, self.received_at)


@dataclass
class CopyBook:
    copies: dict[tuple, list[Copy]] = field(default_factory=dict)

    @classmethod
    def load(cls, policies: Iterable[ReportPolicy] | None, key_of) -> CopyBook:
        """The stored copies of ``policies`` (rows with the copy fields), keyed by ``key_of``."""
        book = cls()
        for p in policies or ():
            copy = Copy(
                fingerprint=p.fingerprint,
                provenance=p.provenance,
                received_at=p.received_at or datetime.min.replace(tzinfo=UTC),
                domain_id=p.domain_id,
                day=p.day,
                submission_id=p.submission_id,
                counted=p.counted,
                pk=p.pk,
                was_counted=p.counted,
                was_provenance=p.provenance,
            )
            book.copies.setdefault(key_of(p), []).append(copy)
        return book

    def offer(self, key: tuple, new: Copy) -> str:
        """Add ``new`` to ``key``'s copies: NEW (first copy), DUPLICATE (same content as a copy
        already there) or CONFLICT (other content: kept, and maybe now the counted one)."""
        copies = self.copies.setdefault(key, [])
        same = next((c for c in copies if c.fingerprint == new.fingerprint), None)
        if same is not None:
            if new.provenance > same.provenance:  # the stronger delivery now stands for it
                same.provenance, same.received_at = new.provenance, new.received_at
                same.submission_id, same.header = new.submission_id, new.header
                self._choose(copies)
            return DUPLICATE
        copies.append(new)
        self._choose(copies)
        return NEW if len(copies) == 1 else CONFLICT

    @staticmethod
    def _choose(copies: list[Copy]) -> None:
        winner = copies[0]
        for copy in copies[1:]:
            if beats(copy.rank, winner.rank):
                winner = copy
        for copy in copies:
            copy.counted = copy is winner

    def _stored(self) -> Iterable[Copy]:
        return (c for copies in self.copies.values() for c in copies if c.pk is not None)

    def strongest_counted(self) -> dict[tuple, Copy]:
        """Per report (the first two parts of a key), its strongest counted copy: the delivery
        whose header and JSON stand for the report (``reports.storage``)."""
        best: dict[tuple, Copy] = {}
        for key, copies in self.copies.items():
            for copy in copies:
                current = best.get(key[:2])
                if copy.counted and (current is None or beats(copy.rank, current.rank)):
                    best[key[:2]] = copy
        return best

    def flipped(self) -> list[Copy]:
        """Stored copies whose counted flag changes: their domain-days are counted again."""
        return [c for c in self._stored() if c.counted != c.was_counted]

    def write_before_insert(self) -> None:
        """Uncount stored copies that lost (the planned rows take ``counted`` and
        ``provenance`` from their ``Copy`` when ``reports.storage`` writes them)."""
        losers = [c.pk for c in self._stored() if c.was_counted and not c.counted]
        if losers:
            ReportPolicy.objects.filter(pk__in=losers).update(counted=False)

    def write_after_insert(self) -> None:
        """Count stored copies that won; a raised copy points at its stronger delivery."""
        for copy in self._stored():
            changes = {}
            if copy.counted and not copy.was_counted:
                changes["counted"] = True
            if copy.provenance != copy.was_provenance:
                changes.update(
                    provenance=copy.provenance,
                    received_at=copy.received_at,
                    submission_id=copy.submission_id,
                )
            if changes:
                ReportPolicy.objects.filter(pk=copy.pk).update(**changes)
