"""Two editors, one article: merge what the second saves with what the first saved in between.

The admin's change view runs in one transaction; the row is locked here (on PostgreSQL; SQLite's
IMMEDIATE transactions already serialise writers), so the check and the save cannot interleave
with another editor's.

A stale save is merged field by field against the version the editor opened (from
Article.history): what only one side changed is kept; where both changed a field differently
the save is refused with a side-by-side view, and only the editor's choice per field decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.safestring import SafeString

from articles.merge import merge
from articles.models import Article
from articles.sanitize import clean_html
from core.roles import display_name
from core.text import html_to_text
from core.textdiff import inline_html, side_by_side_html

THEIRS, MINE, EDIT, BOTH = "theirs", "mine", "edit", "both"
CHOICE_LABELS = {
    THEIRS: "保留对方的",
    MINE: "保留我的",
    BOTH: "合并双方的修改",
    EDIT: "手动编辑",
}


@dataclass(frozen=True)
class FieldConflict:
    name: str
    label: str
    theirs: Any  # values as the form field takes them (a model instance for a foreign key)
    mine: Any
    merged: Any  # both sides' changes together (body), or None
    theirs_html: SafeString
    mine_html: SafeString
    editable: bool  # free text: the editor may write a value of their own
    multiline: bool
    draft: str  # what the 手动编辑 box starts with

    @property
    def choices(self) -> list[tuple[str, str]]:
        keys = [THEIRS, MINE] + ([BOTH] if self.merged is not None else [])
        return [(k, CHOICE_LABELS[k]) for k in keys + ([EDIT] if self.editable else [])]


@dataclass(frozen=True)
class Conflict:
    current_version: int
    who: str
    when: str
    fields: list[FieldConflict]  # both sides changed these: the editor chooses
    against_base: bool  # the side-by-side marks each side's changes since the opened version
    taken: dict[str, Any] = field(default_factory=dict)  # only the other side changed these

    @property
    def message(self) -> str:
        labels = "、".join(f.label for f in self.fields)
        taken = "、".join(_label(name) for name in self.taken)
        return (
            f"保存被拒绝：在你打开此页之后，{self.who}于 {self.when} 保存了这篇文章，"
            f"其中{labels}你也改过。请在下方逐项对照双方的版本，选择保留对方的、保留我的或"
            "手动编辑，然后再次保存；未选择之前不会覆盖任何一方的内容。"
            + (f"只有对方改过的{taken}将采用对方的版本。" if taken else "")
        )


def _label(name: str) -> str:
    return str(Article._meta.get_field(name).verbose_name)


def _comparable(name: str, value: Any) -> Any:
    """Equal values compare equal whichever side they come from (form, row or history)."""
    model_field = Article._meta.get_field(name)
    if isinstance(model_field, models.ForeignKey):
        return getattr(value, "pk", value)
    if name == "body":
        return clean_html(value or "").strip()
    if isinstance(model_field, (models.CharField, models.TextField)):
        return value or ""
    return value


def _raw(obj, name: str) -> Any:
    """A field's value without loading related rows (a foreign key's id)."""
    return getattr(obj, Article._meta.get_field(name).attname)


def _shown(name: str, value: Any) -> str:
    """A value as a person reads it in the side-by-side view."""
    if name == "body":
        return html_to_text(value or "")
    if value is None or value == "":
        return "（空）"
    if isinstance(Article._meta.get_field(name), models.ForeignKey):
        return str(value)
    return str(getattr(value, "isoformat", lambda: value)())


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return str(getattr(value, "isoformat", lambda: value)())


def find_conflict(
    pk: int, *, base_version: int | None, mine: dict[str, Any] | None = None
) -> Conflict | None:
    """None when the article is still at ``base_version``; otherwise the merge of ``mine`` (the
    form's cleaned values) with the stored article and the version the editor opened."""
    # The article's row only (the model's ordering would join its issue, and FOR UPDATE would
    # lock that row too), and as the save will: a NO KEY UPDATE lock, which does not hold up
    # another unit whose rows refer to the article (their foreign keys are checked with KEY SHARE).
    current = Article.objects.select_for_update(no_key=True).filter(pk=pk).order_by("pk").first()
    if current is None or current.version == base_version:
        return None
    history = Article.history.filter(id=pk)
    latest = history.order_by("-history_date", "-history_id").first()
    base_record = (
        history.filter(version=base_version).order_by("-history_date", "-history_id").first()
        if base_version is not None
        else None
    )
    mine = mine or {}
    names = list(mine)
    theirs_values = {n: getattr(current, n) for n in names}
    merged = merge(
        {n: _comparable(n, _raw(base_record, n)) for n in names} if base_record else None,
        {n: _comparable(n, _raw(current, n)) for n in names},
        {n: _comparable(n, v) for n, v in mine.items()},
    )
    fields, taken = [], {}
    for name, result in merged.items():
        if result.conflict:
            theirs, own = theirs_values[name], mine[name]
            if base_record is not None:
                # Each side against the version both opened: who changed what, struck and added.
                opened = _shown(name, getattr(base_record, name))
                left = inline_html(opened, _shown(name, theirs))
                right = inline_html(opened, _shown(name, own))
            else:
                left, right = side_by_side_html(_shown(name, theirs), _shown(name, own))
            model_field = Article._meta.get_field(name)
            editable = not isinstance(model_field, models.ForeignKey) and not model_field.choices
            fields.append(
                FieldConflict(
                    name=name,
                    label=_label(name),
                    theirs=theirs,
                    mine=own,
                    merged=result.merged,
                    theirs_html=left,
                    mine_html=right,
                    editable=editable,
                    multiline=isinstance(model_field, models.TextField),
                    draft=result.merged if result.merged is not None else _as_text(own),
                )
            )
        elif _comparable(name, mine[name]) != result.value:
            taken[name] = theirs_values[name]
    user = latest.history_user if latest else None
    return Conflict(
        current_version=current.version,
        who=display_name(user) if user else "另一位编辑",
        # In the site's time zone (Asia/Shanghai), as the editor's clock shows it.
        when=timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M") if latest else "",
        fields=fields,
        against_base=base_record is not None,
        taken=taken,
    )


def form_value(value: Any) -> str:
    """A value as a form posts it (for putting the other side's value into the form)."""
    return _as_text(getattr(value, "pk", value))
