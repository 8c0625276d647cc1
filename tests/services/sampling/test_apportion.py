"""Largest-remainder apportionment (used by sampling and the demo council)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_app.services.sampling.apportion import largest_remainder

weights = st.dictionaries(
    st.text(min_size=1, max_size=4),
    st.integers(min_value=0, max_value=1000),
    min_size=1,
    max_size=30,
).filter(lambda w: sum(w.values()) > 0)


def test_a_known_case():
    assert largest_remainder(10, {"a": 5, "b": 3, "c": 2}) == {"a": 5, "b": 3, "c": 2}
    assert largest_remainder(7, {"a": 1, "b": 1, "c": 1}) == {"a": 3, "b": 2, "c": 2}


def test_zero_weights_get_nothing():
    assert largest_remainder(4, {"a": 0, "b": 1}) == {"a": 0, "b": 4}


def test_a_positive_total_needs_a_positive_weight():
    with pytest.raises(ValueError, match="zero weights"):
        largest_remainder(3, {"a": 0})


@given(st.integers(min_value=0, max_value=100_000), weights)
def test_parts_sum_to_the_total_and_each_is_within_one_of_its_quota(total, w):
    parts = largest_remainder(total, w)
    assert sum(parts.values()) == total
    whole = sum(w.values())
    for key, weight in w.items():
        quota = Fraction(total * weight, whole)
        assert quota - 1 < parts[key] < quota + 1


@given(st.integers(min_value=0, max_value=1000), weights)
def test_same_input_same_output(total, w):
    assert largest_remainder(total, w) == largest_remainder(total, dict(w))
