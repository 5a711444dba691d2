"""Operator views of scan history (cross-tenant, read-only: scans are written by the scanner)."""

from __future__ import annotations

from django.contrib import admin

from scans.models import Scan, ScanChange


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ScanChangeInline(admin.TabularInline):
    model = ScanChange
    fields = ["kind", "subject", "before", "after", "worse"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Scan)
class ScanAdmin(ReadOnlyAdmin):
    list_display = ["domain", "verdict", "score", "status", "trigger", "finished_at", "duration_ms"]
    list_filter = ["verdict", "status", "trigger", "domain__organization"]
    search_fields = ["domain__name"]
    list_select_related = ["domain"]
    date_hierarchy = "requested_at"
    inlines = [ScanChangeInline]


@admin.register(ScanChange)
class ScanChangeAdmin(ReadOnlyAdmin):
    list_display = ["domain", "kind", "subject", "worse", "created_at"]
    list_filter = ["kind", "worse", "domain__organization"]
    search_fields = ["domain__name", "before", "after"]
    list_select_related = ["domain"]
