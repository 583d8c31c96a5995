"""编辑 and 主编 may read the 阅读统计 (core/roles.py lists it)."""

from django.db import migrations

from core.roles import sync_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("readership", "0001_initial"),
        ("sources", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
