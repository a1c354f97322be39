#!/usr/bin/env bash
# The extension in a real VS Code: installs code-server (VS Code in a
# browser) from the npm registry, installs the extension's .vsix into it,
# opens counter.mpl in headless Chromium and saves two screenshots to
# ../images/: a hover on a channel and a diagnostic. Needs Node.js 20, npm,
# Debian's chromium and ripgrep, and a build of mpl (cargo build). Not run
# in CI: it downloads a few hundred MB.
#
# code-server 4.100.3 is the last release for Node.js 20. Its install
# fetches ripgrep from GitHub, which this machine cannot reach, so the
# dependencies are installed without their scripts, Debian's rg is put
# where @vscode/ripgrep looks, and the native modules are rebuilt.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
cache="${MPL_CODE_SERVER:-$HOME/.cache/mpl-code-server}"
version=4.100.3
port="${PORT:-8123}"
export npm_config_yes=true

command -v chromium >/dev/null && command -v rg >/dev/null ||
  { echo "needs: apt-get install chromium ripgrep libkrb5-dev" >&2; exit 1; }

app="$cache/code-server-$version/package"
if [ ! -f "$app/.installed" ]; then
  mkdir -p "$cache/code-server-$version"
  (cd "$cache" && npm pack "code-server@$version" >/dev/null)
  tar xzf "$cache/code-server-$version.tgz" -C "$cache/code-server-$version"
  (cd "$app" && npm install --omit=dev --ignore-scripts && npm rebuild argon2)
  (cd "$app/lib/vscode" && npm install --omit=dev --ignore-scripts &&
    mkdir -p node_modules/@vscode/ripgrep/bin &&
    cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg &&
    npm rebuild --omit=dev && ln -sfn node_modules node_modules.asar)
  (cd "$app/lib/vscode/extensions" && npm install --omit=dev)
  touch "$app/.installed"
fi
[ -d "$cache/playwright/node_modules/playwright-core" ] ||
  (mkdir -p "$cache/playwright" && cd "$cache/playwright" && npm install playwright-core@1.64.1)

work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
(cd "$here/.." && npm install --no-audit --no-fund >/dev/null &&
  npx @vscode/vsce package --allow-missing-repository --no-rewrite-relative-links --out "$work/mpl.vsix" >/dev/null)
mkdir -p "$work/ws" "$work/data/User" "$work/ext"
cp "$here/counter.mpl" "$work/ws/"
cat > "$work/data/User/settings.json" <<SETTINGS
{
  "mpl.server.path": "$repo/target/debug/mpl",
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "workbench.colorTheme": "Default Light Modern",
  "editor.fontSize": 15,
  "editor.minimap.enabled": false,
  "window.commandCenter": false,
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "chat.disableAIFeatures": true
}
SETTINGS
code=(node "$app/out/node/entry.js" --user-data-dir "$work/data" --extensions-dir "$work/ext")
"${code[@]}" --install-extension "$work/mpl.vsix"
"${code[@]}" --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry \
  --disable-workspace-trust "$work/ws" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
mkdir -p "$here/../images"
CODE_URL="http://127.0.0.1:$port/?folder=$work/ws" IMAGES="$here/../images" \
  NODE_PATH="$cache/playwright/node_modules" node "$here/shoot.js"
echo "screenshots in editors/vscode/images/"
