"""``{% read_count article %}``: the "阅读 N 次" line, when ZHIJIAO_READERSHIP_SHOW_COUNT is on.

Off (the default) it renders nothing and asks nothing. On, it is one query when the page is
rendered, and the page cache keeps that page as it is: a reader may see the count as of the
page's rendering (at most ZHIJIAO_PAGE_CACHE_SECONDS, or the next change of content, old) plus
the rollup's few minutes. A count a little behind is harmless; filling it in per request would
cost the cached page its whole point, and nothing personal is in it, so the shared copy is
safe to keep.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.db.models import Sum
from django.utils.html import format_html

from readership.models import DailyCount, Kind

register = template.Library()


@register.simple_tag
def read_count(article) -> str:
    if not settings.ZHIJIAO_READERSHIP_SHOW_COUNT:
        return ""
    views = DailyCount.objects.filter(kind=Kind.ARTICLE, object_id=article.pk).aggregate(
        n=Sum("views")
    )["n"]
    if not views:
        return ""
    return format_html('<p class="read-count">阅读 {} 次</p>', views)
