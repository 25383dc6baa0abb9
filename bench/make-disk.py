#!/usr/bin/env python3
"""Writes the benchmark's sparse raw disk: SIZE bytes, DATA bytes of seeded data in scattered runs, holes elsewhere.

usage: make-disk.py PATH [--size BYTES] [--data BYTES] [--seed N] [--compressible]

Runs are 1 to 8 MiB long (64 KiB aligned), one per 16 MiB stripe at a seeded position, so the data is
scattered over the whole disk. By default the data is pseudo-random (incompressible); --compressible
writes random hex digits instead (about 2:1 with zlib), for the compressed-qcow2 case.
"""
import argparse
import random

MIB = 1 << 20


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--size", type=int, default=4 << 30)
    parser.add_argument("--data", type=int, default=1 << 30)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--compressible", action="store_true")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    stripe = 16 * MIB
    stripes = args.size // stripe
    per_stripe = max(64 * 1024, args.data // stripes // (64 * 1024) * (64 * 1024))
    written = 0
    with open(args.path, "wb") as disk:
        disk.truncate(args.size)
        for index in range(stripes):
            if written >= args.data:
                break
            length = min(per_stripe + rng.randrange(-per_stripe // 2, per_stripe // 2 + 1, 64 * 1024),
                         stripe, args.data - written)
            length = max(64 * 1024, length // (64 * 1024) * (64 * 1024))
            start = index * stripe + rng.randrange(0, (stripe - length) // (64 * 1024) + 1) * 64 * 1024
            disk.seek(start)
            for chunk in range(0, length, MIB):
                n = min(MIB, length - chunk)
                if args.compressible:
                    disk.write(rng.randbytes(n // 2).hex().encode()[:n])
                else:
                    disk.write(rng.randbytes(n))
            written += length
    print(f"{args.path}: {args.size} bytes virtual, {written} bytes of data")


if __name__ == "__main__":
    main()
