"""``{{ code|label }}``: the human label of a stored code, with the code in a tooltip.

People read "External destination not authorized"; people who use the API still see
``external_unauthorized`` on hover. One lookup over the shared vocabularies, so a page never
spells a label itself.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from core.result_types import RESULT_TYPES
from core.vocabulary import AuthorizationStatus, Gap, MtaStsStatus, Severity, Verdict

register = template.Library()

LABELS: dict[str, str] = {}
for vocabulary in (Severity, AuthorizationStatus, MtaStsStatus, Gap, Verdict):
    LABELS.update({member.value: member.label for member in vocabulary})
LABELS.update({code: result.label for code, result in RESULT_TYPES.items()})


def human_label(code: str | None) -> str:
    """The label of ``code``, or the code with underscores as spaces when it has none."""
    if not code:
        return ""
    return LABELS.get(str(code), str(code).replace("_", " "))


@register.filter
def label(code: str | None) -> str:
    """A ``<span>`` with the human label, titled with the code (blank for no code)."""
    if not code:
        return ""
    return format_html('<span class="code-label" title="{}">{}</span>', code, human_label(code))


@register.filter
def label_text(code: str | None) -> str:
    """The human label alone, for attributes, options and plain-text emails."""
    return human_label(code)
