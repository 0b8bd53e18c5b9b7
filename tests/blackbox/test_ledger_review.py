"""Ledger defects found by review (issue 8 §3), on a store of their own.

The store is made here, from a CSV generated here (no shared data): 1,100
retired migrants aged 61–80, each living alone in their own household and
born in this month, so that the retirees, migrants and elderly ledgers each
hold more than 1,000 entries; 30 elderly living with a young family member
(与家人同住) and 10 couples of elderly (空巢).

Every request made here must answer below 500.
"""
import concurrent.futures
import csv
import datetime
import io
import json
import re

import openpyxl
import pytest

from conftest import Server, _must, init_store, run_cli
from juwei_util import ADMIN_PW, USER_PW, Web, check_error, make_id, ok

TODAY = datetime.date.today()
N_RETIREES = 1100
N_FAMILY = 30
N_COUPLES = 10

USERS = {
    "director": ("zhuren1", "director", None),
    "worker": ("gongzuo1", "worker", None),
    "worker2": ("gongzuo2", "worker", None),
}


def iso(d):
    return d.isoformat()


def _ids():
    """Unique valid ID numbers for a birth date."""
    seen = set()
    seq = {}

    def make(birth):
        while True:
            n = seq.get(birth, 100) + 1
            seq[birth] = n
            idn = make_id("110108", birth.strftime("%Y%m%d"), f"{n:03d}")
            if idn not in seen:
                seen.add(idn)
                return idn
    return make


