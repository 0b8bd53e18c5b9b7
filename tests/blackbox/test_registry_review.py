"""Issue 8 §6: two registry features a committee expects.

* 人户状态 (hukou_status): 人在户在 / 人在户不在 / 户在人不在, with 去向
  (whereabouts: where someone whose hukou is here now lives) — a declared
  person field with its code table, a list filter (page and API), dashboard
  counts (GET /api/v1/stats), import synonyms (人户状态, 人户一致情况) and a
  default for the people already registered (migration).
* The 楼盘表 as grid workers use it: units side by side, rooms marked 空置,
  出租, 流动人口户 and by the ledgers their residents are in (独居老人, 低保,
  残疾, and 矫正 only for the restricted ledger's readers — absent, not
  hidden, for everybody else), a legend with counts, A4 landscape print.
"""
import datetime
import re

import pytest

from conftest import run_cli
from juwei_util import (USER_PW, Web, check_error, make_id, new_id, new_label, new_name, ok,
                        page_text)

TODAY = datetime.date.today()


def born(years, seq):
    """An ID number of someone `years` old today (birthday in January)."""
    y = TODAY.year - years - (1 if TODAY.month == 1 and TODAY.day < 15 else 0)
    return make_id("110105", f"{y}0110", f"{seq:03d}")


def web_login(base, user, pw):
    w = Web(base)
    w.login(user, pw)
    return w


# --------------------------------------------------------------- 人户状态
def test_hukou_status_declared_in_codes(srv):
    codes = ok(srv.api("GET", "/codes", "admin"))
    text = repr(codes)
    for label in ("人在户在", "人在户不在", "户在人不在"):
        assert label in text, f"{label} not in /api/v1/codes"
    for code in ("living_and_registered", "living_only", "registered_only"):
        assert code in text, f"{code} not in /api/v1/codes"


def test_hukou_status_create_and_whereabouts(srv):
    pid = srv.new_person(hukou_status="户在人不在", whereabouts="广东省深圳市南山区")
    p = srv.person(pid)
    assert p["hukou_status"] == "registered_only", p
    assert p["hukou_status_label"] == "户在人不在", p
    assert p["whereabouts"] == "广东省深圳市南山区", p

    # the code itself and the label's alias are accepted
    pid2 = srv.new_person(hukou_status="living_and_registered")
    assert srv.person(pid2)["hukou_status"] == "living_and_registered"
    pid3 = srv.new_person(hukou_status="人户一致")
    assert srv.person(pid3)["hukou_status"] == "living_and_registered"

    # 去向 belongs to 户在人不在: refused with any other state, naming the field
    for st in ("人在户在", "人在户不在"):
        r = srv.api("POST", "/persons", "admin", json={
            "name": new_name(), "id_number": new_id(), "residence_type": "registered",
            "hukou_status": st, "whereabouts": "北京市朝阳区"})
        b = check_error(r, 422, field="whereabouts")
        assert "户在人不在" in b["error"]["message"], b
    # an unknown state
    r = srv.api("POST", "/persons", "admin", json={
        "name": new_name(), "id_number": new_id(), "residence_type": "registered",
        "hukou_status": "人户分离"})
    check_error(r, 422, field="hukou_status")


def test_hukou_status_migrant_default_and_contradiction(srv):
    # a migrant lives here with the hukou elsewhere: 人在户不在 by definition
    pid = srv.new_person(residence_type="migrant")
    assert srv.person(pid)["hukou_status"] == "living_only"
    r = srv.api("POST", "/persons", "admin", json={
        "name": new_name(), "id_number": new_id(), "residence_type": "migrant",
        "hukou_status": "户在人不在"})
    b = check_error(r, 422, field="hukou_status")
    assert "流动人口" in b["error"]["message"], b
    # a registered person with no state stays empty (not guessed)
    pid2 = srv.new_person(residence_type="registered")
    assert srv.person(pid2)["hukou_status"] is None


def test_hukou_status_patch(srv):
    pid = srv.new_person(hukou_status="registered_only", whereabouts="上海市浦东新区")
    # back home: the 去向 no longer applies and goes with the state
    ok(srv.api("PATCH", f"/persons/{pid}", "admin", json={"hukou_status": "人在户在"}))
    p = srv.person(pid)
    assert p["hukou_status"] == "living_and_registered" and p["whereabouts"] is None, p
    # a 去向 for someone who lives here is refused
    check_error(srv.api("PATCH", f"/persons/{pid}", "admin", json={"whereabouts": "天津"}),
                422, field="whereabouts")
    # gone again, with where to
    ok(srv.api("PATCH", f"/persons/{pid}", "admin",
               json={"hukou_status": "户在人不在", "whereabouts": "天津市河西区"}))
    p = srv.person(pid)
    assert p["hukou_status"] == "registered_only" and p["whereabouts"] == "天津市河西区", p
    # the change is audited
    a = ok(srv.api("GET", "/audit", "admin", params={"entity": "person", "entity_id": pid}))
    assert "hukou_status" in repr(a), a


