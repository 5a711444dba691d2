"""Django choices derived from the pure enums of ``core.vocabulary`` (one definition each)."""

from __future__ import annotations

from django.db import models

from core.vocabulary import LabelledEnum


def text_choices(name: str, enum: type[LabelledEnum]) -> type[models.TextChoices]:
    """A ``TextChoices`` class with ``enum``'s members, values and labels."""
    return models.TextChoices(name, [(m.name, (m.value, m.label)) for m in enum])
