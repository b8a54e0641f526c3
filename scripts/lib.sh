# Shared helpers of the project's scripts (sourced, not run).

# apt_install PKG...: installs the Debian packages that are missing, once.
apt_install() {
  local missing=()
  local package
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  # Through `env`: sudo resets the environment, and a debconf question would then wait
  # unseen (the output goes to /dev/null).
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# require_swift: stops with a clear message when no Swift toolchain is on the PATH.
require_swift() {
  command -v swift >/dev/null 2>&1 && return 0
  echo "$(basename "$0"): swift is not on the PATH; inlet is built with Swift 6.1 or later (README \"Requirements\")" >&2
  exit 1
}

# The system libraries the package links: libcurl (the CCurl target) and SQLite (GRDB).
BUILD_PACKAGES=(libcurl4-openssl-dev libsqlite3-dev pkg-config)

# new_secret FILE: writes a random token to FILE unless it exists.
new_secret() {
  [ -s "$1" ] && return 0
  mkdir -p "$(dirname "$1")"
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$1")
}
