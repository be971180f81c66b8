"""The PDFs of this app, made with fpdf2 and the embedded DejaVu Sans (Greek text):

- the successful-submission form (E11, 003 Art. 7.3) of a completed outcome;
- the white application (E13) filled from the municipality's template.

Both are built from plain values (``FormContent``, ``ApplicationContent``): callers read the data
through the audited selectors first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).resolve().parents[1] / "static" / "fonts"
FONT = "DejaVu"

# fontTools logs every glyph it keeps when fpdf2 subsets the font: not for the service's logs.
logging.getLogger("fontTools").setLevel(logging.WARNING)


@dataclass(frozen=True, slots=True)
class FormContent:
    """What the successful-submission form shows: labels and values already translated."""

    title: str
    subtitle: str
    rows: list[tuple[str, str]]
    footer: str
    language: str = "el"


@dataclass(frozen=True, slots=True)
class ApplicationContent:
    """A filled white application."""

    heading: str
    title: str
    body: str
    footer: str


def _document(title: str, language: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.set_lang(language)
    pdf.set_author("myKEPlive")
    pdf.set_creator("myKEPlive")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    return pdf


def submission_form_pdf(content: FormContent) -> bytes:
    pdf = _document(content.title, content.language)
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 9, content.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    pdf.multi_cell(0, 6, content.subtitle, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    label_width = 60
    for label, value in content.rows:
        y = pdf.get_y()
        pdf.set_font(FONT, "B", 11)
        pdf.multi_cell(label_width, 7, label, align="L", new_x="RIGHT", new_y="TOP")
        after_label = pdf.get_y()
        pdf.set_xy(pdf.l_margin + label_width, y)
        pdf.set_font(FONT, "", 11)
        pdf.multi_cell(0, 7, value or "—", align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), after_label) + 1)
    pdf.ln(8)
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(0, 5, content.footer, align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def white_application_pdf(content: ApplicationContent) -> bytes:
    pdf = _document(content.title, "el")
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 9, content.heading, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(0, 7, content.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT, "", 11)
    pdf.multi_cell(0, 6, content.body, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(0, 5, content.footer, align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
