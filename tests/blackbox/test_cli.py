"""The command line: init, demo, serve, user add/passwd, help, exit codes."""
import re
import time

import pytest
import requests

from conftest import Server, free_port, init_store, run_cli
from juwei_util import ADMIN_PW, COMMUNITY_NAME, HAN, USER_PW

GOOD_CODE = "110105087003"


def assert_failed_in_chinese(cp):
    assert cp.returncode != 0, f"expected failure, got 0; stdout={cp.stdout!r}"
    assert HAN.search(cp.stderr), f"no Chinese message on stderr: {cp.stderr!r}"


def init(cli, db, code=GOOD_CODE, pw=ADMIN_PW):
    env = {"JUWEI_ADMIN_PASSWORD": pw} if pw else None
    return cli("init", "--db", db, "--community-code", code,
               "--community-name", COMMUNITY_NAME, env=env)


@pytest.mark.parametrize("code", [
    "11010508700",      # 11 digits
    "1101050870031",    # 13 digits
    "11010508700A",     # a letter
    "abcdefghijkl",     # letters
    "110105087000",     # last three 000
    "110105087200",     # last three 200
    "110105087999",     # last three 999
    "",
])
def test_init_refuses_bad_community_code(cli, tmp_db, code):
    cp = init(cli, tmp_db, code=code)
    assert_failed_in_chinese(cp)


@pytest.mark.parametrize("code", ["110105087003", "110105087001", "110105087199"])
def test_init_accepts_good_community_code(cli, tmp_path, code):
    cp = init(cli, tmp_path / f"{code}.db", code=code)
    assert cp.returncode == 0, cp.stderr


def test_init_twice_fails(cli, tmp_db):
    assert init(cli, tmp_db).returncode == 0
    cp = init(cli, tmp_db)
    assert_failed_in_chinese(cp)


@pytest.mark.parametrize("args", [
    ["--help"],
    ["init", "--help"],
    ["demo", "--help"],
    ["serve", "--help"],
    ["user", "--help"],
    ["user", "add", "--help"],
    ["user", "passwd", "--help"],
])
def test_help(cli, args):
    cp = cli(*args)
    assert cp.returncode == 0, f"{args}: exit {cp.returncode}, stderr={cp.stderr!r}"
    assert cp.stdout.strip(), f"{args}: no help on stdout"


def test_top_help_names_every_command(cli):
    out = cli("--help").stdout
    for cmd in ("init", "demo", "serve", "user"):
        assert cmd in out, f"--help does not mention {cmd}"


def test_unknown_command_fails(cli):
    cp = cli("frobnicate")
    assert_failed_in_chinese(cp)


def test_no_command_fails_or_helps(cli):
    cp = cli()
    # Either help (exit 0 with text) or a usage error (non-zero); never silence.
    assert (cp.stdout + cp.stderr).strip()


def test_init_missing_db_fails(cli):
    cp = cli("init", "--community-code", GOOD_CODE, "--community-name", COMMUNITY_NAME,
             env={"JUWEI_ADMIN_PASSWORD": ADMIN_PW})
    assert_failed_in_chinese(cp)


# ---------------------------------------------------------------- user add
@pytest.fixture(scope="module")
def store(juwei_bin, tmp_path_factory):
    """One store shared by the user-add tests (each uses its own user name)."""
    db = tmp_path_factory.mktemp("cli-users") / "u.db"
    cp = init(run_cli, db)
    assert cp.returncode == 0, cp.stderr
    return db


@pytest.mark.parametrize("user,pw", [
    ("weak1", "Ab1!xyz"),        # 7 chars, 4 classes
    ("weak2", "abcdefghijkl"),   # 1 class
    ("weak3", "abcdef123456"),   # 2 classes
    ("weak4", "ABCDEFGH!!!!"),   # 2 classes
    ("weak5", ""),
])
def test_weak_password_refused(cli, store, user, pw):
    cp = cli("user", "add", user, "--role", "worker", "--db", store,
             env={"JUWEI_PASSWORD": pw})
    assert_failed_in_chinese(cp)


def test_password_of_three_classes_accepted(cli, store):
    cp = cli("user", "add", "okuser", "--role", "worker", "--db", store,
             env={"JUWEI_PASSWORD": "Abcdef12"})
    assert cp.returncode == 0, cp.stderr


