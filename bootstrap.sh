#!/usr/bin/env bash
# Gilgamesh: set everything up on a fresh Debian 12 / Python 3.11 machine, then
#   ./bootstrap.sh run     launch the app on the built-in demo testbed
#   ./bootstrap.sh test    run the whole test suite (what CI runs)
#   ./bootstrap.sh bench   run every benchmark
#   ./bootstrap.sh setup   only set up
# Extra arguments go to the app / pytest / the benchmarks.
set -euo pipefail
cd "$(dirname "$0")"
what="${1:-run}"; shift || true
PY="${PYTHON:-python3}"

as_root() { if [[ $(id -u) == 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "need root to run: $*" >&2; return 1; fi; }

system_packages() {
  local pkgs=()
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || pkgs+=(postgresql)   # throwaway test servers
  "$PY" -c "import venv, ensurepip" 2>/dev/null || pkgs+=(python3-venv)
  # Qt runtime libraries PySide6 needs, even offscreen; the xcb ones for a real screen
  local -A libs=([libEGL.so.1]=libegl1 [libGL.so.1]=libgl1 [libxkbcommon.so.0]=libxkbcommon0
                 [libfontconfig.so.1]=libfontconfig1 [libdbus-1.so.3]=libdbus-1-3 [libglib-2.0.so.0]=libglib2.0-0
                 [libxkbcommon-x11.so.0]=libxkbcommon-x11-0 [libxcb-cursor.so.0]=libxcb-cursor0
                 [libxcb-icccm.so.4]=libxcb-icccm4 [libxcb-keysyms.so.1]=libxcb-keysyms1
                 [libxcb-shape.so.0]=libxcb-shape0)
  for lib in "${!libs[@]}"; do ldconfig -p 2>/dev/null | grep -q "$lib" || pkgs+=("${libs[$lib]}"); done
  command -v runuser >/dev/null || pkgs+=(util-linux)
  if ((${#pkgs[@]})); then
    echo "installing system packages: ${pkgs[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  fi
}

python_env() {
  local stamp=.venv/.gilgamesh-installed want
  want=$(sha256sum pyproject.toml | cut -c1-16)
  [[ -x .venv/bin/python ]] || "$PY" -m venv .venv
  if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[dev]"
    .venv/bin/python -m core.machine.warmup   # compile the numba kernels once (cached)
    echo "$want" > "$stamp"
  fi
}

system_packages
python_env

case "$what" in
  setup) echo "set up: .venv ready";;
  run)
    [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" || "${QT_QPA_PLATFORM:-}" == offscreen ]] || {
      echo "No screen here (DISPLAY is unset). On a desktop this opens the app; headless, try:" >&2
      echo "  .venv/bin/gilgamesh screenshot gilgamesh.png" >&2; exit 1; }
    exec .venv/bin/gilgamesh "$@";;
  test)
    export QT_QPA_PLATFORM=offscreen
    exec .venv/bin/python -m pytest -q "$@";;
  bench)
    for b in bench/bench_*.py; do echo "== $b"; .venv/bin/python "$b" "$@"; done;;
  *) echo "usage: $0 [run|test|bench|setup]" >&2; exit 2;;
esac
