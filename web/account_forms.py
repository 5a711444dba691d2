"""How TLSMon plugs into django-allauth: the sign-up form that creates the organization, and
the adapter that builds email links from TLSMON_BASE_URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from django import forms
from django.conf import settings

from accounts.invitations import InvitationUnusable, invitation_for_token
from accounts.services import organization_sign_up

# The invitation link a visitor opened last (set by web.views.invitations): signing up to
# accept it needs no organization of one's own.
INVITATION_SESSION_KEY = "tlsmon_invitation"


def pending_invitation(request):
    """The still usable invitation whose link this browser opened, if any."""
    token = request.session.get(INVITATION_SESSION_KEY) if request is not None else None
    if not token:
        return None
    try:
        return invitation_for_token(token)
    except InvitationUnusable:
        return None


class SignupForm(AllauthSignupForm):
    """Email, password and the name of the organization to create, which the new user owns.

    Someone signing up through an invitation link joins that organization instead, so the
    organization name is optional for them.
    """

    organization = forms.CharField(
        label="Organization name",
        max_length=200,
        help_text="Your company or team. You become its owner and can invite colleagues.",
    )
    field_order = ["email", "password1", "organization"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = pending_invitation(context.request)
        if self.invitation is not None:
            field = self.fields["organization"]
            field.required = False
            field.label = "Organization name (optional)"
            field.help_text = (
                f"You are joining {self.invitation.organization.name}; name an organization "
                "here only if you also want one of your own."
            )
            self.fields["email"].initial = self.invitation.email

    def clean_organization(self) -> str:
        return " ".join(self.cleaned_data["organization"].split())

    def signup(self, request, user) -> None:
        """Called by allauth once the user exists, inside the sign-up request."""
        name = self.cleaned_data.get("organization")
        if name:
            organization_sign_up(name=name, owner=user)


class AccountAdapter(DefaultAccountAdapter):
    def format_email_subject(self, subject: str) -> str:
        return subject  # allauth would prefix the request's host name

    def get_reset_password_from_key_url(self, key: str) -> str:
        """The reset link under TLSMON_BASE_URL, never the Host header a request claimed."""
        url = urlsplit(super().get_reset_password_from_key_url(key))
        return settings.TLSMON_BASE_URL + url.path
