"""The 地区 facet (``place``), and the 来源 facet as 栏目与来源 lists it: the outlet label, else the
信息来源 line (up to 300 characters, as the article's field), never a topic or place label.

The rows' facet values change: they are derived data, so they are emptied here and
`rebuild_search_index` writes them again (`make migrate` does it; the system check says so while
the index is empty). Adding the column rebuilds the table on SQLite, which drops the triggers that
keep the FTS5 table in step (articles.0002): they are created again here, as there.
"""

from django.db import migrations, models

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


# Each way: emptied before the table is rebuilt (the triggers take the rows out of the FTS5 table
# too), the triggers created again after it.
def _empty(apps, schema_editor):
    schema_editor.execute(f"DELETE FROM {DOCS}")


def _triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in TRIGGERS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_head_and_body_norm"),
    ]

    operations = [
        migrations.RunPython(_empty, _triggers),
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
        migrations.RunPython(_triggers, _empty),
    ]
