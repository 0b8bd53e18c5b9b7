#!/usr/bin/python3
"""check_layout.py MODE PATH — reads a form written by test_layout.c
(svc/layout.c) with openpyxl and checks it against what that test wrote.

MODE is "two" (the two-level 高龄津贴 roster), "one" (the one-level visit
record without totals) or "big" (100,000 rows).  Prints what it finds;
exits 1 on a mismatch, 77 when openpyxl is missing (the test fails: deps.sh installs it)."""
import datetime
import re
import sys

try:
    import openpyxl
except ImportError:
    print("check_layout.py: openpyxl is not installed")
    sys.exit(77)

COMMUNITY = "阳光社区居民委员会"
failures = []


def expect(what, got, want):
    ok = got == want
    print(("ok   " if ok else "FAIL ") + f"{what}: {got!r}" + ("" if ok else f", want {want!r}"))
    if not ok:
        failures.append(what)


def sheet_name(title):
    """Excel's rule as layout.c applies it: no []:*?/\\, at most 31."""
    return re.sub(r"[\[\]:*?/\\]", "", title)[:31].strip("'")


def merges(ws):
    return sorted(str(r) for r in ws.merged_cells.ranges)


def print_rows(wb, ws):
    rows = getattr(ws, "print_title_rows", None)
    if not rows:   # older openpyxl keeps it as a defined name
        for dn in wb.defined_names.definedName:
            if dn.name == "_xlnm.Print_Titles":
                rows = dn.attr_text.split("!")[-1]
    return (rows or "").replace("$", "")


def page(ws, want_freeze, want_titles, wb):
    expect("freeze panes", ws.freeze_panes, want_freeze)
    expect("print title rows", print_rows(wb, ws), want_titles)
    expect("orientation", ws.page_setup.orientation, "landscape")
    expect("paper size (9 = A4)", str(ws.page_setup.paperSize), "9")
    expect("fit to page", bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage),
           True)
    # 1 is the default and libxlsxwriter leaves it out
    expect("fit to width", str(ws.page_setup.fitToWidth or 1), "1")
    expect("fit to height", str(ws.page_setup.fitToHeight), "0")


def cell(ws, ref):
    return ws[ref].value


def is_text(ws, ref, want):
    c = ws[ref]
    expect(f"{ref} text", (type(c.value).__name__, c.value), ("str", want))


def is_date(ws, ref, want, fmt):
    c = ws[ref]
    expect(f"{ref} date", (type(c.value).__name__, c.value, c.number_format),
           ("datetime", datetime.datetime(*want), fmt))


def is_number(ws, ref, want, fmt=None):
    c = ws[ref]
    got = (type(c.value).__name__ in ("int", "float"), c.value)
    expect(f"{ref} number", got, (True, want))
    if fmt:
        expect(f"{ref} number format", c.number_format, fmt)


def bordered(ws, ref):
    b = ws[ref].border
    expect(f"{ref} borders", (b.left.style, b.right.style, b.top.style, b.bottom.style), ("thin",) * 4)


