#!/usr/bin/env python3
"""Checks a C2SP tlog-tiles tree against RFC 6962, independently of Frontera.

usage: tlog_tiles_check.py DIR [DIR...]

Each DIR mirrors a log's URL space below its prefix: DIR/checkpoint (a C2SP
checkpoint: origin, tree size and base64 root hash on its first three lines;
signature lines are not checked here) and the files DIR/tile/<L>/<N>[.p/<W>]
and DIR/tile/entries/<N>[.p/<W>]. For the checkpoint's tree size the script

- derives from the spec alone which tiles and entry bundles that tree has
  (floor(s / 256**L) mod 256 wide when partial) and requires exactly those
  files, no more;
- decodes every entry bundle (big-endian uint16 length, then the bytes),
  hashes each entry as an RFC 6962 leaf, and computes each tile hash as
  MTH(D[(n*256+i) * 256**l : (n*256+i+1) * 256**l]) straight from the
  definition, comparing with every tile byte for byte;
- computes the root MTH(D[0:s]) and compares it with the checkpoint's;
- like a client holding only tiles, rebuilds the root and inclusion proofs
  (RFC 9162 2.1.3.1) of several leaves from the tile hashes, and verifies
  each proof against the checkpoint's root (RFC 9162 2.1.3.2).

Prints one line per DIR and exits non-zero on the first mismatch.
"""

import base64
import hashlib
import os
import sys

WIDTH = 256


