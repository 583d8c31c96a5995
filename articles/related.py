"""Related articles: the published articles most like one, best first, each with why.

Three signals, each the cosine of TF-IDF vectors (articles/similar.py), added with weights:

* the text (title, subtitle, body) in the bigrams the search index uses;
* the registry entries it names (``Mention`` rows: communities and organisations), which say
  most when few articles name them;
* its tags (the vocabulary's topics and editors' own).

Each list spans the whole archive, so it is worked out when content changes, not when a page is
read: the unit of content work that changed what the lists are made of (``follow_change``, a step
of core/changes.py) builds the archive's indexes (``_build``) and writes every published article's
list where it changed (``RelatedLink`` rows). A page reads its list in one query, kept in the
process under the lists' own token (core/kept.py, the part "related"), so that a change costs each
process one small query per page, not a rebuild of the archive.

Units that change the lists take turns (``kept.take_turn``): each reads what the one before it
committed, so no list misses a change made beside it.

Like the search index, the lists hold what is published by status and a page checks the time part
of visibility (``visible_from``): scheduled publication changes no token. An article the lists do
not hold (an editor's preview of a draft) is compared with the archive built in the process
(``_archive``), once per content token.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from taggit.models import TaggedItem

from articles.models import Article, Mention, RelatedLink, article_url
from articles.similar import CosineIndex, Terms, name_terms, text_terms
from core import kept
from core.links import Linked, reverse
from core.pagecache import current_token
from core.publishing import Status, latest_start, published_q
from core.text import html_to_text
from issues.models import Issue, Section, issue_label

RELATED_LIMIT = 5
#: The part of settings.ZHIJIAO_KEPT_PARTS whose token the lists are kept under.
PART = "related"
#: A shared registry entry says more than shared words: most articles of the field share some.
ENTRY_WEIGHT = 0.5
#: Tags are mostly the vocabulary's topics, whose words the text has already: a lighter say.
TAG_WEIGHT = 0.2
#: Below this, two articles share little more than the field's words (placed from the seeds:
#: most pairs of seed articles score under it, an article and the notice it reports well above).
MIN_SCORE = 0.1
#: Candidates kept per article, more than are shown: some may not be visible yet (scheduled).
KEPT = 4 * RELATED_LIMIT
#: Shared names a reason gives at most.
REASON_NAMES = 2
#: What a list shows of an article (with its issue and section) and needs to check its time,
#: in the model's order, as ``Model.from_db`` takes them.
SHOWN_FIELDS = tuple(
    f.attname
    for f in Article._meta.concrete_fields
    if f.attname in {"id", "number", "title", "published_at", "issue_id", "section_id"}
)


@dataclass(frozen=True)
class Related(Linked):
    """A related article as its card shows it, in plain values (what a process keeps holds no
    model instances to copy), and why it is related."""

    pk: int
    number: str
    title: str
    url: str
    issue_label: str
    issue_url: str
    section_title: str
    parent_title: str  # "" for a top section
    starts: datetime | None  # when the public may see it (``visible_from``); None: at once
    reason: str  # 同提及 …, 同标签 … or 内容相近

    @classmethod
    def of(cls, article: Article, reason: str) -> Related:
        """From an article read with its issue and section (and the section's parent)."""
        issue, section = article.issue, article.section
        return cls.from_values(
            (
                article.pk,
                article.number,
                article.title,
                article.published_at,
                issue.year,
                issue.number,
                issue.published_at,
                section.title,
                section.parent.title if section.parent else None,
                reason,
            )
        )

    @classmethod
    def from_values(cls, row: tuple) -> Related:
        """From a row of ``_CARD_VALUES`` (as a list is read from the database)."""
        pk, number, title, published, year, issue, issue_published, section, parent, reason = row
        return cls(
            pk=pk,
            number=number,
            title=title,
            url=article_url(year, issue, number),
            issue_label=issue_label(year, issue),
            issue_url=reverse("issues:detail", kwargs={"year": year, "number": issue}),
            section_title=section,
            parent_title=parent or "",
            starts=latest_start(published, issue_published),
            reason=reason,
        )


#: A stored list's rows as ``Related.from_values`` takes them.
_CARD_VALUES = (
    "other_id",
    "other__number",
    "other__title",
    "other__published_at",
    "other__issue__year",
    "other__issue__number",
    "other__issue__published_at",
    "other__section__title",
    "other__section__parent__title",
    "reason",
)


class _Candidate(NamedTuple):
    row: int
    score: float
    # What each signal added to the score.
    text: float
    entries: float
    tags: float


@dataclass(frozen=True)
class _Names:
    """An article's registry entries and tags: keys (``c81``, ``o574``, ``t产教融合``) → names."""

    entries: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Shown:
    """What a list shows of each article: its row of ``SHOWN_FIELDS``, its issue and section
    (the few issues and sections shared between their articles)."""

    rows: dict[int, tuple]
    issues: dict[int, Issue]
    sections: dict[int, Section]

    def article(self, pk: int) -> Article | None:
        values = self.rows.get(pk)
        if values is None:
            return None
        # As the ORM makes it for .only(*SHOWN_FIELDS): the other fields load if asked for.
        article = Article.from_db(None, SHOWN_FIELDS, values)
        issue, section = self.issues.get(article.issue_id), self.sections.get(article.section_id)
        if issue is None or section is None:
            return None
        article.issue, article.section = issue, section
        return article


@dataclass(frozen=True)
class _Texts:
    """The text index, and the texts it was built from (article pk, digest), row by row."""

    signature: tuple[tuple[int, int], ...]
    index: CosineIndex


@dataclass
class _Archive:
    """The published articles, row by row: what a list shows of each, and the indexes."""

    pks: list[int]
    shown: _Shown
    names: list[_Names]
    texts: _Texts
    entries: CosineIndex
    tags: CosineIndex
    rows: dict[int, int] = field(init=False)
    #: How many articles carry each entry and tag: a reason names the rarer first.
    carried: Counter[str] = field(init=False)
    # An article's candidates (row, score), best first, kept once asked for.
    _ranked: dict[int, list[_Candidate]] = field(default_factory=dict)
    _articles: dict[int, Article | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rows = {pk: row for row, pk in enumerate(self.pks)}
        self.carried = Counter(k for n in self.names for k in (*n.entries, *n.tags))

    def ranked(self, pk: int) -> list[_Candidate]:
        """The candidates of an article in the archive, itself left out."""
        if pk not in self._ranked:
            row = self.rows[pk]
            self._ranked[pk] = _best(
                self.texts.index.similarities(row),
                self.entries.similarities(row),
                self.tags.similarities(row),
                itself=row,
            )
        return self._ranked[pk]

    def ranked_outside(self, text: Terms, names: _Names) -> list[_Candidate]:
        """The candidates of an article outside the archive (an editor's preview of a draft)."""
        return _best(
            self.texts.index.similarities_to(text),
            self.entries.similarities_to(name_terms(names.entries)),
            self.tags.similarities_to(name_terms(names.tags)),
        )

    def reason(self, mine: _Names, candidate: _Candidate) -> str:
        """Shared registry entries where there are any; shared tags where they added more than
        the text; else the text."""
        theirs = self.names[candidate.row]
        if candidate.entries:
            return "同提及 " + self._shared(mine.entries, theirs.entries)
        if candidate.tags > candidate.text:
            return "同标签 " + self._shared(mine.tags, theirs.tags)
        return "内容相近"

    def _shared(self, mine: dict[str, str], theirs: dict[str, str]) -> str:
        shared = sorted(mine.keys() & theirs.keys(), key=lambda k: (self.carried[k], mine[k]))
        return "、".join(mine[k] for k in shared[:REASON_NAMES])

    def article(self, row: int) -> Article | None:
        """The article of a row as a list shows it, made once; None where it went between two
        of the build's reads (its token has gone too)."""
        pk = self.pks[row]
        if pk not in self._articles:
            self._articles[pk] = self.shown.article(pk)
        return self._articles[pk]


def _best(
    text: np.ndarray, entries: np.ndarray, tags: np.ndarray, *, itself: int | None = None
) -> list[_Candidate]:
    parts = (text, ENTRY_WEIGHT * entries, TAG_WEIGHT * tags)
    scores = sum(parts)
    if itself is not None:
        scores[itself] = 0.0
    order = np.argsort(-scores, kind="stable")[:KEPT]
    return [
        _Candidate(int(row), float(scores[row]), *(float(p[row]) for p in parts))
        for row in order
        if scores[row] >= MIN_SCORE
    ]


# --- the archive, kept per process ----------------------------------------------------------------

_lock = threading.Lock()
_kept: tuple[str, _Archive] | None = None
#: Article pk → (digest of its title, subtitle and body, their terms): cutting texts into terms is
#: most of a rebuild's work, and most texts are unchanged since the last one.
_TERMS: dict[int, tuple[int, Terms]] = {}


def _text(title: str, subtitle: str, body: str) -> str:
    return "\n".join((title, subtitle, html_to_text(body)))


def _published() -> QuerySet:
    # The status part of visibility; the time part is checked per page (_Archive.visible).
    return Article.objects.filter(published_q(), published_q("issue__"))


def _texts(previous: _Texts | None) -> _Texts:
    """The text index of the published articles, the previous one if no text changed."""
    global _TERMS
    rows = _published().order_by("pk").values_list("pk", "title", "subtitle", "body")
    found: dict[int, tuple[int, Terms]] = {}
    for pk, *text in rows:
        # hash(), not a cryptographic digest: it only tells this process's copies apart.
        digest = hash(tuple(text))
        known = _TERMS.get(pk)
        found[pk] = known if known and known[0] == digest else (digest, text_terms(_text(*text)))
    _TERMS = found  # the unpublished and the deleted drop out
    signature = tuple((pk, digest) for pk, (digest, _) in found.items())
    if previous is not None and previous.signature == signature:
        return previous
    return _Texts(signature, CosineIndex([terms for _, terms in found.values()]))


def _names(pks: list[int]) -> list[_Names]:
    """Each article's registry entries and tags, in the order of ``pks``."""
    names = {pk: _Names() for pk in pks}
    mentions = Mention.objects.filter(article__in=_published()).values_list(
        "article_id", "community_id", "community__name", "organization_id", "organization__name"
    )
    for pk, community, community_name, organization, organization_name in mentions:
        if pk in names and community:
            names[pk].entries[f"c{community}"] = community_name
        elif pk in names:
            names[pk].entries[f"o{organization}"] = organization_name
    tagged = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Article),
        object_id__in=_published().values("pk"),
    ).values_list("object_id", "tag__name")
    for pk, name in tagged:
        if pk in names:
            names[pk].tags[f"t{name}"] = name
    return [names[pk] for pk in pks]


