"""The importer's trust boundary: every reader of a file format, fed hostile files.

Readers: ``.txt``/``.md`` (:func:`importer.parse.decode_issue_bytes`) and ``.docx``
(:mod:`importer.archive`, :mod:`importer.docx`), both behind
:func:`importer.files.issue_text`, which the command and the admin upload call. Every
hostile file ends in one line of Chinese (an :class:`ImportFormatError`; a ``CommandError`` or
a form error further out), quickly and in little memory, and nothing is written.
"""

from __future__ import annotations

import io
import random
import re
import struct
import tracemalloc
import zipfile

import pytest

from importer.errors import ImportFormatError
from importer.files import issue_text
from importer.parse import parse_issue
from tests.importer.hostile import (
    SMALL,
    W_NS,
    Member,
    MiB,
    document_xml,
    docx_file,
    issue_docx,
    line_of,
    member,
    paragraph,
    raw_zip,
    small_with,
    spaces_member,
)
from tests.work import steps

_CJK = re.compile(r"[\u4e00-\u9fff]")
BODY_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<w:document xmlns:w="' + W_NS.encode()
BODY_HEAD += b'"><w:body><w:p><w:r><w:t xml:space="preserve">'
BODY_TAIL = b"</w:t></w:r></w:p></w:body></w:document>"


def one_line_chinese(error: BaseException | str) -> str:
    message = str(error)
    assert message and "\n" not in message and "\r" not in message, message
    assert _CJK.search(message), message
    assert "Traceback" not in message
    return message


def refused(data: bytes, filename: str = "hostile.docx") -> str:
    """The one-line message ``issue_text`` (then the parser) refuses the file with."""
    with pytest.raises(ImportFormatError) as info:
        parse_issue(issue_text(data, filename=filename))
    return one_line_chinese(info.value)


class Inflated:
    """The bytes zlib inflates for zipfile, and the parts python-docx is handed, for the rest of
    the test: a refusal "before anything is decompressed" is 0 bytes and 0 parts, whatever the
    load (no timed tests). Decompression runs in C, no line of Python a line count would see."""

    def __init__(self, monkeypatch) -> None:
        import zipfile as zipfile_module

        from importer import docx as docx_module

        self.bytes, self.parsed = 0, 0
        make, body = zipfile_module._get_decompressor, docx_module._body
        meter = self

        class Counting:
            def __init__(self, decompressor) -> None:
                self._decompressor = decompressor

            def __getattr__(self, name):
                return getattr(self._decompressor, name)

            def decompress(self, *args, **kwargs):
                data = self._decompressor.decompress(*args, **kwargs)
                meter.bytes += len(data)
                return data

        def counted(compress_type):
            decompressor = make(compress_type)
            return decompressor if decompressor is None else Counting(decompressor)

        def parsed(package):
            self.parsed += 1
            return body(package)

        monkeypatch.setattr(zipfile_module, "_get_decompressor", counted)
        monkeypatch.setattr(docx_module, "_body", parsed)


def honest_work() -> int:
    """The lines of Python run to read the small honest issue from a .docx."""
    data = issue_docx()
    return steps(lambda: parse_issue(issue_text(data, filename="x.docx")))


def refusal_work(data: bytes, honest: int) -> int:
    """The lines of Python run to refuse ``data``: stopped (TooMuchWork) past ``honest``, those
    of reading the small honest issue, which a refusal must stay under."""
    work = steps(refused, data, limit=honest)
    assert work < honest
    return work


# --- the hostile files ---------------------------------------------------------------------------


def bomb() -> bytes:
    """1 GiB of spaces inside a paragraph of word/document.xml: a 1 MB file."""
    return docx_file(spaces_member("word/document.xml", 1024 * MiB, head=BODY_HEAD, tail=BODY_TAIL))


def lying_bomb(size: int = 256 * MiB) -> bytes:
    """A document.xml whose headers say 1000 bytes and which inflates to ``size``."""
    return docx_file(
        spaces_member("word/document.xml", size, head=BODY_HEAD, tail=BODY_TAIL, declared=1000)
    )


def ratio_bomb() -> bytes:
    """16 MiB of spaces, honestly declared (under the size limit), deflated 1000 times."""
    return docx_file(spaces_member("word/document.xml", 16 * MiB, head=BODY_HEAD, tail=BODY_TAIL))


def many_members(count: int = 1500) -> bytes:
    extra = tuple(member(f"customXml/junk{i}.xml", b"<a/>") for i in range(count))
    return docx_file(issue_docx_xml(), extra=extra)


