import json as jsonlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sources.errors import SourceError


class Command(BaseCommand):
    help = "读入一份素材（.txt/.md/.docx/.pdf）到素材库：其中的候选文章供摘编到期刊。"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只显示读出的内容，不写入")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出读出的内容")

    def handle(self, *args, path: Path, dry_run: bool, **options):
        as_json_output = options["json"]
        from sources.library import read_document, store_document

        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: 无法读取文件（{exc.strerror}）") from None
        try:
            text, doc = read_document(data=data, filename=path.name)
        except SourceError as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        if as_json_output:
            self.stdout.write(_dumps(as_json(doc)))
        else:
            self.stdout.write(describe(doc))
        if not dry_run:
            document = store_document(text=text, doc=doc, original_name=path.name)
            if not as_json_output:
                self.stdout.write(f"已存入素材库：{document}（{len(doc.articles)} 篇候选文章）")


def _dumps(value) -> str:
    return jsonlib.dumps(value, ensure_ascii=False, indent=2)


def as_json(doc) -> dict:
    return {
        "document": {
            "kind": doc.kind,
            "title": doc.title,
            "publisher": doc.publisher,
            "date": doc.date,
            "editors_note": doc.editors_note,
        },
        "articles": [
            {
                "column": a.column,
                "title": a.title,
                "subtitle": a.subtitle,
                "source": a.source,
                "source_date": a.source_date,
                "compiled_by": a.compiled_by,
                "author": a.author,
                "paragraphs": a.paragraphs,
                "body_html": a.body_html,
            }
            for a in doc.articles
        ],
    }


def describe(doc) -> str:
    lines = [f"{doc.title or '（无标题）'}  {doc.publisher or ''}  {doc.date or ''}".rstrip()]
    column = None
    for a in doc.articles:
        if a.column != column:
            column = a.column
            lines.append(f"【{column}】" if column else "")
        where = "，".join(x for x in (a.source, a.source_date) if x)
        lines.append(
            f"  {a.title}"
            + (f"（{where}）" if where else "")
            + f"  {sum(map(len, a.paragraphs))} 字"
        )
    return "\n".join(lines)
