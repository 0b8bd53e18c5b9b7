"""Server-rendered pages: session cookie, CSRF, dashboard, persons, 楼盘表."""
import re
from urllib.parse import unquote

import pytest

from juwei_util import (HAN, Web, body_of, find_form, find_set_cookie, hidden, mask_id,
                        new_id, new_label, new_name, new_phone, ok, page_text)


@pytest.fixture(scope="module")
def web_admin(srv):
    w = Web(srv.base)
    w.login(*srv.users["admin"])
    return w


@pytest.fixture(scope="module")
def web_director(srv):
    w = Web(srv.base)
    w.login(*srv.users["director"])
    return w


def location(r):
    return r.headers.get("Location", "")


def person_form(w):
    r = w.get("/persons/new")
    assert r.status_code == 200, r.status_code
    attrs, vals = find_form(r.text, "id_number")
    return vals


def fill(w, **over):
    vals = person_form(w)
    vals.update({"doc_type": "id_card", "residence_type": "registered"})
    vals.update(over)
    return vals


# ------------------------------------------------------------------ session
@pytest.mark.parametrize("path", ["/persons", "/", "/buildings", "/persons/new"])
def test_page_without_session_redirects_to_login(srv, path):
    r = Web(srv.base).get(path)
    assert r.status_code == 303, f"{path}: {r.status_code}"
    loc = location(r)
    assert "/login" in loc, loc
    if path != "/":
        assert "next=" in loc, loc
        assert path in unquote(loc), loc


def test_login_form(srv):
    w = Web(srv.base)
    r = w.get("/login")
    assert r.status_code == 200
    assert "text/html" in r.headers.get("Content-Type", "")
    tok = hidden(r.text)
    assert tok, "no hidden _csrf input"
    assert find_set_cookie(r, "jw_csrf"), "jw_csrf cookie not set"
    assert re.search(r"type\s*=\s*[\"']?password", r.text, re.I), "no password field"
    assert HAN.search(r.text)


def test_login_sets_session_cookie(srv):
    w = Web(srv.base)
    r = w.get("/login")
    tok = hidden(r.text)
    uf, pf = w.login_fields(r.text)
    r = w.post("/login", {uf: "admin", pf: srv.users["admin"][1], "_csrf": tok})
    assert r.status_code == 303, r.status_code
    c = find_set_cookie(r, "jw_session")
    assert c, "no jw_session cookie"
    attrs = [a.strip().lower() for a in c.split(";")[1:]]
    assert "httponly" in attrs, c
    assert "samesite=strict" in attrs, c
    assert "path=/" in attrs, c
    assert w.get("/").status_code == 200


def _login_post(srv, w, data_over, drop_csrf=False):
    r = w.get("/login")
    tok = hidden(r.text)
    uf, pf = w.login_fields(r.text)
    name, pw = srv.users["admin"]
    data = {uf: name, pf: pw}
    if not drop_csrf:
        data["_csrf"] = tok
    data.update(data_over)
    return w.post("/login", data)


def test_login_without_csrf_403(srv):
    w = Web(srv.base)
    r = _login_post(srv, w, {}, drop_csrf=True)
    assert r.status_code == 403
    assert not find_set_cookie(r, "jw_session")


def test_login_wrong_csrf_403(srv):
    w = Web(srv.base)
    r = _login_post(srv, w, {"_csrf": "not-the-token"})
    assert r.status_code == 403
    assert not find_set_cookie(r, "jw_session")


def test_login_csrf_bound_to_cookie(srv):
    a, b = Web(srv.base), Web(srv.base)
    page = a.get("/login").text
    tok_a = hidden(page)
    uf, pf = a.login_fields(page)
    b.get("/login")                        # b has its own jw_csrf cookie
    name, pw = srv.users["admin"]
    r = b.post("/login", {uf: name, pf: pw, "_csrf": tok_a})
    assert r.status_code == 403
    c = Web(srv.base)                      # no cookie at all
    r = c.post("/login", {uf: name, pf: pw, "_csrf": tok_a})
    assert r.status_code == 403


def test_login_wrong_password_no_session(srv):
    w = Web(srv.base)
    r = w.get("/login")
    tok = hidden(r.text)
    uf, pf = w.login_fields(r.text)
    name, pw = srv.users["victim"]
    r = w.post("/login", {uf: name, pf: pw + "zz", "_csrf": tok})
    assert r.status_code != 303
    assert not find_set_cookie(r, "jw_session")
    assert "jw_session" not in w.cookies
    ok(srv.login_raw(name, pw))            # reset the run of failures


