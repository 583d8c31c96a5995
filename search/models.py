"""The search index's own table: one row per searchable object (article, community, organisation).

Derived data, written only by search/indexing.py and rebuilt by ``rebuild_search_index``.
Each database indexes the token columns its own way, set up by migration 0002 (only the search
package writes search SQL):

* SQLite: an FTS5 external-content table ``articles_searchindex`` over ``tok_title``, ``tok_meta``,
  ``tok_body``, ``tok_sub``, kept in step by triggers on this table. A later migration that
  alters this table on SQLite rebuilds it, which drops the triggers: it must create them again
  (see 0002; the system check in checks.py notices if not).
* PostgreSQL: ``vector`` and ``title_vector``, tsvectors written as literals (so no text-search
  parser or locale is involved), each with a GIN index; the table's rows are kept narrow
  (toast_tuple_target), so that reading thousands of matching rows does not read their texts,
  and the bodies are stored uncompressed, so that reading one is quick (search.0002). The token
  columns stay empty there.

Column order matters on SQLite: a row's small columns come first, so that reading the facet and
ranking columns of thousands of matches does not walk the overflow pages of the long texts.

The normalised text (what the substring check and the ranking read, backends/ranking.py) is in
two parts: ``head_norm``, short, is everything but the body — the title, ``TITLE_END``, the labels
(an article's source, 信息来源 and tags; a community's lead units) one a line, ``LABELS_END``, the
other headings one a line — and ``body_norm`` is the body.
"""

from __future__ import annotations

from django.db import models

# Where the title and the labels end in ``head_norm``: control characters that normalised text
# never holds (core.tokens makes them line breaks) and no query term can hold (parse_query makes
# them spaces), so no match spans them.
TITLE_END = "\x1f"
LABELS_END = "\x1e"


class TokenVectorField(models.Field):
    """A tsvector on PostgreSQL, written from a tsvector literal; unused (NULL) text elsewhere."""

    description = "Search vector (PostgreSQL tsvector)"

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value, compiler, connection) -> str:
        # The value is a literal such as '产教':1A,5C; the cast reads it without any text parser.
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"


class Kind(models.TextChoices):
    ARTICLE = "article", "文章"
    COMMUNITY = "community", "共同体"
    ORGANIZATION = "organization", "单位"


class SearchDocument(models.Model):
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField("对象 ID")
    # Public from this moment (the later of the article's and the issue's publication time); the
    # search filters on it, so a scheduled article appears by itself when its time comes. Only
    # published objects have a row at all: drafts never reach the index.
    visible_from = models.DateTimeField(null=True, blank=True)
    # Facets and what a result shows, copied here so a results page needs no joins.
    issue_year = models.PositiveSmallIntegerField(null=True, blank=True)
    issue_number = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.CharField(max_length=20, blank=True)
    section = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=300, blank=True)
    place = models.CharField(max_length=100, blank=True)
    tags = models.JSONField(default=list, blank=True)
    title = models.TextField()
    location = models.TextField(blank=True)
    # Everything but the body (see the module doc): the ranking's tiers are read from it for every
    # match, so it is short and before the long texts.
    head_norm = models.TextField(blank=True)
    # The original plain text snippets are cut from, and the normalised body, which the substring
    # check and the ranking read only where the head does not settle them.
    text = models.TextField(blank=True)
    body_norm = models.TextField(blank=True)
    tok_title = models.TextField(blank=True)
    tok_meta = models.TextField(blank=True)
    tok_body = models.TextField(blank=True)
    tok_sub = models.TextField(blank=True)
    vector = TokenVectorField(null=True, blank=True)
    # The title's tokens alone (PostgreSQL): finds the documents whose title holds a common word
    # through its own GIN index, where the weights of `vector` would need every row read.
    title_vector = TokenVectorField(null=True, blank=True)

    class Meta:
        verbose_name = "检索索引条目"
        verbose_name_plural = "检索索引"
        db_table = "articles_searchdocument"  # moved from articles with its table
        constraints = [
            # Indexing replaces an object's row: found by (kind, object_id).
            models.UniqueConstraint(fields=["kind", "object_id"], name="searchdocument_object"),
        ]
        indexes = [
            # Broad queries count from the index alone, then subtract the matching documents that
            # are scheduled for later: WHERE visible_from > now (few rows, hence partial).
            models.Index(
                fields=["visible_from"],
                name="searchdocument_scheduled",
                condition=models.Q(visible_from__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title}"
