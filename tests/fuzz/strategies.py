"""Hypothesis strategies shared by the fuzz tests: mutated CSV files and hostile form values.

A mutated file starts from a real sample (a grid of cells read with ``;``), then goes through
one to three changes a person or a spreadsheet could make: drop, duplicate or swap a column,
drop or duplicate a row, change a cell (random text, formula, huge, long digits, unicode
digits), save with another separator or encoding, add or remove the BOM, truncate, insert
random bytes. Random bytes alone are drawn too.
"""

import csv
import io

from hypothesis import strategies as st

BOM = "\ufeff"

# Cells a spreadsheet, a hurried person or an attacker may write.
_SPECIAL_CELLS = st.sampled_from(
    [
        "",
        " ",
        "NA",
        "-",
        "0",
        "-1",
        "=1+1",
        "+33 6 12",
        "@SUM(A1)",
        '\'=HYPERLINK("x")',
        "²",
        "³",
        "٣",
        "1²",
        "12,5",
        "1e9",
        "99999999999999999999999999",
        "31/02/2026",
        "00/00/0000",
        "01/01/0001",
        "9999-12-31",
        "Oui",
        "Non",
        "Validée",
        '"',
        '""',
        "\u00a0",
        "\u202e",
        "\x00",
        "a\nb",
        "a;b",
    ]
)
# Digits of other scripts, superscripts, fractions, roman numerals: str.isdigit() says yes to
# some of them, int() to fewer.
_UNICODE_NUMBERS = st.text(
    alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=3
)
NASTY_CELLS = st.one_of(
    _SPECIAL_CELLS,
    _SPECIAL_CELLS,
    _UNICODE_NUMBERS,
    st.text(max_size=30),
    st.integers(-(10**30), 10**30).map(str),
    st.integers(1, 3).map(lambda n: ("X" * 70_000) * n),  # up to 210,000 characters
    st.integers(21, 60).map(lambda n: "9" * n),  # digits longer than the database's columns
)


