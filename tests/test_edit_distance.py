from hypothesis import given, strategies as st

from search.query.spelling import edit_distance

words = st.text(alphabet="орманқа", max_size=8)


def reference(a: str, b: str) -> int:
    """Optimal string alignment distance, the textbook table."""
    d = [[i + j if not i * j else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


@given(words, words, st.integers(min_value=1, max_value=3))
def test_edit_distance_is_exact_within_its_limit_and_says_past_it(a, b, limit):
    expected = reference(a, b)
    assert edit_distance(a, b, limit) == (expected if expected <= limit else limit + 1)


def test_a_swap_of_neighbours_is_one_edit():
    assert edit_distance("ормна", "орман", 2) == 1
