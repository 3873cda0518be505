#!/usr/bin/env bash
# Installs Debian's ffmpeg (ffmpeg + ffprobe) unless it is already there. The LL-HLS packager
# (apps/packager) runs it to depacketize RTP and remux to fragmented MP4 (video copied, audio to AAC);
# its specs use ffmpeg to produce real RTP and ffprobe to validate segments.
# Idempotent; says what it does. Needs root (or sudo) the first time.
set -euo pipefail

"$(dirname "$0")/apt-ensure.sh" ffmpeg ffmpeg
"$(dirname "$0")/apt-ensure.sh" ffprobe ffmpeg
echo "[ffmpeg] $(command -v ffmpeg) ($(ffmpeg -hide_banner -version 2>/dev/null | head -n 1 || echo 'version unknown'))"
