#!/usr/bin/env python3
"""Writes the messy import fixtures of tests/data/import/ (see README.md).

Deterministic: the same script always writes the same bytes (workbooks are
re-zipped with fixed timestamps).  Standard library + openpyxl + xlwt.

Every person is made up.  ID numbers are synthetic GB 11643-1999 numbers
of region 110105 with invented birth dates and sequence numbers and a
correct ISO 7064 MOD 11-2 check character computed here; phone numbers
are 1380000xxxx fakes; passport numbers are invented.

Besides the fixtures it writes expected.json: for every file what an
import must report (counts, rejected rows, merges, unknown columns) and
what the store must then hold.  tests/blackbox/test_import.py reads it.

    python3 tests/data/import/make.py          # (re)writes the files
"""
import codecs
import csv
import datetime
import io
import json
import os
import re
import sys
import zipfile

import openpyxl
import xlwt
from openpyxl.styles import Alignment, Font

OUT = os.path.dirname(os.path.abspath(__file__))
FIXED_TS = datetime.datetime(2025, 12, 1, 9, 0, 0)
ZIP_TS = (2025, 12, 1, 9, 0, 0)

# ---------------------------------------------------------------------------
# Synthetic numbers
# ---------------------------------------------------------------------------
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
REGION = "110105"


def check_char(body17):
    return CHECK[sum(int(c) * w for c, w in zip(body17, WEIGHTS)) % 11]


_seq = [100]


def make_id(birth, sex, want_x=None):
    """A fresh synthetic ID: region 110105, birth 'YYYY-MM-DD', sex '男'/'女'.

    Sequence numbers are handed out from one counter, so no two IDs made
    here are equal.  want_x=True looks for a number whose check character
    is X, want_x=False for one whose check character is not X."""
    b = birth.replace("-", "")
    while True:
        _seq[0] += 1
        seq = _seq[0]
        if (seq % 2 == 1) != (sex == "男"):
            continue
        body = f"{REGION}{b}{seq:03d}"
        c = check_char(body)
        if want_x is True and c != "X":
            continue
        if want_x is False and c == "X":
            continue
        return body + c


def wrong_check(idn):
    """The same number with a wrong check character."""
    right = idn[-1]
    for c in "0123456789X":
        if c != right:
            return idn[:-1] + c


_phone = [0]


def make_phone():
    _phone[0] += 1
    return f"1380000{_phone[0]:04d}"


FW = str.maketrans("0123456789Xx+-", "０１２３４５６７８９Ｘｘ＋－")


def fullwidth(s):
    return s.translate(FW)


def serial(d):
    """Excel serial number (1900 date system) of a date."""
    return (d - datetime.date(1899, 12, 30)).days


def mask_id(idn):
    return idn[:6] + "*" * (len(idn) - 10) + idn[-4:]


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------
def write_bytes(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def csv_text(rows, delimiter=","):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue()


def write_csv(name, rows, encoding="utf-8", bom=False, delimiter=","):
    text = csv_text(rows, delimiter)
    data = text.encode(encoding)
    if bom:
        data = codecs.BOM_UTF8 + data
    write_bytes(name, data)


def _core_fixed(xml):
    ts = FIXED_TS.strftime("%Y-%m-%dT%H:%M:%SZ")
    xml = re.sub(rb"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)",
                 rb"\g<1>" + ts.encode() + rb"\g<2>", xml)
    xml = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                 rb"\g<1>" + ts.encode() + rb"\g<2>", xml)
    return xml


def workbook_bytes(wb):
    """The workbook as .xlsx bytes with fixed timestamps (deterministic)."""
    wb.properties.creator = "juwei tests/data/import/make.py"
    wb.properties.created = FIXED_TS
    wb.properties.modified = FIXED_TS
    raw = io.BytesIO()
    wb.save(raw)
    src = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _core_fixed(data)
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_TS)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            z.writestr(zi, data)
    return out.getvalue()


def sheet_rows(ws, rows, text_cols=(), date_fmt="yyyy-mm-dd"):
    """Appends rows; values in text_cols (0-based) are forced to text cells,
    date values get a date format."""
    for r in rows:
        ws.append(list(r))
        rr = ws.max_row
        for ci, v in enumerate(r):
            c = ws.cell(row=rr, column=ci + 1)
            if isinstance(v, (datetime.date, datetime.datetime)):
                c.number_format = date_fmt
            elif ci in text_cols and v is not None and not isinstance(v, str):
                c.value = str(v)
            if ci in text_cols:
                c.number_format = "@"


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------
def person(name, birth, sex, rtype="户籍人口", ethnic="汉族", phone=True, want_x=None):
    return {"name": name, "birth": birth, "sex": sex, "rtype": rtype, "ethnic": ethnic,
            "id": make_id(birth, sex, want_x),
            "phone": make_phone() if phone else ""}


RT = {"户籍人口": "registered", "流动人口": "migrant", "境外人员": "foreign"}
SEX = {"男": "1", "女": "2"}

expected = {}


def stored(p, **kw):
    """What the store must hold for p after an import (API members)."""
    d = {"name": p["name"], "id_number": p["id"], "residence_type": RT[p["rtype"]],
         "sex": SEX[p["sex"]], "birth_date": p["birth"]}
    if p.get("phone"):
        d["phone"] = p["phone"]
    d.update(kw)
    return d


