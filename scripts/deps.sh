# Sourced by run.sh and test.sh: installs the Debian 12 packages Frontera
# needs, only those missing. Nothing is downloaded but Debian packages.

FRONTERA_BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libsodium-dev librocksdb-dev libboost-dev libboost-system-dev nlohmann-json3-dev
  libcpp-httplib-dev doctest-dev libcli11-dev libspdlog-dev libtomlplusplus-dev
  libzxing-dev libstb-dev libssl-dev
)
# What run.sh and the README's walk-through use besides the build.
FRONTERA_RUN_PACKAGES=(curl python3 openssl)
# What ./package.sh needs besides the build (man pages; dpkg-shlibdeps for the
# package's dependencies), and what ./test.sh --package adds (a fresh Debian root
# booted with systemd-nspawn).
FRONTERA_PACKAGE_PACKAGES=(help2man dpkg-dev)
FRONTERA_PACKAGE_TEST_PACKAGES=(mmdebstrap systemd-container curl)
FRONTERA_TEST_PACKAGES=(clang-16 libclang-rt-16-dev clang-format curl python3 python3-jsonschema
  python3-rfc3987 python3-cryptography nodejs zbar-tools chromium libnss3-tools hyperfine
  prometheus
  ccache git)

frontera_install_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
