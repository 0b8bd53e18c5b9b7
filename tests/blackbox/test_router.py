"""The route table's permission and input spec, enforced by the router
before any handler runs: a bad {id} or {key}, a bad typed query parameter,
a body of the wrong kind, a missing permission — each the right 4xx with a
Chinese message naming the field and the fix, as JSON for the API and as
an error page for the desk."""
import pytest

from juwei_util import HAN, Web, check_error, ok, page_text


def web_as(srv, who):
    w = Web(srv.base)
    w.login(*srv.users[who])
    return w


def error_page(r, status, *words):
    """An HTML error page with the status, a Chinese message and the words."""
    assert r.status_code == status, f"{r.request.method} {r.url}: want {status}, got {r.status_code}: {r.text[:300]}"
    assert "text/html" in r.headers.get("Content-Type", ""), r.headers.get("Content-Type")
    text = page_text(r)
    assert HAN.search(text)
    for w in words:
        assert w in text, f"{w!r} not on the error page: {text[:600]}"
    return text


# ------------------------------------------------------------ path params
@pytest.mark.parametrize("path", ["/persons/abc", "/persons/0", "/persons/012", "/persons/-3",
                                  "/households/1x", "/buildings/99999999999999999999/plan"])
def test_api_bad_id_names_the_field(srv, path):
    b = check_error(srv.api("GET", path, "admin"), 404, "not_found")
    assert b["error"]["field"] == "id"
    assert "编号" in b["error"]["message"] and "十进制" in b["error"]["message"]


def test_api_bad_key_names_the_field(srv):
    b = check_error(srv.api("GET", "/ledgers/Elderly!/entries", "admin"), 404, "not_found")
    assert b["error"]["field"] == "key"
    assert "台账代码" in b["error"]["message"]


def test_unknown_path_is_still_plain_404(srv):
    b = check_error(srv.api("GET", "/nothing/here", "admin"), 404, "not_found")
    assert b["error"]["field"] == ""


def test_page_bad_id(srv):
    w = web_as(srv, "director")
    error_page(w.get("/persons/abc"), 404, "编号", "十进制")


# ------------------------------------------------------------ typed query
@pytest.mark.parametrize("path,params,field", [
    ("/persons", {"page": "x"}, "page"),
    ("/persons", {"per_page": "0"}, "per_page"),
    ("/persons", {"grid_id": "abc"}, "grid_id"),
    ("/persons", {"residence_type": "martian"}, "residence_type"),
    ("/persons", {"include_deregistered": "maybe"}, "include_deregistered"),
    ("/persons", {"q": "张" * 201}, "q"),
    ("/audit", {"per_page": "500"}, "per_page"),
    ("/ledgers/elderly/entries", {"include_closed": "perhaps"}, "include_closed"),
    ("/persons/export", {"format": "pdf"}, "format"),
    ("/persons/export", {"reveal": "please"}, "reveal"),
    ("/visits", {"subject_id": "0"}, "subject_id"),
    ("/visits", {}, "subject_id"),
    ("/visits", {"subject_id": "1", "subject": "car"}, "subject"),
])
def test_api_bad_query_param(srv, path, params, field):
    b = check_error(srv.api("GET", path, "admin", params=params), 400, "bad_request")
    assert b["error"]["field"] == field
    assert field in b["error"]["message"]


def test_api_unknown_query_params_are_ignored(srv):
    ok(srv.api("GET", "/persons", "admin", params={"per_page": 1, "colour": "blue"}))


def test_api_typed_values_reach_the_handler(srv):
    b = ok(srv.api("GET", "/persons", "admin", params={"page": "2", "per_page": "3"}))
    assert b["page"] == 2 and b["per_page"] == 3
    b = ok(srv.api("GET", "/audit", "admin", params={"per_page": "2"}))
    assert b["per_page"] == 2 and len(b["items"]) <= 2


@pytest.mark.parametrize("path,params,field", [
    ("/persons", {"page": "二"}, "page"),
    ("/households", {"building_id": "1.5"}, "building_id"),
    ("/ledgers/elderly", {"per_page": "1000"}, "per_page"),
    ("/ledgers", {"subject_id": "x"}, "subject_id"),
    ("/audit", {"entity_id": "-"}, "entity_id"),
])
def test_page_bad_query_param(srv, path, params, field):
    w = web_as(srv, "director")
    from urllib.parse import urlencode
    error_page(w.get(path + "?" + urlencode(params)), 400, "参数 " + field)


