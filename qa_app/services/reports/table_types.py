"""A report table as plain data: the page, the PDF, the workbook and the API all show these."""

from dataclasses import dataclass, field


@dataclass
class Column:
    key: str
    label: str
    kind: str = "int"  # text | int | pct | dec (two decimal places) | num (as it is)


@dataclass
class Table:
    key: str  # also the workbook's sheet name (at most 31 characters)
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    empty: str = ""  # shown in place of rows when there are none; default "No audits."
