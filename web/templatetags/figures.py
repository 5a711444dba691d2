"""``{{ rate|percent }}``: a failure rate (0 to 1) as a percentage people read at a glance."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(rate: float | None) -> str:
    """ "12.3 %" (two decimals below 1 %, so a small rate does not read as zero); "—" for no
    rate at all (no sessions)."""
    if rate is None:
        return "—"
    value = rate * 100
    if value == 0:
        return "0 %"
    return f"{value:.2f} %" if value < 1 else f"{value:.1f} %"