def test_hukou_status_filter_and_stats(srv):
    before = ok(srv.api("GET", "/stats", "admin"))
    for k in ("living_and_registered", "living_only", "registered_only"):
        assert isinstance(before.get(k), int), f"stats has no {k}: {before}"
    a = srv.new_person(hukou_status="registered_only", whereabouts="江苏省南京市")
    b = srv.new_person(hukou_status="living_and_registered")
    c = srv.new_person(residence_type="migrant")
    after = ok(srv.api("GET", "/stats", "admin"))
    assert after["registered_only"] == before["registered_only"] + 1
    assert after["living_and_registered"] == before["living_and_registered"] + 1
    assert after["living_only"] == before["living_only"] + 1

    for code, pid in (("registered_only", a), ("living_and_registered", b), ("living_only", c)):
        items = srv.list_all("persons", "admin", hukou_status=code)
        assert pid in {x["id"] for x in items}, f"{pid} not listed under {code}"
        assert all(x["hukou_status"] == code for x in items), code
        total = ok(srv.api("GET", "/persons", "admin", params={"hukou_status": code}))["total"]
        assert total == after[code], f"list total {total} != stats {after[code]} for {code}"
    # a label works as the filter too
    total = ok(srv.api("GET", "/persons", "admin", params={"hukou_status": "户在人不在"}))["total"]
    assert total == after["registered_only"]
    b = check_error(srv.api("GET", "/persons", "admin", params={"hukou_status": "nope"}), 400)
    assert b["error"]["field"] == "hukou_status", b


def test_hukou_status_pages(srv):
    pid = srv.new_person(hukou_status="registered_only", whereabouts="浙江省杭州市")
    w = web_login(srv.base, *srv.users["admin"])
    r = w.get("/")
    assert r.status_code == 200
    for label, code in (("人在户在", "living_and_registered"), ("人在户不在", "living_only"),
                        ("户在人不在", "registered_only")):
        assert label in r.text, f"dashboard has no {label} card"
        assert f"/persons?hukou_status={code}" in r.text, f"dashboard card {label} has no link"
    r = w.get("/persons?hukou_status=registered_only&per_page=100")
    assert r.status_code == 200
    assert 'name="hukou_status"' in r.text, "no 人户状态 filter on the list page"
    assert re.search(r'<option value="registered_only" selected', r.text), "filter not kept"
    assert f'/persons/{pid}"' in r.text
    # the form offers the field and 去向
    r = w.get("/persons/new")
    assert 'name="hukou_status"' in r.text and 'name="whereabouts"' in r.text
    t = page_text(w.get(f"/persons/{pid}"))
    assert "户在人不在" in t and "浙江省杭州市" in t


def test_hukou_status_import_synonyms(server_factory, tmp_path):
    s = server_factory()
    ids = [new_id() for _ in range(4)]
    names = [new_name() for _ in range(4)]
    csv1 = tmp_path / "roster1.csv"
    csv1.write_text(
        "姓名,公民身份号码,人口类型,人户状态,去向\n"
        f"{names[0]},{ids[0]},户籍人口,户在人不在,广东省广州市天河区\n"
        f"{names[1]},{ids[1]},户籍人口,人在户在,\n"
        f"{names[2]},{ids[2]},流动人口,人在户不在,\n", encoding="utf-8-sig")
    cp = run_cli("import", "persons", csv1, "--db", s.db)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    csv2 = tmp_path / "roster2.csv"
    csv2.write_text("姓名,身份证号码,人口类型,人户一致情况\n"
                    f"{names[3]},{ids[3]},户籍人口,人户一致\n", encoding="utf-8")
    cp = run_cli("import", "persons", csv2, "--db", s.db)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    tok = s.login_token("admin", s.users["admin"][1])
    got = {}
    for p in s.list_all("persons", tok):
        got[p["name"]] = (p["hukou_status"], p["whereabouts"])
    assert got[names[0]] == ("registered_only", "广东省广州市天河区"), got
    assert got[names[1]] == ("living_and_registered", None), got
    assert got[names[2]] == ("living_only", None), got
    assert got[names[3]] == ("living_and_registered", None), got


# The migration's default for people already registered (migrants become
# 人在户不在, nobody else is guessed) is tested on the migration itself, in
# tests/unit/test_store.c test_hukou_migration_default, whatever migrations
# come after it.


