"""The registry's own token (row 2 of zhijiao_contentgeneration, settings.ZHIJIAO_KEPT_PARTS):
what derives from the registry alone is kept under it (core/kept.py)."""

import secrets

from django.db import migrations
from django.utils import timezone

REGISTRY_ROW = 2


def create_token(apps, schema_editor):
    ContentGeneration = apps.get_model("core", "ContentGeneration")
    ContentGeneration.objects.get_or_create(
        pk=REGISTRY_ROW, defaults={"token": secrets.token_hex(16), "changed_at": timezone.now()}
    )


def drop_token(apps, schema_editor):
    apps.get_model("core", "ContentGeneration").objects.filter(pk=REGISTRY_ROW).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_token, drop_token),
    ]
