"""Query and output shapes of ``/api/v1/trends/``."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework import serializers

from accounts.serializers import ScopedOrganizationField
from api.filters import MAX_ID
from reports.trends import GroupBy, Interval

MAX_DAYS = 366


class TrendQuerySerializer(serializers.Serializer):
    domain = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="One domain (its id); else a tag, else all.",
    )
    tag = serializers.CharField(
        required=False, max_length=50, help_text="The domains carrying this tag."
    )
    organization = ScopedOrganizationField(
        required=False, help_text="One organization (slug); default every one the token reaches."
    )
    days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_DAYS,
        default=30,
        help_text="Length of the period ending on `end` (ignored when `start` is given).",
    )
    start = serializers.DateField(required=False, help_text="First UTC day (inclusive).")
    end = serializers.DateField(
        required=False, help_text="Last UTC day (inclusive); default yesterday (complete days)."
    )
    interval = serializers.ChoiceField(choices=[i.value for i in Interval], default="day")
    group_by = serializers.ChoiceField(
        choices=[g.value for g in GroupBy],
        required=False,
        help_text=(
            "Split into the top `top` groups plus `other`. `result_type` and `receiving_mx` "
            "split failed sessions only (from the failure details); `organization` splits "
            "an MSP's portfolio by client."
        ),
    )
    top = serializers.IntegerField(required=False, min_value=1, max_value=50, default=5)

    def validate(self, attrs: dict) -> dict:
        if "domain" in attrs and "tag" in attrs:
            raise serializers.ValidationError({"tag": "give either domain or tag, not both"})
        end = attrs.get("end") or timezone.now().date() - timedelta(days=1)
        start = attrs.get("start") or end - timedelta(days=attrs["days"] - 1)
        if start > end:
            raise serializers.ValidationError({"start": "start is after end"})
        if (end - start).days + 1 > MAX_DAYS:
            raise serializers.ValidationError({"start": f"at most {MAX_DAYS} days per request"})
        attrs["start"], attrs["end"] = start, end
        return attrs


class TrendTotalSerializer(serializers.Serializer):
    successful = serializers.IntegerField(
        allow_null=True, help_text="null for groups of failure details."
    )
    failed = serializers.IntegerField()
    sessions = serializers.IntegerField(allow_null=True)
    failure_rate = serializers.FloatField(allow_null=True, help_text="null: no sessions.")


class TrendPointSerializer(TrendTotalSerializer):
    period = serializers.DateField(help_text="The day, or the Monday that starts the week.")


class TrendGroupSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="Result type, MX host, reporter, domain id, organization id or `other`."
    )
    label = serializers.CharField()
    total = TrendTotalSerializer()
    points = TrendPointSerializer(many=True)


class TrendSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    interval = serializers.CharField()
    group_by = serializers.CharField(allow_null=True)
    total = TrendTotalSerializer()
    points = TrendPointSerializer(many=True)
    groups = TrendGroupSerializer(many=True)
