"""Two editors, one article: tell the second that the first saved in between, and what changed.

The admin's change view runs in one transaction; the row is locked here (on PostgreSQL; SQLite's
IMMEDIATE transactions already serialise writers), so the check and the save cannot interleave
with another editor's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from articles.models import Article
from issues.roles import display_name
from zhijiao.pagecache import content_changed


@dataclass(frozen=True)
class Conflict:
    current_version: int
    message: str


def find_conflict(pk: int, *, base_version: int | None) -> Conflict | None:
    """None when the article is still at ``base_version``; otherwise what changed since."""
    content_changed()  # the content token before the article's row: see zhijiao/pagecache.py
    current = Article.objects.select_for_update().filter(pk=pk).values_list("version", flat=True)
    current_version = current.first()
    if current_version is None or current_version == base_version:
        return None
    history = Article.history.filter(id=pk)
    latest = history.order_by("-history_date", "-history_id").first()
    old = history.filter(version=base_version).order_by("-history_date").first()
    user = latest.history_user if latest else None
    who = display_name(user) if user else ""
    # In the site's time zone (Asia/Shanghai), as the editor's clock shows it.
    when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M") if latest else ""
    changes = []
    if latest and old:
        for change in latest.diff_against(old, excluded_fields=["version", "updated_at"]).changes:
            label = Article._meta.get_field(change.field).verbose_name
            value = Truncator(strip_tags(str(change.new or ""))).chars(60)
            changes.append(f"{label}：{value}")
    detail = "；".join(changes) if changes else "内容已更新"
    message = (
        f"保存被拒绝：在你打开此页之后，{who or '另一位编辑'}于 {when} 保存了这篇文章（{detail}）。"
        "你的修改仍在下方表单中，对方的版本已保存并可在“历史”中查看。"
        "核对后再次保存将以你的版本为准。"
    )
    return Conflict(current_version=current_version, message=message)
