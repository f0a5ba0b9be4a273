"""A small PDF 1.4 writer: pages of text lines in Helvetica (WinAnsiEncoding).

BC renders its reports to PDF on the server; the sandbox only needs documents that any viewer
opens and whose text says what the document is.  Characters outside Windows-1252 are
transliterated (``ł`` → ``l``, ``ż`` → ``z``) rather than dropped, so Polish names stay readable.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = ["PdfLine", "render_pdf", "to_win_ansi"]

_PAGE_WIDTH, _PAGE_HEIGHT = 595, 842  # A4 in points
_TOP, _BOTTOM, _LEFT = 790, 50, 50
# Letters that Unicode does not decompose into a base letter plus a mark.
_NO_DECOMPOSITION = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss"})


@dataclass(frozen=True)
class PdfLine:
    """One line of text; ``x`` is its left edge in points from the left margin."""

    text: str
    size: int = 10
    bold: bool = False
    x: int = 0
    columns: tuple[tuple[int, str], ...] = ()  # further (x, text) cells on the same baseline


def to_win_ansi(text: str) -> bytes:
    """``text`` in Windows-1252, transliterating what it cannot hold; '?' for what is left."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1252")
            continue
        except UnicodeEncodeError:
            pass
        plain = unicodedata.normalize("NFKD", char.translate(_NO_DECOMPOSITION))
        base = "".join(c for c in plain if not unicodedata.combining(c))
        out += base.encode("cp1252", "replace") if base else b"?"
    return bytes(out)


def _literal(text: str) -> bytes:
    raw = to_win_ansi(text)
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _page_stream(lines: list[PdfLine]) -> bytes:
    out = bytearray()
    y = _TOP
    for line in lines:
        font = b"/F2" if line.bold else b"/F1"
        for x, text in ((line.x, line.text), *line.columns):
            if text:
                out += b"BT %s %d Tf %d %d Td %s Tj ET\n" % (font, line.size, _LEFT + x, y, _literal(text))
        y -= line.size + 6
    return bytes(out)


def _paginate(lines: list[PdfLine]) -> list[list[PdfLine]]:
    pages: list[list[PdfLine]] = [[]]
    y = _TOP
    for line in lines:
        if y - line.size < _BOTTOM and pages[-1]:
            pages.append([])
            y = _TOP
        pages[-1].append(line)
        y -= line.size + 6
    return pages


def render_pdf(lines: list[PdfLine], *, title: str) -> bytes:
    """A complete PDF document with ``lines`` flowing over as many A4 pages as they need."""
    pages = _paginate(lines)
    first_page = 6  # objects 1 catalog, 2 pages, 3 info, 4-5 fonts, then a page/content pair per page
    page_refs = b" ".join(b"%d 0 R" % (first_page + 2 * n) for n in range(len(pages)))
    objects: list[bytes] = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[%s]/Count %d>>" % (page_refs, len(pages)),
        b"<</Title%s/Producer(bc-gateway sandbox)>>" % _literal(title),
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica-Bold/Encoding/WinAnsiEncoding>>",
    ]
    for n, page in enumerate(pages):
        content = _page_stream(page)
        objects.append(
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 %d %d]/Contents %d 0 R"
            b"/Resources<</Font<</F1 4 0 R/F2 5 0 R>>>>>>"
            % (_PAGE_WIDTH, _PAGE_HEIGHT, first_page + 2 * n + 1)
        )
        objects.append(b"<</Length %d>>stream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R/Info 3 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