# --------------------------------------------------------------- 楼盘表
MARKS = {"vacant": "空置", "rented": "出租", "migrant": "流动人口户", "alone": "独居老人",
         "dibao": "低保", "disabled": "残疾", "correction": "矫正"}


@pytest.fixture
def plan_store(server_factory):
    """A building of two units × two floors × two rooms:

    unit 1: 101 an 80-year-old living alone; 102 rented (房屋性质) with a
            migrant household; 201 a household on 低保 with a disabled
            member; 202 empty
    unit 2: 101 on the rental ledger, a resident under correction;
            102, 201 empty; 202 a family with nothing to mark
    """
    s = server_factory()
    s.tokens["admin"] = s.login_token("admin", s.users["admin"][1])
    grid = s.create("grids", {"name": "第一网格"})
    s.create("grids", {"name": "第二网格"})
    for key, name, role, g in (("director", "zhuren1", "director", None),
                               ("reader", "gongzuo1", "worker", None),
                               ("worker", "gongzuo2", "worker", None),
                               ("gw", "wangge1", "grid_worker", "第一网格")):
        args = ["user", "add", name, "--role", role, "--db", s.db]
        if g:
            args += ["--grid", g]
        cp = run_cli(*args, env={"JUWEI_PASSWORD": USER_PW})
        assert cp.returncode == 0, cp.stderr
        s.users[key] = (name, USER_PW)
        s.tokens[key] = s.login_token(name, USER_PW)
    bid = s.create("buildings", {"name": "阳光里3号楼", "grid_id": grid, "floors": 2, "units": 2,
                                 "rooms_per_floor": 2, "address": "鹊桥巷3号"})
    house = {}
    for unit in (1, 2):
        for room in ("101", "102", "201", "202"):
            body = {"building_id": bid, "unit": unit, "floor": int(room[0]), "room": room}
            if (unit, room) == (1, "102"):
                body["use"] = "rented"
            house[(unit, room)] = s.create("houses", body)

    def household(unit, room):
        return s.create("households", {"house_id": house[(unit, room)], "type": "hukou"})

    hh = household(1, "101")
    s.new_person(id_number=born(82, 1), household_id=hh, relation="02")
    hh = household(1, "102")
    # a young migrant (a random birth date could make them an elderly person living alone)
    s.new_person(id_number=born(30, 7), residence_type="migrant", household_id=hh, relation="02")
    hh_dibao = household(1, "201")
    disabled = s.new_person(id_number=born(40, 2), household_id=hh_dibao, relation="02")
    s.new_person(id_number=born(12, 3), household_id=hh_dibao, relation="20")
    hh = household(2, "101")
    corr = s.new_person(id_number=born(35, 4), household_id=hh, relation="02")
    hh = household(2, "202")
    s.new_person(id_number=born(45, 5), household_id=hh, relation="02")
    s.new_person(id_number=born(15, 6), household_id=hh, relation="20")

    ok(s.api("POST", "/ledgers/dibao/entries", "admin",
             json={"subject_id": hh_dibao, "fields": {"amount": 1200}}), 201)
    ok(s.api("POST", "/ledgers/disabled/entries", "admin",
             json={"subject_id": disabled, "fields": {"category": "肢体残疾", "grade": "二级"}}), 201)
    ok(s.api("POST", "/ledgers/rental/entries", "admin",
             json={"subject_id": house[(2, "101")], "fields": {"landlord": "李建国"}}), 201)
    ok(s.api("POST", "/ledgers/correction/entries", "director", json={
        "subject_id": corr, "fields": {"corr_type": "缓刑", "corr_start": str(TODAY),
                                       "corr_end": str(TODAY + datetime.timedelta(days=200))}}), 201)
    r = s.api("POST", "/ledgers/correction/readers", "director", json={"username": "gongzuo1"})
    assert r.status_code == 204, r.text
    s.bid, s.house = bid, house
    return s


def cell(html, house_id):
    m = re.search(r'<td class="([^"]*)"[^>]*>\s*<a class="room" href="/houses/%d"' % house_id, html)
    assert m, f"no room cell for house {house_id}"
    return set(m.group(1).split())


def legend_counts(html):
    m = re.search(r'<ul class="legend">(.*?)</ul>', html, re.S)
    assert m, "no legend on the 楼盘表"
    out = {}
    for key, label, n in re.findall(
            r'<li data-mark="(\w+)"[^>]*>.*?<span class="label">([^<]+)</span>\s*<b>(\d+)</b>',
            m.group(1), re.S):
        out[key] = (label, int(n))
    return out


