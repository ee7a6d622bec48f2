"""Property tests: redirects stay on this site; masked phones never show the middle digits."""
from hypothesis import given, strategies as st

from consult.core.views import safe_next
from consult.places.queries import mask_phone


@given(st.text(max_size=60))
def test_safe_next_only_returns_local_paths(target):
    result = safe_next(target)
    assert result.startswith("/") and not result.startswith("//") and "\\" not in result
    assert not any(ord(ch) < 33 for ch in result)
    cleaned = "".join(ch for ch in result if ch not in "\t\n\r")
    assert not cleaned.startswith("//")


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_masked_phone_hides_the_middle(phone):
    masked = mask_phone(phone)
    assert masked[:3] == phone[:3] and masked[-4:] == phone[-4:] and masked[3:7] == "****"
