"""``?ordering=`` that always ends on the primary key, so page N never repeats or skips rows
when many share a value (a verdict, a day, zero failures); empty values sort last either way."""

from __future__ import annotations

from django.db.models import F
from rest_framework.filters import OrderingFilter


class StableOrderingFilter(OrderingFilter):
    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        ordering = list(ordering)
        if not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering.append("-id" if ordering[0].startswith("-") else "id")
        return ordering

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        return queryset.order_by(
            *(
                F(term[1:]).desc(nulls_last=True)
                if term.startswith("-")
                else F(term).asc(nulls_last=True)
                for term in ordering
            )
        )
