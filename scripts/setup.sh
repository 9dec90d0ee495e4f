#!/bin/sh
# Installs the Debian packages and Go modules that Latent's tests, demo and
# benchmarks use. Safe to run again: it skips what is already installed.
set -eu
PKGS="python3-jupyter-client python3-jupyter-kernel-test python3-nbclient python3-nbconvert jupyter-nbconvert python3-nbformat jupyter-console python3-ipykernel jupyter-notebook python3-numpy python3-threadpoolctl python3-torch dataset-fashion-mnist chromium chromium-driver"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "setup: installing$missing"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
go mod download
