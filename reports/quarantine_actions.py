"""Adding a quarantined policy's domain to its organization, then storing what waited for it.

One write path for "add this domain" (the quarantine page), so the rule that a name another
organization monitors is never added from a report is checked where the domain is created,
not only where the button is shown.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Domain
from accounts.services import domain_create
from reports.models import QuarantinedPolicy
from reports.selectors import quarantine_add_refusal, with_ownership
from reports.services import quarantine_reprocess
from reports.summary import IngestSummary


@transaction.atomic
def quarantine_add_domain(*, item: QuarantinedPolicy) -> tuple[Domain, IngestSummary]:
    """Add ``item``'s policy-domain to ``item.organization`` and reprocess every open
    quarantined policy of that organization naming it.

    The caller found ``item`` in its scope; who owns the name is read again here, inside the
    transaction. Raises ``ValidationError`` with the reason when the name may not be added.
    """
    item = (
        with_ownership(QuarantinedPolicy.objects.filter(pk=item.pk))
        .select_related("organization")
        .get()
    )
    refusal = quarantine_add_refusal(item)
    if refusal:
        raise ValidationError(refusal)
    domain = domain_create(organization=item.organization, name=item.policy_domain)
    waiting = QuarantinedPolicy.objects.filter(
        organization=item.organization, policy_domain=item.policy_domain, resolved_at__isnull=True
    )
    summary = quarantine_reprocess(organization=item.organization, quarantined=list(waiting))
    return domain, summary
