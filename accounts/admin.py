"""Operator views (deliberately cross-tenant). Token secrets are never shown: only the prefix.

Actions that change data declare the permission they need, so a view-only staff user sees
the lists but can neither rotate report tokens nor revoke API tokens.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone

from accounts import invitations, services
from accounts.domain_names import DomainNameError, normalize_domain_name
from accounts.models import ApiToken, Domain, Invitation, Membership, Organization, Role, Tag, User
from core.vocabulary import Gap


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "managed_by", "scan_interval_hours", "created_at"]
    list_filter = [("managed_by", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    readonly_fields = ["created_at"]
    actions = ["rotate_report_token"]

    @admin.action(
        description="Rotate the report token (old report addresses stop working)",
        permissions=["change"],
    )
    def rotate_report_token(self, request, queryset):
        for organization in queryset:
            services.organization_rotate_report_token(organization=organization)
        self.message_user(
            request, f"Rotated the report token of {queryset.count()} organization(s)."
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "organization__name", "organization__slug"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are made on the members page (the link is only in the email)."""

    list_display = ["email", "organization", "role", "invited_by", "created_at", "expires_at"]
    list_filter = ["role"]
    search_fields = ["email", "organization__name", "organization__slug"]
    readonly_fields = [f.name for f in Invitation._meta.fields if f.name != "digest"]
    exclude = ["digest"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Revoke (the links stop working)", permissions=["change"])
    def revoke(self, request, queryset):
        for invitation in queryset:
            invitations.invitation_revoke(invitation=invitation, acting_role=Role.OWNER)
        self.message_user(request, f"Revoked {queryset.count()} invitation(s).")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Adding a token here shows its secret once, in the confirmation message."""

    list_display = [
        "name",
        "prefix",
        "organization",
        "scope",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "lookup", "organization__name", "organization__slug"]
    autocomplete_fields = ["organization"]
    fields = [
        "organization",
        "name",
        "scope",
        "expires_at",
        "revoked_at",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
    ]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, plaintext = services.api_token_create(
            organization=obj.organization,
            name=obj.name,
            scope=obj.scope,
            expires_at=obj.expires_at,
            created_by=request.user,
        )
        obj.pk, obj.lookup, obj.digest = token.pk, token.lookup, token.digest
        messages.warning(request, f"Copy the new token now; it is not shown again: {plaintext}")

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        now = timezone.now()
        for token in queryset:
            services.api_token_revoke(token=token, now=now)
        self.message_user(request, f"Revoked {queryset.count()} token(s).")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "organization"]
    search_fields = ["name", "organization__name"]
    autocomplete_fields = ["organization"]


class DomainAdminForm(forms.ModelForm):
    """Normalizes the name exactly as the API does (case, trailing dot, IDN, public suffix)."""

    class Meta:
        model = Domain
        fields = ["organization", "name", "tags", "is_active"]

    def clean_name(self) -> str:
        try:
            normalized = normalize_domain_name(self.cleaned_data["name"])
        except DomainNameError as exc:
            raise forms.ValidationError(str(exc)) from None
        self.instance.unicode_name = normalized.unicode
        return normalized.ascii


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organization",
        "is_active",
        "scan_verdict",
        "scan_score",
        "scanned_at",
        "last_report_at",
        "added_at",
    ]
    list_filter = [
        "is_active",
        "scan_verdict",
        "is_demo",
        ("organization", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "unicode_name", "organization__name", "organization__slug"]
    autocomplete_fields = ["organization"]
    filter_horizontal = ["tags"]
    list_select_related = ["organization"]
    readonly_fields = [
        "unicode_name",
        "added_at",
        "scan_verdict",
        "scan_score",
        "gap_labels",
        "scanned_at",
        "next_scan_at",
        "last_report_at",
        "is_demo",
    ]
    form = DomainAdminForm

    @admin.display(description="Coverage gaps")
    def gap_labels(self, domain: Domain) -> str:
        """Labels, not the stored JSON list of codes."""
        labels = {gap.value: gap.label for gap in Gap}
        return ", ".join(labels.get(code, code) for code in domain.scan_gaps) or "none"
