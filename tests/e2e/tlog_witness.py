#!/usr/bin/env python3
"""A C2SP tlog-witness, written independently of Frontera's C++ code.

It serves POST <prefix>/add-checkpoint for one log (origin), whose signed-note
Ed25519 keys it is given, and answers as the spec says:
  - 404 for another origin, 403 when no signature by a known log key
    verifies, 400 for a malformed body or an old size above the checkpoint's;
  - 409 with its recorded size ("<n>\\n", text/x.tlog.size) when `old` is not
    that size, and 409 (text/plain) when `old` is the checkpoint's size but
    the root differs from the one it recorded;
  - 422 when the RFC 6962 consistency proof from its recorded tree does not
    verify;
  - else it records the new tree (atomically with the checks) and answers 200
    with one tlog-cosignature/v1 line by its own key.

Only the Python standard library and python3-cryptography (Ed25519).

  tlog_witness.py --name NAME --seed-hex HEX --origin ORIGIN \\
      --log-key NAME=BASE64_ED25519_KEY [--log-key ...] --port-file FILE \\
      [--prefix /path] [--state-file FILE]

It listens on 127.0.0.1 on a free port, written to --port-file once it
listens. SIGTERM stops it.
"""

import argparse
import base64
import hashlib
import http.server
import json
import os
import signal
import struct
import sys
import threading
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey, Ed25519PublicKey)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

EM_DASH = "\u2014"
MAX_PROOF_LINES = 63
MAX_BODY_BYTES = 1 << 20


def key_id(name, kind, public_key):
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public_key).digest()[:4]


def verify_consistency(old_size, new_size, old_root, new_root, proof):
    """RFC 9162 section 2.1.4.2, verifying a consistency proof."""

    def node(left, right):
        return hashlib.sha256(b"\x01" + left + right).digest()

    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0 or old_size > new_size:
        return False
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is a node
        proof = [old_root] + proof
    if not proof:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


class Refusal(Exception):
    def __init__(self, status, text, content_type="text/plain; charset=utf-8"):
        super().__init__(text)
        self.status = status
        self.text = text
        self.content_type = content_type


def parse_decimal(text, what):
    if not text.isdigit() or not text.isascii() or (len(text) > 1 and text[0] == "0"):
        raise Refusal(400, what + " is not a decimal without leading zeros")
    return int(text)


