from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "产教融合共同体"

    def ready(self) -> None:
        from communities import signals  # noqa: F401  (keeps the stored mentions current)
