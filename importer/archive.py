"""Open a zip archive from an untrusted upload (a .docx) without letting it explode.

Pure Python, no Django; reusable by any reader of Office Open XML files. Two layers:

* :func:`check_archive` refuses from the central directory alone, before anything is
  decompressed: too many members, a member or the whole declared larger than the limits, a
  compression ratio no document has, encryption, compression methods other than stored and
  deflate (bzip2 and lzma cannot be decompressed in bounded steps), names given twice.
* :func:`read_member` decompresses through a bounded stream, a chunk at a time, so that a
  header that lies about a member's size costs at most one chunk beyond the limit.
  (``ZipFile.read`` would hand all of a member's compressed bytes to zlib at once: a 1 MB member
  declared as 1 KB still inflates to 1 GB in memory before it is cut.)

``open_safe_zip`` does both for bytes in memory; ``read_members`` reads every member.
Refusals are :class:`UnsafeArchive`, one line of Chinese, an :class:`ImportFormatError`.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from importer.errors import ImportFormatError

MiB = 1024 * 1024
_CHUNK = 64 * 1024
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 1000  # a Word document has 10–30, a few hundred with many images
    max_member_bytes: int = 32 * MiB  # the document.xml of a 165-page issue is under 5 MiB
    max_total_bytes: int = 64 * MiB
    max_ratio: int = 100  # Word's XML deflates 3–30 times; a bomb 1000 times
    ratio_from_bytes: int = 1 * MiB  # smaller members may deflate as well as they like
    kind: str = ".docx"  # named in the messages ("请另存为普通 .docx 后再试")


DOCX_LIMITS = ArchiveLimits()


class UnsafeArchive(ImportFormatError):
    """The archive is refused: damaged, or built to exhaust memory (a zip bomb)."""


def shown_name(name: str) -> str:
    """A member's name fit for a one-line message: no control characters, not too long."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in name)
    return cleaned if len(cleaned) <= 60 else cleaned[:57] + "…"


def _mb(size: int) -> str:
    return f"{size / MiB:.1f} MB" if size < 1024 * MiB else f"{size / (1024 * MiB):.1f} GB"


def _bomb(what: str, limits: ArchiveLimits) -> UnsafeArchive:
    return UnsafeArchive(f"{what}，可能已损坏或是压缩炸弹；请另存为普通 {limits.kind} 后再试。")


def _declared_members(data: bytes) -> int | None:
    """The member count in the end-of-central-directory record, read before ``ZipFile`` builds
    an object for each of them; None if there is no such record or it defers to ZIP64."""
    tail = data[-(0xFFFF + _EOCD_SIZE) :]
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return None
    (count,) = struct.unpack_from("<H", tail, at + 10)
    return None if count == 0xFFFF else count


def check_archive(archive: zipfile.ZipFile, *, limits: ArchiveLimits = DOCX_LIMITS) -> None:
    """Refuse ``archive`` from its central directory (nothing is decompressed)."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise _bomb(f"文件中的条目过多（{len(infos)} 个，上限 {limits.max_members} 个）", limits)
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = shown_name(info.filename)
        if info.filename in seen:
            raise _bomb(f"文件中有两个同名的条目（{name}）", limits)
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise UnsafeArchive(f"文件已加密（{name}）：请去掉密码，另存为 {limits.kind} 后再试。")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsafeArchive(
                f"文件中的 {name} 使用了不支持的压缩方式（{info.compress_type}）；"
                f"请另存为普通 {limits.kind} 后再试。"
            )
        if info.file_size > limits.max_member_bytes:
            raise _bomb(
                f"文件解压后过大（{name} 为 {_mb(info.file_size)}，"
                f"上限 {_mb(limits.max_member_bytes)}）",
                limits,
            )
        if info.file_size > limits.ratio_from_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise _bomb(
                    f"文件的压缩比异常（{name} 压缩了 {ratio:.0f} 倍，上限 {limits.max_ratio} 倍）",
                    limits,
                )
        total += info.file_size
        if total > limits.max_total_bytes:
            raise _bomb(
                f"文件解压后过大（共 {_mb(total)} 以上，上限 {_mb(limits.max_total_bytes)}）",
                limits,
            )


def open_safe_zip(data: bytes, *, limits: ArchiveLimits = DOCX_LIMITS) -> zipfile.ZipFile:
    """A ``ZipFile`` over ``data`` that passed :func:`check_archive`; read it with
    :func:`read_member`, never with ``ZipFile.read``."""
    count = _declared_members(data)
    if count is not None and count > limits.max_members:
        raise _bomb(f"文件中的条目过多（{count} 个，上限 {limits.max_members} 个）", limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise UnsafeArchive(
            f"文件不是有效的 {limits.kind}（不是 zip 压缩包，或已损坏）；"
            f"请在 Word 中另存为 {limits.kind} 后再试。"
        ) from None
    try:
        check_archive(archive, limits=limits)
        for info in archive.infolist():
            # A compressed size beyond the file would also pass any ratio.
            if info.compress_size > len(data):
                raise UnsafeArchive(
                    f"文件已损坏（{shown_name(info.filename)} 声明的压缩大小超出了文件本身）；"
                    f"请另存为普通 {limits.kind} 后再试。"
                )
    except UnsafeArchive:
        archive.close()
        raise
    return archive


def read_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    *,
    limits: ArchiveLimits = DOCX_LIMITS,
    budget: int | None = None,
) -> bytes:
    """The member's bytes, decompressed a chunk at a time and never more than its declared size,
    ``limits.max_member_bytes`` or ``budget`` (what the caller still allows in total)."""
    allowed = min(info.file_size, limits.max_member_bytes)
    if budget is not None:
        allowed = min(allowed, budget)
    name = shown_name(info.filename)
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > allowed:
                    raise _bomb(
                        f"文件中的 {name} 解压后超过声明的大小或上限（{_mb(allowed)}）", limits
                    )
                chunks.append(chunk)
    except UnsafeArchive:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError):
        # zipfile stops at the declared size and then finds the CRC wrong: a lying header
        # ends here too, after one chunk.
        raise UnsafeArchive(
            f"文件已损坏（{name} 无法解压或校验不符）；请另存为普通 {limits.kind} 后再试。"
        ) from None
    return b"".join(chunks)


def read_members(
    archive: zipfile.ZipFile, *, limits: ArchiveLimits = DOCX_LIMITS
) -> dict[str, bytes]:
    """Every member by name, through :func:`read_member`, the total kept within the limit."""
    members: dict[str, bytes] = {}
    left = limits.max_total_bytes
    for info in archive.infolist():
        if info.is_dir():
            continue
        data = read_member(archive, info, limits=limits, budget=left)
        left -= len(data)
        members[info.filename] = data
    return members
