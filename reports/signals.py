"""Signals report intake sends, so apps above it (alerts in ``notify``) can act on new
figures without reports importing them (docs/architecture.md)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once an ingest batch is committed: ``organization_id``; ``keys``, the (domain id, day)
# pairs whose daily figures it changed; ``failing``, those of them it added failures to.
reports_stored = Signal()
