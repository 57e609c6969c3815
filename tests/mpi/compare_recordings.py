"""Compares the recordings of spikeflow runs byte for byte: every dataset under /spikes and
/report of each candidate must equal the reference's, with the same dtype and shape. With
--weights, every weight snapshot must hold the same rows (source, target, delay, weight, bit
for bit); their order is the engine's storage order, which follows the partitions, so the
rows of each snapshot are compared sorted. Prints one line per candidate; exits 1 on the
first difference.

    /usr/bin/python3 compare_recordings.py REF.h5 CANDIDATE.h5... [--weights] [--ranks N...]
"""
import sys

import h5py
import numpy as np


def datasets(f, roots):
    out = {}
    for root in roots:
        if root not in f:
            continue

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[f"{root}/{name}"] = obj[()]

        f[root].visititems(visit)
    return out


def snapshots(f):
    """Per weight recording and snapshot: times, and the rows as sorted bytes."""
    out = {}
    for name, g in f.get("weights", {}).items():
        offsets, times = g["offsets"][()], g["times"][()]
        rows = np.rec.fromarrays([g["source"][()], g["target"][()], g["delay"][()],
                                  g["weight"][()]], names="s,t,d,w")
        for k in range(len(times)):
            end = offsets[k + 1] if k + 1 < len(offsets) else len(rows)
            part = np.sort(rows[offsets[k]:end], order=["s", "t", "d", "w"])
            out[(name, float(times[k]))] = part.tobytes()
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    roots = ["spikes", "report"]
    weights = "--weights" in sys.argv
    ref_path, candidates = args[0], args[1:]
    with h5py.File(ref_path, "r") as f:
        ref = datasets(f, roots)
        ref_snapshots = snapshots(f) if weights else {}
    spikes = sum(len(v) for k, v in ref.items() if k.endswith("/timestamps"))
    if spikes == 0:
        sys.exit(f"FAIL: {ref_path} holds no spikes; the comparison would mean nothing")
    for path in candidates:
        with h5py.File(path, "r") as f:
            got = datasets(f, roots)
            got_snapshots = snapshots(f) if weights else {}
        if set(got) != set(ref):
            sys.exit(f"FAIL: {path}: datasets {sorted(got)} differ from {sorted(ref)}")
        for name, expected in ref.items():
            value = got[name]
            if value.dtype != expected.dtype or value.shape != expected.shape:
                sys.exit(f"FAIL: {path}:{name}: {value.dtype}{value.shape}, "
                         f"expected {expected.dtype}{expected.shape}")
            if np.asarray(value).tobytes() != np.asarray(expected).tobytes():
                sys.exit(f"FAIL: {path}:{name} differs from {ref_path}")
        if got_snapshots != ref_snapshots:
            sys.exit(f"FAIL: {path}: weight snapshots {sorted(got_snapshots)} differ from "
                     f"{sorted(ref_snapshots)} (times or rows)")
        print(f"{path}: {len(ref)} datasets, {spikes} spikes, {len(ref_snapshots)} weight "
              "snapshots, identical")


main()
