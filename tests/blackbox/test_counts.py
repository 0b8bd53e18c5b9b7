"""The maintained counts behind the dashboard and the area pages (issue 10):
kept in every writing transaction whatever wrote, equal to the rows after
creates, changes, de-registrations and ledger closings; `juwei check` finds
them wrong and `juwei check --repair` rebuilds them.  On both stores.
"""
import datetime

from conftest import ADMIN_PW, COMMUNITY_CODE, Server, _must, db_exec, db_rows, db_scalar, init_store, run_cli
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


def demo_server(tmp_path, persons):
    """A demo community of persons, served: (store, its folder, server)."""
    db = init_store(tmp_path)
    _must(run_cli("demo", "--db", db, "--persons", persons, timeout=300), "demo")
    wd = tmp_path / "srv"
    wd.mkdir()
    return db, wd, Server(db, wd).start()


def test_counts_follow_every_write_and_check_repairs_them(tmp_path):
    db, wd, s = demo_server(tmp_path, 120)
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


def _years_ago(d, years):
    """The same day years before (29 February: the 28th in a common year)."""
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)


def _age5(birth, today):
    """The 5-year group of whole years on today (born 29 February: the
    birthday is 28 February in a common year), None without a date."""
    if not birth:
        return None
    y, m, d = (int(x) for x in birth.split("-"))
    leap = today.year % 4 == 0 and (today.year % 100 != 0 or today.year % 400 == 0)
    if (m, d) == (2, 29) and not leap:
        d = 28
    age = today.year - y - ((today.month, today.day) < (m, d))
    return None if age < 0 else min(20, age // 5)


def stats_truth(db, table, cond, today):
    """What a statistics page must show, counted from the rows: the pyramid,
    sex, unknown ages, grids and buildings (most first, then by id)."""
    rows = db_rows(db, f"SELECT sex, birth_date, grid_id, building_id FROM {table} "
                       f"WHERE community = '{COMMUNITY_CODE}' AND {cond}")
    men, women = [0] * 21, [0] * 21
    sex = {"男": 0, "女": 0, "未知": 0}
    unknown = 0
    grids, buildings = {}, {}
    for sx, bd, g, b in rows:
        sx = sx or ""
        a = _age5(bd or None, today)
        sex["男" if sx == "1" else "女" if sx == "2" else "未知"] += 1
        if a is None:
            unknown += 1
        elif sx == "1":
            men[a] += 1
        elif sx == "2":
            women[a] += 1
        g = int(g) if g not in (None, "") else 0
        b = int(b) if b not in (None, "") else 0
        grids[g] = grids.get(g, 0) + 1
        buildings[b] = buildings.get(b, 0) + 1
    top = sorted(buildings.items(), key=lambda kv: (-kv[1], kv[0]))[:30]
    return {"total": len(rows), "men": men, "women": women, "by_sex": sex, "age_unknown": unknown,
            "by_grid": grids, "by_building": top}


def stats_shown(st):
    return {"total": st["total"], "men": [p["men"] for p in st["pyramid"]],
            "women": [p["women"] for p in st["pyramid"]], "by_sex": st["by_sex"],
            "age_unknown": st["age_unknown"],
            "by_grid": {g["grid_id"]: g["count"] for g in st["by_grid"]},
            "by_building": [(b["building_id"], b["count"]) for b in st["by_building"]]}


def test_statistics_read_the_counts_and_follow_writes(tmp_path):
    """The pyramid, sexes, grids, buildings, the dashboard's 60+/80+ and a
    ledger's monthly trend come from the maintained counts (migration 13):
    equal to the rows after creates on the very days an age group turns,
    changes of sex and birth date, de-registrations and closed entries."""
    from juwei_util import make_id
    db, _, s = demo_server(tmp_path, 150)
    try:
        t = s.login_token("admin", ADMIN_PW)
        today = datetime.date.today()
        # born on the day a group turns, and the day after (not yet)
        made = []
        for i, years in enumerate((60, 65, 80, 100, 5)):
            for j, born in enumerate((_years_ago(today, years),
                                      _years_ago(today, years) + datetime.timedelta(days=1))):
                seq = f"{(i * 2 + j) * 2 + 301:03d}"
                made.append(s.new_person(t, id_number=make_id("110108", born.strftime("%Y%m%d"), seq)))
        # a change of sex and birth date, a de-registration
        ids = [p["id"] for p in ok(s.api("GET", "/persons", t, params={"per_page": 8}))["items"]]
        born = _years_ago(today, 70) - datetime.timedelta(days=3)
        ok(s.api("PATCH", f"/persons/{made[-1]}", t,
                 json={"id_number": make_id("110108", born.strftime("%Y%m%d"), "402"),
                       "sex": "2", "birth_date": born.isoformat()}))
        ok(s.api("POST", f"/persons/{ids[0]}/deregister", t, json={"reason": "moved_away",
                                                                     "date": today.isoformat()}))
        ok(s.api("POST", "/ledgers/derive", t))
        # an elderly entry closed today: its person de-registered
        el = ok(s.api("GET", "/ledgers/elderly/entries", t, params={"per_page": 1}))["items"][0]
        ok(s.api("POST", f"/persons/{el['subject_id']}/deregister", t, json={"reason": "died",
                                                                               "date": today.isoformat()}))

        persons = stats_truth(db, "person", "status = 'active'", today)
        assert stats_shown(ok(s.api("GET", "/stats/community", t))) == persons
        elderly = stats_truth(db, "ledger_entry", "ledger = 'elderly' AND end_date IS NULL", today)
        st = ok(s.api("GET", "/ledgers/elderly/stats", t))
        assert stats_shown(st) == elderly
        names = dict(db_rows(db, "SELECT id, name FROM building"))
        for b in st["by_building"]:   # the names, read in one list
            assert b["name"] == (names.get(b["building_id"]) or names.get(str(b["building_id"])) or "未登记房屋"), b
        for tr in st["trend"]:
            m = tr["month"]
            assert tr["opened"] == int(db_scalar(db, "SELECT count(*) FROM ledger_entry WHERE ledger = 'elderly'"
                                                     f" AND substr(start_date, 1, 7) = '{m}'")), tr
            assert tr["closed"] == int(db_scalar(db, "SELECT count(*) FROM ledger_entry WHERE ledger = 'elderly'"
                                                     f" AND substr(end_date, 1, 7) = '{m}'")), tr
        assert st["trend"][-1]["closed"] >= 1
        dash = ok(s.api("GET", "/stats", t))
        for key, years in (("over60", 60), ("over80", 80)):
            by = _years_ago(today, years).isoformat()
            assert dash[key] == int(db_scalar(db, f"SELECT count(*) FROM person WHERE community = '{COMMUNITY_CODE}'"
                                                  f" AND status = 'active' AND birth_date <= '{by}'")), key
    finally:
        s.stop()
    cp = run_cli("check", "--db", db, timeout=300)
    assert cp.returncode == 0, cp.stdout
