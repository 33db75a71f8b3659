#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# make_text_seeds.py: writes the small synthetic seeds of the text-format fuzz targets:
# tests/fuzz/corpus/gml_read/ (Gating-ML 2.0, one file per gate kind and transform),
# tests/fuzz/corpus/comp_csv/ (spillover matrix CSV/TSV and compensation controls sheets) and
# tests/fuzz/corpus/sheet/ (sample sheets). The seeds are committed; run this again only to
# regenerate them. Never seeds from the shared corpus.
import os

HERE = os.path.dirname(os.path.abspath(__file__))

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gating:Gating-ML xmlns:gating="http://www.isac-net.org/std/Gating-ML/v2.0/gating"\n'
        ' xmlns:transforms="http://www.isac-net.org/std/Gating-ML/v2.0/transformations"\n'
        ' xmlns:data-type="http://www.isac-net.org/std/Gating-ML/v2.0/datatypes">\n')
TAIL = '</gating:Gating-ML>\n'


def dim(name, attrs=""):
    return (f'<gating:dimension{attrs}>'
            f'<data-type:fcs-dimension data-type:name="{name}"/></gating:dimension>\n')


def rect(gid, dims, parent=None):
    p = f' gating:parent_id="{parent}"' if parent else ""
    return f'<gating:RectangleGate gating:id="{gid}"{p}>\n' + "".join(dims) + \
        '</gating:RectangleGate>\n'


def entry(v):
    return f'<gating:entry data-type:value="{v}"/>'


def coord(v):
    return f'<gating:coordinate data-type:value="{v}"/>'


SPECTRUM = ('<transforms:spectrumMatrix transforms:id="M">\n'
            '<transforms:fluorochromes><data-type:fcs-dimension data-type:name="FITC"/>'
            '<data-type:fcs-dimension data-type:name="PI"/></transforms:fluorochromes>\n'
            '<transforms:detectors><data-type:fcs-dimension data-type:name="FL1-A"/>'
            '<data-type:fcs-dimension data-type:name="FL2-A"/></transforms:detectors>\n'
            '<transforms:spectrum><transforms:coefficient transforms:value="1"/>'
            '<transforms:coefficient transforms:value="0.2"/></transforms:spectrum>\n'
            '<transforms:spectrum><transforms:coefficient transforms:value="0.05"/>'
            '<transforms:coefficient transforms:value="1"/></transforms:spectrum>\n'
            '</transforms:spectrumMatrix>\n')

TRANSFORMS = {
    "logicle": '<transforms:logicle transforms:T="262144" transforms:W="0.5" '
               'transforms:M="4.5" transforms:A="0"/>',
    "hyperlog": '<transforms:hyperlog transforms:T="1000" transforms:W="1" '
                'transforms:M="4" transforms:A="0"/>',
    "flog": '<transforms:flog transforms:T="10000" transforms:M="5"/>',
    "fasinh": '<transforms:fasinh transforms:T="1000" transforms:M="4" transforms:A="1"/>',
    "flin": '<transforms:flin transforms:T="1000" transforms:A="0"/>',
}

GML = {
    "rect.xml": rect("R", [dim("FSC-A", ' gating:min="10" gating:max="400"'),
                           dim("SSC-A", ' gating:min="-5"')]),
    "range_child.xml": rect("R", [dim("FSC-A", ' gating:min="0"')]) +
    rect("C", [dim("PI-A", ' gating:max="100"')], parent="R"),
    "polygon.xml": '<gating:PolygonGate gating:id="P">\n' + dim("FSC-A") + dim("SSC-A") +
    "".join(f'<gating:vertex>{coord(x)}{coord(y)}</gating:vertex>\n'
            for x, y in ((0, 0), (500, 10), (300, 600), (-20, 200))) + '</gating:PolygonGate>\n',
    "ellipse.xml": '<gating:EllipsoidGate gating:id="E">\n' + dim("FL1-A") + dim("FL2-A") +
    f'<gating:mean>{coord(10)}{coord(20)}</gating:mean>\n'
    '<gating:covarianceMatrix><gating:row>' + entry(60) + entry(-20) + '</gating:row>'
    '<gating:row>' + entry(-20) + entry(40) + '</gating:row></gating:covarianceMatrix>\n'
    '<gating:distanceSquare data-type:value="1.5"/>\n</gating:EllipsoidGate>\n',
    "quadrant.xml": '<gating:QuadrantGate gating:id="Q">\n'
    '<gating:divider gating:id="X" gating:compensation-ref="FCS">'
    '<data-type:fcs-dimension data-type:name="FITC-A"/><gating:value>12.5</gating:value>'
    '</gating:divider>\n'
    '<gating:divider gating:id="Y" gating:compensation-ref="uncompensated">'
    '<data-type:fcs-dimension data-type:name="PI-A"/><gating:value>3</gating:value>'
    '<gating:value>70</gating:value></gating:divider>\n' +
    "".join(f'<gating:Quadrant gating:id="Q{i}"><gating:position gating:divider_ref="X" '
            f'gating:location="{x}"/><gating:position gating:divider_ref="Y" '
            f'gating:location="{y}"/></gating:Quadrant>\n'
            for i, (x, y) in enumerate(((0, 0), (20, 0), (20, 50), (0, 99)))) +
    '</gating:QuadrantGate>\n',
    "boolean.xml": rect("A", [dim("FSC-A", ' gating:min="1"')]) +
    rect("B", [dim("SSC-A", ' gating:max="9"')]) +
    '<gating:BooleanGate gating:id="AB"><gating:and>'
    '<gating:gateReference gating:ref="A"/>'
    '<gating:gateReference gating:ref="B" gating:use-as-complement="true"/>'
    '</gating:and></gating:BooleanGate>\n'
    '<gating:BooleanGate gating:id="N" gating:parent_id="AB"><gating:not>'
    '<gating:gateReference gating:ref="A"/></gating:not></gating:BooleanGate>\n'
    '<gating:BooleanGate gating:id="O"><gating:or><gating:gateReference gating:ref="N"/>'
    '<gating:gateReference gating:ref="B"/></gating:or></gating:BooleanGate>\n',
    "ratio.xml": '<transforms:transformation transforms:id="Rt">'
    '<transforms:fratio transforms:A="1" transforms:B="0" transforms:C="-1">'
    '<data-type:fcs-dimension data-type:name="FL1-A"/>'
    '<data-type:fcs-dimension data-type:name="FL2-A"/></transforms:fratio>'
    '</transforms:transformation>\n'
    '<gating:RectangleGate gating:id="RR"><gating:dimension gating:min="0.5" gating:max="3">'
    '<data-type:new-dimension data-type:transformation-ref="Rt"/></gating:dimension>'
    '</gating:RectangleGate>\n',
    "spectrum.xml": SPECTRUM + rect("S", [dim("FITC", ' gating:compensation-ref="M" '
                                          'gating:min="0.1"'),
                                          dim("PI", ' gating:compensation-ref="M" '
                                              'gating:max="50"')]),
}
for name, body in TRANSFORMS.items():
    GML[f"transform_{name}.xml"] = (
        f'<transforms:transformation transforms:id="T">{body}</transforms:transformation>\n' +
        rect("G", [dim("FITC-A", ' gating:transformation-ref="T" gating:compensation-ref="FCS"'
                   ' gating:min="0.2" gating:max="0.8"')]))
