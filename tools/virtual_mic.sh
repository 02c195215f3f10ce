#!/usr/bin/env bash
# Starts or stops a private PulseAudio server whose default input is the monitor of a
# null sink: whatever a test plays into the sink "greenroom_mic" is what PortAudio hears
# as the microphone. Used by `make test`; no audio hardware needed.
# Usage: tools/virtual_mic.sh start|stop RUNTIME_DIR
set -euo pipefail
action="$1"
dir="$2"
export PULSE_RUNTIME_PATH="$dir"
case "$action" in
  start)
    mkdir -p "$dir"
    pulseaudio --kill >/dev/null 2>&1 || true
    pulseaudio --daemonize=yes --exit-idle-time=-1 --disallow-exit --disable-shm=yes -n \
      --load=module-native-protocol-unix \
      --load="module-null-sink sink_name=greenroom_mic rate=48000 channels=2" \
      --log-target="file:$dir/pulse.log" >/dev/null 2>&1
    for _ in $(seq 50); do
      pactl info >/dev/null 2>&1 && break
      sleep 0.1
    done
    pactl set-default-sink greenroom_mic
    pactl set-default-source greenroom_mic.monitor
    echo "virtual microphone ready (PULSE_RUNTIME_PATH=$dir)"
    ;;
  stop)
    pulseaudio --kill >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
