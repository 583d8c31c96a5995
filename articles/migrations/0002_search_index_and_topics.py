"""The search index (one table, indexed per database) and the topic vocabulary.

SQLite: an FTS5 external-content table over the token columns, kept in step by triggers, so every
ORM write to articles_searchdocument (bulk ones included) updates the full-text index in the same
transaction. PostgreSQL: a GIN index on the tsvector column. See search/backends/.
"""

import json
from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

import search.models

FTS = "articles_searchindex"
DOCS = "articles_searchdocument"
COLUMNS = "tok_title, tok_meta, tok_body, tok_sub"
NEW = ", ".join(f"new.{c}" for c in COLUMNS.split(", "))
OLD = ", ".join(f"old.{c}" for c in COLUMNS.split(", "))

SQLITE_CREATE = [
    # remove_diacritics 0: the tokens are already normalised, and folding é to e in the index but
    # not in the substring check would make exact one-token queries inexact. prefix='1' makes
    # one-character prefix queries (家*) an index lookup.
    f"""CREATE VIRTUAL TABLE {FTS} USING fts5({COLUMNS}, content='{DOCS}', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0', prefix='1')""",
    f"""CREATE TRIGGER {FTS}_ai AFTER INSERT ON {DOCS} BEGIN
        INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, {NEW});
    END""",
    f"""CREATE TRIGGER {FTS}_ad AFTER DELETE ON {DOCS} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD});
    END""",
    f"""CREATE TRIGGER {FTS}_au AFTER UPDATE OF {COLUMNS} ON {DOCS} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD});
        INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, {NEW});
    END""",
    # Rows written before the table existed (none on a fresh database).
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"DROP TABLE IF EXISTS {FTS}",
]
# Search: vector @@ query (the GIN index finds the candidates).
POSTGRES_CREATE = [f"CREATE INDEX articles_searchdocument_vector_gin ON {DOCS} USING gin (vector)"]
POSTGRES_DROP = ["DROP INDEX IF EXISTS articles_searchdocument_vector_gin"]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


def load_topics(apps, schema_editor):
    # Read here rather than through articles.topics: a migration must not depend on code that
    # changes later.
    path = Path(__file__).resolve().parent.parent / "data" / "topics.json"
    topics = json.loads(path.read_text(encoding="utf-8"))["topics"]
    Topic = apps.get_model("articles", "Topic")
    existing = set(Topic.objects.values_list("name", flat=True))
    Topic.objects.bulk_create(
        Topic(name=t["name"], aliases="、".join(t.get("aliases", ())))
        for t in topics
        if t["name"] not in existing
    )


def unload_topics(apps, schema_editor):
    pass  # the table goes away with the model


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Topic",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="也是建议标签的名称",
                        max_length=50,
                        unique=True,
                        verbose_name="主题词",
                    ),
                ),
                (
                    "aliases",
                    models.CharField(
                        blank=True,
                        help_text="出现这些说法也算该主题，用、或逗号分隔",
                        max_length=300,
                        verbose_name="同义说法",
                    ),
                ),
                ("active", models.BooleanField(default=True, verbose_name="启用")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
            ],
            options={
                "verbose_name": "主题词",
                "verbose_name_plural": "主题词",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("article", "文章"),
                            ("community", "共同体"),
                            ("organization", "单位"),
                        ],
                        max_length=20,
                        verbose_name="类型",
                    ),
                ),
                ("object_id", models.PositiveBigIntegerField(verbose_name="对象 ID")),
                ("visible_from", models.DateTimeField(blank=True, null=True)),
                ("issue_year", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("issue_number", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("number", models.CharField(blank=True, max_length=20)),
                ("section", models.CharField(blank=True, max_length=200)),
                ("source", models.CharField(blank=True, max_length=100)),
                ("tags", models.JSONField(blank=True, default=list)),
                ("title", models.TextField()),
                ("location", models.TextField(blank=True)),
                ("title_norm", models.TextField(blank=True)),
                ("text", models.TextField(blank=True)),
                ("norm", models.TextField(blank=True)),
                ("tok_title", models.TextField(blank=True)),
                ("tok_meta", models.TextField(blank=True)),
                ("tok_body", models.TextField(blank=True)),
                ("tok_sub", models.TextField(blank=True)),
                ("vector", search.models.TokenVectorField(blank=True, null=True)),
            ],
            options={
                "verbose_name": "检索索引条目",
                "verbose_name_plural": "检索索引",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "object_id"), name="searchdocument_object"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="TopicSuggestion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="topic_suggestions",
                        to="articles.article",
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="suggestions",
                        to="articles.topic",
                    ),
                ),
            ],
            options={
                "verbose_name": "主题建议",
                "verbose_name_plural": "主题建议",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("article", "topic"), name="topicsuggestion_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(load_topics, unload_topics),
    ]
