"""Context values given as comma-separated text or lists (``infra.constructs.context``)."""

import pytest

from infra.constructs.context import comma_separated

pytestmark = pytest.mark.infra


@pytest.mark.parametrize(
    ("value", "items"),
    [
        (None, []),
        ("", []),
        (" a@x.in , b@x.in,, ", ["a@x.in", "b@x.in"]),
        (
            ["arn:aws:iam::1:role/a", " arn:aws:iam::1:role/b ", ""],
            ["arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"],
        ),
    ],
)
def test_a_context_list_is_its_trimmed_non_blank_items(value, items):
    """Given ``ops_emails``, ``bus_publishers`` or ``erasure_operators`` as ``-c`` text or a
    cdk.json list, When read, Then it is its non-blank items, trimmed; unset is empty."""
    assert comma_separated(value) == items
