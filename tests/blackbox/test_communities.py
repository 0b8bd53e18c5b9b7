"""Many communities in one store (issue 10): `juwei community add`, the CLI
acting in the community chosen with --community, and every request acting
in its user's own community — nothing of one community is seen from
another.  On both stores.
"""
from conftest import ADMIN_PW, PG, Server, _must, db_scalar, init_store, run_cli
from juwei_util import HAN, USER_PW, body_of, check_error, ok

OTHER = "110105001002"


def test_two_communities_one_store(tmp_path):
    db = init_store(tmp_path)
    _must(run_cli("demo", "--db", db, "--persons", 40, timeout=300), "demo in the first")
    cp = run_cli("community", "add", OTHER, "第二社区居民委员会", "--admin", "admin2", "--db", db,
                 env={"JUWEI_ADMIN_PASSWORD": ADMIN_PW})
    assert cp.returncode == 0, cp.stderr
    assert OTHER in cp.stdout and "admin2" in cp.stdout
    listed = run_cli("community", "list", "--db", db)
    assert listed.returncode == 0 and OTHER in listed.stdout and "第二社区" in listed.stdout, listed.stdout
    # twice, or a bad code: refused in words
    cp = run_cli("community", "add", OTHER, "又一个", "--db", db)
    assert cp.returncode == 1 and HAN.search(cp.stderr), cp.stderr
    cp = run_cli("community", "add", "110105001250", "村委会", "--db", db)
    assert cp.returncode != 0 and "001–199" in cp.stderr, cp.stderr
    # the CLI must be told which community now
    cp = run_cli("demo", "--db", db, "--persons", 20, timeout=300)
    assert cp.returncode != 0 and "--community" in cp.stderr, cp.stderr
    _must(run_cli("demo", "--db", db, "--persons", 20, "--seed", 7, "--community", OTHER, timeout=300),
          "demo in the second")
    _must(run_cli("user", "add", "gongzuo_b", "--role", "worker", "--community", OTHER, "--db", db,
                  env={"JUWEI_PASSWORD": USER_PW}), "user add in the second")
    # check without --community goes through every community
    cp = run_cli("check", "--db", db, timeout=300)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    assert "110105087003" in cp.stdout and OTHER in cp.stdout and "检查通过" in cp.stdout, cp.stdout
    cp = run_cli("check", "--db", db, "--community", OTHER, timeout=300)
    assert cp.returncode == 0 and "检查通过" in cp.stdout, cp.stdout
    if not PG:   # a backup is of the whole store, however many communities it holds
        cp = run_cli("backup", "--db", db, "--out", tmp_path / "all.db", timeout=300)
        assert cp.returncode == 0, cp.stderr
        assert db_scalar(tmp_path / "all.db", "SELECT count(*) FROM community") == 2
    n_a = db_scalar(db, "SELECT count(*) FROM person WHERE community = '110105087003' AND status = 'active'")
    n_b = db_scalar(db, f"SELECT count(*) FROM person WHERE community = '{OTHER}' AND status = 'active'")
    assert n_a and n_b and n_a != n_b, (n_a, n_b)

    wd = tmp_path / "srv"
    wd.mkdir()
    s = Server(db, wd).start()
    try:
        a = s.login_token("admin", ADMIN_PW)
        b = s.login_token("admin2", ADMIN_PW)
        w = s.login_token("gongzuo_b", USER_PW)
        assert ok(s.api("GET", "/persons", a, params={"per_page": 1}))["total"] == n_a
        assert ok(s.api("GET", "/persons", b, params={"per_page": 1}))["total"] == n_b
        assert ok(s.api("GET", "/persons", w, params={"per_page": 1}))["total"] == n_b
        # a person of the second community is not there for the first
        pid = ok(s.api("GET", "/persons", b, params={"per_page": 1}))["items"][0]["id"]
        name = body_of(s.api("GET", f"/persons/{pid}", b))["name"]
        check_error(s.api("GET", f"/persons/{pid}", a), 404, None)
        assert pid not in s.search_ids(name[:2], a)
        assert pid in s.search_ids(name[:2], b)
        # a new person lands in its creator's community
        new = s.new_person(b)
        assert str(db_scalar(db, f"SELECT community FROM person WHERE id = {new}")) == OTHER
        # the statistics count each its own community
        for tok, n in ((a, n_a), (b, n_b)):
            r = s.api("GET", "/stats", tok)
            assert r.status_code == 200, r.text
            assert str(n) in r.text, (n, r.text[:300])
    finally:
        s.stop()
