"""The trie-shaped alternation used to find protected names and redacted terms: it must match
exactly what the plain `a|b|c` alternation (longest term first) matches, case-insensitive or
not, whatever the terms."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.case.body import NameMap, alternation, replace_names

# letters that re.IGNORECASE treats as equal in more than one way (i ı İ I, s ſ S, k K K, µ μ Μ),
# Persian letters and spaces
ALPHABET = "aAbBiıİIsſSkKKµμΜ قلیی "
terms = st.lists(st.text(ALPHABET, min_size=1, max_size=6), min_size=1, max_size=8)
texts = st.text(ALPHABET, max_size=80)


def spans(pattern: str, text: str, flags: int) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(pattern, text, flags)]


def plain(ts) -> str:
    return "|".join(re.escape(t) for t in sorted(set(ts), key=lambda t: (-len(t), t)))


@settings(max_examples=400, deadline=None)
@given(terms, texts)
def test_trie_matches_what_the_plain_alternation_matches(ts, text):
    assert spans(alternation(ts), text, 0) == spans(plain(ts), text, 0)
    assert spans(alternation(ts, ignore_case=True), text, re.I) == spans(plain(ts), text, re.I)


def test_trie_shape_and_deep_nesting():
    assert alternation(["Ali", "Alireza", "Amir", "Al"]) == "A(?:l(?:i(?:reza)?)?|mir)"
    deep = ["a" * n for n in range(1, 400)]  # nesting too deep for a trie: plain alternation
    assert re.match(alternation(deep), "a" * 500).group() == "a" * 399
    assert re.search(alternation([]), "anything") is None


def test_replace_names_longest_first_and_case_insensitive():
    names = NameMap({"Ali": "Witness A", "Ali Rezaei": "Witness B", "علی": "شاهد"})
    assert replace_names("ALI REZAEI met ali; علی", names) == "Witness B met Witness A; شاهد"
    assert replace_names("Ali", {"ali": "W"}) == "W"  # a plain dict works too
