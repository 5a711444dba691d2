"""Page-number pagination; every list orders by a unique key last, so pages are stable."""

from rest_framework.pagination import PageNumberPagination


class StablePageNumberPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


class KeysFirstPagination(StablePageNumberPagination):
    """Orders and slices the primary keys first, then loads only that page's rows.

    Why: sorting 10,000 full coverage rows (with their computed columns) to reach a deep page
    cost more than the rest of the request; the keys are narrow, and the computed columns are
    then worked out for one page only. Same answers, same order.
    """

    def paginate_queryset(self, queryset, request, view=None):
        keys = super().paginate_queryset(queryset.values_list("pk", flat=True), request, view)
        if keys is None:
            return None
        keys = list(keys)
        rows = {row.pk: row for row in queryset.order_by().filter(pk__in=keys)}
        return [rows[key] for key in keys if key in rows]
