#!/usr/bin/env bash
# Builds the Debian package of fronterad and frontera (docs/operations.md#install):
#   ./package.sh            → build-package/frontera_<version>_<arch>.deb
# FRONTERA_PACKAGE_BUILD_DIR=DIR builds in DIR instead. The build is a build directory of its
# own (never the tests' build/, whose options a developer may have changed); with ccache its
# objects are those of build/.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh
frontera_install_packages "${FRONTERA_BUILD_PACKAGES[@]}" "${FRONTERA_PACKAGE_PACKAGES[@]}"

dir=${FRONTERA_PACKAGE_BUILD_DIR:-build-package}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
# Only what the package holds; the tests are not built.
cmake --build "$dir" -j2 --target fronterad frontera man_pages
rm -f "$dir"/frontera_*.deb
(cd "$dir" && cpack -G DEB >/dev/null)
deb=$(ls "$dir"/frontera_*.deb)
echo "package.sh: $deb ($(du -k "$deb" | cut -f1) KiB)"
