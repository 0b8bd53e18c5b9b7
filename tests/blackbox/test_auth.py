"""JSON API authentication: login, tokens, lockout, logout."""
import pytest

from juwei_util import ADMIN_PW, check_error, ok

LIST_ENDPOINTS = ["/persons", "/households", "/buildings", "/houses", "/grids"]
OTHER_ENDPOINTS = ["/audit", "/codes", "/stats"]


def test_login_ok_returns_token_and_user(srv):
    b = ok(srv.login_raw("admin", ADMIN_PW))
    assert isinstance(b["token"], str) and len(b["token"]) >= 16
    assert b["user"]["username"] == "admin"
    assert b["user"]["role"] == "admin"


@pytest.mark.parametrize("key,role", [
    ("director", "director"), ("worker", "worker"),
    ("gw_a", "grid_worker"), ("gw_b", "grid_worker"),
])
def test_login_reports_role(srv, key, role):
    b = srv.login_bodies[key]
    assert b["user"]["username"] == srv.users[key][0]
    assert b["user"]["role"] == role


def test_tokens_are_distinct(srv):
    toks = list(srv.tokens.values())
    assert len(set(toks)) == len(toks)


def test_wrong_password_401(srv):
    name, pw = srv.users["victim"]
    r = srv.login_raw(name, pw + "x")
    check_error(r, 401, "unauthenticated")
    assert "token" not in r.json()
    ok(srv.login_raw(name, pw))          # resets the run of failures


def test_unknown_user_401(srv):
    check_error(srv.login_raw("nosuchuser", "Whatever-123!"), 401, "unauthenticated")


def test_login_not_json_400(srv):
    r = srv.api("POST", "/login", data="username=admin",
                headers={"Content-Type": "application/json"})
    check_error(r, 400, "bad_request")


def test_login_missing_password_rejected(srv):
    r = srv.api("POST", "/login", json={"username": "admin"})
    assert r.status_code in (400, 401, 422), r.text
    check_error(r, r.status_code)


def test_lockout_after_five_wrong(fresh_server):
    s = fresh_server
    for i in range(4):
        check_error(s.login_raw("admin", f"Wrong-Pass-{i}!"), 401, "unauthenticated")
    r = s.login_raw("admin", "Wrong-Pass-4!")
    # The 5th wrong one is either still 401 or already `locked`.
    assert r.status_code in (401, 403), r.text
    check_error(s.login_raw("admin", ADMIN_PW), 403, "locked")
    # …and it stays locked.
    check_error(s.login_raw("admin", ADMIN_PW), 403, "locked")


def test_lockout_needs_five_in_a_row(fresh_server):
    s = fresh_server
    for _ in range(2):
        for i in range(4):
            check_error(s.login_raw("admin", f"Wrong-Pass-{i}!"), 401, "unauthenticated")
        ok(s.login_raw("admin", ADMIN_PW))


def test_lockout_is_per_account(server_factory):
    s = server_factory(users=[("worker", "w1", "worker", None)])
    for i in range(5):
        s.login_raw("admin", f"Wrong-Pass-{i}!")
    check_error(s.login_raw("admin", ADMIN_PW), 403, "locked")
    ok(s.login_raw(*s.users["worker"]))


@pytest.mark.parametrize("path", LIST_ENDPOINTS + OTHER_ENDPOINTS)
def test_no_token_401(srv, path):
    check_error(srv.api("GET", path), 401, "unauthenticated")


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_no_token_401_on_create(srv, path):
    check_error(srv.api("POST", path, json={"name": "x"}), 401, "unauthenticated")


@pytest.mark.parametrize("header", [
    "Bearer nonsense",
    "Bearer ",
    "Bearer " + "0" * 64,
    "Basic YWRtaW46YWRtaW4=",
    "nonsense",
])
def test_bad_token_401(srv, header):
    r = srv.api("GET", "/persons", headers={"Authorization": header})
    check_error(r, 401, "unauthenticated")


def test_token_works(srv):
    for key in ("admin", "director", "worker", "gw_a"):
        b = ok(srv.api("GET", "/persons", key))
        assert {"items", "total", "page", "per_page"} <= set(b)


def test_login_session_helper(srv):
    s = srv.login(*srv.users["worker"])
    r = s.get(srv.url("/api/v1/grids"), timeout=10)
    assert r.status_code == 200, (r.text, r.request.headers)


