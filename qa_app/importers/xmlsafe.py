"""Hardened XML parsing (defusedxml): no DOCTYPE, no entities, no external references."""

from collections.abc import Iterator
from io import BytesIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import iterparse

from qa_app.importers.snapshot import StructuralError
from qa_app.importers.sources import SourceFile


def local(tag: str) -> str:
    """An element's name without any namespace."""
    return tag.rsplit("}", 1)[-1]


def text_of(element: Element | None) -> str:
    if element is None or element.text is None:
        return ""
    return element.text.strip()


def iter_elements(source: SourceFile, names: set[str]) -> Iterator[Element]:
    """Yield each complete element named in *names* (any depth), then free its memory.

    Refuses DOCTYPEs (and with them entity bombs and external entities) before any expansion.
    """
    try:
        for _event, element in iterparse(
            BytesIO(source.data),
            events=("end",),
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        ):
            if local(element.tag) in names:
                yield element
                element.clear()
    except DTDForbidden as exc:
        raise StructuralError(
            f"{source.name}: the file contains a document type declaration (DOCTYPE), which "
            "can declare entities or external references; it is refused for safety"
        ) from exc
    except EntitiesForbidden as exc:
        raise StructuralError(
            f"{source.name}: the file declares XML entities, which are refused for safety"
        ) from exc
    except ExternalReferenceForbidden as exc:
        raise StructuralError(
            f"{source.name}: the file refers to an external resource, which is refused for safety"
        ) from exc
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise StructuralError(
            f"{source.name}: not well-formed XML at line {line}, column {column + 1}"
        ) from exc
