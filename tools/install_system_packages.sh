#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Greenroom needs, once, through apt-get.
# Usage: tools/install_system_packages.sh run|test|package
#   run     - what the app needs (speech, audio, Qt runtime)
#   test    - also what the test suite needs (PulseAudio virtual microphone, Xvfb, the
#             desktop-entry and AppStream validators)
#   package - also what `make package` and its smoke test need (PyInstaller's binutils,
#             xdotool and xwininfo to find the bundle's window)
# When apt-get is missing or not permitted, prints the missing packages and exits 1.
set -euo pipefail

profile="${1:-run}"

run_pkgs=(
  espeak-ng            # the text-to-speech voice pyttsx3 drives on Linux
  libespeak-ng1
  libportaudio2        # PortAudio, which sounddevice records through
  libasound2-plugins   # lets PortAudio's ALSA backend reach PulseAudio/PipeWire
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
  libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xkb1  # Qt's xcb platform plugin
)
test_pkgs=(
  pulseaudio pulseaudio-utils  # the null-sink virtual microphone the audio tests record from
  xvfb                         # a virtual screen for the screenshot script and the bundle
  desktop-file-utils           # desktop-file-validate, for packaging/*.desktop
  appstream                    # appstreamcli, for the AppStream metadata
)
package_pkgs=(
  binutils                     # objdump and objcopy, which PyInstaller runs on Linux
  xdotool x11-utils            # find the bundle's window on the virtual screen; xwininfo
)

pkgs=("${run_pkgs[@]}")
case "$profile" in
  run) ;;
  test) pkgs+=("${test_pkgs[@]}") ;;
  package) pkgs+=("${test_pkgs[@]}" "${package_pkgs[@]}") ;;
  *) echo "usage: $0 run|test|package" >&2; exit 2 ;;
esac
# python3 -m venv needs ensurepip, which Debian ships separately.
if ! python3 -c "import ensurepip" >/dev/null 2>&1; then
  pkgs+=(python3-venv)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "greenroom setup: not a Debian/Ubuntu system; install the equivalents of: ${pkgs[*]}" >&2
  exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd=(sudo -n)
  else
    echo "greenroom setup: missing system packages: ${missing[*]}" >&2
    echo "  install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "greenroom setup: missing system packages and no apt-get: ${missing[*]}" >&2
  exit 1
fi

echo "greenroom setup: installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
if ! "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  echo "greenroom setup: apt-get could not install: ${missing[*]}" >&2
  exit 1
fi
