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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ballot_load import SECRET_KEY  # noqa: E402

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


def build(url: str, members: int, cadres: int, codes: int) -> tuple[str, list[str]]:
    """The village code and `codes` ballot codes of an open round of members and cadres."""
    from decimal import Decimal

    from flask_migrate import upgrade

    from starrating import create_app
    from starrating.extensions import db
    from starrating.models import Cadre, Member
    from starrating.rules.electorate import Electorate
    from starrating.rules.tokens import shown
    from starrating.rules.vocabulary import Gender, MemberCategory, Membership, Role
    from starrating.services.assessment import open_year
    from starrating.services.ballots import create_round, generate_codes, open_round
    from starrating.services.org import create_township, create_user, create_village
    from starrating.services.schemes import create_scheme

    app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        township = create_township(name="基准镇")
        village = create_village(township=township, name="基准村", code="bench", actor=None)
        secretary, _ = create_user(
            actor=None,
            username="bench-shuji",
            display_name="书记",
            role=Role.SECRETARY,
            village=village,
            password="bench-pass-1",  # noqa: S106
        )
        surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "建国桂兰秀英志强海燕"
        for i in range(members):
            name = surnames[i % 20] + given[(i // 20 * 2) % 10 : (i // 20 * 2) % 10 + 2]
            db.session.add(
                Member(
                    village=village,
                    name=name,
                    gender=Gender.MALE,
                    birth_date=date(1950 + i % 40, 1 + i % 12, 1 + i % 28),
                    membership=Membership.FULL,
                    category=MemberCategory.ORDINARY,
                )
            )
        for i in range(cadres):
            db.session.add(
                Cadre(village=village, name=f"干部{i + 1}", post="村委会委员", base_pay=Decimal(1))
            )
        create_scheme(actor=secretary, township=township, year=2026)
        open_year(actor=secretary, village=village, year=2026, rater_ids=[secretary.id])
        ballot_round = create_round(
            actor=secretary,
            village=village,
            year=2026,
            title="2026 年度党员和村干部满意度测评",
            members=True,
            cadres=cadres > 0,
            electorate=Electorate.VILLAGERS,
            eligible=codes,
        )
        printed = generate_codes(actor=secretary, ballot_round=ballot_round, count=codes)
        open_round(actor=secretary, ballot_round=ballot_round)
        db.session.commit()
        result = village.code, [shown(c.code) for c in printed]
        db.session.remove()
        db.engine.dispose()
    return result


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
        village_code, codes = build(url, args.members, args.cadres, args.runs * len(NETWORKS))
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
