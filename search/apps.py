from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "全文检索"

    def ready(self) -> None:
        from search import checks  # noqa: F401  (the index exists and is complete)
