"""manage.py ingest_reports PATH... [--org SLUG] [--json]: load report files and emails.

With ``--org`` everything is stored for that organization (in batches, the fast path).
Without it, emails are routed by the report token in their recipient address, and plain
report files, which carry no address, are rejected one by one with that reason.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.models import Organization
from reports.bulk import reports_ingest_many
from reports.services import mail_ingest
from reports.sources import Item, items_from_paths
from reports.summary import IngestSummary

NEEDS_ORG = "a report file carries no recipient address: name its organization with --org"


class Command(BaseCommand):
    help = "Ingest TLS-RPT reports from files, folders, mbox files and Maildir folders."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--org", metavar="SLUG", help="store everything for this organization")
        parser.add_argument("--json", action="store_true", help="print one JSON summary object")

    def handle(self, *args, paths, org, **options):
        as_json = options["json"]
        organization = None
        if org:
            organization = Organization.objects.filter(slug=org).first()
            if organization is None:
                raise CommandError(f"no organization with slug {org!r}")
        items = tqdm(
            items_from_paths([Path(p) for p in paths]),
            unit=" item",
            file=sys.stderr,
            disable=as_json,
            desc="ingesting",
        )
        summary = IngestSummary()
        if organization is not None:
            good = self._readable(items, summary)
            summary.merge(reports_ingest_many(organization=organization, items=good))
        else:
            for item in items:
                summary.merge(self._routed(item))
        self._report(summary, as_json=as_json)

    def _readable(self, items, summary: IngestSummary) -> Iterator[tuple[bytes, str]]:
        for item in items:
            if item.kind == "error":
                summary.reject(item.source, item.error)
            else:
                yield item.payload, item.source

    def _routed(self, item: Item) -> IngestSummary:
        if item.kind == "error":
            return IngestSummary().reject(item.source, item.error)
        if item.kind == "file":
            return IngestSummary().reject(item.source, NEEDS_ORG)
        return mail_ingest(raw_message=item.payload, source=item.source)

    def _report(self, summary: IngestSummary, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(summary.as_dict()))
            return
        for rejection in summary.rejected:
            self.stderr.write(f"rejected {rejection.source}: {rejection.error}")
        self.stdout.write(f"Ingested: {summary}")
