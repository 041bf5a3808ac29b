#!/bin/sh
# Install what the benchmark anchors need (bench/anchors/), only what is missing; idempotent and
# non-interactive. Debian/Ubuntu with apt; run as root (or it re-runs itself with sudo).
#   python3-numpy python3-scipy python3-pandas   typical.py, strong.py (run with /usr/bin/python3)
#   python3-matplotlib                            the scaling plot (plot-scaling.py)
#   r-base-core r-cran-psych                      the polychoric anchor (polychoric.R)
#   OpenBLAS                                      Debian's python3-numpy uses whatever libblas.so.3 the
#                                                 system selects; without an optimised BLAS that is the
#                                                 netlib reference BLAS, several times slower than the
#                                                 OpenBLAS a pip-installed numpy bundles. By default
#                                                 Debian's libopenblas0-pthread is UNPACKED into
#                                                 bench/data/.openblas (git-ignored) and the anchors put
#                                                 it on their own library path (common.pin_threads): the
#                                                 rest of the machine keeps its BLAS. With
#                                                 --system-openblas it is installed system-wide instead.
# Usage: sh bench/install-anchors.sh [--system-openblas] [--no-openblas]
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
LOCAL_BLAS="$HERE/data/.openblas"
MODE=local
for arg in "$@"; do
  case "$arg" in
    --system-openblas) MODE=system ;;
    --no-openblas) MODE=none ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  exec sudo sh "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

PKGS="python3-numpy python3-scipy python3-pandas python3-matplotlib r-base-core r-cran-psych libgfortran5"
if [ "$MODE" = system ]; then PKGS="$PKGS libopenblas0-pthread"; fi
MISSING=""
for p in $PKGS; do installed "$p" || MISSING="$MISSING $p"; done

UPDATED=no
if [ -n "$MISSING" ]; then
  echo "installing:$MISSING"
  apt-get update -q
  UPDATED=yes
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $MISSING
else
  echo "apt packages already installed: $PKGS"
fi

if [ "$MODE" = local ]; then
  if installed libopenblas0-pthread || installed libopenblas0-openmp || installed libopenblas0-serial; then
    echo "OpenBLAS is installed system-wide; nothing to unpack"
  elif [ -d "$LOCAL_BLAS/usr/lib/x86_64-linux-gnu/openblas-pthread" ]; then
    echo "OpenBLAS already unpacked in $LOCAL_BLAS"
  else
    TMP=$(mktemp -d)
    trap 'rm -rf "$TMP"' EXIT
    if ! (cd "$TMP" && apt-get download -q -o APT::Sandbox::User=root libopenblas0-pthread); then
      [ "$UPDATED" = yes ] || apt-get update -q
      (cd "$TMP" && apt-get download -q -o APT::Sandbox::User=root libopenblas0-pthread)
    fi
    mkdir -p "$LOCAL_BLAS"
    dpkg-deb -x "$TMP"/libopenblas0-pthread_*.deb "$LOCAL_BLAS"
    echo "OpenBLAS unpacked in $LOCAL_BLAS (used by the anchors only)"
  fi
fi
