from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "文章"

    def ready(self) -> None:
        # Keep the search index and topic tags current on every save/delete; check the index exists.
        from articles.search import checks, signals  # noqa: F401
