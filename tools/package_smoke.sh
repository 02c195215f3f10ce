#!/usr/bin/env bash
# Smoke test of the PyInstaller bundle that `make package` builds: `make package-smoke`.
# Usage: tools/package_smoke.sh [BUNDLE_DIR]   (default: dist/greenroom)
#
# The bundle runs with no network at all (a fresh network namespace holding only a
# loopback device), a cleared environment and an empty home, from an empty folder, so it
# can lean on nothing but itself and the system libraries. It must print its version,
# list every bundled script, coach the demo answer, and open its window on a virtual
# screen. Any failed check exits non-zero.
set -euo pipefail

if [[ "${GREENROOM_SMOKE_ISOLATED:-}" != 1 ]]; then
  for unshare in "unshare -n" "unshare -rn"; do  # -r: without root, a user namespace allows it
    if $unshare true 2>/dev/null; then
      GREENROOM_SMOKE_ISOLATED=1 exec $unshare "$0" "$@"
    fi
  done
  echo "package smoke: FAIL: cannot take the network away (unshare -n needs root or" \
    "user namespaces)" >&2
  exit 1
fi

bundle_arg="${1:-$(dirname "$0")/../dist/greenroom}"
[[ -x "$bundle_arg/greenroom" ]] || {
  echo "package smoke: no bundle at $bundle_arg; build it with make package" >&2
  exit 1
}
bundle=$(cd "$bundle_arg" && pwd)
exe="$bundle/greenroom"
cd "$(dirname "$0")/.."
repo=$PWD

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
# The whole check runs in a fresh network namespace: the bundle, and the Xvfb it draws on
# (X clients reach Xvfb through an abstract Unix socket, which belongs to a namespace).
devices=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/self/net/dev)
[[ "$devices" == "lo" ]] || fail "the isolated namespace still has network devices: $devices"
ok "runs in a network namespace with only: $devices"

mkdir -p "$work/home" "$work/data" "$work/cwd"
# Runs the bundle with nothing inherited but PATH; extra VAR=value words go first.
run_bundle() {
  (cd "$work/cwd" && env -i PATH=/usr/bin:/bin HOME="$work/home" GREENROOM_HOME="$work/data" \
    LANG=C.UTF-8 "$@")
}

# --- version ------------------------------------------------------------------------
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -1)
out=$(run_bundle timeout 60 "$exe" --version) || fail "--version exited non-zero: $out"
[[ "$out" == "greenroom $version" ]] || fail "--version printed '$out', expected 'greenroom $version'"
ok "--version: $out"

# --- bundled scripts ----------------------------------------------------------------
out=$(run_bundle timeout 60 "$exe" scripts list 2>&1) || fail "scripts list exited non-zero: $out"
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
started=$(date +%s%N)
out=$(run_bundle timeout 180 "$exe" demo --no-speak 2>&1) || fail "demo exited non-zero:"$'\n'"$out"
demo_ms=$((($(date +%s%N) - started) / 1000000))
transcript=$(grep -A1 '^Transcript:' <<<"$out" | tail -1 | sed 's/^ *//')
[[ -n "$transcript" && "$transcript" != "(no speech recognised)" ]] \
  || fail "demo recognised no speech:"$'\n'"$out"
words=$(wc -w <<<"$transcript")
[[ "$words" -ge 20 ]] || fail "demo transcript has only $words words: $transcript"
grep -q '^Feedback on question ' <<<"$out" || fail "demo printed no feedback:"$'\n'"$out"
covered=$(grep -Ec '^\[x\] ' <<<"$out" || true)
[[ "$covered" -ge 1 ]] || fail "demo feedback found none of the key points covered:"$'\n'"$out"
grep -q '^Not available: ' <<<"$out" || fail "demo did not report the LLM review as unavailable"
ok "demo: $words words transcribed, $covered key points covered, in $demo_ms ms"

# --- desktop metadata shipped in the bundle -------------------------------------------
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

# --- the window, on a virtual screen ----------------------------------------------------
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