class Witness:
    def __init__(self, name, private_key, origin, log_keys, state_file):
        self.name = name
        self.private_key = private_key
        public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.cosign_id = key_id(name, 0x04, public)
        self.origin = origin
        # name -> (key id of a signed-note Ed25519 signature, public key)
        self.log_keys = {n: (key_id(n, 0x01, k), Ed25519PublicKey.from_public_bytes(k))
                         for n, k in log_keys.items()}
        self.state_file = state_file
        self.lock = threading.Lock()
        self.size, self.root = 0, None
        if state_file and os.path.exists(state_file):
            with open(state_file) as f:
                state = json.load(f)
            self.size, self.root = state["size"], base64.b64decode(state["root"])

    def persist(self):
        if not self.state_file:
            return
        tmp = self.state_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"size": self.size, "root": base64.b64encode(self.root).decode()}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.state_file)

    def add_checkpoint(self, body):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refusal(400, "not UTF-8")
        head, sep, note = text.partition("\n\n")
        if not sep:
            raise Refusal(400, "no empty line after the proof")
        lines = head.split("\n")
        if not lines[0].startswith("old "):
            raise Refusal(400, "the first line is not 'old <size>'")
        old = parse_decimal(lines[0][4:], "the old size")
        if len(lines) - 1 > MAX_PROOF_LINES:
            raise Refusal(400, "more than 63 proof lines")
        proof = []
        for line in lines[1:]:
            try:
                h = base64.b64decode(line, validate=True)
            except ValueError:
                raise Refusal(400, "a proof line is not base64")
            if len(h) != 32:
                raise Refusal(400, "a proof line is not a 32-byte hash")
            proof.append(h)
        # The note: text, empty line, signature lines.
        split = note.rfind("\n\n")
        if split < 0 or not note.endswith("\n"):
            raise Refusal(400, "the checkpoint is not a signed note")
        note_text, signatures = note[:split + 1], note[split + 2:]
        body_lines = note_text.split("\n")[:-1]
        if len(body_lines) < 3:
            raise Refusal(400, "the checkpoint needs origin, size and root lines")
        origin = body_lines[0]
        size = parse_decimal(body_lines[1], "the tree size")
        try:
            root = base64.b64decode(body_lines[2], validate=True)
        except ValueError:
            raise Refusal(400, "the root hash is not base64")
        if len(root) != 32:
            raise Refusal(400, "the root hash is not 32 bytes")
        if origin != self.origin:
            raise Refusal(404, "unknown origin " + origin)
        verified = False
        for line in signatures.split("\n")[:-1]:
            if not line.startswith(EM_DASH + " "):
                raise Refusal(400, "a signature line does not start with an em dash")
            name, _, sig64 = line[2:].partition(" ")
            try:
                blob = base64.b64decode(sig64, validate=True)
            except ValueError:
                raise Refusal(400, "a signature is not base64")
            known = self.log_keys.get(name)
            # Only signed-note Ed25519 signatures (4-byte key id, 64 bytes).
            if known is None or len(blob) != 68 or blob[:4] != known[0]:
                continue
            try:
                known[1].verify(blob[4:], note_text.encode())
                verified = True
            except InvalidSignature:
                pass
        if not verified:
            raise Refusal(403, "no signature by a known log key verifies")
        if old > size:
            raise Refusal(400, "old size above the checkpoint size")
        with self.lock:
            if old != self.size:
                raise Refusal(409, "%d\n" % self.size, "text/x.tlog.size")
            if old == 0 and proof:
                raise Refusal(400, "a proof from size 0")
            if old == size:
                if proof:
                    raise Refusal(400, "a proof between equal sizes")
                if self.root is not None and root != self.root:
                    raise Refusal(409, "another root at the recorded size")
            elif old != 0 and not verify_consistency(old, size, self.root, root, proof):
                raise Refusal(422, "the consistency proof does not verify")
            self.size, self.root = size, root
            self.persist()
        now = int(time.time())
        message = ("cosignature/v1\ntime %d\n" % now).encode() + note_text.encode()
        signature = self.private_key.sign(message)
        blob = self.cosign_id + struct.pack(">Q", now) + signature
        return "%s %s %s\n" % (EM_DASH, self.name, base64.b64encode(blob).decode())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--name", required=True)
    parser.add_argument("--seed-hex", required=True)
    parser.add_argument("--origin", required=True)
    parser.add_argument("--log-key", action="append", default=[], required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--prefix", default="")
    parser.add_argument("--state-file")
    args = parser.parse_args()

    log_keys = {}
    for entry in args.log_key:
        name, _, key = entry.partition("=")
        log_keys[name] = base64.b64decode(key)
    witness = Witness(args.name, Ed25519PrivateKey.from_private_bytes(bytes.fromhex(args.seed_hex)),
                      args.origin, log_keys, args.state_file)
    path = args.prefix + "/add-checkpoint"

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self, status, text, content_type="text/plain; charset=utf-8"):
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            if length > MAX_BODY_BYTES:
                self.answer(413, "too large\n")
                self.close_connection = True
                return
            body = self.rfile.read(length)
            if self.path != path:
                self.answer(404, "not found\n")
                return
            try:
                self.answer(200, witness.add_checkpoint(body))
            except Refusal as r:
                self.answer(r.status, r.text if r.text.endswith("\n") else r.text + "\n",
                            r.content_type)

        def log_message(self, fmt, *a):
            sys.stderr.write("tlog_witness: " + fmt % a + "\n")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
