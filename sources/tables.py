"""Tables in re-joined paragraphs (see :mod:`sources.lines`): which paragraphs are a table's rows.

Pure Python, no Django. Three shapes occur in the real material:

* **Tab-separated rows** (seed 002's appendix): one row a paragraph. A header repeated after a page
  break is dropped; a row whose first cells are empty (``\\t\\t健康委、…``) is the rest of the row
  before it, cut by the page break, and is joined into its cells.
* **Space-separated rows** (seed 004): a header of three or more short cells (``序号 名称 省份
  所在地 备注``, or cells two spaces apart), then rows. A row may come in several paragraphs (each
  cell alone, or a long cell wrapped); it is complete when it has as many cells as the header. A
  row with fewer cells (``4 河北科技工程职业技术大学 邢台市 -``) sat beside a cell spanning
  several rows: the missing cell is the one whose column the given cells fit worst (by their last
  characters, e.g. 省/市/区 for 省份), filled with the value above it. Numbered tables (the first
  header cell is 序号) start a row at each next number, so a row needs no minimum length.
* **A table set one cell a line** whose header is repeated on every page (seed 004's
  任务分解表, 5 times): the columns cannot be told apart in the text, so its rows are kept as
  one paragraph each (a row starts at a numbered item or a lone 一、二… group number), repeated
  headers dropped — never glued into the surrounding prose.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from importer.markup import join_lines

__all__ = ["TableRun", "find_tables", "fold_spaced_out"]

_HAN = re.compile(r"[\u3400-\u9fff]")
_LONE_HAN = re.compile(r"[\u3400-\u9fff]")
_WIDE_GAP = re.compile(r"\S\s{2,}\S")
_SPLIT_WIDE = re.compile(r"\s{2,}|\s+[.·]\s+")
_SENTENCE_PUNCT = re.compile(r"[。，,；;：:！？!?]")
_NUMBERED_CELL = re.compile(r"^(\d{1,3})\s+(\S.*)$")
_NUMBER_HEADERS = {"序号", "编号", "序", "No.", "NO."}
_ROW_ANCHOR = re.compile(r"^(?:[一二三四五六七八九十]{1,3}|\d{1,3}[.．、](?!\d))")
_HEADER_CELL_MAX = 10
_CELLS_MIN = 3
#: A table set one cell a line: paragraphs after its header within which two rows start.
_FIRST_ROWS_REACH = 64


@dataclass(frozen=True)
class TableRun:
    """Paragraphs ``start``..``end - 1`` are a table: ``rows`` (the first is the header).

    ``aligned`` is False when the cells could not be put into columns; each row is then one
    paragraph's worth of cells, in reading order.
    """

    start: int
    end: int
    rows: tuple[tuple[str, ...], ...]
    aligned: bool = True


def fold_spaced_out(text: str) -> str:
    """``建 设 产教 融 合`` → ``建设产教融合``: a space beside a lone Chinese character is letter
    spacing; one between two words (``省发展改革委 省教育厅``) is kept. Other runs of
    whitespace become one space."""
    words = text.split()
    if len(words) < 2:
        return text.strip()
    out = [words[0]]
    for before, word in pairwise(words):
        lone = _LONE_HAN.fullmatch(before) or _LONE_HAN.fullmatch(word)
        if not (lone and _HAN.match(before[-1]) and _HAN.match(word[0])):
            out.append(" ")
        out.append(word)
    return "".join(out)


def _cell(text: str) -> str:
    return fold_spaced_out(text.replace("**", ""))


def _header_cells(text: str) -> list[str] | None:
    """The cells of a table header paragraph, or None when it does not read as one."""
    if "\t" in text or len(text) > 80:
        return None
    cells = _split(text, wide=bool(_WIDE_GAP.search(text)))
    ok = all(
        len(c) <= _HEADER_CELL_MAX
        and _HAN.search(c)
        and not _SENTENCE_PUNCT.search(c)
        and not any(ch.isdigit() for ch in c)
        for c in cells
    )
    return cells if ok else None


def _split(text: str, *, wide: bool) -> list[str]:
    parts = _SPLIT_WIDE.split(text.strip()) if wide else text.split()
    return [p.strip() for p in parts if p.strip()]


# --- tab-separated -------------------------------------------------------------------------------


def _tab_table(texts: Sequence[str], start: int) -> TableRun | None:
    end = start
    while end < len(texts) and "\t" in texts[end]:
        end += 1
    if end - start < 2:
        return None
    raw = [[_cell(c) for c in texts[i].split("\t")] for i in range(start, end)]
    header = raw[0]
    while header and not header[-1]:
        header.pop()
    rows: list[list[str]] = [header]
    # The cells of the last row that go on in the next rows, as pieces joined once the row is
    # done (joining at each piece would copy the cell each time).
    pieces: dict[int, list[str]] = {}

    def settle() -> None:
        for index, parts in pieces.items():
            rows[-1][index] = "".join(parts)
        pieces.clear()

    for cells in raw[1:]:
        while cells and not cells[-1]:
            cells.pop()
        if cells == header or not cells:
            continue  # the header again, after a page break
        if not cells[0] and len(rows) > 1:
            # The rest of the row above, cut by a page break.
            above = rows[-1]
            above.extend([""] * (len(cells) - len(above)))
            for index, cell in enumerate(cells):
                if cell:
                    parts = pieces.setdefault(index, [above[index]] if above[index] else [])
                    if parts:  # join_lines at the joint: a space between Latin words
                        parts.append(join_lines(parts[-1][-1], cell[0])[1:-1])
                    parts.append(cell)
            continue
        settle()
        rows.append(cells)
    settle()
    width = max(len(r) for r in rows)
    padded = tuple(tuple(r + [""] * (width - len(r))) for r in rows)
    return TableRun(start, end, padded)


# --- space-separated -----------------------------------------------------------------------------


def _fill_spanned(
    cells: list[str],
    width: int,
    endings: list[set[str]],
    above: list[str] | None,
    numbered: bool,
) -> list[str]:
    """A row with fewer cells than columns: put the missing cells where a cell spanning rows
    above would be, and repeat that cell's value (``above``, the row before; ``endings``, the last
    characters of each column's cells so far).

    The given cells go in order into the columns that are not missing; each scores where its last
    character is one its column's cells end with. The best placement (on a tie the leftmost gaps:
    spans group from the left) is found column by column, as the best score the columns from
    ``c`` on can still make with the cells from ``j`` on (not by trying every choice of gaps: a
    wide header made that count explode)."""
    missing = width - len(cells)
    if missing <= 0 or above is None:
        return (cells + [""] * width)[:width]
    first = 1 if numbered else 0  # the number column is never spanned
    count = len(cells)
    hits = [
        [bool(cell) and cell[-1] in endings[column] for column in range(width)] for cell in cells
    ]
    # best[c][j]: the best score of columns c… given cells j…, -1 when they cannot all be placed
    best = [[-1] * (count + 1) for _ in range(width + 1)]
    best[width][count] = 0
    for c in range(width - 1, -1, -1):
        for j in range(count, -1, -1):
            score = -1
            if j < count and best[c + 1][j + 1] >= 0:
                score = best[c + 1][j + 1] + hits[j][c]
            if c >= first and best[c + 1][j] >= 0:
                score = max(score, best[c + 1][j])
            best[c][j] = score
    assert best[0][0] >= 0
    row: list[str] = []
    j = 0
    for c in range(width):
        if c >= first and best[c + 1][j] >= 0 and best[c + 1][j] == best[c][j]:
            row.append(above[c])  # a gap as early as the best score allows
        else:
            row.append(cells[j])
            j += 1
    return row


def _spaced_table(texts: Sequence[str], start: int, keys: Sequence[str]) -> TableRun | None:
    """``keys``: the texts without whitespace (:func:`_keys`)."""
    header = _header_cells(texts[start])
    if header is None or len(header) < _CELLS_MIN:
        return None
    wide = bool(_WIDE_GAP.search(texts[start]))
    header_texts = {keys[start]}
    index = start + 1
    # A header wrapped onto the next paragraph(s): more header-like cells.
    while index < len(texts):
        more = _header_cells(texts[index])
        if not more or len(header) + len(more) > 12:
            break
        header.extend(more)
        header_texts.add(keys[index])
        index += 1
    width = len(header)
    numbered = header[0] in _NUMBER_HEADERS
    expected = 1
    done: list[list[str]] = []
    endings: list[set[str]] = [set() for _ in range(width)]  # of each column's cells in done

    def finish(row: list[str]) -> None:
        filled = _fill_spanned(row, width, endings, done[-1] if done else None, numbered)
        done.append(filled)
        for column, cell in enumerate(filled):
            if cell:
                endings[column].add(cell[-1])

    current: list[str] | None = None
    end = first_row = index
    # The header again and again before two rows is no table (and is not read to its end again
    # from each next paragraph): it may come back once before them, as after a page break.
    repeats = 2 * (first_row - start)
    for index in range(first_row, len(texts)):
        text = texts[index]
        if "\t" in text:
            break
        if keys[index] in header_texts:
            if len(done) < 2:
                repeats -= 1
                if repeats < 0:
                    break
            end = index + 1
            continue  # the header again, after a page break
        cells = _split(text, wide=wide)
        if numbered and wide and cells:
            split = _NUMBERED_CELL.match(cells[0])
            if split:
                cells = [split[1], split[2], *cells[1:]]
        if numbered:
            starts = cells[0] == str(expected)
        else:  # a row, not prose with spaces in it
            starts = 2 <= len(cells) <= width and max(len(c) for c in cells) <= 40
        if current is not None and len(current) < width and not starts:
            if len(current) + len(cells) > width:
                break
            current.extend(cells)
            end = index + 1
            continue
        if not starts:
            break
        if current is not None:
            finish(current)
        current = (
            cells if len(cells) <= width else [*cells[: width - 1], " ".join(cells[width - 1 :])]
        )
        expected += 1
        end = index + 1
    if current is not None:
        finish(current)
    if len(done) < 2:
        return None
    rows = (tuple(header), *(tuple(_cell(c) for c in row) for row in done))
    return TableRun(start, end, rows)


# --- one cell a line, header repeated on every page ----------------------------------------------


def _short(text: str) -> bool:
    return len(text) <= 20 and not _SENTENCE_PUNCT.search(text) and "\t" not in text


def _keys(texts: Sequence[str]) -> list[str]:
    """Each text without whitespace: how a header and its repetitions are compared."""
    return [re.sub(r"\s+", "", t) for t in texts]


def _triples(texts: Sequence[str], keys: Sequence[str]) -> dict[tuple[str, ...], list[int]]:
    """Where each run of three short paragraphs occurs (to find repeated headers in one pass)."""
    short = [key if _short(t) else None for t, key in zip(texts, keys, strict=True)]
    found: dict[tuple[str, ...], list[int]] = {}
    for i in range(len(short) - 2):
        if short[i] is not None and short[i + 1] is not None and short[i + 2] is not None:
            found.setdefault((short[i], short[i + 1], short[i + 2]), []).append(i)  # type: ignore[arg-type]
    return found


def _repeated_header_table(
    texts: Sequence[str],
    start: int,
    stops: Sequence[bool],
    keys: list[str],
    triples: dict[tuple[str, ...], list[int]],
    cell: Callable[[int], str],
) -> TableRun | None:
    """``cell(i)``: ``_cell(texts[i])``, each worked out once over all the tries."""
    if not _short(texts[start]):
        return None
    size = 0
    while start + size < len(texts) and _short(texts[start + size]) and size < 8:
        size += 1
    if size < 3:
        return None
    head = list(keys[start : start + size])
    repeats = triples.get(tuple(head[:3]), [])  # in order
    at = bisect_left(repeats, start + size)
    if at == len(repeats):
        return None
    # The header is as long as its first repetition agrees with it (up to the last paragraph).
    again = repeats[at]
    size = next(
        (k for k in range(3, size) if again + k >= len(texts) or keys[again + k] != head[k]),
        size,
    )
    head = head[:size]
    end = start + size
    rows: list[list[str]] = [[cell(i) for i in range(start, end)]]
    index = end
    # Two rows must have started within _FIRST_ROWS_REACH paragraphs of the header, else it is no
    # table (and the rest of the text is not read again from each next paragraph).
    reach = end + _FIRST_ROWS_REACH
    while index < len(texts) and not stops[index] and (len(rows) >= 3 or index < reach):
        if keys[index : index + size] == head:
            index += size
            continue
        text = cell(index)
        if len(text) > 80 and text.endswith("。") and not _ROW_ANCHOR.match(text):
            break  # prose again
        if _ROW_ANCHOR.match(text) or len(rows) == 1:
            rows.append([text])
        else:
            rows[-1].append(text)
        index += 1
    if len(rows) < 3:
        return None
    return TableRun(start, index, tuple(tuple(r) for r in rows), aligned=False)


def find_tables(texts: Sequence[str], stops: Sequence[bool] | None = None) -> list[TableRun]:
    """The tables among paragraph ``texts``, in order, not overlapping. ``stops`` marks
    paragraphs no table runs into (provenance lines, column marks)."""
    stops = stops if stops is not None else [False] * len(texts)
    keys = _keys(texts)
    triples = _triples(texts, keys)
    cells: dict[int, str] = {}

    def cell(index: int) -> str:
        if index not in cells:
            cells[index] = _cell(texts[index])
        return cells[index]

    found: list[TableRun] = []
    index = 0
    while index < len(texts):
        run = None
        if not stops[index]:
            if "\t" in texts[index]:
                run = _tab_table(texts, index)
            else:
                run = _spaced_table(texts, index, keys) or _repeated_header_table(
                    texts, index, stops, keys, triples, cell
                )
        if run is None:
            index += 1
        else:
            found.append(run)
            index = run.end
    return found