# 1. merged title row, blank row, headers worded differently -------------
def f_title_merged():
    people = [
        person("张建国", "1958-03-05", "男"),
        person("李秀英", "1961-07-19", "女", ethnic="回族"),
        person("王志强", "1983-11-02", "男", rtype="流动人口", ethnic="满族"),
        person("刘淑珍", "1947-01-28", "女"),
        person("陈国华", "2009-06-30", "男", phone=False),
    ]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["阳光社区居民花名册（2025年12月）"])
    ws.merge_cells("A1:G1")
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([])                                      # row 2 blank
    headers = ["身份证号码", "名字", "手机 ", "出生年月", "民族", "性别", "人口类型*"]
    rows = [headers]
    for i, p in enumerate(people):
        y, m, d = (int(x) for x in p["birth"].split("-"))
        # birth dates agree with the ID: a date cell, a text, or left empty
        bd = datetime.date(y, m, d) if i % 3 == 0 else (p["birth"] if i % 3 == 1 else None)
        rows.append([p["id"], p["name"], p["phone"] or None, bd, p["ethnic"], p["sex"],
                     p["rtype"]])
    sheet_rows(ws, rows, text_cols=(0, 2))
    for col, w in zip("ABCDEFG", (22, 10, 14, 12, 8, 6, 10)):
        ws.column_dimensions[col].width = w
    write_bytes("title_merged.xlsx", workbook_bytes(wb))
    expected["title_merged.xlsx"] = {
        "format": "xlsx", "header_row": 3, "rows": 5, "imported": 5, "rejected": 0,
        "merged": 0, "unknown_columns": [], "exit": 0,
        "persons": [stored(p, ethnic_label=p["ethnic"]) for p in people],
    }


# 2. encodings and delimiters -------------------------------------------
ENC_HEAD = ["姓名", "公民身份号码", "性别", "民族", "联系电话", "人口类型", "现居住地址"]


def enc_people():
    return [
        person("赵文博", "1972-04-12", "男"),
        person("黄晓燕", "1988-09-03", "女", rtype="流动人口"),
        person("周海涛", "1955-12-21", "男", ethnic="蒙古族"),
        person("吴桂兰", "1939-02-14", "女"),
    ]


def enc_rows(people):
    rows = [ENC_HEAD]
    for i, p in enumerate(people):
        rows.append([p["name"], p["id"], p["sex"], p["ethnic"], p["phone"], p["rtype"],
                     f"北京市朝阳区阳光路18号院{i + 1}号楼1单元10{i + 1}室"])
    return rows


def f_encodings():
    cases = [
        ("utf8_bom.csv", dict(encoding="utf-8", bom=True), "UTF-8 BOM"),
        ("utf8_nobom.csv", dict(encoding="utf-8"), "UTF-8"),
        ("gbk.csv", dict(encoding="gbk"), "GBK"),
        ("tab_separated.tsv", dict(encoding="utf-8", delimiter="\t"), "UTF-8"),
    ]
    for name, kw, enc in cases:
        people = enc_people()
        write_csv(name, enc_rows(people), **kw)
        expected[name] = {
            "format": "csv", "encoding": enc, "rows": 4, "imported": 4, "rejected": 0,
            "merged": 0, "unknown_columns": [], "exit": 0,
            "persons": [stored(p, ethnic_label=p["ethnic"]) for p in people],
        }
    # Excel's "Unicode text": UTF-16LE with BOM, tab-separated
    people = enc_people()
    text = csv_text(enc_rows(people), "\t")
    write_bytes("utf16_tab.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    expected["utf16_tab.txt"] = {
        "format": "csv", "encoding": "UTF-16", "rows": 4, "imported": 4, "rejected": 0,
        "merged": 0, "unknown_columns": [], "exit": 0,
        "persons": [stored(p, ethnic_label=p["ethnic"]) for p in people],
    }