# ------------------------------------------------------------ body kind
def test_api_form_body_to_json_route_is_415(srv):
    r = srv.api("POST", "/persons", "admin", data="name=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    b = check_error(r, 415)
    assert b["error"]["field"] == "Content-Type"


@pytest.mark.parametrize("body", ["[1,2]", "\"张三\"", "{\"name\":", ""])
def test_api_json_body_must_be_an_object(srv, body):
    r = srv.api("POST", "/persons", "admin", data=body.encode(), headers={"Content-Type": "application/json"})
    b = check_error(r, 400, "bad_request")
    assert "JSON" in b["error"]["message"]


def test_api_reveal_takes_an_empty_body(srv):
    pid = srv.new_person()
    # no reason: refused by svc (not by the router's body check)
    r = srv.api("POST", f"/persons/{pid}/reveal", "admin")
    assert r.status_code in (400, 422), r.status_code
    b = check_error(r, r.status_code)
    assert b["error"]["field"] == "reason"


def test_page_json_body_to_form_route_is_415(srv):
    w = web_as(srv, "director")
    r = w.post("/persons", data=b"{\"name\":\"x\"}", headers={"Content-Type": "application/json"})
    error_page(r, 415, "表单")


# ------------------------------------------------------------ permission
def test_api_role_set(srv):
    b = check_error(srv.api("POST", "/ledgers/derive", "worker"), 403, "forbidden")
    assert "管理员" in b["error"]["message"] and "主任" in b["error"]["message"]
    ok(srv.api("POST", "/ledgers/derive", "director"))


def test_api_write_access_checked_before_the_body(srv):
    # a grid worker may not write buildings: 403 even for a malformed body
    r = srv.api("POST", "/buildings", "gw_a", data=b"{oops", headers={"Content-Type": "application/json"})
    b = check_error(r, 403, "forbidden")
    assert "楼栋" in b["error"]["message"]


def test_api_import_needs_the_role(srv):
    r = srv.api("POST", "/import/persons", "gw_a", data=b"a,b\n", headers={"Content-Type": "text/csv"})
    check_error(r, 403, "forbidden")


def test_api_reveal_role(srv):
    pid = srv.new_person()
    r = srv.api("POST", f"/persons/{pid}/reveal", "gw_a", json={"reason": "business"})
    check_error(r, 403, "forbidden")


def test_page_role_set(srv):
    w = web_as(srv, "worker")
    error_page(w.get("/ledgers/define"), 403, "管理员")
    error_page(web_as(srv, "gw_a").get("/import"), 403, "网格")


def test_page_write_access(srv):
    w = web_as(srv, "gw_a")
    error_page(w.get("/grids/new"), 403, "网格")


# ------------------------------------------------------------ {key}: the ledger it names
def test_api_unknown_ledger(srv):
    b = check_error(srv.api("GET", "/ledgers/no_such_ledger/entries", "admin"), 404, "not_found")
    assert b["error"]["field"] == "ledger" and "no_such_ledger" in b["error"]["message"]


def test_page_unknown_ledger(srv):
    error_page(web_as(srv, "director").get("/ledgers/no_such_ledger/stats"), 404, "no_such_ledger")


# ------------------------------------------------------------ body size: the route's limit
def test_api_body_over_the_limit_is_413(srv):
    big = b'{"name":"' + b"x" * (1 << 20) + b'"}'
    r = srv.api("POST", "/persons", "admin", data=big, headers={"Content-Type": "application/json"})
    check_error(r, 413, "too_big")


def test_page_body_over_the_limit_is_413(srv):
    w = web_as(srv, "director")
    r = w.post("/persons", data={"name": "x" * (1 << 20)})
    error_page(r, 413, "1MB")


# ------------------------------------------------------------ a ledger's own permission
def test_api_restricted_ledger_refused_before_the_query(srv):
    # the worker may not read the restricted ledger: 403, before its bad page is looked at
    b = check_error(srv.api("GET", "/ledgers/correction/entries", "worker", params={"page": "x"}), 403, "forbidden")
    assert "受限" in b["error"]["message"]
    check_error(srv.api("GET", "/ledgers/correction/entries", "director", params={"page": "x"}), 400, "bad_request")


def test_page_restricted_ledger(srv):
    error_page(web_as(srv, "worker").get("/ledgers/correction/new"), 403, "受限")
