"""Filters of the domain, report and quarantine pages: plain words for stored codes.

``{{ code|result_type }}`` is the RFC 8460 result type (label, explanation); ``score_note``
says why a scan has no score; ``change_subject`` names the record a scan change is about.
"""

from __future__ import annotations

from django import template

from core.result_types import ResultType, describe
from reports.models import Channel
from scans.changes import subject_name
from scans.results import score_note as _score_note

register = template.Library()


@register.filter
def result_type(code: str | None) -> ResultType:
    return describe(code or "")


@register.filter
def score_note(verdict: str | None) -> str:
    """Why a scan with this verdict has no score ("" when it has one or is not done)."""
    return _score_note(verdict or "") or ""


@register.filter
def change_subject(change, domain_name: str) -> str:
    return subject_name(change.subject, domain_name)


@register.filter
def percent(part: int | None, whole: int | None) -> str:
    """``part`` as a share of ``whole`` ("2.5 %"), "—" without a whole."""
    if not whole:
        return "—"
    return f"{100 * (part or 0) / whole:.1f} %"


@register.filter
def channel_label(code: str | None) -> str:
    """How a report arrived, in words ("Email", "HTTPS", "File"); "—" when not known."""
    try:
        return Channel(code).label
    except ValueError:
        return "—"


POLICY_TYPES = {  # RFC 8460 section 4.4 policy-type values
    "sts": "MTA-STS policy",
    "tlsa": "DANE (TLSA records)",
    "no-policy-found": "No policy found",
}


@register.filter
def policy_type_label(code: str | None) -> str:
    """The policy a sender applied, in words; an unknown value is shown as sent."""
    return POLICY_TYPES.get(code or "", code or "—")


DKIM_WORDS = {
    "pass": "signature verified",
    "fail": "signature did not verify",
    "none": "not signed",
    "temperror": "could not be checked (the key lookup failed)",
}


@register.filter
def dkim_words(status: str | None) -> str:
    return DKIM_WORDS.get(status or "", status or "")


@register.filter
def failure_rate(counts) -> str:
    """Failed sessions as a share of all sessions of anything with ``successful``/``failed``."""
    return percent(counts.failed, (counts.successful or 0) + counts.failed)
