"""Web UI forms: adding domains, creating API tokens, inviting members and changing roles."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from accounts.models import Organization, Role, TokenScope, role_at_least


class DomainAddForm(forms.Form):
    names = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "example.com\nexample.org"}),
        help_text="One domain per line (or separated by commas or spaces).",
    )
    tags = forms.CharField(required=False, help_text="Comma-separated tags for these domains.")
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        empty_label=None,
        help_text="Where the domains go (an MSP can add them to a client).",
    )

    def __init__(self, *args, organizations: QuerySet[Organization], **kwargs) -> None:
        """``organizations``: the tenant-scoped choices; with one, the field is hidden."""
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = organizations
        if organizations.count() <= 1:
            field.widget = forms.HiddenInput()

    def clean_names(self) -> list[str]:
        text = self.cleaned_data["names"].replace(",", " ")
        names = text.split()
        if not names:
            raise forms.ValidationError("enter at least one domain")
        return names

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


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
