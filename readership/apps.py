from django.apps import AppConfig


class ReadershipConfig(AppConfig):
    name = "readership"
    verbose_name = "阅读统计"
    default_auto_field = "django.db.models.BigAutoField"
