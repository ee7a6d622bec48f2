"""No table cell is squeezed on a phone: at 375 px every cell of every registered page, opened by
every kind of person who may see it, is at least two characters wide (and the page still does
not scroll sideways: a wide table scrolls inside its own box, or its rows become cards); no
date breaks across lines.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.e2e.conftest import check_no_sideways_scroll, login, set_large_text
from tests.factories import Factory
from tests.registry import GET_ROUTES, ROLES

pytestmark = pytest.mark.browser

_pages: dict[str, list] = defaultdict(list)
for _route in GET_ROUTES.values():
    if _route.html:
        for _role in ROLES:
            if _route.expected(_role) == _route.ok_status == 200:
                _pages[_role].append(_route)
PAGES_BY_ROLE = {role: _pages[role] for role in ROLES if _pages.get(role)}

#: Cells whose text box is narrower than two characters of their own font (visible cells with text).
NARROW_CELLS = """() => {
  const narrow = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const box = cell.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || !cell.textContent.trim()) continue;  // hidden or empty
    if (cell.closest('.visually-hidden')) continue;
    const style = getComputedStyle(cell);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const text = box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
      - parseFloat(style.borderLeftWidth) - parseFloat(style.borderRightWidth);
    const twoCharacters = 2 * parseFloat(style.fontSize);
    if (text < twoCharacters - 0.5) {
      narrow.push(`${cell.tagName.toLowerCase()} "${cell.textContent.trim().slice(0, 30)}" is ${text.toFixed(1)}px wide, `
                  + `two characters are ${twoCharacters}px`);
    }
  }
  return narrow;
}"""


#: Dates and times broken across lines (a <time> drawn as more than one line box).
BROKEN_DATES = """() => [...document.querySelectorAll('time')]
  .filter(t => new Set([...t.getClientRects()].map(r => Math.round(r.top))).size > 1)
  .map(t => `date "${t.textContent.trim()}" breaks across lines`)"""


def narrow_cells(page) -> list[str]:
    return page.evaluate(NARROW_CELLS) + page.evaluate(BROKEN_DATES)


def test_the_check_finds_a_squeezed_cell(page, live_server):
    """The check itself: a four-column table of Chinese text in 200 px squeezes, and is found."""
    page.goto("/healthz")
    # Built through the DOM, styled through CSSOM: the Content-Security-Policy refuses style attributes.
    page.evaluate("""() => { document.body.innerHTML = '<table><tr>' + '<td>和平社区居民委员会</td>'.repeat(4) + '</tr></table>';
                              document.querySelector('table').style.width = '100px'; }""")
    assert narrow_cells(page)
    page.evaluate("""() => { document.body.innerHTML = '<p><time>2026-11-30 10:00</time></p>';
                              document.querySelector('p').style.width = '60px'; }""")
    assert page.evaluate(BROKEN_DATES)
    page.evaluate("() => { document.querySelector('time').style.whiteSpace = 'nowrap'; }")
    assert not page.evaluate(BROKEN_DATES)


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("role", list(PAGES_BY_ROLE))
def test_no_table_cell_is_squeezed_on_a_phone(role, large, contexts, live_server, committed_db):
    world = Factory(committed_db.session).world()
    committed_db.session.commit()
    urls = [(route, route.sample(world)) for route in PAGES_BY_ROLE[role]]
    committed_db.session.commit()

    page = contexts.new_page()
    user = world.roles()[role]
    if user is None:
        page.goto("/")
    else:
        login(page, live_server, user.username)
    if large:
        set_large_text(page, True)

    problems: list[str] = []
    for route, url in urls:
        response = page.goto(url)
        if response is None or response.status != 200:
            problems.append(f"{url} as {role}: status {response and response.status}")
            continue
        problems += [f"{url} ({route.endpoint} as {role}): {cell}" for cell in narrow_cells(page)]
        try:
            check_no_sideways_scroll(page)
        except AssertionError as error:
            problems.append(f"{error} ({route.endpoint} as {role})")
    assert not problems, "\n".join(problems)
