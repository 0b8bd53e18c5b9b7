#!/usr/bin/python3
"""make_xlsx.py — generates the .xlsx fixtures of tests/unit/test_sheet_xlsx.c
and the seed corpus of fuzz/fuzz_xlsx.c.  Synthetic data only.

    /usr/bin/python3 tests/data/sheet/make_xlsx.py     (from the repository root)

Deterministic: the same openpyxl and zlib give the same bytes (zip entries
carry a fixed date, docProps/core.xml fixed times).  openpyxl writes the
workbooks; what it does not write is patched into its XML afterwards: the
shared-strings table (this openpyxl writes every string inline, Excel
writes them shared), a formula's cached text, rich text with a phonetic
run, an _xHHHH_ escape.  The small hand-made workbooks are written from XML
strings.

Outputs, in tests/data/sheet/:
  residents.xlsx   sheets 说明 and 居民: merged title row, header, text,
                   phone and ID numbers stored as numbers, dates (builtin,
                   custom, datetime, yyyy"年"m"月"d"日"), a bool, an error
                   value, a formula string, an inline string, rich text, a
                   blank row, a cell in column AB
  date1904.xlsx    the 1904 date system
  handmade.xlsx    prefixed elements, rows and cells without r, an absolute
                   relationship target, ISO dates (t="d"), stored entries
  errors.xlsx      one sheet per failure: shared string out of range, text
                   over 32767 characters, a column past XFD, broken XML, a
                   bad number, a missing sheet part, a DTD (an XXE attempt)
  no_workbook.xlsx a zip without xl/workbook.xml
  bomb.xlsx        shared strings declared as 600 MiB once inflated
  liar.xlsx        a sheet that inflates past its declared size
  truncated.xlsx   the first half of residents.xlsx
and fuzz/corpus/xlsx/: small valid seeds.
"""
import datetime
import io
import os
import re
import sys
import zipfile

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils.datetime import CALENDAR_MAC_1904

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CORPUS = os.path.join(ROOT, "fuzz", "corpus", "xlsx")
FIXED = (2024, 1, 1, 0, 0, 0)
STAMP = datetime.datetime(2024, 1, 1, 0, 0, 0)

CORE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<dc:creator>juwei tests</dc:creator>'
        '<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:modified>'
        '</cp:coreProperties>')

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
T_WS = NS_R + "/worksheet"
T_SST = NS_R + "/sharedStrings"
T_STY = NS_R + "/styles"


