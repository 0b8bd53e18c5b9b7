"""A street office and a district over the communities of one store
(issue 10): users scoped to a 9- or 6-digit code, who read figures per
community and in sum and look into one community's statistics, and nothing
else — no names, no restricted ledger, no write.  On both stores.
"""
import pytest

from conftest import ADMIN_PW, COMMUNITY_CODE, Server, _must, db_scalar, init_store, run_cli
from juwei_util import HAN, USER_PW, Web, check_error, ok

STREET = COMMUNITY_CODE[:9]          # 110105087
SECOND = STREET + "004"              # a second community of the street
ELSEWHERE = "110105088001"           # a community of another street, same district
DISTRICT = COMMUNITY_CODE[:6]
RESTRICTED = "correction"


@pytest.fixture(scope="module")
def area(tmp_path_factory):
    wd = tmp_path_factory.mktemp("area")
    db = init_store(wd)
    _must(run_cli("demo", "--db", db, "--persons", 60, timeout=300), "demo in the first")
    for code, name, seed in ((SECOND, "第二社区居民委员会", 5), (ELSEWHERE, "外街社区居民委员会", 9)):
        _must(run_cli("community", "add", code, name, "--admin", "admin" + code[-4:], "--db", db,
                      env={"JUWEI_ADMIN_PASSWORD": ADMIN_PW}), "community add")
        _must(run_cli("demo", "--db", db, "--persons", 30 + seed, "--seed", seed, "--community", code,
                      timeout=300), "demo")
    _must(run_cli("community", "add", STREET, "建外街道办事处", "--db", db), "name the street")
    for user, scope in (("jiedao", STREET), ("quji", DISTRICT)):
        _must(run_cli("user", "add", user, "--role", "director", "--scope", scope, "--db", db,
                      env={"JUWEI_PASSWORD": USER_PW}), "user add --scope")
    s = Server(db, wd).start()
    yield s, db
    s.stop()


def persons_in(db, code):
    return int(db_scalar(db, f"SELECT count(*) FROM person WHERE community = '{code}' AND status = 'active'"))


def open_entries(db, code_like, ledger):
    return int(db_scalar(db, f"SELECT count(*) FROM ledger_entry WHERE community LIKE '{code_like}%' "
                             f"AND ledger = '{ledger}' AND end_date IS NULL"))


def test_cli_names_areas_and_scopes_users(tmp_path):
    db = init_store(tmp_path)
    cp = run_cli("community", "add", STREET, "建外街道办事处", "--db", db)
    assert cp.returncode == 0 and "街道" in cp.stdout, cp.stdout + cp.stderr
    listed = run_cli("community", "list", "--db", db)
    assert listed.returncode == 0 and "建外街道办事处" in listed.stdout and COMMUNITY_CODE in listed.stdout
    for bad in ("11010508", "1101050870"):   # neither a street's nor a district's code
        cp = run_cli("community", "add", bad, "某街道", "--db", db)
        assert cp.returncode != 0 and HAN.search(cp.stderr), cp.stderr
    cp = run_cli("community", "add", STREET, "建外街道", "--admin", "x", "--db", db)
    assert cp.returncode != 0 and "--scope" in cp.stderr, cp.stderr
    env = {"JUWEI_PASSWORD": USER_PW}
    # a scope must hold a community; a street's user is in no grid
    cp = run_cli("user", "add", "nobody", "--role", "director", "--scope", "110105099", "--db", db, env=env)
    assert cp.returncode != 0 and "110105099" in cp.stderr, cp.stderr
    cp = run_cli("user", "add", "wangge", "--role", "grid_worker", "--scope", STREET, "--db", db, env=env)
    assert cp.returncode != 0 and HAN.search(cp.stderr), cp.stderr
    cp = run_cli("user", "add", "ghost", "--role", "worker", "--scope", "110105087199", "--db", db, env=env)
    assert cp.returncode != 0 and "110105087199" in cp.stderr, cp.stderr
    _must(run_cli("user", "add", "jiedao", "--role", "worker", "--scope", STREET, "--db", db, env=env), "add")
    assert str(db_scalar(db, "SELECT community FROM app_user WHERE username = 'jiedao'")) == STREET


