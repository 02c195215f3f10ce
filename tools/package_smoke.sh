#!/usr/bin/env bash
# Smoke test of the PyInstaller bundle that `make package` builds: `make package-smoke`,
# and the CI workflow on Linux, macOS and Windows (Git Bash).
# Usage: tools/package_smoke.sh [BUNDLE]
#   (default: dist/greenroom; dist/Greenroom.app on macOS)
#
# The bundle runs with an empty home and data folder, from an empty folder, so it can lean
# on nothing but itself and the system. Everywhere it must print its version, list every
# bundled script and, where the system has a voice, coach the demo answer. On Linux it also
# runs with no network at all (a fresh network namespace holding only a loopback device)
# and a cleared environment, its desktop files are validated and its window must show on a
# virtual screen. On macOS the .app's Info.plist and icon are checked, on Windows the
# executable's version resource and icon. Any failed check exits non-zero.
set -euo pipefail

case "$(uname -s)" in
  Linux*) system=linux ;;
  Darwin*) system=macos ;;
  MINGW* | MSYS* | CYGWIN*) system=windows ;;
  *) echo "package smoke: FAIL: no smoke test for $(uname -s)" >&2; exit 1 ;;
esac

if [[ "$system" == linux && "${GREENROOM_SMOKE_ISOLATED:-}" != 1 ]]; then
  for unshare in "unshare -n" "unshare -rn"; do  # -r: without root, a user namespace allows it
    if $unshare true 2>/dev/null; then
      GREENROOM_SMOKE_ISOLATED=1 exec $unshare "$0" "$@"
    fi
  done
  echo "package smoke: FAIL: cannot take the network away (unshare -n needs root or" \
    "user namespaces)" >&2
  exit 1
fi

case "$system" in
  macos) default_bundle=dist/Greenroom.app; exe_in_bundle=Contents/MacOS/greenroom ;;
  windows) default_bundle=dist/greenroom; exe_in_bundle=greenroom.exe ;;
  *) default_bundle=dist/greenroom; exe_in_bundle=greenroom ;;
esac
bundle_arg="${1:-$(dirname "$0")/../$default_bundle}"
[[ -f "$bundle_arg/$exe_in_bundle" ]] || {
  echo "package smoke: no bundle at $bundle_arg; build it with make package" >&2
  exit 1
}
bundle=$(cd "$bundle_arg" && pwd)
exe="$bundle/$exe_in_bundle"
cd "$(dirname "$0")/.."
repo=$PWD
python=$(command -v python3 || command -v python)

work=$(mktemp -d -t greenroom-smoke.XXXXXX)
app_pid=""
xvfb_pid=""
cleanup() {
  [[ -n "$app_pid" ]] && kill "$app_pid" 2>/dev/null || true
  [[ -n "$xvfb_pid" ]] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "package smoke: FAIL: $*" >&2
  exit 1
}
ok() { echo "package smoke: ok: $*"; }

# --- no network ---------------------------------------------------------------------
# On Linux the whole check runs in a fresh network namespace: the bundle, and the Xvfb it
# draws on (X clients reach Xvfb through an abstract Unix socket, which belongs to a
# namespace). macOS and Windows have no such namespace; there the network stays.
if [[ "$system" == linux ]]; then
  devices=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/self/net/dev)
  [[ "$devices" == "lo" ]] || fail "the isolated namespace still has network devices: $devices"
  ok "runs in a network namespace with only: $devices"
fi

