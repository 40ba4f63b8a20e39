#!/usr/bin/env python3
"""Writes the workbook fixtures of tests/bot/xlsx (see README.md here). Standard library only.

  python3 make_fixtures.py            # the hand-made .xlsx files and seeds-table.fods
  soffice --headless --convert-to xlsx seeds-table.fods   # -> seeds-table.xlsx (LibreOffice)

Run from this directory. The outputs are committed; the tests never run this script."""
import csv
import datetime
import zipfile
from xml.sax.saxutils import escape

SAMPLES = "../samples/"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def rows_of(name):
    with open(SAMPLES + name, encoding="utf-8") as f:
        return list(csv.reader(f))


def col(index):  # 0 -> A
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


# --- LibreOffice: the seeds' table as typed, title and two-row merged header, real dates ---------

def fods_cell(value, kind="string", span=None):
    attrs = ""
    if span:
        attrs += ' table:number-columns-spanned="%d" table:number-rows-spanned="%d"' % span
    if kind == "date":
        return ('<table:table-cell table:style-name="ce_date" office:value-type="date" office:date-value="%s"%s>'
                '<text:p>%s</text:p></table:table-cell>' % (value, attrs, value))
    if kind == "percent":
        return ('<table:table-cell table:style-name="ce_pct" office:value-type="percentage" office:value="%s"%s>'
                '<text:p>%s</text:p></table:table-cell>' % (value, attrs, value))
    if kind == "float":
        return ('<table:table-cell office:value-type="float" office:value="%s"%s><text:p>%s</text:p>'
                '</table:table-cell>' % (value, attrs, value))
    if value == "":
        return "<table:table-cell/>" if not span else '<table:table-cell%s/>' % attrs
    return ('<table:table-cell office:value-type="string"%s><text:p>%s</text:p></table:table-cell>'
            % (attrs, escape(value)))


COVERED = "<table:covered-table-cell/>"


def fods_tracking():
    rows = rows_of("new-product-launch.csv")
    header, data = rows[0], rows[1:]
    out = ['<table:table table:name="营销执行进度跟踪表">', "<table:table-row>",
           fods_cell("营销执行进度跟踪表（新品上市推广）", span=(len(header), 1)), COVERED * (len(header) - 1),
           "</table:table-row>"]
    # Row 2: headings merged down over rows 2-3, except the two date groups merged across.
    row2, row3 = [], []
    c = 0
    while c < len(header):
        if header[c] in ("计划开始", "实际开始"):
            group = "计划时间" if header[c] == "计划开始" else "实际时间"
            row2 += [fods_cell(group, span=(2, 1)), COVERED]
            row3 += [fods_cell("开始"), fods_cell("完成")]
            c += 2
            continue
        heading = "备注（风险/偏差说明）" if header[c] == "备注" else header[c]
        row2.append(fods_cell(heading, span=(1, 2)))
        row3.append(COVERED)
        c += 1
    out += ["<table:table-row>"] + row2 + ["</table:table-row>", "<table:table-row>"] + row3 + ["</table:table-row>"]
    for record in data:
        cells = []
        for name, value in zip(header, record):
            if value and name in ("计划开始", "计划完成", "实际开始", "实际完成"):
                cells.append(fods_cell(value, "date"))
            elif value.endswith("%"):
                cells.append(fods_cell(str(int(value[:-1]) / 100), "percent"))
            else:
                cells.append(fods_cell(value))
        out += ["<table:table-row>"] + cells + ["</table:table-row>"]
    out.append("</table:table>")
    return "".join(out)


def fods_kpis():
    rows = rows_of("q3-online-strategy-kpis.csv")
    header, data = rows[0], rows[1:]
    out = ['<table:table table:name="效果指标跟踪表">', "<table:table-row>",
           fods_cell("效果指标跟踪表", span=(len(header), 1)), COVERED * (len(header) - 1), "</table:table-row>",
           "<table:table-row>"] + [fods_cell(h) for h in header] + ["</table:table-row>"]
    for record in data:
        cells = []
        for name, value in zip(header, record):
            if name == "更新日期":
                cells.append(fods_cell(value, "date"))
            elif value.endswith("%"):
                cells.append(fods_cell(str(int(value[:-1]) / 100), "percent"))
            elif value.isdigit():
                cells.append(fods_cell(value, "float"))
            else:
                cells.append(fods_cell(value))
        out += ["<table:table-row>"] + cells + ["</table:table-row>"]
    out.append("</table:table>")
    return "".join(out)


def write_fods():
    doc = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
 <number:date-style style:name="N_date"><number:year number:style="long"/><number:text>/</number:text><number:month/><number:text>/</number:text><number:day/></number:date-style>
 <number:percentage-style style:name="N_pct"><number:number number:decimal-places="0" number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>
 <style:style style:name="ce_date" style:family="table-cell" style:data-style-name="N_date"/>
 <style:style style:name="ce_pct" style:family="table-cell" style:data-style-name="N_pct"/>
