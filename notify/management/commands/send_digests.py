"""manage.py send_digests: send every digest due now (or at --now), as the beat job does."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Organization
from notify.digests import digests_send_due


def parse_moment(text: str) -> datetime:
    """An ISO 8601 moment; without an offset it is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--now {text!r} is not ISO 8601 (e.g. 2026-12-07T07:00:00Z)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = "Send every digest that is due (and retry failed sends whose time has come)."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="only the members of this organization (slug)")
        parser.add_argument("--now", help="the moment to send for, ISO 8601 (default: now)")
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be sent; send nothing"
        )

    def handle(self, *args, org, now, dry_run, **options):
        if org and not Organization.objects.filter(slug=org).exists():
            raise CommandError(f"no organization with slug {org!r}")
        moment = parse_moment(now) if now else timezone.now()
        summary = digests_send_due(now=moment, organization_slug=org, dry_run=dry_run)
        self.stdout.write(f"{'would have ' if dry_run else ''}{summary}")