def issue_docx_xml(text: str = SMALL) -> bytes:
    return document_xml("".join(paragraph(line) for line in text.splitlines()))


LAUGHS = (
    '<!DOCTYPE w:document [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10)
    )
    + "]>"
)


def billion_laughs() -> bytes:
    return docx_file(document_xml("<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", doctype=LAUGHS))


def external_entity(path: str) -> bytes:
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{path}">]>'
    return docx_file(document_xml("<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>", doctype=doctype))


def entity_in_body() -> bytes:
    """An entity reference straight in w:body (python-docx leaves it unresolved: a node whose
    tag is not a string)."""
    doctype = '<!DOCTYPE w:document [<!ENTITY e "目录">]>'
    return docx_file(document_xml("&e;" + issue_docx_xml_body(), doctype=doctype))


def issue_docx_xml_body(text: str = SMALL) -> str:
    return "".join(paragraph(line) for line in text.splitlines())


def truncated() -> bytes:
    data = issue_docx()
    return data[: len(data) // 2]


def corrupt_deflate() -> bytes:
    """The central directory intact, the deflate data of document.xml garbled."""
    xml = issue_docx_xml()
    good = member("word/document.xml", xml)
    raw = bytearray(good.raw)
    for i in range(10, len(raw), 7):
        raw[i] ^= 0x5A
    return docx_file(Member(good.name, bytes(raw), good.crc, good.size))


def malformed_xml() -> bytes:
    return docx_file(issue_docx_xml()[:-30])


def without_document() -> bytes:
    return docx_file(issue_docx_xml(), without=("word/document.xml",))


def without_body() -> bytes:
    return docx_file(f'<w:document xmlns:w="{W_NS}"/>'.encode())


def huge_toc_line() -> str:
    return small_with("1.1.2 职业教育的新进展 .....\t2", "1.1.2 职业教育" + " ." * 50_000 + "\t2")


TEXT_FILES = {
    "empty.txt": b"",
    "blank.md": b" \n\t\n",
    "bom-only.txt": b"\xef\xbb\xbf",
    "gbk.txt": SMALL.encode("gbk"),
    "utf16.txt": SMALL.encode("utf-16"),
    "binary.txt": bytes(range(256)) * 8,
    "nul.md": SMALL.encode()[:200] + b"\x00" + SMALL.encode()[200:],
    "zip-as.txt": b"",  # filled below: a .docx renamed .txt
    "huge-line.txt": huge_toc_line().encode(),
}
TEXT_FILES["zip-as.txt"] = issue_docx()

DOCX_FILES = {
    "bomb.docx": bomb,
    "lying.docx": lambda: lying_bomb(64 * MiB),
    "ratio.docx": ratio_bomb,
    "members.docx": many_members,
    "laughs.docx": billion_laughs,
    "entity.docx": entity_in_body,
    "renamed.docx": lambda: b"%PDF-1.7\n" + SMALL.encode(),
    "text.docx": lambda: SMALL.encode(),
    "empty.docx": lambda: b"",
    "truncated.docx": truncated,
    "corrupt.docx": corrupt_deflate,
    "malformed.docx": malformed_xml,
    "no-document.docx": without_document,
    "no-body.docx": without_body,
    "huge-line.docx": lambda: issue_docx(huge_toc_line()),
}


# --- text files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("filename", sorted(TEXT_FILES))
def test_hostile_text_file_gets_one_line(filename):
    message = refused(TEXT_FILES[filename], filename)
    if filename.startswith(("gbk", "utf16", "binary", "nul")):
        assert "UTF-8" in message
    if filename == "huge-line.txt":
        line = line_of(huge_toc_line(), "1.1.2 职业教育 .")
        assert message.startswith(f"第 {line} 行：") and "太长" in message


def test_small_issue_reads_as_text_and_as_docx():
    assert parse_issue(issue_text(SMALL.encode(), filename="x.md")).articles
    doc = parse_issue(issue_text(issue_docx(), filename="x.docx"))
    assert [a.number for a in doc.articles] == ["1.1.1", "1.1.2"]


# --- .docx: the archive --------------------------------------------------------------------------


def test_zip_bomb_is_refused_before_anything_is_decompressed(monkeypatch):
    data = bomb()
    assert len(data) < 2 * MiB
    honest = honest_work()
    inflated = Inflated(monkeypatch)
    refusal_work(data, honest)  # less than reading the small honest issue
    assert (inflated.bytes, inflated.parsed) == (0, 0)
    honest_work()
    assert inflated.bytes > 0 and inflated.parsed == 1  # the meter sees an honest file's reading
    message = refused(data)
    assert "压缩炸弹" in message and "word/document.xml" in message and "1.0 GB" in message


def test_a_size_that_lies_is_caught_while_decompressing_in_little_memory():
    import docx  # noqa: F401  (imported before measuring)

    data = lying_bomb(256 * MiB)
    tracemalloc.start()
    try:
        message = refused(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * MiB, f"{peak / MiB:.0f} MiB"
    assert "word/document.xml" in message and "损坏" in message


def test_a_compression_ratio_no_document_has_is_refused():
    message = refused(ratio_bomb())
    assert "压缩比" in message and "word/document.xml" in message


def test_too_many_members_are_refused(monkeypatch):
    """Refused from the member count, nothing read: 4 times the members, under 6 times the work
    (linear is 4, a member compared with every other one 16)."""
    honest = honest_work()
    inflated = Inflated(monkeypatch)
    few, many = refusal_work(many_members(), honest), refusal_work(many_members(6000), honest)
    assert many / few < 6, f"4 times the members, {many / few:.1f} times the work"
    assert (inflated.bytes, inflated.parsed) == (0, 0)
    message = refused(many_members())
    assert "条目过多" in message and "1517" in message


def test_check_archive_alone_with_smaller_limits():
    """The reusable check, as another reader of Office files would call it."""
    from importer.archive import (
        ArchiveLimits,
        UnsafeArchive,
        check_archive,
        open_safe_zip,
        read_member,
        read_members,
    )

    data = docx_file(issue_docx_xml())
    with open_safe_zip(data) as archive:
        members = read_members(archive)
    assert set(members) >= {"word/document.xml", "[Content_Types].xml"}

    tight = ArchiveLimits(max_members=3, kind=".xlsx")
    with pytest.raises(UnsafeArchive, match=r"条目过多.*\.xlsx"):
        open_safe_zip(data, limits=tight)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        with pytest.raises(UnsafeArchive, match="条目过多"):
            check_archive(archive, limits=tight)
        with pytest.raises(UnsafeArchive, match=r"共 .* 以上"):
            check_archive(archive, limits=ArchiveLimits(max_total_bytes=20_000))
        info = archive.getinfo("word/document.xml")
        with pytest.raises(UnsafeArchive, match="超过声明的大小或上限"):
            read_member(archive, info, budget=100)
        assert read_member(archive, info) == issue_docx_xml()

    small = zipfile.ZipFile(io.BytesIO(raw_zip([member("a.xml", b"x" * 2000)])))
    with small, pytest.raises(UnsafeArchive, match=r"a\.xml 为 0\.0 MB，上限 0\.0 MB"):
        check_archive(small, limits=ArchiveLimits(max_member_bytes=1000))

    for hostile, pattern in [
        (Member("a.xml", b"x", 0, 1, flags=0x1), "已加密"),
        (member("a.xml", b"<a/>", method=zipfile.ZIP_BZIP2), "不支持的压缩方式"),
    ]:
        with pytest.raises(UnsafeArchive, match=pattern) as info:
            open_safe_zip(raw_zip([hostile]))
        one_line_chinese(info.value)
    good = member("a.xml", b"x" * 4 * MiB)
    # 4 MiB declared from 4 GB of compressed data: an honest ratio, a size the file cannot hold
    tall = Member(good.name, good.raw, good.crc, good.size)
    data = raw_zip([tall])
    data = data.replace(struct.pack("<L", len(good.raw)), struct.pack("<L", 0xFFFFFFF0))
    with pytest.raises(UnsafeArchive, match="压缩大小超出了文件本身"):
        open_safe_zip(data)
    twice = raw_zip([member("a.xml", b"1"), member("a.xml", b"2")])
    with pytest.raises(UnsafeArchive, match="同名"):
        open_safe_zip(twice)
    # A name made to break the message onto two lines does not.
    with pytest.raises(UnsafeArchive) as info:
        open_safe_zip(raw_zip([spaces_member("a\nb.xml", 64 * MiB)]))
    assert "a?b.xml" in one_line_chinese(info.value)


# --- .docx: the XML ------------------------------------------------------------------------------


def test_billion_laughs_is_refused(monkeypatch):
    """Refused before any XML parser sees the DTD (whose expansion would run in C, where no line
    count sees it), in less work than reading the small honest issue."""
    honest = honest_work()
    inflated = Inflated(monkeypatch)
    refusal_work(billion_laughs(), honest)
    assert inflated.parsed == 0, "the XML was handed to python-docx"
    message = refused(billion_laughs())
    assert "DTD" in message


def test_an_external_entity_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-7f3a", encoding="utf-8")
    try:
        text = issue_text(external_entity(str(secret)), filename="x.docx")
    except ImportFormatError as error:
        assert "TOPSECRET" not in one_line_chinese(error)
    else:
        assert "TOPSECRET" not in text


def test_entity_comment_and_processing_instruction_nodes_are_skipped():
    from lxml import etree

    from importer.docx import body_lines

    xml = (
        f'<!DOCTYPE w:body [<!ENTITY e "x">]><w:body xmlns:w="{W_NS}">&e;<!-- c --><?pi x?>'
        "<w:p><w:r><w:t>甲</w:t>&e;<!-- c --><?pi y?><w:tab/><w:t>1</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><!-- c -->&e;<w:p><w:r><w:t>乙</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "</w:body>"
    )
    body = etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False))
    assert body_lines(body) == ["甲\t1", "乙"]


