#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# make_seeds.py: writes the small synthetic seed files of the FCS fuzz targets into
# tests/fuzz/corpus/fcs_parse/ and fcs_gate/ (one per data type, byte order and TEXT quirk).
# The seeds are committed; run this again only to regenerate them. Never seeds from the shared corpus.
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fcs_parse")
# The parse-then-gate target starts from the same seeds.
OUT_GATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fcs_gate")


def fcs(version, keywords, data, delim=b"/", text_at=58, final_delim=True, extra=b""):
    """Build one data set with TEXT at text_at and DATA right after TEXT."""
    def text_for(begin, end):
        body = b""
        for k, v in keywords + [("$BEGINDATA", str(begin)), ("$ENDDATA", str(end))]:
            kb = k.encode("latin-1") if isinstance(k, str) else k
            vb = v.encode("latin-1") if isinstance(v, str) else v
            body += delim + kb + delim + vb.replace(delim, delim + delim)
        return body + (delim if final_delim else b"")
    begin = 0
    for _ in range(4):  # the offsets' digit count settles quickly
        text = text_for(begin, begin + len(data) - 1)
        begin = text_at + len(text)
    text = text_for(begin, begin + len(data) - 1)
    header = version.encode() + b"    "
    for v in (text_at, text_at + len(text) - 1, begin, begin + len(data) - 1, 0, 0):
        header += str(v).rjust(8).encode()
    header = header.ljust(text_at, b" ")
    return header + text + data + extra


def params(n, bits, ranges=1024, names=None):
    kw = []
    for i in range(1, n + 1):
        kw += [(f"$P{i}N", names[i - 1] if names else f"FL{i}-A"), (f"$P{i}B", str(bits)),
               (f"$P{i}R", str(ranges)), (f"$P{i}E", "0,0")]
    return kw


def base(dt, n_par, tot, byteord="1,2,3,4"):
    return [("$BYTEORD", byteord), ("$DATATYPE", dt), ("$MODE", "L"), ("$NEXTDATA", "0"),
            ("$PAR", str(n_par)), ("$TOT", str(tot))]


def write(name, blob):
    for out in (OUT, OUT_GATE):
        with open(os.path.join(out, name), "wb") as f:
            f.write(blob)


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(OUT_GATE, exist_ok=True)
    vals = [[1, 2, 3], [400, 500, 600], [1023, 0, 77], [5, 6, 7]]
    write("int16_be.fcs", fcs("FCS3.0", base("I", 3, 4, "4,3,2,1") + params(3, 16),
                              b"".join(struct.pack(">3H", *r) for r in vals)))
    write("int16_le_fcs2.fcs", fcs("FCS2.0", base("I", 3, 4, "1,2") + params(3, 16),
                                   b"".join(struct.pack("<3H", *r) for r in vals)))
    write("float_le.fcs", fcs("FCS3.1", base("F", 3, 4) + params(3, 32, 262144) +
                              [("$SPILLOVER", "2,FL1-A,FL2-A,1,0.1,0.05,1")],
                              b"".join(struct.pack("<3f", *r) for r in vals)))
    write("double_be.fcs", fcs("FCS3.0", base("D", 3, 4, "4,3,2,1") + params(3, 64),
                               b"".join(struct.pack(">3d", *r) for r in vals)))
    b24 = b"".join(v.to_bytes(3, "big") for r in vals for v in r)
    write("int24.fcs", fcs("FCS3.1", base("I", 3, 4, "4,3,2,1") + params(3, 24, 16777216), b24))
    perm = b""
    for r in vals:
        for v in r:
            b = struct.pack("<I", v)
            perm += bytes([b[2], b[3], b[0], b[1]])
    write("int32_3412.fcs", fcs("FCS3.0", base("I", 3, 4, "3,4,1,2") + params(3, 32, 4096), perm))
    write("ascii_fixed.fcs", fcs("FCS3.0", base("A", 3, 4) + params(3, 4),
                                 b"".join(b"".join(str(v).rjust(4).encode() for v in r)
                                          for r in vals)))
    write("ascii_delim.fcs", fcs("FCS3.0", base("A", 3, 4) + params(3, "*"),
                                 b" ".join(b",".join(str(v).encode() for v in r) for r in vals)))
    write("empty_values_cellquest.fcs",
          fcs("FCS2.0", base("I", 3, 4, "4,3,2,1") + params(3, 16) + [("$P2S", ""), ("$P3S", "")],
              b"".join(struct.pack(">3H", *r) for r in vals), delim=b"\\"))
    write("formfeed_nofinal.fcs", fcs("FCS3.1", base("F", 3, 4) + params(3, 32, 262144),
                                      b"".join(struct.pack("<3f", *r) for r in vals),
                                      delim=b"\x0c", final_delim=False))
    write("int10_in16_log.fcs",
          fcs("FCS2.0", base("I", 3, 4, "1,2") +
              [(k, "4,0" if k.endswith("E") else v) for k, v in params(3, 10)],
              b"".join(struct.pack("<3H", *(v | 0xF000 for v in r)) for r in vals)))
    kw1 = [(k, "0000000" if k == "$NEXTDATA" else v)
           for k, v in base("I", 3, 4, "4,3,2,1") + params(3, 16)]
    data1 = b"".join(struct.pack(">3H", *r) for r in vals)
    first = fcs("FCS3.0", kw1, data1)
    kw1 = [(k, str(len(first)).zfill(7) if k == "$NEXTDATA" else v) for k, v in kw1]
    first = fcs("FCS3.0", kw1, data1)
    second = fcs("FCS3.0", base("F", 3, 4) + params(3, 32),
                 b"".join(struct.pack("<3f", *r) for r in vals))
    write("two_datasets.fcs", first + second)
    write("truncated.fcs", fcs("FCS3.1", base("F", 3, 400) + params(3, 32), b"\0" * 48))
    write("not_fcs.bin", b"NOTFCS    ")


if __name__ == "__main__":
    main()
