#!/usr/bin/env python3
"""Regenerates the committed zstd blobs from deterministic data (our own; needs the zstd CLI).
Prints the SHA-256 of each original, which ZstdBlobTests checks the decoded output against."""
import hashlib, random, subprocess

WORDS = "aster frame stream header trailer call service method deadline cancel session quic key peer".split()

def text(n, seed):
    rng = random.Random(seed)
    out = bytearray()
    while len(out) < n:
        out += (rng.choice(WORDS) + (". " if rng.random() < 0.1 else " ")).encode()
    return bytes(out[:n])

def noise(n, seed):
    return random.Random(seed).randbytes(n)

CASES = {
    "text-l1": (text(40_000, 1), ["-1"]),
    "text-l19": (text(40_000, 1), ["-19"]),
    "mixed-l3": (noise(20_000, 2) + bytes(200_000) + text(100_000, 3), ["-3"]),
    "nosize-nocheck-l3": (text(10_000, 4), ["-3", "--no-check", "--no-content-size"]),
    "long-l1": (noise(16_384, 5) + bytes(1_100_000) + noise(16_384, 5), ["-1", "--long=21"]),
    "tiny-l3": (b"hello, aster", ["-3"]),
}

for name, (data, args) in CASES.items():
    blob = subprocess.run(["zstd", "-q", "-c", *args], input=data, capture_output=True, check=True).stdout
    open(f"{name}.zst", "wb").write(blob)
    print(name, len(data), len(blob), hashlib.sha256(data).hexdigest())
