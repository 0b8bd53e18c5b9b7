"""Fixtures for the Juwei black-box suite.

Fixture API
-----------
``juwei_bin``      session: absolute path of the binary (env JUWEI_BIN, else
                   <repo>/build/juwei); fails every test if it is missing.
``cli``            function: ``cli(*args, env=None, timeout=120)`` runs the
                   binary, returns ``subprocess.CompletedProcess`` (text).
                   ``env`` is merged over a clean copy of os.environ with
                   JUWEI_PASSWORD / JUWEI_ADMIN_PASSWORD removed.
``srv``            session: a ``Server`` over a store made by ``init`` +
                   ``demo --persons 300`` with the users below.  Attributes:
                     base            "http://127.0.0.1:PORT"
                     db, workdir     paths
                     users           role -> (username, password) for
                                     admin, director, worker, gw_a, gw_b,
                                     victim (a worker used for wrong-password
                                     tests, so nobody else is ever locked)
                     tokens          role -> bearer token (logged in once)
                     login_bodies    role -> the JSON of that login
                     grid_a, grid_b  ids of 第一网格 / 第二网格 (gw_a, gw_b)
                     demo_ok         False if `demo` failed (the fixture then
                                     created the two grids via the API)
                   Methods:
                     url(path)
                     api(method, path, token=None, json=None, **kw)
                         path is under /api/v1 unless it starts with /api/;
                         token may be a role name of ``tokens`` or a token.
                     login_token(user, pw) -> str       (asserts 200)
                     login(user, pw) -> requests.Session with the Bearer
                         header set (``.token`` holds the token)
                     make_place(grid_id, token="admin") -> dict with
                         building, house, household ids in that grid
                     new_person(token="admin", **fields) -> id  (asserts 201)
                     person(pid, token="admin") -> dict
                     search_ids(q, token="admin", **params) -> set of ids
                         over all pages of GET /persons?q=…
                     stdout_text(), stderr_text()
``fresh_server``   function: a new store (``init`` only, no demo) served on
                   its own port; users = {"admin": ("admin", ADMIN_PW)};
                   for tests that need a clean state (lockout).
``server_factory`` function: ``server_factory(demo_persons=None, users=())``
                   makes and starts such a server; each is stopped at the
                   end of the test.
"""
import hashlib
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from juwei_util import (ADMIN_PW, COMMUNITY_CODE, COMMUNITY_NAME, GRID_A_NAME,
                         GRID_B_NAME, USER_PW, body_of, new_id, new_label, new_name)

REPO = Path(__file__).resolve().parents[2]
BIN = os.environ.get("JUWEI_BIN") or str(REPO / "build" / "juwei")

# The store the suite runs on: SQLite files (the default), or with
# JUWEI_TEST_PG=postgres://USER@HOST:PORT (scripts/run-tests.sh starts a
# server with scripts/pg.sh) a new PostgreSQL database for every store a
# test makes.  Tests of the SQLite file itself (its bytes, its backup, its
# locks, opening it with Python's sqlite3) carry the mark `sqlite_file`
# and are left out of the PostgreSQL run: there is no such file there.
PG = (os.environ.get("JUWEI_TEST_PG") or "").rstrip("/")


def new_store(workdir, name="juwei"):
    """Where a new store is made: a file path, or a new empty PostgreSQL database."""
    if not PG:
        return Path(workdir) / f"{name}.db"
    dbname = "t" + hashlib.sha1(f"{workdir}/{name}".encode()).hexdigest()[:20]
    subprocess.run(["psql", f"{PG}/postgres", "-qX", "-v", "ON_ERROR_STOP=1",
                    "-c", f"DROP DATABASE IF EXISTS {dbname}", "-c", f"CREATE DATABASE {dbname}"],
                   check=True, capture_output=True, timeout=60)
    return f"{PG}/{dbname}"


