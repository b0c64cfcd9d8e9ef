"""Every public page on the smallest phone we support (360×740): nothing scrolls sideways, and
no text or symbol is fainter than 4.5:1 against what is behind it (WCAG AA), issue 13."""

import pytest
from playwright.sync_api import Page

from tests.browser.test_board_phone import seed_published_board

pytestmark = pytest.mark.browser

# the contrast of each element's own text against the first opaque background behind it
LOW_CONTRAST = """() => {
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    const a = lum(parse(style.color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const what = `${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 9)}"`;
    if (ratio < 4.5) low.push(`${what} ${ratio.toFixed(2)}:1`);
  }
  return low;
}"""


def test_public_pages_fit_360_px_and_every_text_is_legible(live_server, page: Page, screenshot):
    code = seed_published_board(live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    pages = {
        "board": f"/{code}/board",
        "objection-missing": f"/{code}/board/objections/ZZZZZZZZ",
        "ballot-enter": f"/v/{code}/",
    }
    for name, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status in (200, 404), path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways at 360 px ({width} px wide)"
        assert page.evaluate(LOW_CONTRAST) == [], f"{path} has text below 4.5:1"
        screenshot(f"public-360-{name}")
