from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhijiao.backup import (
    BackupError,
    backup_storage,
    create_backup,
    describe,
    list_backups,
    store_backup,
)


class Command(BaseCommand):
    help = (
        "备份数据库与媒体文件到一个带日期的归档（SQLite 在线备份或 pg_dump）："
        "配置了对象存储时存入其 backups/，否则存入 var/backups。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="a local folder (default: the bucket's backups/ if one is set, else var/backups)",
        )
        parser.add_argument(
            "--list", dest="list_only", action="store_true", help="list the archives in the bucket"
        )

    def handle(self, *args, dir: Path | None, list_only: bool, **options):
        target = backup_storage() if dir is None else None
        try:
            if list_only:
                if target is None:
                    raise CommandError("--list: no bucket configured (archives are in var/backups)")
                for name in list_backups(target):
                    self.stdout.write(describe(target, name))
                return
            if target is not None:
                self.stdout.write(describe(target, store_backup(target=target)))
                return
            archive = create_backup(directory=dir or Path(settings.VAR_DIR) / "backups")
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(archive))
