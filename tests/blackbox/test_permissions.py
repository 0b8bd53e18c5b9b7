"""Roles, grid confinement, reveal and the audit log."""
import pytest

from juwei_util import as_text, check_error, mask_id, new_id, new_label, new_name, new_phone, ok


@pytest.fixture(scope="module")
def world(srv):
    """One household in grid A and one in grid B, a person in each."""
    pa = srv.make_place(srv.grid_a)
    pb = srv.make_place(srv.grid_b)
    na, nb = new_name(), new_name()
    ida, idb = new_id(), new_id()
    pha, phb = new_phone(), new_phone()
    a = srv.new_person(name=na, id_number=ida, phone=pha, household_id=pa["household"],
                       relation="02")
    b = srv.new_person(name=nb, id_number=idb, phone=phb, household_id=pb["household"],
                       relation="02")
    return {"place_a": pa, "place_b": pb, "a": a, "b": b, "name_a": na, "name_b": nb,
            "id_a": ida, "id_b": idb, "phone_a": pha, "phone_b": phb}


def test_person_lands_in_grid(srv, world):
    assert srv.person(world["a"])["grid_id"] == srv.grid_a
    assert srv.person(world["b"])["grid_id"] == srv.grid_b


# -------------------------------------------------------------- grid workers
def test_grid_worker_reads_own_grid(srv, world):
    p = ok(srv.api("GET", f"/persons/{world['a']}", "gw_a"))
    assert p["name"] == world["name_a"]
    assert p["id_number"] == mask_id(world["id_a"])
    p = ok(srv.api("GET", f"/persons/{world['b']}", "gw_b"))
    assert p["name"] == world["name_b"]


def test_grid_worker_forbidden_other_grid(srv, world):
    check_error(srv.api("GET", f"/persons/{world['b']}", "gw_a"), 403, "forbidden")
    check_error(srv.api("GET", f"/persons/{world['a']}", "gw_b"), 403, "forbidden")


def test_grid_worker_list_only_own_grid(srv, world):
    items = srv.list_all("persons", "gw_a")
    assert items, "grid worker sees nobody"
    assert {x.get("grid_id") for x in items} == {srv.grid_a}
    ids = {x["id"] for x in items}
    assert world["a"] in ids and world["b"] not in ids
    assert srv.search_ids(world["name_b"], "gw_a") == set()
    assert srv.search_ids(world["name_a"], "gw_a") == {world["a"]}


def test_grid_worker_list_total_matches_grid(srv, world):
    b_gw = ok(srv.api("GET", "/persons", "gw_a", params={"per_page": 1}))
    b_admin = ok(srv.api("GET", "/persons", "admin",
                         params={"per_page": 1, "grid_id": srv.grid_a}))
    assert b_gw["total"] == b_admin["total"]


def test_grid_worker_cannot_widen_with_filter(srv, world):
    r = srv.api("GET", "/persons", "gw_a", params={"grid_id": srv.grid_b, "per_page": 100})
    if r.status_code == 403:
        check_error(r, 403, "forbidden")
        return
    items = ok(r)["items"]
    assert world["b"] not in {x["id"] for x in items}
    assert all(x.get("grid_id") == srv.grid_a for x in items)


def test_grid_worker_households_only_own_grid(srv, world):
    items = srv.list_all("households", "gw_a")
    assert {x.get("grid_id") for x in items} <= {srv.grid_a}
    ok(srv.api("GET", f"/households/{world['place_a']['household']}", "gw_a"))
    check_error(srv.api("GET", f"/households/{world['place_b']['household']}", "gw_a"),
                403, "forbidden")


def test_grid_worker_houses_and_buildings(srv, world):
    ok(srv.api("GET", f"/houses/{world['place_a']['house']}", "gw_a"))
    check_error(srv.api("GET", f"/houses/{world['place_b']['house']}", "gw_a"),
                403, "forbidden")
    ok(srv.api("GET", f"/buildings/{world['place_a']['building']}", "gw_a"))
    check_error(srv.api("GET", f"/buildings/{world['place_b']['building']}", "gw_a"),
                403, "forbidden")
    bids = {x["id"] for x in srv.list_all("buildings", "gw_a")}
    assert world["place_a"]["building"] in bids
    assert world["place_b"]["building"] not in bids


def test_grid_worker_writes_own_grid_only(srv, world):
    ok(srv.api("PATCH", f"/persons/{world['a']}", "gw_a", json={"notes": "网格员已走访"}))
    check_error(srv.api("PATCH", f"/persons/{world['b']}", "gw_a", json={"notes": "越权"}),
                403, "forbidden")
    assert srv.person(world["b"]).get("notes") != "越权"