mkdir -p "$work/home" "$work/data" "$work/cwd"
# Runs the bundle from an empty folder with an empty home and data folder; extra
# VAR=value words go first. Linux and macOS pass nothing else on but PATH; Windows
# programs need the system's own variables (SYSTEMROOT, TEMP), so there the rest stays.
run_bundle() {
  case "$system" in
    windows)
      (cd "$work/cwd" && env HOME="$(cygpath -w "$work/home")" \
        USERPROFILE="$(cygpath -w "$work/home")" GREENROOM_HOME="$(cygpath -w "$work/data")" "$@")
      ;;
    macos)
      (cd "$work/cwd" && env -i PATH=/usr/bin:/bin:/usr/sbin HOME="$work/home" \
        GREENROOM_HOME="$work/data" LANG=en_US.UTF-8 "$@")
      ;;
    *)
      (cd "$work/cwd" && env -i PATH=/usr/bin:/bin HOME="$work/home" GREENROOM_HOME="$work/data" \
        LANG=C.UTF-8 "$@")
      ;;
  esac
}
# run_limited SECONDS COMMAND...: run_bundle, stopping a hung command. macOS has no
# `timeout`, but has perl; on Windows the job's own time limit does it (`timeout` there
# may be cmd's, not coreutils').
# The alarm outlives perl's exec and ends the command it became.
# shellcheck disable=SC2016  # perl, not the shell, reads these $ names
alarm_then_run='$s = shift; alarm $s; exec @ARGV or die "cannot run $ARGV[0]: $!\n"'
run_limited() {
  local seconds=$1
  shift
  case "$system" in
    linux) run_bundle timeout "$seconds" "$@" ;;
    macos) run_bundle perl -e "$alarm_then_run" "$seconds" "$@" ;;
    *) run_bundle "$@" ;;
  esac
}
# Windows programs end their lines with CR LF.
no_cr() { tr -d '\r'; }

# --- version ------------------------------------------------------------------------
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -1)
out=$(run_limited 60 "$exe" --version | no_cr) || fail "--version exited non-zero: $out"
[[ "$out" == "greenroom $version" ]] || fail "--version printed '$out', expected 'greenroom $version'"
ok "--version: $out"

# --- bundled scripts ----------------------------------------------------------------
out=$(run_limited 60 "$exe" scripts list 2>&1 | no_cr) || fail "scripts list exited non-zero: $out"
expected=0
for yaml in interview_scripts/*.yaml; do
  id=$(basename "$yaml" .yaml)
  grep -Eq "^$id +bundled " <<<"$out" || fail "scripts list lacks the bundled '$id':"$'\n'"$out"
  expected=$((expected + 1))
done
listed=$(grep -Ec '^[^ ]+ +bundled ' <<<"$out" || true)
[[ "$listed" -eq "$expected" && "$expected" -gt 0 ]] \
  || fail "scripts list shows $listed bundled scripts, expected $expected:"$'\n'"$out"
ok "scripts list: $listed bundled scripts"

# --- demo: speech synthesis, transcription and coaching, all inside the bundle --------
# The demo speaks its sample answer with the system's voice: espeak-ng on Linux, `say` on
# macOS, SAPI5 on Windows, where a server may have no voice installed.
voices=1
if [[ "$system" == windows ]]; then
  voices=$(powershell.exe -NoProfile -Command "Add-Type -AssemblyName System.Speech; \
    (New-Object System.Speech.Synthesis.SpeechSynthesizer).GetInstalledVoices().Count" | no_cr) \
    || voices=0
fi
if [[ "$voices" -ge 1 ]]; then
  started=$("$python" -c 'import time; print(time.monotonic_ns())')
  out=$(run_limited 180 "$exe" demo --no-speak 2>&1 | no_cr) \
    || fail "demo exited non-zero:"$'\n'"$out"
  demo_ms=$((($("$python" -c 'import time; print(time.monotonic_ns())') - started) / 1000000))
  transcript=$(grep -A1 '^Transcript:' <<<"$out" | tail -1 | sed 's/^ *//')
  [[ -n "$transcript" && "$transcript" != "(no speech recognised)" ]] \
    || fail "demo recognised no speech:"$'\n'"$out"
  words=$(wc -w <<<"$transcript")
  [[ "$words" -ge 20 ]] || fail "demo transcript has only $words words: $transcript"
  grep -q '^Feedback on question ' <<<"$out" || fail "demo printed no feedback:"$'\n'"$out"
  covered=$(grep -Ec '^\[x\] ' <<<"$out" || true)
  [[ "$covered" -ge 1 ]] || fail "demo feedback found none of the key points covered:"$'\n'"$out"
  grep -q '^Not available: ' <<<"$out" || fail "demo did not report the LLM review as unavailable"
  ok "demo: $((words)) words transcribed, $covered key points covered, in $demo_ms ms"
else
  echo "package smoke: skipped: demo (no text-to-speech voice installed on this machine)"
