"""Filters of the alerts list: state, type, domain (id or name) and organization."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from api.filters import organization_filter, validate_id_or_name
from notify.alert_rules import AlertType
from notify.models import Alert

STATES = [("open", "open"), ("acknowledged", "acknowledged"), ("resolved", "resolved")]


class AlertFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=STATES,
        method="filter_state",
        help_text="open (not yet acknowledged), acknowledged (still open) or resolved.",
    )
    type = django_filters.ChoiceFilter(choices=[(t.value, t.label) for t in AlertType])
    domain = django_filters.CharFilter(
        method="filter_domain",
        validators=[validate_id_or_name],
        help_text="A domain id or name.",
    )
    organization = organization_filter()

    class Meta:
        model = Alert
        fields = ["state", "type", "domain", "organization"]

    def filter_state(self, queryset, name, value):
        if value == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        acknowledged = value == "acknowledged"
        return queryset.filter(resolved_at=None, acknowledged_at__isnull=not acknowledged)

    def filter_domain(self, queryset, name, value):
        value = value.strip().lower().rstrip(".")
        condition = Q(domain__name=value)
        if value.isdigit():
            condition |= Q(domain_id=int(value))
        return queryset.filter(condition)