def test_grid_worker_creates_in_own_grid(srv, world):
    r = srv.api("POST", "/persons", "gw_a",
                json={"name": new_name(), "id_number": new_id(), "residence_type": "registered",
                      "household_id": world["place_a"]["household"], "relation": "10"})
    pid = ok(r, 201)["id"]
    assert srv.person(pid)["grid_id"] == srv.grid_a
    name = new_name()
    r = srv.api("POST", "/persons", "gw_a",
                json={"name": name, "id_number": new_id(), "residence_type": "registered",
                      "household_id": world["place_b"]["household"], "relation": "10"})
    check_error(r, 403, "forbidden")
    assert srv.search_ids(name) == set()


def test_grid_worker_cannot_move_person_out(srv, world):
    pid = srv.new_person(household_id=world["place_a"]["household"], relation="10")
    r = srv.api("PATCH", f"/persons/{pid}", "gw_a",
                json={"household_id": world["place_b"]["household"]})
    check_error(r, 403, "forbidden")
    assert srv.person(pid)["grid_id"] == srv.grid_a


def test_grid_worker_cannot_deregister_other_grid(srv, world):
    r = srv.api("POST", f"/persons/{world['b']}/deregister", "gw_a",
                json={"reason": "moved_away", "date": "2024-05-01"})
    check_error(r, 403, "forbidden")
    assert srv.person(world["b"])["status"] == "active"


def test_grid_worker_reveal_forbidden(srv, world):
    r = srv.api("POST", f"/persons/{world['a']}/reveal", "gw_a", json={"reason": "business"})
    check_error(r, 403, "forbidden")
    assert world["id_a"] not in r.text


def test_grid_worker_cannot_write_buildings_or_grids(srv, world):
    check_error(srv.api("POST", "/buildings", "gw_a",
                        json={"name": new_label("楼"), "grid_id": srv.grid_a,
                              "floors": 2, "units": 1}), 403, "forbidden")
    check_error(srv.api("PATCH", f"/buildings/{world['place_a']['building']}", "gw_a",
                        json={"notes": "x"}), 403, "forbidden")
    check_error(srv.api("POST", "/grids", "gw_a", json={"name": new_label("网格")}),
                403, "forbidden")
    check_error(srv.api("PATCH", f"/grids/{srv.grid_a}", "gw_a", json={"notes": "x"}),
                403, "forbidden")


# -------------------------------------------------------------- workers etc.
def test_worker_may_create(srv, world):
    pid = ok(srv.api("POST", "/persons", "worker",
                     json={"name": new_name(), "id_number": new_id(),
                           "residence_type": "registered"}), 201)["id"]
    assert srv.person(pid, "worker")["id"] == pid
    gid = ok(srv.api("POST", "/grids", "worker", json={"name": new_label("网格")}), 201)["id"]
    ok(srv.api("POST", "/buildings", "director",
               json={"name": new_label("楼"), "grid_id": gid, "floors": 2, "units": 1}), 201)


def test_worker_reads_every_grid(srv, world):
    ok(srv.api("GET", f"/persons/{world['a']}", "worker"))
    ok(srv.api("GET", f"/persons/{world['b']}", "worker"))


def test_worker_may_reveal(srv, world):
    b = ok(srv.api("POST", f"/persons/{world['b']}/reveal", "worker", json={"reason": "business"}))
    assert b["id_number"] == world["id_b"]
    assert b["phone"] == world["phone_b"]


def test_reveal_unauthenticated_401(srv, world):
    check_error(srv.api("POST", f"/persons/{world['a']}/reveal", json={"reason": "business"}), 401, "unauthenticated")


def test_reveal_missing_404(srv):
    check_error(srv.api("POST", "/persons/999999/reveal", "director", json={"reason": "business"}), 404, "not_found")


# -------------------------------------------------------------------- audit
def audit(srv, token="admin", **params):
    return ok(srv.api("GET", "/audit", token, params=params))


def test_reveal_by_director_is_audited(srv, world):
    pid = srv.new_person(phone=new_phone())
    b = ok(srv.api("POST", f"/persons/{pid}/reveal", "director", json={"reason": "business"}))
    assert len(b["id_number"]) == 18 and "*" not in b["id_number"]
    assert "*" not in b["phone"] and len(b["phone"]) == 11
    idn = b["id_number"]
    assert srv.person(pid)["id_number"] == mask_id(idn)      # GET still masked
    a = audit(srv, entity="person", entity_id=pid, action="reveal")
    assert a["total"] >= 1 and len(a["items"]) >= 1
    director = srv.users["director"][0]
    hits = [x for x in a["items"] if x.get("username") == director]
    assert hits, a
    x = hits[0]
    assert x["action"] == "reveal" and x["entity"] == "person"
    assert str(x["entity_id"]) == str(pid)
    assert x.get("at") and x.get("id")
    for x in a["items"]:
        assert x["action"] == "reveal" and str(x["entity_id"]) == str(pid)


def test_reveal_audit_readable_by_director(srv, world):
    ok(srv.api("POST", f"/persons/{world['a']}/reveal", "director", json={"reason": "business"}))
    a = audit(srv, "director", entity="person", entity_id=world["a"], action="reveal")
    assert any(x["username"] == srv.users["director"][0] for x in a["items"])