def two(path):
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    title = f"{COMMUNITY}80周岁以上老年人[高龄]津贴发放花名册/2026年第4季度:测试?*"
    expect("sheet name", ws.title, sheet_name(title))
    expect("A1 title", cell(ws, "A1"), title)
    expect("A1 bold", ws["A1"].font.b, True)
    expect("A2", cell(ws, "A2"), f"填报单位（盖章）：{COMMUNITY}")
    expect("F2", cell(ws, "F2"), "填报日期：2026年11月27日")
    expect("merged ranges", merges(ws), sorted([
        "A1:J1", "A2:E2", "F2:J2",
        "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:H3", "I3:I4", "J3:J4",
        "A12:J12"]))
    expect("row 3", [cell(ws, f"{c}3") for c in "ABCDEFGHIJ"],
           ["序号", "姓名", "性别", "身份证号码", "出生日期", "补贴标准", None, None, "发放金额（元）", "备注"])
    expect("row 4 (children)", [cell(ws, f"{c}4") for c in "FGH"], ["80–89周岁", "90–99周岁", "100周岁以上"])
    expect("header bold + fill", (ws["F3"].font.b, ws["F3"].fill.fgColor.rgb[-6:]), (True, "DDEBF7"))
    expect("header wrapped, centred", (ws["I3"].alignment.wrap_text, ws["I3"].alignment.horizontal),
           (True, "center"))
    # (openpyxl keeps only the outer borders of a merged range, so the
    # first cell of each range and the unmerged children are checked)
    for ref in ("A3", "F3", "I3", "F4", "H4"):
        bordered(ws, ref)
    expect("serials", [cell(ws, f"A{r}") for r in range(5, 10)], [1, 2, 3, 4, 5])
    is_text(ws, "D5", "110105194403120025")
    is_text(ws, "D6", "11010519350607001X")
    is_text(ws, "D7", "010105192001010028")
    expect("D5 format", ws["D5"].number_format, "@")
    is_date(ws, "E5", (1944, 3, 12), "yyyy-mm-dd")
    is_date(ws, "E7", (1920, 1, 1), "yyyy-mm-dd")
    is_text(ws, "E8", "1945-02-30")           # no such date: kept as text
    is_number(ws, "F5", 50, "0.00")
    is_number(ws, "I6", 100.10, "0.00")
    is_text(ws, "I8", "待核实")                # not a number: kept as text
    expect("empty cells", [cell(ws, r) for r in ("F6", "B9", "J6", "D8")], [None] * 4)
    for ref in ("B5", "J6", "F6", "D9", "J9"):
        bordered(ws, ref)
    # totals
    expect("A10", cell(ws, "A10"), "合计")
    expect("B10", cell(ws, "B10"), "共4人")
    is_number(ws, "D10", 3)
    is_number(ws, "F10", 50.3, "0.00")       # 50 + 0.1 + 0.2, no float drift
    is_number(ws, "G10", 100)
    is_number(ws, "H10", 500)
    is_number(ws, "I10", 650.5, "0.00")
    expect("C10, E10, J10", [cell(ws, r) for r in ("C10", "E10", "J10")], [None] * 3)
    bordered(ws, "J10")
    expect("row 11 blank", [cell(ws, f"{c}11") for c in "ABCDEFGHIJ"], [None] * 10)
    expect("A12 footer", cell(ws, "A12"), "填表人：        审核人：        联系电话：")
    expect("footer left", ws["A12"].alignment.horizontal, "left")
    expect("max row", ws.max_row, 12)
    page(ws, "A5", "3:4", wb)
    w = {c: ws.column_dimensions[c].width for c in "ADEI"}
    print(f"     widths: {w}")
    expect("width A (序号) ≈ 6", 6 <= w["A"] < 7, True)
    expect("width D (ID) ≈ 21", 21 <= w["D"] < 22, True)
    expect("width I (发放金额（元）) ≈ 16", 16 <= w["I"] < 17, True)


def one(path):
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    expect("sheet name", ws.title, "2026年11月走访记录")
    expect("A1 title", cell(ws, "A1"), "2026年11月走访记录")
    expect("A2", cell(ws, "A2"), f"统计单位：{COMMUNITY}")
    expect("D2", cell(ws, "D2"), "统计时间：2026-11-27")
    expect("merged ranges", merges(ws), sorted(["A1:E1", "A2:C2", "D2:E2", "A8:E8"]))
    expect("row 3", [cell(ws, f"{c}3") for c in "ABCDE"], ["姓名", "身份证号码", "走访日期", "人数", "备注"])
    is_text(ws, "B4", "110105198001010020")
    is_date(ws, "C4", (2026, 11, 3), 'yyyy"年"m"月"d"日"')
    is_text(ws, "C5", "2026/11/05")
    is_number(ws, "D4", 2)
    is_number(ws, "D5", 1.5)
    is_text(ws, "D6", "abc")
    expect("no totals row", [cell(ws, f"{c}7") for c in "ABCDE"], [None] * 5)
    expect("A8 footer", cell(ws, "A8"), "制表人：____  制表时间：2026年11月27日  {unknown}")
    expect("max row", ws.max_row, 8)
    page(ws, "A4", "3:3", wb)
    expect("width E (given 30)", 30 <= ws.column_dimensions["E"].width < 31, True)


def big(path):
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    data = rows[3:-3]
    expect("data rows", len(data), 100000)
    expect("serials 1…100000", all(r[0] == i + 1 for i, r in enumerate(data)), True)
    expect("IDs are text", all(isinstance(r[2], str) and len(r[2]) == 18 for r in data), True)
    expect("dates are dates", all(isinstance(r[3], datetime.datetime) for r in data), True)
    expect("last data row", data[-1][:3], (100000, "居民099999", "110105195004129999"))
    tot = rows[-3]
    expect("totals row", tot[:2], ("合计", "共100000人"))
    expect("money total (100000 × 0.10, exact)", tot[4], 10000.0)
    expect("number total", tot[5], 100000)
    expect("blank row", all(v is None for v in rows[-2]), True)
    expect("footer", rows[-1][0], "填表人：        审核人：        联系电话：")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("one", "two", "big"):
        print(__doc__)
        sys.exit(2)
    {"one": one, "two": two, "big": big}[sys.argv[1]](sys.argv[2])
    if failures:
        print(f"check_layout.py {sys.argv[1]}: {len(failures)} mismatch(es): {', '.join(failures)}")
        sys.exit(1)
    print(f"check_layout.py {sys.argv[1]}: all good")


if __name__ == "__main__":
    main()
