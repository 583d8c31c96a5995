from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = "期刊"

    def ready(self) -> None:
        # Rebuild an issue's stored PDF when something printed in it changes.
        from issues.pdf import signals

        signals.connect()
