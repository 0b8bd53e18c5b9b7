"""Grids, buildings (and their 楼盘表), houses, households over the JSON API."""
import json

import pytest

from juwei_util import all_keys, check_error, new_id, new_label, new_phone, ok

KINDS = ["grids", "buildings", "houses", "households", "persons"]


@pytest.fixture(scope="module")
def grid(srv):
    return srv.create("grids", {"name": new_label("测试网格"), "notes": "模块网格"})


def make_building(srv, grid, **kw):
    body = {"name": new_label("楼"), "grid_id": grid, "floors": 3, "units": 1,
            "rooms_per_floor": 2, "address": new_label("鹊桥巷") + "号"}
    body.update(kw)
    return srv.create("buildings", body), body


# -------------------------------------------------------------------- grids
def test_grid_crud(srv):
    name = new_label("网格")
    gid = srv.create("grids", {"name": name, "notes": "甲"})
    g = ok(srv.api("GET", f"/grids/{gid}", "admin"))
    assert g["id"] == gid and g["name"] == name and g["notes"] == "甲"
    new = new_label("网格")
    g = ok(srv.api("PATCH", f"/grids/{gid}", "worker", json={"name": new, "notes": "乙"}))
    assert g["name"] == new and g["notes"] == "乙"
    assert ok(srv.api("GET", f"/grids/{gid}", "admin"))["name"] == new
    names = {x["name"] for x in srv.list_all("grids", "admin")}
    assert new in names and name not in names


def test_grid_list_shape(srv):
    b = ok(srv.api("GET", "/grids", "admin", params={"per_page": 1}))
    assert {"items", "total", "page", "per_page"} <= set(b)
    assert b["total"] >= 2 and len(b["items"]) == 1


def test_grid_duplicate_name_409(srv):
    name = new_label("网格")
    srv.create("grids", {"name": name})
    check_error(srv.api("POST", "/grids", "admin", json={"name": name}), 409, "conflict")


def test_grid_duplicate_name_via_patch_409(srv):
    a = new_label("网格")
    srv.create("grids", {"name": a})
    b = srv.create("grids", {"name": new_label("网格")})
    check_error(srv.api("PATCH", f"/grids/{b}", "admin", json={"name": a}), 409, "conflict")


def test_demo_grid_name_is_taken(srv):
    check_error(srv.api("POST", "/grids", "admin", json={"name": "第一网格"}), 409, "conflict")


def test_grid_missing_name_422(srv):
    check_error(srv.api("POST", "/grids", "admin", json={"notes": "x"}), 422, "invalid", "name")


# ---------------------------------------------------------------- buildings
def test_building_crud(srv, grid):
    bid, body = make_building(srv, grid, compound="幸福小区", built_year=1998, has_elevator=1)
    b = ok(srv.api("GET", f"/buildings/{bid}", "admin"))
    assert b["id"] == bid
    for k in ("name", "grid_id", "floors", "units", "rooms_per_floor", "address", "compound"):
        assert b[k] == body[k], k
    assert b["built_year"] == 1998
    assert str(b["has_elevator"]) in ("1", "True", "true")
    b = ok(srv.api("PATCH", f"/buildings/{bid}", "worker", json={"notes": "老楼", "floors": 4}))
    assert b["notes"] == "老楼" and b["floors"] == 4
    assert bid in {x["id"] for x in srv.list_all("buildings", "admin")}


def test_building_missing_fields_422(srv):
    b = check_error(srv.api("POST", "/buildings", "admin", json={"name": new_label("楼")}),
                    422, "invalid")
    fields = {e.get("field") for e in b["errors"]}
    assert {"grid_id", "floors", "units"} <= fields, b


def test_building_bad_floors_422(srv, grid):
    check_error(srv.api("POST", "/buildings", "admin",
                        json={"name": new_label("楼"), "grid_id": grid, "floors": 0, "units": 1}),
                422, "invalid", "floors")


def test_building_unknown_grid(srv):
    r = srv.api("POST", "/buildings", "admin",
                json={"name": new_label("楼"), "grid_id": 999999, "floors": 3, "units": 1})
    assert r.status_code in (404, 422), r.text
    if r.status_code == 422:
        check_error(r, 422, "invalid", "grid_id")


def houses_of(srv, bid):
    return [h for h in srv.list_all("houses", "admin") if h.get("building_id") == bid]


def test_generate_houses(srv, grid):
    before = ok(srv.api("GET", "/houses", "admin", params={"per_page": 1}))["total"]
    bid, _ = make_building(srv, grid, floors=4, units=2, rooms_per_floor=3,
                           generate_houses=True)
    after = ok(srv.api("GET", "/houses", "admin", params={"per_page": 1}))["total"]
    assert after - before == 4 * 2 * 3
    hs = houses_of(srv, bid)
    assert len(hs) == 24
    assert {int(h["floor"]) for h in hs} == {1, 2, 3, 4}
    assert len({(h.get("unit"), h["floor"], h["room"]) for h in hs}) == 24
    h = ok(srv.api("GET", f"/houses/{hs[0]['id']}", "admin"))
    assert h["building_id"] == bid


