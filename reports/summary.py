"""What an ingest run did, counted per report (not per policy), mergeable across runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rejection:
    """A delivery, attachment or file that could not be read. Unpacks as ``(source, error)``."""

    source: str
    error: str
    too_large: bool = False  # over a size limit: HTTP 413 rather than 400

    def __iter__(self) -> Iterator[str]:
        return iter((self.source, self.error))


@dataclass
class IngestSummary:
    """Counts per report: a report with several policies counts once.

    A report split between the tenant's domains and quarantine counts as accepted and as
    quarantined; a report that added nothing new counts as a duplicate; a report that brought
    another content for a key already stored counts as a conflict (``reports.provenance``).
    """

    accepted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    conflicts: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    report_ids: list[str] = field(default_factory=list)

    def merge(self, other: IngestSummary) -> IngestSummary:
        """Add ``other`` into this summary in place and return it."""
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.quarantined += other.quarantined
        self.conflicts += other.conflicts
        self.rejected.extend(other.rejected)
        self.report_ids.extend(other.report_ids)
        return self

    def __add__(self, other: IngestSummary) -> IngestSummary:
        return IngestSummary().merge(self).merge(other)

    def reject(self, source: str, error: str, *, too_large: bool = False) -> IngestSummary:
        self.rejected.append(Rejection(source, error, too_large))
        return self

    def as_dict(self) -> dict:
        """The ``ingest_reports --json`` shape."""
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "conflicts": self.conflicts,
            "rejected": [{"source": r.source, "error": r.error} for r in self.rejected],
        }

    def __str__(self) -> str:
        return (
            f"{self.accepted} accepted, {self.duplicates} duplicate(s), "
            f"{self.quarantined} quarantined, "
            + (f"{self.conflicts} conflict(s), " if self.conflicts else "")
            + f"{len(self.rejected)} rejected"
        )
