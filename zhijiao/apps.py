from django.apps import AppConfig


class ZhijiaoConfig(AppConfig):
    name = "zhijiao"
    verbose_name = "职教通讯"

    def ready(self) -> None:
        from zhijiao import checks  # noqa: F401  (registers the system checks)
