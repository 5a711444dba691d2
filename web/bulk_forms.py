"""The form of a bulk change on the domain list: which domains (among those the page's scope
reaches) and what to do with them."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from accounts.models import Domain

ACTIONS = {
    "pause": "Pause (stop scanning)",
    "resume": "Resume scanning",
    "delete": "Delete with all their scans, reports and figures",
}


class DomainBulkForm(forms.Form):
    action = forms.ChoiceField(choices=list(ACTIONS.items()))
    ids = forms.ModelMultipleChoiceField(
        queryset=Domain.objects.none(),
        error_messages={
            "required": "Select at least one domain on the list first.",
            # Another tenant's id reads like a missing one: nothing about it is revealed.
            "invalid_choice": "Domain %(value)s is not one of this organization's domains.",
            "invalid_pk_value": "%(pk)s is not a domain id.",
        },
    )
    back = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, domains: QuerySet[Domain], **kwargs) -> None:
        """``domains``: the scoped domains the selection may name."""
        super().__init__(*args, **kwargs)
        self.fields["ids"].queryset = domains
