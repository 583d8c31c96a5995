from contextlib import nullcontext
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core import kept
from core.pagecache import retire_pages
from zhijiao.backup import (
    BackupError,
    backup_storage,
    check_backup,
    fetched_backup,
    restore_backup,
)


class Command(BaseCommand):
    help = (
        "从 make backup 生成的归档恢复数据库与媒体文件（覆盖现有数据）：本机文件，或对象存储 "
        "backups/ 中的归档名。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "archive", help="a local file, or an archive in the bucket as `backup` printed it"
        )

    def handle(self, *args, archive: str, **options):
        local = Path(archive)
        target = backup_storage()
        if not local.is_file() and target is None:
            raise CommandError(f"{archive}: 文件不存在")
        try:
            source = nullcontext(local) if local.is_file() else fetched_backup(target, archive)
            with source as path:
                check_backup(path, vendor=connection.vendor)
                connection.close()  # the restore replaces the database under this connection
                manifest = restore_backup(
                    archive=path,
                    database=connection.settings_dict,
                    vendor=connection.vendor,
                    storage=default_storage,
                )
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        # A backup made by an older version gets this version's tables. Then a new content token:
        # the restored one may be a token that running processes still keep pages under, pages
        # rendered from content that is no longer there (so too the kept parts' tokens).
        call_command("migrate", verbosity=0)
        kept.retire_all()
        retire_pages()
        self.stdout.write(f"已恢复 {manifest['created']} 的备份：{manifest['counts']}")
