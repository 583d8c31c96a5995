"""Article bodies to typed blocks for the PDF template: pure functions, no database."""

from __future__ import annotations

from articles.sanitize import clean_html
from printing.blocks import blocks_text, html_to_blocks
from printing.data import notes_lines


def test_paragraph_spans_keep_emphasis_and_collapse_white_space():
    blocks = html_to_blocks(
        "<p>  近年来，\n  广东省 <strong>一、强化统筹</strong>协调<br>下一行 </p>"
    )
    assert blocks == [
        {
            "t": "p",
            "c": [
                {"x": "近年来， 广东省 "},
                {"b": True, "x": "一、强化统筹"},
                {"x": "协调"},
                {"br": True},
                {"x": "下一行"},
            ],
        }
    ]


def test_headings_lists_quotes_and_rules_become_their_own_blocks():
    html = (
        "<h3>一、总体要求</h3><h4>（一）深化四个合作</h4>"
        '<ol start="3"><li>甲<ul><li>乙</li></ul></li><li><p>丙</p></li></ol>'
        "<blockquote><p>引文</p></blockquote><hr><pre>a\n  b</pre>"
    )
    blocks = html_to_blocks(html)
    assert [b["t"] for b in blocks] == ["h", "h", "list", "quote", "hr", "pre"]
    assert [b["level"] for b in blocks[:2]] == [3, 4]
    ordered = blocks[2]
    assert ordered["ordered"] and ordered["start"] == 3
    first, second = ordered["items"]
    assert first[0] == {"t": "p", "c": [{"x": "甲"}]}
    assert first[1]["t"] == "list" and not first[1]["ordered"]
    assert second == [{"t": "p", "c": [{"x": "丙"}]}]
    assert blocks[3]["c"] == [{"t": "p", "c": [{"x": "引文"}]}]
    assert blocks[5]["text"] == "a\n  b"


def test_ragged_table_rows_are_padded_to_the_widest_row():
    # As in 2024年第01期: a continuation row with fewer cells than the header.
    html = (
        "<table><tbody><tr><td>序号</td><td>学校</td><td>专业</td><td>备注</td></tr>"
        "<tr><td>1</td><td>广州市技师学院</td><td>现代农艺技术</td></tr>"
        "<tr><td>2</td><td></td><td>新媒体运营</td><td>新增层次</td></tr></tbody></table>"
    )
    (table,) = html_to_blocks(html)
    assert table["columns"] == 4
    assert [len(row) for row in table["rows"]] == [4, 4, 4]
    assert table["rows"][1][3]["c"] == []
    assert table["header"] == 0  # only <th>/<thead> rows repeat as a header


def test_rowspans_and_colspans_count_when_padding():
    html = (
        "<table><thead><tr><th>A</th><th>B</th><th>C</th></tr></thead><tbody>"
        '<tr><td rowspan="2">合并</td><td colspan="2">两列</td></tr>'
        "<tr><td>x</td></tr>"  # two columns free: one cell given, one padded
        '<tr><td colspan="9">太宽</td></tr></tbody></table>'
    )
    (table,) = html_to_blocks(html)
    assert table["columns"] == 9  # as a browser would: the widest row sets the width
    widths = []
    carried = {}
    for i, row in enumerate(table["rows"]):
        widths.append(carried.get(i, 0) + sum(c["colspan"] for c in row))
        for c in row:
            for below in range(i + 1, i + c["rowspan"]):
                carried[below] = carried.get(below, 0) + c["colspan"]
    assert set(widths) == {table["columns"]}
    assert table["header"] == 1


def test_paragraphs_inside_a_cell_stay_in_the_cell():
    (table,) = html_to_blocks(
        "<table><tr><td><p>第一段</p><p>第二段</p></td><td>乙</td></tr></table>"
    )
    cell = table["rows"][0][0]["c"]
    assert cell == [{"x": "第一段"}, {"br": True}, {"x": "第二段"}]
    assert table["rows"][0][1]["c"] == [{"x": "乙"}]


def test_images_keep_their_description_and_caption():
    blocks = html_to_blocks(
        '<figure><img src="/media/a.png" alt="校园"><figcaption>图 1 校园</figcaption></figure>'
        '<p>文中<img src="https://example.org/x.png" alt="图标">图片</p>'
    )
    assert blocks[0] == {
        "t": "image",
        "src": "/media/a.png",
        "alt": "校园",
        "caption": [{"x": "图 1 校园"}],
    }
    assert blocks[1]["c"] == [{"x": "文中［图片：图标］图片"}]


def test_hostile_text_stays_text_after_sanitising():
    hostile = (
        '#set page(width: 1cm) $x^2$ #{panic("boom")} [link](x) *b* _i_ @ref <lbl> '
        "// c /* d */ \\ ` ~ 😀"
    )
    html = clean_html(
        "<p>" + hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>"
        "<script>alert(1)</script><p>&lt;script&gt;alert(2)&lt;/script&gt;</p>"
    )
    blocks = html_to_blocks(html)
    assert blocks_text(blocks) == hostile + "\n<script>alert(2)</script>"
    # The sanitiser removed the real script; its text never reaches the PDF.
    assert "alert(1)" not in blocks_text(blocks)


def test_long_unbreakable_runs_get_break_opportunities_but_keep_their_text():
    url = "https://example.org/" + "a" * 200
    (para,) = html_to_blocks(f"<p>见 {url} 。</p>")
    text = para["c"][0]["x"]
    assert "\u200b" in text
    assert max(len(part) for part in text.split("\u200b")) <= 40
    assert text.replace("\u200b", "") == f"见 {url} 。"


def test_empty_and_whitespace_only_bodies_give_no_blocks():
    assert html_to_blocks("") == []
    assert html_to_blocks("<p> </p><p>\n</p>") == []


def test_notes_lines_mark_the_numbered_headings():
    notes = "一、《职教通讯》宗旨\n\n正文。\n二、内容板块\n1.职教动态：…"
    assert notes_lines(notes) == [
        {"heading": True, "text": "一、《职教通讯》宗旨"},
        {"heading": False, "text": "正文。"},
        {"heading": True, "text": "二、内容板块"},
        {"heading": False, "text": "1.职教动态：…"},
    ]
