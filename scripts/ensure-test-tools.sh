#!/usr/bin/env bash
# `npm test`'s first step (the `pretest` script): makes sure the programs the tests run are here, so the
# README's `npm ci && npm test` works on a fresh machine. The completion tests load the generated scripts
# into zsh and fish; the HTML report is checked in headless Chromium, whose marks DejaVu draws; the local
# control plane is fetched with curl and unpacked with unzip (or Python 3). A missing one is installed
# when this runs as root on a machine with apt-get (a CI container, a fresh Debian); otherwise it stops
# here, naming what to install. It never lets a test skip itself instead: a missing tool is a failure.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

# Each missing tool as "command:package" (a package may bring several).
missing=()
have zsh || missing+=("zsh:zsh")
have fish || missing+=("fish:fish")
have curl || missing+=("curl:curl")
have unzip || have python3 || missing+=("unzip:unzip")
# Chromium: the Debian binary, another distribution's name, or the one HELMCYCLE_CHROMIUM names.
if [ -n "${HELMCYCLE_CHROMIUM:-}" ]; then
  [ -x "$HELMCYCLE_CHROMIUM" ] || { echo "ensure-test-tools: HELMCYCLE_CHROMIUM=$HELMCYCLE_CHROMIUM is not an executable file" >&2; exit 1; }
elif ! have chromium && ! have chromium-browser; then
  missing+=("chromium:chromium")
fi
# The report's marks (✖ ↷) are checked in screenshots: without DejaVu, Chromium draws empty boxes.
if ! { have fc-list && fc-list 2>/dev/null | grep -qi 'DejaVu Sans'; } && [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  missing+=("DejaVu fonts:fonts-dejavu-core")
fi

[ ${#missing[@]} -eq 0 ] && exit 0

tools=() packages=()
for entry in "${missing[@]}"; do
  tools+=("${entry%%:*}")
  packages+=("${entry#*:}")
done

if [ -z "${HELMCYCLE_TEST_TOOLS_INSTALLED:-}" ] && [ "$(id -u)" -eq 0 ] && have apt-get; then
  echo "ensure-test-tools: installing what the tests need: ${packages[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${packages[@]}" >/dev/null
  # Checked again, once: a package that installed nothing runnable (e.g. Ubuntu's chromium, a snap
  # stub) is still a failure, not a skip.
  HELMCYCLE_TEST_TOOLS_INSTALLED=1 exec bash "$0"
fi

after=${HELMCYCLE_TEST_TOOLS_INSTALLED:+ (still, after apt-get install)}
cat >&2 <<EOF
ensure-test-tools: the tests need programs this machine lacks${after}: ${tools[*]}.
Install them, then run the tests again; on Debian or Ubuntu:
    sudo apt-get install ${packages[*]}
(elsewhere: your system's packages for ${tools[*]}; Chromium may also be given as HELMCYCLE_CHROMIUM=/path/to/chromium).
EOF
exit 1
