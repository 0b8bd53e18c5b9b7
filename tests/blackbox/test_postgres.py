"""PostgreSQL as the second store (issue 10): what only a database server
makes possible — a committee's SQLite file moved into it without loss, and
several `juwei serve` processes on one database answering for each other.

Run in the PostgreSQL run of the suite only (mark `postgres`); the rest of
the suite runs on PostgreSQL as well, each store a new database.
"""
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import (ADMIN_PW, REPO, Server, _must, db_exec, db_rows, db_scalar, init_store, new_store,
                      run_cli)
from juwei_util import HAN, body_of, check_error, ok

pytestmark = pytest.mark.postgres

TABLES = ("person", "household", "house", "building", "grid", "ledger_entry", "person_gram",
          "person_key", "audit", "app_user", "meta")


def sqlite_store(tmp_path, persons=150):
    """A committee's SQLite file with the demo community in it."""
    db = tmp_path / "committee.db"
    _must(run_cli("init", "--db", db, "--community-code", "110105001001", "--community-name", "测试社区",
                  env={"JUWEI_ADMIN_PASSWORD": ADMIN_PW}), "init")
    _must(run_cli("demo", "--db", db, "--persons", persons, timeout=300), "demo")
    return db


def serve_two(tmp_path, db1, db2):
    """Two `juwei serve` processes, each with its own folder."""
    out = []
    for i, db in enumerate((db1, db2)):
        wd = tmp_path / f"serve{i}"
        wd.mkdir()
        out.append(Server(db, wd).start())
    return out


def test_migrate_moves_every_row_once(tmp_path):
    src = sqlite_store(tmp_path)
    # text COPY must carry as it is: tabs, line breaks, backslashes, a literal \N
    db_exec(src, "UPDATE person SET notes = '甲' || char(9) || '乙' || char(10) || '丙\\丁' || char(13) || '\\N'"
                 " WHERE id = (SELECT min(id) FROM person)")
    dst = new_store(tmp_path, "migrated")
    cp = run_cli("migrate", "--from", src, "--to", dst, timeout=300)
    assert cp.returncode == 0, cp.stderr
    assert "迁移完成" in cp.stdout and "≠" not in cp.stdout, cp.stdout
    for t in TABLES:
        assert f"  {t} " in cp.stdout, (t, cp.stdout)
        n_src = db_scalar(src, f"SELECT count(*) FROM {t}")
        n_dst = db_scalar(dst, f"SELECT count(*) FROM {t}")
        # the copy adds one audit record: the migration itself
        assert n_dst == n_src + (1 if t == "audit" else 0), (t, n_src, n_dst)
    assert db_rows(dst, "SELECT action FROM audit ORDER BY id DESC LIMIT 1") == [("migrate",)]
    # the same people, field for field
    cols = "id, name, id_number, birth_date, household_id, grid_id, status"
    assert sorted(tuple(str(v) if v is not None else "" for v in r)
                  for r in db_rows(src, f"SELECT {cols} FROM person")) == \
        sorted(db_rows(dst, f"SELECT {cols} FROM person"))
    assert db_scalar(dst, "SELECT encode(convert_to(notes, 'UTF8'), 'hex') FROM person ORDER BY id LIMIT 1") == \
        "甲\t乙\n丙\\丁\r\\N".encode().hex()
    # the maintained counts, made after the load, agree with the rows
    check = run_cli("check", "--db", dst, timeout=300)
    assert check.returncode == 0, check.stdout
    # and a second run is refused, changing nothing
    before = db_scalar(dst, "SELECT count(*) FROM person")
    cp = run_cli("migrate", "--from", src, "--to", dst, timeout=300)
    assert cp.returncode == 1 and "只做一次" in cp.stderr, (cp.returncode, cp.stderr)
    assert db_scalar(dst, "SELECT count(*) FROM person") == before


def test_migrated_store_serves_and_numbers_go_on(tmp_path):
    src = sqlite_store(tmp_path, persons=60)
    dst = new_store(tmp_path, "served")
    _must(run_cli("migrate", "--from", src, "--to", dst, timeout=300), "migrate")
    s = Server(dst, tmp_path).start()
    try:
        s.tokens["admin"] = s.login_token("admin", ADMIN_PW)
        want = db_scalar(src, "SELECT count(*) FROM person WHERE status = 'active'")
        assert ok(s.api("GET", "/persons", "admin", params={"per_page": 1}))["total"] == want
        top = db_scalar(dst, "SELECT max(id) FROM person")
        pid = s.new_person()   # the database's numbering goes on after the copied ids
        assert pid > top
        check = run_cli("check", "--db", dst, timeout=300)
        assert check.returncode == 0, check.stdout
    finally:
        s.stop()


