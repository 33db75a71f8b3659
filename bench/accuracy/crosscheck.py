#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""
crosscheck.py: a second, independent simulator of Annexin V / dead-cell-dye experiments, to
check that apoflow's automatic gating holds on data it was not developed on.

apoflow_simulate (samples/generate/) is the simulator the method was developed against; a
method tuned to one simulator's shapes can pass its matrix and still fail elsewhere. This
script draws each experiment's parameters at random from wide, plausible ranges and uses
shapes the C simulator does not: debris that piles up against the trigger threshold (a
"wall", no separate mode) as well as a debris mode, dying cells that shrink towards the
debris, skewed (gamma) stain distributions, additive detector noise that makes negative
values, acquisition-wide spillover recorded in $SPILLOVER, and several channel-naming styles.
It writes the same files as apoflow_simulate (FCS 3.1 float32, sheet.csv, truth.csv,
truth/<stem>.csv with the class of every event: 0 viable, 1 early apoptotic, 2 late
apoptotic, 3 necrotic, 4 debris, 5 doublet), so apoflow_accuracy_score scores it.

    crosscheck.py [--seeds N] [--first S] [--events N] [--keep DIR] [--build DIR]

For every seed: simulate, run `apoflow run DIR --sheet DIR/sheet.csv -o OUT --no-plots`,
score, and print one line: the seed, the drawn conditions, the worst quadrant and reduction
errors, PASS/FAIL against the bar (1.5 / 3 points) and the flags raised. A run whose stained
samples are all flagged counts as "flagged" rather than a silent FAIL. Needs python3-numpy.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

VIABLE, EARLY, LATE, NECROTIC, DEBRIS, DOUBLET = range(6)


# ---- FCS 3.1 writer (float32, little-endian, one data set) ------------------------------------

def fcs_write(path, names, labels, data, keywords):
    """Write an FCS 3.1 file: HEADER, TEXT with '/' delimiters, DATA as float32 rows."""
    n_events, n_par = data.shape
    body = data.astype("<f4").tobytes()
    kw = [("$BYTEORD", "1,2,3,4"), ("$DATATYPE", "F"), ("$MODE", "L"), ("$NEXTDATA", "0"),
          ("$PAR", str(n_par)), ("$TOT", str(n_events)), ("$BEGINANALYSIS", "0"),
          ("$ENDANALYSIS", "0"), ("$BEGINSTEXT", "0"), ("$ENDSTEXT", "0")]
    for i, (n, s) in enumerate(zip(names, labels), start=1):
        kw += [(f"$P{i}N", n), (f"$P{i}B", "32"), (f"$P{i}E", "0,0"), (f"$P{i}R", "262144")]
        if s:
            kw.append((f"$P{i}S", s))
    kw += list(keywords.items())

    def esc(v):
        return str(v).replace("/", "//")

    def text_for(begin, end):
        t = "/" + "/".join(f"{esc(k)}/{esc(v)}" for k, v in kw)
        t += f"/$BEGINDATA/{begin}/$ENDDATA/{end}/"
        return t.encode("ascii")

    text_start = 58
    begin = 0
    for _ in range(5):  # the offsets' digits change the TEXT length: iterate to a fixed point
        text = text_for(begin, begin + len(body) - 1)
        new_begin = text_start + len(text)
        if new_begin == begin:
            break
        begin = new_begin
    text = text_for(begin, begin + len(body) - 1)
    assert text_start + len(text) == begin
    header = b"FCS3.1    " + b"".join(f"{v:>8}".encode() for v in (
        text_start, text_start + len(text) - 1, 0, 0, 0, 0))
    with open(path, "wb") as f:
        f.write(header + text + body)


# ---- experiment parameters ----------------------------------------------------------------

STYLES = {
    # scatter names, Annexin V channel, dead dye channel, $PnS of each, other channels
    "bd_digital": (("FSC-A", "FSC-H", "SSC-A"), "FITC-A", "PE-Texas Red-A",
                   "Annexin V FITC", "PI", ["APC-A"]),
    "attune": (("FSC-A", "FSC-H", "SSC-A"), "BL1-A", "BL3-A", "Annexin V-FITC", "PI",
               ["BL2-A", "RL1-A"]),
    "cytoflex": (("FSC-A", "FSC-H", "SSC-A"), "FITC-A", "PC5.5-A", "AnnV FITC", "7-AAD",
                 ["PE-A"]),
    "apc_dapi": (("FSC-A", "FSC-H", "SSC-A"), "APC-A", "DAPI-A", "Annexin V-APC", "DAPI",
                 ["FITC-A"]),
}


