# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/plate_numpy.py: the yardstick of bench/bench_plate.sh, a plain Python pipeline that
does less than `apoflow run` on the same plate: FlowIO reads each file, numpy compensates
with the file's own $SPILLOVER, applies arcsinh (cofactor 150), fixed debris (FSC-A), singlet
(FSC-H / FSC-A band) and quadrant gates, counts the quadrants, and matplotlib writes one
3-panel dot plot PNG per sample; the files are spread over N processes.

usage: FLOWIO_SRC=/path/to/FlowIO python3 bench/plate_numpy.py PLATE_DIR OUT_DIR [N]
(FLOWIO_SRC is a FlowIO source tree, its src/ folder is put on sys.path; see bench/README.md)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("FLOWIO_SRC", ""), "src"))

import multiprocessing  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import flowio  # noqa: E402

COFACTOR = 150.0
DEBRIS_FSC_A = 30000.0
SINGLET_RATIO = (0.75, 1.25)
QUADRANT = np.arcsinh(600.0 / COFACTOR)


def spillover(text, names):
    """The $SPILLOVER keyword as (matrix, channel indices in names)."""
    raw = text.get("spillover") or text.get("spill")
    if not raw:
        return None, None
    f = raw.split(",")
    n = int(f[0])
    chans = [c.strip() for c in f[1 : n + 1]]
    m = np.array([float(v) for v in f[n + 1 : n + 1 + n * n]]).reshape(n, n)
    return m, [names.index(c) for c in chans]


def analyse(args):
    path, out_dir = args
    fd = flowio.FlowData(path)
    names = list(fd.pnn_labels)
    ev = np.reshape(np.asarray(fd.events, dtype=np.float64), (-1, fd.channel_count))
    m, idx = spillover(fd.text, names)
    if m is not None:
        ev[:, idx] = ev[:, idx] @ np.linalg.inv(m)
    fsc_a, fsc_h = ev[:, names.index("FSC-A")], ev[:, names.index("FSC-H")]
    ssc_a = ev[:, names.index("SSC-A")]
    ann = np.arcsinh(ev[:, names.index("FITC-A")] / COFACTOR)
    pi = np.arcsinh(ev[:, names.index("PE-A")] / COFACTOR)
    cells = fsc_a > DEBRIS_FSC_A
    ratio = np.divide(fsc_h, fsc_a, out=np.zeros_like(fsc_a), where=fsc_a != 0)
    singlets = cells & (ratio > SINGLET_RATIO[0]) & (ratio < SINGLET_RATIO[1])
    a, p = ann[singlets] > QUADRANT, pi[singlets] > QUADRANT
    counts = [int(np.sum(~a & ~p)), int(np.sum(a & ~p)), int(np.sum(a & p)), int(np.sum(~a & p))]
    fig, ax = plt.subplots(1, 3, figsize=(12.6, 4.2), dpi=100)
    ax[0].scatter(fsc_a, ssc_a, s=1, c="k", linewidths=0)
    ax[0].axvline(DEBRIS_FSC_A, c="r")
    ax[1].scatter(fsc_a[cells], fsc_h[cells], s=1, c="k", linewidths=0)
    ax[2].scatter(ann[singlets], pi[singlets], s=1, c="k", linewidths=0)
    ax[2].axvline(QUADRANT, c="r")
    ax[2].axhline(QUADRANT, c="r")
    ax[2].set_title("%d %d %d %d" % tuple(counts))
    name = os.path.splitext(os.path.basename(path))[0]
    fig.savefig(os.path.join(out_dir, name + ".png"))
    plt.close(fig)
    return name, counts


def main():
    plate, out_dir = sys.argv[1], sys.argv[2]
    jobs = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    os.makedirs(out_dir, exist_ok=True)
    files = sorted(os.path.join(plate, f) for f in os.listdir(plate) if f.endswith(".fcs"))
    with multiprocessing.Pool(jobs) as pool:
        rows = pool.map(analyse, [(f, out_dir) for f in files], chunksize=1)
    with open(os.path.join(out_dir, "counts.csv"), "w") as f:
        f.write("sample,viable,early,late,necrotic\n")
        for name, c in rows:
            f.write("%s,%d,%d,%d,%d\n" % (name, *c))


if __name__ == "__main__":
    main()
