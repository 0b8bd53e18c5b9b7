"""Backup, restore and check: a committee's one file must survive the office PC.

`juwei backup` copies the store online (while `serve` runs and writes) and
reports success only after the copy passed its check; `juwei restore`
refuses a file that fails the check and keeps the replaced store aside;
`juwei check` finds derived data that disagrees with the registry; `serve`
makes a daily backup itself and keeps the last 30; the desk shows the last
good backup.
"""
import datetime
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import BIN, PG, Server, _clean_env, db_exec, free_port, run_cli
from juwei_util import ADMIN_PW, HAN, new_id, new_name


def sha(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def tables(db):
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [r[0] for r in c.execute(
            "SELECT name FROM sqlite_schema WHERE type='table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            " AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {n: sorted(map(repr, c.execute(f'SELECT * FROM "{n}"'))) for n in names}
    finally:
        c.close()


def web_login(base):
    w = requests.Session()
    page = w.get(base + "/login")
    csrf = page.text.split('name="_csrf" value="')[1].split('"')[0]
    r = w.post(base + "/login", data={"_csrf": csrf, "username": "admin", "password": ADMIN_PW},
               allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return w


def backup_line(base):
    r = web_login(base).get(base + "/")
    assert r.status_code == 200
    m = re.search(r'<p class="notice (\w+)" id="backup-status">(.*?)</p>', r.text, re.S)
    assert m, "the dashboard shows no backup status"
    return m.group(1), m.group(2)


@pytest.mark.sqlite_file
def test_backup_while_serving_restore_compare_check(server_factory, tmp_path):
    s = server_factory(demo_persons=300)
    tok = s.login_token("admin", ADMIN_PW)
    stop = threading.Event()
    made = []

    def writer():
        while not stop.is_set():
            r = s.api("POST", "/persons", tok, json={"name": new_name(), "id_number": new_id(),
                                                       "residence_type": "registered"})
            if r.status_code == 201:
                made.append(r.json()["id"])

    t = threading.Thread(target=writer)
    t.start()
    try:
        while len(made) < 5:
            time.sleep(0.05)
        out = tmp_path / "b1.db"
        cp = run_cli("backup", "--db", s.db, "--out", out)
        n_during = len(made)
        while len(made) < n_during + 5:   # serve kept writing during the backup
            time.sleep(0.05)
    finally:
        stop.set()
        t.join()
    assert cp.returncode == 0, cp.stderr
    assert HAN.search(cp.stdout) and "完整性检查" in cp.stdout
    assert out.exists() and not Path(str(out) + ".tmp").exists()
    assert not any(p.name.startswith("b1.db.tmp") for p in tmp_path.iterdir())

    # restore into a new path: every table as in the backup (plus the restore's audit row)
    new = tmp_path / "restored.db"
    cp = run_cli("restore", "--db", new, "--from", out)
    assert cp.returncode == 0, cp.stderr
    a, b = tables(out), tables(new)
    assert a.keys() == b.keys()
    for name in a:
        if name == "audit":
            extra = set(b[name]) - set(a[name])
            assert set(a[name]) <= set(b[name]) and len(extra) == 1 and "'restore'" in next(iter(extra))
        else:
            assert a[name] == b[name], f"table {name} differs after restore"
    persons = {r[0] for r in sqlite3.connect(new).execute("SELECT id FROM person")}
    assert 300 <= len(persons) and set(made[:5]) <= persons
    cp = run_cli("check", "--db", new)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    assert "检查通过" in cp.stdout

    # with the writes over, a backup holds exactly what the store holds
    out2 = tmp_path / "b2.db"
    cp = run_cli("backup", "--db", s.db, "--out", out2)
    assert cp.returncode == 0, cp.stderr
    live, copy = tables(s.db), tables(out2)
    for name in live:
        if name in ("audit", "meta", "session"):
            continue
        assert live[name] == copy[name], f"table {name} differs in the backup"
    assert set(made) <= {r[0] for r in sqlite3.connect(out2).execute("SELECT id FROM person")}
    # the runs are audited, without personal values
    c = sqlite3.connect(s.db)
    rows = c.execute("SELECT action, new_json FROM audit WHERE action = 'backup'").fetchall()
    assert len(rows) == 2 and all('"ok":true' in j for _, j in rows)
    c2 = sqlite3.connect(new)
    assert c2.execute("SELECT count(*) FROM audit WHERE action='restore'").fetchone()[0] == 1
    assert c2.execute("SELECT count(*) FROM audit WHERE action='check'").fetchone()[0] == 1


def _store_copy(s, tmp_path, name):
    cp = run_cli("backup", "--db", s.db, "--out", tmp_path / name)
    assert cp.returncode == 0, cp.stderr
    return tmp_path / name


@pytest.mark.sqlite_file
def test_restore_refuses_bad_files_and_leaves_store_untouched(server_factory, tmp_path):
    s = server_factory(demo_persons=100)
    good = _store_copy(s, tmp_path, "good.db")
    s.stop()
    target = tmp_path / "target.db"
    assert run_cli("restore", "--db", target, "--from", good).returncode == 0
    before = sha(target)

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"PK\x03\x04 not a database at all " * 100)
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(good.read_bytes()[:len(good.read_bytes()) // 3])
    corrupt = tmp_path / "corrupt.db"
    data = bytearray(good.read_bytes())
    data[4096 * 3:4096 * 23] = os.urandom(4096 * 20)
    corrupt.write_bytes(bytes(data))
    foreign = tmp_path / "foreign.db"
    c = sqlite3.connect(foreign)
    c.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    c.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    c.commit()
    c.close()
    newer = tmp_path / "newer.db"
    shutil.copy(good, newer)
    c = sqlite3.connect(newer)
    c.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    c.commit()
    c.close()

    for bad, why in [(garbage, "不是"), (truncated, "损坏"), (corrupt, "损坏"), (foreign, "其他程序"),
                     (newer, "新"), (tmp_path / "missing.db", "无法打开")]:
        cp = run_cli("restore", "--db", target, "--from", bad)
        assert cp.returncode != 0, f"{bad.name} was restored"
        assert why in cp.stderr and HAN.search(cp.stderr), (bad.name, cp.stderr)
        assert sha(target) == before, f"{bad.name}: the store changed"
        assert not [p for p in tmp_path.iterdir() if ".replaced-" in p.name or ".restore.tmp" in p.name]
    assert run_cli("check", "--db", target).returncode == 0


@pytest.mark.sqlite_file
def test_restore_keeps_replaced_store_aside(server_factory, tmp_path):
    s = server_factory(demo_persons=50)
    b = _store_copy(s, tmp_path, "before.db")
    later = s.new_person(token=s.login_token("admin", ADMIN_PW), name="后来登记")   # after the backup
    s.stop()
    cp = run_cli("restore", "--db", s.db, "--from", b)
    assert cp.returncode == 0, cp.stderr
    aside = [p for p in s.db.parent.iterdir() if p.name.startswith(s.db.name + ".replaced-")
             and not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1 and aside[0].name in cp.stdout
    q = "SELECT count(*) FROM person WHERE id = ?"
    assert sqlite3.connect(aside[0]).execute(q, (later,)).fetchone()[0] == 1
    assert sqlite3.connect(s.db).execute(q, (later,)).fetchone()[0] == 0
    s.start()   # the restored store serves
    assert s.api("GET", f"/persons/{later}", s.login_token("admin", ADMIN_PW)).status_code == 404


@pytest.mark.sqlite_file
def test_restore_refused_while_server_holds_store(server_factory, tmp_path):
    s = server_factory(demo_persons=20)
    b = _store_copy(s, tmp_path, "b.db")
    before = tables(s.db)["person"]
    cp = run_cli("restore", "--db", s.db, "--from", b)
    assert cp.returncode != 0 and "serve" in cp.stderr and HAN.search(cp.stderr)
    assert not [p for p in s.db.parent.iterdir() if ".replaced-" in p.name]
    assert tables(s.db)["person"] == before


@pytest.mark.parametrize("plant,finding", [
    ("UPDATE household SET size = size + 1 WHERE id = (SELECT min(household_id) FROM person)", "户的人数"),
    ("DELETE FROM ledger_entry WHERE id = (SELECT min(id) FROM ledger_entry WHERE derived = 1)", "派生台账"),
    ("UPDATE ledger_entry SET grid_id = 999 WHERE id = (SELECT min(id) FROM ledger_entry WHERE derived = 1"
     " AND end_date IS NULL)", "派生台账"),
    ("UPDATE person SET grid_id = NULL WHERE id = (SELECT min(id) FROM person WHERE household_id IS NOT NULL)",
     "居民的房屋"),
    ("DELETE FROM person_fts WHERE rowid = (SELECT min(id) FROM person WHERE status = 'active')", "搜索索引"),
    ("DELETE FROM person_gram WHERE person_id = (SELECT min(id) FROM person)", "搜索索引"),
    ("UPDATE audit SET new_json = '{broken' WHERE id = (SELECT max(id) FROM audit)", "审计日志"),
])
def test_check_finds_planted_inconsistency(server_factory, tmp_path, plant, finding):
    s = server_factory(demo_persons=200)
    copy = s.db if PG else _store_copy(s, tmp_path, "copy.db")
    cp = run_cli("check", "--db", copy)
    assert cp.returncode == 0, cp.stdout
    if PG:
        s.stop()
        db_exec(copy, plant)
    else:
        c = sqlite3.connect(copy)
        assert c.execute(plant).rowcount >= 1
        c.commit()
        c.close()
    cp = run_cli("check", "--db", copy)
    assert cp.returncode == 1, cp.stdout
    assert finding in cp.stdout and "问题" in cp.stdout, cp.stdout
    # check changes nothing but its audit record
    assert run_cli("check", "--db", copy).returncode == 1


def test_check_refuses_missing_or_garbage(tmp_path):
    cp = run_cli("check", "--db", tmp_path / "none.db")
    assert cp.returncode == 1 and HAN.search(cp.stdout + cp.stderr)
    assert not (tmp_path / "none.db").exists()
    g = tmp_path / "g.db"
    g.write_bytes(b"hello" * 1000)
    cp = run_cli("check", "--db", g)
    assert cp.returncode == 1 and HAN.search(cp.stdout + cp.stderr)


@pytest.mark.sqlite_file
def test_backup_refuses_bad_out(server_factory, tmp_path):
    s = server_factory()
    cp = run_cli("backup", "--db", s.db, "--out", tmp_path / "no" / "such" / "dir" / "x.db")
    assert cp.returncode == 1 and HAN.search(cp.stderr)
    assert not list((tmp_path).glob("no*"))
    cp = run_cli("backup", "--db", s.db, "--out", s.db)
    assert cp.returncode == 2 and HAN.search(cp.stderr)
    cp = run_cli("backup", "--db", tmp_path / "none.db", "--out", tmp_path / "x.db")
    assert cp.returncode == 1 and not (tmp_path / "none.db").exists() and not (tmp_path / "x.db").exists()
    # a folder: a dated name inside
    d = tmp_path / "folder"
    d.mkdir()
    cp = run_cli("backup", "--db", s.db, "--out", d)
    assert cp.returncode == 0, cp.stderr
    assert [p.name for p in d.iterdir()] and re.fullmatch(r"juwei-\d{8}-\d{6}\.db", next(d.iterdir()).name)


def _serve(db, workdir, backup_dir):
    port = free_port()
    err = open(Path(workdir) / f"serve-{port}.err", "wb")
    p = subprocess.Popen([BIN, "serve", "--db", str(db), "--listen", f"127.0.0.1:{port}",
                          "--backup-dir", str(backup_dir)], stdout=subprocess.DEVNULL, stderr=err,
                         stdin=subprocess.DEVNULL, env=_clean_env())
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        assert p.poll() is None, "serve exited"
        try:
            requests.get(base + "/login", timeout=1)
            return p, base
        except requests.RequestException:
            assert time.monotonic() < deadline
            time.sleep(0.05)


def _stop(p):
    p.terminate()
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


@pytest.mark.sqlite_file
def test_serve_daily_backup_rotation_and_desk(server_factory, tmp_path):
    s = server_factory(demo_persons=50)
    s.stop()
    bdir = tmp_path / "备份"
    bdir.mkdir()
    stem = s.db.name[:-3]
    old = []
    for i in range(35):   # 35 old daily backups, oldest first
        d = datetime.date(2025, 1, 1) + datetime.timedelta(days=i)
        f = bdir / f"{stem}-{d:%Y%m%d}-020000.db"
        f.write_bytes(b"old")
        old.append(f)
    others = [bdir / "other-20250101-020000.db", bdir / "说明.txt", bdir / f"{stem}-2025-bad.db"]
    for f in others:
        f.write_bytes(b"keep me")
    p, base = _serve(s.db, tmp_path, bdir)
    try:
        today = datetime.date.today().strftime("%Y%m%d")
        deadline = time.monotonic() + 30
        while not list(bdir.glob(f"{stem}-{today}-*.db")):
            assert time.monotonic() < deadline, "no backup made at start"
            time.sleep(0.1)
        deadline = time.monotonic() + 10
        while len(list(bdir.glob(f"{stem}-*-*.db"))) > 30 + 1:   # the bad name is not a backup
            assert time.monotonic() < deadline
            time.sleep(0.1)
        new = list(bdir.glob(f"{stem}-{today}-*.db"))[0]
        time.sleep(0.5)
        assert run_cli("check", "--db", new).returncode in (0, 1)  # readable store
        kept = sorted(f.name for f in bdir.iterdir() if re.fullmatch(rf"{stem}-\d{{8}}-\d{{6}}\.db", f.name))
        assert len(kept) == 30
        assert kept[-1] == new.name
        assert kept[:-1] == sorted(f.name for f in old[-29:]), "the newest old ones are kept"
        assert all(f.exists() for f in others), "files not ours are left alone"
        kind, text = backup_line(base)
        assert kind == "info" and "最近一次成功备份" in text and "警告" not in text
        assert new.name in text
        # one a day: a restart the same day makes no second one
    finally:
        _stop(p)
    c = sqlite3.connect(s.db)
    c.execute("UPDATE meta SET value = CAST(value AS INTEGER) - 3 * 86400 WHERE key = 'backup_last_ok'")
    c.commit()
    c.close()
    p, base = _serve(s.db, tmp_path, bdir)
    try:
        time.sleep(1)
        assert len(list(bdir.glob(f"{stem}-{today}-*.db"))) == 1
        kind, text = backup_line(base)
        assert kind == "err" and "警告" in text and "两天" in text
    finally:
        _stop(p)


@pytest.mark.sqlite_file
def test_dashboard_without_any_backup_warns(server_factory, tmp_path):
    s = server_factory()
    s.stop()   # its start made a backup beside the store: forget it
    c = sqlite3.connect(s.db)
    c.execute("DELETE FROM meta WHERE key LIKE 'backup_%'")
    c.commit()
    c.close()
    bdir = tmp_path / "nowhere"
    bdir.write_text("a file, not a folder")   # the daily backup cannot be made
    p, base = _serve(s.db, tmp_path, bdir)
    try:
        deadline = time.monotonic() + 20
        while True:
            kind, text = backup_line(base)
            if "失败" in text or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert kind == "err" and "尚无成功的备份" in text and "警告" in text
        assert "失败" in text
    finally:
        _stop(p)


@pytest.mark.sqlite_file
def test_restore_over_a_damaged_store(server_factory, tmp_path):
    s = server_factory(demo_persons=30)
    b = _store_copy(s, tmp_path, "b.db")
    s.stop()
    damaged = s.db.read_bytes()[:5000] + os.urandom(20000)   # what a failing disk leaves
    s.db.write_bytes(damaged)
    for side in ("-wal", "-shm"):
        Path(str(s.db) + side).unlink(missing_ok=True)
    assert run_cli("check", "--db", s.db).returncode == 1
    cp = run_cli("restore", "--db", s.db, "--from", b)
    assert cp.returncode == 0, cp.stderr
    aside = [p for p in s.db.parent.iterdir() if ".replaced-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged
    assert run_cli("check", "--db", s.db).returncode == 0


def _post_setting(w, base, value):
    page = w.get(base + "/")
    csrf = page.text.split('name="_csrf" value="')[1].split('"')[0]
    return w.post(base + "/backup/settings", data={"_csrf": csrf, "backup_dir": value}, allow_redirects=False)


@pytest.mark.sqlite_file
def test_admin_sets_backup_folder_on_desk(server_factory, tmp_path):
    s = server_factory(demo_persons=20, users=[("director", "zhuren1", "director", None),
                                               ("worker", "gongzuo1", "worker", None)])
    w = web_login(s.base)
    kind, text = backup_line(s.base)
    deadline = time.monotonic() + 20
    while "最近一次成功备份" not in text:   # the start-up backup beside the store
        assert time.monotonic() < deadline, text
        time.sleep(0.2)
        kind, text = backup_line(s.base)
    assert list((s.db.parent / "backups").glob("juwei-*.db"))
    page = w.get(s.base + "/").text
    assert "默认" in page and str(s.db.parent / "backups") in page

    r = _post_setting(w, s.base, "relative/folder")
    assert r.status_code == 422 and "完整路径" in r.text
    r = _post_setting(w, s.base, str(s.db))   # a file
    assert r.status_code == 422 and "不是文件夹" in r.text
    target = tmp_path / "U盘备份"
    r = _post_setting(w, s.base, f"  {target}/ ")
    assert r.status_code == 303, r.text[:500]
    deadline = time.monotonic() + 30
    while not list(target.glob("juwei-*.db")):
        assert time.monotonic() < deadline, "no backup in the folder set on the desk"
        time.sleep(0.2)
    page = w.get(s.base + "/").text
    assert "管理员设置" in page and f'value="{target}"' in page
    c = sqlite3.connect(s.db)
    a = c.execute("SELECT old_json, new_json FROM audit WHERE action = 'settings'").fetchall()
    assert len(a) == 1 and str(target) in a[0][1]

    # the director sees the line but may not change the folder
    d = requests.Session()
    page = d.get(s.base + "/login")
    csrf = page.text.split('name="_csrf" value="')[1].split('"')[0]
    d.post(s.base + "/login", data={"_csrf": csrf, "username": "zhuren1", "password": s.users["director"][1]})
    page = d.get(s.base + "/").text
    assert 'id="backup-status"' in page and "/backup/settings" not in page
    assert _post_setting(d, s.base, str(tmp_path)).status_code == 403
    # a worker's desk has no backup line
    k = requests.Session()
    page = k.get(s.base + "/login")
    csrf = page.text.split('name="_csrf" value="')[1].split('"')[0]
    k.post(s.base + "/login", data={"_csrf": csrf, "username": "gongzuo1", "password": s.users["worker"][1]})
    assert 'id="backup-status"' not in k.get(s.base + "/").text
