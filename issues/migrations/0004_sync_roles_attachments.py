"""编辑 and 主编 may manage article attachments."""

from django.db import migrations

from core.roles import sync_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0003_historicalissue_historicalsection"),
        ("articles", "0005_attachment"),
    ]

    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
