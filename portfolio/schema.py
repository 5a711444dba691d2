"""OpenAPI pieces shared by the portfolio endpoints (format switch, CSV bodies, ETag)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv"],
    description=(
        "`csv` streams every matching row as a CSV attachment (not paginated); the same as "
        "`Accept: text/csv`. Default JSON."
    ),
)

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    location=OpenApiParameter.HEADER,
    description="The `ETag` of an earlier answer: 304 without a body when nothing changed.",
)


def csv_body(columns: tuple[str, ...]) -> OpenApiResponse:
    return OpenApiResponse(
        response=OpenApiTypes.STR,
        description=f"CSV (UTF-8, header row, streamed). Columns: {', '.join(columns)}.",
    )


NOT_MODIFIED = OpenApiResponse(description="Not modified: the `If-None-Match` tag still holds.")