def leaf_hash(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def largest_power_of_two_below(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves, a, b):
    """RFC 6962 2.1 MTH of leaf hashes leaves[a:b] (b > a)."""
    n = b - a
    if n == 1:
        return leaves[a]
    k = largest_power_of_two_below(n)
    return node_hash(mth(leaves, a, a + k), mth(leaves, a + k, b))


def index_path(n):
    groups = []
    while True:
        groups.append(n % 1000)
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    return "/".join(["x%03d" % g for g in groups[:-1]] + ["%03d" % groups[-1]])


def resource(kind, n, w):
    path = "tile/%s/%s" % (kind, index_path(n))
    return path if w == WIDTH else "%s.p/%d" % (path, w)


def expected_resources(size):
    """{path: (kind, level, index, width)} that a tree of `size` leaves has."""
    out = {}
    level = 0
    while size // WIDTH**level > 0:
        hashes = size // WIDTH**level
        for n in range((hashes + WIDTH - 1) // WIDTH):
            w = min(WIDTH, hashes - n * WIDTH)
            out[resource(str(level), n, w)] = ("hashes", level, n, w)
            if level == 0:
                out[resource("entries", n, w)] = ("entries", 0, n, w)
        level += 1
    return out


class Failure(Exception):
    pass


def check(directory):
    with open(os.path.join(directory, "checkpoint"), "rb") as f:
        lines = f.read().decode("utf-8").split("\n")
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
    if len(root) != 32 or size < 1:
        raise Failure("%s: checkpoint of size %d with a %d-byte root" % (directory, size, len(root)))

    expected = expected_resources(size)
    present = set()
    for dirpath, _, files in os.walk(os.path.join(directory, "tile")):
        for name in files:
            present.add(os.path.relpath(os.path.join(dirpath, name), directory))
    if present != set(expected):
        raise Failure("%s: tree of %d leaves: missing %s, unexpected %s" % (
            directory, size, sorted(set(expected) - present)[:5],
            sorted(present - set(expected))[:5]))

    def read(path):
        with open(os.path.join(directory, path), "rb") as f:
            return f.read()

    # The leaves, from the entry bundles alone.
    leaves = []
    for path, (kind, _, n, w) in sorted(expected.items(), key=lambda kv: kv[1][2]):
        if kind != "entries":
            continue
        if len(leaves) != n * WIDTH:
            raise Failure("%s: bundles out of order at %s" % (directory, path))
        data, at, count = read(path), 0, 0
        while at < len(data):
            if at + 2 > len(data):
                raise Failure("%s: %s ends inside a length prefix" % (directory, path))
            length = int.from_bytes(data[at:at + 2], "big")
            if at + 2 + length > len(data):
                raise Failure("%s: %s: entry %d overruns the bundle" % (directory, path, count))
            leaves.append(leaf_hash(data[at + 2:at + 2 + length]))
            at += 2 + length
            count += 1
        if count != w:
            raise Failure("%s: %s holds %d entries, expected %d" % (directory, path, count, w))
    if len(leaves) != size:
        raise Failure("%s: %d entries for a tree of %d" % (directory, len(leaves), size))

    # Every tile, hash by hash, from the definition.
    tiles = {}
    for path, (kind, level, n, w) in expected.items():
        if kind != "hashes":
            continue
        data = read(path)
        if len(data) != 32 * w:
            raise Failure("%s: %s has %d bytes, expected %d" % (directory, path, len(data), 32 * w))
        span = WIDTH**level
        for i in range(w):
            start = (n * WIDTH + i) * span
            if data[32 * i:32 * i + 32] != mth(leaves, start, start + span):
                raise Failure("%s: %s: hash %d differs from MTH(D[%d:%d])" % (
                    directory, path, i, start, start + span))
        tiles[(level, n)] = data

    if mth(leaves, 0, size) != root:
        raise Failure("%s: the entries' MTH is not the checkpoint's root" % directory)

    # A client with tiles only: the hash of the perfect subtree of height k
    # at index j, folded up from the tile level below it.
    def perfect(k, j):
        level, rest = divmod(k, 8)
        first = j << rest
        row = []
        for x in range(first, first + (1 << rest)):
            tile = tiles[(level, x // WIDTH)]
            row.append(tile[32 * (x % WIDTH):32 * (x % WIDTH) + 32])
        while len(row) > 1:
            row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row), 2)]
        return row[0]

    def subtree(a, b):
        n = b - a
        if n & (n - 1) == 0:
            k = n.bit_length() - 1
            return perfect(k, a >> k)
        k = largest_power_of_two_below(n)
        return node_hash(subtree(a, a + k), subtree(a + k, b))

    def path_of(m, a, b):  # RFC 9162 2.1.3.1 PATH(m, D[a:b]), m relative to a
        n = b - a
        if n == 1:
            return []
        k = largest_power_of_two_below(n)
        if m < k:
            return path_of(m, a, a + k) + [subtree(a + k, b)]
        return path_of(m - k, a + k, b) + [subtree(a, a + k)]

    def verify(index, leaf, proof):  # RFC 9162 2.1.3.2
        fn, sn, r = index, size - 1, leaf
        for p in proof:
            if sn == 0:
                return False
            if fn & 1 or fn == sn:
                r = node_hash(p, r)
                if not fn & 1:
                    while not fn & 1 and fn != 0:
                        fn >>= 1
                        sn >>= 1
            else:
                r = node_hash(r, p)
            fn >>= 1
            sn >>= 1
        return sn == 0 and r == root

    if subtree(0, size) != root:
        raise Failure("%s: the root from tiles is not the checkpoint's" % directory)
    probes = sorted({0, size // 2, size - 1, (size * 7) // 11, min(size - 1, 255),
                     min(size - 1, 256)})
    for index in probes:
        leaf = perfect(0, index)
        if leaf != leaves[index]:
            raise Failure("%s: leaf %d of the tile is not its entry's hash" % (directory, index))
        proof = path_of(index, 0, size)
        if not verify(index, leaf, proof):
            raise Failure("%s: the inclusion proof of leaf %d from tiles does not verify"
                          % (directory, index))
        wrong = bytes([leaf[0] ^ 1]) + leaf[1:]
        if verify(index, wrong, proof):
            raise Failure("%s: a wrong leaf %d verified" % (directory, index))

    print("%s: %s, %d leaves: %d resources match RFC 6962; inclusion proofs of %d leaves "
          "from tiles verify" % (directory, origin, size, len(expected), len(probes)))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    try:
        for directory in sys.argv[1:]:
            check(directory)
    except (Failure, OSError, ValueError, KeyError) as e:
        print("FAIL:", e)
        sys.exit(1)


if __name__ == "__main__":
    main()
