"""API shapes for scans, findings and the record tools."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import ScanMtaSts, ScanVerdict
from scans.models import Scan, ScanChange
from scans.results import score_note


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["critical", "warning", "info"])
    message = serializers.CharField()
    fix = serializers.CharField(allow_blank=True)


class ScanChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScanChange
        fields = ["kind", "subject", "before", "after", "worse", "created_at"]


class ScanSerializer(serializers.ModelSerializer):
    domain_name = serializers.CharField(source="domain.name", read_only=True)
    findings = FindingSerializer(many=True, read_only=True)
    # Declared: a read-only model field loses allow_blank, and "" must be in the schema's enum.
    verdict = serializers.ChoiceField(
        choices=ScanVerdict.choices, allow_blank=True, read_only=True, help_text="Blank until done."
    )
    score = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="0-100; null until done and for not_applicable and error (see score_note).",
    )
    score_note = serializers.SerializerMethodField(
        help_text="Why there is no score (not_applicable, error); null otherwise."
    )
    mta_sts_status = serializers.ChoiceField(
        choices=ScanMtaSts.choices,
        allow_blank=True,
        read_only=True,
        help_text="MTA-STS status; blank until done and when the domain takes no mail.",
    )

    class Meta:
        model = Scan
        fields = [
            "id",
            "domain",
            "domain_name",
            "status",
            "trigger",
            "requested_at",
            "finished_at",
            "verdict",
            "mta_sts_status",
            "score",
            "score_note",
            "gaps",
            "findings",
            "duration_ms",
            "error",
            "replay_of",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "replay_of": {
                "help_text": "Demo domains: the id of the demo recording this scan replays "
                "(no DNS was asked); null for a real scan."
            }
        }

    def get_score_note(self, scan: Scan) -> str | None:
        return score_note(scan.verdict)


class ScanDetailSerializer(ScanSerializer):
    """Adds the records, MX, MTA-STS and authorization details seen, and the changes."""

    result = serializers.JSONField(read_only=True)
    changes = ScanChangeSerializer(many=True, read_only=True)

    class Meta(ScanSerializer.Meta):
        fields = [*ScanSerializer.Meta.fields, "result", "changes"]
        read_only_fields = fields


class ScanQueuedSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Poll GET /api/v1/scans/{id}/ until status is done.")
    status = serializers.CharField()
    url = serializers.CharField()


class ValidateRecordInputSerializer(serializers.Serializer):
    domain = serializers.CharField(max_length=253, help_text="The policy domain, e.g. example.com")
    record = serializers.CharField(
        max_length=4096, trim_whitespace=False, help_text="The TXT value you plan to publish."
    )


class ExternalDestinationSerializer(serializers.Serializer):
    host = serializers.CharField()
    authorization_record = serializers.CharField(
        help_text="TXT name some senders check (vendor convention, not RFC 8460)."
    )


class ValidateRecordOutputSerializer(serializers.Serializer):
    domain = serializers.CharField()
    name = serializers.CharField(help_text="Where the record goes: _smtp._tls.<domain>")
    verdict = serializers.CharField(help_text="The verdict this record alone would get.")
    valid = serializers.BooleanField(help_text="True when no critical finding was raised.")
    rua = serializers.ListField(child=serializers.CharField())
    external_destinations = ExternalDestinationSerializer(many=True)
    findings = FindingSerializer(many=True)


class GenerateRecordInputSerializer(serializers.Serializer):
    destinations = serializers.ListField(
        child=serializers.CharField(max_length=2048),
        min_length=1,
        max_length=10,
        help_text="mailto: or https: URIs, or bare e-mail addresses.",
    )
    domain = serializers.CharField(max_length=253, required=False)


class GenerateRecordOutputSerializer(serializers.Serializer):
    record = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    zone_line = serializers.CharField(allow_blank=True)
