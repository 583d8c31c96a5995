"""Topics: the field's vocabulary (产教融合, 工学一体化 …) turned into suggested tags for articles.

Imported articles arrive without tags. The vocabulary — shipped in ``articles/data/topics.json``,
loaded into the ``Topic`` table by a migration and extended by editors in the admin — is matched
against each article's headings and body whenever its text is written (``follow_change``, a step
of the unit of content work, core/changes.py: for all the articles of the unit at once, so an
import's articles are matched together). A topic that matters for the article becomes a tag: it is
named in a heading, or it occurs at least ``MIN_BODY_COUNT`` times in the body; at most
``MAX_TAGS`` per article, the strongest first.

A suggestion is made once per article and topic (``TopicSuggestion`` remembers it), so a tag an
editor removed stays removed when the article is saved again.

``match_topics`` is pure (no database); ``suggest`` writes, in bulk (the tags as taggit's
``tags.add`` makes them, in a few queries for any number of articles), and ``apply_topics`` and
``apply_topics_to_all`` through it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.db.models import Q

from core.tokens import normalize

if TYPE_CHECKING:
    from articles.models import Article, Topic
    from core.changes import Change

__all__ = [
    "MAX_TAGS",
    "MIN_BODY_COUNT",
    "VOCABULARY_FILE",
    "TopicTerm",
    "apply_topics",
    "apply_topics_to_all",
    "load_vocabulary_file",
    "match_topics",
    "suggest",
]

VOCABULARY_FILE = Path(__file__).resolve().parent / "data" / "topics.json"
#: A topic named only in the body must occur this often to matter for the article.
MIN_BODY_COUNT = 3
#: Suggested tags per article, strongest first.
MAX_TAGS = 5
# A heading mention outweighs any number of body mentions.
_HEADING_WEIGHT = 1000


@dataclass(frozen=True)
class TopicTerm:
    name: str
    aliases: tuple[str, ...] = ()

    @property
    def phrases(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def load_vocabulary_file(path: Path = VOCABULARY_FILE) -> list[TopicTerm]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [TopicTerm(t["name"], tuple(t.get("aliases", ()))) for t in data["topics"]]


def _count_masked(texts: list[str], phrases: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Occurrences of each phrase, longest phrases first, each occurrence counted once.

    Counted occurrences are blanked out, so 产教融合 inside 行业产教融合共同体 counts for the
    community topic only, and 技能人才 inside 高技能人才 only for 高技能人才.
    """
    counts: dict[str, int] = {}
    for phrase, norm in sorted(phrases, key=lambda p: -len(p[1])):
        n = 0
        for i, text in enumerate(texts):
            found = text.count(norm)
            if found:
                n += found
                texts[i] = text.replace(norm, "\x00" * len(norm))
        counts[phrase] = n
    return counts


def match_topics(
    *, headings: Iterable[str], body: str, vocabulary: Iterable[TopicTerm]
) -> list[str]:
    """Names of the topics that matter for a text, strongest first (pure; no database).

    >>> vocab = [TopicTerm("产教融合"), TopicTerm("行业产教融合共同体", ("产教融合共同体",))]
    >>> match_topics(headings=["首个国家级产教融合共同体"], body="产教融合" * 3, vocabulary=vocab)
    ['行业产教融合共同体', '产教融合']
    """
    vocabulary = list(vocabulary)
    phrases = [(f"{i}:{p}", normalize(p)) for i, t in enumerate(vocabulary) for p in t.phrases]
    phrases = [(key, norm) for key, norm in phrases if norm.strip()]
    in_heads = _count_masked([normalize("\n".join(h for h in headings if h))], phrases)
    in_body = _count_masked([normalize(body)], phrases)
    scores: dict[int, int] = {}
    for key, _ in phrases:
        index = int(key.split(":", 1)[0])
        heads, count = in_heads[key], in_body[key]
        scores[index] = scores.get(index, 0) + heads * _HEADING_WEIGHT + count
    strong = [
        (score, index)
        for index, score in scores.items()
        if score >= _HEADING_WEIGHT or score >= MIN_BODY_COUNT
    ]
    strong.sort(key=lambda si: (-si[0], si[1]))
    return [vocabulary[i].name for _, i in strong[:MAX_TAGS]]


