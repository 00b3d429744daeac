#!/usr/bin/env bash
# Install headless Chromium, chromedriver and fonts (Debian/Ubuntu packages) for the report
# renderer (`fullfunnel snapshot`) and its tests, only when /usr/bin/chromium or
# /usr/bin/chromedriver is missing. Idempotent and non-interactive; needs root (or sudo without
# a password). `make test` calls it before pytest. It ends by starting headless Chromium once
# on a blank page, so that a first start's one-off costs are paid here, not by a test.
set -euo pipefail

warm_up() {
    local profile started
    profile="$(mktemp -d)"
    started=$SECONDS
    if DBUS_SESSION_BUS_ADDRESS=disabled: timeout -k 5 120 /usr/bin/chromium --headless \
        --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --disable-dev-shm-usage \
        --user-data-dir="$profile" --dump-dom about:blank >/dev/null 2>&1; then
        echo "==> chromium started headless in $((SECONDS - started)) s"
    else
        echo "==> warning: chromium's first headless start failed or hung; the renderer retries" >&2
    fi
    rm -rf "$profile"
}

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
    echo "==> chromium already installed: $(/usr/bin/chromium --version 2>/dev/null | tail -n 1)"
    warm_up
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "install_chromium.sh: need root (or passwordless sudo) to apt-get install chromium" >&2
        exit 1
    fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_chromium.sh: apt-get not found; install chromium and chromium-driver by hand" >&2
    exit 1
fi

echo "==> installing chromium and chromium-driver (apt-get)"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    chromium chromium-driver fonts-dejavu-core fonts-liberation >/dev/null
echo "==> $(/usr/bin/chromium --version 2>/dev/null | tail -n 1), $(/usr/bin/chromedriver --version)"
warm_up