</office:automatic-styles>
<office:body><office:spreadsheet>""" + fods_tracking() + fods_kpis() + """</office:spreadsheet></office:body>
</office:document>
"""
    with open("seeds-table.fods", "w", encoding="utf-8") as f:
        f.write(doc)


# --- Hand-made: what other writers do — 1904 dates, inline strings, rich text, prefixes -----------

def serial_1904(iso):
    return (datetime.date.fromisoformat(iso) - datetime.date(1904, 1, 1)).days


class Sheet:
    def __init__(self, prefix=""):
        self.rows = {}
        self.merges = []
        self.p = prefix  # "x:" writes every element with a namespace prefix

    def put(self, ref_row, ref_col, xml):
        self.rows.setdefault(ref_row, []).append((ref_col, xml))

    def inline(self, r, c, text):
        p = self.p
        self.put(r, c, '<%sc r="%s%d" t="inlineStr"><%sis><%st>%s</%st></%sis></%sc>'
                 % (p, col(c), r, p, p, escape(text), p, p, p))

    def shared(self, r, c, index):
        self.put(r, c, '<%sc r="%s%d" t="s"><%sv>%d</%sv></%sc>' % (self.p, col(c), r, self.p, index, self.p, self.p))

    def number(self, r, c, value, style=0):
        self.put(r, c, '<%sc r="%s%d" s="%d"><%sv>%s</%sv></%sc>'
                 % (self.p, col(c), r, style, self.p, value, self.p, self.p))

    def xml(self):
        p = self.p
        ns = 'xmlns:x="%s" xmlns:r="%s"' % (MAIN, REL) if p else 'xmlns="%s" xmlns:r="%s"' % (MAIN, REL)
        out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<%sworksheet %s><%ssheetData>' % (p, ns, p)]
        for r in sorted(self.rows):
            out.append('<%srow r="%d">' % (p, r) + "".join(x for _, x in sorted(self.rows[r])) + "</%srow>" % p)
        out.append("</%ssheetData>" % p)
        if self.merges:
            out.append('<%smergeCells count="%d">' % (p, len(self.merges)) +
                       "".join('<%smergeCell ref="%s"/>' % (p, m) for m in self.merges) + "</%smergeCells>" % p)
        out.append("</%sworksheet>" % p)
        return "".join(out)


STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="%s"><numFmts count="2"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="177" formatCode="[$-409]d\\-mmm\\-yy;@"/></numFmts>
<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="176" applyNumberFormat="1"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="9" applyNumberFormat="1"/><xf numFmtId="177" applyNumberFormat="1"/></cellXfs></styleSheet>""" % MAIN


def shared_strings(items):
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="%s" count="%d" uniqueCount="%d">'
           % (MAIN, len(items), len(items))]
    out += items
    out.append("</sst>")
    return "".join(out)


