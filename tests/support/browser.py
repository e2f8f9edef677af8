"""How tests and benchmarks start Debian's Chromium (Playwright's own download is not used)."""

CHROMIUM = "/usr/bin/chromium"
# Headless as root on a closed network: no sandbox, no GPU, and no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
