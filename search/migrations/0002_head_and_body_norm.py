"""Ranking in tiers (title, then source and tags, then the rest; search/backends/ranking.py): the
normalised text is in two columns, everything but the body (short, in parts) and the body (the
layout is in search/models.py).

The rows change layout (either way): they are derived data, so they are emptied here and
`rebuild_search_index` writes them again (the system check says so while the index is empty).
SQLite renames the columns in place (no table rebuild, so the FTS5 triggers stay).

PostgreSQL keeps the bodies out of line uncompressed: the ranking reads the bodies of the matches
on a page's tiers, and decompressing them cost more than reading them.
"""

from django.db import migrations

DOCS = "articles_searchdocument"


def _set_storage(schema_editor, storage):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {DOCS} ALTER COLUMN body_norm SET STORAGE {storage}")


def forwards(apps, schema_editor):
    schema_editor.execute(f"DELETE FROM {DOCS}")
    _set_storage(schema_editor, "EXTERNAL")


def backwards(apps, schema_editor):
    schema_editor.execute(f"DELETE FROM {DOCS}")
    _set_storage(schema_editor, "EXTENDED")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(
            model_name="searchdocument",
            old_name="title_norm",
            new_name="head_norm",
        ),
        migrations.RenameField(
            model_name="searchdocument",
            old_name="norm",
            new_name="body_norm",
        ),
        migrations.RunPython(forwards, backwards),
    ]
