#!/usr/bin/env bash
# Inspector verification benchmark (docs/PERFORMANCE.md, issue 4): prints the
# whole-process median of
#   1. offline `frontera verify --payload URI` (aim: <= 5 ms), and
#   2. `frontera verify photo.png`: decoding a 1000x1000 photo of a label and
#      verifying it offline (aim: <= 50 ms).
# Figures are printed, not asserted. Needs a running network with a
# certificate that carries a label:
#
#   FRONTERA_GENESIS=genesis.json tools/bench_verify.sh [NODE_URL] CERT_ID
#
# Environment: FRONTERA_BIN (default build/tools/frontera), FRONTERA_GENESIS
# (required), RUNS (default 200). Uses hyperfine, zbarimg (zbar-tools) and
# ImageMagick's `convert FILE.png ppm:-` (each installed with apt when missing), and python3.
set -euo pipefail

node="${1:-http://127.0.0.1:7001}"
cert_id="${2:-}"
frontera="${FRONTERA_BIN:-build/tools/frontera}"
runs="${RUNS:-200}"
if [[ -z "$cert_id" ]]; then
  echo "usage: FRONTERA_GENESIS=genesis.json $0 [NODE_URL] CERT_ID" >&2
  exit 64
fi
: "${FRONTERA_GENESIS:?set FRONTERA_GENESIS to the genesis file of the network}"
sudo_cmd=""
[[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
command -v hyperfine >/dev/null || $sudo_cmd apt-get install -y -qq hyperfine
command -v convert >/dev/null || $sudo_cmd apt-get install -y -qq imagemagick
command -v zbarimg >/dev/null || $sudo_cmd apt-get install -y -qq zbar-tools

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export FRONTERA_TRUST="$work/trust.json"

"$frontera" trust sync --node "$node" >/dev/null
"$frontera" label "$cert_id" -o "$work/label.png" --node "$node" >/dev/null
payload="$(zbarimg --quiet --raw "$work/label.png")"
# A photo-like 1000x1000 image: grey gradient, the label scaled to about half
# the frame and off centre, washed-out black and white, fixed-seed noise.
convert "$work/label.png" ppm:- >"$work/label.ppm"
python3 - "$work/label.ppm" "$work/photo.png" <<'PY'
import random, struct, sys, zlib
data = open(sys.argv[1], "rb").read()
fields, pos = [], 0
while len(fields) < 4:  # P6 width height maxval, whitespace separated (netpbm)
    while data[pos:pos + 1].isspace(): pos += 1
    start = pos
    while not data[pos:pos + 1].isspace(): pos += 1
    fields.append(data[start:pos])
pos += 1
magic, w, h = fields[0], int(fields[1]), int(fields[2])
channels = 3 if magic == b"P6" else 1
pixels = data[pos:]
size, scale_to = 1000, 520
random.seed(7)
rows = bytearray()
for y in range(size):
    rows.append(0)  # PNG filter type None
    for x in range(size):
        value = 170 - (x + y) // 25
        lx, ly = x - 310, y - 170
        if 0 <= lx < scale_to and 0 <= ly < scale_to:
            sx, sy = lx * w // scale_to, ly * h // scale_to
            value = 40 if pixels[(sy * w + sx) * channels] < 128 else 215
        rows.append(max(0, min(255, value + random.randint(-12, 12))))
def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b"")
open(sys.argv[2], "wb").write(png)
PY
"$frontera" verify --payload "$payload" >/dev/null  # exit 0 = AUTHENTIC, else say why
"$frontera" verify "$work/photo.png" >/dev/null

median_ms() {  # hyperfine JSON export → median in ms
  python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$1"
}
hyperfine --warmup 20 --runs "$runs" -N --export-json "$work/payload.json" \
  "$frontera verify --payload $payload" >/dev/null
hyperfine --warmup 5 --runs "$((runs / 4 + 1))" -N --export-json "$work/photo.json" \
  "$frontera verify $work/photo.png" >/dev/null

echo "offline verify --payload, whole process, median: $(median_ms "$work/payload.json") ms (aim <= 5)"
echo "decode 1000x1000 photo + verify, whole process, median: $(median_ms "$work/photo.json") ms (aim <= 50)"