def expected_cells(s):
    h = s.house
    return {
        h[(1, "101")]: {"m-alone"},
        h[(1, "102")]: {"m-rented", "m-migrant"},
        h[(1, "201")]: {"m-dibao", "m-disabled"},
        h[(1, "202")]: {"m-vacant"},
        h[(2, "101")]: {"m-rented", "m-correction"},
        h[(2, "102")]: {"m-vacant"},
        h[(2, "201")]: {"m-vacant"},
        h[(2, "202")]: set(),
    }


def marks_of(classes):
    return {c for c in classes if c.startswith("m-")}


def audit_reads(s, bid):
    a = ok(s.api("GET", "/audit", "director",
                 params={"action": "ledger_read", "entity": "building", "entity_id": bid}))
    return a.get("total", len(a.get("items", [])))


def test_plan_page_markers_for_worker(plan_store):
    s = plan_store
    w = web_login(s.base, *s.users["worker"])
    r = w.get(f"/buildings/{s.bid}")
    assert r.status_code == 200, r.text[:300]
    html = r.text
    exp = expected_cells(s)
    for hid, want in exp.items():
        want = want - {"m-correction"}
        assert marks_of(cell(html, hid)) == want, f"house {hid}: {cell(html, hid)} != {want}"
    # never shown to a worker who is not a reader: no class, no legend, no word
    assert "m-correction" not in html and "correction" not in html
    assert "矫正" not in html
    lg = legend_counts(html)
    assert lg == {"vacant": ("空置", 3), "rented": ("出租", 2), "migrant": ("流动人口户", 1),
                  "alone": ("独居老人", 1), "dibao": ("低保", 1), "disabled": ("残疾", 1)}, lg
    # counts of the building
    t = page_text(r)
    assert re.search(r"房屋\s*8\s*间", t) and re.search(r"住户\s*5\s*户", t), t[-600:]
    # units side by side: one header row names both units
    assert re.search(r"<tr>(?:(?!</tr>).)*1 单元(?:(?!</tr>).)*2 单元", html, re.S), \
        "units are not side by side"
    # the admin may not read the restricted ledger either
    wa = web_login(s.base, *s.users["admin"])
    assert "m-correction" not in wa.get(f"/buildings/{s.bid}").text
    assert audit_reads(s, s.bid) == 0


def test_plan_markers_for_reader_are_audited(plan_store):
    s = plan_store
    exp = expected_cells(s)
    for who in ("reader", "director"):
        n0 = audit_reads(s, s.bid)
        w = web_login(s.base, *s.users[who])
        html = w.get(f"/buildings/{s.bid}").text
        for hid, want in exp.items():
            assert marks_of(cell(html, hid)) == want, f"{who} house {hid}"
        assert legend_counts(html)["correction"] == ("矫正", 1)
        assert audit_reads(s, s.bid) == n0 + 1, f"{who}'s look at the correction marks not audited"
    # the print page, A4 landscape
    w = web_login(s.base, *s.users["reader"])
    r = w.get(f"/buildings/{s.bid}/plan")
    assert r.status_code == 200 and 'class="plan-sheet"' in r.text
    css = w.get("/static/app.css").text
    assert re.search(r"@page\s+plan\s*\{[^}]*size:\s*A4 landscape", css), "no A4 landscape page"
    assert re.search(r"\.plan-sheet\s*\{[^}]*page:\s*plan", css)


def test_plan_api_marks(plan_store):
    s = plan_store
    exp = expected_cells(s)
    for who, corr in (("worker", False), ("reader", True)):
        plan = ok(s.api("GET", f"/buildings/{s.bid}/plan", who))
        by_house = {}
        for room in plan["rooms"]:
            by_house.setdefault(room["house_id"], set()).update(room["marks"])
        for hid, want in exp.items():
            want = {m[2:] for m in want}
            if not corr:
                want.discard("correction")
            assert by_house[hid] == want, f"{who} house {hid}: {by_house[hid]}"
        legend = {x["key"]: x["rooms"] for x in plan["legend"]}
        assert ("correction" in legend) == corr, legend
        assert legend["vacant"] == 3 and legend["rented"] == 2
        if not corr:
            assert "correction" not in repr(plan)


def test_plan_grid_worker_follows_ledger_roles(plan_store):
    s = plan_store
    w = web_login(s.base, *s.users["gw"])
    html = w.get(f"/buildings/{s.bid}").text
    h = s.house
    # 低保 is a desk ledger: a grid worker does not read it, so no marker either
    assert marks_of(cell(html, h[(1, "201")])) == {"m-disabled"}
    assert marks_of(cell(html, h[(1, "101")])) == {"m-alone"}
    assert "m-dibao" not in html and "m-correction" not in html
