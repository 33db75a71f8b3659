#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# make_wsp_seeds.py: writes the small synthetic seeds of the FlowJo workspace reader's fuzz
# target to tests/fuzz/corpus/wsp_read/: one workspace per construct FlowJo 10 writes (matrix,
# each transform kind, rectangle, range, open quadrant rectangles, polygon, ellipse,
# eventsInside="0", And/Or/NotNode, groups, statistics) and a few hostile ones (DOCTYPE with
# entities, a boolean naming itself, absurd coordinates). The seeds are committed; run this
# again only to regenerate them. The shared corpus's workspaces are replayed by path instead.
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "wsp_read")

NS = ('xmlns:gating="http://www.isac-net.org/std/Gating-ML/v2.0/gating" '
      'xmlns:transforms="http://www.isac-net.org/std/Gating-ML/v2.0/transformations" '
      'xmlns:data-type="http://www.isac-net.org/std/Gating-ML/v2.0/datatypes"')

MATRIX = ('<transforms:spilloverMatrix spectral="0" prefix="Comp-" name="Acquisition-defined" '
          'transforms:id="m1" suffix="">\n<data-type:parameters>'
          '<data-type:parameter data-type:name="FL1-A"/><data-type:parameter data-type:name="FL2-A"/>'
          '</data-type:parameters>\n'
          '<transforms:spillover data-type:parameter="FL1-A">'
          '<transforms:coefficient data-type:parameter="FL1-A" transforms:value="1"/>'
          '<transforms:coefficient data-type:parameter="FL2-A" transforms:value="0.15"/>'
          '</transforms:spillover>\n'
          '<transforms:spillover data-type:parameter="FL2-A">'
          '<transforms:coefficient data-type:parameter="FL1-A" transforms:value="0.02"/>'
          '<transforms:coefficient data-type:parameter="FL2-A" transforms:value="1"/>'
          '</transforms:spillover>\n</transforms:spilloverMatrix>\n')

TRANSFORMS = {
    "linear": '<transforms:linear transforms:minRange="0" transforms:maxRange="262144" gain="1">',
    "log": '<transforms:log transforms:offset="1" transforms:decades="5">',
    "logicle": ('<transforms:logicle transforms:length="256" transforms:T="262144" '
                'transforms:A="0" transforms:W="1" transforms:M="4.418539922">'),
    "biex": ('<transforms:biex transforms:length="256" transforms:maxRange="262144" '
             'transforms:neg="0" transforms:width="-10" transforms:pos="4.418539922">'),
    "fasinh": ('<transforms:fasinh transforms:length="256" transforms:maxRange="262144" '
               'transforms:T="262144" transforms:A="0" transforms:M="1" transforms:W="-10">'),
    "hyperlog": ('<transforms:hyperlog transforms:length="256" transforms:T="262144" '
                 'transforms:A="0" transforms:W="1" transforms:M="4.5">'),
}


def xform(kind, param):
    tag = TRANSFORMS[kind].split()[0][1:]
    return (TRANSFORMS[kind] + f'<data-type:parameter data-type:name="{param}"/></{tag}>\n')


def dim(name, lo=None, hi=None):
    a = (f' gating:min="{lo}"' if lo is not None else "") + \
        (f' gating:max="{hi}"' if hi is not None else "")
    return (f'<gating:dimension{a}><data-type:fcs-dimension data-type:name="{name}"/>'
            '</gating:dimension>\n')


def vertex(x, y):
    return (f'<gating:vertex><gating:coordinate data-type:value="{x}"/>'
            f'<gating:coordinate data-type:value="{y}"/></gating:vertex>\n')


def pop(name, gate, children="", count=10, inside=1):
    g = gate.replace("EVENTS_INSIDE", str(inside))
    sub = f"<Subpopulations>\n{children}</Subpopulations>\n" if children else ""
    return (f'<Population name="{name}" owningGroup="" count="{count}">\n<Gate>\n{g}</Gate>\n'
            f'{sub}</Population>\n')


def rect(*dims):
    return '<gating:RectangleGate eventsInside="EVENTS_INSIDE">\n' + "".join(dims) + \
        '</gating:RectangleGate>\n'


def poly(x, y, pts):
    return ('<gating:PolygonGate eventsInside="EVENTS_INSIDE" quadId="-1">\n' + dim(x) + dim(y) +
            "".join(vertex(a, b) for a, b in pts) + '</gating:PolygonGate>\n')


