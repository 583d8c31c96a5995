from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "素材库"
    default_auto_field = "django.db.models.BigAutoField"
