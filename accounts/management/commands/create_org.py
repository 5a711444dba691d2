"""manage.py create_org NAME [--slug SLUG] [--managed-by SLUG]: prints the new slug."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from accounts.services import organization_create


class Command(BaseCommand):
    help = "Create an organization (tenant); --managed-by makes it a client of an MSP."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--slug", help="URL name; derived from NAME when omitted")
        parser.add_argument("--managed-by", metavar="SLUG", help="slug of the managing MSP")
        parser.add_argument("--scan-interval-hours", type=int, default=24)

    def handle(self, *args, name, slug, managed_by, scan_interval_hours, **options):
        msp = None
        if managed_by:
            msp = Organization.objects.filter(slug=managed_by).first()
            if msp is None:
                raise CommandError(f"no organization with slug {managed_by!r}")
        try:
            org = organization_create(
                name=name, slug=slug, managed_by=msp, scan_interval_hours=scan_interval_hours
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from None
        self.stdout.write(org.slug)