def test_building_plan(srv, grid):
    bid, _ = make_building(srv, grid, floors=3, units=1, rooms_per_floor=2,
                           generate_houses=True)
    plan = ok(srv.api("GET", f"/buildings/{bid}/plan", "admin"))
    keys = {k.lower() for k in all_keys(plan)}
    assert any("floor" in k for k in keys), f"no floors in plan: {plan}"
    assert any("room" in k for k in keys), f"no rooms in plan: {plan}"
    text = json.dumps(plan, ensure_ascii=False)
    hs = houses_of(srv, bid)
    assert len(hs) == 6
    for h in hs:
        assert f'"{h["room"]}"' in text or f": {h['room']}" in text, \
            f"room {h['room']} not in plan"


def test_building_plan_404(srv):
    check_error(srv.api("GET", "/buildings/999999/plan", "admin"), 404, "not_found")


# ------------------------------------------------------------------- houses
def test_house_crud(srv, grid):
    bid, bbody = make_building(srv, grid)
    hid = srv.create("houses", {"building_id": bid, "unit": 1, "floor": 2, "room": "201",
                                "area": 75.5, "layout": "两室一厅", "use": "owned"})
    h = ok(srv.api("GET", f"/houses/{hid}", "admin"))
    assert h["id"] == hid and h["building_id"] == bid
    assert int(h["floor"]) == 2 and str(h["room"]) == "201"
    assert float(h["area"]) == 75.5
    assert h["use"] == "owned" and h.get("use_label") == "自有"
    assert h["address"] and bbody["address"] in h["address"], h["address"]
    h = ok(srv.api("PATCH", f"/houses/{hid}", "worker", json={"use": "rented", "notes": "出租"}))
    assert h["use"] == "rented" and h["notes"] == "出租"
    assert hid in {x["id"] for x in houses_of(srv, bid)}


def test_house_explicit_address_kept(srv, grid):
    bid, _ = make_building(srv, grid)
    hid = srv.create("houses", {"building_id": bid, "unit": 1, "floor": 1, "room": "102",
                                "address": "特别地址一号"})
    assert ok(srv.api("GET", f"/houses/{hid}", "admin"))["address"] == "特别地址一号"


def test_house_duplicate_room_409(srv, grid):
    bid, _ = make_building(srv, grid)
    body = {"building_id": bid, "unit": 1, "floor": 3, "room": "301"}
    srv.create("houses", body)
    check_error(srv.api("POST", "/houses", "admin", json=body), 409, "conflict")


def test_generated_room_duplicate_409(srv, grid):
    bid, _ = make_building(srv, grid, generate_houses=True)
    h = houses_of(srv, bid)[0]
    body = {"building_id": bid, "floor": h["floor"], "room": h["room"]}
    if h.get("unit") is not None:
        body["unit"] = h["unit"]
    check_error(srv.api("POST", "/houses", "admin", json=body), 409, "conflict")


def test_house_invalid_422(srv, grid):
    bid, _ = make_building(srv, grid)
    check_error(srv.api("POST", "/houses", "admin", json={"building_id": bid, "floor": 1}),
                422, "invalid", "room")
    check_error(srv.api("POST", "/houses", "admin", json={"room": "101", "floor": 1}),
                422, "invalid", "building_id")
    check_error(srv.api("POST", "/houses", "admin",
                        json={"building_id": bid, "floor": 1, "room": "109", "use": "castle"}),
                422, "invalid", "use")


# --------------------------------------------------------------- households
def test_household_with_members(srv, grid):
    bid, _ = make_building(srv, grid)
    hid = srv.create("houses", {"building_id": bid, "unit": 1, "floor": 1, "room": "101"})
    phone = new_phone()
    hhid = srv.create("households", {"house_id": hid, "type": "hukou", "phone": phone,
                                     "registered_date": "2010-05-06"})
    hh = ok(srv.api("GET", f"/households/{hhid}", "admin"))
    assert hh["id"] == hhid and hh["house_id"] == hid
    assert hh["household_no"], "household_no not generated"
    assert hh["type"] == "hukou"
    assert hh["grid_id"] == grid and hh["building_id"] == bid
    assert hh["registered_date"] == "2010-05-06"
    assert hh["members"] == [] and hh["size"] == 0

    head = srv.new_person(household_id=hhid, relation="02")
    wife = srv.new_person(household_id=hhid, relation="10")
    hh = ok(srv.api("GET", f"/households/{hhid}", "admin"))
    assert hh["size"] == 2
    rel = {}
    for m in hh["members"]:
        mid = m.get("id", m.get("person_id"))
        rel[mid] = m["relation"]
        assert m.get("name"), m
    assert rel == {head: "02", wife: "10"}

    p = srv.person(head)
    assert p["household_id"] == hhid and p["relation"] == "02"
    assert p["house_id"] == hid and p["building_id"] == bid and p["grid_id"] == grid
    assert p.get("relation_label") == "户主"

    for k, v in (("household_id", hhid), ("house_id", hid), ("building_id", bid),
                 ("grid_id", grid)):
        ids = {x["id"] for x in srv.list_all("persons", "admin", **{k: v})}
        assert ids == {head, wife}, (k, ids)


