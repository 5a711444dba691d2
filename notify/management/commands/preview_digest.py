"""manage.py preview_digest: show the digest a member would get now, without sending it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import ROLE_RANK, Membership, Organization, Role
from notify.digests import digest_preview


class Command(BaseCommand):
    help = "Print a member's digest as plain text (or write its HTML) without sending it."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--user", help="member's email (default: its first owner or admin)")
        parser.add_argument("--html", metavar="FILE", help="write the HTML part to FILE instead")

    def handle(self, *args, org, user, html, **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"no organization with slug {org!r}")
        members = Membership.objects.filter(organization=organization).select_related(
            "user", "organization"
        )
        if user:
            membership = members.filter(user__email__iexact=user).first()
        else:  # the highest role first: the one whose digest shows the most
            ranked = sorted(members, key=lambda m: (-ROLE_RANK[Role(m.role)], m.pk))
            membership = ranked[0] if ranked else None
        if membership is None:
            raise CommandError(f"{user or 'nobody'} is not a member of {org}")
        rendered = digest_preview(membership=membership, now=timezone.now())
        if rendered is None:
            raise CommandError(f"{org} has no domains: no digest would be sent")
        if html:
            Path(html).write_text(rendered.html, encoding="utf-8")
            self.stdout.write(f"wrote the HTML part ({len(rendered.html):,} characters) to {html}")
        else:
            self.stdout.write(f"Subject: {rendered.subject}\n\n{rendered.text}")
