"""The related lists' own token (row 3 of zhijiao_contentgeneration, settings.ZHIJIAO_KEPT_PARTS):
each process keeps the lists it read under it (articles/related.py)."""

import secrets

from django.db import migrations
from django.utils import timezone

RELATED_ROW = 3


def create_token(apps, schema_editor):
    ContentGeneration = apps.get_model("core", "ContentGeneration")
    ContentGeneration.objects.get_or_create(
        pk=RELATED_ROW, defaults={"token": secrets.token_hex(16), "changed_at": timezone.now()}
    )


def drop_token(apps, schema_editor):
    apps.get_model("core", "ContentGeneration").objects.filter(pk=RELATED_ROW).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_registry_token"),
    ]

    operations = [
        migrations.RunPython(create_token, drop_token),
    ]