fi

# --- macOS: the .app's Info.plist and icon --------------------------------------------
if [[ "$system" == macos ]]; then
  plutil -lint "$bundle/Contents/Info.plist" >/dev/null || fail "Info.plist is not a valid plist"
  out=$("$python" - "$bundle" "$version" <<'PY'
import pathlib
import plistlib
import sys

app, version = pathlib.Path(sys.argv[1]), sys.argv[2]
info = plistlib.loads((app / "Contents" / "Info.plist").read_bytes())
problems = []
if "microphone" not in info.get("NSMicrophoneUsageDescription", "").lower() \
        and "record" not in info.get("NSMicrophoneUsageDescription", "").lower():
    problems.append("no NSMicrophoneUsageDescription: macOS would never ask for the microphone")
if info.get("CFBundleIdentifier") != "io.greenroom.Greenroom":
    problems.append(f"bundle id is {info.get('CFBundleIdentifier')!r}")
if info.get("CFBundleShortVersionString") != version:
    problems.append(f"version is {info.get('CFBundleShortVersionString')!r}, not {version!r}")
icon = app / "Contents" / "Resources" / info.get("CFBundleIconFile", "-")
if icon.suffix != ".icns" or not icon.is_file() or icon.read_bytes()[:4] != b"icns":
    problems.append(f"no .icns icon at {icon}")
print("; ".join(problems) or f"{info['CFBundleIdentifier']} {version}, icon {icon.name}")
sys.exit(1 if problems else 0)
PY
  ) || fail "Greenroom.app: $out"
  ok "Greenroom.app: $out, asks for the microphone"
fi

# --- Windows: the executable's version resource and icon -------------------------------
if [[ "$system" == windows ]]; then
  out=$("$python" - "$(cygpath -w "$exe")" "$version" <<'PY'
import sys

import pefile

exe, version = sys.argv[1], sys.argv[2]
pe = pefile.PE(exe)
strings = {}
for group in getattr(pe, "FileInfo", []):
    for entry in group:
        for table in getattr(entry, "StringTable", []):
            strings.update({k.decode(): v.decode() for k, v in table.entries.items()})
kinds = {e.id for e in pe.DIRECTORY_ENTRY_RESOURCE.entries}
problems = []
if strings.get("ProductVersion") != version:
    problems.append(f"ProductVersion is {strings.get('ProductVersion')!r}, not {version!r}")
if strings.get("OriginalFilename") != "greenroom.exe":
    problems.append("no OriginalFilename in the version resource")
if pefile.RESOURCE_TYPE["RT_GROUP_ICON"] not in kinds:
    problems.append("no icon resource")
print("; ".join(problems) or f"{strings['ProductName']} {strings['ProductVersion']}, with an icon")
sys.exit(1 if problems else 0)
PY
  ) || fail "greenroom.exe: $out"
  ok "greenroom.exe: $(no_cr <<<"$out")"
fi

if [[ "$system" != linux ]]; then
  echo "package smoke: all checks passed ($(du -sh "$bundle" | cut -f1) bundle)"
  exit 0
fi

# --- desktop metadata shipped in the bundle (Linux) -----------------------------------
share="$bundle/share"
desktop=$(find "$share/applications" -name '*.desktop' | head -1)
[[ -n "$desktop" ]] || fail "no desktop entry under $share/applications"
desktop-file-validate "$desktop" || fail "desktop-file-validate rejected $desktop"
icon=$(sed -n 's/^Icon=//p' "$desktop")
for size in 16 32 48 64 128 256; do
  [[ -s "$share/icons/hicolor/${size}x${size}/apps/$icon.png" ]] || fail "no ${size}px icon '$icon'"
done
[[ -s "$share/icons/hicolor/scalable/apps/$icon.svg" ]] || fail "no scalable icon '$icon'"
appstreamcli validate-tree --no-net --strict "$bundle" >/dev/null \
  || fail "appstreamcli validate-tree rejected $share"
ok "desktop entry, AppStream metadata and icons '$icon' are valid"

# --- the window, on a virtual screen (Linux) -------------------------------------------
# -fbdir keeps the screen in a file, so the check below reads what Qt really painted.
mkdir -p "$work/fb"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -fbdir "$work/fb" \
  3>"$work/display" 2>"$work/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 100); do [[ -s "$work/display" ]] && break; sleep 0.1; done