def write_package(path, sheets, strings=None, date1904=False, extra=None):
    """sheets: [(name, xml)]; a workbook with relationships as Excel writes them."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns='
                   '"http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" '
                   'ContentType="application/xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s"><Relationship '
                   'Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>' % (PKG, REL))
        props = '<workbookPr date1904="1"/>' if date1904 else ""
        book = ['<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="%s" xmlns:r="%s">%s<sheets>' % (MAIN, REL, props)]
        rels = ['<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s">' % PKG]
        for i, (name, xml) in enumerate(sheets, 1):
            book.append('<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (escape(name), i, i))
            rels.append('<Relationship Id="rId%d" Type="%s/worksheet" Target="/xl/worksheets/sheet%d.xml"/>'
                        % (i, REL, i))
            z.writestr("xl/worksheets/sheet%d.xml" % i, xml)
        book.append("</sheets></workbook>")
        n = len(sheets)
        rels.append('<Relationship Id="rId%d" Type="%s/styles" Target="styles.xml"/>' % (n + 1, REL))
        if strings is not None:
            rels.append('<Relationship Id="rId%d" Type="%s/sharedStrings" Target="sharedStrings.xml"/>' % (n + 2, REL))
            z.writestr("xl/sharedStrings.xml", shared_strings(strings))
        rels.append("</Relationships>")
        z.writestr("xl/workbook.xml", "".join(book))
        z.writestr("xl/_rels/workbook.xml.rels", "".join(rels))
        z.writestr("xl/styles.xml", STYLES)
        for name, data in (extra or {}).items():
            z.writestr(name, data)


def write_handmade():
    """The q3 sample in English, typed elsewhere: a two-row header under a title, 1904 dates in
    three formats and once as text, percent cells, inline and rich shared strings."""
    rows = rows_of("q3-online-strategy.csv")
    data = rows[1:]
    strings = [
        '<si><t>Q3 online strategy — execution tracker</t></si>',
        # rich text runs and a phonetic run (dropped) as Excel writes them
        '<si><r><t>第三场直播设备故障，</t></r><r><rPr><b/></rPr><t>延期5天；已启用备用设备</t></r>'
        '<rPh sb="0" eb="1"><t>ダミー</t></rPh></si>',
        '<si><t xml:space="preserve">Remark_x000D_\n(risk / deviation)</t></si>',
    ]
    plan = Sheet(prefix="x:")
    plan.put(1, 0, '<x:c r="A1" t="s"><x:v>0</x:v></x:c>')
    plan.merges.append("A1:M1")
    # Row 2: headings merged down; 'Planned dates' and 'Actual' merged across their sub-columns.
    headings = ["ID", "Level", "Name", "Description", "Deliverable", "Owner"]
    for c, h in enumerate(headings):
        plan.inline(2, c, h)
        plan.merges.append("%s2:%s3" % (col(c), col(c)))
    plan.inline(2, 6, "Planned dates")
    plan.merges.append("G2:H2")
    plan.inline(2, 8, "Actual")
    plan.merges.append("I2:J2")
    for c, h in ((6, "start"), (7, "finish"), (8, "start"), (9, "finish")):
        plan.inline(3, c, h)
    for c, h in ((10, "Status"), (11, "Completion")):
        plan.inline(2, c, h)
        plan.merges.append("%s2:%s3" % (col(c), col(c)))
    plan.shared(2, 12, 2)
    plan.merges.append("M2:M3")
    status_en = {"已完成": "done", "进行中": "in progress"}
    level_en = {"一级阶段": "phase", "三级任务": "task"}
    for i, record in enumerate(data):
        r = 4 + i
        ident, level, name, description, deliverable, owner, ps, pf, as_, af, status, completion = record[:12]
        remark = record[14]
        for c, v in ((0, ident), (1, level_en[level]), (2, name), (3, description), (4, deliverable), (5, owner)):
            plan.inline(r, c, v)
        plan.number(r, 6, serial_1904(ps), 1)                      # yyyy"年"m"月"d"日"
        if i == 0:
            plan.inline(r, 7, pf)                                  # a date typed as text
        else:
            plan.number(r, 7, serial_1904(pf), 4)                  # d-mmm-yy
        if as_:
            plan.number(r, 8, str(serial_1904(as_)) + ".5", 2)     # built-in 14, a time of day too
        if af:
            plan.number(r, 9, serial_1904(af), 2)
        plan.inline(r, 10, status_en[status])
        if completion:
            plan.number(r, 11, int(completion[:-1]) / 100, 3)      # built-in 9: 0%
        if remark.startswith("第三场"):
            plan.shared(r, 12, 1)
        elif remark:
            plan.inline(r, 12, remark)
    notes = Sheet()
    notes.inline(1, 0, "How to fill this workbook: one row per task; dates as dates.")
    kpis = Sheet()
    krows = rows_of("q3-online-strategy-kpis.csv")
    for c, h in enumerate(["id", "name", "kind", "description", "target", "current", "data source", "updated"]):
        kpis.inline(1, c, h)
    for i, record in enumerate(krows[1:]):
        r = 2 + i
        for c in (0, 1, 2, 3, 6):
            kpis.inline(r, c, record[c])
        for c in (4, 5):
            if record[c].endswith("%"):
                kpis.number(r, c, int(record[c][:-1]) / 100, 3)
            else:
                kpis.number(r, c, record[c])
        kpis.number(r, 7, serial_1904(record[7]), 2)
    write_package("handmade-1904.xlsx", [("Read me", notes.xml()), ("Plan", plan.xml()), ("KPIs", kpis.xml())],
                  strings=strings, date1904=True)


def write_refusals():
    # A sheet of 60 MB of blanks deflates to ~60 kB: over the 50 MB cap.
    with zipfile.ZipFile("bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", '<workbook xmlns="%s"><sheets><sheet name="S" sheetId="1"/></sheets></workbook>'
                   % MAIN)
        z.writestr("xl/worksheets/sheet1.xml", " " * (60 * 1024 * 1024))
    with zipfile.ZipFile("no-workbook.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("readme.txt", "a zip, not a workbook")
    write_package("broken-xml.xlsx", [("S", '<worksheet xmlns="%s"><sheetData><row r="1"><c r="A1"' % MAIN)])
    other = Sheet()
    for c, h in enumerate(["姓名", "部门", "邮箱"]):
        other.inline(1, c, h)
    other.inline(2, 0, "小明")
    write_package("no-tracking-header.xlsx", [("人员", other.xml())])


if __name__ == "__main__":
    write_fods()
    write_handmade()
    write_refusals()
