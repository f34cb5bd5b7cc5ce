"""The long lists' phone cards: every cell carries its column's label from the template.

site.js labels the other stacked tables after the page has loaded; the issue and project lists are
marked data-labelled and skipped, so their labels must already be in the HTML, in the page's language.
"""

from html.parser import HTMLParser

import pytest

from projects.services.issues import issue_raise


class Cells(HTMLParser):
    """The table's headers and, per body row, each cell's data-label (None without one)."""

    def __init__(self):
        super().__init__()
        self.table = None
        self.headers, self.rows = [], []
        self._in, self._text = None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "table-stack" in attrs.get("class", "") and self.table is None:
            self.table = attrs
        elif tag == "th" and self.table is not None and not self.rows:
            self._text = []
        elif tag == "tr" and self._in == "tbody":
            self.rows.append([])
        elif tag == "td" and self._in == "tbody":
            self.rows[-1].append(None if "colspan" in attrs else attrs.get("data-label", ""))
        if tag in ("thead", "tbody"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == "th" and self._text is not None:
            self.headers.append("".join(self._text).strip())
            self._text = None
        elif tag == "table" and self.table is not None:
            self._in = "done"

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def cells(response):
    assert response.status_code == 200
    parser = Cells()
    parser.feed(response.content.decode())
    return parser


@pytest.mark.parametrize("path", ["/issues/", "/projects/"])
@pytest.mark.parametrize(("language", "word"), [("zh-hans", "项目"), ("en", "Project")])
def test_every_card_cell_is_labelled_with_its_column_header(zone, login, path, language, word):
    issue_raise(project=zone.project_a, category="permits", description="施工许可证办理", by=zone.grid)
    client = login(zone.coordinator)
    page = cells(client.get(path, HTTP_ACCEPT_LANGUAGE=language))
    assert "data-labelled" in page.table
    assert word in page.headers
    assert page.rows
    for row in page.rows:
        assert len(row) == len(page.headers)
        # The first cell is the card's title: no label. Every other cell: its header's text.
        assert row[1:] == page.headers[1:]
