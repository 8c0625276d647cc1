"""The one safe-redirect helper: whatever arrives as ``next``, the result is a path on this site."""

import string
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qa_app.security import safe_next_url, same_site_path

SITE = "https://qa.council.example/audits/7/pages/planning"
FALLBACK = "/fallback"

# Pieces that open redirects are made of, so generated strings hit the tricky cases often.
TRICKS = st.sampled_from(
    [
        "/",
        "//",
        "\\",
        "/\\",
        "\\/",
        "\t",
        "\n",
        "\r",
        "\x00",
        "\x7f",
        "\u200b",
        "\u2028",
        "\ufeff",
        " ",
        ":",
        "javascript:",
        "https:",
        "http://",
        "evil.example",
        "@",
        "%2F",
        "%5C",
        "..",
        "?",
        "#",
        "\u3002",
        "\uff0f",
        "é",
    ]
)
HOSTILE = st.lists(st.one_of(TRICKS, st.text(max_size=4)), max_size=8).map("".join)


def assert_same_site(result: str) -> None:
    assert result.startswith("/") and not result.startswith(("//", "/\\"))
    assert all(ch in string.printable and not ch.isspace() for ch in result), result
    parts = urlsplit(result)
    assert not parts.scheme and not parts.netloc
    # Resolved the way a browser resolves a Location header, it stays on this host.
    assert urlsplit(urljoin(SITE, result)).netloc == "qa.council.example"


@given(st.one_of(HOSTILE, st.text(), st.none()))
@example("/\\evil.example")
@example("//evil.example")
@example("/\t/evil.example")
@example("javascript:alert(1)")
@example("/%0d%0aSet-Cookie:x")
def test_the_result_is_always_a_same_site_path(target):
    result = safe_next_url(target, default=FALLBACK)
    assert_same_site(result)


@given(st.lists(st.sampled_from(string.ascii_letters + string.digits + "-_."), max_size=20))
def test_plain_paths_are_kept_as_they_are(chars):
    path = "/cases/" + "".join(chars) + "?page=2&team=3"
    assert same_site_path(path) == path


@pytest.mark.parametrize(
    "target",
    [
        "/\\evil.example",
        "\\\\evil.example",
        "//evil.example/x",
        "///evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\x00x",
        "/\u200bx",
        "",
        None,
        "cases",
        "/" + "a" * 2001,
    ],
)
def test_refused_targets_fall_back(target):
    assert same_site_path(target) is None


def test_non_ascii_is_percent_encoded():
    assert same_site_path("/cases/?child_id=Zoë") == "/cases/?child_id=Zo%C3%AB"