def draw_conditions(rng):
    c = {}
    c["style"] = rng.choice(sorted(STYLES))
    c["debris_frac"] = rng.uniform(0.0, 0.35)
    c["debris_shape"] = rng.choice(["wall", "mode"])
    c["debris_gap"] = rng.uniform(0.5, 1.1)      # decades between debris and cells on FSC
    c["annexin_sep"] = rng.uniform(1.1, 2.2)     # decades between Annexin V- and +
    c["dead_sep"] = rng.uniform(1.3, 2.5)
    c["early_smear"] = rng.uniform(0.0, 0.5)     # share of early cells in a continuous smear
    c["stim_apoptotic"] = rng.uniform(0.25, 0.7)
    c["reductions"] = sorted(rng.uniform(0.05, 0.7, size=3))
    c["controls_from"] = rng.choice(["untreated", "stimulus"])
    c["spill_a_to_d"] = rng.uniform(0.02, 0.25)
    c["spill_d_to_a"] = rng.uniform(0.0, 0.05)
    c["doublets"] = rng.uniform(0.02, 0.10)
    return c


# ---- one sample ---------------------------------------------------------------------------

def lognormal(rng, median, sdex, n):
    return median * 10.0 ** rng.normal(0.0, sdex, n)


def sample_events(rng, c, n, fractions, stain_annexin, stain_dead):
    """Return (matrix of FSC-A, FSC-H, SSC-A, AnnV, dead, other..., Time, classes)."""
    n_debris = rng.binomial(n, c["debris_frac"])
    n_cells = n - n_debris
    n_doublets = rng.binomial(n_cells, c["doublets"])
    n_single = n_cells - n_doublets
    cls = rng.choice(4, size=n_single + 2 * n_doublets, p=fractions)

    # cells: scatter (log10), dying cells shrink and gain granularity, necrotic ones more
    fsc_shift = np.array([0.0, -0.06, -0.14, -0.22])[cls]
    ssc_shift = np.array([0.0, 0.04, 0.08, -0.05])[cls]
    z = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=cls.size)
    fsc = 10.0 ** (4.85 + fsc_shift + 0.07 * z[:, 0])
    ssc = 10.0 ** (4.35 + ssc_shift + 0.11 * z[:, 1])
    # stains: viable autofluorescence, skewed positives
    a_pos = (cls == EARLY) | (cls == LATE)
    d_pos = (cls == LATE) | (cls == NECROTIC)
    ann = lognormal(rng, 120.0, 0.22, cls.size)
    dead = lognormal(rng, 90.0, 0.22, cls.size)
    pos_a = 120.0 * 10.0 ** (c["annexin_sep"] + 0.25 * (rng.gamma(3.0, 1.0, cls.size) - 3.0) / 1.7)
    smear = (cls == EARLY) & (rng.random(cls.size) < c["early_smear"])
    pos_a[smear] = 120.0 * 10.0 ** rng.uniform(0.6, c["annexin_sep"], smear.sum())
    ann = np.where(a_pos, pos_a, ann)
    dead = np.where(d_pos, 90.0 * 10.0 ** (c["dead_sep"] + rng.normal(0, 0.2, cls.size)), dead)

    # doublets: two cells through the laser together (area adds, height barely)
    single_idx = np.arange(n_single)
    pair = n_single + 2 * np.arange(n_doublets)
    fsc_a = np.concatenate([fsc[single_idx], fsc[pair] + fsc[pair + 1]])
    ratio = rng.normal(0.82, 0.025, fsc_a.size)
    ratio[n_single:] = rng.normal(0.52, 0.05, n_doublets)
    fsc_h = fsc_a * ratio
    ssc_a = np.concatenate([ssc[single_idx], ssc[pair] + ssc[pair + 1]])
    ann_c = np.concatenate([ann[single_idx], ann[pair] + ann[pair + 1]])
    dead_c = np.concatenate([dead[single_idx], dead[pair] + dead[pair + 1]])
    truth = np.concatenate([cls[single_idx], np.full(n_doublets, DOUBLET)])

    # debris: a wall against the trigger or a mode below the cells; dim, variably stained
    trigger = 10.0 ** (4.85 - c["debris_gap"] - 0.6)
    if c["debris_shape"] == "wall":
        d_fsc = trigger + rng.exponential(10.0 ** (4.85 - c["debris_gap"]) - trigger, n_debris)
    else:
        d_fsc = 10.0 ** rng.normal(4.85 - c["debris_gap"], 0.22, n_debris)
    d_ssc = 10.0 ** rng.normal(4.35 - 0.7 * c["debris_gap"], 0.3, n_debris)
    d_ann = 120.0 * 10.0 ** rng.uniform(-0.3, c["annexin_sep"] * 0.9, n_debris)
    d_dead = 90.0 * 10.0 ** rng.uniform(-0.3, c["dead_sep"] * 0.9, n_debris)

    fsc_a = np.concatenate([fsc_a, d_fsc])
    fsc_h = np.concatenate([fsc_h, d_fsc * rng.normal(0.82, 0.04, n_debris)])
    ssc_a = np.concatenate([ssc_a, d_ssc])
    ann_c = np.concatenate([ann_c, d_ann])
    dead_c = np.concatenate([dead_c, d_dead])
    truth = np.concatenate([truth, np.full(n_debris, DEBRIS)])
    if not stain_annexin:
        ann_c = lognormal(rng, 120.0, 0.22, ann_c.size)
    if not stain_dead:
        dead_c = lognormal(rng, 90.0, 0.22, dead_c.size)

    # spillover between the two dyes, then detector noise (negative values appear)
    a_meas = ann_c + c["spill_d_to_a"] * dead_c + rng.normal(0, 40.0, ann_c.size)
    d_meas = dead_c + c["spill_a_to_d"] * ann_c + rng.normal(0, 40.0, ann_c.size)
    other = lognormal(rng, 100.0, 0.2, ann_c.size) + rng.normal(0, 40.0, ann_c.size)

    order = rng.permutation(truth.size)
    time = np.sort(rng.uniform(0, 60000.0, truth.size))
    cols = [fsc_a, fsc_h, ssc_a, a_meas, d_meas, other]
    mat = np.column_stack([np.clip(x[order], -1000.0, 262143.0) for x in cols] + [time])
    return mat, truth[order]