def test_street_sees_its_communities_per_community_and_in_sum(area):
    s, db = area
    t = s.login_token("jiedao", USER_PW)
    me = ok(s.api("GET", "/me", t))
    assert me["scope"] == STREET and me["scope_level"] == "street"
    v = ok(s.api("GET", "/area", t))
    assert v["code"] == STREET and v["name"] == "建外街道办事处"
    codes = [c["code"] for c in v["communities"]]
    assert codes == [COMMUNITY_CODE, SECOND], codes          # not the other street's
    for c in v["communities"]:
        assert c["stats"]["persons"] == persons_in(db, c["code"]) > 0
    for k in ("persons", "households", "houses", "over60", "migrant"):
        assert v["total"][k] == sum(c["stats"][k] for c in v["communities"]), k
    keys = {l["key"]: l["open"] for l in v["ledgers"]}
    assert RESTRICTED not in keys and "elderly" in keys
    assert keys["elderly"] == open_entries(db, STREET, "elderly") > 0
    # one ledger per community; the community's own figures are its admin's
    el = ok(s.api("GET", "/area/ledgers/elderly", t))
    assert el["total"] == keys["elderly"]
    admin = s.login_token("admin", ADMIN_PW)
    mine = ok(s.api("GET", "/stats", admin))
    for c in el["communities"]:
        assert c["open"] == open_entries(db, c["code"], "elderly")
    assert ok(s.api("GET", "/stats", t, params={"community": COMMUNITY_CODE})) == mine
    assert ok(s.api("GET", "/stats", t))["persons"] == v["total"]["persons"]
    st = ok(s.api("GET", "/ledgers/elderly/stats", t, params={"community": COMMUNITY_CODE}))
    assert st == ok(s.api("GET", "/ledgers/elderly/stats", admin))
    total = ok(s.api("GET", "/ledgers/elderly/stats", t))
    assert total["total"] == keys["elderly"] and total["by_grid"] == []
    assert ok(s.api("GET", "/stats/community", t))["total"] == v["total"]["persons"]


def test_district_spans_its_streets(area):
    s, db = area
    t = s.login_token("quji", USER_PW)
    v = ok(s.api("GET", "/area", t))
    assert [c["code"] for c in v["communities"]] == [COMMUNITY_CODE, SECOND, ELSEWHERE]
    assert v["level"] == "district"
    assert v["total"]["persons"] == sum(persons_in(db, c) for c in (COMMUNITY_CODE, SECOND, ELSEWHERE))
    ok(s.api("GET", "/stats", t, params={"community": ELSEWHERE}))


def test_street_reads_figures_only(area):
    s, db = area
    t = s.login_token("jiedao", USER_PW)
    for path in ("/persons", "/households", "/ledgers", "/ledgers/elderly/entries", "/audit", "/reminders"):
        check_error(s.api("GET", path, t), 403, "forbidden")
    check_error(s.api("POST", "/persons", t, json={"name": "张三"}), 403, "forbidden")
    for path in (f"/area/ledgers/{RESTRICTED}", f"/ledgers/{RESTRICTED}/stats"):
        r = s.api("GET", path, t, params={"community": COMMUNITY_CODE})
        check_error(r, 403, "forbidden")
        assert "受限" in r.text
    # another street's community, a code that is no community, a bad code
    for code, status in ((ELSEWHERE, 404), (STREET + "199", 404), ("12ab", 400)):
        e = check_error(s.api("GET", "/stats", t, params={"community": code}), status)
        assert e["error"]["field"] == "community", e
    # a community's user: only its own, and no area page
    a = s.login_token("admin", ADMIN_PW)
    check_error(s.api("GET", "/area", a), 403, "forbidden")
    e = check_error(s.api("GET", "/stats", a, params={"community": SECOND}), 403, "forbidden")
    assert e["error"]["field"] == "community", e
    ok(s.api("GET", "/stats", a, params={"community": COMMUNITY_CODE}))
    # its sign-in is recorded under its own scope
    assert int(db_scalar(db, f"SELECT count(*) FROM audit WHERE community = '{STREET}' "
                             "AND action = 'login' AND username = 'jiedao'")) >= 1


def test_street_pages(area):
    s, db = area
    w = Web(s.base)
    w.login("jiedao", USER_PW)
    r = w.get("/")
    assert r.status_code in (302, 303) and r.headers["Location"].endswith("/area")
    r = w.get("/area")
    assert r.status_code == 200
    assert "建外街道办事处" in r.text and "第二社区居民委员会" in r.text and "外街社区" not in r.text
    assert f"/stats?community={SECOND}" in r.text and "/area/ledgers/elderly" in r.text
    assert f"/area/ledgers/{RESTRICTED}" not in r.text
    assert f">{persons_in(db, SECOND)}<" in r.text
    r = w.get(f"/stats?community={SECOND}")
    assert r.status_code == 200 and "第二社区居民委员会" in r.text
    r = w.get("/area/ledgers/elderly")
    assert r.status_code == 200 and f"/ledgers/elderly/stats?community={COMMUNITY_CODE}" in r.text
    assert w.get("/ledgers/elderly/stats").status_code == 200
    assert w.get("/persons").status_code == 403