def test_logout(srv):
    w = Web(srv.base)
    w.login(*srv.users["worker"])
    assert w.get("/persons").status_code == 200
    old = dict(w.cookies)
    tok = w.csrf("/")
    r = w.post("/logout", {"_csrf": tok})
    assert r.status_code == 303
    assert "/login" in location(r)
    stale = Web(srv.base)
    stale.cookies = old                   # replay the old cookie
    r = stale.get("/persons")
    assert r.status_code == 303 and "/login" in location(r)


def test_garbage_session_cookie_redirects(srv):
    w = Web(srv.base)
    w.cookies["jw_session"] = "forged-session-value"
    r = w.get("/persons")
    assert r.status_code == 303 and "/login" in location(r)


# ---------------------------------------------------------------- dashboard
def test_dashboard(srv, web_admin):
    r = web_admin.get("/")
    assert r.status_code == 200
    assert "text/html" in r.headers.get("Content-Type", "")
    t = page_text(r)
    assert "户籍人口" in t or "人口" in t


@pytest.mark.parametrize("path", ["/persons", "/households", "/buildings", "/grids",
                                  "/households/new", "/audit"])
def test_pages_render(srv, web_admin, path):
    r = web_admin.get(path)
    assert r.status_code == 200, f"{path}: {r.status_code}"
    assert HAN.search(r.text)


def test_audit_page_forbidden_for_worker(srv):
    w = Web(srv.base)
    w.login(*srv.users["worker"])
    assert w.get("/audit").status_code == 403


def test_missing_person_page_404(srv, web_admin):
    assert web_admin.get("/persons/999999").status_code == 404


def test_unknown_page_404(srv, web_admin):
    assert web_admin.get("/no/such/page").status_code == 404


# ------------------------------------------------------------------ persons
def test_persons_list_and_search(srv, web_admin):
    name, other = new_name(), new_name()
    idn = new_id()
    srv.new_person(name=name, id_number=idn)
    srv.new_person(name=other)
    r = web_admin.get("/persons", params={"q": name})
    assert r.status_code == 200
    t = page_text(r)
    assert name in t and other not in t
    assert mask_id(idn) in t and idn not in t
    r = web_admin.get("/persons", params={"q": other})
    assert other in page_text(r) and name not in page_text(r)


def test_persons_list_paging(srv, web_admin):
    r = web_admin.get("/persons", params={"page": 2})
    assert r.status_code == 200


def test_new_person_form(srv, web_admin):
    r = web_admin.get("/persons/new")
    assert r.status_code == 200
    assert hidden(r.text), "no hidden _csrf input"
    vals = find_form(r.text, "id_number")[1]
    assert "name" in vals and "_csrf" in vals


def test_post_person_without_csrf_403(srv, web_admin):
    name = new_name()
    data = fill(web_admin, name=name, id_number=new_id())
    data.pop("_csrf", None)
    r = web_admin.post("/persons", data)
    assert r.status_code == 403
    assert srv.search_ids(name) == set()


def test_post_person_wrong_csrf_403(srv, web_admin):
    name = new_name()
    data = fill(web_admin, name=name, id_number=new_id(), _csrf="0" * 32)
    assert web_admin.post("/persons", data).status_code == 403
    assert srv.search_ids(name) == set()


def test_post_person_csrf_of_other_session_403(srv, web_admin, web_director):
    name = new_name()
    data = fill(web_director, name=name, id_number=new_id())   # director's token
    assert web_admin.post("/persons", data).status_code == 403
    assert srv.search_ids(name) == set()


def test_post_person_invalid_id_422(srv, web_admin):
    name = new_name()
    good = new_id()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    r = web_admin.post("/persons", fill(web_admin, name=name, id_number=bad))
    assert r.status_code == 422
    t = page_text(r)
    assert "公民身份号码" in t
    assert name in t, "the form is not filled in again"
    assert hidden(r.text), "the form shown again has no _csrf"
    api = srv.api("POST", "/persons", "admin",
                  json={"name": name, "id_number": bad, "residence_type": "registered"})
    msg = body_of(api)["error"]["message"]
    assert msg in t, f"API message {msg!r} not on the page"
    # "errors next to each field": the message sits close to the id_number input
    field_at = [m.start() for m in re.finditer(r"name\s*=\s*[\"']?id_number\b", t)]
    msg_at = [m.start() for m in re.finditer(re.escape(msg), t)]
    assert field_at, "no id_number input on the 422 page"
    assert min(abs(a - b) for a in field_at for b in msg_at) < 1500, \
        "the error message is not next to the id_number field"
    assert srv.search_ids(name) == set()