# An internal entity (never expanded: the reader does not substitute entities).
GML["entity.xml"] = None

CSV = {
    "matrix_comma.csv": "FL1-A,FL2-A,FL3-A\n1,0.1,0.01\n0.2,1,0.03\n0,0.05,1\n",
    "matrix_rownames.csv": ",FL2-A,FL1-A\nFL1-A,0.1,1\nFL2-A,1,0.25\n",
    "matrix_hash_tab.tsv": "#FL1-A\tFL2-A\n1\t0.5\n0.1\t1\n",
    "matrix_r_table.txt": '"FL1-A" "FL2-A" "FL4-A"\n"a" 1 0 0.1\n"b" 0.2 1 0\n"c" 0 0 1\n',
    "matrix_cr.csv": "FL1-A,FL2-A\r1,0.3\r0.4,1\r",
    "matrix_crlf_quoted.csv": '"FL1-A","FL2-A"\r\n"1","0.02"\r\n"0.01","1"\r\n',
    "sheet_flowstats.csv": "filename,channel\nunstained.fcs,unstained\nfitc.fcs,FL1-A\n"
                           "pi.fcs,FL2-A\n",
    "sheet_cytoexplorer.csv": '"name","channel"\n"Unstained.fcs","Unstained"\n'
                              '"FITC.fcs","FL1-A"\n',
    "sheet_tab.tsv": "filename\tchannel\nu.fcs\tunstained\na.fcs\tFL1-A\n",
}

SHEET = {
    "basic.csv": "file,sample,role,treatment,dose,dose_unit,replicate\n"
                 "u.fcs,U,unstained,,,,\nann.fcs,A,annexin_single,,,,\npi.fcs,P,pi_single,,,,\n"
                 "c1.fcs,C,untreated,,,,1\nh1.fcs,H,stimulus,H2O2,200,uM,1\n"
                 "t1.fcs,T,treated,AS-IV,12.5,ug/mL,2\n",
    "quoted_extra.csv": 'file,role,dose,well,notes\n"a b.fcs",Treated,"1.5",A01,"say ""hi"""\n'
                        'sub/c.fcs,pi-single,0,B02,\n',
    "crlf_bom.csv": "\ufefffile,sample,role\r\nx.fcs,X,unstained\r\n",
    "minimal.csv": "file\nonly.fcs\n",
}


def write(sub, files):
    d = os.path.join(HERE, "corpus", sub)
    os.makedirs(d, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(d, name), "wb") as fp:
            fp.write(text.encode("utf-8"))


GML["entity.xml"] = ('<?xml version="1.0"?>\n<!DOCTYPE gating:Gating-ML [\n'
                     '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">\n'
                     '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>\n' +
                     HEAD.split("\n", 1)[1] +
                     rect("&c;", [dim("FSC-A", ' gating:min="1"')]) + TAIL)
# Billion laughs: ten levels of ten references (libxml2 refuses it as an entity loop).
LOL = ['<!ENTITY l0 "lollollollollollollollollol">'] + \
    ['<!ENTITY l%d "%s">' % (i, ("&l%d;" % (i - 1)) * 10) for i in range(1, 10)]
GML["billion_laughs.xml"] = ('<?xml version="1.0"?>\n<!DOCTYPE gating:Gating-ML [\n' +
                             "\n".join(LOL) + ']>\n' + HEAD.split("\n", 1)[1] +
                             rect("&l9;", [dim("&l9;", ' gating:min="1"')]) + TAIL)
RAW = ("entity.xml", "billion_laughs.xml")
write("gml_read", {k: (v if k in RAW else HEAD + v + TAIL) for k, v in GML.items()})
write("comp_csv", CSV)
write("sheet", SHEET)
