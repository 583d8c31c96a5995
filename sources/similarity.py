"""已摘编过吗? Every candidate against every article and every other candidate (the measure is
sources/similar.py's; here the texts come from the database and the best matches are stored)."""

from __future__ import annotations

from articles.models import Article
from core.text import html_to_text
from sources.models import Candidate
from sources.similar import Index

#: Matches below this are not worth an editor's look (unrelated articles of the field score
#: up to about 0.3 on the seeds; see sources/similar.py).
SHOWN_FROM = 0.2
SHOWN = 3


def _article_text(article: Article) -> str:
    return "\n".join([article.title, article.subtitle, html_to_text(article.body)])


def refresh_similar() -> None:
    """Store, for each candidate not yet excerpted, the articles and candidates most like it."""
    index = Index()
    labels: dict[tuple[str, int], str] = {}
    for article in Article.objects.select_related("issue").only(
        "title", "subtitle", "body", "number", "issue__year", "issue__number"
    ):
        key = ("article", article.pk)
        index.add(key, _article_text(article))
        labels[key] = f"{article.issue.label} {article.number}"
    candidates = list(Candidate.objects.select_related("document"))
    for candidate in candidates:
        key = ("candidate", candidate.pk)
        index.add(key, "\n".join([candidate.title, candidate.plain_text]))
        labels[key] = f"素材《{candidate.document}》的《{candidate.title}》"
    for candidate in candidates:
        if candidate.article_id:
            continue
        own = {("candidate", candidate.pk)}
        found = [
            {
                "kind": m.key[0],
                "id": m.key[1],
                "label": labels[m.key],
                "score": round(m.overlap, 3),
                "likely": m.likely_excerpted,
            }
            for m in index.matches(
                "\n".join([candidate.title, candidate.plain_text]),
                limit=SHOWN + 1,
                minimum=SHOWN_FROM,
            )
            if m.key not in own
        ][:SHOWN]
        if found != candidate.similar:
            candidate.similar = found
            candidate.save(update_fields=["similar"])
