"""HTML to PDF with WeasyPrint (runs no JavaScript: anything drawn must be in the HTML/SVG).

Chosen over a headless browser because it is a pure library with no process to manage, and it
supports paged media CSS (page numbers, running headers) that councils expect in filed records.
"""

from pathlib import Path

CSS_DIR = Path(__file__).resolve().parent / "static" / "css"


def html_to_pdf(html: str, stylesheet: str = "pdf.css") -> bytes:
    """Render *html* with a stylesheet from ``static/css``; nothing is fetched from a network."""
    from weasyprint import CSS, HTML  # noqa: PLC0415  (≈0.8 s import: only when asked for)
    from weasyprint.urls import URLFetcher  # noqa: PLC0415

    fetcher = URLFetcher(allowed_protocols=("data",))
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(filename=str(CSS_DIR / stylesheet), url_fetcher=fetcher)]
    )


def warm_up() -> None:
    """Import WeasyPrint and lay out a tiny page, so a worker's first PDF is not slower than
    the rest (the import and font set-up take 1 to 3 seconds). gunicorn.conf.py calls it."""
    html_to_pdf(
        "<header class='running'>Casefile QA</header><h1>Casefile QA</h1><h2>Warm-up</h2>"
        "<table><tr><th>Key</th><td><strong>Bold</strong> <em>italic</em></td></tr></table>"
        "<p class='govuk-body-s'>Small text, 0123456789.</p>"
    )