def roster_csv():
    """The generated roster and what it holds."""
    new_id = _ids()
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["户编号", "房屋编号", "姓名", "公民身份号码", "与户主关系", "人口类型", "就业状况", "现居住地址"])
    day = 1 if TODAY.day != 1 else 2
    names = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
    retirees = []
    hh = 0

    def name(i):
        return names[i % len(names)] + given[(i // len(names)) % len(given)] + given[(i * 7 + 3) % len(given)]

    def house(k):
        return f"R{k // 100 + 1:02d}-1-{(k % 100) // 4 + 1}{k % 4 + 1:02d}"

    for i in range(N_RETIREES):
        birth = datetime.date(TODAY.year - 61 - i % 19, TODAY.month, day + (i // 19) % 20)
        idn = new_id(birth)
        hh += 1
        w.writerow([f"H{hh:05d}", house(hh), name(i), idn, "户主", "流动人口", "退休", f"幸福路{hh}号"])
        retirees.append(idn)
    family, youngs = [], []
    for i in range(N_FAMILY):
        hh += 1
        old = new_id(datetime.date(TODAY.year - 70, 3, 1 + i % 28))
        young = new_id(datetime.date(TODAY.year - 30, 5, 1 + i % 28))
        w.writerow([f"H{hh:05d}", house(hh), "家" + name(i), old, "户主", "户籍人口", "无业", f"和睦路{i}号"])
        w.writerow([f"H{hh:05d}", house(hh), "子" + name(i), young, "子", "户籍人口", "在职", f"和睦路{i}号"])
        family.append(old)
        youngs.append(young)
    couples = []
    for i in range(N_COUPLES):
        hh += 1
        a = new_id(datetime.date(TODAY.year - 75, 4, 1 + i))
        b = new_id(datetime.date(TODAY.year - 73, 6, 1 + i))
        w.writerow([f"H{hh:05d}", house(hh), "翁" + name(i), a, "户主", "户籍人口", "无业", f"长青路{i}号"])
        w.writerow([f"H{hh:05d}", house(hh), "妪" + name(i), b, "配偶", "户籍人口", "无业", f"长青路{i}号"])
        couples += [a, b]
    return out.getvalue(), retirees, family, youngs, couples


class Client:
    def __init__(self, s):
        self.s = s

    def __call__(self, method, path, who="director", **kw):
        r = self.s.api(method, path, who, **kw)
        assert r.status_code < 500, f"{method} {path} as {who}: {r.status_code}: {r.text[:500]}"
        return r

    def get(self, path, who="director", **params):
        return self("GET", path, who, params=params or None, timeout=120)

    def post(self, path, body, who="director"):
        return self("POST", path, who, json=body)

    def patch(self, path, body, who="director"):
        return self("PATCH", path, who, json=body)

    def audit(self, who="director", **params):
        p = {"per_page": 100}
        p.update(params)
        return ok(self.get("/audit", who, **p))


@pytest.fixture(scope="module")
def R(juwei_bin, tmp_path_factory):
    wd = tmp_path_factory.mktemp("ledger-review")
    db = init_store(wd)
    text, retirees, family, young, couples = roster_csv()
    path = wd / "roster.csv"
    path.write_text("\ufeff" + text, encoding="utf-8")
    cp = _must(run_cli("import", "persons", path, "--db", db, "--json", timeout=300), "juwei import")
    summary = json.loads(cp.stdout)
    assert summary["rejected"] == 0, summary["rejects"][:5]
    for key, (name, role, grid) in USERS.items():
        _must(run_cli("user", "add", name, "--role", role, "--db", db, env={"JUWEI_PASSWORD": USER_PW}),
              f"user add {name}")
    s = Server(db, wd)
    s.start()
    try:
        s.tokens["admin"] = s.login_token("admin", ADMIN_PW)
        for key, (name, _r, _g) in USERS.items():
            s.users[key] = (name, USER_PW)
            s.tokens[key] = s.login_token(name, USER_PW)
        R = type("R", (), {})()
        R.s, R.c, R.db = s, Client(s), db
        R.retirees, R.family, R.young, R.couples = retirees, family, young, couples
        R.pid = {}

        def pid(idn):
            if idn not in R.pid:
                ids = s.search_ids(idn, "admin")
                assert len(ids) == 1, (idn, ids)
                R.pid[idn] = next(iter(ids))
            return R.pid[idn]
        R.person_id = pid
        yield R
    finally:
        s.stop()


def entries(c, key, who="director", **params):
    out, page = [], 1
    while page < 100:
        b = ok(c.get(f"/ledgers/{key}/entries", who, per_page=100, page=page, **params))
        out += b["items"]
        if not b["items"] or len(out) >= b["total"]:
            return out
        page += 1
    return out


def entry_of(c, key, pid, who="director"):
    name = c.s.person(pid)["name"]
    es = [e for e in entries(c, key, who, q=name) if e["subject_id"] == pid]
    assert len(es) == 1, (key, pid, es)
    return es[0]


# --------------------------------------------------------------------------
# reminders reach every entry, not the first 1,000
# --------------------------------------------------------------------------
def test_store_has_more_than_a_thousand(R):
    for key in ("retirees", "migrants", "elderly"):
        total = ok(R.c.get(f"/ledgers/{key}/entries", per_page=1))["total"]
        assert total >= N_RETIREES, (key, total)


def test_pension_reminders_for_every_retiree(R):
    c = R.c
    rem = ok(c.get("/reminders", "worker"))["items"]
    pen = {x["subject_id"] for x in rem if x["kind"] == "pension"}
    last = R.person_id(R.retirees[-1])
    assert last in pen, "no pension reminder for the last-registered retiree (after the first 1,000)"
    assert len(pen) == N_RETIREES, f"{len(pen)} pension reminders for {N_RETIREES} retirees born this month"


def test_visit_reminders_for_everyone_living_alone(R):
    c = R.c
    alone = ok(c.get("/ledgers/elderly/entries", per_page=1, field="living", value="独居"))["total"]
    assert alone >= N_RETIREES
    rem = ok(c.get("/reminders", "worker"))["items"]
    vis = [x for x in rem if x["kind"] == "visit" and x["ledger"] == "elderly"]
    assert len(vis) == alone, f"{len(vis)} visit reminders for {alone} elderly living alone never visited"


def test_permit_ending_of_a_late_entry(R):
    c = R.c
    newest = ok(c.get("/ledgers/migrants/entries", per_page=1))["items"][0]
    end = TODAY + datetime.timedelta(days=10)
    ok(c.patch(f"/ledgers/migrants/entries/{newest['id']}", {"fields": {"permit_until": iso(end)}}, "worker"))
    rem = ok(c.get("/reminders", "worker"))["items"]
    hit = [x for x in rem if x["kind"] == "ending" and x["ledger"] == "migrants"
           and x["subject_id"] == newest["subject_id"]]
    assert len(hit) == 1 and hit[0]["date"] == iso(end), f"no ending reminder for the newest migrant: {hit}"


# --------------------------------------------------------------------------
# 独居（空巢）老人登记表 lists those living alone or in an empty nest only
# --------------------------------------------------------------------------
def test_alone_export_lists_only_alone_and_empty_nest(R):
    c = R.c
    want = sum(ok(c.get("/ledgers/elderly/entries", per_page=1, field="living", value=v))["total"]
               for v in ("独居", "空巢"))
    r = c.get("/ledgers/elderly/export", layout="alone")
    assert r.status_code == 200, r.text[:300]
    ws = openpyxl.load_workbook(io.BytesIO(r.content), read_only=False).worksheets[0]
    hdr = [ws.cell(3, k).value for k in range(1, ws.max_column + 1)]
    kind_col = hdr.index("老人类型") + 1
    name_col = hdr.index("姓名") + 1
    rows = []
    for rr in range(4, ws.max_row + 1):
        if isinstance(ws.cell(rr, 1).value, (int, float)):
            rows.append((ws.cell(rr, name_col).value, ws.cell(rr, kind_col).value))
    kinds = {k for _n, k in rows}
    assert kinds <= {"独居", "空巢"}, f"the 独居（空巢） export lists others: {kinds}"
    assert len(rows) == want, f"{len(rows)} rows, {want} living alone or in an empty nest"
    names = {n for n, _k in rows}
    fam = c.s.person(R.person_id(R.family[0]))["name"]
    assert fam not in names, "an elderly person living with family is in the 独居（空巢） export"


# --------------------------------------------------------------------------
# restricted ledgers
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def corr(R):
    """A correction entry (made by the director) on a young family member."""
    c = R.c
    pid = R.person_id(R.young[1])
    r = c.post("/ledgers/correction/entries", {"subject_id": pid, "fields": {
        "corr_no": "JZ-SECRET-4711", "corr_type": "缓刑", "crime": "秘密罪名甲",
        "corr_start": iso(TODAY - datetime.timedelta(days=300)),
        "corr_end": iso(TODAY + datetime.timedelta(days=20)), "helper": "协管员乙"}})
    eid = ok(r, 201)["id"]
    ok(c.patch(f"/ledgers/correction/entries/{eid}", {"fields": {"crime": "秘密罪名丙", "level": "严管"}}))
    return {"pid": pid, "eid": eid}


def test_restricted_audit_names_fields_not_values(R, corr):
    c = R.c
    items = c.audit("admin", entity="ledger_entry", entity_id=corr["eid"])["items"]
    mine = [x for x in items if x.get("action") in ("create", "update")]
    assert len(mine) >= 2, items
    text = json.dumps(items, ensure_ascii=False)
    for secret in ("JZ-SECRET-4711", "秘密罪名", "协管员乙", "缓刑", "严管"):
        assert secret not in text, f"the audit log shows a restricted entry's value {secret!r} to the admin"
    assert "crime" in text and "level" in text, f"the audit record does not name the changed fields: {text}"
    assert "corr_no" in text


def test_admin_cannot_be_named_reader(R):
    c = R.c
    for who in ("admin", "director"):
        r = c.post("/ledgers/correction/readers", {"username": "admin", "reader": True}, who)
        assert 400 <= r.status_code < 500, f"{who} named the admin a reader: {r.status_code}"
        msg = json.dumps(r.json(), ensure_ascii=False)
        assert re.search(r"[\u4e00-\u9fff]", msg) and "管理员" in msg, msg
    check_error(c.get("/ledgers/correction/entries", "admin"), 403)


def test_restricted_reminders_for_readers_only_and_audited(R, corr):
    c = R.c
    ok(c.post("/ledgers/correction/readers", {"username": "gongzuo1", "reader": True}), 204)
    n0 = c.audit(action="ledger_read")["total"]
    rem = ok(c.get("/reminders", "worker"))["items"]
    hit = [x for x in rem if x["kind"] == "ending" and x["ledger"] == "correction" and x["subject_id"] == corr["pid"]]
    assert len(hit) == 1, "the reader gets no correction ending reminder"
    items = c.audit(action="ledger_read")
    assert items["total"] > n0, "reminders read a restricted ledger without a ledger_read audit record"
    assert any(x.get("username") == "gongzuo1" for x in items["items"]), items["items"][:3]
    rem2 = ok(c.get("/reminders", "worker2"))["items"]
    assert not any(x["ledger"] == "correction" for x in rem2), "a non-reader sees correction reminders"


def test_visit_on_restricted_entry_inherits_restriction(R, corr):
    c, s = R.c, R.s
    ok(c.post("/ledgers/correction/readers", {"username": "gongzuo1", "reader": True}), 204)
    ok(c.post("/visits", {"entry_id": corr["eid"], "subject": "person", "subject_id": corr["pid"],
                          "note": "矫正谈话记录绝密", "method": "上门"}), 201)
    # a general visit to the same person stays visible to every staff member
    ok(c.post("/visits", {"subject": "person", "subject_id": corr["pid"], "note": "普通入户走访"}, "worker2"), 201)
    v2 = ok(c.get("/visits", "worker2", subject="person", subject_id=corr["pid"]))["items"]
    notes2 = {v["note"] for v in v2}
    assert "普通入户走访" in notes2
    assert "矫正谈话记录绝密" not in notes2, "a visit on a correction entry shows to a non-reader"
    va = ok(c.get("/visits", "admin", subject="person", subject_id=corr["pid"]))["items"]
    assert "矫正谈话记录绝密" not in {v["note"] for v in va}, "the admin sees a correction visit"
    # the person's page, as a non-reader
    w = Web(s.base)
    w.login(*s.users["worker2"])
    page = w.get(f"/persons/{corr['pid']}")
    assert page.status_code == 200
    assert "普通入户走访" in page.text
    assert "矫正谈话记录绝密" not in page.text, "the person page shows a correction visit to a non-reader"
    # the reader sees it, and that look is audited
    n0 = c.audit(action="ledger_read")["total"]
    v1 = ok(c.get("/visits", "worker", subject="person", subject_id=corr["pid"]))["items"]
    assert "矫正谈话记录绝密" in {v["note"] for v in v1}, "the reader does not see the entry's visit"
    assert c.audit(action="ledger_read")["total"] > n0, "reading a restricted visit wrote no audit record"
    # a non-reader may not record a visit on the restricted entry
    r = c.post("/visits", {"entry_id": corr["eid"], "note": "x"}, "worker2")
    assert r.status_code == 403, r.text[:300]


def test_visit_audit_of_restricted_entry_names_no_person(R, corr):
    c = R.c
    items = c.audit("admin", entity="visit", action="create")["items"]
    text = json.dumps([x for x in items if "correction" in json.dumps(x)], ensure_ascii=False)
    assert "correction" in text
    assert f'"subject_id": {corr["pid"]}' not in text and f'"subject_id":{corr["pid"]}' not in text, text


# --------------------------------------------------------------------------
# two generic exports at once
# --------------------------------------------------------------------------
def test_concurrent_generic_exports(R):
    c = R.c
    ok(c.post("/ledgers", {"key": "pets", "title": "养犬登记台账", "subject": "person",
                           "fields": [{"name": "breed", "label": "犬种"}, {"name": "dogname", "label": "犬名"}]},
              "admin"), 201)
    ok(c.post("/ledgers", {"key": "bikes", "title": "电动车登记台账", "subject": "person",
                           "fields": [{"name": "plate", "label": "车牌"}, {"name": "colour", "label": "颜色"}]},
              "admin"), 201)
    sess = R.s.login(*R.s.users["worker"])
    # subjects: the retirees' ids, read from the retirees ledger
    subs = [e["subject_id"] for e in entries(c, "retirees")][:400]
    for i, pid in enumerate(subs):
        r = sess.post(R.s.url("/api/v1/ledgers/pets/entries"),
                      json={"subject_id": pid, "fields": {"breed": f"犬{i}", "dogname": f"旺{i}"}}, timeout=30)
        assert r.status_code == 201, r.text[:200]
        r = sess.post(R.s.url("/api/v1/ledgers/bikes/entries"),
                      json={"subject_id": pid, "fields": {"plate": f"京A{i:05d}", "colour": "红"}}, timeout=30)
        assert r.status_code == 201, r.text[:200]

    def export(key):
        r = c.get(f"/ledgers/{key}/export")
        assert r.status_code == 200, r.text[:200]
        ws = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
        hdr = [ws.cell(3, k).value for k in range(1, ws.max_column + 1)]
        col = hdr.index("犬种" if key == "pets" else "车牌") + 1
        vals = [ws.cell(rr, col).value for rr in range(4, ws.max_row + 1)
                if isinstance(ws.cell(rr, 1).value, (int, float))]
        return key, vals

    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        for _round in range(3):
            for key, vals in ex.map(export, ["pets", "bikes", "pets", "bikes"]):
                assert len(vals) == len(subs), (key, len(vals))
                empty = sum(1 for v in vals if not v)
                assert empty == 0, f"{empty} rows of the {key} export lost their field (shared buffer)"


# --------------------------------------------------------------------------
# 本年已认证 follows the date of the last certification
# --------------------------------------------------------------------------
def test_certification_is_per_year(R):
    c = R.c
    pid = R.person_id(R.retirees[5])
    e = entry_of(c, "retirees", pid)
    last_year = iso(datetime.date(TODAY.year - 1, 6, 15))
    # a certification recorded last year does not count this year
    b = ok(c.patch(f"/ledgers/retirees/entries/{e['id']}",
                   {"fields": {"certified": "是", "certify_date": last_year}}, "worker"))
    assert b["fields"].get("certify_date") == last_year, b["fields"]
    assert b["fields"].get("certified") == "否", f"certified last year shows as this year's: {b['fields']}"
    rem = ok(c.get("/reminders", "worker"))["items"]
    assert any(x["kind"] == "pension" and x["subject_id"] == pid for x in rem), \
        "a retiree certified last year gets no reminder this year"
    # 是 without a date records today
    b = ok(c.patch(f"/ledgers/retirees/entries/{e['id']}", {"fields": {"certified": "是"}}, "worker"))
    assert b["fields"].get("certify_date") == iso(TODAY), b["fields"]
    assert b["fields"].get("certified") == "是"
    rem = ok(c.get("/reminders", "worker"))["items"]
    assert not any(x["kind"] == "pension" and x["subject_id"] == pid for x in rem), "certified, still reminded"
    # the list filter follows the date too
    got = {x["subject_id"] for x in entries(c, "retirees", field="certified", value="是")}
    assert pid in got and len(got) == 1, got
    other = R.person_id(R.retirees[6])
    e2 = entry_of(c, "retirees", other)
    ok(c.patch(f"/ledgers/retirees/entries/{e2['id']}", {"fields": {"certify_date": last_year}}, "worker"))
    got = {x["subject_id"] for x in entries(c, "retirees", field="certified", value="是")}
    assert other not in got, "certified last year is listed as certified this year"
    check_error(c.patch(f"/ledgers/retirees/entries/{e['id']}", {"fields": {"certified": "可能"}}, "worker"),
                422, field="certified")


# --------------------------------------------------------------------------
# pickers on the new-entry page (no JavaScript)
# --------------------------------------------------------------------------
def _radios(text):
    return {int(m.group(1)) for m in re.finditer(r'<input[^>]*type="radio"[^>]*name="subject_id"[^>]*value="(\d+)"',
                                                  text)} | \
           {int(m.group(1)) for m in re.finditer(r'<input[^>]*name="subject_id"[^>]*type="radio"[^>]*value="(\d+)"',
                                                  text)}


def test_picker_lists_households_houses_persons(R):
    c, s = R.c, R.s
    w = Web(s.base)
    w.login(*s.users["worker"])
    # persons by name
    pid = R.person_id(R.family[3])
    name = s.person(pid)["name"]
    r = w.get("/ledgers/disabled/new", params={"find": name})
    assert r.status_code == 200
    assert pid in _radios(r.text), f"the person picker does not offer {name}"
    assert name in r.text
    # households by number and by a member's name
    hh = s.person(pid)["household_id"]
    hno = ok(c.get(f"/households/{hh}", "admin"))["household_no"]
    r = w.get("/ledgers/dibao/new", params={"find": hno})
    assert hh in _radios(r.text), f"the household picker does not offer {hno}"
    r = w.get("/ledgers/dibao/new", params={"find": name})
    assert hh in _radios(r.text), f"the household picker does not find the household of {name}"
    # houses by address fragment
    house = ok(c.get(f"/households/{hh}", "admin"))["house_id"]
    r = w.get("/ledgers/rental/new", params={"find": name})
    assert house in _radios(r.text), f"the house picker does not find the house of {name}"
    addr = s.person(pid)["current_address"]          # 和睦路3号: the residents' address
    r = w.get("/ledgers/rental/new", params={"find": addr})
    assert house in _radios(r.text), f"the house picker does not find {addr}"
    # nothing found: a message, not an error
    r = w.get("/ledgers/dibao/new", params={"find": "查无此户ZZZ"})
    assert r.status_code == 200 and "没有找到" in r.text
    # the chosen one saves
    tok = w.csrf("/ledgers/dibao/new")
    r = w.post("/ledgers/dibao", data={"_csrf": tok, "subject_id": str(hh), "amount": "800"})
    assert r.status_code in (302, 303), r.text[:500]
    assert any(e["subject_id"] == hh for e in entries(c, "dibao"))
