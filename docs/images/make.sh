#!/usr/bin/env bash
# The tutorial's pictures, seen in a real browser: runs the tutorial's
# counter with --trace-html and draws its Login protocol with
# `mpl protocol --svg`, opens both in headless Chromium (Debian's
# `chromium`, driven by Playwright), fails if either page logs an error,
# and saves the screenshots the tutorial shows: trace_counter.png and
# protocol_login.png. Needs a build of mpl (cargo build), Node.js and npm.
# Not run in CI (CI checks the HTML and SVG structurally: tests/trace.rs,
# tests/cli.rs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
mpl="$repo/target/debug/mpl"
cache="${MPL_PLAYWRIGHT:-$HOME/.cache/mpl-playwright}"
command -v chromium >/dev/null || { echo "needs: apt-get install chromium" >&2; exit 1; }
[ -d "$cache/node_modules/playwright-core" ] ||
  (mkdir -p "$cache" && cd "$cache" && npm install --no-audit --no-fund playwright-core@1.64.1 >/dev/null)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The tutorial's complete program that declares PROTOCOL.
program() {
  python3 - "$repo/docs/tutorial.md" "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for block in re.findall(r"^```mpl\n(.*?)^```", text, re.S | re.M):
    if f"protocol {sys.argv[2]} " in block:
        print(block, end="")
        break
PY
}
program Counter > "$work/counter.mpl"
program Login > "$work/login.mpl"
(cd "$work" && "$mpl" run --trace-html=trace.html counter.mpl > /dev/null &&
  "$mpl" protocol login.mpl Login --svg > login.svg)
printf '<!doctype html><html><body style="margin:8px;background:#fff"><img src="login.svg"></body></html>' \
  > "$work/login.html"
NODE_PATH="$cache/node_modules" node - "$work" "$here" <<'JS'
const { chromium } = require("playwright-core");
const [work, out] = process.argv.slice(2);
(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
      "--disable-background-networking", "--disable-component-update"],
  });
  const errors = [];
  for (const [page_, png, width] of [["trace.html", "trace_counter.png", 760],
                                      ["login.html", "protocol_login.png", 620]]) {
    const page = await browser.newPage({ viewport: { width, height: 400 } });
    page.on("console", (m) => { if (m.type() === "error") errors.push(`${page_}: ${m.text()}`); });
    page.on("pageerror", (e) => errors.push(`${page_}: ${e.message}`));
    await page.goto(`file://${work}/${page_}`, { waitUntil: "load" });
    await page.screenshot({ path: `${out}/${png}`, fullPage: true });
    await page.close();
  }
  await browser.close();
  if (errors.length) { console.error(errors.join("\n")); process.exit(1); }
})().catch((e) => { console.error(e); process.exit(1); });
JS
echo "docs/images/trace_counter.png and protocol_login.png written"