[[ -s "$work/display" ]] || fail "Xvfb did not start: $(cat "$work/xvfb.log")"
display=":$(head -1 "$work/display")"

started=$(date +%s%N)
run_bundle DISPLAY="$display" QT_QPA_PLATFORM=xcb "$exe" >"$work/window.log" 2>&1 &
app_pid=$!
window=""
for _ in $(seq 1500); do  # up to 60 s
  window=$(DISPLAY="$display" xdotool search --onlyvisible --name 'interview practice' \
    2>/dev/null | head -1 || true)
  [[ -n "$window" ]] && break
  kill -0 "$app_pid" 2>/dev/null || fail "the app exited before showing a window:"$'\n'"$(cat "$work/window.log")"
  sleep 0.02
done
[[ -n "$window" ]] || fail "no window within 60 s:"$'\n'"$(cat "$work/window.log")"
window_ms=$((($(date +%s%N) - started) / 1000000))
info=$(DISPLAY="$display" xwininfo -id "$window")
grep -q 'Map State: IsViewable' <<<"$info" || fail "window $window is not viewable:"$'\n'"$info"
width=$(awk '/^ *Width:/ { print $2 }' <<<"$info")
height=$(awk '/^ *Height:/ { print $2 }' <<<"$info")
x=$(awk '/Absolute upper-left X:/ { print $4 }' <<<"$info")
y=$(awk '/Absolute upper-left Y:/ { print $4 }' <<<"$info")
[[ "$width" -ge 400 && "$height" -ge 300 ]] || fail "window is only ${width}x${height}"
sleep 1  # let it paint, and make sure it stays up
kill -0 "$app_pid" 2>/dev/null || fail "the app died after showing its window:"$'\n'"$(cat "$work/window.log")"

# Reads the Xvfb frame buffer (an XWD file), counts the colours inside the window and keeps
# a PNG of the screen: a blank or single-colour window means nothing was drawn.
mkdir -p build
shot="$repo/build/package-smoke-window.png"
colours=$(python3 - "$work/fb/Xvfb_screen0" "$x" "$y" "$width" "$height" "$shot" <<'PY'
import struct
import sys
import zlib

path, x, y, w, h, png = sys.argv[1], *map(int, sys.argv[2:6]), sys.argv[6]
data = open(path, "rb").read()
header = struct.unpack(">25I", data[:100])
header_size, width, height = header[0], header[4], header[5]
bits_per_pixel, bytes_per_line, ncolours = header[11], header[12], header[19]
if bits_per_pixel != 32:
    sys.exit(f"unexpected {bits_per_pixel} bits per pixel")
pixels = memoryview(data)[header_size + 12 * ncolours:]
colours = set()
for row in range(y, min(y + h, height)):
    start = row * bytes_per_line + 4 * x
    colours.update(pixels[start:start + 4 * min(w, width - x)].cast("I"))
rows = []
for row in range(height):
    line = pixels[row * bytes_per_line:row * bytes_per_line + 4 * width]
    rgb = bytearray(3 * width)
    rgb[0::3], rgb[1::3], rgb[2::3] = line[2::4], line[1::4], line[0::4]
    rows.append(b"\0" + bytes(rgb))


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


with open(png, "wb") as out:
    out.write(b"\x89PNG\r\n\x1a\n")
    out.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
    out.write(chunk(b"IDAT", zlib.compress(b"".join(rows), 6)))
    out.write(chunk(b"IEND", b""))
print(len(colours))
PY
) || fail "could not read the virtual screen"
[[ "$colours" -ge 16 ]] || fail "the window shows only $colours colours: nothing drawn (see $shot)"
ok "window '$(DISPLAY="$display" xdotool getwindowname "$window")' ${width}x${height} mapped after ${window_ms} ms, $colours colours (screen: ${shot#"$repo"/})"

kill "$app_pid" 2>/dev/null || true
wait "$app_pid" 2>/dev/null || true
app_pid=""
echo "package smoke: all checks passed ($(du -sh "$bundle" | cut -f1) bundle)"