def _shown() -> _Shown:
    pk, issue, section = (SHOWN_FIELDS.index(f) for f in ("id", "issue_id", "section_id"))
    rows = {values[pk]: values for values in _published().values_list(*SHOWN_FIELDS)}
    issues = Issue.objects.in_bulk({values[issue] for values in rows.values()})
    sections = Section.objects.select_related("parent").in_bulk(
        {values[section] for values in rows.values()}
    )
    return _Shown(rows, issues, sections)


def _build(previous: _Archive | None, *, shown: bool = True) -> _Archive:
    """The archive's indexes, and with ``shown`` what a list shows of each article (a list
    written to the database needs only the ranks)."""
    texts = _texts(previous.texts if previous else None)
    pks = [pk for pk, _ in texts.signature]
    names = _names(pks)
    return _Archive(
        pks=pks,
        shown=_shown() if shown else _Shown({}, {}, {}),
        names=names,
        texts=texts,
        entries=CosineIndex([name_terms(n.entries) for n in names]),
        tags=CosineIndex([name_terms(n.tags) for n in names]),
    )


def _archive() -> _Archive:
    """The archive of the current content token, built on first use after each change."""
    global _kept
    # The token before the content, as the page cache reads them: an archive is never older
    # than the token it is kept under.
    token = current_token()
    held = _kept
    if token is not None and held is not None and held[0] == token:
        return held[1]
    with _lock:
        if token is not None and _kept is not None and _kept[0] == token:
            return _kept[1]
        archive = _build(_kept[1] if _kept else None)
        if token is not None:
            _kept = (token, archive)
        return archive