def pack(entries, compress=zipfile.ZIP_DEFLATED, drop=()):
    """Zips [(name, bytes|str)] in order with fixed dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries:
            if name in drop:
                continue
            if isinstance(data, str):
                data = data.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=FIXED)
            info.compress_type = compress
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return out.getvalue()


def unpack(blob):
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def save_openpyxl(wb):
    out = io.BytesIO()
    wb.save(out)
    return unpack(out.getvalue())


def patch(entries, name, fn):
    res = []
    hit = False
    for n, d in entries:
        if n == name:
            d = fn(d.decode("utf-8")).encode("utf-8")
            hit = True
        res.append((n, d))
    assert hit, name
    return res


def sub1(pattern, repl, text):
    new, n = re.subn(pattern, lambda m: repl, text, count=1)
    assert n == 1, pattern
    return new


INLINE = re.compile(r'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t((?: xml:space="preserve")?)>'
                    r'([^<]*)</t></is></c>')


def to_shared(entries, keep_inline=()):
    """Moves the inline strings of every sheet into xl/sharedStrings.xml, as
    Excel writes them (the cells named in keep_inline stay inline)."""
    table, index = [], {}

    def shared(m):
        ref, style, space, text = m.groups()
        if ref in keep_inline:
            return m.group(0)
        key = (space, text)
        if key not in index:
            index[key] = len(table)
            table.append(key)
        return '<c r="%s"%s t="s"><v>%d</v></c>' % (ref, style, index[key])

    res = []
    for n, d in entries:
        if n.startswith("xl/worksheets/sheet"):
            d = INLINE.sub(shared, d.decode("utf-8")).encode("utf-8")
        res.append((n, d))
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>'
           % (NS_MAIN, len(table), len(table),
              "".join("<si><t%s>%s</t></si>" % (sp, t) for sp, t in table)))
    res = patch(res, "xl/_rels/workbook.xml.rels",
                lambda x: sub1("</Relationships>", '<Relationship Id="rIdSst" Type="%s" '
                               'Target="sharedStrings.xml"/></Relationships>' % T_SST, x))
    res = patch(res, "[Content_Types].xml",
                lambda x: sub1("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType='
                               '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                               "</Types>", x))
    res.insert(len(res) - 1, ("xl/sharedStrings.xml", sst.encode("utf-8")))
    return res


def fix_core(entries):
    return [(n, CORE.encode() if n == "docProps/core.xml" else d) for n, d in entries]


def residents():
    wb = openpyxl.Workbook()
    wb.properties.created = STAMP
    wb.properties.modified = STAMP
    note = wb.active
    note.title = "说明"
    note["A1"] = "本工作簿为测试用合成数据，不含真实人员信息。"
    ws = wb.create_sheet("居民")
    ws["A1"] = "阳光社区居民花名册（测试数据）"
    ws["A1"].font = Font(bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A1:L1")
    header = ["姓名", "性别", "联系电话", "公民身份号码", "出生日期", "登记时间",
              "入住日期", "是否党员", "核验结果", "显示名", "备注", "面积"]
    for i, h in enumerate(header, start=1):
        ws.cell(row=2, column=i, value=h)
    ws["AB2"] = "扩展"
    # row 3
    ws["A3"] = "张三"
    ws["B3"] = "男"
    ws["C3"] = 13812345678                       # a phone stored as a number
    ws["D3"] = 1.10105199709198e+17              # an ID number Excel turned into a number
    ws["E3"] = datetime.date(1997, 9, 19)
    ws["E3"].number_format = "mm-dd-yy"          # builtin format 14
    ws["F3"] = datetime.datetime(2024, 3, 5, 8, 30, 0)
    ws["G3"] = datetime.date(2023, 6, 1)
    ws["G3"].number_format = 'yyyy"年"m"月"d"日"'
    ws["H3"] = True
    ws["I3"] = "#N/A"                            # openpyxl writes t="e"
    ws["J3"] = '=A3&"（"&B3&"）"'               # cached value patched in below
    ws["K3"] = "INLINE_PLACEHOLDER"              # becomes an inline string
    ws["L3"] = 89.5
    ws["L3"].number_format = '0.0" days"'        # quoted d/y/s: not a date
    ws["AB3"] = "AB列"
    # row 4 is blank; row 5
    ws["A5"] = "RICH_PLACEHOLDER"                # rich text with a phonetic run
    ws["B5"] = "女"
    ws["C5"] = "13900001111"                     # a phone typed as text
    ws["D5"] = "11010519800101002X"
    ws["E5"] = datetime.date(1980, 1, 1)
    ws["E5"].number_format = "yyyy-mm-dd"
    ws["H5"] = False
    ws["K5"] = "  前后空格  "
    ws["L5"] = "ESCAPE_PLACEHOLDER"              # _x000D_ escapes
    entries = to_shared(fix_core(save_openpyxl(wb)), keep_inline=("K3",))

    def sst(x):
        x = sub1(r"<si><t>RICH_PLACEHOLDER</t></si>",
                 '<si><r><rPr><b/></rPr><t>王</t></r><r><t xml:space="preserve">小 五</t></r>'
                 '<rPh sb="0" eb="1"><t>ワン</t></rPh><phoneticPr fontId="1"/></si>', x)
        x = sub1(r"<si><t>ESCAPE_PLACEHOLDER</t></si>", "<si><t>甲_x000D_乙_x005F_x0041_</t></si>", x)
        return x

    def sheet2(x):
        x = sub1(r'<is><t>INLINE_PLACEHOLDER</t></is>', '<is><t>内联文字</t></is>', x)
        x = sub1(r'<c r="J3"><f>([^<]*)</f><v\s*/?>(</v>)?</c>',
                 '<c r="J3" t="str"><f>A3&amp;"（"&amp;B3&amp;"）"</f><v>张三（男）</v></c>', x)
        return x

    entries = patch(entries, "xl/sharedStrings.xml", sst)
    entries = patch(entries, "xl/worksheets/sheet2.xml", sheet2)
    return entries


def date1904():
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    wb.properties.created = STAMP
    wb.properties.modified = STAMP
    ws = wb.active
    ws.title = "居民"
    ws["A1"] = "姓名"
    ws["B1"] = "出生日期"
    ws["C1"] = "登记时间"
    ws["A2"] = "赵六"
    ws["B2"] = datetime.date(1958, 3, 5)
    ws["C2"] = datetime.datetime(2024, 2, 29, 23, 59, 59)
    return to_shared(fix_core(save_openpyxl(wb)))


def rels(items):
    body = "".join('<Relationship Id="%s" Type="%s" Target="%s"/>' % it for it in items)
    return '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s">%s</Relationships>' % (NS_PKG, body)


CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?>'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/xl/workbook.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                 '</Types>')
ROOT_RELS = rels([("rId1", NS_R + "/officeDocument", "xl/workbook.xml")])


def workbook(names, prefix=""):
    p = prefix + ":" if prefix else ""
    xmlns = ' xmlns%s="%s"' % (":" + prefix if prefix else "", NS_MAIN)
    sheets = "".join('<%ssheet name="%s" sheetId="%d" r:id="rId%d"/>' % (p, n, i + 1, i + 1)
                     for i, n in enumerate(names))
    return ('<?xml version="1.0" encoding="UTF-8"?><%sworkbook%s xmlns:r="%s"><%sworkbookPr/>'
            '<%ssheets>%s</%ssheets></%sworkbook>' % (p, xmlns, NS_R, p, p, sheets, p, p))


def worksheet(rows, prefix="", head=""):
    p = prefix + ":" if prefix else ""
    xmlns = ' xmlns%s="%s"' % (":" + prefix if prefix else "", NS_MAIN)
    return ('<?xml version="1.0" encoding="UTF-8"?>%s<%sworksheet%s><%ssheetData>%s</%ssheetData>'
            '</%sworksheet>' % (head, p, xmlns, p, rows, p, p))


def handmade():
    rows = ('<x:row><x:c t="inlineStr"><x:is><x:t>编号</x:t></x:is></x:c>'
            '<x:c t="inlineStr"><x:is><x:t>数量</x:t></x:is></x:c></x:row>'
            '<x:row><x:c><x:v>7</x:v></x:c><x:c t="n"><x:v>-2.5</x:v></x:c>'
            '<x:c r="E2" t="s"><x:v>0</x:v></x:c></x:row>'
            '<x:row r="10" spans="1:4"><x:c r="B10"><x:v>1E3</x:v></x:c>'
            '<x:c r="C10" t="d"><x:v>2024-03-05T08:30:00</x:v></x:c><x:c r="D10" t="d"><x:v>1900-03-01</x:v></x:c>'
            '</x:row>'
            '<x:row/>')
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="%s" count="1" uniqueCount="1">'
           '<si><t>共享</t></si></sst>' % NS_MAIN)
    return [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", workbook(["手工"], prefix="x")),
        ("xl/_rels/workbook.xml.rels", rels([("rId1", T_WS, "/xl/worksheets/sheet1.xml"),
                                             ("rId2", T_SST, "./sharedStrings.xml")])),
        ("xl/sharedStrings.xml", sst),
        ("xl/worksheets/sheet1.xml", worksheet(rows, prefix="x")),
    ]


def errors():
    names = ["越界", "超长", "超列", "坏XML", "坏数字", "缺失", "DTD"]
    ok = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    sheets = [
        ok + '<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="s"><v>99</v></c></row>',
        ok + '<row r="3"><c r="C3" t="inlineStr"><is><t>%s</t></is></c></row>' % ("长" * 40000),
        ok + '<row r="4"><c r="XFE4"><v>1</v></c></row>',
        ok + '<row r="2"><c r="A2"><v>2</v></row>',
        ok + '<row r="5"><c r="D5"><v>12abc</v></c></row>',
        None,
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row>',
    ]
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="%s" count="1" uniqueCount="1">'
           '<si><t>正常</t></si></sst>' % NS_MAIN)
    entries = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", workbook(names)),
        ("xl/_rels/workbook.xml.rels",
         rels([("rId%d" % (i + 1), T_WS, "worksheets/sheet%d.xml" % (i + 1)) for i in range(len(names))]
              + [("rId99", T_SST, "sharedStrings.xml")])),
        ("xl/sharedStrings.xml", sst),
    ]
    for i, rows in enumerate(sheets):
        if rows is None:
            continue
        # an XXE attempt: refused at the DTD, /etc/passwd never read
        head = '<!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>' if names[i] == "DTD" else ""
        entries.append(("xl/worksheets/sheet%d.xml" % (i + 1), worksheet(rows, head=head)))
    return entries


def set_size(blob, name, size):
    """Rewrites the uncompressed size of entry name in its local header and
    in the central directory (CRC and data left as they are)."""
    b = bytearray(blob)
    key = name.encode()
    i = 0
    while True:
        i = b.find(key, i)
        if i < 0:
            break
        if b[i - 30:i - 26] == b"PK\x03\x04":
            b[i - 8:i - 4] = size.to_bytes(4, "little")
        elif b[i - 46:i - 42] == b"PK\x01\x02":
            b[i - 22:i - 18] = size.to_bytes(4, "little")
        i += len(key)
    return bytes(b)


def write(path, blob):
    with open(path, "wb") as f:
        f.write(blob)


def main():
    out = HERE
    res = pack(residents())
    write(os.path.join(out, "residents.xlsx"), res)
    write(os.path.join(out, "date1904.xlsx"), pack(date1904()))
    write(os.path.join(out, "handmade.xlsx"), pack(handmade(), compress=zipfile.ZIP_STORED))
    write(os.path.join(out, "errors.xlsx"), pack(errors()))
    write(os.path.join(out, "no_workbook.xlsx"), pack(handmade(), drop=("xl/workbook.xml",)))
    write(os.path.join(out, "truncated.xlsx"), res[:len(res) // 2])
    write(os.path.join(out, "bomb.xlsx"), set_size(pack(handmade()), "xl/sharedStrings.xml", 600 << 20))
    write(os.path.join(out, "liar.xlsx"), set_size(pack(handmade()), "xl/worksheets/sheet1.xml", 300))

    # Fuzz seeds: small, and stored where they can be (the fuzz target
    # fixes the CRC of stored entries, so mutations reach the XML).
    os.makedirs(CORPUS, exist_ok=True)
    slim = ("docProps/app.xml", "docProps/core.xml", "xl/theme/theme1.xml")
    seeds = {
        "handmade.xlsx": pack(handmade(), compress=zipfile.ZIP_STORED),
        "residents.xlsx": pack(residents(), drop=slim),
        "residents_stored.xlsx": pack(residents(), compress=zipfile.ZIP_STORED,
                                      drop=slim + ("xl/worksheets/sheet1.xml", "xl/styles.xml",
                                                   "[Content_Types].xml", "_rels/.rels")),
        "date1904.xlsx": pack(date1904(), compress=zipfile.ZIP_STORED, drop=slim),
        "errors.xlsx": pack(errors()),
    }
    for name, blob in seeds.items():
        assert len(blob) < 8192, (name, len(blob))
        write(os.path.join(CORPUS, name), blob)
    return 0


if __name__ == "__main__":
    sys.exit(main())
