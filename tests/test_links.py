"""row_link (projects/links.py): a list's links written from one reversal, the same as reverse()'s."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from projects.links import row_link


@pytest.mark.parametrize(
    "name, ids",
    [
        ("project_detail", [1]),
        ("project_detail", [2**63 - 1]),
        ("issue_detail", [42]),
        ("visit_detail", [7]),
        ("project_visit_new", [3]),
        ("meeting_detail", [9]),
        ("plan_node", [12, 345]),
    ],
)
def test_the_same_links_as_reverse(name, ids):
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert row_link(name, arity=len(ids))(*ids) == reverse(name, args=ids)


def test_a_pattern_of_other_arguments_is_refused():
    with pytest.raises(NoReverseMatch):
        row_link("plan_node", arity=1)
