#!/bin/sh
# Installs the Debian packages and Go modules that Latent's tests, demo and
# benchmarks use. Safe to run again: it skips what is already installed.
set -eu
cd "$(dirname "$0")/.."
PKGS="python3-jupyter-client python3-jupyter-kernel-test python3-nbclient python3-nbconvert jupyter-nbconvert python3-nbformat jupyter-console python3-ipykernel jupyter-notebook python3-numpy python3-threadpoolctl python3-torch python3-onnx dataset-fashion-mnist chromium chromium-driver"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# The browser test drives Chromium with playwright-core from npm. Machines
# with NodeSource's nodejs already have npm (Debian's npm would conflict).
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "setup: installing$missing"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
go mod download
[ -d tests/browser/node_modules ] || npm ci --prefix tests/browser --no-audit --no-fund --silent