def test_comments_and_processing_instructions_in_a_docx_are_skipped():
    body = "<!-- 注释 --><?mso-application progid?>" + issue_docx_xml_body()
    doc = parse_issue(issue_text(docx_file(document_xml(body)), filename="x.docx"))
    assert [a.number for a in doc.articles] == ["1.1.1", "1.1.2"]


@pytest.mark.parametrize(
    "filename",
    [
        "entity.docx",
        "renamed.docx",
        "text.docx",
        "empty.docx",
        "truncated.docx",
        "corrupt.docx",
        "malformed.docx",
        "no-document.docx",
        "no-body.docx",
        "huge-line.docx",
    ],
)
def test_broken_docx_gets_one_line(filename):
    message = refused(DOCX_FILES[filename]())
    if filename == "huge-line.docx":
        assert "太长" in message


def test_random_damage_to_a_docx_gives_a_format_error_or_text():
    """Bytes of document.xml flipped or cut at random: never any other exception."""
    rng = random.Random(20241010)
    xml = issue_docx_xml()
    for attempt in range(40):
        damaged = bytearray(xml)
        if attempt % 3 == 0:
            damaged = damaged[: rng.randrange(len(damaged))]
        for _ in range(rng.randint(1, 5)):
            if damaged:
                damaged[rng.randrange(len(damaged))] = rng.choice(b"<>&;!/\"'x\x00\xff")
        try:
            parse_issue(issue_text(docx_file(bytes(damaged)), filename="x.docx"))
        except ImportFormatError as error:
            one_line_chinese(error)