def test_migrate_refuses_bad_sources(tmp_path):
    dst = new_store(tmp_path, "empty")
    cp = run_cli("migrate", "--from", tmp_path / "none.db", "--to", dst)
    assert cp.returncode == 1 and HAN.search(cp.stderr), cp.stderr
    cp = run_cli("migrate", "--from", tmp_path / "none.db")
    assert cp.returncode == 2 and HAN.search(cp.stderr), cp.stderr


def test_two_servers_on_one_database(tmp_path):
    """Sessions and lockouts live in the store: a login on one process is
    good on the other, and an account locked on one is locked on both."""
    db = init_store(tmp_path)
    _must(run_cli("user", "add", "gongzuo9", "--role", "worker", "--db", db,
                  env={"JUWEI_PASSWORD": "Worker-pass-9"}), "user add")
    a, b = serve_two(tmp_path, db, db)
    try:
        token = a.login_token("admin", ADMIN_PW)
        r = b.api("GET", "/persons", token)
        assert r.status_code == 200, r.text
        pid = a.new_person(token)
        assert body_of(b.api("GET", f"/persons/{pid}", token))["id"] == pid
        # a logout on b ends the session on a too
        assert b.api("POST", "/logout", token).status_code in (200, 204)
        check_error(a.api("GET", "/persons", token), 401, "unauthenticated")
        # five wrong passwords on a lock the account on b
        for _ in range(5):
            a.login_raw("gongzuo9", "Wrong-password-1")
        check_error(b.login_raw("gongzuo9", "Worker-pass-9"), 403, "locked")
    finally:
        a.stop()
        b.stop()


def test_search_is_the_same_on_both_stores(tmp_path):
    """The same community on SQLite and, migrated, on PostgreSQL answers
    every kind of search with the same people."""
    src = sqlite_store(tmp_path, persons=200)
    dst = new_store(tmp_path, "search")
    _must(run_cli("migrate", "--from", src, "--to", dst, timeout=300), "migrate")
    names = [r[0] for r in db_rows(src, "SELECT name FROM person ORDER BY id LIMIT 40")]
    numbers = [r[0] for r in db_rows(src, "SELECT id_number FROM person ORDER BY id LIMIT 20")]
    addr = db_rows(src, "SELECT current_address FROM person WHERE current_address IS NOT NULL LIMIT 1")
    queries = {n[:2] for n in names} | {n[1:] for n in names if len(n) == 3}
    queries |= {x[-4:] for x in numbers} | {x[-6:] for x in numbers} | {x[:6] for x in numbers[:3]}
    queries |= {x[8:14] for x in numbers[:5]}            # a fragment from the middle
    keys = db_rows(src, "SELECT key FROM person_key WHERE key NOT LIKE '~%' LIMIT 30")
    queries |= {k[0][:3] for k in keys}                   # pinyin and initials
    if addr:
        queries.add(addr[0][0][2:6])
    s1, s2 = serve_two(tmp_path, src, dst)
    try:
        s1.tokens["admin"] = s1.login_token("admin", ADMIN_PW)
        s2.tokens["admin"] = s2.login_token("admin", ADMIN_PW)
        found = 0
        for q in sorted(queries):
            a, b = s1.search_ids(q), s2.search_ids(q)
            assert a == b, f"search {q!r}: SQLite {sorted(a)[:10]} PostgreSQL {sorted(b)[:10]}"
            found += bool(a)
        assert found > len(queries) // 2, "the queries should mostly find someone"
    finally:
        s1.stop()
        s2.stop()


def _pg(*args):
    cp = subprocess.run(["sh", str(REPO / "scripts" / "pg.sh"), *map(str, args)],
                        capture_output=True, text=True, timeout=120)
    assert cp.returncode == 0, cp.stderr
    return cp.stdout.strip()