# --- the database side ---------------------------------------------------------------------------


def _vocabulary(topics: Iterable[Topic]) -> list[TopicTerm]:
    return [TopicTerm(t.name, tuple(t.alias_list)) for t in topics]


def apply_topics(*, article: Article, topics: Iterable[Topic] | None = None) -> list[str]:
    """Tag ``article`` with the topics that matter for it and were not suggested before.

    Returns the names of the tags added. ``topics`` defaults to every active topic.
    """
    from articles.models import Topic

    topics = list(Topic.objects.filter(active=True) if topics is None else topics)
    return _suggest([article], topics)[article.pk]


def apply_topics_to_all(*, topics: Iterable[Topic] | None = None) -> int:
    """Match ``topics`` (default: all active) against every article; returns the tags added."""
    from articles.models import Article, Topic

    topics = list(Topic.objects.filter(active=True) if topics is None else topics)
    added = 0
    batch: list[Article] = []
    for article in Article.objects.all().iterator(chunk_size=_BATCH):
        batch.append(article)
        if len(batch) == _BATCH:
            added += sum(len(new) for new in _suggest(batch, topics).values())
            batch = []
    if batch:
        added += sum(len(new) for new in _suggest(batch, topics).values())
    return added


#: Articles matched and written together: a few queries per batch, whatever its size.
_BATCH = 500


def _suggest(articles: Sequence[Article], topics: Sequence[Topic]) -> dict[int, list[str]]:
    """Match ``topics`` against ``articles`` and suggest what matters (``suggest``)."""
    from core.text import html_to_text

    vocabulary = _vocabulary(topics)
    matched = {
        article.pk: match_topics(
            headings=[article.title, article.subtitle, article.toc_title, article.source],
            body=html_to_text(article.body),
            vocabulary=vocabulary,
        )
        for article in articles
    }
    return suggest(articles, matched, topics={t.name: t for t in topics})


def suggest(
    articles: Sequence[Article], names: Mapping[int, Sequence[str]], *, topics: Mapping[str, Topic]
) -> dict[int, list[str]]:
    """Suggest topics to articles, in bulk: of ``names`` (topic names by article id, strongest
    first; ``topics`` has each by name) those not suggested to the article before become its tags
    and are recorded as suggested. Returns the names added, by article id.

    Writes what ``article.tags.add(*added)`` article by article, in this order, wrote (the same
    tags with the same slugs, the same tagged items), in a few queries for all the articles. Bulk
    writes send no signals, so the unit of content work is told here what the signals told it
    (core/changes.py): the new tags and tagged items, and the articles' tags; outside any unit,
    the writes are a unit of their own, as each signal was.
    """
    from articles.models import TopicSuggestion

    added: dict[int, list[str]] = {a.pk: [] for a in articles}
    wanted = {n for a in articles for n in names.get(a.pk, ())}
    if not wanted:
        return added
    done = set(
        TopicSuggestion.objects.filter(article__in=list(added), topic__name__in=wanted)
        .values_list("article_id", "topic__name")
        .order_by()
    )
    for pk in added:
        added[pk] = [n for n in dict.fromkeys(names.get(pk, ())) if (pk, n) not in done]
    if not any(added.values()):
        return added
    with _unit() as change:
        TopicSuggestion.objects.bulk_create(
            [
                TopicSuggestion(article_id=pk, topic=topics[n])
                for pk, new in added.items()
                for n in new
            ]
        )
        _add_tags(articles, added, change)
    return added


@contextmanager
def _unit() -> Iterator[Change]:
    """The unit of content work under way, else one of its own."""
    from core.changes import content_change, current

    change = current()
    if change is not None:
        yield change
        return
    with content_change() as change:
        yield change


