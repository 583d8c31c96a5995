"""编辑 create draft issues; the groups hold exactly what core/roles.py lists."""

from django.db import migrations

from core.roles import sync_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0004_sync_roles_attachments"),
        ("communities", "0003_historicalcommunity_historicalorganization"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