def _juwei_sessions(url):
    return db_scalar(url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'juwei'")


def _until(cond, what, limit=30.0):
    deadline = time.monotonic() + limit
    while not cond():
        assert time.monotonic() < deadline, f"gave up waiting for: {what}"
        time.sleep(0.2)


def test_reads_go_to_a_replica_and_survive_its_loss(tmp_path):
    """--db-replica: GETs read the streaming replica; a session that has
    just written reads the primary (its write is there at once); a replica
    that stops is skipped without an error, and used again when it returns."""
    # the servers' folders where the postgres user can reach them (pytest's are root's alone)
    top = Path(tempfile.mkdtemp(prefix="juwei-pgrep."))
    top.chmod(0o755)
    pdir, rdir = top / "primary", top / "replica"
    primary = _pg("start", pdir)
    replica = None
    s = None
    try:
        subprocess.run(["psql", primary, "-qXc", "CREATE DATABASE jw"], check=True, capture_output=True)
        db = primary.rsplit("/", 1)[0] + "/jw"
        _must(run_cli("init", "--db", db, "--community-code", "110105001001", "--community-name", "测试社区",
                      env={"JUWEI_ADMIN_PASSWORD": ADMIN_PW}), "init")
        _must(run_cli("demo", "--db", db, "--persons", 80, timeout=300), "demo")
        replica = _pg("replica", primary, rdir).rsplit("/", 1)[0] + "/jw"
        n = db_scalar(db, "SELECT count(*) FROM person")
        _until(lambda: db_scalar(replica, "SELECT count(*) FROM person") == n, "the replica to catch up")
        wd = tmp_path / "srv"
        wd.mkdir()
        s = Server(db, wd)
        s.extra_args = ["--db-replica", replica]
        s.start()
        token = s.login_token("admin", ADMIN_PW)
        reader = s.login_token("admin", ADMIN_PW)
        for _ in range(20):
            assert ok(s.api("GET", "/persons", reader))["total"] == n
        assert _juwei_sessions(replica) >= 1, "the reads should have gone to the replica"
        # a write, then at once its reading back: the primary answers
        for _ in range(10):
            pid = s.new_person(token)
            assert body_of(s.api("GET", f"/persons/{pid}", token))["id"] == pid
        # the replica stops: reads go on, with no error
        _pg("stop", rdir)
        for _ in range(30):
            r = s.api("GET", "/persons", reader)
            assert r.status_code == 200, r.text
            assert body_of(r)["total"] == n + 10
        # and it comes back: the reads return to it
        _pg("resume", rdir)
        _until(lambda: (s.api("GET", "/persons", reader).status_code == 200 and _juwei_sessions(replica) >= 1),
               "the reads to return to the replica")
    finally:
        if s:
            s.stop()
        if replica:
            _pg("stop", rdir)
        _pg("stop", pdir)
        shutil.rmtree(top, ignore_errors=True)


def test_replica_is_refused_for_a_file(tmp_path):
    db = tmp_path / "one.db"
    _must(run_cli("init", "--db", db, "--community-code", "110105001001", "--community-name", "测试社区",
                  env={"JUWEI_ADMIN_PASSWORD": ADMIN_PW}), "init")
    cp = run_cli("serve", "--db", db, "--db-replica", "postgres://nobody@127.0.0.1:1/x", "--listen",
                 "127.0.0.1:1", timeout=30)
    assert cp.returncode != 0 and "副本" in cp.stderr, cp.stderr


def test_file_commands_say_what_to_use_instead(tmp_path):
    """backup and restore are for a SQLite file: on PostgreSQL they are
    refused in words that name the server's own tools, changing nothing."""
    db = init_store(tmp_path)
    cp = run_cli("backup", "--db", db, "--out", tmp_path / "copy.db")
    assert cp.returncode == 1 and "pg_dump" in cp.stderr, cp.stderr
    assert not (tmp_path / "copy.db").exists()
    src = sqlite_store(tmp_path, persons=10)
    cp = run_cli("restore", "--db", db, "--from", src)
    assert cp.returncode != 0 and "pg_restore" in cp.stderr, cp.stderr
    assert db_scalar(db, "SELECT count(*) FROM person") == 0


def test_check_reads_the_servers_own_page_check(tmp_path):
    """`juwei check` on PostgreSQL has the server check every index against
    its table and every table's pages (amcheck); where the role cannot have
    amcheck, the check says so instead of calling the store sound."""
    from conftest import PG
    db = init_store(tmp_path)
    cp = run_cli("check", "--db", db, timeout=300)
    assert cp.returncode == 0 and "数据库文件完整性：正常" in cp.stdout, cp.stdout
    assert db_scalar(db, "SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'") == 1
    # a role that may not create the extension, owning a database of its own
    host = PG.split("@", 1)[1]
    role, name = "jw_plain_" + str(abs(hash(str(tmp_path))) % 10**6), "tplain" + str(abs(hash(str(tmp_path))) % 10**6)
    for q in (f"DROP DATABASE IF EXISTS {name}", f"DROP ROLE IF EXISTS {role}", f"CREATE ROLE {role} LOGIN",
              f"CREATE DATABASE {name} OWNER {role}"):
        subprocess.run(["psql", f"{PG}/postgres", "-qX", "-v", "ON_ERROR_STOP=1", "-c", q], check=True,
                       capture_output=True, timeout=60)
    plain = f"postgres://{role}@{host}/{name}"
    _must(run_cli("init", "--db", plain, "--community-code", "110105001001", "--community-name", "测试社区",
                  env={"JUWEI_ADMIN_PASSWORD": ADMIN_PW}), "init")
    cp = run_cli("check", "--db", plain, timeout=300)
    assert cp.returncode == 1 and "amcheck" in cp.stdout and "数据库文件完整性：有问题" in cp.stdout, cp.stdout
