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
