"""PostgreSQL: the search's GIN indexes without a pending list (``fastupdate = off``).

With the pending list, rows written since the last VACUUM are kept unsorted beside the index and
every search reads all of them: right after an import (thousands of rows) a one-word search read
hundreds of index pages instead of a few, and took several times as long, until autovacuum came
round. The search table is written a few rows at a time by editors and rewritten only by imports,
so writing each row straight into the index costs little, and reading never pays for it.
"""

from django.db import migrations

INDEXES = ("articles_searchdocument_vector_gin", "articles_searchdocument_title_gin")


def _set(fastupdate: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for index in INDEXES:
            schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = {fastupdate})")
            if fastupdate == "off":
                # What the pending list already holds goes into the index now.
                schema_editor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_search_broad_queries"),
        ("search", "0003_place"),
    ]

    operations = [migrations.RunPython(_set("off"), _set("on"))]
