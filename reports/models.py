"""Stored reports and roll-ups: filled in by the report-ingestion issue."""
