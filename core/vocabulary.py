"""Enums that several apps store or show, each defined once with its human label.

The values are stable API and database strings; ``label`` is what the web UI, the admin and
the digests show. Django ``TextChoices`` are derived from these (``accounts.choices``).
"""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A ``StrEnum`` whose members are declared as ``VALUE = "value", "Human label"``."""

    label: str

    def __new__(cls, value: str, label: str) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class Verdict(LabelledEnum):
    """Will senders report? (protocol.md section 8); ``error`` means "could not tell"."""

    PASS = "pass", "Pass"
    WARN = "warn", "Warn"
    FAIL = "fail", "Fail"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    ERROR = "error", "Error"


class MtaStsStatus(LabelledEnum):
    """The MTA-STS axis (protocol.md section 8b), separate from the TLS-RPT ``Verdict``.

    ``enforce`` / ``testing`` / ``none``: a usable policy was fetched (the value is its mode);
    ``broken``: a ``v=STSv1`` record exists but senders cannot use the policy; ``absent``: no
    MTA-STS record; ``error``: could not tell (a lookup it depends on failed). A domain that
    receives no mail has no MTA-STS status at all (``None``; blank where stored).
    """

    ENFORCE = "enforce", "Enforce"
    TESTING = "testing", "Testing"
    NONE = "none", "Mode none"
    BROKEN = "broken", "Broken"
    ABSENT = "absent", "Absent"
    ERROR = "error", "Error"


class Severity(LabelledEnum):
    CRITICAL = "critical", "Critical"
    WARNING = "warning", "Warning"
    INFO = "info", "Info"


class Gap(LabelledEnum):
    """Coverage gap kinds stored on the domain (``Domain.scan_gaps``) for the coverage view."""

    NO_RECORD = "no_record", "No TLS-RPT record"
    BROKEN_RECORD = "broken_record", "TLS-RPT record broken"
    EXTERNAL_UNAUTHORIZED = "external_unauthorized", "External destination not authorized"
    NO_MTA_STS = "no_mta_sts", "No MTA-STS"
    MTA_STS_TESTING = "mta_sts_testing", "MTA-STS in testing mode"
    MTA_STS_BROKEN = "mta_sts_broken", "MTA-STS broken"
    DNS_ERROR = "dns_error", "DNS lookup failed"


class AuthorizationStatus(LabelledEnum):
    """Outcome of the external-destination check (``scans.external``) for one rua host."""

    AUTHORIZED = "authorized", "Authorized"
    WILDCARD_AUTHORIZED = "wildcard_authorized", "Authorized by a wildcard record"
    MISSING = "missing", "Missing"
    LOOKUP_ERROR = "lookup_error", "Lookup error"
    NOT_NEEDED = "not_needed", "Not needed"
