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
  for (const el of document.body.querySelectorAll('input[placeholder]')) {
    if (!el.getClientRects().length || !el.placeholder.trim()) continue;
    const a = lum(parse(getComputedStyle(el, '::placeholder').color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(`placeholder "${el.placeholder.slice(0, 9)}" ${ratio.toFixed(2)}:1`);
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


def test_the_villagers_ballot_pages_fit_360_px_and_are_legible(live_server, page: Page, screenshot):
    """The 65-row ballot (with a row chosen, and the 「清除」 box showing), the receipt after
    voting, and the receipts page."""
    from tests.browser.test_ballot_long import _seed as seed_assembly

    assembly = seed_assembly(live_server)
    village_code = assembly.address.split("/v/", 1)[1].split("/", 1)[0]
    page.set_viewport_size({"width": 360, "height": 740})

    def check(name: str) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{name} scrolls sideways at 360 px ({width} px wide)"
        assert page.evaluate(LOW_CONTRAST) == [], f"{name} has text below 4.5:1"
        screenshot(f"public-360-{name}")

    page.goto(assembly.address)
    page.locator("fieldset[data-row]").nth(0).locator("label.choice").first.click()
    check("ballot-form")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交").click()
    page.get_by_role("heading", name="✓ 投票成功").wait_for()
    check("ballot-receipt")
    page.goto(f"{live_server.url}/v/{village_code}/receipts")
    check("ballot-receipts")