def test_household_patch_and_list(srv, grid):
    bid, _ = make_building(srv, grid)
    hid = srv.create("houses", {"building_id": bid, "unit": 1, "floor": 1, "room": "101"})
    hhid = srv.create("households", {"house_id": hid, "type": "migrant", "household_no": ""})
    phone = new_phone()
    hh = ok(srv.api("PATCH", f"/households/{hhid}", "worker",
                    json={"phone": phone, "notes": "租户", "type": "collective"}))
    assert hh["type"] == "collective" and hh["notes"] == "租户"
    assert hh["household_no"]
    assert hhid in {x["id"] for x in srv.list_all("households", "admin")}


def test_household_numbers_unique(srv, grid):
    bid, _ = make_building(srv, grid)
    hid = srv.create("houses", {"building_id": bid, "unit": 1, "floor": 1, "room": "101"})
    a = srv.create("households", {"house_id": hid, "type": "hukou"})
    b = srv.create("households", {"house_id": hid, "type": "hukou"})
    na = ok(srv.api("GET", f"/households/{a}", "admin"))["household_no"]
    nb = ok(srv.api("GET", f"/households/{b}", "admin"))["household_no"]
    assert na and nb and na != nb


def test_household_invalid_type_422(srv, grid):
    bid, _ = make_building(srv, grid)
    hid = srv.create("houses", {"building_id": bid, "unit": 1, "floor": 1, "room": "101"})
    check_error(srv.api("POST", "/households", "admin", json={"house_id": hid, "type": "tribe"}),
                422, "invalid", "type")


def test_move_person_between_households(srv, grid):
    p1 = srv.make_place(grid)
    p2 = srv.make_place(grid)
    pid = srv.new_person(household_id=p1["household"], relation="02")
    p = ok(srv.api("PATCH", f"/persons/{pid}", "admin",
                   json={"household_id": p2["household"], "relation": "02"}))
    assert p["household_id"] == p2["household"] and p["building_id"] == p2["building"]
    assert ok(srv.api("GET", f"/households/{p1['household']}", "admin"))["size"] == 0
    assert ok(srv.api("GET", f"/households/{p2['household']}", "admin"))["size"] == 1


def test_bad_relation_422(srv, grid):
    place = srv.make_place(grid)
    r = srv.api("POST", "/persons", "admin",
                json={"name": "关系错", "id_number": new_id(),
                      "residence_type": "registered",
                      "household_id": place["household"], "relation": "zz"})
    check_error(r, 422, "invalid", "relation")


# ----------------------------------------------------------------- generic
@pytest.mark.parametrize("kind", KINDS)
def test_get_missing_404(srv, kind):
    check_error(srv.api("GET", f"/{kind}/999999", "admin"), 404, "not_found")


@pytest.mark.parametrize("kind", KINDS)
def test_patch_missing_404(srv, kind):
    check_error(srv.api("PATCH", f"/{kind}/999999", "admin", json={"notes": "x"}),
                404, "not_found")


@pytest.mark.parametrize("kind", KINDS)
def test_non_numeric_id(srv, kind):
    r = srv.api("GET", f"/{kind}/abc", "admin")
    assert r.status_code in (400, 404), r.text
    check_error(r, r.status_code)


@pytest.mark.parametrize("kind", KINDS)
def test_list_shape(srv, kind):
    b = ok(srv.api("GET", f"/{kind}", "admin", params={"page": 1, "per_page": 5}))
    assert isinstance(b["items"], list) and len(b["items"]) <= 5
    assert isinstance(b["total"], int)
    assert b["page"] == 1 and b["per_page"] == 5


@pytest.mark.parametrize("kind", ["grids", "buildings", "houses", "households"])
def test_create_not_json_400(srv, kind):
    r = srv.api("POST", f"/{kind}", "admin", data="{not json",
                headers={"Content-Type": "application/json"})
    check_error(r, 400, "bad_request")


@pytest.mark.parametrize("kind", ["grids", "buildings", "houses", "households"])
def test_create_unknown_member_400(srv, kind):
    check_error(srv.api("POST", f"/{kind}", "admin", json={"bogus_member": 1}),
                400, "bad_request")