def _add_tags(articles: Sequence[Article], names: dict[int, list[str]], change: Change) -> None:
    """``article.tags.add(*names[article.pk])`` for each article, in bulk."""
    from django.contrib.contenttypes.models import ContentType

    from articles.models import Article

    through = Article.tags.through
    Tag = through.tag_model()
    tagged = [a for a in articles if names[a.pk]]
    wanted = list(dict.fromkeys(n for a in tagged for n in names[a.pk]))  # first use first

    # The tags: those that exist, and the others made as taggit makes them one by one, in the
    # order of their first use (which gives the same ids), each with the slug Tag.save would give
    # it: the name's, or the first free "slug_N" after it where that slug is taken.
    slugs = {n: Tag(name=n).slugify(n) for n in wanted}
    found = list(
        Tag.objects.filter(Q(name__in=wanted) | Q(slug__in=set(slugs.values()))).only(
            "name", "slug"
        )
    )
    tags = {t.name: t for t in found if t.name in slugs}
    taken = {t.slug for t in found}
    fresh = []
    for name in wanted:
        if name in tags:
            continue
        tag = Tag(name=name, slug=slugs[name])
        if tag.slug in taken:
            similar = taken | set(
                Tag.objects.filter(slug__startswith=tag.slug).values_list("slug", flat=True)
            )
            i = 1
            while (slug := tag.slugify(name, i)) in similar:
                i += 1
            tag.slug = slug
        taken.add(tag.slug)
        fresh.append(tag)
    if fresh:
        # Conflicts skipped: a tag another writer has just made is read back below like ours.
        Tag.objects.bulk_create(fresh, ignore_conflicts=True)
        made = Tag.objects.filter(name__in=[t.name for t in fresh])
        tags.update((t.name, t) for t in made)
        for tag in fresh:
            if tag.name not in tags:  # its slug was taken meanwhile: taggit's own way, alone
                tags[tag.name] = Tag.objects.create(name=tag.name)
        change.add(Tag, [tags[t.name].pk for t in fresh])

    # The tagged items the articles lack, article by article in the order of their tags.
    content_type = ContentType.objects.get_for_model(Article)
    ids = [a.pk for a in tagged]
    items = through.objects.filter(content_type=content_type, object_id__in=ids)
    have = set(items.values_list("object_id", "tag_id").order_by())
    new = [
        (a.pk, tags[n].pk) for a in tagged for n in names[a.pk] if (a.pk, tags[n].pk) not in have
    ]
    if new:
        through.objects.bulk_create(
            [through(content_type=content_type, object_id=pk, tag_id=t) for pk, t in new],
            ignore_conflicts=True,
        )
        wrote = set(new)
        change.add(
            through,
            [
                pk
                for pk, *pair in items.values_list("pk", "object_id", "tag_id").order_by("pk")
                if tuple(pair) in wrote
            ],
        )
    change.add(Article, ids, update_fields=["tags"])
    for article in tagged:  # as tags.add does: a prefetched list of its tags is out of date
        getattr(article, "_prefetched_objects_cache", {}).pop("tags", None)


# Saving only these fields changes neither the text nor the headings: no need to match topics.
_NOT_TEXT = {
    "status",
    "published_at",
    "updated_at",
    "position",
    "page_start",
    "page_end",
    "pdf_page",
    "tags",
}


def follow_change(change: Change) -> None:
    """Suggest topic tags for the articles whose text the change wrote (a content step).

    Runs at the end of the unit, so after the admin form has set the tags the editor chose: a
    suggestion the editor removed is not made again (TopicSuggestion remembers it).
    """
    from articles.models import Article, Topic

    label = Article._meta.label
    ids = [
        pk
        for pk in change.ids(label)
        if (fields := change.changed_fields(label, pk)) is None or not fields <= _NOT_TEXT
    ]
    if not ids:
        return
    topics = list(Topic.objects.filter(active=True))
    articles = list(Article.objects.filter(pk__in=ids))
    for i in range(0, len(articles), _BATCH):
        _suggest(articles[i : i + _BATCH], topics)
