import secrets

from django.db import migrations, models
from django.utils import timezone


def create_token(apps, schema_editor):
    ContentGeneration = apps.get_model("zhijiao", "ContentGeneration")
    ContentGeneration.objects.create(pk=1, token=secrets.token_hex(16), changed_at=timezone.now())


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ContentGeneration",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=32, verbose_name="版本标记")),
                ("changed_at", models.DateTimeField(verbose_name="变更时间")),
            ],
            options={"verbose_name": "内容版本", "verbose_name_plural": "内容版本"},
        ),
        migrations.RunPython(create_token, migrations.RunPython.noop),
    ]
