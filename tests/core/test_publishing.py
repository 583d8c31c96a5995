"""The one rule of what the public may see, as a query (``visible_q``) and on a row in hand
(``is_visible``): both must say the same of every status and time."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.publishing import Status, is_visible, visible_q
from issues.models import Issue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("offset", [None, -3600, -1, 3600])
def test_the_row_rule_is_the_query_rule(status, offset):
    issue = Issue.objects.get(year=2024, number=1)
    issue.status = status
    issue.published_at = (
        None if offset is None else timezone.now() + datetime.timedelta(seconds=offset)
    )
    issue.save()
    by_query = Issue.objects.filter(visible_q(), pk=issue.pk).exists()
    assert is_visible(Issue.objects.get(pk=issue.pk), timezone.now()) == by_query
    assert by_query == (status == Status.PUBLISHED and (offset is None or offset < 0))
