"""Small helpers for reading responses in tests."""

import re
from html import unescape


def page_text(response_or_html) -> str:
    """The visible text of a page, tags removed and whitespace collapsed."""
    html = (
        response_or_html
        if isinstance(response_or_html, str)
        else response_or_html.get_data(as_text=True)
    )
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def nav_labels(response_or_html) -> list[str]:
    html = (
        response_or_html
        if isinstance(response_or_html, str)
        else response_or_html.get_data(as_text=True)
    )
    # The service's sections; the account links that follow them are not counted.
    nav = re.search(
        r'<ul class="govuk-service-navigation__list".*?(?=<li class="govuk-service-navigation__item qa-account"|</ul>)',
        html,
        flags=re.S,
    )
    return (
        [page_text(a) for a in re.findall(r"<a [^>]*>(.*?)</a>", nav.group(0), flags=re.S)]
        if nav
        else []
    )