def test_unknown_role_refused(cli, store):
    cp = cli("user", "add", "someone", "--role", "superuser", "--db", store,
             env={"JUWEI_PASSWORD": USER_PW})
    assert_failed_in_chinese(cp)


def test_grid_worker_needs_grid(cli, store):
    cp = cli("user", "add", "gw", "--role", "grid_worker", "--db", store,
             env={"JUWEI_PASSWORD": USER_PW})
    assert_failed_in_chinese(cp)


def test_grid_worker_unknown_grid_refused(cli, store):
    cp = cli("user", "add", "gw", "--role", "grid_worker", "--grid", "不存在的网格",
             "--db", store, env={"JUWEI_PASSWORD": USER_PW})
    assert_failed_in_chinese(cp)


def test_duplicate_user_refused(cli, store):
    env = {"JUWEI_PASSWORD": USER_PW}
    assert cli("user", "add", "twice", "--role", "worker", "--db", store, env=env).returncode == 0
    cp = cli("user", "add", "twice", "--role", "worker", "--db", store, env=env)
    assert_failed_in_chinese(cp)


def test_user_add_without_store_fails(cli, tmp_db):
    cp = cli("user", "add", "x", "--role", "worker", "--db", tmp_db,
             env={"JUWEI_PASSWORD": USER_PW})
    assert_failed_in_chinese(cp)


def test_users_of_every_role_can_log_in(server_factory):
    s = server_factory(users=[
        ("director", "d1", "director", None),
        ("worker", "w1", "worker", None),
        ("admin2", "a2", "admin", None),
    ])
    for key, role in (("director", "director"), ("worker", "worker"), ("admin2", "admin")):
        name, pw = s.users[key]
        r = s.login_raw(name, pw)
        assert r.status_code == 200, r.text
        assert r.json()["user"] == {"username": name, "role": role} or (
            r.json()["user"]["username"] == name and r.json()["user"]["role"] == role)


def test_grid_worker_by_grid_id(server_factory, cli):
    s = server_factory(demo_persons=40)
    tok = s.login_token("admin", ADMIN_PW)
    grids = s.list_all("grids", tok)
    assert grids, "demo made no grids"
    gid = grids[-1]["id"]
    s.stop()
    cp = cli("user", "add", "gwbyid", "--role", "grid_worker", "--grid", gid, "--db", s.db,
             env={"JUWEI_PASSWORD": USER_PW})
    assert cp.returncode == 0, cp.stderr
    s.start()
    r = s.login_raw("gwbyid", USER_PW)
    assert r.status_code == 200 and r.json()["user"]["role"] == "grid_worker"
    items = s.list_all("persons", r.json()["token"])
    assert {x["grid_id"] for x in items} <= {gid}


def test_user_passwd_changes_password(server_factory, cli):
    s = server_factory()
    s.stop()
    cp = cli("user", "passwd", "admin", "--db", s.db, env={"JUWEI_PASSWORD": "New-Pass-9876"})
    assert cp.returncode == 0, cp.stderr
    weak = cli("user", "passwd", "admin", "--db", s.db, env={"JUWEI_PASSWORD": "weak"})
    assert_failed_in_chinese(weak)
    s.start()
    assert s.login_raw("admin", "New-Pass-9876").status_code == 200
    assert s.login_raw("admin", ADMIN_PW).status_code == 401


def test_user_passwd_unknown_user_fails(cli, store):
    cp = cli("user", "passwd", "nobody", "--db", store, env={"JUWEI_PASSWORD": USER_PW})
    assert_failed_in_chinese(cp)


