"""Create the groups 编辑 (edit content) and 主编 (edit and publish) with their permissions."""

from django.db import migrations

from core.roles import ROLE_PERMISSIONS, sync_role_permissions


def create_groups(apps, schema_editor):
    sync_role_permissions(apps, schema_editor)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0001_initial"),
        ("articles", "0001_initial"),
        ("communities", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
