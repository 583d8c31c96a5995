"""Derived data kept under a part's token (core/kept.py): computed once per token, retired only by
a unit that wrote one of the part's models, never kept without a token."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from articles.models import Article
from communities.models import Organization
from core import kept
from core.changes import content_change

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty():
    caches[kept.CACHE_ALIAS].clear()


def _counted():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return calls, compute


def test_a_value_is_computed_once_per_token():
    calls, compute = _counted()
    assert kept.kept("registry", "k", compute) == 1
    assert kept.kept("registry", "k", compute) == 1
    assert kept.kept("registry", "other key", compute) == 2
    assert len(calls) == 2


def test_a_unit_that_writes_a_registry_model_retires_the_registry_part_only():
    _, compute = _counted()
    kept.kept("registry", "k", compute)
    before = kept.token("registry")
    with content_change():
        article = Article.objects.first()
        article.title = "文章的修改不碰汇总表"
        article.save()
    assert kept.token("registry") == before
    assert kept.kept("registry", "k", compute) == 1
    with content_change():
        organization = Organization.objects.first()
        organization.name += "（更正）"
        organization.save()
    assert kept.token("registry") != before
    assert kept.kept("registry", "k", compute) == 2


def test_a_write_outside_any_unit_retires_too():
    before = kept.token("registry")
    Organization.objects.first().save()  # its own unit of one write
    assert kept.token("registry") != before


def test_without_a_token_nothing_is_kept():
    from core.models import ContentGeneration

    ContentGeneration.objects.filter(pk=2).delete()
    calls, compute = _counted()
    kept.kept("registry", "k", compute)
    kept.kept("registry", "k", compute)
    assert len(calls) == 2
    kept.retire_all()  # and the row comes back
    assert kept.token("registry") is not None
