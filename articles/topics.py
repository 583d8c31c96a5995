"""Topics: the field's vocabulary (产教融合, 工学一体化 …) turned into suggested tags for articles.

Imported articles arrive without tags. The vocabulary — shipped in ``articles/data/topics.json``,
loaded into the ``Topic`` table by a migration and extended by editors in the admin — is matched
against each article's headings and body whenever the article is saved (the importer saves through
``Article.save()`` too; the match runs right after the save commits, see search/signals.py). A
topic that matters for the article becomes a tag: it is named in a heading, or it occurs at least
``MIN_BODY_COUNT`` times in the body; at most ``MAX_TAGS`` per article, the strongest first.

A suggestion is made once per article and topic (``TopicSuggestion`` remembers it), so a tag an
editor removed stays removed when the article is saved again.

``match_topics`` is pure (no database); ``apply_topics`` writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

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
    from articles.models import Topic, TopicSuggestion
    from core.text import html_to_text

    topics = list(Topic.objects.filter(active=True) if topics is None else topics)
    by_name = {t.name: t for t in topics}
    names = match_topics(
        headings=[article.title, article.subtitle, article.toc_title, article.source],
        body=html_to_text(article.body),
        vocabulary=_vocabulary(topics),
    )
    done = set(
        TopicSuggestion.objects.filter(article=article, topic__name__in=names).values_list(
            "topic__name", flat=True
        )
    )
    new = [n for n in names if n not in done]
    if new:
        TopicSuggestion.objects.bulk_create(
            [TopicSuggestion(article=article, topic=by_name[n]) for n in new]
        )
        article.tags.add(*new)
    return new


def apply_topics_to_all(*, topics: Iterable[Topic] | None = None) -> int:
    """Match ``topics`` (default: all active) against every article; returns the tags added."""
    from articles.models import Article

    topics = None if topics is None else list(topics)
    added = 0
    for article in Article.objects.all().iterator():
        added += len(apply_topics(article=article, topics=topics))
    return added


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
    for article in Article.objects.filter(pk__in=ids):
        apply_topics(article=article, topics=topics)