def read_grid(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def write_grid(grid: list[list[str]], *, sep: str = ";", bom: bool = True) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(grid)
    return (BOM if bom else "") + out.getvalue()


@st.composite
def _grid_change(draw, grid: list[list[str]]) -> list[list[str]]:
    grid = [list(row) for row in grid]
    width = max((len(r) for r in grid), default=0)
    kind = draw(
        st.sampled_from(
            [
                "drop_column",
                "duplicate_column",
                "swap_columns",
                "drop_row",
                "duplicate_row",
                "cell",
                "cell",
                "cell",
                "header_cell",
                "short_row",
                "long_row",
                "only_header",
            ]
        )
    )
    if not grid or width == 0:
        return grid
    col = draw(st.integers(0, width - 1))
    row = draw(st.integers(1, max(1, len(grid) - 1))) if len(grid) > 1 else 0
    if kind == "drop_column":
        return [r[:col] + r[col + 1 :] for r in grid]
    if kind == "duplicate_column":
        return [r[: col + 1] + r[col : col + 1] + r[col + 1 :] for r in grid]
    if kind == "swap_columns":
        other = draw(st.integers(0, width - 1))
        for r in grid:
            if col < len(r) and other < len(r):
                r[col], r[other] = r[other], r[col]
        return grid
    if kind == "drop_row" and len(grid) > 1:
        return grid[:row] + grid[row + 1 :]
    if kind == "duplicate_row":
        return grid[: row + 1] + [list(grid[row])] + grid[row + 1 :]
    if kind == "header_cell":
        if col < len(grid[0]):
            grid[0][col] = draw(NASTY_CELLS)
        return grid
    if kind == "short_row":
        grid[row] = grid[row][: draw(st.integers(0, max(0, len(grid[row]) - 1)))]
        return grid
    if kind == "long_row":
        grid[row] = grid[row] + [draw(NASTY_CELLS)]
        return grid
    if kind == "only_header":
        return grid[:1]
    # a cell of a data row
    if col < len(grid[row]):
        grid[row][col] = draw(NASTY_CELLS)
    return grid


@st.composite
def _byte_change(draw, data: bytes) -> bytes:
    kind = draw(
        st.sampled_from(["truncate", "insert", "no_bom", "double_bom", "nul", "crlf", "none"])
    )
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if kind == "insert":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    if kind == "no_bom":
        return data.removeprefix(BOM.encode())
    if kind == "double_bom":
        return BOM.encode() + data
    if kind == "nul":
        at = draw(st.integers(0, len(data)))
        return data[:at] + b"\x00" + data[at:]
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n")
    return data


@st.composite
def mutated_csv(draw, sample: bytes) -> bytes:
    """The sample after one to three grid changes, re-saved, then maybe byte changes."""
    grid = read_grid(sample)
    for _ in range(draw(st.integers(1, 3))):
        grid = draw(_grid_change(grid))
    sep = draw(st.sampled_from([";", ";", ";", ",", "\t"]))
    text = write_grid(grid, sep=sep, bom=draw(st.booleans()))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "latin-1", "utf-16", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        data = draw(_byte_change(data))
    return data


def replace_cell(sample: bytes, row: int, col: int, value: str) -> bytes:
    """The sample with one cell replaced (for the explicit examples of a crash once found)."""
    grid = read_grid(sample)
    grid[row][col] = value
    return write_grid(grid).encode("utf-8")


@st.composite
def one_bad_cell(draw, sample: bytes, *, header: bool = False) -> bytes:
    """The sample with a single cell replaced, saved as Pix would (UTF-8, BOM, ``;``)."""
    grid = read_grid(sample)
    row = 0 if header else draw(st.integers(1, len(grid) - 1))
    col = draw(st.integers(0, len(grid[row]) - 1))
    grid[row][col] = draw(NASTY_CELLS)
    return write_grid(grid).encode("utf-8")


def hostile_files(sample: bytes):
    """What an importer must survive: mutated samples, random bytes, empty files."""
    return st.one_of(
        mutated_csv(sample),
        mutated_csv(sample),
        mutated_csv(sample),
        st.binary(max_size=600),
        st.just(b""),
        st.text(alphabet=";\"\n\r,0123456789aéÉ’'=-", max_size=300).map(str.encode),
    )


# File names: what browsers send (the multipart parser keeps only the base name). Random stems
# get an extension: Django's multipart parser answers 400 to a request whose extensionless
# file name is one Hangul character when the file has a line over 64 KB (framework quirk,
# nothing written, not a 500).
FILE_NAMES = st.one_of(
    st.sampled_from(
        [
            "export.csv",
            "Resultats-Collecte.csv",
            "résultats été.csv",
            "€€€.csv",
            "---.csv",
            "...csv",
            "a" * 300 + ".csv",
            "export.xlsx",
            "export",
            "日本語.csv",
            "\u202efdp.csv",
        ]
    ),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\"),
        min_size=1,
        max_size=40,
    ).map(lambda stem: stem + ".csv"),
)

# Values for form fields.
FORM_TEXT = st.one_of(
    NASTY_CELLS.filter(lambda s: len(s) < 20_000),
    st.text(max_size=300),
    st.just("x" * 5000),
)
FORM_NUMBER = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["0", "-1", "1", "20", "2147483648", "9223372036854775808", "1e3", "1,5"]),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    FORM_TEXT,
)
FORM_DATE = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "2026-02-30",
            "31/02/2026",
            "00/00/0000",
            "2026-13-01",
            "1899-12-31",
            "demain",
            "",
        ]
    ),
    FORM_TEXT,
)
FORM_DATETIME = st.one_of(
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    st.sampled_from(
        [
            "0001-01-01T00:00",
            "9999-12-31T23:59",
            "2026-03-29T02:30",  # does not exist in Paris (spring forward)
            "2025-10-26T02:30",  # exists twice in Paris
            "2026-02-30T10:00",
            "",
        ]
    ),
    FORM_DATE,
)
FORM_TIME = st.one_of(
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.sampled_from(["24:00", "25:61", "-1:00", "9h", ""]),
    FORM_TEXT,
)


# --- form posts -----------------------------------------------------------------------------


def maybe(strategy):
    """A field's value, or the field left out of the POST altogether."""
    return st.one_of(st.none(), strategy)


def post_data(**fields):
    return {name: value for name, value in fields.items() if value is not None}


def ids(*good):
    """An id of an object that exists, of one that doesn't, or garbage."""
    return st.one_of(
        st.sampled_from([str(pk) for pk in good] or ["1"]),
        st.sampled_from(["0", "-1", "999999", "9" * 25, "", "abc", "1.0", "1 OR 1=1"]),
        FORM_TEXT,
    )


def choices(values):
    return st.one_of(st.sampled_from(list(values)), FORM_TEXT)
