/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * html_style.c: the style sheet of report.html, for the screen (tables wrap or scroll inside
 * their own box, so a 1024 px window never scrolls sideways) and for print (@page landscape:
 * every column of every table fits A4 and Letter in a smaller font with wrapping headers;
 * each sample's section starts a page), and the few lines of script that sort tables.
 */
#include "report/html_internal.h"

const char html_style[] =
    "body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;margin:0 auto;"
    "max-width:1320px;padding:16px 24px;color:#1d1d1f;background:#fff}\n"
    "h1{font-size:1.6em;margin:.2em 0}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;"
    "margin-top:1.6em}h3{margin:1em 0 .3em}\n"
    "nav a{margin-right:1em}table{border-collapse:collapse;font-size:13px;margin:.5em 0}\n"
    "th,td{border:1px solid #ccc;padding:3px 7px;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "th{background:#f0f0f3}table.sortable th{cursor:pointer}"
    "table.sortable th:after{content:' \\2195';color:#999}\n"
    "tr.failed td{background:#fde2e2}td.qc{color:#b45309}.warn li,small.warn{color:#92400e}\n"
    "img.plot{max-width:100%;border:1px solid #eee}img.thumb{max-width:100%}\n"
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(900px,100%),1fr));"
    "gap:12px}\n"
    "table.plate{table-layout:fixed;width:100%}table.plate th:first-child{width:24px}\n"
    "table.plate td{height:42px;font-size:10px;text-align:center;vertical-align:middle;"
    "overflow:hidden;text-overflow:ellipsis;white-space:nowrap}\n"
    "pre{background:#f6f6f8;padding:8px;white-space:pre-wrap;word-break:break-all}\n"
    "dl.kv{display:grid;grid-template-columns:max-content auto;gap:2px 16px}"
    "dl.kv dt{font-weight:600}dl.kv dd{margin:0}\n"
    ".scroll{max-width:100%;overflow-x:auto}td.path,td.hash{word-break:break-all}\n"
    "section.sample{border-top:1px solid #ddd;margin-top:1.2em}"
    "ul.flags li{margin:.3em 0}p.methods{max-width:60em;line-height:1.45}\n"
    "@media (max-width:1200px){table{font-size:12px}th,td{padding:2px 4px}}\n"
    "@media (max-width:1100px){table{font-size:11px}}\n"
    "@page{size:landscape;margin:10mm}\n"
    "@media print{body{max-width:none;padding:0;font-size:9pt}nav,#review{display:none}"
    ".scroll{overflow:visible}\n"
    " table{font-size:7pt;width:100%}th,td{padding:1px 3px;overflow-wrap:break-word}"
    "th{white-space:normal}table.sortable th:after{content:''}\n"
    " tr,figure,img{break-inside:avoid}h2,h3{break-after:avoid}"
    "section.sample{border:0}section.sample+section.sample{break-before:page}\n"
    " table.quadrants{width:auto}.grid{display:block}img.plot,img.thumb{max-height:170mm}"
    "pre{font-size:7pt}}\n";

/* Plain JS: click a header of a table.sortable to sort by that column (numbers as numbers,
 * missing values last), click again to reverse. */
const char html_script[] =
    "document.querySelectorAll('table.sortable').forEach(function(t){\n"
    " t.querySelectorAll('th').forEach(function(th){\n"
    "  th.addEventListener('click',function(){\n"
    "   var b=t.tBodies[0],k=th.cellIndex,num=th.dataset.type==='num';\n"
    "   var dir=th.dataset.dir==='asc'?-1:1;th.dataset.dir=dir>0?'asc':'desc';\n"
    "   var rows=Array.prototype.slice.call(b.rows);\n"
    "   rows.sort(function(a,c){\n"
    "    var x=a.cells[k].textContent.trim(),y=c.cells[k].textContent.trim();\n"
    "    if(num){var p=parseFloat(x),q=parseFloat(y);\n"
    "     if(isNaN(p))return isNaN(q)?0:1;if(isNaN(q))return -1;return (p-q)*dir;}\n"
    "    return x.localeCompare(y)*dir;});\n"
    "   rows.forEach(function(r){b.appendChild(r);});});});});\n";
