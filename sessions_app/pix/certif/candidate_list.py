"""The "Liste des candidats" ODS of one session (formats README §2b)."""

from __future__ import annotations

import io

from .records import (
    COMPLEMENTARY_LABELS,
    CertifCandidate,
    CertifSession,
    _complementary_cells,
    _date,
    _time,
    insee_cell,
)

# §2b, exact and in order (after the row-number column).
ODS_SHEET_NAME = "Liste des candidats"
ODS_HEADER_ROW = 11
ODS_HEADERS = (
    "* Nom de naissance",
    "* Prénom",
    "* Date de naissance (format : jj/mm/aaaa)",
    "* Sexe (M ou F)",
    "Code Insee",
    "Code postal",
    "Nom de la commune",
    "Pays",
    "E-mail du destinataire des résultats (formateur, enseignant…)",
    "E-mail de convocation",
    "Identifiant local",
    "Temps majoré ?",
    "Tarification part Pix",
    "Code de prépaiement",
)


def ods_complementary_header(label: str) -> str:
    return f'{label}\n("oui" ou laisser vide)'


def candidate_list_ods(
    session: CertifSession,
    candidates: list[CertifCandidate],
    complementary_labels: tuple[str, ...] = COMPLEMENTARY_LABELS,
) -> bytes:
    """The §2b "Liste des candidats" ODS of one session: session block at the top, candidate
    header on row 11, candidates from row 12, first column the row number. Texts are string
    cells; extra time is a percentage cell (0.33 shown as 33 %). Dates are written as the text
    ``jj/mm/aaaa`` the header asks for (Pix converts that text), not as date cells whose
    display would depend on the spreadsheet's locale. Raises ``ValueError`` without candidates:
    Pix refuses an empty list (``file_problems``)."""
    if not candidates:
        raise ValueError("No candidate in the list: Pix refuses it (check file_problems first).")
    from odf.number import Number, PercentageStyle
    from odf.number import Text as NumberText
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import ParagraphProperties, Style, TableCellProperties, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    percent = PercentageStyle(name="N_percent")
    percent.addElement(Number(decimalplaces="0", minintegerdigits="1"))
    percent.addElement(NumberText(text=" %"))
    doc.automaticstyles.addElement(percent)
    percent_cell = Style(name="ce_percent", family="table-cell", datastylename="N_percent")
    doc.automaticstyles.addElement(percent_cell)
    header_cell = Style(name="ce_header", family="table-cell")
    header_cell.addElement(TextProperties(fontweight="bold"))
    header_cell.addElement(TableCellProperties(wrapoption="wrap"))
    header_cell.addElement(ParagraphProperties(textalign="center"))
    doc.automaticstyles.addElement(header_cell)

    table = Table(name=ODS_SHEET_NAME)
    width = 1 + len(ODS_HEADERS) + len(complementary_labels)
    table.addElement(TableColumn(numbercolumnsrepeated=width))

    def text_cell(value, style=None):
        kwargs = {"valuetype": "string"}
        if style is not None:
            kwargs["stylename"] = style
        cell = TableCell(**kwargs)
        for line in str(value).split("\n"):
            cell.addElement(P(text=line))
        return cell

    def row_of(cells):
        row = TableRow()
        for cell in cells:
            row.addElement(cell)
        return row

    def empty():
        return TableCell()

    number = (session.existing_number or "").strip()
    invigilators = ", ".join(i.strip() for i in session.invigilators or [] if (i or "").strip())
    block = [
        ("N° de session", number),
        ("Nom du site", session.site or ""),
        ("Nom de la salle", session.room or ""),
        ("Date", _date(session.date)),
        ("Heure locale (début)", _time(session.time)),
        ("Session surveillée par :", invigilators),
    ]
    # Rows 1-2: title; rows 3-8: session block; rows 9-10: blank; row 11: header.
    table.addElement(row_of([text_cell("Liste des candidats", header_cell)]))
    table.addElement(row_of([empty()]))
    for label, value in block:
        table.addElement(
            row_of([empty(), text_cell(label, header_cell), text_cell(value) if value else empty()])
        )
    blank_rows = TableRow(numberrowsrepeated=ODS_HEADER_ROW - 1 - 2 - len(block))
    blank_rows.addElement(TableCell())  # a row holds at least one cell (ODF schema)
    table.addElement(blank_rows)
    table.addElement(
        row_of(
            [text_cell("N°", header_cell)]
            + [text_cell(h, header_cell) for h in ODS_HEADERS]
            + [text_cell(ods_complementary_header(x), header_cell) for x in complementary_labels]
        )
    )
    for n, c in enumerate(candidates, start=1):
        texts = [
            c.birth_name,
            c.first_name,
            _date(c.birth_date),
            c.sex,
            insee_cell(c),
            c.postal_code,
            c.city,
            c.country,
            c.result_email,
            c.convocation_email,
            c.external_id,
        ]
        cells = [TableCell(valuetype="float", value=str(n))]
        cells[0].addElement(P(text=str(n)))
        cells += [text_cell(v) if v else empty() for v in texts]
        if c.extra_time_percent is not None:
            extra = TableCell(
                valuetype="percentage",
                value=f"{c.extra_time_percent / 100:.2f}",
                stylename=percent_cell,
            )
            extra.addElement(P(text=f"{c.extra_time_percent} %"))
            cells.append(extra)
        else:
            cells.append(empty())
        cells += [text_cell(v) if v else empty() for v in (c.pricing, c.prepaid_code)]
        cells += [
            text_cell(v) if v else empty() for v in _complementary_cells(c, complementary_labels)
        ]
        table.addElement(row_of(cells))
    doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()
