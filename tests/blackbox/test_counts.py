"""The maintained counts behind the dashboard and the area pages (issue 10):
kept in every writing transaction whatever wrote, equal to the rows after
creates, changes, de-registrations and ledger closings; `juwei check` finds
them wrong and `juwei check --repair` rebuilds them.  On both stores.
"""
import datetime

from conftest import ADMIN_PW, COMMUNITY_CODE, Server, _must, db_exec, db_scalar, init_store, run_cli
from juwei_util import ok


def truth(db):
    """The dashboard's figures counted from the rows."""
    q = lambda sql: int(db_scalar(db, sql))
    act = f"FROM person WHERE community = '{COMMUNITY_CODE}' AND status = 'active'"
    return {
        "persons": q(f"SELECT count(*) {act}"),
        "migrant": q(f"SELECT count(*) {act} AND residence_type = 'migrant'"),
        "registered": q(f"SELECT count(*) {act} AND residence_type = 'registered'"),
        "living_only": q(f"SELECT count(*) {act} AND hukou_status = 'living_only'"),
        "deregistered": q(f"SELECT count(*) FROM person WHERE community = '{COMMUNITY_CODE}' "
                          "AND status = 'deregistered'"),
        "households": q(f"SELECT count(*) FROM household WHERE community = '{COMMUNITY_CODE}'"),
        "houses": q(f"SELECT count(*) FROM house WHERE community = '{COMMUNITY_CODE}'"),
        "grids": q(f"SELECT count(*) FROM grid WHERE community = '{COMMUNITY_CODE}'"),
    }


def shown(s, tok):
    st = ok(s.api("GET", "/stats", tok))
    return {k: st[k] for k in ("persons", "migrant", "registered", "living_only", "deregistered",
                               "households", "houses", "grids")}


def elderly_open(s, tok):
    return ok(s.api("GET", "/ledgers/elderly/entries", tok, params={"per_page": 1}))["total"]


def test_counts_follow_every_write_and_check_repairs_them(tmp_path):
    db = init_store(tmp_path)
    _must(run_cli("demo", "--db", db, "--persons", 120, timeout=300), "demo")
    wd = tmp_path / "srv"
    wd.mkdir()
    s = Server(db, wd).start()
    try:
        t = s.login_token("admin", ADMIN_PW)
        assert shown(s, t) == truth(db)
        # writes of each kind: a create, a change of type, a de-registration
        pid = s.new_person(t, residence_type="migrant")
        ids = [p["id"] for p in ok(s.api("GET", "/persons", t, params={"per_page": 5}))["items"]]
        ok(s.api("PATCH", f"/persons/{ids[0]}", t, json={"residence_type": "migrant"}))
        ok(s.api("POST", f"/persons/{ids[1]}/deregister", t, json={"reason": "moved_away", "date": "2026-01-05"}))
        ok(s.api("POST", f"/persons/{pid}/deregister", t, json={"reason": "moved_away", "date": "2026-01-06"}))
        assert shown(s, t) == truth(db)
        # a ledger's open entries, on its page, as entries open and close
        def volunteers():
            return ok(s.api("GET", "/ledgers/volunteers/entries", t, params={"per_page": 1}))["total"]
        n0 = volunteers()
        made = [body["id"] for body in (
            ok(s.api("POST", "/ledgers/volunteers/entries", t,
                     json={"subject_id": i, "fields": {"team": "助老服务队"}}), 201) for i in ids[2:5])]
        assert volunteers() == n0 + 3
        ok(s.api("PATCH", f"/ledgers/volunteers/entries/{made[0]}", t,
                 json={"end_date": datetime.date.today().isoformat(), "end_reason": "退出"}))
        assert volunteers() == n0 + 2
        assert int(db_scalar(db, f"SELECT sum(n) FROM tally WHERE community = '{COMMUNITY_CODE}' "
                                 "AND kind = 'volunteers'")) == n0 + 2
    finally:
        s.stop()
    cp = run_cli("check", "--db", db, timeout=300)
    assert cp.returncode == 0, cp.stdout
    # counts that went wrong behind the program's back: found, then rebuilt
    db_exec(db, "UPDATE tally SET n = n + 7 WHERE kind = 'person' AND k1 = 'active'",
            "DELETE FROM tally WHERE kind = 'house'")
    cp = run_cli("check", "--db", db, timeout=300)
    assert cp.returncode == 1 and "维护计数" in cp.stdout and "--repair" in cp.stdout, cp.stdout
    cp = run_cli("check", "--db", db, "--repair", timeout=300)
    assert cp.returncode == 0 and "重建" in cp.stdout and "检查通过" in cp.stdout, cp.stdout
    assert int(db_scalar(db, "SELECT count(*) FROM audit WHERE action = 'repair'")) == 1
    s = Server(db, wd).start()
    try:
        assert shown(s, s.login_token("admin", ADMIN_PW)) == truth(db)
    finally:
        s.stop()
