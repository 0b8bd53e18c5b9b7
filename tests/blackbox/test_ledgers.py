"""Ledgers (台账, docs/LEDGERS.md) over the JSON API, on a fresh store where
the shared synthetic community's persons.csv (/work/shared/data/small, 2,000
persons) is imported with `juwei import persons`.

Derived memberships are checked against counts computed here, independently,
from persons.csv with today's date (datetime.date.today()): someone born on
29 February has their birthday on 28 February in a common year.

Every request made here must answer below 500.
"""
import calendar
import collections
import csv
import datetime
import io
import json
import os
from pathlib import Path

import openpyxl
import pytest

from conftest import Server, _must, init_store, run_cli
from juwei_util import (ADMIN_PW, USER_PW, check_error, make_id, new_name, ok)

from juwei_util import COMMUNITY_DATA
SMALL_CSV = COMMUNITY_DATA / "small_persons.csv"

TODAY = datetime.date.today()

USERS = {
    # key: (username, role, grid)
    "director": ("zhuren1", "director", None),
    "worker": ("gongzuo1", "worker", None),
    "worker2": ("gongzuo2", "worker", None),
    "gw": ("wangge1", "grid_worker", "第一网格"),
}

BUILTIN = ["elderly", "disabled", "dibao", "temp_aid", "tekun", "veterans", "unemployed",
           "zero_employment", "retirees", "correction", "family_planning", "migrants", "rental",
           "special_care", "volunteers"]
RESTRICTED = {"correction", "special_care"}
LAYOUTS = {  # LEDGERS.md / the brief
    "elderly": {"allowance", "alone"},
    "disabled": {"roster"},
    "migrants": {"register"},
    "rental": {"register"},
    "volunteers": {"roster"},
}
SUBJECTS = {"elderly": "person", "disabled": "person", "dibao": "household", "temp_aid": "household",
            "tekun": "person", "veterans": "person", "unemployed": "person",
            "zero_employment": "household", "retirees": "person", "correction": "person",
            "family_planning": "household", "migrants": "person", "rental": "house",
            "special_care": "person", "volunteers": "person"}
DERIVED = {"elderly", "unemployed", "zero_employment", "retirees", "migrants"}
WORKING = ("在职", "个体经营", "灵活就业")


# --------------------------------------------------------------------------
# dates and ages, as the contract counts them
# --------------------------------------------------------------------------
def birthday_in(year, m, d):
    if m == 2 and d == 29 and not calendar.isleap(year):
        return 2, 28
    return m, d


def age_on(birth, today=TODAY):
    m, d = birthday_in(today.year, birth.month, birth.day)
    return today.year - birth.year - ((today.month, today.day) < (m, d))


def parse_date(s):
    return datetime.date(*(int(x) for x in s.split("-")))


def years_before(today, n, extra_days=0):
    """The birth date of someone who turns n on today + extra_days (never a 29 Feb)."""
    day = today + datetime.timedelta(days=extra_days)
    y = day.year - n
    m, d = day.month, day.day
    if m == 2 and d == 29:
        d = 28 if not calendar.isleap(y) else 29
    return datetime.date(y, m, d)


def iso(d):
    return d.isoformat()


