"""CSV exports of the portfolio lists, streamed row by row (``?format=csv`` or
``Accept: text/csv``): a 10,000-domain export never sits in memory as one string."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime

from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer


class CsvRenderer(BaseRenderer):
    """Registers ``text/csv`` for content negotiation; the views stream the body themselves.

    If it is ever asked to render (an error), it writes the error as a one-row CSV.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        data = data if isinstance(data, dict) else {"detail": str(data)}
        return "".join(_lines([list(data), [_cell(v) for v in data.values()]])).encode()


class _Line:
    """A file-like ``write`` that hands back what csv.writer wrote."""

    def write(self, text: str) -> str:
        return text


# A text cell starting with one of these is a formula to a spreadsheet. Reporter names, MX
# hosts and tags come from outside (anyone can mail a report to a published rua address), so
# such cells get a leading apostrophe (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return _text(" ".join(str(v) for v in value))
    return _text(str(value))


def _lines(rows: Iterable[Sequence]) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    for row in rows:
        yield writer.writerow([_cell(v) for v in row])


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]):
    """A streamed ``text/csv`` attachment: the header line, then one line per row."""

    def lines() -> Iterator[str]:
        yield from _lines([header])
        yield from _lines(rows)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CsvExportMixin:
    """Offers ``text/csv`` beside JSON; errors are always answered in JSON."""

    renderer_classes = [JSONRenderer, CsvRenderer]

    def wants_csv(self) -> bool:
        return getattr(self.request.accepted_renderer, "format", "") == "csv"

    def handle_exception(self, exc):
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
