"""The local AI: speech-to-text (faster-whisper) and the coach. Never imports Qt."""
