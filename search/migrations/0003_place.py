"""The 地区 facet (``place``), and the 来源 facet as 栏目与来源 names sources: the outlet label, else
the 信息来源 line (up to 300 characters, as the article's field), never a topic or place label.

The rows' facet values change: they are derived data, so they are emptied here and
`rebuild_search_index` writes them again (`make migrate` does it; the system check says so while
the index is empty).

On SQLite the (emptied) table is made anew in the order of the fields in the migration state,
where 0002's renames had moved ``head_norm`` and ``body_norm`` last and where a rebuild by Django
would put the new and altered columns last too: the state is put in the order of search/models.py
first (short columns first, as it says they must be), then the table made from it, with the
triggers that keep the FTS5 table in step (articles.0002). PostgreSQL keeps the short columns in
line (articles.0003); changing a column's type resets that, so it is set again.
"""

from django.db import migrations, models

import search.models

DOCS = "articles_searchdocument"
FTS = "articles_searchindex"
COLUMNS = "tok_title, tok_meta, tok_body, tok_sub"
NEW = ", ".join(f"new.{c}" for c in COLUMNS.split(", "))
OLD = ", ".join(f"old.{c}" for c in COLUMNS.split(", "))
TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_ai AFTER INSERT ON {DOCS} BEGIN
        INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, {NEW});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_ad AFTER DELETE ON {DOCS} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_au AFTER UPDATE OF {COLUMNS} ON {DOCS} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD});
        INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, {NEW});
    END""",
]
#: The long fields, in the order they follow ``head_norm`` (search/models.py).
LONG = [
    ("text", models.TextField(blank=True)),
    ("body_norm", models.TextField(blank=True)),
    ("tok_title", models.TextField(blank=True)),
    ("tok_meta", models.TextField(blank=True)),
    ("tok_body", models.TextField(blank=True)),
    ("tok_sub", models.TextField(blank=True)),
    ("vector", search.models.TokenVectorField(blank=True, null=True)),
    ("title_vector", search.models.TokenVectorField(blank=True, null=True)),
]


def _empty(apps, schema_editor):
    schema_editor.execute(f"DELETE FROM {DOCS}")


def _rebuild(apps, schema_editor):
    """The table as the state now has it: on SQLite made anew (it is empty) in the state's field
    order, with its triggers; on PostgreSQL the new column added and ``source`` widened."""
    vendor = schema_editor.connection.vendor
    model = apps.get_model("search", "SearchDocument")
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE {DOCS}")  # and its triggers
        schema_editor.create_model(model)
        for sql in TRIGGERS:
            schema_editor.execute(sql)
    elif vendor == "postgresql":
        schema_editor.add_field(model, model._meta.get_field("place"))
        schema_editor.execute(f"ALTER TABLE {DOCS} ALTER COLUMN source TYPE varchar(300)")
        # A new type resets the storage: the short columns stay in line (articles.0003).
        for column in ("source", "place"):
            schema_editor.execute(f"ALTER TABLE {DOCS} ALTER COLUMN {column} SET STORAGE MAIN")


def _unbuild(apps, schema_editor):
    schema_editor.execute(f"DELETE FROM {DOCS}")
    schema_editor.execute(f"ALTER TABLE {DOCS} DROP COLUMN place")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {DOCS} ALTER COLUMN source TYPE varchar(100)")
        schema_editor.execute(f"ALTER TABLE {DOCS} ALTER COLUMN source SET STORAGE MAIN")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_head_and_body_norm"),
    ]

    operations = [
        migrations.RunPython(_empty, migrations.RunPython.noop),
        # The state only: the table is made to match it below.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="searchdocument",
                    name="place",
                    field=models.CharField(blank=True, max_length=100),
                ),
                migrations.AlterField(
                    model_name="searchdocument",
                    name="source",
                    field=models.CharField(blank=True, max_length=300),
                ),
                *(migrations.RemoveField("searchdocument", name) for name, _ in LONG),
                *(migrations.AddField("searchdocument", name, field) for name, field in LONG),
            ],
        ),
        migrations.RunPython(_rebuild, _unbuild),
    ]