def forget() -> None:
    """Drop the kept archive, for tests: a write outside any unit (a test's ``QuerySet.update``)
    keeps the token, and the test's rollback then brings the old content back under it."""
    global _kept
    with _lock:
        _kept = None


# --- what a page asks -----------------------------------------------------------------------------


def _own_names(article: Article) -> _Names:
    names = _Names(tags={f"t{t.name}": t.name for t in article.tags.all()})
    for m in article.mentions.select_related("community", "organization"):
        if m.community_id:
            names.entries[f"c{m.community_id}"] = m.community.name
        else:
            names.entries[f"o{m.organization_id}"] = m.organization.name
    return names


def related_articles(article: Article, *, limit: int = RELATED_LIMIT) -> list[Related]:
    """The published articles most like ``article`` (never itself), best first, each with why.

    No query when its list is kept in the process, one when not. An article the public cannot
    see yet (an editor's preview) is compared by its own text, mentions and tags.
    """
    if article.status == Status.PUBLISHED and article.issue.status == Status.PUBLISHED:
        candidates = kept.kept(PART, f"list {article.pk}", lambda: _stored(article.pk))
    else:
        candidates = _outside(article)
    now = timezone.now()
    return [r for r in candidates if r.starts is None or r.starts <= now][:limit]


def _stored(pk: int) -> list[Related]:
    rows = RelatedLink.objects.filter(article_id=pk).order_by("rank").values_list(*_CARD_VALUES)
    return [Related.from_values(row) for row in rows]


