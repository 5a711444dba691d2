"""Signals scanning sends, so apps above it (alerts in ``notify``) can act on new scans
without scans importing them (docs/architecture.md: scans imports no app above it)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once a chunk's scans are committed; ``scan_ids``: the scans stored (done or failed).
scans_stored = Signal()