def test_logout_invalidates_token(srv):
    tok = srv.login_token(*srv.users["worker"])
    ok(srv.api("GET", "/persons", tok))
    r = srv.api("POST", "/logout", tok)
    assert r.status_code == 204, r.text
    check_error(srv.api("GET", "/persons", tok), 401, "unauthenticated")
    # Other sessions of the same user are untouched.
    ok(srv.api("GET", "/persons", "worker"))


def test_logout_twice(srv):
    tok = srv.login_token(*srv.users["director"])
    assert srv.api("POST", "/logout", tok).status_code == 204
    assert srv.api("POST", "/logout", tok).status_code == 401


def test_logout_without_token_401(srv):
    check_error(srv.api("POST", "/logout"), 401, "unauthenticated")


# --------------------------------------------------------------------------
# input handling (issue 8 §3): the token, the path id, the body's type
# --------------------------------------------------------------------------
@pytest.mark.parametrize("extra", ["x", "0", " junk", "%00", "\t"])
def test_token_with_characters_appended_401(srv, extra):
    """A valid token followed by anything is not that token."""
    tok = srv.tokens["worker"]
    ok(srv.api("GET", "/persons", headers={"Authorization": f"Bearer {tok}"}))
    r = srv.api("GET", "/persons", headers={"Authorization": f"Bearer {tok}{extra}"})
    check_error(r, 401, "unauthenticated")


def test_token_cut_short_401(srv):
    tok = srv.tokens["worker"]
    check_error(srv.api("GET", "/persons", headers={"Authorization": f"Bearer {tok[:-1]}"}),
                401, "unauthenticated")


@pytest.mark.parametrize("tail", ["%00", "%00abc", "abc", "01", "00001", "1.0", "+1", "%201",
                                  "1%20", "0x1", "1e0", "1%2F"])
def test_path_id_must_be_plain_decimal(srv, tail):
    """/persons/1%00, /persons/01 … never resolve to record 1."""
    pid = srv.new_person()
    assert ok(srv.api("GET", f"/persons/{pid}", "admin"))["id"] == pid
    # the id with garbage around it: never that record
    for path in (f"/persons/{pid}{tail}", f"/persons/{tail}{pid}"):
        r = srv.api("GET", path, "admin")
        assert r.status_code in (400, 404), f"GET {path}: {r.status_code} {r.text[:200]}"
        check_error(r, r.status_code)
    # the pages too
    r = srv.api("GET", f"/api/v1/persons/{pid}%00", "admin")
    assert r.status_code == 404, r.text[:200]


def test_percent_encoded_digit_is_the_same_id(srv):
    """%31 is "1": an encoding of the same characters, not garbage."""
    r = srv.api("GET", "/persons/%31", "admin")
    assert r.status_code in (200, 404), r.text[:200]
    if r.status_code == 200:
        assert r.json()["id"] == 1


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded",
                                   "multipart/form-data; boundary=x", "application/jsonx",
                                   "application/xml", "json", ""])
def test_json_endpoint_refuses_other_content_type_415(srv, ctype):
    body = '{"name":"测试名","id_number":"11010519491231002X","residence_type":"registered"}'
    headers = {"Content-Type": ctype} if ctype else {}
    r = srv.api("POST", "/persons", "admin", data=body.encode(), headers=headers)
    b = check_error(r, 415, "unsupported_media_type")
    assert "application/json" in b["error"]["message"], b


def test_login_refuses_other_content_type_415(srv):
    import json as _json
    body = _json.dumps({"username": "admin", "password": ADMIN_PW})
    r = srv.api("POST", "/login", data=body, headers={"Content-Type": "text/plain"})
    check_error(r, 415, "unsupported_media_type")
    assert "token" not in r.text


@pytest.mark.parametrize("ctype", ["application/json", "application/json; charset=utf-8",
                                   "Application/JSON;charset=UTF-8", "application/json ; charset=utf-8"])
def test_json_content_type_with_charset_accepted(srv, ctype):
    import json as _json
    body = _json.dumps({"username": "admin", "password": ADMIN_PW})
    b = ok(srv.api("POST", "/login", data=body.encode(), headers={"Content-Type": ctype}))
    assert b["token"]


def test_patch_refuses_other_content_type_415(srv):
    pid = srv.new_person()
    r = srv.api("PATCH", f"/persons/{pid}", "admin", data='{"phone":"13800138000"}',
                headers={"Content-Type": "text/plain"})
    check_error(r, 415, "unsupported_media_type")
    assert srv.person(pid).get("phone") in (None, "")


def test_bodiless_post_needs_no_content_type(srv):
    tok = srv.login_token(*srv.users["worker"])
    assert srv.api("POST", "/logout", tok).status_code == 204
