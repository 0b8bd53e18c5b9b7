#!/bin/sh
# setup.sh — installs what the browser journeys need, on a fresh Debian 12
# (run as root, as on the project's machines and CI). Idempotent: does
# nothing that is already done. Prints each step; exits non-zero if it
# cannot finish.
#
#   chromium + fonts-noto-cjk  (apt-get; Debian's browser, CJK fonts for
#                               the zh-CN pages and screenshots)
#   playwright-core            (npm ci from package-lock.json; this package
#                               downloads no browser, it drives /usr/bin/chromium)
set -eu

here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)

say() { printf 'setup.sh: %s\n' "$*"; }
die() { printf 'setup.sh: error: %s\n' "$*" >&2; exit 1; }

if [ -x /usr/bin/chromium ]; then
	say "chromium present: /usr/bin/chromium"
else
	command -v apt-get >/dev/null 2>&1 || die "/usr/bin/chromium is missing and apt-get is not available"
	if [ "$(id -u)" -eq 0 ]; then sudo=""; else
		command -v sudo >/dev/null 2>&1 || die "/usr/bin/chromium is missing; need root (or sudo) to apt-get install it"
		sudo="sudo"
	fi
	say "installing chromium and fonts-noto-cjk with apt-get"
	$sudo apt-get update || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends chromium fonts-noto-cjk \
		|| die "apt-get install chromium fonts-noto-cjk failed"
	[ -x /usr/bin/chromium ] || die "/usr/bin/chromium still missing after apt-get install"
fi

# The pages are zh-CN: without a CJK font the screenshots show boxes.
if command -v fc-list >/dev/null 2>&1 && ! fc-list :lang=zh 2>/dev/null | grep -q .; then
	command -v apt-get >/dev/null 2>&1 || die "no CJK font installed and apt-get is not available"
	say "no Chinese font found: installing fonts-noto-cjk with apt-get"
	if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
	$sudo apt-get update || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends fonts-noto-cjk \
		|| die "apt-get install fonts-noto-cjk failed"
else
	say "Chinese font present"
fi

command -v node >/dev/null 2>&1 || die "node is not installed (Node 20 or newer is needed)"
command -v npm >/dev/null 2>&1 || die "npm is not installed"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || die "node $(node --version) is too old: Node 20 or newer is needed (node --test)"
say "node $(node --version)"

if [ -d "$here/node_modules/playwright-core" ]; then
	say "node_modules present in $here"
else
	say "running npm ci in $here"
	(cd "$here" && npm ci --no-audit --no-fund) || die "npm ci failed"
fi

say "ready: cd $here && JUWEI_BIN=/path/to/juwei node --test"
