"""manage.py create_token --org SLUG --name NAME [--write]: prints the token and nothing else."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Organization, TokenScope
from accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token; the plaintext is printed once on stdout and never stored."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, metavar="SLUG")
        parser.add_argument("--name", required=True)
        parser.add_argument("--write", action="store_true", help="read-write (default read-only)")
        parser.add_argument("--expires-days", type=int, metavar="N", help="expire after N days")

    def handle(self, *args, org, name, write, expires_days, **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"no organization with slug {org!r}")
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be at least 1")
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        try:
            _, plaintext = api_token_create(
                organization=organization,
                name=name,
                scope=TokenScope.WRITE if write else TokenScope.READ,
                expires_at=expires_at,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(plaintext)
