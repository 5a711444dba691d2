"""Page-number pagination; every list orders by a unique key last, so pages are stable."""

from rest_framework.pagination import PageNumberPagination


class StablePageNumberPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000
