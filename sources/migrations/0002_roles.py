"""编辑 and 主编 use the 素材库."""

from django.db import migrations

from core.roles import sync_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0001_initial"),
        ("issues", "0005_roles_editors_create_issues"),
    ]

    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