def _outside(article: Article) -> list[Related]:
    """The candidates of an article the lists do not hold, from the archive of this process."""
    archive = _archive()
    mine = _own_names(article)
    text = text_terms(_text(article.title, article.subtitle, article.body))
    return [
        Related.of(shown, archive.reason(mine, c))
        for c in archive.ranked_outside(text, mine)
        # None: gone between two of the archive's reads (its token has gone too).
        if (shown := archive.article(c.row)) is not None
    ]


# --- writing the lists ----------------------------------------------------------------------------


def follow_change(change) -> None:
    """Write the lists again where the change may have changed them (a content step): when it
    wrote what they are made of (the models of the part "related" in the setting)."""
    if any(change.ids(label) or change.removed(label) for label in kept.models(PART)):
        refresh_related()


def refresh_related() -> int:
    """Work out every published article's list from the database as it is, and write those that
    changed (in the current transaction); how many articles' lists were written."""
    kept.take_turn(PART)
    archive = _build(None, shown=False)
    lists: dict[int, list[tuple[int, str]]] = {}
    for row, pk in enumerate(archive.pks):
        mine = archive.names[row]
        lists[pk] = [(archive.pks[c.row], archive.reason(mine, c)) for c in archive.ranked(pk)]
    stored: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for article, other, reason in RelatedLink.objects.order_by("article_id", "rank").values_list(
        "article_id", "other_id", "reason"
    ):
        stored[article].append((other, reason))
    changed = [pk for pk in lists.keys() | stored.keys() if lists.get(pk, []) != stored.get(pk)]
    RelatedLink.objects.filter(article_id__in=changed).delete()
    RelatedLink.objects.bulk_create(
        RelatedLink(article_id=pk, other_id=other, rank=rank, reason=reason)
        for pk in changed
        for rank, (other, reason) in enumerate(lists.get(pk, []))
    )
    return len(changed)


def unwritten() -> bool:
    """Published articles are there but no list has been written (a new table, a restore)."""
    return not RelatedLink.objects.exists() and _published().exists()
