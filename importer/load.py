"""Write a parsed issue (and its registry appendix) to the database, in one transaction.

``import_issue`` is the one way in: the management command, the admin upload and ``make run`` call
it. It is idempotent: the importer records a fingerprint of what it wrote; a re-import compares the
rows as they are now with that fingerprint, so it can tell "nothing changed" (do nothing), "the file
changed, nobody edited" (update in place) and "editors edited since" (refuse unless ``replace``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils import timezone
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_history_manager_for_model,
)

from articles.models import TEXT_FIELDS, Article, Topic, TopicSuggestion
from articles.sanitize import clean_html
from articles.topics import TopicTerm, match_topics
from communities.registry import RegistryDoc, RegistryError, parse_registry
from core.changes import Change, content_change
from core.publishing import Status
from importer.common import ImportRefused, fingerprint
from importer.labels import TOPIC
from importer.parse import ArticleDoc, ImportFormatError, IssueDoc, SectionDoc, parse_issue
from importer.registry import RegistryChanges, RegistryResult, load_registry, registry_changes
from issues.models import MASTHEAD_FIELDS, Issue, Section

ImportProblem = (ImportFormatError, RegistryError, ImportRefused)


@dataclass
class ImportResult:
    doc: IssueDoc
    registry_doc: RegistryDoc | None
    issue: Issue | None = None
    action: str = "dry-run"  # created | updated | unchanged | dry-run
    registry: RegistryResult | None = None
    # What the appendix changes in the public registry (which is public whatever the issue is).
    registry_changes: RegistryChanges | None = None
    # Published articles of the stored issue that the file would delete (or recreate as drafts).
    removes_published: list[str] = field(default_factory=list)
    # Whether the issue is public after the import (published now, or already).
    lands_published: bool = False
    messages: list[str] = field(default_factory=list)

    @property
    def registry_goes_public_before_the_issue(self) -> bool:
        """A draft import whose appendix changes the registry that teachers read now."""
        return bool(self.registry_changes) and not self.lands_published

    def summary(self) -> str:
        doc = self.doc
        tops = sum(1 for s in doc.sections if s.parent is None)
        parts = [
            f"{doc.year}年第{doc.number:02d}期：{tops} 个板块，{len(doc.sections) - tops} 个栏目，"
            f"{len(doc.articles)} 篇文章"
        ]
        if self.registry_doc:
            parts.append(f"附录 {len(self.registry_doc.entries)} 个共同体")
        return "，".join(parts) + f"（{ACTION_LABELS[self.action]}）"


ACTION_LABELS = {
    "created": "已导入",
    "updated": "已更新",
    "unchanged": "无变化",
    "dry-run": "试运行，未写入",
}


def parse_issue_file(text: str) -> tuple[IssueDoc, RegistryDoc | None]:
    """Parse an issue and its appendix; raises ImportFormatError or RegistryError.

    The last few texts' results are kept: the admin parses a file for its dry run, again to check
    the editor's rights and once more in ``import_issue``. The results are frozen dataclasses of
    tuples, so sharing them is safe; a file that fails to parse is not kept (the error is raised
    again)."""
    return _parse_issue_file(text)


@lru_cache(maxsize=4)
def _parse_issue_file(text: str) -> tuple[IssueDoc, RegistryDoc | None]:
    doc = parse_issue(text)
    registry = None
    if doc.appendix_text:
        registry = parse_registry(doc.appendix_text, first_line=doc.appendix_line or 1)
    return doc, registry


def import_issue(
    *,
    text: str,
    publish: bool = False,
    replace: bool = False,
    dry_run: bool = False,
    registry_now: bool = False,
    may_remove_published: bool = True,
) -> ImportResult:
    """Import one issue file's text. Raises one of ``ImportProblem`` and then writes nothing.

    The registry has no draft state: an appendix that changes it changes what teachers read at
    once. A draft import that would do so is refused unless ``registry_now`` says the editor saw
    the list of changes (the dry run's ``registry_changes``) and wants them public now.
    """
    doc, registry_doc = parse_issue_file(text)
    result = ImportResult(doc=doc, registry_doc=registry_doc)
    if registry_doc is not None:
        result.registry_changes = registry_changes(registry_doc)
    existing = Issue.objects.filter(year=doc.year, number=doc.number).only("status").first()
    result.lands_published = publish or bool(existing and existing.status == Status.PUBLISHED)
    if existing is not None:
        result.removes_published = _published_articles_removed(existing, doc)
    if dry_run:
        return result
    if result.removes_published and not may_remove_published:
        raise ImportRefused(
            "导入会删除已发布的文章（编号 " + "、".join(result.removes_published) + "），"
            "读者将看不到它们：请主编来导入，或先在文件中保留这些文章。"
        )
    if result.registry_goes_public_before_the_issue and not registry_now:
        raise ImportRefused(
            "此期将导入为草稿，但附录会立即改变公开的共同体名录："
            f"{result.registry_changes.describe()}。"
            "确认这些变更现在就公开，请勾选“附录变更立即公开”（命令行加 --registry-now），"
            "或以已发布状态导入。"
        )
    # One unit: the index, mentions and pages follow once, at the end, not after every row.
    with content_change() as change:
        if registry_doc is not None:
            result.registry = load_registry(registry_doc, replace=replace)
        result.issue, result.action = _load_issue(doc, change, publish=publish, replace=replace)
        if result.issue.status == Status.PUBLISHED:
            change.published_issues.add(result.issue.pk)
        registry = result.registry.registry if result.registry else None
        if registry is not None and result.issue.appendix_id != registry.pk:
            result.issue.appendix = registry
            result.issue.save(update_fields=["appendix", "updated_at"])
    return result


# --- the issue ---------------------------------------------------------------------------------


# What the importer writes, each field once: the file's state and the database's are compared by
# the fingerprint, so both are read through these. IssueDoc and SectionDoc have attributes of the
# same names; ArticleDoc too, but for the two in _FROM_DOC.
_ISSUE_FIELDS = (*MASTHEAD_FIELDS, "appendix_page")
_SECTION_FIELDS = ("title", "position", "page")
# source_kind is derived, but an editor's correction of it is an edit like any other.
_ARTICLE_FIELDS = ("position", *TEXT_FIELDS, "source_kind", "page_start", "page_end")
_FROM_DOC = {"source_name": "provenance_source", "body": "body_html"}


def _issue_values(doc: IssueDoc) -> dict[str, Any]:
    return {name: getattr(doc, name) for name in _ISSUE_FIELDS}


def _section_values(doc: SectionDoc) -> dict[str, Any]:
    return {"parent": doc.parent, **{name: getattr(doc, name) for name in _SECTION_FIELDS}}


def _article_values(doc: ArticleDoc) -> dict[str, Any]:
    values = {name: getattr(doc, _FROM_DOC.get(name, name)) for name in _ARTICLE_FIELDS}
    # Cleaned here too, so that the fingerprint of the file equals that of the stored rows.
    values["body"] = clean_html(values["body"])
    return {"section": doc.section, **values}


def _doc_state(doc: IssueDoc) -> dict[str, Any]:
    return {
        "issue": _issue_values(doc),
        "sections": {s.number: _section_values(s) for s in doc.sections},
        "articles": {a.number: _article_values(a) for a in doc.articles},
    }


def _db_state(issue: Issue) -> dict[str, Any]:
    sections = list(issue.sections.select_related("parent"))
    articles = list(issue.articles.select_related("section"))
    return {
        "issue": {name: getattr(issue, name) for name in _ISSUE_FIELDS},
        "sections": {
            s.number: {
                "parent": s.parent.number if s.parent else None,
                **{name: getattr(s, name) for name in _SECTION_FIELDS},
            }
            for s in sections
        },
        "articles": {
            a.number: {
                "section": a.section.number,
                **{name: getattr(a, name) for name in _ARTICLE_FIELDS},
            }
            for a in articles
        },
    }


def issue_edited_since_import(issue: Issue) -> bool:
    return fingerprint(_db_state(issue)) != issue.import_fingerprint


def _load_issue(
    doc: IssueDoc, change: Change, *, publish: bool, replace: bool
) -> tuple[Issue, str]:
    state = _doc_state(doc)
    new_fp = fingerprint(state)
    issue = Issue.objects.select_for_update().filter(year=doc.year, number=doc.number).first()
    if issue is None:
        issue = Issue(year=doc.year, number=doc.number)
        action = "created"
    else:
        edited = issue_edited_since_import(issue)
        if edited and not replace:
            raise ImportRefused(
                f"{issue.label} 导入后已被编辑，未覆盖。确认要用文件内容替换，请加 --replace。"
            )
        action = "unchanged" if new_fp == issue.import_fingerprint and not edited else "updated"

    status = Status.PUBLISHED if publish else Status.DRAFT
    if action == "unchanged":
        if publish and issue.status != Status.PUBLISHED:
            _publish(issue, change)
        return issue, action

    for name, value in state["issue"].items():
        setattr(issue, name, value)
    if action == "created" or publish:
        issue.status = status
    issue.import_fingerprint = new_fp
    issue.save()
    sections = _write_sections(issue, doc, change)
    _write_articles(issue, doc, state["articles"], sections, change, status=status, publish=publish)
    return issue, action


# Bulk writes send no signals: each writer below tells the unit (``change.add``) what it wrote,
# and writes the history records that ``save()`` would have written, with the same values.


def _publish(issue: Issue, change: Change) -> None:
    issue.status = Status.PUBLISHED
    issue.save(update_fields=["status", "updated_at"])
    articles = list(issue.articles.exclude(status=Status.PUBLISHED))
    now = timezone.now()
    for article in articles:
        article.status = Status.PUBLISHED
        article.updated_at = now  # auto_now, which bulk_update does not set
    fields = ["status", "updated_at"]
    bulk_update_with_history(articles, Article, fields)
    change.add(Article, [a.pk for a in articles], update_fields=fields)


def _published_articles_removed(issue: Issue, doc: IssueDoc) -> list[str]:
    """What ``_write_sections`` and ``_write_articles`` would take away from readers: published
    articles the file lacks, and those in sections the file lacks (they are deleted first)."""
    numbers = {a.number for a in doc.articles}
    sections = {s.number for s in doc.sections}
    gone = issue.articles.filter(status=Status.PUBLISHED).exclude(
        number__in=numbers, section__number__in=sections
    )
    return sorted(gone.values_list("number", flat=True))


def _write_sections(issue: Issue, doc: IssueDoc, change: Change) -> dict[str, Section]:
    """Write the file's sections; returns them by number."""
    wanted = {s.number: s for s in doc.sections}
    existing = {s.number: s for s in issue.sections.all()}
    # Articles of sections that go away are removed first (Article.section is PROTECT).
    issue.articles.exclude(number__in=[a.number for a in doc.articles]).delete()
    for number, section in existing.items():
        if number not in wanted:
            section.articles.all().delete()
    issue.sections.exclude(number__in=list(wanted)).delete()
    by_number: dict[str, Section] = {}
    new: list[Section] = []
    kept: list[Section] = []
    for sdoc in doc.sections:  # 目录 order: a parent always comes before its children
        section = existing.get(sdoc.number)
        if section is None:
            section = Section(issue=issue, number=sdoc.number)
            new.append(section)
        else:
            kept.append(section)
        section.title = sdoc.title
        section.position = sdoc.position
        section.page = sdoc.page
        by_number[sdoc.number] = section
    # New sections are inserted in 目录 order, as saving them one by one did, before the parents
    # of new children are known; those are set next, and the first history record of each new
    # section is written with its parent.
    parent = {s.number: by_number[s.parent] if s.parent else None for s in doc.sections}
    for section in new:
        section.parent_id = parent[section.number].pk if parent[section.number] else None
    Section.objects.bulk_create(new)
    late = [s for s in new if parent[s.number] is not None and s.parent_id is None]
    for section in late:
        section.parent = parent[section.number]
    if late:
        Section.objects.bulk_update(late, ["parent"])
    get_history_manager_for_model(Section).bulk_history_create(new, default_change_reason=None)
    for section in kept:
        section.parent = parent[section.number]
    bulk_update_with_history(kept, Section, ["title", "position", "page", "parent"])
    change.add(Section, [s.pk for s in new + kept])
    return by_number


def _write_articles(
    issue: Issue,
    doc: IssueDoc,
    values: dict[str, dict[str, Any]],
    sections: dict[str, Section],
    change: Change,
    *,
    status: str,
    publish: bool,
) -> None:
    """Write the file's articles from ``values`` (``_article_values``, bodies already cleaned as
    ``Article.save`` would clean them)."""
    existing = {a.number: a for a in issue.articles.all()}
    now = timezone.now()
    new: list[Article] = []
    kept: list[Article] = []
    # Every kept row is written (a new version, with its history record, as a full save did), but
    # only the columns that differ somewhere: the others would be written with the values they
    # hold, and each column costs a CASE over all the rows.
    differ = {"version", "updated_at"}
    # Articles whose label becomes a topic with this import: new ones and relabelled ones.
    topic_labelled: list[Article] = []
    for adoc in doc.articles:
        article = existing.get(adoc.number)
        written = {name: values[adoc.number][name] for name in _ARTICLE_FIELDS}
        written["section_id"] = sections[adoc.section].pk
        relabelled = adoc.source_kind == TOPIC and (
            article is None or (article.source, article.source_kind) != (adoc.source, TOPIC)
        )
        if article is None:
            article = Article(issue=issue, number=adoc.number, status=status)
            new.append(article)
        else:
            if publish:
                written["status"] = status
            # What Article.save does on a full save: the version goes up, updated_at is now.
            article.version += 1
            article.updated_at = now
            kept.append(article)
            differ.update(n for n, v in written.items() if getattr(article, n) != v)
        if relabelled:
            topic_labelled.append(article)
        for name, value in written.items():
            setattr(article, name, value)
    new = bulk_create_with_history(new, Article)
    fields = sorted("section" if name == "section_id" else name for name in differ)
    bulk_update_with_history(kept, Article, fields)
    change.add(Article, [a.pk for a in new + kept])
    _tag_topic_labels(topic_labelled)


def _tag_topic_labels(articles: list[Article]) -> None:
    """A topic label (产教融合：…, 智慧建筑技术趋势：…) becomes a tag of its article, named as the
    vocabulary names it (智慧建筑 is an alias of 智能建筑): the tags are the field's terms.

    Once, when the label becomes a topic: each tag is recorded as suggested (articles/topics.py),
    so one an editor removes stays removed, and the topic step does not add it again. A label
    that names no term of the vocabulary gives no tag (an editor may add the term as a 主题词).
    """
    if not articles:
        return
    topics = {t.name: t for t in Topic.objects.filter(active=True)}
    vocabulary = [TopicTerm(t.name, tuple(t.alias_list)) for t in topics.values()]
    named = {
        a.pk: match_topics(headings=[a.source], body="", vocabulary=vocabulary) for a in articles
    }
    done = set(
        TopicSuggestion.objects.filter(article__in=articles).values_list(
            "article_id", "topic__name"
        )
    )
    suggestions = [
        TopicSuggestion(article_id=pk, topic=topics[name])
        for pk, names in named.items()
        for name in names
        if (pk, name) not in done
    ]
    TopicSuggestion.objects.bulk_create(suggestions)
    for article in articles:
        names = [n for n in named[article.pk] if (article.pk, n) not in done]
        if names:
            article.tags.add(*names)


def describe(result) -> str:
    """The structure found, one line per section and article, for --dry-run."""
    doc = result.doc
    lines = [
        f"{doc.title} {doc.year}年第{doc.number:02d}期  总编 {doc.chief_editor}  "
        f"主编 {doc.editor}  责编 {doc.managing_editor}"
    ]
    articles_by_section: dict[str, list] = {}
    for article in doc.articles:
        articles_by_section.setdefault(article.section, []).append(article)
    for section in doc.sections:
        indent = "  " if section.parent else ""
        lines.append(f"{indent}{section.number} {section.title}")
        for article in articles_by_section.get(section.number, []):
            label = f"{article.source}：" if article.source else ""
            pages = f"  p.{article.page_start}" if article.page_start else ""
            lines.append(f"{indent}    {article.number} {label}{article.title}{pages}")
    if result.registry_doc:
        lines.append(f"附录：{result.registry_doc.title}，{len(result.registry_doc.entries)} 条")
        changes = result.registry_changes
        if changes:
            public = "（名录没有草稿状态：导入即公开）" if not result.lands_published else ""
            lines.append(f"附录对公开名录的变更{public}：{changes.describe()}")
        elif changes is not None:
            lines.append("附录与现有名录相同，名录不变。")
    return "\n".join(lines)
