"""Shared DRF plumbing for every app's REST endpoints: the scoped base viewset, the one error
shape, pagination, ordering, strict filters, permissions, throttling and schema hooks.

Import rule: ``api`` imports only ``accounts`` (scoping, selectors, token model); the apps'
``api.py``/``serializers.py``/``filters.py`` modules import ``api``, never the other way round.
"""