# --- through the database: the command and the admin upload write nothing -----------------------


ALL_FILES = {**{n: (lambda d=d: d) for n, d in TEXT_FILES.items()}, **DOCX_FILES}


def _counts() -> tuple[int, int, int]:
    from articles.models import Article
    from communities.models import Community
    from issues.models import Issue

    return Issue.objects.count(), Article.objects.count(), Community.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize("filename", sorted(ALL_FILES))
def test_hostile_file_through_the_command_changes_nothing(tmp_path, filename):
    from django.core.management import CommandError, call_command

    path = tmp_path / filename
    path.write_bytes(ALL_FILES[filename]())
    before = _counts()
    with pytest.raises(CommandError) as info:
        call_command("import_issue", str(path), "--publish", "--replace")
    assert one_line_chinese(info.value).startswith(f"{filename}: ")
    assert _counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("filename", ["bomb.docx", "laughs.docx", "huge-line.txt", "gbk.txt"])
def test_hostile_upload_in_the_admin_shows_one_line_and_writes_nothing(chief_client, filename):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    upload = SimpleUploadedFile(filename, ALL_FILES[filename]())
    before = _counts()
    response = chief_client.post(reverse("admin:issues_issue_import"), {"file": upload})
    assert response.status_code == 200
    one_line_chinese(response.context["form"].errors["file"][0])
    assert _counts() == before


@pytest.mark.parametrize("brk", ["\x0b", "\x85", "\u2028", "\x1c"])
def test_a_message_quoting_the_file_stays_on_one_line(brk):
    """Characters other than \\n that end a line (str.splitlines, terminals) do not get into a
    message either: here the 目录's title of an appendix that the body lacks."""
    from communities.registry import RegistryError

    text = small_with("附录：全国（及省级）", f"附录：全{brk}国（及省级）")
    text = text.replace("## 附录：全国（及省级）", "## 全国（及省级）")
    with pytest.raises(ImportFormatError, match="在正文中找不到") as info:
        parse_issue(text)
    assert len(str(info.value).splitlines()) == 1
    assert len(str(RegistryError(f"无法识别的内容“甲{brk}乙”", 3)).splitlines()) == 1
