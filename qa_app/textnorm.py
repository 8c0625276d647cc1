"""Text clean-up shared by importers, matching and forms (docs/formats.md#rules-every-format-shares)."""

import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
    }
)
_SPACE = re.compile(r"\s+")
# A cell beginning with one of these is run as a formula by Excel, LibreOffice and Google Sheets:
# importers refuse such child ids and CSV exports neutralise such cells.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: object) -> str:
    """NFKC, non-breaking spaces to spaces, straight quotes, single spaces, trimmed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).translate(_QUOTES)
    return _SPACE.sub(" ", text).strip()


def name_key(value: object) -> str:
    """A key under which two spellings of one team or person name compare equal.

    Case, spacing, quotes and full stops are ignored: "St. John's  Team" == "st johns team".
    """
    text = clean_text(value).casefold()
    text = re.sub(r"[.'\"`]", "", text)
    text = re.sub(r"[\s\-_/&,]+", " ", text)
    return text.strip()


def is_digits(value: str) -> bool:
    """True for ASCII digits only: ``str.isdigit`` also accepts '²' and '٣', which ``int`` refuses
    or reads differently, so a form value passing it could still raise."""
    return value.isascii() and value.isdigit()
