"""manage.py seed_demo: a demo MSP with two client organizations and a dozen domains.

Safe to run twice: existing rows are kept, missing ones are added.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Organization, Role, User
from accounts.services import domains_bulk_create, membership_set, organization_create
from demo.data import DEMO_CLIENTS, DEMO_MSP, DEMO_USER_EMAIL
from notify.models import DigestFrequency
from notify.preferences import preference_for, preference_update


class Command(BaseCommand):
    help = "Create (or complete) the demo MSP, its two clients, their domains and a demo login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="password of the demo login (default 'demo', allowed only with DEBUG=true)",
        )

    @transaction.atomic
    def handle(self, *args, password, **options):
        if password is None:
            if not settings.DEBUG:
                raise CommandError("with DEBUG off, give the demo login a real --password")
            password = "demo"
        msp = self._org(*DEMO_MSP, managed_by=None)
        created = 0
        for (name, slug), domains in DEMO_CLIENTS.items():
            client = self._org(name, slug, managed_by=msp)
            for domain, tags in domains:
                result = domains_bulk_create(organization=client, names=[domain], tags=tags)
                created += result.count("created")
        user = User.objects.filter(email=DEMO_USER_EMAIL).first()
        if user is None:
            user = User.objects.create_user(
                DEMO_USER_EMAIL, password, is_staff=True, is_superuser=True
            )
        membership = membership_set(user=user, organization=msp, role=Role.OWNER)
        # Opted in explicitly, so `preview_digest --org demo-msp` and Mailpit show a digest.
        preference_update(preference=preference_for(membership), digest=DigestFrequency.WEEKLY)
        self.stdout.write(
            f"Demo data ready ({created} domain(s) added). "
            f"Log in as {DEMO_USER_EMAIL} with the password {password!r} (set when first created)."
        )

    def _org(self, name: str, slug: str, managed_by: Organization | None) -> Organization:
        existing = Organization.objects.filter(slug=slug).first()
        return existing or organization_create(name=name, slug=slug, managed_by=managed_by)
