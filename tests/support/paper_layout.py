"""Reading WeasyPrint's layout of the board paper (the PDF's renderer) in tests."""

SVG = "{http://www.w3.org/2000/svg}"
PX_PER_PT = 96 / 72


def boxes(box):
    """*box* and every box inside it, depth first."""
    yield box
    for child in getattr(box, "children", None) or []:
        yield from boxes(child)


def font_sizes(svg) -> list[float]:
    """The font size of every piece of text in an SVG element (inherited from the root)."""
    root = float(svg.get("font-size", 16))
    return [float(t.get("font-size", root)) for t in svg.iter(f"{SVG}text")]