def db_scalar(db, sql):
    """The first column of the first row of a read-only query on a store of
    either kind (Python's sqlite3 on a file; psql on PostgreSQL)."""
    if isinstance(db, str) and db.startswith("postgres"):
        cp = subprocess.run(["psql", db, "-qXAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                            check=True, capture_output=True, text=True, timeout=60)
        v = cp.stdout.strip().split("\n")[0] if cp.stdout.strip() else None
        return int(v) if v is not None and v.lstrip("-").isdigit() else v
    import sqlite3
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        c.execute("PRAGMA busy_timeout=10000")
        row = c.execute(sql).fetchone()
        return row[0] if row else None
    finally:
        c.close()


def db_rows(db, sql):
    """Every row of a query on a store of either kind, as tuples of text
    (PostgreSQL) or of SQLite's values."""
    if isinstance(db, str) and db.startswith("postgres"):
        cp = subprocess.run(["psql", db, "-qXAt", "-F", "\x1f", "-v", "ON_ERROR_STOP=1", "-c", sql],
                            check=True, capture_output=True, text=True, timeout=60)
        return [tuple(line.split("\x1f")) for line in cp.stdout.splitlines() if line]
    import sqlite3
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return c.execute(sql).fetchall()
    finally:
        c.close()


def db_exec(db, *sqls):
    """Changes a store behind the program's back (a test that plants a fault
    or moves the stored clock), each statement committed."""
    if isinstance(db, str) and db.startswith("postgres"):
        args = ["psql", db, "-qX", "-v", "ON_ERROR_STOP=1"]
        for q in sqls:
            args += ["-c", q]
        subprocess.run(args, check=True, capture_output=True, timeout=60)
        return
    import sqlite3
    c = sqlite3.connect(str(db), timeout=10)
    try:
        c.execute("PRAGMA busy_timeout=10000")
        for q in sqls:
            c.execute(q)
        c.commit()
    finally:
        c.close()


# Undoes migrations 12–14 (the maintained counts, the ledger list's index,
# the due date) in a SQLite file, for the tests that make a store of an
# older version out of a new one.
UNDO_TALLY = ["DROP INDEX ledger_entry_due", "ALTER TABLE ledger_entry DROP COLUMN due_date",
              "DROP INDEX ledger_entry_list"] + \
    [f"DROP TRIGGER {t}_tally_{w}"
     for t in ("person", "household", "house", "building", "grid", "entry")
     for w in ("in", "out", "up")] + ["DROP TABLE tally"]


def copy_store(template, workdir):
    """A copy of the store template (as `init` left it) in workdir."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if isinstance(template, str):
        dbname = "t" + hashlib.sha1(str(workdir).encode()).hexdigest()[:20]
        subprocess.run(["psql", f"{PG}/postgres", "-qX", "-v", "ON_ERROR_STOP=1",
                        "-c", f"DROP DATABASE IF EXISTS {dbname}",
                        "-c", f"CREATE DATABASE {dbname} TEMPLATE {template.rsplit('/', 1)[1]}"],
                       check=True, capture_output=True, timeout=60)
        return f"{PG}/{dbname}"
    import shutil
    db = workdir / "juwei.db"
    for suffix in ("", "-wal"):
        src = Path(str(template) + suffix)
        if src.exists():
            shutil.copyfile(src, str(db) + suffix)
    return db


def pytest_collection_modifyitems(config, items):
    if PG:
        items[:] = [i for i in items if not i.get_closest_marker("sqlite_file")]
    else:
        items[:] = [i for i in items if not i.get_closest_marker("postgres")]


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_file: tests the SQLite file itself (not run on PostgreSQL)")
    config.addinivalue_line("markers", "postgres: needs a PostgreSQL server (run in the PostgreSQL run only)")

USERS = {
    # role key: (username, role, grid)
    "director": ("zhuren1", "director", None),
    "worker": ("gongzuo1", "worker", None),
    "gw_a": ("wangge1", "grid_worker", GRID_A_NAME),
    "gw_b": ("wangge2", "grid_worker", GRID_B_NAME),
    "victim": ("shiyan1", "worker", None),
}


def _clean_env(extra=None):
    env = dict(os.environ)
    env.pop("JUWEI_PASSWORD", None)
    env.pop("JUWEI_ADMIN_PASSWORD", None)
    env["LANG"] = env.get("LANG") or "C.UTF-8"
    if extra:
        env.update({k: str(v) for k, v in extra.items()})
    return env


def run_cli(*args, env=None, timeout=120):
    return subprocess.run([BIN, *[str(a) for a in args]], env=_clean_env(env),
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def _must(cp, what):
    if cp.returncode != 0:
        pytest.fail(f"{what} failed (exit {cp.returncode}):\nstdout: {cp.stdout}\n"
                    f"stderr: {cp.stderr}", pytrace=False)
    return cp


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, db, workdir):
        self.db = db if isinstance(db, str) else Path(db)
        self.workdir = Path(workdir)
        self.proc = None
        self.port = None
        self.base = None
        self.users = {"admin": ("admin", ADMIN_PW)}
        self.tokens = {}
        self.login_bodies = {}
        self.grid_a = self.grid_b = None
        self.demo_ok = None
        self.extra_args = []    # more options for `serve`
        self._n = 0

    # ---- process ---------------------------------------------------------
    def start(self, timeout=10.0):
        self._n += 1
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._out = self.workdir / f"serve{self._n}.out"
        self._err = self.workdir / f"serve{self._n}.err"
        with open(self._out, "wb") as o, open(self._err, "wb") as e:
            self.proc = subprocess.Popen(
                [BIN, "serve", "--db", str(self.db), "--listen", f"127.0.0.1:{self.port}", *self.extra_args],
                stdout=o, stderr=e, stdin=subprocess.DEVNULL, env=_clean_env(),
                cwd=str(self.workdir))
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"juwei serve exited with {self.proc.returncode}:\n"
                            f"{self.stdout_text()}\n{self.stderr_text()}", pytrace=False)
            try:
                requests.get(self.base + "/login", timeout=1, allow_redirects=False)
                return self
            except requests.RequestException:
                if time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"juwei serve did not answer on {self.base} within "
                                f"{timeout} s:\n{self.stderr_text()}", pytrace=False)
                time.sleep(0.05)

    def stop(self):
        p, self.proc = self.proc, None
        if p is None or p.poll() is not None:
            return
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)

    def stdout_text(self):
        try:
            return self._out.read_text(errors="replace")
        except (OSError, AttributeError):
            return ""

    def stderr_text(self):
        try:
            return self._err.read_text(errors="replace")
        except (OSError, AttributeError):
            return ""

    # ---- HTTP ------------------------------------------------------------
    def url(self, path):
        return self.base + path

    def _tok(self, token):
        if token is None:
            return None
        return self.tokens.get(token, token)

    def api(self, method, path, token=None, json=None, **kw):
        if not path.startswith("/api/"):
            path = "/api/v1" + path
        headers = dict(kw.pop("headers", {}) or {})
        tok = self._tok(token)
        if tok:
            headers["Authorization"] = f"Bearer {tok}"
        kw.setdefault("timeout", 30)
        kw.setdefault("allow_redirects", False)
        return requests.request(method, self.base + path, json=json,
                                headers=headers, **kw)

    def login_raw(self, user, pw):
        return self.api("POST", "/login", json={"username": user, "password": pw})

    def login_token(self, user, pw):
        r = self.login_raw(user, pw)
        assert r.status_code == 200, f"login {user}: {r.status_code} {r.text[:300]}"
        b = body_of(r)
        assert isinstance(b.get("token"), str) and b["token"], b
        return b["token"]

    def login(self, user, pw):
        tok = self.login_token(user, pw)
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {tok}"
        s.token = tok
        return s

    # ---- data helpers ----------------------------------------------------
    def new_person(self, token="admin", **fields):
        body = {"name": None, "id_number": None, "residence_type": "registered"}
        body.update(fields)
        if body["name"] is None:
            body["name"] = new_name()
        if body["id_number"] is None:
            body["id_number"] = new_id()
        body = {k: v for k, v in body.items() if v is not None}
        r = self.api("POST", "/persons", token, json=body)
        assert r.status_code == 201, f"create person {body}: {r.status_code} {r.text[:500]}"
        b = body_of(r)
        assert isinstance(b.get("id"), int), b
        return b["id"]

    def person(self, pid, token="admin"):
        r = self.api("GET", f"/persons/{pid}", token)
        assert r.status_code == 200, f"GET person {pid}: {r.status_code} {r.text[:300]}"
        return body_of(r)

    def create(self, kind, body, token="admin"):
        r = self.api("POST", f"/{kind}", token, json=body)
        assert r.status_code == 201, f"create {kind} {body}: {r.status_code} {r.text[:500]}"
        b = body_of(r)
        assert isinstance(b.get("id"), int), b
        return b["id"]

    def make_place(self, grid_id, token="admin"):
        bid = self.create("buildings", {
            "name": new_label("楼"), "grid_id": grid_id, "floors": 3, "units": 1,
            "rooms_per_floor": 2, "address": new_label("鹊桥巷")}, token)
        hid = self.create("houses", {"building_id": bid, "unit": 1, "floor": 1,
                                      "room": "101"}, token)
        hhid = self.create("households", {"house_id": hid, "type": "hukou"}, token)
        return {"building": bid, "house": hid, "household": hhid}

    def search_ids(self, q, token="admin", **params):
        ids, page = set(), 1
        while page <= 40:
            p = {"q": q, "page": page, "per_page": 100}
            p.update(params)
            r = self.api("GET", "/persons", token, params=p)
            assert r.status_code == 200, f"search {q!r}: {r.status_code} {r.text[:300]}"
            b = body_of(r)
            items = b.get("items") or []
            ids.update(x["id"] for x in items)
            if not items or len(ids) >= b.get("total", 0):
                break
            page += 1
        return ids

    def list_all(self, kind, token="admin", max_pages=40, **params):
        out, page = [], 1
        while page <= max_pages:
            p = {"page": page, "per_page": 100}
            p.update(params)
            r = self.api("GET", f"/{kind}", token, params=p)
            assert r.status_code == 200, f"list {kind}: {r.status_code} {r.text[:300]}"
            b = body_of(r)
            items = b.get("items") or []
            out.extend(items)
            if not items or len(out) >= b.get("total", 0):
                break
            page += 1
        return out


# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def juwei_bin():
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
        pytest.fail(f"juwei binary not found at {BIN} (set JUWEI_BIN)", pytrace=False)
    return BIN


@pytest.fixture
def cli(juwei_bin):
    return run_cli


def init_store(workdir, password=ADMIN_PW):
    db = new_store(workdir)
    _must(run_cli("init", "--db", db, "--community-code", COMMUNITY_CODE,
                  "--community-name", COMMUNITY_NAME,
                  env={"JUWEI_ADMIN_PASSWORD": password}), "juwei init")
    return db


def _grid_ids(s):
    grids = s.list_all("grids", "admin")
    by_name = {g.get("name"): g["id"] for g in grids}
    return by_name


@pytest.fixture(scope="session")
def srv(juwei_bin, tmp_path_factory):
    wd = tmp_path_factory.mktemp("juwei-session")
    db = init_store(wd)
    demo = run_cli("demo", "--db", db, "--persons", 300, timeout=300)
    s = Server(db, wd)
    s.demo_ok = demo.returncode == 0
    if not s.demo_ok:
        # Fall back to a store without demo data: start afresh, make the two
        # grids via the API, and go on (test_cli reports the demo failure).
        wd2 = tmp_path_factory.mktemp("juwei-session-nodemo")
        db = init_store(wd2)
        s = Server(db, wd2)
        s.demo_ok = False
        s.start()
        s.tokens["admin"] = s.login_token("admin", ADMIN_PW)
        for name in (GRID_A_NAME, GRID_B_NAME):
            s.create("grids", {"name": name})
        s.stop()
    for key, (name, role, grid) in USERS.items():
        args = ["user", "add", name, "--role", role, "--db", db]
        if grid:
            args += ["--grid", grid]
        _must(run_cli(*args, env={"JUWEI_PASSWORD": USER_PW}), f"juwei user add {name}")
        s.users[key] = (name, USER_PW)
    s.start()
    try:
        for key, (name, pw) in s.users.items():
            r = s.login_raw(name, pw)
            assert r.status_code == 200, f"login {name}: {r.status_code} {r.text[:300]}"
            s.login_bodies[key] = body_of(r)
            s.tokens[key] = s.login_bodies[key]["token"]
        grids = _grid_ids(s)
        assert GRID_A_NAME in grids and GRID_B_NAME in grids, f"grids: {grids}"
        s.grid_a, s.grid_b = grids[GRID_A_NAME], grids[GRID_B_NAME]
    except BaseException:
        s.stop()
        raise
    yield s
    s.stop()


@pytest.fixture
def server_factory(juwei_bin, tmp_path):
    made = []

    def make(demo_persons=None, users=()):
        wd = tmp_path / f"srv{len(made)}"
        wd.mkdir()
        db = init_store(wd)
        if demo_persons:
            _must(run_cli("demo", "--db", db, "--persons", demo_persons, timeout=300),
                  "juwei demo")
        s = Server(db, wd)
        for key, name, role, grid in users:
            args = ["user", "add", name, "--role", role, "--db", db]
            if grid:
                args += ["--grid", grid]
            _must(run_cli(*args, env={"JUWEI_PASSWORD": USER_PW}), f"user add {name}")
            s.users[key] = (name, USER_PW)
        made.append(s)
        return s.start()

    yield make
    for s in made:
        s.stop()


@pytest.fixture
def fresh_server(server_factory):
    return server_factory()


@pytest.fixture
def tmp_db(tmp_path):
    """A path for a store that does not exist yet (PostgreSQL: an empty database)."""
    return new_store(tmp_path, "new")



# A skipped test is a failure unless its reason holds on every machine: the
# suite must run whole on a fresh clone (no data outside the repository, no
# tool the scripts do not install).  Reasons that hold everywhere go here.
SKIPS_THAT_HOLD_EVERYWHERE = ()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.skipped and not hasattr(rep, "wasxfail"):
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        if not any(ok in reason for ok in SKIPS_THAT_HOLD_EVERYWHERE):
            rep.outcome = "failed"
            rep.longrepr = f"skipped without a reason that holds on every machine: {reason}"