def test_create_and_update_audited(srv):
    name = new_name()
    pid = ok(srv.api("POST", "/persons", "worker",
                     json={"name": name, "id_number": new_id(), "residence_type": "registered",
                           "notes": "旧备注"}), 201)["id"]
    a = audit(srv, entity="person", entity_id=pid, action="create")
    assert a["total"] == 1 and len(a["items"]) == 1
    c = a["items"][0]
    assert c["action"] == "create" and c["username"] == srv.users["worker"][0]
    assert name in as_text(c["new"]) and "旧备注" in as_text(c["new"])

    ok(srv.api("PATCH", f"/persons/{pid}", "director", json={"notes": "新备注"}))
    a = audit(srv, entity="person", entity_id=pid, action="update")
    assert a["total"] == 1 and len(a["items"]) == 1
    u = a["items"][0]
    assert u["action"] == "update" and u["username"] == srv.users["director"][0]
    assert "旧备注" in as_text(u["old"]) and "新备注" not in as_text(u["old"])
    assert "新备注" in as_text(u["new"])

    both = audit(srv, entity="person", entity_id=pid)
    assert {x["action"] for x in both["items"]} >= {"create", "update"}


def test_plain_get_is_not_a_reveal(srv):
    """A plain GET is not a reveal: no reveal record appears."""
    pid = srv.new_person()
    srv.person(pid, "director")
    a = audit(srv, entity="person", entity_id=pid, action="reveal")
    assert a["total"] == 0 and a["items"] == []


@pytest.mark.parametrize("role", ["worker", "gw_a"])
def test_audit_forbidden(srv, role):
    check_error(srv.api("GET", "/audit", role), 403, "forbidden")


def test_audit_admin_and_director_ok(srv):
    for role in ("admin", "director"):
        b = audit(srv, role)
        assert isinstance(b["items"], list) and isinstance(b["total"], int)


def test_audit_log_masks_sensitive_values(srv):
    """Reading the audit log is not a reveal: ID and phone numbers stay masked there."""
    idn, phone = new_id(), new_phone()
    pid = ok(srv.api("POST", "/persons", "worker",
                     json={"name": new_name(), "id_number": idn, "phone": phone,
                           "residence_type": "registered"}), 201)["id"]
    a = audit(srv, entity="person", entity_id=pid, action="create")
    text = as_text(a["items"][0]["new"])
    assert idn not in text and phone not in text
    assert mask_id(idn) in text


def test_grid_worker_grid_list_only_own(srv, world):
    items = ok(srv.api("GET", "/grids", "gw_a"))["items"]
    assert [g["id"] for g in items] == [srv.grid_a]


# --------------------------------------------------------------------------
# a reveal says why (PIPL art. 51), and the reason is in its audit record
# --------------------------------------------------------------------------
@pytest.mark.parametrize("body", [None, {}, {"reason": ""}, {"reason": "  "}, {"reason": "other"},
                                  {"reason": "其他", "reason_text": " "}])
def test_reveal_without_reason_422(srv, world, body):
    before = audit(srv, entity="person", entity_id=world["a"], action="reveal")["total"]
    r = srv.api("POST", f"/persons/{world['a']}/reveal", "director", json=body)
    e = check_error(r, 422, "invalid")
    assert "原因" in as_text(e), e
    assert "*" in srv.person(world["a"])["id_number"]
    assert audit(srv, entity="person", entity_id=world["a"], action="reveal")["total"] == before


@pytest.mark.parametrize("body,want", [
    ({"reason": "business"}, "办理业务"),
    ({"reason": "核对身份"}, "核对身份"),
    ({"reason": "superior"}, "上级部门要求"),
    ({"reason": "other", "reason_text": "区民政局核对高龄津贴名单"}, "其他：区民政局核对高龄津贴名单"),
    ({"reason": "街道 复核低保"}, "其他：街道 复核低保"),
])
def test_reveal_reason_in_audit(srv, body, want):
    pid = srv.new_person(phone=new_phone())
    b = ok(srv.api("POST", f"/persons/{pid}/reveal", "director", json=body))
    assert "*" not in b["id_number"]
    a = audit(srv, entity="person", entity_id=pid, action="reveal")
    assert a["total"] == 1, a
    assert a["items"][0]["new"].get("reason") == want, a["items"][0]
    # the reason says why; the audit record still holds no full number
    assert b["id_number"] not in as_text(a["items"][0]), a["items"][0]


def test_reveal_reason_too_long_422(srv, world):
    r = srv.api("POST", f"/persons/{world['a']}/reveal", "director",
                json={"reason": "other", "reason_text": "查" * 61})
    check_error(r, 422, "invalid")


def test_reveal_reasons_are_a_code_table(srv):
    t = ok(srv.api("GET", "/codes", "director"))
    t = t.get("reveal_reason", t)
    labels = as_text(t)
    for want in ("办理业务", "核对身份", "上级部门要求", "其他"):
        assert want in labels, t