def test_post_person_valid_303(srv, web_admin):
    name = new_name()
    idn = new_id()
    phone = new_phone()
    r = web_admin.post("/persons", fill(web_admin, name=name, id_number=idn, phone=phone))
    assert r.status_code == 303, page_text(r)[:500]
    m = re.search(r"/persons/(\d+)$", location(r))
    assert m, location(r)
    pid = int(m.group(1))
    r = web_admin.get(f"/persons/{pid}")
    assert r.status_code == 200
    t = page_text(r)
    assert name in t
    assert mask_id(idn) in t
    assert idn not in t and phone not in t
    p = srv.person(pid)
    assert p["name"] == name and p["id_number"] == mask_id(idn)


def test_reveal_as_director(srv, web_director):
    idn, phone = new_id(), new_phone()
    pid = srv.new_person(id_number=idn, phone=phone)
    r = web_director.get(f"/persons/{pid}")
    assert r.status_code == 200 and idn not in page_text(r)
    tok = hidden(r.text)
    assert tok, "person page has no form with _csrf (reveal)"
    r = web_director.post(f"/persons/{pid}/reveal", {"_csrf": tok, "reason": "business"})
    assert r.status_code == 200
    t = page_text(r)
    assert idn in t and phone in t
    a = ok(srv.api("GET", "/audit", "admin",
                   params={"entity": "person", "entity_id": pid, "action": "reveal"}))
    assert any(x["username"] == srv.users["director"][0] for x in a["items"])


def test_reveal_without_csrf_403(srv, web_director):
    idn = new_id()
    pid = srv.new_person(id_number=idn)
    r = web_director.post(f"/persons/{pid}/reveal", {})
    assert r.status_code == 403
    assert idn not in page_text(r)


def test_grid_worker_pages(srv):
    pa = srv.make_place(srv.grid_a)
    pb = srv.make_place(srv.grid_b)
    ida = new_id()
    a = srv.new_person(id_number=ida, household_id=pa["household"], relation="02")
    b = srv.new_person(household_id=pb["household"], relation="02")
    w = Web(srv.base)
    w.login(*srv.users["gw_a"])
    r = w.get(f"/persons/{a}")
    assert r.status_code == 200
    assert w.get(f"/persons/{b}").status_code == 403
    tok = hidden(r.text) or w.csrf("/")
    r = w.post(f"/persons/{a}/reveal", {"_csrf": tok, "reason": "business"})
    assert r.status_code == 403
    assert ida not in page_text(r)


def test_edit_person_page(srv, web_admin):
    pid = srv.new_person(notes="原来的备注")
    r = web_admin.get(f"/persons/{pid}/edit")
    assert r.status_code == 200
    attrs, vals = find_form(r.text, "notes")
    assert vals.get("_csrf")
    assert vals.get("notes") == "原来的备注"
    vals["notes"] = "改过的备注"
    r = web_admin.post(f"/persons/{pid}", vals)
    assert r.status_code == 303, page_text(r)[:500]
    assert location(r).endswith(f"/persons/{pid}")
    p = srv.person(pid)
    assert p["notes"] == "改过的备注"
    assert p["status"] == "active"


def test_edit_person_without_csrf_403(srv, web_admin):
    pid = srv.new_person(notes="不变")
    r = web_admin.get(f"/persons/{pid}/edit")
    vals = find_form(r.text, "notes")[1]
    vals.pop("_csrf", None)
    vals["notes"] = "被改了"
    assert web_admin.post(f"/persons/{pid}", vals).status_code == 403
    assert srv.person(pid)["notes"] == "不变"


def test_deregister_page(srv, web_admin):
    pid = srv.new_person()
    tok = web_admin.csrf(f"/persons/{pid}")
    r = web_admin.post(f"/persons/{pid}/deregister",
                       {"_csrf": tok, "reason": "moved_away", "date": "2024-05-01",
                        "note": "迁出"})
    assert r.status_code in (200, 303)
    assert srv.person(pid)["status"] == "deregistered"


# ---------------------------------------------------------------- registry
def test_building_page_is_plan(srv, web_admin):
    bid = srv.create("buildings", {"name": new_label("楼"), "grid_id": srv.grid_a,
                                   "floors": 2, "units": 1, "rooms_per_floor": 2,
                                   "address": new_label("鹊桥巷")})
    rooms = ["101", "102", "201", "202"]
    for room in rooms:
        srv.create("houses", {"building_id": bid, "unit": 1, "floor": int(room[0]),
                              "room": room})
    r = web_admin.get(f"/buildings/{bid}")
    assert r.status_code == 200
    t = page_text(r)
    for room in rooms:
        assert room in t, f"room {room} not on the 楼盘表"
    assert "楼盘表" in t


