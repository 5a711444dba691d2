"""Scan results and findings: filled in by the record-scanning issue."""
