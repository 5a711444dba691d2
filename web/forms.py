"""Web UI forms: adding domains, creating clients and API tokens, organization settings,
inviting members and changing roles."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from accounts.bulk_input import DomainRow, parse_domain_rows
from accounts.models import Organization, Role, TokenScope, role_at_least


class TokenCreateForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses it, e.g. 'PSA sync'.")
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ)
    expires_days = forms.IntegerField(
        required=False, min_value=1, max_value=3650, help_text="Leave empty for no expiry."
    )


def _roles_up_to(acting_role: str) -> list[tuple[str, str]]:
    """The roles someone with ``acting_role`` may grant (never above their own)."""
    return [(value, label) for value, label in Role.choices if role_at_least(acting_role, value)]


class InviteForm(forms.Form):
    email = forms.EmailField(help_text="The invitation link goes to this address.")
    role = forms.ChoiceField(
        choices=Role.choices,
        initial=Role.MEMBER,
        help_text="Viewers only read; members manage domains; admins also manage members "
        "and tokens; owners can do everything.",
    )

    def __init__(self, *args, acting_role: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _roles_up_to(acting_role)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args, acting_role: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _roles_up_to(acting_role)


class OnboardingForm(forms.Form):
    """Domains to add, one per line or CSV (first column the name, further columns its tags),
    into one organization: for an MSP, its own or one of its clients."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        to_field_name="slug",
        required=False,  # without a choice: the organization of the page
        empty_label=None,
        label="Add to",
        help_text="The organization that will own these domains.",
    )
    names = forms.CharField(
        label="Domains",
        widget=forms.Textarea(
            attrs={"rows": 12, "spellcheck": "false", "placeholder": "example.com\nexample.org,eu"}
        ),
        help_text="One per line, or CSV: the domain in the first column and its tags in the "
        "next ones (a 'domain,tags' header row is skipped; lines starting with # too).",
    )
    tags = forms.CharField(
        required=False, help_text="Comma-separated tags for every domain in the list."
    )

    def __init__(self, *args, organizations: QuerySet[Organization], max_rows: int, **kwargs):
        """``organizations``: the tenant-scoped choices; with one, the field is hidden."""
        super().__init__(*args, **kwargs)
        self.max_rows = max_rows
        field = self.fields["organization"]
        field.queryset = organizations
        if len(organizations) <= 1:
            field.widget = forms.HiddenInput()

    def clean_names(self) -> list[DomainRow]:
        rows = parse_domain_rows(self.cleaned_data["names"])
        if not rows:
            raise forms.ValidationError("Enter at least one domain name.")
        if len(rows) > self.max_rows:
            raise forms.ValidationError(
                f"{len(rows)} rows: at most {self.max_rows} at a time (split the list, or use "
                "POST /api/v1/domains/bulk/ from a script)."
            )
        return rows

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class ClientCreateForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="The client's name as your team knows it.")
    scan_interval_hours = forms.IntegerField(
        label="Scan interval (hours)",
        min_value=1,
        max_value=168,
        help_text="How often its domains are re-checked: 1 to 168 hours.",
    )


class OrganizationSettingsForm(forms.Form):
    name = forms.CharField(max_length=200)
    scan_interval_hours = forms.IntegerField(
        label="Scan interval (hours)",
        min_value=1,
        max_value=168,
        help_text="How often every domain is re-checked: 1 to 168 hours (a week).",
    )