def test_generated_building_page(srv, web_admin):
    bid = srv.create("buildings", {"name": new_label("楼"), "grid_id": srv.grid_a,
                                   "floors": 3, "units": 1, "rooms_per_floor": 2,
                                   "generate_houses": True})
    hs = [h for h in srv.list_all("houses", "admin") if h.get("building_id") == bid]
    assert len(hs) == 6
    t = page_text(web_admin.get(f"/buildings/{bid}"))
    for h in hs:
        assert str(h["room"]) in t


def test_household_page_lists_members(srv, web_admin):
    place = srv.make_place(srv.grid_a)
    head, spouse = new_name(), new_name()
    srv.new_person(name=head, household_id=place["household"], relation="02")
    srv.new_person(name=spouse, household_id=place["household"], relation="10")
    r = web_admin.get(f"/households/{place['household']}")
    assert r.status_code == 200
    t = page_text(r)
    assert head in t and spouse in t and "户主" in t


def test_house_page(srv, web_admin):
    place = srv.make_place(srv.grid_a)
    r = web_admin.get(f"/houses/{place['house']}")
    assert r.status_code == 200
    assert "101" in page_text(r)


def test_reveal_asks_why(srv, web_director):
    """The person page's reveal form asks for a reason; without one nothing is shown."""
    idn = new_id()
    pid = srv.new_person(id_number=idn)
    r = web_director.get(f"/persons/{pid}")
    assert 'name="reason"' in r.text and "办理业务" in r.text and "上级部门要求" in r.text
    tok = hidden(r.text)
    r = web_director.post(f"/persons/{pid}/reveal", {"_csrf": tok})
    assert r.status_code == 422 and "原因" in page_text(r) and idn not in page_text(r)
    r = web_director.post(f"/persons/{pid}/reveal", {"_csrf": tok, "reason": "other", "reason_text": "核对门牌"})
    assert r.status_code == 200 and idn in page_text(r)
    a = ok(srv.api("GET", "/audit", "admin", params={"entity": "person", "entity_id": pid, "action": "reveal"}))
    assert a["items"][0]["new"]["reason"] == "其他：核对门牌"


def test_reveal_form_ids_are_unique(srv, web_director):
    """The reveal form's select is not the 注销 form's f-reason (a label
    or a script looking for one must not find the other)."""
    pid = srv.new_person()
    r = web_director.get(f"/persons/{pid}")
    ids = re.findall(r'\sid="([^"]+)"', r.text)
    m = re.search(r'<form[^>]*action="/persons/%d/reveal".*?</form>' % pid, r.text, re.S)
    assert m, "no reveal form"
    mine = re.findall(r'\sid="([^"]+)"', m.group(0))
    assert mine, "the reveal form's fields have no ids"
    dup = {i for i in mine if ids.count(i) > 1}
    assert not dup, f"the reveal form's ids are used twice on the person page: {dup}"


def test_reveal_without_reason_keeps_the_page(srv, web_director):
    """No reason: the person page again (422), the question next to the
    button, nothing revealed and nothing audited."""
    idn, phone = new_id(), new_phone()
    pid = srv.new_person(id_number=idn, phone=phone)
    tok = hidden(web_director.get(f"/persons/{pid}").text)
    r = web_director.post(f"/persons/{pid}/reveal", {"_csrf": tok, "reason": "", "reason_text": ""})
    assert r.status_code == 422, r.status_code
    t = page_text(r)
    assert idn not in t and phone not in t
    attrs, vals = find_form(r.text, "reason_text")
    assert attrs.get("action") == f"/persons/{pid}/reveal", attrs
    assert re.search(r'class="err"[^>]*>[^<]*查看', r.text), "the reason is not asked for next to the button"
    assert mask_id(idn) in t, "the person page is shown again"
    a = ok(srv.api("GET", "/audit", "admin",
                   params={"entity": "person", "entity_id": pid, "action": "reveal"}))
    assert a["total"] == 0


def test_audit_page_names_the_reason(srv, web_director, web_admin):
    pid = srv.new_person()
    tok = hidden(web_director.get(f"/persons/{pid}").text)
    r = web_director.post(f"/persons/{pid}/reveal", {"_csrf": tok, "reason": "verify"})
    assert r.status_code == 200
    t = re.sub(r"<[^>]+>", "", page_text(web_admin.get("/audit")))
    assert "查看原因：核对身份" in t, t[:3000]
