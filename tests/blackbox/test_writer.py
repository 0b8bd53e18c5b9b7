"""The writer: concurrent writes are queued and committed in groups.

Short writes (POST, PATCH) are run by one writer thread, several in one
transaction, each request's own transaction a savepoint in it; the answer
leaves only after the commit.  What must hold whatever the grouping:
every write answered 201 is stored, with its audit record; a refused
write (422, 409) leaves nothing and spoils none of the others in its
group; two creates of the same ID number at once store exactly one; and a
server stopped in the middle of a stream of writes exits cleanly, having
answered or stored nothing half-way.
"""
import signal
import sqlite3
import threading

import pytest
import requests

from conftest import PG, UNDO_TALLY, db_rows, db_scalar
from juwei_util import ADMIN_PW, USER_PW, Web, check_error, new_id, new_name, ok


def _hammer(s, token, bodies, path="/persons"):
    """Posts every body from its own thread at once; the responses in order."""
    out = [None] * len(bodies)
    start = threading.Barrier(len(bodies))

    def one(i):
        start.wait()
        out[i] = s.api("POST", path, token, json=bodies[i], timeout=60)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return out


def _person(**kw):
    b = {"name": new_name(), "id_number": new_id(), "residence_type": "registered"}
    b.update(kw)
    return b


def test_concurrent_creates_are_all_stored_and_audited(fresh_server):
    s = fresh_server
    token = s.login_token("admin", ADMIN_PW)
    before = ok(s.api("GET", "/persons", token, params={"per_page": 1}))["total"]
    bodies = [_person() for _ in range(48)]
    got = _hammer(s, token, bodies)
    assert all(r.status_code == 201 for r in got), [(r.status_code, r.text[:200]) for r in got if r.status_code != 201]
    ids = [r.json()["id"] for r in got]
    assert len(set(ids)) == len(ids)
    after = ok(s.api("GET", "/persons", token, params={"per_page": 1}))["total"]
    assert after == before + len(bodies)
    for body, pid in zip(bodies[:6], ids[:6]):
        p = ok(s.api("GET", f"/persons/{pid}", token))
        assert p["name"] == body["name"], p
        a = ok(s.api("GET", "/audit", token, params={"entity": "person", "entity_id": pid}))
        assert [x["action"] for x in a["items"]].count("create") == 1, a


