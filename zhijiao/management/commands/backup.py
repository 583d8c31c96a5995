from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhijiao.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库与媒体文件到一个带日期的归档（SQLite 在线备份或 pg_dump）。"

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=Path(settings.VAR_DIR) / "backups")

    def handle(self, *args, dir: Path, **options):
        try:
            archive = create_backup(directory=dir)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(archive))