def ellipse(x, y):
    return ('<gating:EllipsoidGate eventsInside="EVENTS_INSIDE" gating:distance="70">\n' +
            dim(x) + dim(y) + '<gating:foci>' + vertex(73.9, 75.2) + vertex(89.1, 64.8) +
            '</gating:foci>\n<gating:edge>' + vertex(109, 51) + vertex(54, 89) + vertex(70, 40) +
            vertex(93, 100) + '</gating:edge>\n</gating:EllipsoidGate>\n')


def boolean(kind, name, deps, count=5):
    d = "".join(f'<Dependent name="{p}"/>' for p in deps)
    return (f'<{kind} name="{name}" owningGroup="" count="{count}"><Dependents>{d}</Dependents>'
            f'</{kind}>\n')


def workspace(pops, transforms="", matrix="", groups="", prolog=""):
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}<Workspace version="20.0" {NS}>\n'
            f'<Matrices/>\n<Groups>\n{groups}</Groups>\n<SampleList>\n<Sample>\n'
            '<DataSet uri="file:/data/a%20b.fcs" sampleID="1"/>\n' + matrix +
            f'<Transformations>\n{transforms}</Transformations>\n'
            '<Keywords><Keyword name="$FIL" value="a b.fcs"/></Keywords>\n'
            '<SampleNode name="a b.fcs" count="48" sampleID="1">\n<Subpopulations>\n'
            '<Statistic name="Count"/>\n' + pops +
            '</Subpopulations>\n</SampleNode>\n</Sample>\n</SampleList>\n</Workspace>\n')


GROUP = ('<GroupNode name="All Samples" owningGroup="All Samples" count="-1"><Group '
         'name="All Samples"><SampleRefs><SampleRef sampleID="1"/></SampleRefs></Group>'
         '</GroupNode>\n')
SCATTER = xform("linear", "FSC-A") + xform("linear", "SSC-A")
CELLS = poly("FSC-A", "SSC-A", [(100, 50), (3000, 80), (2500, 4000), (50, 3000)])


def seeds():
    s = {}
    s["rect_range.wsp"] = workspace(pop("R", rect(dim("FSC-A", -100, 2000))) +
                                    pop("Q", rect(dim("FSC-A", None, 50), dim("SSC-A", 10))),
                                    SCATTER, groups=GROUP)
    s["polygon.wsp"] = workspace(pop("Cells", CELLS), SCATTER, groups=GROUP)
    quads = "".join(pop(n, rect(dim("Comp-FL1-A", *a), dim("Comp-FL2-A", *b)))
                    for n, a, b in [("Q1", (None, 300), (500, None)), ("Q2", (300, None), (500, None)),
                                    ("Q3", (300, None), (None, 500)), ("Q4", (None, 300), (None, 500))])
    for kind in TRANSFORMS:
        s[f"matrix_{kind}.wsp"] = workspace(
            pop("Cells", CELLS, quads), SCATTER + xform(kind, "Comp-FL1-A") +
            xform(kind, "Comp-FL2-A"), MATRIX, GROUP)
    s["ellipse.wsp"] = workspace(pop("E", ellipse("Comp-FL1-A", "Comp-FL2-A")), SCATTER +
                                 xform("logicle", "Comp-FL1-A") + xform("biex", "Comp-FL2-A"),
                                 MATRIX, GROUP)
    s["outside.wsp"] = workspace(pop("NotCells", CELLS, inside=0), SCATTER)
    kids = (pop("A", rect(dim("FSC-A", 500))) + pop("B", rect(dim("SSC-A", 700))) +
            boolean("AndNode", "A and B", ["Cells/A", "Cells/B"]) +
            boolean("OrNode", "A or B", ["Cells/A", "Cells/B"]) +
            boolean("NotNode", "not A", ["Cells/A"]))
    s["booleans.wsp"] = workspace(pop("Cells", CELLS, kids), SCATTER, groups=GROUP)
    s["hostile_entities.wsp"] = workspace(
        pop("R", rect(dim("FSC-A", 1, 2))), SCATTER,
        prolog='<!DOCTYPE Workspace [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n')
    s["hostile_self.wsp"] = workspace(boolean("NotNode", "N", ["N"]), SCATTER)
    s["hostile_coords.wsp"] = workspace(pop("R", rect(dim("FSC-A", "-1e308", "1e308"))), SCATTER)
    return s


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, text in seeds().items():
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
