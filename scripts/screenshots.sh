#!/usr/bin/env bash
# Regenerates the README's pictures from the extension as it is: docs/panel.png (the panel beside
# a run file of the demo workspace), docs/structure.png (the structure view's heatmaps) and
# docs/latent.png (the Latent structure view: the cultural map beside the loadings).
#
# They are taken by two end-to-end scenarios (test/e2e/scenarios-docs.ts, scenarios-latent.ts) in
# code-server + chromium, 1400 x 900 window, on the bundled demo (synthetic data); this script runs
# those scenarios alone and copies their pictures into docs/. Needs what `npm run test:vscode` needs (the code-server
# of `npm run setup:code-server`, Debian's chromium).
#
# Usage: bash scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-code-server.sh
rm -f test-results/docs/panel.png test-results/docs/structure.png test-results/docs/latent.png
E2E_ONLY='^(Docs screenshots|Latent structure)' npm run test:vscode

limit=$((300 * 1024))
for name in panel structure latent; do
  src="test-results/docs/$name.png"
  [[ -f "$src" ]] || { echo "screenshots: $src was not written" >&2; exit 1; }
  cp "$src" "docs/$name.png"
  size=$(stat -c %s "docs/$name.png")
  echo "docs/$name.png: $((size / 1024)) KB"
  ((size <= limit)) || echo "screenshots: docs/$name.png is over 300 KB; crop it in test/e2e/scenarios-docs.ts" >&2
done