# --------------------------------------------------------------------------
# the CSV, counted independently
# --------------------------------------------------------------------------
def load_csv():
    with open(SMALL_CSV, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["_birth"] = parse_date(r["出生日期"])
        r["_age"] = age_on(r["_birth"])
    return rows


def independent(rows):
    hh = collections.defaultdict(list)
    for r in rows:
        hh[r["户编号"]].append(r)
    elderly = [r for r in rows if r["_age"] >= 60]
    alone = [r for r in elderly if len(hh[r["户编号"]]) == 1]
    empty = [r for r in elderly
             if len(hh[r["户编号"]]) > 1 and all(m["_age"] >= 60 for m in hh[r["户编号"]])]
    zero = sorted(h for h, ms in hh.items()
                  if any(16 <= m["_age"] <= 59 and m["就业状况"] == "失业" for m in ms)
                  and not any(m["就业状况"] in WORKING for m in ms))
    return {
        "elderly": len(elderly),
        "独居": len(alone),
        "空巢": len(empty),
        "与家人同住": len(elderly) - len(alone) - len(empty),
        "unemployed": sum(r["就业状况"] == "失业" for r in rows),
        "retirees": sum(r["就业状况"] == "退休" for r in rows),
        "migrants": sum(r["人口类型"] == "流动人口" for r in rows),
        "zero_employment": len(zero),
        "zero_households": zero,
        "80+": sum(r["_age"] >= 80 for r in rows),
        "hh": hh,
    }


# --------------------------------------------------------------------------
# the store, the server and a thin client that never accepts a 5xx
# --------------------------------------------------------------------------
class Client:
    def __init__(self, s):
        self.s = s
        self.log = []

    def __call__(self, method, path, who="director", **kw):
        r = self.s.api(method, path, who, **kw)
        self.log.append((method, path, who, r.status_code))
        assert r.status_code < 500, (
            f"{method} {path} as {who}: {r.status_code} (never a 5xx): {r.text[:500]}")
        return r

    def get(self, path, who="director", **params):
        return self(method="GET", path=path, who=who, params=params or None)

    def post(self, path, body, who="director", **kw):
        return self("POST", path, who, json=body, **kw)

    def patch(self, path, body, who="director", **kw):
        return self("PATCH", path, who, json=body, **kw)

    def total(self, key, who="director", **params):
        p = {"per_page": 1}
        p.update(params)
        b = ok(self.get(f"/ledgers/{key}/entries", who, **p))
        assert isinstance(b.get("total"), int), b
        return b["total"]

    def entries(self, key, who="director", **params):
        out, page = [], 1
        while page < 200:
            p = {"per_page": 100, "page": page}
            p.update(params)
            b = ok(self.get(f"/ledgers/{key}/entries", who, **p))
            items = b.get("items") or []
            out.extend(items)
            if not items or len(out) >= b["total"]:
                break
            page += 1
        return out

    def audit_total(self, action="ledger_read", who="director"):
        b = ok(self.get("/audit", who, action=action, per_page=100))
        return b["total"], b["items"]


_seq = iter(range(101, 999))


def fresh_id(taken, birth, sex=None):
    """A valid ID (海淀 110108) born on birth, not among taken."""
    while True:
        seq = next(_seq)
        if sex == "1" and seq % 2 == 0 or sex == "2" and seq % 2 == 1:
            continue
        idn = make_id("110108", birth.strftime("%Y%m%d"), f"{seq:03d}")
        if idn not in taken:
            taken.add(idn)
            return idn


@pytest.fixture(scope="session")
def L(juwei_bin, tmp_path_factory):
    """The served store: persons.csv imported by the CLI, four users, a
    snapshot of the first numbers (before any test changes anything)."""
    assert SMALL_CSV.is_file(), f"{SMALL_CSV} is missing from the checkout"
    wd = tmp_path_factory.mktemp("ledgers")
    db = init_store(wd)
    cp = _must(run_cli("import", "persons", SMALL_CSV, "--db", db, "--json", timeout=300),
               "juwei import persons persons.csv")
    summary = json.loads(cp.stdout)
    for key, (name, role, grid) in USERS.items():
        args = ["user", "add", name, "--role", role, "--db", db]
        if grid:
            args += ["--grid", grid]
        _must(run_cli(*args, env={"JUWEI_PASSWORD": USER_PW}), f"juwei user add {name}")
    s = Server(db, wd)
    s.start()
    try:
        s.tokens["admin"] = s.login_token("admin", ADMIN_PW)
        for key, (name, _role, _grid) in USERS.items():
            s.users[key] = (name, USER_PW)
            s.tokens[key] = s.login_token(name, USER_PW)
        c = Client(s)
        rows = load_csv()
        L = type("L", (), {})()
        L.s, L.c, L.rows, L.summary = s, c, rows, summary
        L.ind = independent(rows)
        L.ids = {r["公民身份号码"] for r in rows if r["公民身份号码"]}
        grids = {g["name"]: g["id"] for g in s.list_all("grids", "admin")}
        L.grid1 = grids.get("第一网格")
        # the snapshot
        L.snap = {}
        for k in ("elderly", "unemployed", "retirees", "migrants", "zero_employment"):
            L.snap[k] = c.get(f"/ledgers/{k}/entries", per_page=1)
        for v in ("独居", "空巢", "与家人同住"):
            L.snap["living:" + v] = c.get("/ledgers/elderly/entries", per_page=1, field="living", value=v)
        L.snap["zero_items"] = c.get("/ledgers/zero_employment/entries", per_page=100)
        L.snap["elderly_stats"] = c.get("/ledgers/elderly/stats")
        yield L
    finally:
        s.stop()


def person_entry(L, key, pid, who="director", include_closed=True, name=None):
    """The entries of ledger key for person pid (found by name)."""
    if name is None:
        name = L.s.person(pid)["name"]
    params = {"q": name}
    if include_closed:
        params["include_closed"] = 1
    return [e for e in L.c.entries(key, who, **params) if e["subject_id"] == pid]


def csv_person_id(L, row):
    """The store's id of a CSV row (by its full ID number)."""
    idn = row["公民身份号码"]
    ids = L.s.search_ids(idn, "admin")
    assert len(ids) == 1, f"search {idn}: {ids}"
    return next(iter(ids))


def new_person(L, age=None, birth=None, who="admin", **fields):
    if birth is None:
        birth = years_before(TODAY, age, extra_days=-40)   # had the birthday 40 days ago
    idn = fresh_id(L.ids, birth)
    name = new_name()
    pid = L.s.new_person(who, name=name, id_number=idn, **fields)
    return pid, name, idn


# --------------------------------------------------------------------------
# the list of ledgers
# --------------------------------------------------------------------------
def test_import_took_every_row(L):
    assert L.summary["rows"] == 2000 and L.summary["imported"] == 2000, L.summary
    assert L.summary["rejected"] == 0, L.summary
    assert L.grid1, "the import made no 第一网格"


def test_ledger_list_director(L):
    b = ok(L.c.get("/ledgers"))
    keys = [x["key"] for x in b["items"]]
    for k in BUILTIN:
        assert k in keys, f"director does not see {k}: {keys}"
    assert len([k for k in keys if k in BUILTIN]) == 15
    assert b["total"] == len(b["items"])
    for x in b["items"]:
        if x["key"] not in BUILTIN:
            continue
        for m in ("key", "title", "line", "subject", "restricted", "derived", "custom", "visit_days",
                  "open", "writable", "fields", "layouts"):
            assert m in x, f"{x['key']}: no member {m}"
        assert x["subject"] == SUBJECTS[x["key"]], x["key"]
        assert x["restricted"] == (x["key"] in RESTRICTED), x["key"]
        assert x["derived"] == (x["key"] in DERIVED), x["key"]
        assert x["custom"] is False
        assert isinstance(x["fields"], list) and x["fields"], x["key"]
        for f in x["fields"]:
            for m in ("name", "label", "type", "required", "derived"):
                assert m in f, f"{x['key']}.{f.get('name')}: no {m}"
            assert f["type"] in ("text", "number", "integer", "date"), f
        names = {f["name"] for f in x["fields"]}
        assert "notes" in names, x["key"]
        lay = {y["key"] for y in x["layouts"]}
        assert LAYOUTS.get(x["key"], set()) <= lay, f"{x['key']} layouts {lay}"
        for y in x["layouts"]:
            assert y.get("label"), y
    by = {x["key"]: x for x in b["items"]}
    assert by["elderly"]["visit_days"] == 7
    living = next(f for f in by["elderly"]["fields"] if f["name"] == "living")
    assert living["derived"] is True and set(living["options"]) == {"独居", "空巢", "与家人同住"}
    dis = {f["name"]: f for f in by["disabled"]["fields"]}
    assert dis["category"]["required"] and dis["grade"]["required"]
    assert set(dis["category"]["options"]) == {"视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾",
                                              "精神残疾", "多重残疾"}
    assert dis["grade"]["options"] == ["一级", "二级", "三级", "四级"]
    assert "card_no" in dis
    assert by["correction"]["writable"] is True


def test_ledger_list_worker_and_admin(L):
    # worker2 is never named a reader of a restricted ledger
    for who in ("worker2", "admin", "gw"):
        keys = {x["key"] for x in ok(L.c.get("/ledgers", who))["items"]}
        assert not (keys & RESTRICTED), f"{who} sees {keys & RESTRICTED}"
        if who != "gw":   # a grid worker reads fewer (LEDGERS.md leaves read roles to the declaration)
            assert set(BUILTIN) - RESTRICTED <= keys, f"{who}: {set(BUILTIN) - RESTRICTED - keys}"
        else:
            assert {"elderly", "migrants", "rental"} <= keys, keys


def test_ledger_list_needs_login(L):
    r = L.s.api("GET", "/ledgers")
    assert r.status_code == 401, r.text[:200]


# --------------------------------------------------------------------------
# derived memberships against the CSV
# --------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["elderly", "unemployed", "retirees", "migrants", "zero_employment"])
def test_derived_totals(L, key):
    b = ok(L.snap[key])
    assert b["total"] == L.ind[key], (
        f"{key}: the ledger holds {b['total']} open entries, persons.csv gives {L.ind[key]} "
        f"(today {TODAY})")


@pytest.mark.parametrize("living", ["独居", "空巢", "与家人同住"])
def test_elderly_living(L, living):
    b = ok(L.snap["living:" + living])
    assert b["total"] == L.ind[living], (
        f"elderly living={living}: ledger {b['total']}, persons.csv {L.ind[living]}")
    for e in b["items"]:
        assert e["fields"].get("living") == living, e


def test_elderly_band_field(L):
    """elderly declares `band` (享受类别) as a derived field: 80–89 / 90–99 /
    100+ (LEDGERS.md); under 80 it has none."""
    items = L.c.entries("elderly")
    wrong = []
    for e in items:
        a = age_on(parse_date(e["birth_date"]))
        want = ("100周岁以上" if a >= 100 else "90–99周岁" if a >= 90 else "80–89周岁" if a >= 80 else None)
        if e["fields"].get("band") != want:
            wrong.append((e["subject_id"], a, e["fields"].get("band"), want))
    assert not wrong, (f"{len(wrong)} of {len(items)} elderly entries have the wrong band "
                       f"(person, age, band, want): {wrong[:5]}")


def test_zero_employment_households(L):
    b = ok(L.snap["zero_items"])
    got = sorted(e["name"] for e in b["items"])
    # an entry of a household ledger is named by the household's number
    assert got == L.ind["zero_households"], (got, L.ind["zero_households"])
    for e in b["items"]:
        assert e["subject"] == "household" and e["derived"] is True and e["status"] == "open"


def test_derived_entry_shape(L):
    items = ok(L.c.get("/ledgers/elderly/entries", per_page=5))["items"]
    assert items
    for e in items:
        for m in ("id", "ledger", "subject", "subject_id", "name", "id_number", "phone", "address", "sex",
                  "birth_date", "grid_id", "status", "start_date", "end_date", "end_reason", "derived",
                  "last_visit", "next_visit", "fields"):
            assert m in e, f"entry without {m}: {e}"
        assert e["ledger"] == "elderly" and e["subject"] == "person" and e["derived"] is True
        assert age_on(parse_date(e["birth_date"])) >= 60
        if e["id_number"]:
            assert "*" in e["id_number"], f"entry id_number not masked: {e['id_number']}"


def test_derive_on_demand_changes_nothing(L):
    before = {k: L.c.total(k) for k in ("elderly", "unemployed", "zero_employment")}
    r = L.c.post("/ledgers/derive", {}, "worker")
    check_error(r, 403)
    b = ok(L.c.post("/ledgers/derive", {}, "director"))
    assert "added" in b and "closed" in b
    after = {k: L.c.total(k) for k in ("elderly", "unemployed", "zero_employment")}
    assert after == before


# --------------------------------------------------------------------------
# de-registration closes the entries
# --------------------------------------------------------------------------
def test_deregister_closes_entries(L):
    # a 70–79 year-old retiree (so that the 80+ allowance roster is unchanged)
    row = next(r for r in L.rows if 70 <= r["_age"] <= 79 and r["就业状况"] == "退休"
               and r["公民身份号码"] and len(L.ind["hh"][r["户编号"]]) >= 3)
    pid = csv_person_id(L, row)
    name = row["姓名"]
    open_e = [e for e in person_entry(L, "elderly", pid, name=name) if e["status"] == "open"]
    assert len(open_e) == 1, open_e
    before = L.c.total("elderly")
    before_ret = L.c.total("retirees")
    ok(L.c.post(f"/persons/{pid}/deregister", {"reason": "died", "date": iso(TODAY), "note": "测试"},
                "worker"))
    after = L.c.total("elderly")
    assert after == before - 1, f"elderly open total {before} -> {after}"
    assert L.c.total("retirees") == before_ret - 1
    es = person_entry(L, "elderly", pid, name=name)
    assert len(es) == 1, es
    e = es[0]
    assert e["status"] == "closed", e
    assert (e["end_reason"] or "").startswith("注销"), e
    assert "死亡" in e["end_reason"], f"LEDGERS.md gives 注销：死亡; got {e['end_reason']!r}"
    assert e["end_date"] == iso(TODAY), e
    # not among the open ones
    assert not person_entry(L, "elderly", pid, include_closed=False, name=name)
    # the closed entry is not in the visit reminders, and cannot take a new entry
    r = L.c.post("/ledgers/disabled/entries", {"subject_id": pid, "fields": {
        "category": "肢体残疾", "grade": "二级"}})
    check_error(r, 422, field="subject_id")


def test_deregister_survivor_becomes_alone(L):
    """A two-person empty nest loses one: the other now lives alone (独居).
    LEDGERS.md: derived ledgers stay correct without anyone touching them."""
    hh = L.ind["hh"]
    pair = next(ms for h, ms in sorted(hh.items())
                if len(ms) == 2 and all(60 <= m["_age"] <= 79 for m in ms)
                and all(m["公民身份号码"] for m in ms))
    gone, survivor = pair
    gid, sid = csv_person_id(L, gone), csv_person_id(L, survivor)
    es = [e for e in person_entry(L, "elderly", sid, include_closed=False, name=survivor["姓名"])]
    assert es and es[0]["fields"].get("living") == "空巢", es
    ok(L.c.post(f"/persons/{gid}/deregister", {"reason": "died", "date": iso(TODAY)}, "worker"))
    es = [e for e in person_entry(L, "elderly", sid, include_closed=False, name=survivor["姓名"])]
    assert es, "the survivor's elderly entry is gone"
    living = es[0]["fields"].get("living")
    if living != "独居":
        # what an explicit re-derivation gives (the hourly one would do the same)
        ok(L.c.post("/ledgers/derive", {}, "director"))
        later = person_entry(L, "elderly", sid, include_closed=False, name=survivor["姓名"])
        pytest.fail(f"after the de-registration of person {gid} (died), the other member of household "
                    f"{survivor['户编号']} (person {sid}) lives alone but her/his elderly entry still says "
                    f"living={living!r}; after POST /api/v1/ledgers/derive it says "
                    f"{later[0]['fields'].get('living')!r}", pytrace=False)


def closing_audits(L, eid):
    """The audit records of the closing of ledger entry eid."""
    b = ok(L.c.get("/audit", "director", entity="ledger_entry", entity_id=eid, action="close",
                   per_page=100))
    return b["items"]


def test_deregister_audits_each_closing_with_actor(L):
    """A de-registration closes the person's entries through the ledgers'
    change hook; each closed entry has its own audit record (action close)
    naming the worker who de-registered the person (issue 9)."""
    pid, name, _ = new_person(L, 65, employment_status="失业")   # elderly and unemployed
    ok(L.c.post("/ledgers/volunteers/entries", {"subject_id": pid, "fields": {"team": "助老服务队"}},
                "worker"), 201)
    opened = {k: e for k in ("elderly", "unemployed", "volunteers")
              for e in person_entry(L, k, pid, name=name) if e["status"] == "open"}
    assert set(opened) == {"elderly", "unemployed", "volunteers"}, opened
    for e in opened.values():
        assert not closing_audits(L, e["id"]), e
    ok(L.c.post(f"/persons/{pid}/deregister", {"reason": "moved_away", "date": iso(TODAY)}, "worker2"))
    worker2 = L.s.users["worker2"][0]
    for key, e in opened.items():
        items = closing_audits(L, e["id"])
        assert len(items) == 1, f"{key} entry {e['id']}: {items}"
        a = items[0]
        assert a["username"] == worker2, a
        assert a["entity"] == "ledger_entry" and a["entity_id"] == e["id"], a
        new = a["new"] or {}
        assert new.get("ledger") == key and new.get("status") == "closed", a
        assert new.get("subject_id") == pid and new.get("end_date") == iso(TODAY), a
        assert new.get("end_reason") == "注销：迁出", a
        assert new.get("cause") == "person_deregistered", a


def test_change_closing_audited_with_actor(L):
    """A change that takes a person out of a derived ledger closes the entry
    (不再符合列入条件) with an audit record naming who made the change."""
    pid, name, _ = new_person(L, 40, employment_status="失业")
    es = [e for e in person_entry(L, "unemployed", pid, name=name) if e["status"] == "open"]
    assert len(es) == 1, es
    ok(L.c.patch(f"/persons/{pid}", {"employment_status": "在职"}, "worker"))
    items = closing_audits(L, es[0]["id"])
    assert len(items) == 1, items
    assert items[0]["username"] == L.s.users["worker"][0], items
    new = items[0]["new"] or {}
    assert new.get("ledger") == "unemployed" and new.get("status") == "closed", items
    assert new.get("end_reason") == "不再符合列入条件" and new.get("cause") == "person_changed", items


def test_restricted_closing_audit_names_no_subject(L):
    """A restricted ledger's closing is audited like its other records:
    the ledger and the status, not whose entry it was."""
    pid, name, _ = new_person(L, 35)
    body = {"subject_id": pid, "fields": {"corr_type": "缓刑", "corr_start": iso(TODAY),
                                           "corr_end": iso(TODAY + datetime.timedelta(days=365))}}
    eid = ok(L.c.post("/ledgers/correction/entries", body, "director"), 201)["id"]
    ok(L.c.post(f"/persons/{pid}/deregister", {"reason": "died", "date": iso(TODAY)}, "director"))
    items = closing_audits(L, eid)
    assert len(items) == 1 and items[0]["username"] == L.s.users["director"][0], items
    new = items[0]["new"] or {}
    assert new.get("ledger") == "correction" and new.get("status") == "closed", items
    assert "subject_id" not in new and "end_reason" not in new, items


def household_entries(L, key, hno, include_closed=True):
    params = {"q": hno}
    if include_closed:
        params["include_closed"] = 1
    return [e for e in L.c.entries(key, **params) if e["name"] == hno]


def w_ok(ms):
    """Every member has an ID card (found by search)."""
    return all(x["公民身份号码"] for x in ms)


def test_zero_employment_follows_member_change(L):
    """A member's employment changes the household's zero-employment status
    (LEDGERS.md: derived ledgers stay correct without anyone touching them;
    a person's change re-derives in the same transaction)."""
    hh = L.ind["hh"]
    # leaving: a zero-employment household whose unemployed member finds work
    hno = L.ind["zero_households"][0]
    es = household_entries(L, "zero_employment", hno, include_closed=False)
    assert len(es) == 1, es
    m = next(x for x in hh[hno] if x["就业状况"] == "失业" and 16 <= x["_age"] <= 59)
    ok(L.c.patch(f"/persons/{csv_person_id(L, m)}", {"employment_status": "在职"}, "worker"))
    still = household_entries(L, "zero_employment", hno, include_closed=False)
    # joining: a household with an unemployed 16–59 member and one member in work, who stops working
    hno2, w = next((h, [x for x in ms if x["就业状况"] in WORKING][0]) for h, ms in sorted(hh.items())
                   if any(16 <= x["_age"] <= 59 and x["就业状况"] == "失业" for x in ms)
                   and sum(x["就业状况"] in WORKING for x in ms) == 1 and w_ok(ms))
    assert not household_entries(L, "zero_employment", hno2, include_closed=False)
    ok(L.c.patch(f"/persons/{csv_person_id(L, w)}", {"employment_status": "无业"}, "worker"))
    joined = household_entries(L, "zero_employment", hno2, include_closed=False)
    problems = []
    if still:
        problems.append(f"household {hno}: an unemployed 16–59 member was set to 在职 (PATCH "
                        f"/persons/…) but the zero_employment entry {still[0]['id']} is still open")
    if not joined:
        problems.append(f"household {hno2}: its only working member was set to 无业 but it did not join "
                        f"zero_employment")
    if problems:
        ok(L.c.post("/ledgers/derive", {}, "director"))
        after = (bool(household_entries(L, "zero_employment", hno, include_closed=False)),
                 bool(household_entries(L, "zero_employment", hno2, include_closed=False)))
        pytest.fail("; ".join(problems) + f". After POST /api/v1/ledgers/derive: {hno} open={after[0]}, "
                    f"{hno2} open={after[1]}", pytrace=False)


# --------------------------------------------------------------------------
# persons created and changed through the API
# --------------------------------------------------------------------------
def test_created_person_joins_elderly_and_unemployed(L):
    before = L.c.total("elderly")
    p61, n61, _ = new_person(L, 61, employment_status="在职")
    assert L.c.total("elderly") == before + 1
    es = person_entry(L, "elderly", p61, name=n61)
    assert len(es) == 1 and es[0]["status"] == "open" and es[0]["derived"] is True, es
    assert es[0]["start_date"] == iso(TODAY), es[0]

    p59, n59, _ = new_person(L, 59)
    assert not person_entry(L, "elderly", p59, name=n59), "a 59-year-old is in elderly"
    # turning 60 today: in; turning 60 tomorrow: not yet
    pt, nt, _ = new_person(L, birth=years_before(TODAY, 60))
    assert person_entry(L, "elderly", pt, include_closed=False, name=nt), "turns 60 today: not in elderly"
    pm, nm, _ = new_person(L, birth=years_before(TODAY, 60, extra_days=1))
    assert not person_entry(L, "elderly", pm, name=nm), "turns 60 tomorrow: already in elderly"

    # unemployed follows employment_status
    u_before = L.c.total("unemployed")
    ok(L.c.patch(f"/persons/{p61}", {"employment_status": "失业"}, "worker"))
    es = person_entry(L, "unemployed", p61, name=n61)
    assert len(es) == 1 and es[0]["status"] == "open", es
    assert L.c.total("unemployed") == u_before + 1
    ok(L.c.patch(f"/persons/{p61}", {"employment_status": "在职"}, "worker"))
    es = person_entry(L, "unemployed", p61, name=n61)
    assert len(es) == 1 and es[0]["status"] == "closed", es
    assert es[0]["end_reason"] == "不再符合列入条件", es[0]
    assert L.c.total("unemployed") == u_before
    # and the elderly entry is untouched
    assert person_entry(L, "elderly", p61, include_closed=False, name=n61)


def test_birth_date_correction_moves_out_of_elderly(L):
    """A corrected birth date (a new ID number) re-derives the person."""
    pid, name, _ = new_person(L, 65)
    assert person_entry(L, "elderly", pid, include_closed=False, name=name)
    young = years_before(TODAY, 40)
    ok(L.c.patch(f"/persons/{pid}", {"id_number": fresh_id(L.ids, young)}, "worker"))
    es = person_entry(L, "elderly", pid, name=name)
    assert es and all(e["status"] == "closed" for e in es), es
    assert es[0]["end_reason"] == "不再符合列入条件", es[0]


# --------------------------------------------------------------------------
# the disabled ledger's card number
# --------------------------------------------------------------------------
def test_disabled_card_number(L):
    rows = [r for r in L.rows if 20 <= r["_age"] <= 50 and r["公民身份号码"] and not r["残疾类别"]]
    row, other = rows[0], rows[1]
    pid = csv_person_id(L, row)
    full = ok(L.c.post(f"/persons/{pid}/reveal", {"reason": "verify"}, "director"))["id_number"]
    assert full == row["公民身份号码"]
    base = {"subject_id": pid, "start_date": iso(TODAY)}

    def body(card, cat="肢体残疾", grade="二级"):
        return dict(base, fields={"category": cat, "grade": grade, "card_no": card})

    check_error(L.c.post("/ledgers/disabled/entries", body(full + "52"), "worker"), 422, field="card_no")
    check_error(L.c.post("/ledgers/disabled/entries", body(other["公民身份号码"] + "42"), "worker"), 422,
                field="card_no")
    check_error(L.c.post("/ledgers/disabled/entries", body(full + "4"), "worker"), 422, field="card_no")
    check_error(L.c.post("/ledgers/disabled/entries", body(full + "45"), "worker"), 422, field="card_no")
    check_error(L.c.post("/ledgers/disabled/entries", body(full + "82"), "worker"), 422, field="card_no")
    check_error(L.c.post("/ledgers/disabled/entries", body(full + "42", grade="五级"), "worker"), 422,
                field="grade")
    check_error(L.c.post("/ledgers/disabled/entries", body(full + "42", cat="残疾"), "worker"), 422,
                field="category")
    r = L.c.post("/ledgers/disabled/entries", {"subject_id": pid, "fields": {"grade": "二级"}}, "worker")
    check_error(r, 422, field="category")
    assert not person_entry(L, "disabled", pid, name=row["姓名"]), "a refused entry was stored"

    r = L.c.post("/ledgers/disabled/entries", body(full + "42"), "worker")
    e = ok(r, 201)
    assert e["ledger"] == "disabled" and e["subject_id"] == pid and e["status"] == "open", e
    assert e["fields"]["category"] == "肢体残疾" and e["fields"]["grade"] == "二级"
    card = e["fields"].get("card_no")
    assert card and card != full + "42" and "*" in card, f"card_no should come back masked: {card!r}"
    assert e["derived"] is False
    # a second open entry for the same person
    check_error(L.c.post("/ledgers/disabled/entries", body(full + "42"), "worker"), 409)
    # GET by id
    g = ok(L.c.get(f"/ledgers/disabled/entries/{e['id']}", "worker"))
    assert g["id"] == e["id"] and g["fields"]["grade"] == "二级"
    # PATCH to a grade that disagrees with the card → 422; with a new card → 200
    check_error(L.c.patch(f"/ledgers/disabled/entries/{e['id']}", {"fields": {"grade": "一级"}}, "worker"),
                422, field="card_no")
    p = ok(L.c.patch(f"/ledgers/disabled/entries/{e['id']}",
                     {"fields": {"grade": "一级", "card_no": full + "41"}}, "worker"))
    assert p["fields"]["grade"] == "一级"
    # a grid worker may read but not write this ledger (write roles: desk staff)
    check_error(L.c.post("/ledgers/disabled/entries", body(full + "41", grade="一级"), "gw"), 403)


# --------------------------------------------------------------------------
# restricted ledgers
# --------------------------------------------------------------------------
def test_restricted_ledgers(L):
    c = L.c
    row = next(r for r in L.rows if 25 <= r["_age"] <= 50 and r["公民身份号码"])
    pid = csv_person_id(L, row)
    end = TODAY + datetime.timedelta(days=20)
    body = {"subject_id": pid, "fields": {"corr_type": "缓刑", "corr_start": iso(TODAY - datetime.timedelta(
        days=300)), "corr_end": iso(end), "level": "普管"}}
    for key in ("correction", "special_care"):
        for who in ("worker", "worker2", "admin", "gw"):
            check_error(c.get(f"/ledgers/{key}/entries", who), 403)
            check_error(c.get(f"/ledgers/{key}/stats", who), 403)
            check_error(c.get(f"/ledgers/{key}/export", who), 403)
    for who in ("worker", "admin"):
        check_error(c.post("/ledgers/correction/entries", body, who), 403)
    ok(c.get("/ledgers/correction/entries"), 200)
    e = ok(c.post("/ledgers/correction/entries", body, "director"), 201)
    assert e["fields"]["corr_type"] == "缓刑"
    # corr_start after corr_end
    bad = {"subject_id": csv_person_id(L, next(r for r in L.rows if 30 <= r["_age"] <= 40
                                               and r["公民身份号码"] and r is not row)),
           "fields": {"corr_type": "缓刑", "corr_start": iso(TODAY), "corr_end": iso(TODAY - datetime.timedelta(
               days=1))}}
    check_error(c.post("/ledgers/correction/entries", bad, "director"), 422, field="corr_end")
    # an entry read by id: worker 403
    check_error(c.get(f"/ledgers/correction/entries/{e['id']}", "worker"), 403)
    check_error(c.get(f"/ledgers/correction/entries/{e['id']}", "admin"), 403)
    # a worker may not name readers
    check_error(c.post("/ledgers/correction/readers", {"username": "gongzuo1"}, "worker"), 403)
    # unknown user
    check_error(c.post("/ledgers/correction/readers", {"username": "nosuchuser"}), 404)
    # not a restricted ledger
    r = c.post("/ledgers/elderly/readers", {"username": "gongzuo1"})
    assert r.status_code in (400, 422), r.text[:300]
    # the director names gongzuo1
    r = c.post("/ledgers/correction/readers", {"username": "gongzuo1"})
    assert r.status_code == 204, r.text[:300]
    ok(c.get("/ledgers/correction/entries", "worker"))
    check_error(c.get("/ledgers/correction/entries", "worker2"), 403)
    check_error(c.get("/ledgers/special_care/entries", "worker"), 403)   # only the named ledger
    keys = {x["key"] for x in ok(c.get("/ledgers", "worker"))["items"]}
    assert "correction" in keys and "special_care" not in keys, keys
    keys2 = {x["key"] for x in ok(c.get("/ledgers", "worker2"))["items"]}
    assert "correction" not in keys2

    # every read leaves a ledger_read record: list, entry, stats, export
    reads = [
        ("list", lambda: c.get("/ledgers/correction/entries", "worker")),
        ("entry", lambda: c.get(f"/ledgers/correction/entries/{e['id']}", "worker")),
        ("stats", lambda: c.get("/ledgers/correction/stats", "worker")),
        ("export", lambda: c.get("/ledgers/correction/export", "worker")),
        ("director list", lambda: c.get("/ledgers/correction/entries", "director")),
    ]
    for what, fn in reads:
        n0, _ = c.audit_total()
        r = fn()
        assert r.status_code == 200, f"{what}: {r.status_code} {r.text[:300]}"
        n1, items = c.audit_total()
        assert n1 >= n0 + 1, f"{what} of correction wrote no ledger_read audit record ({n0} -> {n1})"
        newest = max(items, key=lambda a: a["id"])
        assert newest["action"] == "ledger_read"
        assert newest["username"] in ("gongzuo1", "zhuren1"), newest
        assert "correction" in json.dumps(newest, ensure_ascii=False), newest
    # the admin reads the audit log too
    n_admin, _ = c.audit_total(who="admin")
    assert n_admin >= 5
    check_error(c.get("/audit", "worker", action="ledger_read"), 403)
    # a read of an ordinary ledger writes none
    n0, _ = c.audit_total()
    ok(c.get("/ledgers/elderly/entries", "worker", per_page=1))
    assert c.audit_total()[0] == n0
    # the worker, now a reader, may write too; the grant can be taken back
    ok(c.patch(f"/ledgers/correction/entries/{e['id']}", {"fields": {"level": "严管"}}, "worker"))
    r = c.post("/ledgers/correction/readers", {"username": "gongzuo1", "reader": False})
    assert r.status_code == 204, r.text[:300]
    check_error(c.get("/ledgers/correction/entries", "worker"), 403)
    r = c.post("/ledgers/correction/readers", {"username": "gongzuo1", "reader": True})
    assert r.status_code == 204
    # the correction term ending in 20 days is a reminder for the director
    rem = ok(c.get("/reminders"))["items"]
    assert any(x["kind"] == "ending" and x["ledger"] == "correction" and x["subject_id"] == pid
               for x in rem), "no `ending` reminder for a correction term ending in 20 days"
    rem2 = ok(c.get("/reminders", "worker2"))["items"]
    assert not any(x["ledger"] == "correction" for x in rem2), "worker2 sees correction reminders"


def test_restricted_entry_not_readable_through_another_ledger(L):
    """An entry id belongs to one ledger: a special_care entry asked for as
    /ledgers/elderly/entries/{id} (a ledger the worker may read) must not
    come back — that would bypass the restriction and its audit."""
    c = L.c
    row = [r for r in L.rows if 25 <= r["_age"] <= 50 and r["公民身份号码"]][5]
    pid = csv_person_id(L, row)
    e = ok(c.post("/ledgers/special_care/entries", {"subject_id": pid, "fields": {
        "kind": "社区康复", "situation": "测试：受限内容"}}, "director"), 201)
    check_error(c.get(f"/ledgers/special_care/entries/{e['id']}", "worker2"), 403)
    for key in ("elderly", "migrants", "volunteers"):
        r = c.get(f"/ledgers/{key}/entries/{e['id']}", "worker2")
        assert r.status_code in (403, 404), (
            f"GET /api/v1/ledgers/{key}/entries/{e['id']} as a worker (not a reader) -> {r.status_code}: "
            f"the special_care entry leaks: {r.text[:300]}")
        r = c.patch(f"/ledgers/{key}/entries/{e['id']}", {"fields": {}}, "worker2")
        assert r.status_code in (403, 404), (
            f"PATCH /api/v1/ledgers/{key}/entries/{e['id']} as worker2 -> {r.status_code}: {r.text[:300]}")


# --------------------------------------------------------------------------
# a committee's own ledger
# --------------------------------------------------------------------------
PETS = {"key": "pets", "title": "养犬登记台账", "subject": "person", "fields": [
    {"name": "breed", "label": "犬种", "type": "text", "options": ["中华田园犬", "柯基", "其他"],
     "required": True},
    {"name": "weight", "label": "体重（千克）", "type": "number"},
    {"name": "dogs", "label": "只数", "type": "integer"},
    {"name": "vaccinated", "label": "免疫日期", "type": "date"},
]}


def test_custom_ledger(L):
    c = L.c
    check_error(c.post("/ledgers", PETS, "worker"), 403)
    check_error(c.post("/ledgers", PETS, "gw"), 403)
    b = ok(c.post("/ledgers", PETS, "admin"), 201)
    assert b["key"] == "pets" and b["title"] == "养犬登记台账" and b["custom"] is True, b
    assert b["subject"] == "person" and b["derived"] is False
    f = {x["name"]: x for x in b["fields"]}
    assert set(f) >= {"breed", "weight", "dogs", "vaccinated", "notes"}, f.keys()
    assert f["breed"]["required"] is True and f["breed"]["options"] == ["中华田园犬", "柯基", "其他"]
    assert f["weight"]["type"] == "number" and f["dogs"]["type"] == "integer"
    assert f["vaccinated"]["type"] == "date"
    for who in ("director", "worker", "admin", "gw"):
        keys = {x["key"] for x in ok(c.get("/ledgers", who))["items"]}
        assert "pets" in keys, f"{who} does not see pets"
    # the same key again
    check_error(c.post("/ledgers", PETS, "director"), 409, field="key")

    row = next(r for r in L.rows if 30 <= r["_age"] <= 50 and r["公民身份号码"])
    pid = csv_person_id(L, row)
    r = c.post("/ledgers/pets/entries", {"subject_id": pid, "fields": {"breed": "藏獒"}}, "worker")
    check_error(r, 422, field="breed")
    r = c.post("/ledgers/pets/entries", {"subject_id": pid, "fields": {"weight": 12}}, "worker")
    check_error(r, 422, field="breed")
    r = c.post("/ledgers/pets/entries", {"subject_id": pid, "fields": {"breed": "柯基", "weight": "重"}},
               "worker")
    check_error(r, 422, field="weight")
    r = c.post("/ledgers/pets/entries", {"subject_id": pid, "fields": {"breed": "柯基", "dogs": "1.5"}},
               "worker")
    check_error(r, 422, field="dogs")
    r = c.post("/ledgers/pets/entries", {"subject_id": pid, "fields": {"breed": "柯基",
                                                                      "vaccinated": "2026-02-30"}}, "worker")
    check_error(r, 422, field="vaccinated")
    r = c.post("/ledgers/pets/entries", {"subject_id": 99999999, "fields": {"breed": "柯基"}}, "worker")
    check_error(r, 422, field="subject_id")
    e = ok(c.post("/ledgers/pets/entries", {"subject_id": pid, "fields": {
        "breed": "柯基", "weight": 12.5, "dogs": 1, "vaccinated": "2026-03-05", "notes": "已办证"}}, "worker"),
        201)
    assert e["fields"]["breed"] == "柯基" and float(e["fields"]["weight"]) == 12.5, e
    assert e["fields"]["vaccinated"] == "2026-03-05"
    p = ok(c.patch(f"/ledgers/pets/entries/{e['id']}", {"fields": {"weight": 13, "breed": "其他"}}, "worker"))
    assert float(p["fields"]["weight"]) == 13 and p["fields"]["breed"] == "其他"
    assert p["fields"]["vaccinated"] == "2026-03-05", "PATCH dropped an untouched field"
    check_error(c.patch(f"/ledgers/pets/entries/{e['id']}", {"fields": {"breed": "藏獒"}}, "worker"), 422,
                field="breed")
    lst = ok(c.get("/ledgers/pets/entries", "worker"))
    assert lst["total"] == 1 and lst["items"][0]["id"] == e["id"], lst
    assert c.total("pets", field="breed", value="其他") == 1
    assert c.total("pets", field="breed", value="柯基") == 0
    st = ok(c.get("/ledgers/pets/stats", "worker"))
    assert st["total"] == 1 and sum(g["count"] for g in st["by_grid"]) == 1
    assert len(st["trend"]) == 12
    assert st["trend"][-1]["month"] == TODAY.strftime("%Y-%m") and st["trend"][-1]["opened"] == 1, st["trend"]

    # the generic roster
    ws = xlsx(c.get("/ledgers/pets/export", "worker")).worksheets[0]
    ncol = ws.max_column
    hdr, first, _, _ = check_skeleton(ws, "养犬登记台账")
    heads = [ws.cell(hdr, i).value for i in range(1, ncol + 1)]
    assert heads[0] == "序号", heads
    for lab in ("姓名", "犬种", "体重（千克）", "只数", "免疫日期"):
        assert lab in heads, f"{lab} not in the header {heads}"
    data = data_rows(ws, first)
    assert [ws.cell(r_, 1).value for r_ in data] == [1], [ws.cell(r_, 1).value for r_ in data]
    assert ws.cell(data[0], heads.index("犬种") + 1).value == "其他"
    assert ws.cell(data[0], heads.index("姓名") + 1).value == row["姓名"]
    tot = total_row(ws, first)
    assert tot == data[-1] + 1

    # bad definitions
    def bad(defn, status, field):
        r_ = c.post("/ledgers", defn, "admin")
        b_ = check_error(r_, status)
        fields = [b_["error"].get("field")] + [x.get("field") for x in b_.get("errors") or []]
        assert any(fl and (fl == field or fl.startswith(field)) for fl in fields), (
            f"{defn}: want the field {field!r} named, got {b_}")

    f1 = [{"name": "breed", "label": "犬种", "type": "text"}]
    bad(dict(PETS, key="Pets!"), 422, "key")
    bad(dict(PETS, key="1pets"), 422, "key")
    bad(dict(PETS, key="cats", fields=f1 + [{"name": "breed", "label": "品种", "type": "text"}]), 422, "fields")
    bad(dict(PETS, key="cats", fields=[{"name": "breed", "label": "犬种", "type": "boolean"}]), 422, "fields")
    bad(dict(PETS, key="cats", fields=[{"name": "Bad Name", "label": "犬种"}]), 422, "fields")
    bad(dict(PETS, key="cats", fields=[]), 422, "fields")
    bad(dict(PETS, key="cats", title=""), 422, "title")
    bad(dict(PETS, key="cats", subject="car"), 422, "subject")
    keys = {x["key"] for x in ok(c.get("/ledgers"))["items"]}
    assert "cats" not in keys


def test_builtin_key_refused(L):
    """LEDGERS.md: 409 if the key exists; a built-in key exists."""
    r = L.c.post("/ledgers", dict(PETS, key="elderly"), "admin")
    assert r.status_code in (409, 422), r.text[:300]
    check_error(r, r.status_code, field="key")


# --------------------------------------------------------------------------
# statistics
# --------------------------------------------------------------------------
def test_elderly_stats(L):
    c = L.c
    st = ok(c.get("/ledgers/elderly/stats"))
    total = c.total("elderly")
    assert st["total"] == total, (st["total"], total)
    assert sum(g["count"] for g in st["by_grid"]) == total
    for g in st["by_grid"]:
        assert g.get("name"), g
    assert sum(st["by_sex"].values()) == total, st["by_sex"]
    assert set(st["by_sex"]) == {"男", "女", "未知"}
    assert st["age_unknown"] == 0
    groups = [p["group"] for p in st["pyramid"]]
    assert groups[0] == "0-4" and groups[-1] == "100+" and len(groups) == 21, groups
    for p in st["pyramid"]:
        lo = int(p["group"].split("-")[0].rstrip("+"))
        if lo < 60:
            assert p["men"] == 0 and p["women"] == 0, f"elderly pyramid has people in {p}"
    assert sum(p["men"] + p["women"] for p in st["pyramid"]) == total
    assert len(st["trend"]) == 12
    months = [t["month"] for t in st["trend"]]
    want = []
    y, m = TODAY.year, TODAY.month
    for _ in range(12):
        want.append(f"{y:04d}-{m:02d}")
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    assert months == list(reversed(want)), months
    bands = {b["key"]: b["count"] for b in st["age_bands"]}
    if "60+" in bands:
        assert bands["60+"] == total


def test_elderly_stats_snapshot_against_csv(L):
    st = ok(L.snap["elderly_stats"])
    men = collections.Counter()
    women = collections.Counter()
    for r in L.rows:
        if r["_age"] < 60:
            continue
        # pyramid groups by completed years today
        g = min(20, r["_age"] // 5)
        (men if r["性别"] == "男" else women)[g] += 1
    got_m = [p["men"] for p in st["pyramid"]]
    got_w = [p["women"] for p in st["pyramid"]]
    assert got_m == [men[i] for i in range(21)], (got_m, men)
    assert got_w == [women[i] for i in range(21)], (got_w, women)
    assert st["by_sex"]["男"] == sum(men.values()) and st["by_sex"]["女"] == sum(women.values())


def test_community_stats(L):
    c = L.c
    st = ok(c.get("/stats/community"))
    active = ok(c.get("/persons", per_page=1))["total"]
    assert st["total"] == active, (st["total"], active)
    assert sum(g["count"] for g in st["by_grid"]) == active
    assert sum(st["by_sex"].values()) == active
    assert sum(p["men"] + p["women"] for p in st["pyramid"]) + st["age_unknown"] == active


# --------------------------------------------------------------------------
# exports
# --------------------------------------------------------------------------
def xlsx(r):
    assert r.status_code == 200, f"export: {r.status_code} {r.text[:300]}"
    try:
        return openpyxl.load_workbook(io.BytesIO(r.content))
    except Exception as e:  # noqa: BLE001
        raise AssertionError(f"export is not a workbook openpyxl can open: {e}; {r.content[:100]!r}")


def merged(ws):
    return {str(m) for m in ws.merged_cells.ranges}


def ref(r1, c1, r2, c2):
    from openpyxl.utils import get_column_letter as L_
    return f"{L_(c1)}{r1}:{L_(c2)}{r2}"


def assert_merged(ws, r1, c1, r2, c2):
    want = ref(r1, c1, r2, c2)
    assert want in merged(ws), f"{want} not merged; merges: {sorted(merged(ws))[:30]}"


def header_rows(ws):
    """(the row holding the column names, the first data row)."""
    hdr = next(r for r in range(1, 8) if ws.cell(r, 1).value == "序号")
    two = ref(hdr, 1, hdr + 1, 1) in merged(ws)
    return (hdr + 1 if two else hdr), (hdr + 2 if two else hdr + 1)


def data_rows(ws, first):
    out = []
    r = first
    while isinstance(ws.cell(r, 1).value, (int, float)) and not isinstance(ws.cell(r, 1).value, bool):
        out.append(r)
        r += 1
    return out


def total_row(ws, first):
    for r in range(first, ws.max_row + 1):
        if ws.cell(r, 1).value == "合计":
            return r
    raise AssertionError("no 合计 row")


def check_skeleton(ws, title_part):
    ncol = ws.max_column
    assert title_part in str(ws["A1"].value), ws["A1"].value
    assert_merged(ws, 1, 1, 1, ncol)
    row2 = " ".join(str(ws.cell(2, i).value or "") for i in range(1, ncol + 1))
    assert "填报单位" in row2 and "填报日期" in row2, row2
    hdr, first = header_rows(ws)
    data = data_rows(ws, first)
    assert [ws.cell(r, 1).value for r in data] == list(range(1, len(data) + 1)), "序号 is not 1, 2, 3 …"
    tot = total_row(ws, first)
    assert tot == (data[-1] + 1 if data else first), (tot, data[-1:] or first)
    footer = " ".join(str(ws.cell(r, i).value or "") for r in range(tot + 1, ws.max_row + 1)
                      for i in range(1, ncol + 1))
    assert "填表人" in footer, footer
    return hdr, first, data, tot


def col_of(ws, hdr, label):
    """The column named label: in the header row, or (a single-level column
    of a two-level header, merged over both rows) in the row above it."""
    for row in (hdr, hdr - 1):
        for i in range(1, ws.max_column + 1):
            if ws.cell(row, i).value == label:
                return i
    raise AssertionError(f"no column {label}: {[ws.cell(hdr, i).value for i in range(1, ws.max_column + 1)]}")


def test_export_elderly_allowance(L):
    c = L.c
    # an allowance on one 80–89 year-old's entry, so the band column sums it
    e80 = next(e for e in c.entries("elderly", q=next(r["姓名"] for r in L.rows if 82 <= r["_age"] <= 88))
               if 80 <= age_on(parse_date(e["birth_date"])) <= 89)
    ok(c.patch(f"/ledgers/elderly/entries/{e80['id']}", {"fields": {"allowance": 100}}, "worker"))
    g = ok(c.get(f"/ledgers/elderly/entries/{e80['id']}"))
    assert float(g["fields"]["allowance"]) == 100
    # a derived field is not typed over (ignored or refused, never stored)
    other = "独居" if e80["fields"].get("living") != "独居" else "空巢"
    c.patch(f"/ledgers/elderly/entries/{e80['id']}", {"fields": {"living": other}}, "worker")
    g = ok(c.get(f"/ledgers/elderly/entries/{e80['id']}"))
    assert g["fields"].get("living") == e80["fields"].get("living"), "a derived field was typed over"

    ws = xlsx(c.get("/ledgers/elderly/export", layout="allowance")).worksheets[0]
    ncol = ws.max_column
    assert ncol == 15, ncol
    assert "高龄津贴发放花名册" in str(ws["A1"].value)
    hdr, first, data, tot = check_skeleton(ws, "高龄津贴")
    assert hdr == 4 and first == 5, (hdr, first)
    # the two-level header
    h3 = [ws.cell(3, i).value for i in range(1, ncol + 1)]
    h4 = [ws.cell(4, i).value for i in range(1, ncol + 1)]
    g0 = h3.index("补贴标准（元/月）") + 1
    assert_merged(ws, 3, g0, 3, g0 + 2)
    assert h4[g0 - 1:g0 + 2] == ["80–89周岁", "90–99周岁", "100周岁以上"], h4
    for i in range(1, ncol + 1):
        if g0 <= i <= g0 + 2:
            continue
        assert h3[i - 1], f"column {i} has no name in row 3"
        assert_merged(ws, 3, i, 4, i)
    assert h3[0] == "序号" and "姓名" in h3 and "身份证号码" in h3
    # only those in a band (80+) are on the 高龄津贴 roster
    assert len(data) == L.ind["80+"], (len(data), L.ind["80+"])
    idc = col_of(ws, 3, "身份证号码")
    agec = col_of(ws, 3, "年龄")
    for r in data:
        v = ws.cell(r, idc).value
        assert ws.cell(r, idc).data_type == "s", f"ID number cell {r} is {ws.cell(r, idc).data_type}"
        assert isinstance(v, str) and "*" not in v, f"director: full ID, got {v!r}"
        assert int(ws.cell(r, agec).value) >= 80
    ids = {ws.cell(r, idc).value for r in data}
    want = {x["公民身份号码"] or x["其他证件号码"] for x in L.rows if x["_age"] >= 80}
    assert ids == want, f"the roster is not the 80+ of persons.csv: {sorted(ids ^ want)[:6]}"
    # the 80–89 column: 100 on one row, summed in 合计
    vals = [ws.cell(r, g0).value for r in data]
    assert [float(v) for v in vals if v not in (None, "")] == [100.0], vals
    assert float(ws.cell(tot, g0).value) == 100.0, ws.cell(tot, g0).value
    # the name column counts
    namec = col_of(ws, 3, "姓名")
    tv = ws.cell(tot, namec).value
    assert tv is not None and str(len(data)) in str(tv), f"合计 under 姓名: {tv!r}"

    # Full numbers go to the roles that may reveal them (LEDGERS.md; API.md:
    # director and worker may reveal), others (a grid worker) get them masked.
    r18 = next(r for r in data if len(ws.cell(r, idc).value) == 18)
    full = ws.cell(r18, idc).value
    wsw = xlsx(c.get("/ledgers/elderly/export", "worker", layout="allowance")).worksheets[0]
    assert wsw.cell(r18, idc).value == full, "a worker (may reveal) should get the full number"
    wsg = xlsx(c.get("/ledgers/elderly/export", "gw", layout="allowance")).worksheets[0]
    gdata = data_rows(wsg, 5)
    assert len(gdata) == len(data)     # everyone is in 第一网格 but the grid test's person (70)
    v = wsg.cell(r18, idc).value
    assert isinstance(v, str) and "*" in v and len(v) == 18, f"grid worker export ID {v!r}"
    assert v[:6] == full[:6] and v[-4:] == full[-4:], (v, full)
    assert wsg.cell(r18, idc).data_type == "s"


def test_export_elderly_alone(L):
    ws = xlsx(L.c.get("/ledgers/elderly/export", layout="alone")).worksheets[0]
    check_skeleton(ws, "老人登记表")


def test_export_disabled_roster(L):
    c = L.c
    ws = xlsx(c.get("/ledgers/disabled/export", layout="roster")).worksheets[0]
    hdr, first, data, tot = check_skeleton(ws, "残疾人")
    assert len(data) == c.total("disabled")
    for lab in ("残疾人证号", "残疾类别", "残疾等级"):
        col_of(ws, hdr, lab)
    if data:
        cc = col_of(ws, hdr, "残疾人证号")
        v = ws.cell(data[0], cc).value
        assert isinstance(v, str) and len(v) == 20 and "*" not in v, f"director: full card number {v!r}"


def test_export_migrants_register(L):
    c = L.c
    ws = xlsx(c.get("/ledgers/migrants/export", layout="register")).worksheets[0]
    hdr, first, data, tot = check_skeleton(ws, "流动人口登记表")
    assert len(data) == c.total("migrants")
    idc = col_of(ws, hdr, "公民身份号码")
    v = ws.cell(data[0], idc).value
    assert ws.cell(data[0], idc).data_type == "s"
    assert "*" not in str(v)
    # 居住证 is a group over two columns
    g = [ws.cell(hdr - 1, i).value for i in range(1, ws.max_column + 1)].index("居住证") + 1
    assert_merged(ws, hdr - 1, g, hdr - 1, g + 1)
    wsw = xlsx(c.get("/ledgers/migrants/export", "worker", layout="register")).worksheets[0]
    assert wsw.cell(data[0], idc).value == v, "a worker (may reveal) should get the full number"
    wsg = xlsx(c.get("/ledgers/migrants/export", "gw", layout="register")).worksheets[0]
    vg = wsg.cell(data[0], idc).value
    assert vg and "*" in vg and vg[:6] == v[:6] and vg[-4:] == v[-4:], f"grid worker export ID {vg!r}"
    # the phone column is masked for the grid worker too
    pc = col_of(ws, hdr, "联系电话")
    pg = [wsg.cell(r, pc).value for r in data if wsg.cell(r, pc).value]
    assert pg and all("*" in x for x in pg), pg[:3]


def test_export_rental_register(L):
    c = L.c
    houses = L.s.list_all("houses", "admin", max_pages=1, sort="id")
    h = houses[5]
    e = ok(c.post("/ledgers/rental/entries", {"subject_id": h["id"], "fields": {
        "landlord": "李房东", "landlord_id": next(iter(sorted(L.ids))), "tenant_count": 3,
        "contract_start": iso(TODAY - datetime.timedelta(days=100)),
        "contract_end": iso(TODAY + datetime.timedelta(days=200)), "security": "已签订"}}, "worker"), 201)
    assert e["subject"] == "house" and e["subject_id"] == h["id"]
    assert "*" in e["fields"]["landlord_id"]
    ws = xlsx(c.get("/ledgers/rental/export", layout="register")).worksheets[0]
    hdr, first, data, tot = check_skeleton(ws, "出租房屋登记表")
    assert len(data) == c.total("rental") >= 1
    cc = col_of(ws, hdr, "实住人数")
    assert sum(float(ws.cell(r, cc).value or 0) for r in data) == float(ws.cell(tot, cc).value)


def test_export_volunteers_roster(L):
    c = L.c
    row = next(r for r in L.rows if 30 <= r["_age"] <= 45 and r["公民身份号码"] and r["政治面貌"] == "中共党员")
    pid = csv_person_id(L, row)
    ok(c.post("/ledgers/volunteers/entries", {"subject_id": pid, "fields": {
        "team": "助老服务队", "hours_before": 250, "hours_year": 60.5}}, "worker"), 201)
    ws = xlsx(c.get("/ledgers/volunteers/export", layout="roster")).worksheets[0]
    hdr, first, data, tot = check_skeleton(ws, "志愿者花名册")
    assert len(data) == c.total("volunteers")
    r = next(r for r in data if ws.cell(r, col_of(ws, hdr, "姓名")).value == row["姓名"])
    assert float(ws.cell(r, col_of(ws, hdr, "累计")).value) == 310.5
    assert ws.cell(r, col_of(ws, hdr, "星级")).value == "二星"


def test_export_bad_layout(L):
    check_error(L.c.get("/ledgers/elderly/export", layout="nosuch"), 400)
    # roster is the generic roster for every ledger
    ws = xlsx(L.c.get("/ledgers/unemployed/export", layout="roster")).worksheets[0]
    check_skeleton(ws, "失业人员")
    ws = xlsx(L.c.get("/ledgers/zero_employment/export")).worksheets[0]
    hdr, first, data, tot = check_skeleton(ws, "零就业家庭")
    assert len(data) == L.c.total("zero_employment")


def test_export_is_audited(L):
    n0, _ = L.c.audit_total("export")
    xlsx(L.c.get("/ledgers/migrants/export", "worker"))
    n1, items = L.c.audit_total("export")
    assert n1 == n0 + 1
    assert "migrants" in json.dumps(max(items, key=lambda a: a["id"]), ensure_ascii=False)


# --------------------------------------------------------------------------
# visits and reminders
# --------------------------------------------------------------------------
def test_visits_and_visit_reminders(L):
    c = L.c
    alone = c.entries("elderly", field="living", value="独居")
    assert len(alone) >= 3
    v = alone[0]
    sid = v["subject_id"]
    nxt = TODAY + datetime.timedelta(days=7)
    base = {"subject": "person", "subject_id": sid, "visit_date": iso(TODAY), "method": "上门",
            "note": "老人身体状况良好，已提醒注意防滑", "next_date": iso(nxt)}
    check_error(c.post("/visits", dict(base, visit_date=iso(TODAY + datetime.timedelta(days=1))), "worker"), 422,
                field="visit_date")
    check_error(c.post("/visits", {k: x for k, x in base.items() if k != "note"}, "worker"), 422, field="note")
    check_error(c.post("/visits", dict(base, note=""), "worker"), 422, field="note")
    check_error(c.post("/visits", dict(base, next_date=iso(TODAY - datetime.timedelta(days=1))), "worker"), 422,
                field="next_date")
    check_error(c.post("/visits", dict(base, visit_date="2026-02-30"), "worker"), 422, field="visit_date")
    check_error(c.post("/visits", dict(base, subject_id=99999999), "worker"), 422, field="subject_id")
    assert ok(c.get("/visits", subject="person", subject_id=sid))["items"] == []
    b = ok(c.post("/visits", base, "worker"), 201)
    assert isinstance(b.get("id"), int)
    lst = ok(c.get("/visits", subject="person", subject_id=sid))["items"]
    assert len(lst) == 1 and lst[0]["id"] == b["id"], lst
    assert lst[0]["visit_date"] == iso(TODAY) and lst[0]["next_date"] == iso(nxt)
    assert lst[0]["note"] == base["note"]
    # an older visit comes after it (newest first)
    ok(c.post("/visits", dict(base, visit_date=iso(TODAY - datetime.timedelta(days=10)),
                              next_date=iso(TODAY - datetime.timedelta(days=3))), "worker"), 201)
    lst = ok(c.get("/visits", subject="person", subject_id=sid))["items"]
    assert [x["visit_date"] for x in lst] == [iso(TODAY), iso(TODAY - datetime.timedelta(days=10))], lst
    e = next(x for x in c.entries("elderly", q=v["name"]) if x["subject_id"] == sid)
    assert e["last_visit"] == iso(TODAY), e
    assert e["next_visit"] == iso(nxt), f"next_visit should be the newest visit's next_date: {e}"

    rem = ok(c.get("/reminders", "worker"))["items"]
    visit_ids = {x["subject_id"] for x in rem if x["kind"] == "visit" and x["ledger"] == "elderly"}
    assert sid not in visit_ids, "the visited person still has a visit reminder"
    others = {x["subject_id"] for x in alone[1:]}
    alone_now = {x["subject_id"] for x in c.entries("elderly", field="living", value="独居")}
    missing = (others & alone_now) - visit_ids
    assert not missing, f"独居 elderly never visited without a `visit` reminder: {sorted(missing)[:10]}"
    extra = {x for x in visit_ids if x not in alone_now}
    assert not extra, f"`visit` reminders for elderly not living alone: {sorted(extra)[:10]}"
    for x in rem:
        for m in ("kind", "label", "ledger", "subject", "subject_id", "name", "date", "detail"):
            assert m in x, x


def test_reminders_birthday80_pension_ending(L):
    c = L.c
    p80, n80, _ = new_person(L, birth=years_before(TODAY, 80, extra_days=30))
    p80far, _, _ = new_person(L, birth=years_before(TODAY, 80, extra_days=90))
    # a retiree whose birthday is in this month (not today, not the 29th)
    day = 1 if TODAY.day != 1 else 2
    bret = datetime.date(TODAY.year - 66, TODAY.month, day)
    pret, nret, _ = new_person(L, birth=bret, employment_status="退休")
    ret = person_entry(L, "retirees", pret, include_closed=False, name=nret)
    assert len(ret) == 1, ret
    # a rental contract ending in 10 days
    houses = L.s.list_all("houses", "admin", max_pages=1, sort="id")
    h = houses[7]
    end = TODAY + datetime.timedelta(days=10)
    ok(c.post("/ledgers/rental/entries", {"subject_id": h["id"], "fields": {
        "landlord": "王房东", "contract_end": iso(end)}}, "worker"), 201)
    h2 = houses[8]
    e2 = ok(c.post("/ledgers/rental/entries", {"subject_id": h2["id"], "fields": {
        "landlord": "赵房东", "contract_end": iso(TODAY + datetime.timedelta(days=45))}}, "worker"), 201)

    rem = ok(c.get("/reminders", "worker"))["items"]
    b80 = [x for x in rem if x["kind"] == "birthday80" and x["subject_id"] == p80]
    assert len(b80) == 1, f"no birthday80 for a person turning 80 in 30 days: {b80}"
    assert b80[0]["date"] == iso(TODAY + datetime.timedelta(days=30)), b80[0]
    assert b80[0]["name"] == n80
    assert not any(x["kind"] == "birthday80" and x["subject_id"] == p80far for x in rem), "90 days away"
    pen = [x for x in rem if x["kind"] == "pension" and x["subject_id"] == pret]
    assert len(pen) == 1, f"no pension reminder for a retiree born in this month: {pen}"
    end_r = [x for x in rem if x["kind"] == "ending" and x["ledger"] == "rental" and x["subject_id"] == h["id"]]
    assert len(end_r) == 1, f"no `ending` for a rental contract ending in 10 days: {end_r}"
    assert end_r[0]["subject"] == "house" and end_r[0]["date"] == iso(end), end_r[0]
    assert not any(x["kind"] == "ending" and x["subject_id"] == h2["id"] for x in rem), "45 days away"
    # the end moved into the window, then out of it (a date typed another way)
    near = TODAY + datetime.timedelta(days=20)
    ok(c.patch(f"/ledgers/rental/entries/{e2['id']}", {"fields": {"contract_end": near.strftime("%Y/%m/%d")}},
               "worker"))
    rem = ok(c.get("/reminders", "worker"))["items"]
    assert [x["date"] for x in rem if x["kind"] == "ending" and x["subject_id"] == h2["id"]] == [iso(near)]
    ok(c.patch(f"/ledgers/rental/entries/{e2['id']}", {"fields": {
        "contract_end": iso(TODAY + datetime.timedelta(days=31))}}, "worker"))
    rem = ok(c.get("/reminders", "worker"))["items"]
    assert not any(x["kind"] == "ending" and x["subject_id"] == h2["id"] for x in rem), "31 days away"

    ok(c.patch(f"/ledgers/retirees/entries/{ret[0]['id']}", {"fields": {"certified": "是"}}, "worker"))
    rem = ok(c.get("/reminders", "worker"))["items"]
    assert not any(x["kind"] == "pension" and x["subject_id"] == pret for x in rem), "certified, still reminded"
    check_error(c.patch(f"/ledgers/retirees/entries/{ret[0]['id']}", {"fields": {"certified": "可能"}}, "worker"),
                422, field="certified")


# --------------------------------------------------------------------------
# grid workers
# --------------------------------------------------------------------------
def test_grid_worker(L):
    c, s = L.c, L.s
    r = c.post("/grids", {"name": "第九网格"}, "admin")
    g2 = ok(r, 201)["id"]
    place = s.make_place(g2)
    pid, name, _ = new_person(L, 70, household_id=place["household"])
    assert s.person(pid)["grid_id"] == g2
    # the director sees the new elderly person in grid 2
    es = person_entry(L, "elderly", pid, include_closed=False, name=name)
    assert es and es[0]["grid_id"] == g2, es
    # the grid worker (第一网格) sees only their grid
    items = c.entries("elderly", "gw")
    assert items and all(e["grid_id"] == L.grid1 for e in items), {e["grid_id"] for e in items}
    assert len(items) == c.total("elderly", grid_id=L.grid1)
    assert not any(e["subject_id"] == pid for e in items)
    # asking for another grid does not widen it
    assert all(e["grid_id"] == L.grid1 for e in ok(c.get("/ledgers/elderly/entries", "gw", grid_id=g2,
                                                         per_page=100))["items"])
    # nor can the grid worker read the entry by id
    check_error(c.get(f"/ledgers/elderly/entries/{es[0]['id']}", "gw"), 403)
    # their stats are theirs
    lst = {x["key"]: x for x in ok(c.get("/ledgers", "gw"))["items"]}
    assert lst["elderly"]["open"] == len(items)
    # rental: a house in grid 2 → 403; one in their grid → 201
    check_error(c.post("/ledgers/rental/entries", {"subject_id": place["house"], "fields": {
        "landlord": "孙房东"}}, "gw"), 403)
    houses = s.list_all("houses", "admin", max_pages=1, sort="id")
    mine = next(h for h in houses[20:] if h.get("grid_id") == L.grid1)
    e = ok(c.post("/ledgers/rental/entries", {"subject_id": mine["id"], "fields": {"landlord": "钱房东"}},
                  "gw"), 201)
    assert e["grid_id"] == L.grid1
    # a visit to a person of grid 2 → 403
    check_error(c.post("/visits", {"subject": "person", "subject_id": pid, "note": "走访"}, "gw"), 403)
    rem = ok(c.get("/reminders", "gw"))["items"]
    assert not any(x["subject_id"] == pid and x["subject"] == "person" for x in rem)


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------
def test_entry_of_another_ledger(L):
    """GET/PATCH /ledgers/{key}/entries/{id}: an entry of another ledger is not
    in this one (404)."""
    c = L.c
    some = ok(c.get("/ledgers/migrants/entries", per_page=1))["items"][0]
    check_error(c.patch(f"/ledgers/elderly/entries/{some['id']}", {"fields": {"health": "自理"}}), 404)
    r = c.get(f"/ledgers/elderly/entries/{some['id']}")
    assert r.status_code == 404, (
        f"GET /api/v1/ledgers/elderly/entries/{some['id']} (a migrants entry) -> {r.status_code}, want 404: "
        f"{r.text[:200]}")


def test_missing_subject_error_shape(L):
    """API.md: a 422 names the field and `errors` lists all."""
    c = L.c
    for body in ({"fields": {}}, {"subject_id": "abc"}):
        check_error(c.post("/ledgers/volunteers/entries", body, "worker"), 422, field="subject_id")


@pytest.mark.parametrize("method,path", [
    ("POST", "/ledgers/volunteers/entries"), ("PATCH", "/ledgers/volunteers/entries/1"),
    ("POST", "/ledgers"), ("POST", "/visits"), ("POST", "/ledgers/correction/readers")])
@pytest.mark.parametrize("data", [b"{\"subject_id\": 1,", b"[1,2]", b"\"text\"", b""],
                         ids=["truncated", "array", "string", "empty"])
def test_non_json_body(L, method, path, data):
    """API.md: body is not JSON / not an object → 400 bad_request."""
    r = L.c(method, path, "director", data=data, headers={"Content-Type": "application/json"})
    check_error(r, 400, code="bad_request")


def test_bad_input(L):
    c = L.c
    for m, p in (("GET", "/ledgers/nosuch/entries"), ("GET", "/ledgers/nosuch/stats"),
                 ("GET", "/ledgers/nosuch/export"), ("GET", "/ledgers/nosuch/entries/1")):
        check_error(c(m, p), 404)
    check_error(c.post("/ledgers/nosuch/entries", {"subject_id": 1}), 404)
    check_error(c.patch("/ledgers/nosuch/entries/1", {"fields": {}}), 404)
    check_error(c.get("/ledgers/elderly/entries/99999999"), 404)
    check_error(c.patch("/ledgers/elderly/entries/99999999", {"fields": {}}), 404)

    row = next(r_ for r_ in L.rows if 40 <= r_["_age"] <= 50 and r_["公民身份号码"] and r_["政治面貌"] != "中共党员")
    pid = csv_person_id(L, row)
    check_error(c.post("/ledgers/volunteers/entries", {"subject_id": pid, "fields": {"nosuch": 1}}, "worker"),
                400)
    check_error(c.get("/ledgers/elderly/entries", field="nosuch", value="1"), 400)
    check_error(c.get("/ledgers/elderly/entries", field="living"), 400)
    check_error(c.get("/ledgers/elderly/entries", per_page=0), 400)
    check_error(c.get("/ledgers/elderly/entries", per_page=101), 400)
    check_error(c.get("/ledgers/elderly/entries", page="x"), 400)
    check_error(c.post("/ledgers/volunteers/entries", {"subject_id": pid, "fields": ["team"]}, "worker"), 400)
    check_error(c.post("/ledgers/volunteers/entries", {"subject_id": pid, "fields": {"team": {"a": 1}}},
                       "worker"), 400)
    # bad dates → 422
    check_error(c.post("/ledgers/volunteers/entries", {"subject_id": pid, "start_date": "2026-02-30",
                                                       "fields": {}}, "worker"), 422, field="start_date")
    check_error(c.post("/ledgers/volunteers/entries", {"subject_id": pid, "fields": {"reg_date": "2026/13/01"}},
                       "worker"), 422, field="reg_date")
    check_error(c.post("/ledgers/volunteers/entries", {"subject_id": pid, "fields": {"reg_date": "昨天"}},
                       "worker"), 422, field="reg_date")
    check_error(c.post("/ledgers/volunteers/entries", {"subject_id": pid, "fields": {"team": "篮球队"}},
                       "worker"), 422, field="team")
    for body in ({"fields": {}}, {"subject_id": "abc"}, {"subject_id": 0}):
        check_error(c.post("/ledgers/volunteers/entries", body, "worker"), 422)
    e = ok(c.post("/ledgers/volunteers/entries", {"subject_id": pid, "fields": {"team": "环保服务队"}}, "worker"),
           201)
    base = f"/ledgers/volunteers/entries/{e['id']}"
    check_error(c.patch(base, {"end_date": "2026-02-30", "end_reason": "退出"}, "worker"), 422, field="end_date")
    check_error(c.patch(base, {"end_date": iso(TODAY)}, "worker"), 422, field="end_reason")
    check_error(c.patch(base, {"end_date": iso(TODAY - datetime.timedelta(days=400)), "end_reason": "退出"},
                        "worker"), 422, field="end_date")
    check_error(c.patch(base, {"start_date": "2026-00-10"}, "worker"), 422, field="start_date")
    # close it, then reopen
    p = ok(c.patch(base, {"end_date": iso(TODAY), "end_reason": "本人退出"}, "worker"))
    assert p["status"] == "closed" and p["end_reason"] == "本人退出" and p["end_date"] == iso(TODAY)
    assert not any(x["subject_id"] == pid for x in c.entries("volunteers", q=row["姓名"]))
    # a new entry for the same person is allowed now that the old one is closed
    e2 = ok(c.post("/ledgers/volunteers/entries", {"subject_id": pid, "fields": {"team": "环保服务队"}},
                   "worker"), 201)
    assert e2["id"] != e["id"]
    # reopening the first would make two open entries of one subject
    r = c.patch(base, {"reopen": True}, "worker")
    assert r.status_code in (200, 409), r.text[:300]
    opened = [x for x in c.entries("volunteers", q=row["姓名"]) if x["subject_id"] == pid]
    assert len(opened) == 1, (
        f"PATCH {base} {{\"reopen\":true}} -> {r.status_code}: the person now has {len(opened)} open "
        f"volunteers entries (POST answers 409 for a second open entry)")
    check_error(c.patch(base, ["fields"], "worker"), 400)
    # visits: a bad subject kind, a missing subject_id
    r = c.post("/visits", {"subject": "car", "subject_id": pid, "note": "x"}, "worker")
    assert r.status_code in (400, 422), r.text[:300]
    check_error(c.get("/visits"), 400)
    # wrong methods
    r = c("DELETE", "/ledgers/elderly/entries")
    assert r.status_code in (404, 405), r.status_code


def test_no_5xx_anywhere(L):
    """Every request this module made answered below 500 (Client asserts it
    on each one); this test only reports how many were made so far."""
    assert L.c.log, "no requests were made"
    bad = [x for x in L.c.log if x[3] >= 500]
    assert not bad, bad