def test_a_refused_write_spoils_no_other_in_its_group(fresh_server):
    s = fresh_server
    token = s.login_token("admin", ADMIN_PW)
    good = [_person() for _ in range(24)]
    bad = [_person(birth_date="2099-13-45", id_number=None) for _ in range(8)]   # 422
    bad = [{k: v for k, v in b.items() if v is not None} for b in bad]
    bodies = []
    for i in range(24):
        bodies.append(good[i])
        if i % 3 == 0:
            bodies.append(bad[i // 3])
    got = _hammer(s, token, bodies)
    for body, r in zip(bodies, got):
        if body in good:
            assert r.status_code == 201, r.text[:300]
        else:
            check_error(r, 422)
    for body in good[:8]:
        hits = ok(s.api("GET", "/persons", token, params={"q": body["name"]}))
        assert any(x["name"] == body["name"] for x in hits["items"]), body
    for body in bad:
        hits = ok(s.api("GET", "/persons", token, params={"q": body["name"]}))
        assert not any(x["name"] == body["name"] for x in hits["items"]), body


def test_the_same_id_number_twice_at_once_stores_one(fresh_server):
    s = fresh_server
    token = s.login_token("admin", ADMIN_PW)
    idn = new_id()
    bodies = [_person(id_number=idn) for _ in range(6)] + [_person() for _ in range(10)]
    got = _hammer(s, token, bodies)
    same = [r.status_code for r in got[:6]]
    assert same.count(201) == 1 and same.count(409) == 5, same
    assert all(r.status_code == 201 for r in got[6:])
    hits = ok(s.api("GET", "/persons", token, params={"q": idn[-6:]}))
    assert sum(1 for x in hits["items"] if x["name"] in {b["name"] for b in bodies[:6]}) == 1


def test_pages_and_ledger_writes_go_through_the_writer_too(server_factory):
    s = server_factory(users=[("worker", "gongzuo5", "worker", None)])
    token = s.login_token("gongzuo5", USER_PW)
    bodies = [{"fields": {"work_date": "2026-12-01", "category": "会议", "content": f"议事会 第{i}次"}}
              for i in range(20)]
    got = _hammer(s, token, bodies, "/ledgers/worklog/entries")
    assert all(r.status_code == 201 for r in got), [r.text[:200] for r in got if r.status_code != 201]
    lst = ok(s.api("GET", "/ledgers/worklog/entries", token, params={"per_page": 100}))
    assert lst["total"] == 20
    # a page's form write: CSRF checked, then stored, then redirected
    web = Web(s.base)
    web.login("gongzuo5", USER_PW)
    csrf = web.csrf("/ledgers/worklog")
    form = {"work_date": "2026-12-02", "category": "会议", "content": "网页填写的一条"}
    r = web.post("/ledgers/worklog", {**form, "_csrf": csrf})
    assert r.status_code in (302, 303), r.text[:300]
    r = web.post("/ledgers/worklog", {**form, "_csrf": "0" * 64, "content": "令牌不对"})
    assert r.status_code == 403
    lst = ok(s.api("GET", "/ledgers/worklog/entries", token, params={"per_page": 100}))
    assert lst["total"] == 21
    assert any(x["fields"]["content"] == "网页填写的一条" for x in lst["items"])


def test_stopped_while_writing_exits_cleanly_and_keeps_every_answered_write(fresh_server):
    s = fresh_server
    token = s.login_token("admin", ADMIN_PW)
    stored, stop = [], threading.Event()
    lock = threading.Lock()

    def writer():
        while not stop.is_set():
            b = _person()
            try:
                r = s.api("POST", "/persons", token, json=b, timeout=10)
            except requests.RequestException:
                return   # the server went away: no answer, no promise
            if r.status_code == 201:
                with lock:
                    stored.append((r.json()["id"], b["id_number"]))

    threads = [threading.Thread(target=writer) for _ in range(12)]
    for t in threads:
        t.start()
    while len(stored) < 60:
        threading.Event().wait(0.05)
    s.proc.send_signal(signal.SIGTERM)
    rc = s.proc.wait(20)
    stop.set()
    for t in threads:
        t.join(30)
    s.proc = None
    assert rc == 0, s.stderr_text()
    assert "已停止" in s.stdout_text()
    if not PG:
        assert db_scalar(s.db, "PRAGMA integrity_check") == "ok"
    numbers = {int(i): n for i, n in db_rows(s.db, "SELECT id, id_number FROM person")}
    for pid, idn in stored:
        assert numbers.get(pid) == idn, (pid, idn, numbers.get(pid))
    n_audit = db_scalar(s.db, "SELECT count(*) FROM audit WHERE entity = 'person' AND action = 'create'")
    n_person = db_scalar(s.db, "SELECT count(*) FROM person")
    assert n_audit == n_person   # no person without its audit record, nor the other way


@pytest.mark.sqlite_file
def test_ledger_settings_of_a_version_9_store_survive_its_upgrade(server_factory):
    """Migration 10 moves a committee's own ledger definitions and the named
    readers of restricted ledgers from their tables into meta."""
    s = server_factory(users=[("director", "zhuren7", "director", None), ("worker", "gongzuo7", "worker", None)])
    d = s.login_token("zhuren7", USER_PW)
    pets = {"key": "pets9", "title": "养犬登记台账", "subject": "person",
            "fields": [{"name": "breed", "label": "犬种", "type": "text"}]}
    ok(s.api("POST", "/ledgers", d, json=pets), 201)
    ok(s.api("POST", "/ledgers/correction/readers", d, json={"username": "gongzuo7"}), 204)
    s.stop()
    c = sqlite3.connect(str(s.db))
    try:
        with c:
            (uid,), = c.execute("SELECT id FROM app_user WHERE username = 'gongzuo7'").fetchall()
            (code, defn), = c.execute("SELECT substr(key, 12, 12), value FROM meta WHERE key LIKE 'ledger_def/%'")
            # the store as version 9 kept them
            c.execute("CREATE TABLE ledger_custom (community TEXT NOT NULL, key TEXT NOT NULL, def TEXT NOT NULL,"
                      " created_at INTEGER, PRIMARY KEY (community, key))")
            c.execute("CREATE TABLE ledger_reader (community TEXT NOT NULL, ledger TEXT NOT NULL,"
                      " user_id INTEGER NOT NULL, PRIMARY KEY (community, ledger, user_id))")
            c.execute("INSERT INTO ledger_custom VALUES (?, 'pets9', ?, 1)", (code, defn))
            c.execute("INSERT INTO ledger_reader VALUES (?, 'correction', ?)", (code, uid))
            c.execute("DELETE FROM meta WHERE key LIKE 'ledger_def/%' OR key LIKE 'ledger_reader/%'")
            for undo in UNDO_TALLY:   # migration 12, which runs again
                c.execute(undo)
            c.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    finally:
        c.close()
    s.start()
    w = s.login_token("gongzuo7", USER_PW)
    keys = {x["key"] for x in ok(s.api("GET", "/ledgers", w))["items"]}
    assert "pets9" in keys
    ok(s.api("GET", "/ledgers/correction/entries", w))   # still a named reader
    c = sqlite3.connect(str(s.db))
    try:
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        assert not {"ledger_custom", "ledger_reader"} & tables
    finally:
        c.close()