# ------------------------------------------------- generated admin password
def _password_candidates(text):
    cands = []
    for run in re.findall(r"[\x21-\x7e]{8,}", text):
        for c in [run] + run.split(":") + [run.strip("\"'`.,;()[]")]:
            if len(c) < 8 or c in cands:
                continue
            if "http" in c or c.startswith("-") or "/" in c or c.startswith("juwei"):
                continue
            classes = sum([bool(re.search(p, c)) for p in
                           (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")])
            if classes >= 3:
                cands.append(c)
    return cands


def test_generated_admin_password_printed_and_works(cli, tmp_path):
    db = tmp_path / "gen.db"
    cp = init(cli, db, pw=None)
    assert cp.returncode == 0, cp.stderr
    cands = _password_candidates(cp.stdout) or _password_candidates(cp.stderr)
    assert cands, f"no password-looking string printed: {cp.stdout!r} {cp.stderr!r}"
    s = Server(db, tmp_path).start()
    try:
        # Fewer than 5 tries, so a wrong guess can never lock the account.
        for c in cands[:4]:
            r = s.login_raw("admin", c)
            if r.status_code == 200:
                break
        else:
            pytest.fail(f"none of {cands[:4]} logs in as admin")
    finally:
        s.stop()


def test_generated_passwords_differ(cli, tmp_path):
    a = init(cli, tmp_path / "a.db", pw=None)
    b = init(cli, tmp_path / "b.db", pw=None)
    assert a.returncode == 0 and b.returncode == 0
    assert set(_password_candidates(a.stdout + a.stderr)) != set(
        _password_candidates(b.stdout + b.stderr))


# ------------------------------------------------------------------- demo
def test_demo_fills_store(cli, tmp_path):
    db = init_store(tmp_path)
    cp = cli("demo", "--db", db, "--persons", 60, timeout=300)
    assert cp.returncode == 0, cp.stderr
    s = Server(db, tmp_path).start()
    try:
        tok = s.login_token("admin", ADMIN_PW)
        r = s.api("GET", "/persons", tok, params={"per_page": 1})
        total = r.json()["total"]
        assert 30 <= total <= 90, f"demo --persons 60 made {total} persons"
        names = {g["name"] for g in s.list_all("grids", tok)}
        assert "第一网格" in names, names
        for kind in ("buildings", "houses", "households"):
            r = s.api("GET", f"/{kind}", tok, params={"per_page": 1})
            assert r.status_code == 200 and r.json()["total"] > 0, f"demo made no {kind}"
    finally:
        s.stop()


def test_demo_on_uninitialised_store_fails(cli, tmp_db):
    cp = cli("demo", "--db", tmp_db, "--persons", 10)
    assert_failed_in_chinese(cp)


# ------------------------------------------------------------------- serve
def test_serve_prints_url(cli, tmp_path):
    db = init_store(tmp_path)
    s = Server(db, tmp_path).start()
    try:
        want = f"http://127.0.0.1:{s.port}"
        for _ in range(100):
            if want in s.stdout_text():
                break
            time.sleep(0.1)
        assert want in s.stdout_text(), f"stdout: {s.stdout_text()!r}"
    finally:
        s.stop()


def test_serve_without_store_fails(cli, tmp_db):
    port = free_port()
    cp = cli("serve", "--db", tmp_db, "--listen", f"127.0.0.1:{port}", timeout=10)
    assert_failed_in_chinese(cp)


def test_serve_bad_listen_fails(cli, tmp_path):
    db = init_store(tmp_path)
    cp = cli("serve", "--db", db, "--listen", "127.0.0.1:notaport", timeout=10)
    assert_failed_in_chinese(cp)


def test_serve_stops_on_sigterm(tmp_path):
    db = init_store(tmp_path)
    s = Server(db, tmp_path).start()
    p = s.proc
    p.terminate()
    try:
        p.wait(10)
    except Exception:
        s.stop()
        pytest.fail("juwei serve did not exit on SIGTERM")
    s.proc = None
    assert p.returncode is not None
    with pytest.raises(requests.RequestException):
        requests.get(s.base + "/login", timeout=1)


def test_make_run_prints_one_login_line(juwei_bin, tmp_path):
    """scripts/run-demo.sh (what `make run` runs) prints the address and one
    clear login line — not init's "密码：取自 JUWEI_ADMIN_PASSWORD" before it."""
    import os
    import subprocess
    from pathlib import Path
    script = Path(__file__).resolve().parents[2] / "scripts" / "run-demo.sh"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUWEI_")}
    env["JUWEI_ADMIN_PASSWORD"] = ADMIN_PW
    p = subprocess.Popen(["sh", str(script), juwei_bin, str(tmp_path / "demo.db"),
                          f"127.0.0.1:{port}", "300"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, text=True)
    out = []
    try:
        for _ in range(200):
            line = p.stdout.readline()
            if not line:
                break
            out.append(line)
            if "登录" in line:
                break
        text = "".join(out)
        assert f"http://127.0.0.1:{port}/" in text, text
        logins = [l for l in out if "密码" in l or "登录" in l]
        assert len(logins) == 1, f"want one login line, got {logins}"
        assert "admin" in logins[0] and ADMIN_PW in logins[0], logins
        assert "取自" not in text, text
    finally:
        p.kill()
        p.wait(10)
