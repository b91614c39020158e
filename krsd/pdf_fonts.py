"""DejaVu Sans for the PDFs (certificate, diploma, portfolio), parsed once per process.

fpdf2's ``add_font`` parses the whole TTF (6,000 glyphs) with fontTools for every
document, and its output subsets that whole font again: most of a certificate's time went
there. Here each weight is reduced once per process to the scripts of names in the
register (Latin with its extensions, Greek, Cyrillic, punctuation), without the tables
fpdf2 leaves out of the embedded subset anyway, and parsed once; a document gets its own
copy of the few attributes fpdf2 changes while it writes. The embedded subset has the same
glyphs, outlines, widths, hinting and bounding box as before (only the maxima in hhea and
maxp are the reduced font's). A document whose text needs a character outside those
scripts gets fpdf2's own ``add_font`` of the full font, as before.

This leans on fpdf2's font object (``FPDF.fonts``, ``TTFFont``'s attributes);
tests/test_pdf_fonts.py compares the rendered pages with fpdf2's own ``add_font``, so an
fpdf2 release that changes them fails there.
"""

import copy
import struct
import threading
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from fontTools import subset as ft_subset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import SubsetMap, TTFFont

FAMILY = "DejaVu"
#: style → file, in the folder PDF_FONT_DIR names
FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
#: the characters of the reduced font: Latin (with Extended-A/B, combining marks and
#: Latin Extended Additional), Greek, Cyrillic, general punctuation and currency signs
RANGES = (
    (0x0020, 0x024F),
    (0x0300, 0x036F),
    (0x0370, 0x052F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
)
#: tables fpdf2 leaves out of every embedded subset (fpdf/output.py), and the legacy kern
#: table that fontTools' subsetter drops when GPOS is present
UNUSED_TABLES = (
    *("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC"),
    *("EBDT", "EBLC", "EBSC", "SVG ", "CPAL", "COLR", "kern"),
)


@dataclass(frozen=True)
class _Reduced:
    #: the reduced font file, from which every document parses its own (lazy) copy
    data: bytes
    #: fpdf2's font object for it: widths, character map, descriptor (never written to)
    template: TTFFont
    #: the glyph order, so that a document's copy need not derive it again
    glyph_order: tuple[str, ...]


_building = threading.Lock()


class _DocumentFont(ttLib.TTFont):
    """A document's own copy of a reduced font, which fpdf2's output subsets in place.

    It is saved without fontTools' recalculation of bounding boxes (which decodes every
    kept glyph's outline again); the head table's box is taken from the glyph headers,
    which the reduced font has right, so the subset carries the same box as before.
    """

    def __init__(self, data: bytes):
        super().__init__(BytesIO(data), recalcTimestamp=False, recalcBBoxes=False, lazy=True)

    def save(self, file, reorderTables=True):
        boxes = [box for glyph in self["glyf"].glyphs.values() if (box := _box(glyph))]
        if boxes:
            head = self["head"]
            head.xMin, head.yMin = min(b[0] for b in boxes), min(b[1] for b in boxes)
            head.xMax, head.yMax = max(b[2] for b in boxes), max(b[3] for b in boxes)
        return super().save(file, reorderTables)


def _box(glyph) -> tuple[int, int, int, int] | None:
    """(xMin, yMin, xMax, yMax) of a glyph with an outline, read from its header when the
    glyph is still undecoded."""
    data = getattr(glyph, "data", None)
    if data is not None:
        return struct.unpack(">5h", data[:10])[1:] if len(data) >= 10 else None
    return (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax) if glyph.numberOfContours else None


def _reduce(path: Path) -> bytes:
    # The full font's bounding box stays in head: fpdf2 writes it as the descriptor's FontBBox.
    font = ttLib.TTFont(path, recalcTimestamp=False, recalcBBoxes=False)
    for tag in UNUSED_TABLES:
        if tag in font:
            del font[tag]
    # fpdf2's own options, so the reduced font keeps what its embedded subset keeps.
    options = ft_subset.Options(notdef_outline=True, recommended_glyphs=True)
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=[c for first, last in RANGES for c in range(first, last + 1)])
    subsetter.subset(font)
    out = BytesIO()
    font.save(out)
    return out.getvalue()


@lru_cache(maxsize=8)
def _reduced(path: Path, _mtime_ns: int, _size: int) -> _Reduced:
    """The reduced font of ``path``; the file's time and size in the key make a replaced
    font file count as a new one."""
    with _building:
        data = _reduce(path)
        template = TTFFont(FPDF(), BytesIO(data), "template", "")
        return _Reduced(data, template, tuple(template.ttfont.getGlyphOrder()))


def _reduced_for(path: Path) -> _Reduced:
    stat = path.stat()
    return _reduced(path, stat.st_mtime_ns, stat.st_size)


def _covers(reduced: _Reduced, text: str) -> bool:
    cmap = reduced.template.cmap
    # Line breaks are never drawn (multi_cell splits on them), so no font needs them.
    return all(ord(c) in cmap for c in text if c not in "\n\r\t")


def _add_reduced(pdf: FPDF, style: str, reduced: _Reduced) -> None:
    """Give ``pdf`` its own copy of what fpdf2 changes per document: the font number, the
    glyphs used (the subset), the widths it looks up, the descriptor it writes into, and
    the fontTools font that its output subsets in place."""
    font = copy.copy(reduced.template)
    font.i = len(pdf.fonts) + 1
    font.fontkey = f"{FAMILY.lower()}{style}"
    font.emphasis = TextEmphasis.coerce(style)
    font.ttfont = _DocumentFont(reduced.data)
    font.ttfont.setGlyphOrder(list(reduced.glyph_order))
    font.cw = copy.copy(reduced.template.cw)
    font.desc = copy.copy(reduced.template.desc)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font


def add_dejavu(pdf: FPDF, font_dir: Path, *texts: str) -> None:
    """Make DejaVu (regular and bold) the family "DejaVu" of ``pdf``; ``texts`` are the
    document's variable texts (names, titles), which decide whether the reduced font
    covers them."""
    font_dir = Path(font_dir)
    text = "".join(texts)
    for style, name in FILES.items():
        path = font_dir / name
        reduced = _reduced_for(path)
        if _covers(reduced, text):
            _add_reduced(pdf, style, reduced)
        else:
            pdf.add_font(FAMILY, style, str(path))
