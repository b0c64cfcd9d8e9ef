# Shared by bin/test and bin/demo: messages, apt installs as root, and the project's .venv.
# Source it after setting REPO; SCRIPT_NAME names the caller in messages.
VENV="$REPO/.venv"
PYTHON="${STARRATING_PYTHON:-python3}"
SCRIPT_NAME="${SCRIPT_NAME:-$(basename "$0")}"

say() { printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() {
    printf '\n%s: ERROR: %s\n' "$SCRIPT_NAME" "$*" >&2
    exit 1
}
is_root() { [ "$(id -u)" -eq 0 ]; }
can_apt() { is_root && command -v apt-get >/dev/null 2>&1; }

# ---------------------------------------------------------------- apt helper
APT_UPDATED=0
# need_packages "what is missing" pkg... — installs as root on Debian, or
# stops with a message naming the packages.
need_packages() {
    local what="$1"
    shift
    if ! can_apt; then
        die "$what is missing. Install it (as root): apt-get install -y $*"
    fi
    export DEBIAN_FRONTEND=noninteractive
    if [ "$APT_UPDATED" = 0 ]; then
        say "$what is missing: apt-get update"
        apt-get update -q || die "apt-get update failed"
        APT_UPDATED=1
    fi
    say "apt-get install -y $*"
    apt-get install -y -q "$@" || die "apt-get install -y $* failed"
}

# ensure_venv [extra] — .venv with the project installed (pip install -e '.[extra]'),
# reinstalled only when pyproject.toml or the venv's Python changed.
ensure_venv() {
    local spec="." stamp="$VENV/.starrating-install-stamp-${1:-base}"
    [ -n "${1:-}" ] && spec=".[$1]"
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        need_packages "$PYTHON" python3 python3-venv
    fi
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "$PYTHON is $("$PYTHON" --version 2>&1); starrating needs Python >= 3.11"

    if [ -d "$VENV" ] && ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
        say ".venv is broken or too old: recreating it"
        rm -rf -- "$VENV"
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating .venv with $PYTHON -m venv"
        if ! "$PYTHON" -m venv "$VENV"; then
            rm -rf -- "$VENV"
            need_packages "Python's venv module (ensurepip)" python3-venv
            "$PYTHON" -m venv "$VENV" || { rm -rf -- "$VENV"; die "$PYTHON -m venv failed even after installing python3-venv"; }
        fi
    fi

    local want_stamp have_stamp
    want_stamp="$(
        {
            sha256sum pyproject.toml
            "$VENV/bin/python" -c 'import sys; print(sys.version)'
        } | sha256sum | cut -d' ' -f1
    )"
    have_stamp="$(cat "$stamp" 2>/dev/null || true)"
    if [ "$want_stamp" != "$have_stamp" ] \
        || ! "$VENV/bin/python" -c 'import importlib.metadata as m; m.version("starrating")' >/dev/null 2>&1; then
        say "installing the project: .venv/bin/pip install -e '$spec'"
        rm -f -- "$stamp"
        "$VENV/bin/pip" install --disable-pip-version-check -q -e "$spec" \
            || die "pip install -e '$spec' failed"
        printf '%s\n' "$want_stamp" >"$stamp"
    else
        say ".venv is up to date with pyproject.toml (delete $stamp to force a reinstall)"
    fi
}
