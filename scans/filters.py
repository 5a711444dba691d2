"""django-filter FilterSet for the scans API."""

from __future__ import annotations

import django_filters

from accounts.models import ScanMtaSts, ScanVerdict
from api.filters import IdFilter, UtcDateTimeFilter
from scans.models import Scan, ScanStatus, ScanTrigger


class ScanFilter(django_filters.FilterSet):
    domain = IdFilter(field_name="domain_id", help_text="Domain id.")
    domain_name = django_filters.CharFilter(field_name="domain__name", help_text="A-label.")
    verdict = django_filters.ChoiceFilter(choices=ScanVerdict.choices)
    mta_sts = django_filters.ChoiceFilter(field_name="mta_sts_status", choices=ScanMtaSts.choices)
    status = django_filters.ChoiceFilter(choices=ScanStatus.choices)
    trigger = django_filters.ChoiceFilter(choices=ScanTrigger.choices)
    finished_after = UtcDateTimeFilter(field_name="finished_at", lookup_expr="gte")
    finished_before = UtcDateTimeFilter(field_name="finished_at", lookup_expr="lt")

    class Meta:
        model = Scan
        fields = ["domain", "domain_name", "verdict", "mta_sts", "status", "trigger"]