def fractions_for(rng, c, apoptotic):
    """Viable/early/late/necrotic shares for a given apoptotic (early + late) share."""
    necrotic = rng.uniform(0.02, 0.08)
    early = apoptotic * rng.uniform(0.45, 0.65)
    late = apoptotic - early
    viable = max(0.0, 1.0 - apoptotic - necrotic)
    f = np.array([viable, early, late, necrotic])
    return f / f.sum()


def write_experiment(dirpath, seed, events):
    rng = np.random.default_rng(seed)
    c = draw_conditions(rng)
    style = STYLES[c["style"]]
    scat, a_ch, d_ch, a_lab, d_lab, others = style
    names = list(scat) + [a_ch, d_ch, others[0], "Time"]
    labels = ["", "", "", a_lab, d_lab, "", ""]
    spill = (f"2,{a_ch},{d_ch},1,{c['spill_d_to_a']:.6f},{c['spill_a_to_d']:.6f},1")
    os.makedirs(os.path.join(dirpath, "truth"), exist_ok=True)

    base = rng.uniform(0.04, 0.09)
    stim = c["stim_apoptotic"]
    design = [("ctrl_unstained", "unstained", "", "", 1, False, False, "untreated"),
              ("ctrl_annexin", "annexin_single", "", "", 1, True, False, c["controls_from"]),
              ("ctrl_dead", "pi_single", "", "", 1, False, True, c["controls_from"])]
    for r in range(1, 4):
        design.append((f"untreated_r{r}", "untreated", "", "", r, True, True, "untreated"))
        design.append((f"stim_r{r}", "stimulus", "", "", r, True, True, "stimulus"))
    for dose, red in zip((10, 30, 100), c["reductions"]):
        for r in range(1, 4):
            design.append((f"drug{dose}_r{r}", "treated", "drug", str(dose), r, True, True,
                           ("treated", red)))

    sheet = ["file,sample,role,treatment,dose,dose_unit,replicate,stimulus"]
    truth_rows = ["sample,file,events,debris,doublets,cells,viable_pct,early_apoptotic_pct,"
                  "late_apoptotic_pct,necrotic_pct,apoptotic_pct"]
    for name, role, trt, dose, rep, s_a, s_d, state in design:
        if state == "untreated":
            apo = base
        elif state == "stimulus":
            apo = stim
        else:
            apo = base + (stim - base) * (1.0 - state[1])
        apo *= rng.normal(1.0, 0.04)
        f = fractions_for(rng, c, min(max(apo, 0.01), 0.9))
        mat, truth = sample_events(rng, c, events, f, s_a, s_d)
        fname = f"{name}.fcs"
        kws = {"$CYT": f"crosscheck-{c['style']}", "$FIL": fname, "$TIMESTEP": "0.001",
               "$SPILLOVER": spill, "$DATE": "07-DEC-2026", "$SRC": name}
        fcs_write(os.path.join(dirpath, fname), names, labels, mat, kws)
        np.savetxt(os.path.join(dirpath, "truth", f"{name}.csv"), truth, fmt="%d",
                   header="class", comments="")
        stim_name = "" if role in ("unstained",) else "stim"
        sheet.append(f"{fname},{name},{role},{trt},{dose},{'uM' if dose else ''},{rep},"
                     f"{stim_name if role in ('stimulus', 'treated') else ''}")
        cells = truth[truth < 4]
        pct = [100.0 * np.mean(cells == k) for k in range(4)]
        truth_rows.append(f"{name},{fname},{truth.size},{np.sum(truth == DEBRIS)},"
                          f"{np.sum(truth == DOUBLET)},{cells.size},{pct[0]:.4f},{pct[1]:.4f},"
                          f"{pct[2]:.4f},{pct[3]:.4f},{pct[1] + pct[2]:.4f}")
    with open(os.path.join(dirpath, "sheet.csv"), "w") as f:
        f.write("\n".join(sheet) + "\n")
    with open(os.path.join(dirpath, "truth.csv"), "w") as f:
        f.write("\n".join(truth_rows) + "\n")
    return c


