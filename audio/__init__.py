"""Sound in and out: microphone capture, playback, text-to-speech. Never imports Qt."""
