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
        required=False,
        error_messages={
            # Another tenant's id reads like a missing one: nothing about it is revealed.
            "invalid_choice": "Domain %(value)s is not one of this organization's domains.",
            "invalid_pk_value": "%(pk)s is not a domain id.",
        },
    )
    back = forms.CharField(required=False, widget=forms.HiddenInput)
    # Every domain the list's filters (in ``back``) match, not only the ticked ones.
    all_matching = forms.BooleanField(required=False)

    def __init__(self, data=None, *, domains: QuerySet[Domain], **kwargs) -> None:
        """``domains``: the scoped domains the selection may name. ``ids`` comes as ticked
        boxes (one value each) or, from the confirmation page, as one comma-separated value
        (thousands of fields would pass Django's limit on the number of form fields)."""
        if data is not None and "," in data.get("ids", ""):
            data = data.copy()
            data.setlist("ids", [i for i in data["ids"].split(",") if i])
        super().__init__(data, **kwargs)
        self.fields["ids"].queryset = domains

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("all_matching") and not cleaned.get("ids") and "ids" not in self.errors:
            self.add_error("ids", "Select at least one domain on the list first.")
        return cleaned
