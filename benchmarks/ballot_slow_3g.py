"""Benchmark: how long a villager waits for the ballot on a slow phone network (issue 13).

    .venv/bin/python benchmarks/ballot_slow_3g.py [--runs 7] [--members 58] [--cadres 7]

A fresh SQLite database in a temporary folder (one village, an open round of --members members
and --cadres cadres, one code per run), gunicorn (2 sync workers) on 127.0.0.1, and Debian's
Chromium as a 360×740 phone whose network Chrome DevTools' presets throttle:

    Slow 3G: 2 000 ms round trip, 50 000 B/s down and up  (DevTools "Slow 3G")
    Fast 3G:   563 ms round trip, 180 000 B/s down, 84 375 B/s up  (DevTools "Fast 3G")

Per run, in a new browser context (an empty cache: the first scan of the printed QR):
  1. the scan: the QR address, its redirect and the ballot page with its CSS and JavaScript,
     until the load event; the bytes that crossed the network (compressed as sent);
  2. the same page again in that context (the static files now cached: a reload, or the next
     villager on the same phone);
  3. baseline, same context, same network: the village's code-entry page, the smallest page
     the app serves to a villager (its own CSS is cached by then).
Prints the medians and the ratio ballot ÷ baseline per run (median), which holds on a noisy
machine. Not part of the test suite; figures go to docs/PERFORMANCE.md.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ballot_load import SECRET_KEY, build  # noqa: E402

from starrating.rules.tokens import shown  # noqa: E402
from tests.live_server_process import LIVE_APP, LiveServer  # noqa: E402

NETWORKS = {
    "Slow 3G": {"latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000},
    "Fast 3G": {"latency": 562.5, "downloadThroughput": 180_000, "uploadThroughput": 84_375},
}
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def load(page, cdp, address: str) -> tuple[float, int]:
    """Seconds from navigating to the load event, and the bytes that came over the network."""
    sizes: dict[str, int] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    started = time.perf_counter()
    page.goto(address, wait_until="load")
    seconds = time.perf_counter() - started
    page.wait_for_timeout(50)  # the last loadingFinished events
    return seconds, sum(sizes.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--members", type=int, default=58)
    parser.add_argument("--cadres", type=int, default=7)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite"
        village_code, _, stored = build(
            url, args.members, args.runs * len(NETWORKS), cadres=args.cadres
        )
        codes = [shown(code) for code in stored]
        env = {"STARRATING_LIVE_DATABASE_URL": url, "STARRATING_LIVE_SECRET_KEY": SECRET_KEY}
        subjects = args.members + args.cadres
        print(
            f"ballot of {subjects} subjects ({args.members} members, {args.cadres} cadres); "
            f"{args.runs} runs per network; Chromium 360×740, gunicorn 2 sync workers"
        )
        with LiveServer(LIVE_APP, env, workers=2) as server, sync_playwright() as playwright:
            base = f"http://127.0.0.1:{server.port}"
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
            )
            for network, conditions in NETWORKS.items():
                cold, warm, baseline, ratios, sent = [], [], [], [], []
                for _ in range(args.runs):
                    code = codes.pop()
                    context = browser.new_context(
                        viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN"
                    )
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cdp.send("Network.emulateNetworkConditions", {"offline": False, **conditions})
                    seconds, size = load(page, cdp, f"{base}/v/{village_code}/t/{code}")
                    assert page.locator("fieldset[data-row]").count() == subjects
                    cold.append(seconds)
                    sent.append(size)
                    warm.append(load(page, cdp, f"{base}/v/{village_code}/ballot")[0])
                    floor = load(page, cdp, f"{base}/v/{village_code}/")[0]
                    baseline.append(floor)
                    ratios.append(seconds / floor)
                    context.close()
                print(
                    f"{network}: first scan {statistics.median(cold):.2f} s "
                    f"({statistics.median(sent) / 1000:.1f} kB over the network), "
                    f"again (static cached) {statistics.median(warm):.2f} s, "
                    f"baseline code-entry page {statistics.median(baseline):.2f} s; "
                    f"ratio first scan ÷ baseline {statistics.median(ratios):.2f}×"
                )
            browser.close()


if __name__ == "__main__":
    main()
