"""Newsletter-like PDFs made with Typst from a parsed source document, for the PDF reader's tests
and its measurement (bench/sources.py): a masthead, two columns, a running head on every page and a
page number at the foot, as other schools' newsletters are printed. Data goes in as JSON, so no
text is read as Typst markup."""

from __future__ import annotations

import json

from sources.parse import SourceDocument

FONTS = ["/usr/share/fonts/opentype/noto"]

_TEMPLATE = r"""
#let d = json(bytes(sys.inputs.data))
#set text(font: ("Noto Serif CJK SC",), size: 10pt, lang: "zh")
#set page(
  paper: "a4",
  margin: (x: 1.8cm, top: 2.2cm, bottom: 2cm),
  columns: d.columns,
  header: context align(center, text(size: 8pt)[#d.running_head]),
  footer: context align(center, text(size: 9pt)[— #counter(page).display() —]),
)
#set par(first-line-indent: (amount: 2em, all: true), justify: true, leading: 0.7em, spacing: 0.7em)
#place(top + center, scope: "parent", float: true)[
  #text(size: 20pt, weight: "bold")[#d.masthead] \
  #text(size: 9pt)[#d.publisher　#d.date]
]
#if d.note != none [
  #par(first-line-indent: 0em)[#text(weight: "bold")[【编者按】]#d.note]
]
#for (i, a) in d.articles.enumerate() [
  #if a.column != none and (i == 0 or d.articles.at(i - 1).column != a.column) [
    #block(above: 1.2em, below: 0.6em,
      text(size: 12pt, weight: "bold", fill: rgb("#8b0000"))[#a.column])
  ]
  #block(above: 0.8em, below: 0.6em,
    par(first-line-indent: 0em, text(size: 11.5pt, weight: "bold")[#a.title]))
  #for b in a.blocks [
    #if b.kind == "heading" [
      #block(above: 0.6em, below: 0.4em, par(first-line-indent: 0em, text(weight: "bold")[#b.text]))
    ] else [
      #par[#b.text]
    ]
  ]
  #for p in a.tail [
    #align(right, par(first-line-indent: 0em)[#p])
  ]
]
"""


def newsletter_pdf(
    doc: SourceDocument,
    *,
    columns: int = 2,
    masthead: str = "《职教资讯》2023年第3期",
    publisher: str = "主办：某某职业技术学院职教研究所",
    date: str = "2023年6月",
    running_head: str = "职教资讯 · 2023年第3期",
) -> bytes:
    """A PDF of ``doc``'s articles (paragraphs and headings; tables are left out)."""
    import typst

    articles = []
    for article in doc.articles:
        tail = []
        if article.author:
            tail.append(f"（{article.author}）")
        if article.source:
            tail.append(f"信息来源：{article.source}")
        if article.compiled_by:
            tail.append(f"摘编：{article.compiled_by}")
        articles.append(
            {
                "column": article.column,
                "title": article.title,
                "blocks": [
                    {"kind": b.kind, "text": b.text}
                    for b in article.blocks
                    if b.kind in ("heading", "paragraph")
                ],
                "tail": tail,
            }
        )
    data = {
        "columns": columns,
        "masthead": masthead,
        "publisher": publisher,
        "date": date,
        "running_head": running_head,
        "note": doc.editors_note,
        "articles": articles,
    }
    payload = json.dumps(data, ensure_ascii=False)
    return typst.compile(
        _TEMPLATE.encode(),
        font_paths=FONTS,
        ignore_system_fonts=True,
        sys_inputs={"data": payload},
    )


def minimal_pdf(streams: list[bytes], mediabox=(0, 0, 595, 842)) -> bytes:
    """A minimal valid PDF, one page per content stream, Helvetica as F1."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        (
            "<< /Type /Pages /Kids ["
            + " ".join(f"{4 + 2 * i} 0 R" for i in range(len(streams)))
            + f"] /Count {len(streams)} >>"
        ).encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    box = " ".join(str(v) for v in mediabox)
    for i, stream in enumerate(streams):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [{box}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    size = len(objects) + 1
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
