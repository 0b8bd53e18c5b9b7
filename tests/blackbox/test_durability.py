"""Sessions that expire, locks that lift, and a store that survives a kill.

Time is not waited for: the test moves the stored clock (a session's
last_seen, an account's locked_until) back with Python's sqlite3 module on
the live store, as 31 minutes of idleness would have left it (SQL run
behind the program's back: conftest.db_exec, on either kind of store).
"""
import signal
import subprocess
import time

from juwei_util import ADMIN_PW, check_error, ok
from conftest import BIN, PG, _clean_env, db_exec, db_scalar, init_store


def test_api_session_expires_after_30_idle_minutes(fresh_server):
    s = fresh_server
    token = s.login_token("admin", ADMIN_PW)
    ok(s.api("GET", "/persons", token))
    db_exec(s.db, "UPDATE session SET last_seen = last_seen - 31 * 60")
    r = s.api("GET", "/persons", token)
    check_error(r, 401, "unauthenticated")
    assert "30分钟" in r.json()["error"]["message"]


def test_session_in_use_does_not_expire(fresh_server):
    s = fresh_server
    token = s.login_token("admin", ADMIN_PW)
    db_exec(s.db, "UPDATE session SET last_seen = last_seen - 29 * 60")   # 29 idle minutes: still alive, and the use renews it
    ok(s.api("GET", "/persons", token))
    db_exec(s.db, "UPDATE session SET last_seen = last_seen - 2 * 60")
    ok(s.api("GET", "/persons", token))


def test_page_session_expires_to_login(fresh_server):
    s = fresh_server
    import requests
    w = requests.Session()
    page = w.get(s.url("/login"))
    csrf = page.text.split('name="_csrf" value="')[1].split('"')[0]
    r = w.post(s.url("/login"), data={"_csrf": csrf, "username": "admin", "password": ADMIN_PW},
               allow_redirects=False)
    assert r.status_code == 303
    assert w.get(s.url("/persons"), allow_redirects=False).status_code == 200
    db_exec(s.db, "UPDATE session SET last_seen = last_seen - 31 * 60")
    r = w.get(s.url("/persons"), allow_redirects=False)
    assert r.status_code == 303 and "/login" in r.headers["Location"]


def test_lock_lifts_after_15_minutes(fresh_server):
    s = fresh_server
    for _ in range(5):
        s.login_raw("admin", "Wrong-password-1")
    check_error(s.login_raw("admin", ADMIN_PW), 403, "locked")
    db_exec(s.db, "UPDATE app_user SET locked_until = locked_until - 15 * 60 - 1 WHERE username='admin'")
    ok(s.login_raw("admin", ADMIN_PW))


def test_killed_demo_leaves_store_consistent(tmp_path):
    """kill -9 in the middle of a bulk load: the store opens, passes
    integrity_check, and holds none of the half-made community."""
    db = init_store(tmp_path)
    p = subprocess.Popen([BIN, "demo", "--db", str(db), "--persons", "200000"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_clean_env())
    time.sleep(1.5)
    assert p.poll() is None, "demo finished before it could be killed; raise --persons"
    p.send_signal(signal.SIGKILL)
    p.wait(10)
    if not PG:
        assert db_scalar(db, "PRAGMA integrity_check") == "ok"
    assert db_scalar(db, "SELECT count(*) FROM person") == 0
    assert db_scalar(db, "SELECT count(*) FROM building") == 0
    # and the program goes on with it: the demo can be made afresh
    cp = subprocess.run([BIN, "demo", "--db", str(db), "--persons", "100"],
                        capture_output=True, text=True, env=_clean_env(), timeout=120)
    assert cp.returncode == 0, cp.stderr