# 3. ID numbers Excel turned into numbers --------------------------------
def f_sci_notation():
    good = [person("孙红梅", "1966-05-08", "女"), person("马俊", "1990-10-10", "男")]
    # In the workbook: the ID as a numeric cell, as Excel keeps it (15
    # significant digits), and a phone as a numeric cell (which is fine).
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "居民"
    ws.append(["姓名", "公民身份号码", "联系电话", "人口类型"])
    ws.append([good[0]["name"], good[0]["id"], int(good[0]["phone"]), "户籍人口"])  # row 2
    ws["B2"].number_format = "@"
    ws.append(["朱玉兰", 110105195803050012 // 1000 * 1000 * 1.0, "13800009001", "户籍人口"])  # 3
    ws["B3"].number_format = "0"
    ws.append([good[1]["name"], good[1]["id"], good[1]["phone"], "户籍人口"])          # row 4
    ws["B4"].number_format = "@"
    ws.append(["胡伟", 1.10105196204120e17, "13800009002", "流动人口"])                  # row 5
    write_bytes("sci_notation.xlsx", workbook_bytes(wb))
    expected["sci_notation.xlsx"] = {
        "format": "xlsx", "rows": 4, "imported": 2, "rejected": 2, "merged": 0, "exit": 3,
        "rejects": [{"row": 3, "field": "id_number", "column": "公民身份号码",
                     "reason_has": "科学计数法"},
                    {"row": 5, "field": "id_number", "column": "公民身份号码",
                     "reason_has": "科学计数法"}],
        "unknown_columns": [],
        "persons": [stored(good[0]), stored(good[1])],
        "absent_names": ["朱玉兰", "胡伟"],
    }
    good = [person("郭芳", "1979-03-15", "女"), person("何磊", "1995-08-21", "男", rtype="流动人口")]
    rows = [["姓名", "身份证号", "手机号", "人口类型"],
            [good[0]["name"], good[0]["id"], good[0]["phone"], good[0]["rtype"]],   # row 2
            ["林静", "1.10105E+17", "13800009003", "户籍人口"],                      # row 3
            ["罗斌", "1.10105196803E+17", "13800009004", "流动人口"],               # row 4
            [good[1]["name"], good[1]["id"], good[1]["phone"], good[1]["rtype"]]]   # row 5
    write_csv("sci_notation.csv", rows, bom=True)
    expected["sci_notation.csv"] = {
        "format": "csv", "rows": 4, "imported": 2, "rejected": 2, "merged": 0, "exit": 3,
        "rejects": [{"row": 3, "field": "id_number", "column": "身份证号",
                     "reason_has": "科学计数法"},
                    {"row": 4, "field": "id_number", "column": "身份证号",
                     "reason_has": "科学计数法"}],
        "unknown_columns": [],
        "persons": [stored(good[0]), stored(good[1])],
        "absent_names": ["林静", "罗斌"],
    }


# 4. full-width digits, lower-case x, phones with spaces/dashes/+86 -----
def f_fullwidth():
    p = [person("高云", "1965-06-15", "女", want_x=False),
         person("梁永强", "1970-01-09", "男", want_x=True),
         person("宋佳", "1986-02-27", "女", want_x=True),
         person("韩冬", "1999-12-12", "男", want_x=False),
         person("唐丽", "1975-05-05", "女", want_x=False),
         person("冯小军", "2001-03-18", "男", want_x=False)]
    typed = [
        (fullwidth(p[0]["id"]), fullwidth(p[0]["phone"])),                   # all full-width
        (p[1]["id"][:-1] + "x", p[1]["phone"][:3] + " " + p[1]["phone"][3:7] + " " + p[1]["phone"][7:]),
        (fullwidth(p[2]["id"][:-1]) + "ｘ", p[2]["phone"][:3] + "-" + p[2]["phone"][3:7] + "-" + p[2]["phone"][7:]),
        ("  " + p[3]["id"] + " ", "+86 " + p[3]["phone"]),
        (p[4]["id"], "+86-" + p[4]["phone"][:3] + "-" + p[4]["phone"][3:]),
        (p[5]["id"], "＋８６" + fullwidth(p[5]["phone"])),
    ]
    rows = [["姓名", "公民身份号码", "联系电话", "人口类型"]]
    for i, (pp, (idt, ph)) in enumerate(zip(p, typed)):
        name = pp["name"] if i != 3 else "  " + pp["name"] + " "   # spaces trimmed
        rows.append([name, idt, ph, pp["rtype"]])
    write_csv("fullwidth.csv", rows, bom=True)
    expected["fullwidth.csv"] = {
        "format": "csv", "rows": 6, "imported": 6, "rejected": 0, "merged": 0, "exit": 0,
        "unknown_columns": [], "persons": [stored(x) for x in p],
        "typed": [list(t) for t in typed],
    }


# 5. dates typed many ways (non-ID documents, so the column counts) -----
def f_dates():
    births = [datetime.date(1958, 3, 5), datetime.date(1962, 11, 23), datetime.date(1975, 7, 9),
              datetime.date(1980, 12, 1), datetime.date(1991, 4, 17), datetime.date(2003, 8, 30),
              datetime.date(1949, 10, 1)]
    forms = ["1958-03-05", "1962/11/23", "1975.7.9", "1980年12月1日", "19910417",
             births[5], float(serial(births[6]))]
    kinds = ["text YYYY-MM-DD", "text YYYY/M/D", "text YYYY.M.D", "text YYYY年M月D日",
             "text YYYYMMDD", "Excel date cell", "Excel serial number (General format)"]
    who = [("KIM MINJUN", "男", "韩国", "M12345678"),
           ("MUELLER ANNA", "女", "德国", "C01X00T47"),
           ("TANAKA YUKI", "女", "日本", "TZ1234567"),
           ("SMITH JOHN", "男", "美国", "567123489"),
           ("DUPONT MARIE", "女", "法国", "18AB12345"),
           ("NGUYEN VAN AN", "男", "越南", "B9876543"),
           ("GARCIA LUIS", "男", "西班牙", "PAA123456")]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "境外人员"
    ws.append(["姓名", "证件类型", "证件号码", "国籍（地区）", "性别", "出生日期", "人口类型"])
    for (name, sex, nat, num), f in zip(who, forms):
        ws.append([name, "护照", num, nat, sex, f, "境外人员"])
        c = ws.cell(row=ws.max_row, column=6)
        if isinstance(f, datetime.date):
            c.number_format = "yyyy-mm-dd"
        elif isinstance(f, float):
            c.number_format = "General"
        else:
            c.number_format = "@"
    write_bytes("dates.xlsx", workbook_bytes(wb))
    expected["dates.xlsx"] = {
        "format": "xlsx", "rows": 7, "imported": 7, "rejected": 0, "merged": 0, "exit": 0,
        "unknown_columns": [],
        "persons": [{"name": n, "id_number": num, "doc_type": "passport", "nationality": nat,
                     "sex": SEX[sex], "birth_date": b.isoformat(), "residence_type": "foreign",
                     "typed_as": k}
                    for (n, sex, nat, num), b, k in zip(who, births, kinds)],
    }


# 6. traditional characters -----------------------------------------------
def f_traditional():
    p = [person("陳志明", "1968-08-08", "男"), person("黃美玲", "1972-02-29", "女"),
         person("鄭國強", "1959-10-10", "男"), person("蘇麗華", "1981-05-20", "女"),
         person("劉德榮", "1944-04-04", "男")]
    rows = [["姓名", "公民身份号码", "联系电话", "人口类型"]]
    rows += [[x["name"], x["id"], x["phone"], "流动人口"] for x in p]
    for x in p:
        x["rtype"] = "流动人口"
    write_csv("traditional.csv", rows, bom=True)
    expected["traditional.csv"] = {
        "format": "csv", "rows": 5, "imported": 5, "rejected": 0, "merged": 0, "exit": 0,
        "unknown_columns": [], "persons": [stored(x) for x in p],
    }


# 7. duplicates within the file -------------------------------------------
def f_duplicates():
    a = person("谢文华", "1957-09-09", "男", phone=False)
    b = person("邓秀兰", "1960-06-06", "女")
    c = person("曹志刚", "1985-01-01", "男")
    a_phone = make_phone()
    rows = [["姓名", "公民身份号码", "联系电话", "民族", "人口类型"],
            [a["name"], a["id"], "", "汉族", "户籍人口"],          # row 2
            [b["name"], b["id"], b["phone"], "汉族", "户籍人口"],  # row 3
            [a["name"], a["id"], a_phone, "", "户籍人口"],          # row 4: merged into 2
            ["彭丽", a["id"], make_phone(), "汉族", "户籍人口"],   # row 5: same ID, other name
            [c["name"], c["id"], c["phone"], "汉族", "户籍人口"]]  # row 6
    write_csv("duplicates.csv", rows, bom=True)
    a["phone"] = a_phone
    expected["duplicates.csv"] = {
        "format": "csv", "rows": 5, "imported": 3, "rejected": 1, "merged": 1, "exit": 3,
        "unknown_columns": [],
        "merges": [{"row": 4, "into": 2, "id_number": mask_id(a["id"])}],
        "rejects": [{"row": 5}],
        "persons": [stored(a, ethnic_label="汉族"), stored(b), stored(c)],
        "absent_names": ["彭丽"],
    }


# 8. invalid rows, an unknown and an unnamed column ----------------------
def f_invalid():
    ok1 = person("蒋志远", "1963-03-03", "男")
    ok2 = person("沈美华", "1978-07-07", "女")
    bad_check = person("卢建军", "1956-05-16", "男")
    no_name = person("", "1969-09-19", "女")
    bad_type = person("丁海燕", "1982-08-18", "女")
    bad_phone = person("魏强", "1993-03-13", "男")
    # an ID whose birth date is 1958-02-30, with a correct check character
    body = f"{REGION}19580230{151:03d}"
    impossible_id = body + check_char(body)
    head = ["姓名", "公民身份号码", "证件类型", "国籍", "性别", "出生日期", "人口类型",
            "星座", "", "联系电话"]
    rows = [head,
            [ok1["name"], ok1["id"], "居民身份证", "", "", "", "户籍人口", "双鱼座", "甲", ok1["phone"]],  # 2
            [bad_check["name"], wrong_check(bad_check["id"]), "居民身份证", "", "", "", "户籍人口",
             "白羊座", "乙", bad_check["phone"]],                                                      # 3
            ["", no_name["id"], "居民身份证", "", "", "", "户籍人口", "", "", no_name["phone"]],        # 4
            [bad_type["name"], bad_type["id"], "居民身份证", "", "", "", "待定", "", "", ""],           # 5
            ["OKAFOR CHIDI", "A0987654", "护照", "尼日利亚", "男", "1958-02-30", "境外人员", "", "",
             ""],                                                                                      # 6
            ["范志国", impossible_id, "居民身份证", "", "", "", "户籍人口", "", "", ""],               # 7
            [bad_phone["name"], bad_phone["id"], "居民身份证", "", "", "", "户籍人口", "", "",
             "12800000048"],                                                                             # 8
            [ok2["name"], ok2["id"], "居民身份证", "", "", "", "流动人口", "天秤座", "丙", ok2["phone"]],  # 9
            ]
    write_csv("invalid.csv", rows, bom=True)
    expected["invalid.csv"] = {
        "format": "csv", "rows": 8, "imported": 2, "rejected": 6, "merged": 0, "exit": 3,
        "unknown_columns": ["星座"], "unknown_columns_min": 2,
        "rejects": [
            {"row": 3, "field": "id_number", "column": "公民身份号码", "reason_has": "校验"},
            {"row": 4, "field": "name", "column": "姓名"},
            {"row": 5, "field": "residence_type", "column": "人口类型"},
            {"row": 6, "field": "birth_date", "column": "出生日期"},
            {"row": 7, "field": "id_number", "column": "公民身份号码"},
            {"row": 8, "field": "phone", "column": "联系电话"},
        ],
        "persons": [stored(ok1), stored(ok2, residence_type="migrant")],
        "absent_names": ["卢建军", "丁海燕", "OKAFOR CHIDI", "范志国", "魏强"],
    }

# 9. households and houses -------------------------------------------------
def f_households():
    hh = [
        ("H1001", "B0001-1-101", "第一网格", [("张建华", "1960-02-02", "男", "户主"),
                                            ("李玉梅", "1962-03-03", "女", "配偶"),
                                            ("张伟", "1988-04-04", "男", "子")]),
        ("H1002", "B0001-2-302", "第一网格", [("王德胜", "1950-05-05", "男", "户主"),
                                            ("王芳", "1979-06-06", "女", "女")]),
        ("H1003", "B0002-1-501", "第二网格", [("刘桂芝", "1938-07-07", "女", "户主")]),
    ]
    rows = [["户编号", "姓名", "公民身份号码", "与户主关系", "房屋编号", "所属网格", "人口类型",
             "联系电话"]]
    exp_h = []
    for no, house, grid, members in hh:
        ms = []
        for name, birth, sex, rel in members:
            p = person(name, birth, sex)
            rows.append([no, p["name"], p["id"], rel, house, grid, p["rtype"], p["phone"]])
            ms.append(dict(stored(p), relation_label=rel))
        b, u, r = house.split("-")
        exp_h.append({"household_no": no, "house_code": house, "building": b, "unit": int(u),
                      "room": r, "grid": grid, "size": len(members), "members": ms})
    write_csv("households.csv", rows, bom=True)
    expected["households.csv"] = {
        "format": "csv", "rows": 6, "imported": 6, "rejected": 0, "merged": 0, "exit": 0,
        "unknown_columns": [], "households_created": 3, "houses_created": 3,
        "buildings_created": 2, "grids": ["第一网格", "第二网格"], "households": exp_h,
        "persons": [m for h in exp_h for m in h["members"]],
    }

    hh = [
        ("H2001", "北京市朝阳区阳光路18号院3号楼2单元302室", 2, "302",
         [("孟庆华", "1955-01-15", "男", "户主"), ("秦玉珍", "1957-02-16", "女", "配偶")]),
        ("H2002", "北京市朝阳区阳光路18号院3号楼1单元101室", 1, "101",
         [("白雪", "1990-03-17", "女", "户主")]),
        ("H2003", "北京市朝阳区明德北街9号院1号楼2单元1502室", 2, "1502",
         [("尹国庆", "1975-10-01", "男", "户主"), ("尹思远", "2005-11-11", "男", "子"),
          ("尹思琪", "2010-12-12", "女", "女")]),
    ]
    rows = [["户号", "姓名", "身份证号", "与户主关系", "现居住地址", "人口类型"]]
    exp_h = []
    for no, addr, unit, room, members in hh:
        ms = []
        for name, birth, sex, rel in members:
            p = person(name, birth, sex, phone=False)
            rows.append([no, p["name"], p["id"], rel, addr, p["rtype"]])
            ms.append(dict(stored(p), relation_label=rel, current_address=addr))
        exp_h.append({"household_no": no, "address": addr, "unit": unit, "room": room,
                      "size": len(members), "members": ms,
                      "address_tail": addr[addr.index("号院") + 2:]})
    write_csv("households_address.csv", rows, bom=True)
    expected["households_address.csv"] = {
        "format": "csv", "rows": 6, "imported": 6, "rejected": 0, "merged": 0, "exit": 0,
        "unknown_columns": [], "households_created": 3, "houses_created": 3,
        "buildings_created": 2, "households": exp_h,
        "persons": [m for h in exp_h for m in h["members"]],
    }


# 10. an .xls roster --------------------------------------------------------
def f_xls():
    p = [person("许文静", "1984-04-14", "女"), person("邹国栋", "1952-05-25", "男"),
         person("苏建平", "1966-06-16", "男", ethnic="壮族"), person("卢秀珍", "1941-11-21", "女"),
         person("丁一凡", "2012-02-02", "男", phone=False)]
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("花名册")
    bold = xlwt.easyxf("font: bold on")
    datef = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    textf = xlwt.easyxf(num_format_str="@")
    for ci, h in enumerate(["姓名", "性别", "公民身份号码", "民族", "出生日期", "联系电话", "人口类型"]):
        ws.write(0, ci, h, bold)
    for ri, x in enumerate(p, start=1):
        y, m, d = (int(v) for v in x["birth"].split("-"))
        ws.write(ri, 0, x["name"])
        ws.write(ri, 1, x["sex"])
        ws.write(ri, 2, x["id"], textf)
        ws.write(ri, 3, x["ethnic"])
        ws.write(ri, 4, datetime.date(y, m, d), datef)
        ws.write(ri, 5, x["phone"], textf)
        ws.write(ri, 6, x["rtype"])
    buf = io.BytesIO()
    wb.save(buf)
    write_bytes("roster.xls", buf.getvalue())
    expected["roster.xls"] = {
        "format": "xls", "rows": 5, "imported": 5, "rejected": 0, "merged": 0, "exit": 0,
        "unknown_columns": [], "persons": [stored(x, ethnic_label=x["ethnic"]) for x in p],
    }


# 11. files that cannot be read --------------------------------------------
def f_broken():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "居民"
    ws.append(["姓名", "公民身份号码", "人口类型"])
    names = ["严冬梅", "钟立新", "汪海波", "田雨", "任建英", "姜涛", "范红", "方志成"]
    for i, n in enumerate(names):
        p = person(n, f"19{60 + i}-0{1 + i % 9}-1{i}", "男" if i % 2 else "女")
        ws.append([p["name"], p["id"], "户籍人口"])
    data = workbook_bytes(wb)
    write_bytes("truncated.xlsx", data[: len(data) // 2])
    write_bytes("empty.csv", b"")
    write_bytes("no_header.csv", "这是一份说明文字，不是名单\r\n请使用模板填写\r\n第三行\r\n"
                .encode("utf-8"))
    for n in ("truncated.xlsx", "empty.csv", "no_header.csv"):
        expected[n] = {"exit": 1, "stored": 0}


# 12. a base roster, its update, and a name conflict ----------------------
def f_updates():
    p = [person("杜志华", "1964-01-11", "男"), person("叶淑英", "1966-02-12", "女"),
         person("程建设", "1970-03-13", "男"), person("潘丽娟", "1977-04-14", "女"),
         person("袁国平", "1953-05-15", "男")]
    rows = [["姓名", "公民身份号码", "联系电话", "民族", "现居住地址", "人口类型"]]
    for i, x in enumerate(p):
        rows.append([x["name"], x["id"], x["phone"], x["ethnic"],
                     f"北京市朝阳区阳光路26号院5号楼1单元{i + 1}01室", x["rtype"]])
    write_csv("base.csv", rows, bom=True)
    base = [dict(stored(x), ethnic_label=x["ethnic"],
                 current_address=f"北京市朝阳区阳光路26号院5号楼1单元{i + 1}01室")
            for i, x in enumerate(p)]
    expected["base.csv"] = {
        "format": "csv", "rows": 5, "imported": 5, "rejected": 0, "merged": 0, "exit": 0,
        "unknown_columns": [], "persons": base,
    }
    # the same people: new phones for three, the other cells left empty
    rows = [["姓名", "公民身份号码", "联系电话", "民族", "人口类型"]]
    after = []
    for i, x in enumerate(p):
        new = make_phone() if i < 3 else ""
        rows.append([x["name"], x["id"], new, "", x["rtype"]])
        d = dict(base[i])
        if new:
            d["phone"] = new
        after.append(d)
    write_csv("update_phones.csv", rows, bom=True)
    expected["update_phones.csv"] = {
        "format": "csv", "rows": 5, "imported": 0, "updated": 3, "unchanged": 2, "rejected": 0,
        "merged": 0, "exit": 0, "unknown_columns": [], "persons": after, "after": "base.csv",
    }
    newbie = person("熊志勇", "1987-07-17", "男")
    rows = [["姓名", "公民身份号码", "联系电话", "人口类型"],
            ["杜智华", p[0]["id"], make_phone(), "户籍人口"],      # row 2: name disagrees
            [newbie["name"], newbie["id"], newbie["phone"], "户籍人口"]]
    write_csv("name_conflict.csv", rows, bom=True)
    expected["name_conflict.csv"] = {
        "format": "csv", "rows": 2, "imported": 1, "updated": 0, "rejected": 1, "merged": 0,
        "exit": 3, "unknown_columns": [], "rejects": [{"row": 2}],
        "persons": base + [stored(newbie)], "absent_names": ["杜智华"], "after": "base.csv",
    }



# 12. a committee's yearly roster as it is really kept (issue 8 §1) ---------
def special_id(prefix6, birth, seq):
    body = f"{prefix6}{birth.replace('-', '')}{seq:03d}"
    return body + check_char(body)


def spaced_id(idn):
    """110105 19580305 123X, as workers group the digits."""
    return f"{idn[:6]} {idn[6:14]} {idn[14:]}"


def f_roster():
    IDS = "\u3000"      # ideographic space
    P = {}

    def pp(key, name, birth, sex, rtype="户籍人口", **kw):
        p = person(name, birth, sex, rtype=rtype)
        p.update(kw)
        P[key] = p
        return p

    # --- 第一网格: no 户号; addresses a worker types (no 号楼/单元/室) ------
    A, B, C, N = "幸福路12号院3号", "幸福路12号院5号", "幸福路12号院7号", "幸福路12号院9号"
    g1 = [  # key, name as typed, birth cell, relation, address, stored?
        ("zjg", "张建国", "1958-03-05", "男", "1958.03", "户主", A),
        ("lxy", "李秀英", "1961-10-12", "女", 1961.1, "配偶", A),     # numeric 1961.1 = October
        ("zw", "张伟", "1985-06-20", "男", "198506", "子", A),
        ("wxm", "王小明", "2010-09-01", "男", "2010年9月", "子", "幸福路１２号院 ５号"),  # before its head
        ("wzq", "王志强", "1982-05-15", "男", 1982.05, "户主", B),
        ("lsz", "刘淑珍", "1947-01-28", "女", "1947.1", "户主", C),   # text 1947.1 = January
        ("chg", "陈国华", "1979-04-04", "男", None, "配偶", N),       # no head at that address
        ("zl", "赵丽", "1990-02-14", "女", "1990-02", "女", None),    # relation, no address
        ("wf", "吴芳", "1970-08-08", "女", "1970.05", None, "幸福路12号院11号"),  # 出生年月 off: warning
    ]
    typed = {"zjg": spaced_id, "lxy": lambda i: IDS + i + " ", "lsz": lambda i: " " + i + IDS}
    names_typed = {"lsz": "刘 淑珍 ", "chg": IDS + "陈国华", "wzq": "王志强 "}
    rows1 = [["幸福社区第一网格居民花名册（2025年度）"],
             ["填报单位：幸福社区居民委员会        填报日期：2025年12月"],
             ["序号", "姓名", "性别", "公民身份号码", "出生年月", "民族", "与户主关系", "现居住地址",
              "联系电话", "人口类型"]]
    seqno = 0
    for key, name, birth, sex, bcell, rel, addr in g1:
        p = pp(key, name, birth, sex)
        seqno += 1
        phone = p["phone"]
        if key == "zjg":
            phone = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
        if key == "lxy":
            phone = IDS + phone + IDS
        rows1.append([seqno, names_typed.get(key, name), sex, typed.get(key, lambda i: i)(p["id"]), bcell,
                      "汉族", rel, addr, phone, "户籍人口"])
    bad_check = person("孙强", "1966-06-06", "男")
    rows1.append([10, "孙强", "男", wrong_check(bad_check["id"]), "1966.06", "汉族", None, None,
                  bad_check["phone"], "户籍人口"])                    # row 13: wrong check character
    zm = person("周敏", "1975-06-15", "女")
    rows1.append([11, "周敏", "女", zm["id"], "1975-01-01", "汉族", None, None, zm["phone"],
                  "户籍人口"])                                       # row 14: full date contradicts the ID
    rows1.append(["合计：11人"])
    rows1.append(["制表人：网格员甲", None, None, "审核人：主任乙"])
    g1_rejects = [{"row": 13, "field": "id_number"}, {"row": 14, "field": "birth_date"}]

    # --- 第二网格: other header names and order, pasted block, 国籍 ------
    D, E = "幸福路20号院1号", "幸福路20号院2号"
    pp("hml", "黄美玲", "1972-02-29", "女")
    pp("hj", "何军", "1970-12-01", "男")
    pp("fjh", "冯建华", "1965-03-03", "男")
    pp("fxy", "冯小燕", "1995-07-07", "女")
    lmq = {"name": "林美琪", "birth": "1985-04-18", "sex": "女", "rtype": "流动人口", "ethnic": "汉族",
           "id": special_id("810000", "1985-04-18", 102), "phone": make_phone()}
    jmj = {"name": "金敏俊", "birth": "1982-06-09", "sex": "男", "rtype": "境外人员", "ethnic": "",
           "id": special_id("911840", "1982-06-09", 321), "phone": make_phone()}
    P["lmq"], P["jmj"] = lmq, jmj
    head2 = ["身份证号", "名字", "手机", "人员类型", "家庭关系", "住址", "出生日期", "民族", "国籍"]
    rows2 = [["幸福社区第二网格花名册"], [], head2]
    def r2(p, rel, addr, name=None, idn=None, nat=None, bd=True):
        y, m, d = (int(x) for x in p["birth"].split("-"))
        return [idn or p["id"], name or p["name"], p["phone"], p["rtype"], rel, addr,
                datetime.date(y, m, d) if bd else None, p["ethnic"] or None, nat]
    rows2.append(r2(P["hml"], "户主", D))                                  # row 4
    rows2.append(r2(P["hj"], "夫", "幸福路２０号院１号"))                  # row 5: full-width address
    rows2.append(r2(P["zw"], "子", A, name="張偉"))                        # row 6: 繁体, same ID: merged
    rows2.append(r2(P["zl"], None, None, name="赵" + IDS + "丽", bd=False))  # row 7: spacing: merged
    rows2.append(r2(P["lsz"], None, None, name="钱多多", bd=False))        # row 8: another person: conflict
    rows2.append([])                                                       # row 9
    rows2.append(["幸福社区第二网格花名册（续）"])                         # row 10
    rows2.append(head2)                                                    # row 11: header again
    rows2.append(r2(P["fxy"], "女", E))                                    # row 12: member before head
    rows2.append(r2(P["fjh"], "户主", E))                                  # row 13
    rows2.append(r2(lmq, None, "幸福路20号院3号", bd=False))               # row 14: 81…, no 证件类型
    rows2.append(r2(jmj, None, "幸福路20号院4号", nat="韩国", bd=False))   # row 15: 9…, no 证件类型
    rows2.append(["注：本表由网格员核对"])                                 # row 16
    g2_rejects = [{"row": 8, "field": "name"}]

    # --- 流动人口: no 人口类型 column (the sheet's name says it) ----------
    pp("mc", "马超", "1990-01-01", "男", rtype="流动人口")
    pp("hjg", "胡静", "1993-03-08", "女", rtype="流动人口")
    pp("lg", "罗刚", "1988-11-30", "男", rtype="流动人口")
    rows3 = [["流动人口登记表"], ["序号", "姓名", "证件号码", "性别", "户籍地", "现住址", "联系方式", "登记日期"]]
    mc, hjg, lg = P["mc"], P["hjg"], P["lg"]
    rows3.append([1, mc["name"], mc["id"], "男", "河北省保定市", "幸福路30号", f"{mc['phone'][:3]} {mc['phone'][3:]}", "2025-03-01"])
    rows3.append([2, hjg["name"], hjg["id"][:9] + IDS + hjg["id"][9:], "女", "山东省临沂市", "幸福路31号", hjg["phone"], "2025-04-01"])
    rows3.append([3, lg["name"], lg["id"], "男", "河南省周口市", "幸福路32号", lg["phone"], "2025-05-01"])
    rows3.append([4, "韩梅", None, "女", "安徽省阜阳市", "幸福路33号", make_phone(), "2025-06-01"])  # row 6: no number
    rows3.append(["合计", None, "4人"])
    g3_rejects = [{"row": 6, "field": "id_number"}]

    notes = [["填表说明"], ["1. 每个网格一张表，流动人口单独一张表。"],
             ["2. 姓名、公民身份号码必须填写；出生年月可写作1958.03。"], ["3. 与户主关系按户籍簿填写。"]]

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "说明"
    for r in notes:
        ws.append(r)
    for title, rows, text_cols in (("第一网格", rows1, (3, 8)), ("第二网格", rows2, (0, 2)),
                                   ("流动人口", rows3, (2, 6))):
        ws = wb.create_sheet(title)
        sheet_rows(ws, rows, text_cols=text_cols)
        ws.merge_cells("A1:H1")
    write_bytes("roster_workbook.xlsx", workbook_bytes(wb))

    def st(key, **kw):
        p = P[key]
        d = stored(p)
        if key == "jmj":
            d.update(doc_type="foreign_permanent", nationality="韩国")
        if key == "lmq":
            d.update(doc_type="residence_permit")
        d.update(kw)
        return d

    g1_people = ["zjg", "lxy", "zw", "wxm", "wzq", "lsz", "chg", "zl", "wf"]
    all_people = g1_people + ["hml", "hj", "fjh", "fxy", "lmq", "jmj", "mc", "hjg", "lg"]
    families = [["zjg", "lxy", "zw"], ["wzq", "wxm"], ["lsz"], ["hml", "hj"], ["fjh", "fxy"]]
    alone = ["chg", "zl", "wf", "lmq", "jmj", "mc", "hjg", "lg"]
    fam = {"families": [[P[k]["id"] for k in f] for f in families],
           "without_household": [P[k]["id"] for k in alone]}
    expected["roster_workbook.xlsx"] = {
        "format": "xlsx", "rows": 24, "imported": 18, "merged": 2, "rejected": 4, "exit": 3,
        "households_created": 5, "houses_created": 0, "buildings_created": 0,
        "unknown_columns": ["序号", "登记日期"],
        "rejects": [dict(r, sheet="第一网格") for r in g1_rejects] +
                   [dict(r, sheet="第二网格") for r in g2_rejects] +
                   [dict(r, sheet="流动人口") for r in g3_rejects],
        "merges": [{"sheet": "第二网格", "row": 6, "into": 6, "into_sheet": "第一网格",
                    "id_number": mask_id(P["zw"]["id"]), "note_has": "張偉"},
                   {"sheet": "第二网格", "row": 7, "into": 11, "into_sheet": "第一网格",
                    "id_number": mask_id(P["zl"]["id"])}],
        "sheets": [
            {"name": "说明", "status": "skipped"},
            {"name": "第一网格", "status": "imported", "header_row": 3, "rows": 11, "imported": 9,
             "merged": 0, "rejected": 2, "repeated_headers": 0, "footers": 2},
            {"name": "第二网格", "status": "imported", "header_row": 3, "rows": 9, "imported": 6,
             "merged": 2, "rejected": 1, "repeated_headers": 1, "footers": 2},
            {"name": "流动人口", "status": "imported", "header_row": 2, "rows": 4, "imported": 3,
             "merged": 0, "rejected": 1, "repeated_headers": 0, "footers": 1,
             "residence_default": "migrant"},
        ],
        # stored with a warning, never rejected
        "warnings": [{"sheet": "第一网格", "row": 10, "field": "relation"},    # 陈国华: no head
                     {"sheet": "第一网格", "row": 11, "field": "relation"},    # 赵丽: no address
                     {"sheet": "第一网格", "row": 12, "field": "birth_date"}], # 吴芳: 1970.05
        "persons": [st(k) for k in all_people],
        "absent_names": ["孙强", "周敏", "钱多多", "韩梅"],
        **fam,
    }

    # the first sheet as Excel saves it as CSV: UTF-8 with BOM, and GBK
    def shown(v):
        if v is None:
            return ""
        if isinstance(v, float):
            return repr(v)   # Excel's General format: 1961.1, 1982.05
        return str(v)
    csv_rows = [[shown(v) for v in r] for r in rows1]
    g1_exp = {
        "format": "csv", "rows": 11, "imported": 9, "merged": 0, "rejected": 2, "exit": 3,
        "households_created": 3, "unknown_columns": ["序号"], "rejects": g1_rejects,
        "persons": [st(k) for k in g1_people], "absent_names": ["孙强", "周敏"],
        "families": [[P[k]["id"] for k in f] for f in families[:3]],
        "without_household": [P[k]["id"] for k in ("chg", "zl", "wf")],
    }
    write_csv("roster_grid1_utf8bom.csv", csv_rows, bom=True)
    expected["roster_grid1_utf8bom.csv"] = dict(g1_exp, encoding="UTF-8 BOM")
    write_csv("roster_grid1_gbk.csv", csv_rows, encoding="gbk")
    expected["roster_grid1_gbk.csv"] = dict(g1_exp, encoding="GBK")

def main():
    f_title_merged()
    f_encodings()
    f_sci_notation()
    f_fullwidth()
    f_dates()
    f_traditional()
    f_duplicates()
    f_invalid()
    f_households()
    f_xls()
    f_broken()
    f_updates()
    f_roster()
    with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    for name in sorted(expected):
        size = os.path.getsize(os.path.join(OUT, name))
        print(f"{name:28s} {size:7d} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
