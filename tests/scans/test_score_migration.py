"""Migration scans.0004: stored 100/0 scores of not_applicable and error scans become null."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from accounts.models import Domain
from scans.models import Scan
from tests.factories import DomainFactory

pytestmark = pytest.mark.django_db
migration = importlib.import_module("scans.migrations.0004_null_score_for_not_applicable_and_error")


def test_old_scores_of_unscored_verdicts_are_cleared_and_real_scores_kept(org):
    na = DomainFactory(organization=org, scan_verdict="not_applicable", scan_score=100)
    failing = DomainFactory(organization=org, scan_verdict="fail", scan_score=40)
    old = Scan.objects.create(
        domain=na, trigger="api", status="done", verdict="error", score=0, result={"score": 0}
    )
    kept = Scan.objects.create(
        domain=failing, trigger="api", status="done", verdict="fail", score=40, result={"score": 40}
    )

    migration.clear_scores(apps, None)

    old.refresh_from_db()
    kept.refresh_from_db()
    assert (old.score, old.result["score"]) == (None, None)
    assert (kept.score, kept.result["score"]) == (40, 40)
    assert Domain.objects.get(pk=na.pk).scan_score is None
    assert Domain.objects.get(pk=failing.pk).scan_score == 40