def describe(c):
    return (f"{c['style']:<10} debris {100 * c['debris_frac']:4.1f}% {c['debris_shape']:<4} "
            f"gap {c['debris_gap']:.2f} annV {c['annexin_sep']:.2f} dead {c['dead_sep']:.2f} "
            f"smear {c['early_smear']:.2f} ctl {c['controls_from'][:4]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--keep", default="")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--build", default=os.path.join(root, "build"))
    a = ap.parse_args()
    apoflow = os.environ.get("APOFLOW", os.path.join(a.build, "cli", "apoflow"))
    score = os.environ.get("APOFLOW_SCORE",
                           os.path.join(a.build, "bench", "accuracy", "apoflow_accuracy_score"))
    work = a.keep or tempfile.mkdtemp(prefix="apoflow-crosscheck.")
    n_pass = 0
    for seed in range(a.first, a.first + a.seeds):
        d = os.path.join(work, f"seed{seed}")
        shutil.rmtree(d, ignore_errors=True)
        c = write_experiment(os.path.join(d, "data"), seed, a.events)
        run = subprocess.run([apoflow, "run", os.path.join(d, "data"), "--sheet",
                              os.path.join(d, "data", "sheet.csv"), "-o", os.path.join(d, "out"),
                              "--no-plots"], capture_output=True, text=True)
        if run.returncode != 0:
            print(f"seed {seed:3d} {describe(c)}  RUN FAILED ({run.returncode}): "
                  f"{run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ''}")
            continue
        sc = subprocess.run([score, os.path.join(d, "data"), os.path.join(d, "out")],
                            capture_output=True, text=True)
        summary = [l for l in sc.stdout.splitlines() if l.startswith("summary")]
        verdict = "PASS" if sc.returncode == 0 else "FAIL"
        n_pass += sc.returncode == 0
        print(f"seed {seed:3d} {describe(c)}  {verdict} "
              f"{summary[0][8:] if summary else sc.stderr.strip()}", flush=True)
    print(f"{n_pass} of {a.seeds} experiments within the bar")
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
