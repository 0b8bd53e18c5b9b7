#!/usr/bin/python3
"""make_csv_xls.py — writes the small CSV and .xls fixtures that
tests/unit/test_sheet_csv.c reads (io/csv_read.c, io/xls_read.c).

Run from anywhere: `/usr/bin/python3 tests/data/sheet/make_csv_xls.py`.
Deterministic: the same bytes every run.  The files are committed; this
script says how they were made.  All names, addresses, phone and ID
numbers are made up.
"""
import os

import xlwt

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


# UTF-8 with BOM, CRLF: what Excel's "CSV UTF-8" writes.  Row 3 keeps a
# leading and a trailing space (the reader must not trim); row 4 has an
# empty middle cell and trailing empty cells.
write("utf8_bom.csv", "\ufeff".encode("utf-8") + (
    "姓名,公民身份号码,联系电话,出生日期\r\n"
    "张三,11010519491231002X,13812345678,1949-12-31\r\n"
    " 李四 ,\"110105199001011234\",\"139 1234 5678\",1990/1/1\r\n"
    "王芳,,13700001111,,,\r\n"
).encode("utf-8"))

# GBK (Excel's plain "CSV" on a Chinese Windows), CRLF: a title row with
# Excel's trailing commas, the header, a quoted field holding a comma and a
# quoted field holding a line break (one record, row 3), a blank line
# (row 4) and a last record without a final line break (row 5).
write("gbk.csv", (
    "幸福里社区居民花名册,,,\r\n"
    "姓名,性别,住址,备注\r\n"
    "王五,男,\"幸福里小区3号楼,2单元302室\",\"第一行\r\n第二行\"\r\n"
    "\r\n"
    "赵六,女,幸福里小区5号楼,\"说\"\"好\"\"的\""
).encode("gbk"))

# UTF-16LE with BOM, tab-separated: Excel's "Unicode text (*.txt)".
write("utf16le_tab.txt", "\ufeff".encode("utf-16-le") + (
    "姓名\t联系电话\t备注\r\n"
    "钱七\t13700001111\t\"甲\t乙\"\r\n"
    "孙八\t\t独居老人\r\n"
).encode("utf-16-le"))

# UTF-8 without BOM, LF, semicolons (a European Excel); commas inside the
# fields must not win the delimiter vote.
write("semicolon.csv", (
    "姓名;住址;备注\n"
    "周九;幸福里小区1号楼,1单元101室;无\n"
    "吴十;\"幸福里小区2号楼;3单元\";\"a,b,c\"\n"
).encode("utf-8"))

# An Excel 97-2003 workbook: three sheets, text, numbers (a phone number and
# an 18-digit ID number stored as numbers), an integer, a fraction, a date,
# a date with a time, and a blank row 3.
wb = xlwt.Workbook(encoding="utf-8")
ws = wb.add_sheet("居民花名册")
date_fmt = xlwt.easyxf(num_format_str="yyyy-mm-dd")
dt_fmt = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
for c, h in enumerate(["姓名", "联系电话", "公民身份号码", "出生日期", "人数", "面积", "登记时间"]):
    ws.write(0, c, h)
ws.write(1, 0, "张三")
ws.write(1, 1, 13812345678)
ws.write(1, 2, 110105194912310021)
ws.write(1, 3, 21249, date_fmt)            # 1958-03-05
ws.write(1, 4, 3)
ws.write(1, 5, 86.5)
ws.write(1, 6, 45292.5, dt_fmt)            # 2024-01-01 12:00:00
# row 3 (index 2) left blank
ws.write(3, 0, "李四")
ws.write(3, 2, "11010519491231002X")
ws2 = wb.add_sheet("说明")
ws2.write(0, 0, "本表为测试数据")
# FreeXL's date quirks: Excel's 1900-02-29 (serial 60), the first day
# after it, a day past 2100-02-28 (FreeXL thinks 2100 is a leap year), the
# last day Excel knows, a time of day alone, and a serial past year 9999.
ws3 = wb.add_sheet("日期")
time_fmt = xlwt.easyxf(num_format_str="hh:mm:ss")
for c, v in enumerate([60, 61, 73110, 2958465]):
    ws3.write(0, c, v, date_fmt)
ws3.write(0, 4, 0.75, time_fmt)
ws3.write(0, 5, 10000000, date_fmt)
path = os.path.join(HERE, "roster.xls")
wb.save(path)
