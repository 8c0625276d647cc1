"""The shipped default thresholds: `qa_app/performance/thresholds.yaml`, read and checked.

Each indicator has its name, unit, bands (or none: not rated), a short rationale and the England
figure with its source and year (or a note saying it is not published). A file that breaks any
rule is refused whole, with a message naming the indicator and the field (docs/thresholds.md).
"""

from dataclasses import dataclass
from functools import lru_cache
from numbers import Real
from pathlib import Path

import yaml

from qa_app.services.performance.bands import Bands, BandsError, parse_bands

DEFAULTS_PATH = Path(__file__).resolve().parents[2] / "performance" / "thresholds.yaml"
FORMAT_VERSION = 1
UNITS = ("percent", "working_days", "weeks", "count", "ratio")
_FIELDS = {"name", "unit", "bands", "rationale", "england"}


class ThresholdFileError(ValueError):
    """The defaults file cannot be used; the message names the file, indicator and field."""


@dataclass(frozen=True)
class EnglandFigure:
    figure: float | None
    year: int | None = None
    source: str | None = None
    note: str | None = None  # why there is no figure


@dataclass(frozen=True)
class DefaultThresholds:
    key: str
    name: str
    unit: str
    bands: Bands | None  # None: the indicator is not rated
    rationale: str
    england: EnglandFigure


def parse_defaults(text: str, source: str = "thresholds.yaml") -> dict[str, DefaultThresholds]:
    """Every indicator's defaults from the YAML *text*; ThresholdFileError if any is wrong."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ThresholdFileError(f"{source}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        raise ThresholdFileError(f"{source}: format: must be {FORMAT_VERSION}")
    indicators = data.get("indicators")
    if not isinstance(indicators, dict) or not indicators:
        raise ThresholdFileError(f"{source}: indicators: must map each indicator key to its entry")
    return {
        str(key): _entry(str(key), entry, f"{source}: {key}") for key, entry in indicators.items()
    }


def _text(entry: dict, field: str, where: str) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ThresholdFileError(f"{where}: {field}: must be some text")
    return " ".join(value.split())


def _entry(key: str, entry: object, where: str) -> DefaultThresholds:
    if not isinstance(entry, dict):
        raise ThresholdFileError(f"{where}: must be a mapping of {', '.join(sorted(_FIELDS))}")
    missing = sorted(_FIELDS - set(entry))
    if missing:
        raise ThresholdFileError(f"{where}: missing field(s) {', '.join(missing)}")
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise ThresholdFileError(f"{where}: unknown field(s) {', '.join(unknown)}")
    if entry["unit"] not in UNITS:
        raise ThresholdFileError(f"{where}: unit: must be one of {', '.join(UNITS)}")
    bands = None
    if entry["bands"] is not None:
        try:
            bands = parse_bands(entry["bands"])
        except BandsError as exc:
            raise ThresholdFileError(f"{where}: {exc}") from exc
    return DefaultThresholds(
        key=key,
        name=_text(entry, "name", where),
        unit=entry["unit"],
        bands=bands,
        rationale=_text(entry, "rationale", where),
        england=_england(entry["england"], f"{where}: england"),
    )


def _england(data: object, where: str) -> EnglandFigure:
    if not isinstance(data, dict) or "figure" not in data:
        raise ThresholdFileError(f"{where}: must be a mapping with figure (a number or null)")
    unknown = sorted(set(data) - {"figure", "year", "source", "note"})
    if unknown:
        raise ThresholdFileError(f"{where}: unknown field(s) {', '.join(unknown)}")
    figure = data["figure"]
    if figure is None:
        note = data.get("note")
        if not isinstance(note, str) or not note.strip():
            raise ThresholdFileError(f"{where}: note: say why there is no figure")
        return EnglandFigure(None, note=" ".join(note.split()))
    if isinstance(figure, bool) or not isinstance(figure, Real):
        raise ThresholdFileError(f"{where}: figure: must be a number or null")
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ThresholdFileError(f"{where}: year: must be the year of the figure, e.g. 2025")
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ThresholdFileError(f"{where}: source: must name where the figure is published")
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        raise ThresholdFileError(f"{where}: note: must be text")
    return EnglandFigure(float(figure), year, " ".join(source.split()), note)


@lru_cache(maxsize=4)
def load_defaults(path: str = str(DEFAULTS_PATH)) -> dict[str, DefaultThresholds]:
    """The shipped defaults, read once per process."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ThresholdFileError(f"{file}: cannot be read ({exc.strerror})") from exc
    return parse_defaults(text, source=file.name)
