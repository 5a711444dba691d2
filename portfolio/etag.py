"""``ETag`` / ``If-None-Match`` for JSON list answers.

The tag is a hash of the body itself, not of a "last changed" column: coverage rows change
through several write paths (scans, reports, the daily window move, tag edits) and a body hash
can never answer 304 for data that did change. A cron job that polls the coverage list gets a
bodyless 304 while nothing changed.
"""

from __future__ import annotations

import hashlib

from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import quote_etag


def conditional_json(request, response):
    """Tag a rendered 200 answer to a GET; return 304 when the client already has it."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if getattr(response, "streaming", False):
        return response
    response.render()
    etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:40])
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Authorization", "Accept"))
    return get_conditional_response(request, etag=etag, response=response)
