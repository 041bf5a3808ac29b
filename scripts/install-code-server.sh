#!/usr/bin/env bash
# Installs the code-server (VS Code 1.100.3 served to a browser) that the end-to-end tests drive,
# into .vscode-test/code-server, from the lockfile pinned in scripts/code-server/.
#
# Works offline but for the npm registry and Debian's apt: nothing is downloaded from GitHub.
# Idempotent: a stamp file records what was installed; a second run with the same lockfile,
# Node major version and architecture returns at once. An interrupted install leaves no stamp,
# so the next run starts over.
#
# Usage: bash scripts/install-code-server.sh [--force]
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pin_dir="$repo_root/scripts/code-server"
dest="$repo_root/.vscode-test/code-server"
stamp="$dest/.installed"

# The @vscode/ripgrep that code-server 4.100.3's VS Code pins, and the ripgrep release its
# postinstall would download (lib/postinstall.js VERSION). Checked again after the install.
ripgrep_pkg_version="1.15.11"
ripgrep_release="v13.0.0-10"

log() { printf '[install-code-server] %s\n' "$*"; }
die() { printf '[install-code-server] error: %s\n' "$*" >&2; exit 1; }

force=false
[[ "${1:-}" == "--force" ]] && force=true

# --- 1. System packages: chromium (the browser the tests drive), ripgrep (search, in place of
# the binary @vscode/ripgrep would fetch from GitHub), kerberos headers and a C++ toolchain for
# the native modules VS Code compiles on install.
apt_packages=(chromium ripgrep libkrb5-dev g++ make python3)
missing=()
for p in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  if [[ "$(id -u)" != 0 ]]; then
    die "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})"
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi

# --- 2. Skip when the pinned version is already installed.
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[[ "$node_major" == 20 ]] || die "code-server 4.100.3 needs Node 20 (found $(node -v))"
want_stamp="$(cat "$pin_dir/package.json" "$pin_dir/package-lock.json" | sha256sum | cut -d' ' -f1) node$node_major $(uname -m)"
if ! $force && [[ -f "$stamp" ]] && [[ "$(cat "$stamp")" == "$want_stamp" ]] \
  && [[ -x "$dest/node_modules/.bin/code-server" ]]; then
  log "code-server $(node -p "require('$dest/node_modules/code-server/package.json').version") already installed in ${dest#"$repo_root"/}"
  exit 0
fi

started=$SECONDS
log "installing code-server from $(basename "$pin_dir")/package-lock.json into ${dest#"$repo_root"/} (compiles native modules: 2-3 minutes)"
rm -rf "$dest"
mkdir -p "$dest"
cp "$pin_dir/package.json" "$pin_dir/package-lock.json" "$dest/"

# Scratch space for the install (the ripgrep cache, node-gyp's files), removed afterwards.
work="$(mktemp -d "$repo_root/.vscode-test/install-XXXXXX")"
trap 'rm -rf "$work"' EXIT
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR"

# argon2 and kerberos first try a prebuilt binary from GitHub; offline that fails at once and
# they compile from source.

# --- 3. @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache already holds
# the release archive: put Debian's rg there, packed the way the release is (a bare `rg`).
case "$(uname -m)" in
  x86_64) rg_target=x86_64-unknown-linux-musl ;;
  aarch64) rg_target=aarch64-unknown-linux-musl ;;
  *) die "no ripgrep target known for $(uname -m)" ;;
esac
rg_cache="$TMPDIR/vscode-ripgrep-cache-$ripgrep_pkg_version"
mkdir -p "$rg_cache" "$work/rg"
cp "$(command -v rg)" "$work/rg/rg"
tar -czf "$rg_cache/ripgrep-$ripgrep_release-$rg_target.tar.gz" -C "$work/rg" rg

# --- 4. npm 11 runs no dependency install script unless package.json#allowScripts approves it
# (by exact name@version, checked against the lockfile's registry URL). code-server's own
# postinstall runs `npm install` again in lib/vscode and lib/vscode/extensions, projects of
# their own where our approvals do not reach; and an `allow-scripts` setting in an npmrc or the
# environment cannot help, as npm hands it down to those nested installs as an environment
# variable, which npm refuses in a project install. So: unpack everything without scripts, copy
# our approvals into those two package.json files, then run the install scripts. With
# `strict-allow-scripts`, a script nobody approved fails the install instead of leaving a
# half-built VS Code behind.
export npm_config_strict_allow_scripts=true
export npm_config_unsafe_perm=true        # code-server's postinstall refuses root without it
export npm_config_yes=true                # node-pty's install runs `npx node-gyp`
export npm_config_nodedir=/usr            # Debian's Node headers: never download them
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
export npm_config_loglevel=warn
# Keep registry URLs in lockfiles: npm matches allowScripts entries against them.
export npm_config_omit_lockfile_registry_resolved=false

(cd "$dest" && npm ci --ignore-scripts </dev/null)
node -e '
  const fs = require("node:fs");
  const { allowScripts } = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  for (const file of process.argv.slice(2)) {
    const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
    pkg.allowScripts = allowScripts;
    fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
  }
' "$pin_dir/package.json" \
  "$dest/node_modules/code-server/lib/vscode/package.json" \
  "$dest/node_modules/code-server/lib/vscode/extensions/package.json"
(cd "$dest" && npm rebuild </dev/null)

# --- 5. Check the install is complete: the native modules VS Code loads were built, and rg is
# in place. A skipped install script shows up here, not as a blank workbench in the tests.
vs="$dest/node_modules/code-server/lib/vscode"
[[ -x "$dest/node_modules/.bin/code-server" ]] || die "code-server binary missing"
have_rg_version="$(node -p "require('$vs/node_modules/@vscode/ripgrep/package.json').version")"
[[ "$have_rg_version" == "$ripgrep_pkg_version" ]] \
  || die "@vscode/ripgrep is $have_rg_version, this script prepared the cache for $ripgrep_pkg_version: update ripgrep_pkg_version/ripgrep_release"
[[ -x "$vs/node_modules/@vscode/ripgrep/bin/rg" ]] || die "ripgrep missing from @vscode/ripgrep"
for m in node-pty/build/Release/pty.node \
  @vscode/spdlog/build/Release/spdlog.node \
  native-watchdog/build/Release/watchdog.node \
  kerberos/build/Release/kerberos.node; do
  [[ -f "$vs/node_modules/$m" ]] || die "native module not built: lib/vscode/node_modules/$m"
done
ls "$dest"/node_modules/argon2/lib/binding/*/argon2.node >/dev/null 2>&1 || die "native module not built: argon2"
(cd "$vs" && node -e 'require("node-pty"); require("@vscode/spdlog"); require("native-watchdog")') \
  || die "a native module of VS Code does not load"
"$dest/node_modules/.bin/code-server" --version >/dev/null || die "code-server does not start"

echo "$want_stamp" >"$stamp"
log "installed $("$dest/node_modules/.bin/code-server" --version | head -1) in $((SECONDS - started)) s"
