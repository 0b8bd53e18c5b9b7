"""Importing rosters (docs/IMPORT.md): `juwei import persons FILE` and
POST /api/v1/import/persons, on fresh stores.

The messy fixtures are tests/data/import/* (written by make.py there; see
its README.md); expected.json says what each import must report and what
the store must hold afterwards.  The shared synthetic community
(/work/shared/data, see its README.md) gives the clean 2,000- and
20,000-person rosters.
"""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import openpyxl
import pytest

from conftest import BIN, PG, REPO, Server, _clean_env, copy_store, db_scalar, init_store, run_cli
from juwei_util import GRID_A_NAME, HAN, USER_PW, check_error, ok

DATA = REPO / "tests" / "data" / "import"
from juwei_util import COMMUNITY_DATA, medium_persons_csv
SMALL_CSV = COMMUNITY_DATA / "small_persons.csv"
SMALL_XLSX = COMMUNITY_DATA / "small_community.xlsx"

with open(DATA / "expected.json", encoding="utf-8") as _f:
    EXP = json.load(_f)

BROKEN = sorted(n for n, e in EXP.items() if e.get("exit") == 1)
FOLLOW_UPS = sorted(n for n, e in EXP.items() if e.get("after"))
PLAIN = sorted(n for n, e in EXP.items() if e.get("exit") != 1 and not e.get("after"))

KNOWN_HEADERS = ("姓名", "公民身份号码", "人口类型", "户编号", "房屋编号", "与户主关系",
                 "联系电话", "出生日期", "性别", "民族", "证件类型", "其他证件号码")


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def template_db(juwei_bin, tmp_path_factory):
    """One store made by `init`; fresh stores are copies of it (init hashes
    the admin password, which is the slow part)."""
    return init_store(tmp_path_factory.mktemp("import-template"))


def new_store(template_db, workdir):
    """A fresh store (as `init` left it) in workdir."""
    return copy_store(template_db, workdir)


@pytest.fixture
def store(template_db, tmp_path):
    """The path of a fresh store."""
    return new_store(template_db, tmp_path / "store")


@pytest.fixture
def fs(template_db, tmp_path):
    """A fresh store served, with the admin logged in."""
    wd = tmp_path / "srv"
    s = Server(new_store(template_db, wd), wd)
    s.start()
    try:
        s.tokens["admin"] = s.login_token(*s.users["admin"])
        yield s
    finally:
        s.stop()


def need_file(p):
    assert Path(p).is_file(), f"{p} is missing from the checkout"
    return p


def cli_import(db, path, *extra, timeout=300):
    """Runs `juwei import persons PATH --db DB --json …`; returns (cp, summary)."""
    cp = run_cli("import", "persons", path, "--db", db, "--json", *extra, timeout=timeout)
    summary = None
    if cp.returncode in (0, 3):
        try:
            summary = json.loads(cp.stdout)
        except ValueError:
            raise AssertionError(f"import {Path(path).name}: exit {cp.returncode} but stdout is "
                                 f"not one JSON object: {cp.stdout[:500]!r}\n"
                                 f"stderr: {cp.stderr[:500]!r}")
        assert isinstance(summary, dict), summary
    return cp, summary


def api_import(s, path_or_bytes, token="admin", **params):
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    return s.api("POST", "/import/persons", token, data=data, params=params or None,
                 headers={"Content-Type": "application/octet-stream"}, timeout=300)


def do_import(s, name, via, **kw):
    """Imports fixture NAME into server s's store via the CLI or the API;
    returns the summary (and checks the CLI's exit status)."""
    path = DATA / name
    e = EXP[name]
    if via == "cli":
        cp, sm = cli_import(s.db, path)
        assert cp.returncode == e["exit"], (
            f"{name}: want exit {e['exit']}, got {cp.returncode}\nstdout: {cp.stdout[:800]}\n"
            f"stderr: {cp.stderr[:800]}")
        return sm
    r = api_import(s, path, **kw)
    return ok(r)


def counts(db):
    return {t: db_scalar(db, f"SELECT count(*) FROM {t}")
            for t in ("person", "household", "house", "building", "grid")}


def audit_total(s):
    return ok(s.api("GET", "/audit", "admin", params={"per_page": 1}))["total"]


def audit_last_id(s):
    items = ok(s.api("GET", "/audit", "admin", params={"per_page": 1}))["items"]
    return max((x["id"] for x in items), default=0)


def audit_since(s, last_id):
    """Audit records written after record last_id (newest first pages)."""
    out, page = [], 1
    while page <= 50:
        b = ok(s.api("GET", "/audit", "admin", params={"per_page": 100, "page": page}))
        new = [x for x in b["items"] if x["id"] > last_id]
        out += new
        if len(new) < len(b["items"]) or not b["items"]:
            break
        page += 1
    return out


def assert_no_record_changes(s, last_id, where):
    """Nothing but the import's own summary record (action import, no
    entity id) may have been written to the audit log since last_id.
    docs/IMPORT.md is silent on a per-run `import` record; the binary
    writes one, which is taken as allowed."""
    recs = audit_since(s, last_id)
    bad = [x for x in recs if x.get("action") != "import" or x.get("entity_id")]
    assert not bad, f"{where}: audit records written: {bad[:5]}"
    assert len(recs) <= 1, f"{where}: {len(recs)} import records for one run"


def reveal(s, pid):
    return ok(s.api("POST", f"/persons/{pid}/reveal", "admin", json={"reason": "business"}))


def store_people(s):
    """Every active person of the store, whole (GET /persons/{id}) with the
    ID and phone numbers revealed; keyed by the ID number."""
    out = {}
    for item in s.list_all("persons", "admin"):
        p = s.person(item["id"])
        rv = reveal(s, item["id"])
        p["id_number"] = rv.get("id_number")
        p["phone"] = rv.get("phone")
        assert p["id_number"] not in out, f"two persons with {p['id_number']}"
        out[p["id_number"]] = p
    return out


def check_people(s, e, where):
    people = store_people(s)
    want = {p["id_number"]: p for p in e["persons"]}
    assert set(people) == set(want), (
        f"{where}: the store holds {sorted(people)}, want {sorted(want)}")
    for idn, w in want.items():
        got = people[idn]
        for k, v in w.items():
            if k == "typed_as":
                continue
            g = got.get(k)
            assert g == v, (f"{where}: person {w['name']} ({w.get('typed_as', idn)}): {k} is "
                            f"{g!r}, want {v!r}")
        if "phone" not in w:
            assert not got.get("phone"), f"{where}: {w['name']} has phone {got.get('phone')!r}"
    names = {p["name"] for p in people.values()}
    for n in e.get("absent_names", []):
        assert n not in names, f"{where}: rejected {n} was stored"


def check_summary(sm, e, where, dry_run=False):
    assert isinstance(sm, dict), f"{where}: summary {sm!r}"
    for k in ("rows", "imported", "rejected", "merged", "updated", "unchanged",
              "households_created", "houses_created", "buildings_created"):
        if k in e:
            assert sm.get(k) == e[k], f"{where}: {k} = {sm.get(k)!r}, want {e[k]}: {sm}"
    assert sm.get("dry_run") is dry_run, f"{where}: dry_run = {sm.get('dry_run')!r}"
    if "header_row" in e and "header_row" in sm:
        assert sm["header_row"] == e["header_row"], f"{where}: header_row {sm['header_row']}"
    unk = sm.get("unknown_columns")
    assert isinstance(unk, list), f"{where}: unknown_columns {unk!r}"
    for c in e.get("unknown_columns", []):
        assert c in unk, f"{where}: unknown column {c} not listed: {unk}"
    if "unknown_columns_min" in e:
        assert len(unk) >= e["unknown_columns_min"], (
            f"{where}: unknown_columns {unk}: want at least {e['unknown_columns_min']} "
            f"(the unnamed column is to be listed too)")
    elif not e.get("unknown_columns"):
        assert unk == [], f"{where}: unexpected unknown columns {unk}"
    rejects = sm.get("rejects")
    assert isinstance(rejects, list) and len(rejects) == sm.get("rejected"), (
        f"{where}: rejects {rejects!r} vs rejected {sm.get('rejected')}")
    by_row = {}
    for r in rejects:
        assert isinstance(r.get("row"), int), f"{where}: reject without row number: {r}"
        assert isinstance(r.get("reason"), str) and HAN.search(r["reason"]), (
            f"{where}: reject reason not Chinese: {r}")
        by_row.setdefault(r["row"], r)
    for w in e.get("rejects", []):
        r = by_row.get(w["row"])
        assert r is not None, f"{where}: row {w['row']} not rejected; rejects: {rejects}"
        if "field" in w:
            assert r.get("field") == w["field"], f"{where}: row {w['row']}: field {r.get('field')!r}, want {w['field']!r}: {r}"
        if "column" in w:
            assert r.get("column") == w["column"], f"{where}: row {w['row']}: column {r.get('column')!r}, want {w['column']!r}: {r}"
        if "reason_has" in w:
            assert w["reason_has"] in r["reason"], f"{where}: row {w['row']}: reason {r['reason']!r} does not mention {w['reason_has']}"
    merges = sm.get("merges")
    assert isinstance(merges, list) and len(merges) == sm.get("merged"), (
        f"{where}: merges {merges!r} vs merged {sm.get('merged')}")
    for w in e.get("merges", []):
        hit = [m for m in merges if m.get("row") == w["row"]]
        assert hit, f"{where}: row {w['row']} not among merges {merges}"
        assert hit[0].get("into") == w["into"], f"{where}: merge {hit[0]}: into, want {w['into']}"
        if "id_number" in w and "id_number" in hit[0]:
            assert hit[0]["id_number"] == w["id_number"], (
                f"{where}: merge's ID number {hit[0]['id_number']!r} is not masked as {w['id_number']!r}")
    if "encoding" in e:
        enc = sm.get("encoding") or ""
        if e["encoding"] == "GBK":
            assert "GB" in enc.upper(), f"{where}: encoding {enc!r}, want GBK/GB18030"
        elif e["encoding"] == "UTF-16":
            assert enc.upper().replace("-", "").startswith("UTF16"), f"{where}: encoding {enc!r}"
        else:
            assert enc == e["encoding"], f"{where}: encoding {enc!r}, want {e['encoding']!r}"


def csv_rows(path):
    import csv
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------
# the command
# --------------------------------------------------------------------------
def test_import_help(cli):
    cp = cli("import", "--help")
    assert cp.returncode == 0, cp.stderr
    assert "persons" in cp.stdout and HAN.search(cp.stdout)


def test_export_in_top_help(cli):
    out = cli("--help").stdout
    assert "import" in out and "export" in out


@pytest.mark.parametrize("args", [
    ["import"],                                   # no entity, no file
    ["import", "persons"],                        # no file
    ["import", "persons", "FILE"],                # no --db
    ["import", "martians", "FILE", "--db", "DB"],  # no such entity
    ["import", "persons", "FILE", "--db", "DB", "--frobnicate"],
    ["import", "persons", "FILE", "--db"],         # --db without a value
])
def test_import_usage_errors_exit_2(cli, store, args):
    db = store
    args = [str(DATA / "base.csv") if a == "FILE" else str(db) if a == "DB" else a for a in args]
    cp = cli(*args)
    assert cp.returncode == 2, f"{args}: exit {cp.returncode}\n{cp.stdout}\n{cp.stderr}"
    assert HAN.search(cp.stderr), f"no Chinese message: {cp.stderr!r}"
    assert counts(db)["person"] == 0


def test_import_missing_file_exit_1(cli, store, tmp_path):
    db = store
    cp = cli("import", "persons", tmp_path / "nope.csv", "--db", db, "--json")
    assert cp.returncode == 1, f"exit {cp.returncode}: {cp.stderr}"
    assert HAN.search(cp.stderr)


def test_import_summary_in_chinese_without_json(cli, store):
    db = store
    cp = cli("import", "persons", DATA / "base.csv", "--db", db)
    assert cp.returncode == 0, cp.stderr
    assert HAN.search(cp.stdout + cp.stderr), f"no Chinese summary: {cp.stdout!r} {cp.stderr!r}"
    assert "5" in cp.stdout + cp.stderr
    # stderr is not a terminal here: no progress bar redrawn with \r
    assert "\r" not in cp.stderr, f"progress bar on a non-terminal stderr: {cp.stderr[:200]!r}"


# --------------------------------------------------------------------------
# the messy fixtures, one by one, through the CLI and the API
# --------------------------------------------------------------------------
@pytest.mark.parametrize("via", ["cli", "api"])
@pytest.mark.parametrize("name", PLAIN)
def test_fixture(fs, name, via):
    """Import the file: the summary and the people stored are as
    expected.json says; importing it again changes nothing."""
    s = fs
    e = EXP[name]
    sm = do_import(s, name, via)
    check_summary(sm, e, f"{name} via {via}")
    check_people(s, e, f"{name} via {via}")

    before = counts(s.db)
    last = audit_last_id(s)
    sm = do_import(s, name, via)
    where = f"{name} imported twice via {via}"
    assert sm["imported"] == 0, f"{where}: imported {sm['imported']}: {sm}"
    assert sm["updated"] == 0, f"{where}: updated {sm['updated']}: {sm}"
    assert sm["rejected"] == e["rejected"], f"{where}: {sm}"
    assert sm["merged"] == e["merged"], (
        f"{where}: merged {sm['merged']}, want {e['merged']} (rows of one number within the "
        f"file are merged whatever the store holds); merges {sm.get('merges')}")
    assert sm["unchanged"] == e["imported"], f"{where}: unchanged {sm['unchanged']}, want {e['imported']}"
    for k in ("households_created", "houses_created", "buildings_created"):
        if k in sm:
            assert sm[k] == 0, f"{where}: {k} = {sm[k]}"
    assert counts(s.db) == before
    assert_no_record_changes(s, last, where)
    check_people(s, e, where)


@pytest.mark.parametrize("via", ["cli", "api"])
@pytest.mark.parametrize("name", FOLLOW_UPS)
def test_fixture_after_base(fs, name, via):
    """update_phones.csv (empty cells keep values) and name_conflict.csv,
    each imported over base.csv."""
    s = fs
    e = EXP[name]
    check_summary(do_import(s, e["after"], via), EXP[e["after"]], e["after"])
    sm = do_import(s, name, via)
    check_summary(sm, e, f"{name} after {e['after']} via {via}")
    if name == "name_conflict.csv":
        r = sm["rejects"][0]
        assert r["row"] == 2 and ("姓名" in r["reason"] or r.get("field") == "name"), r
    check_people(s, e, f"{name} after {e['after']} via {via}")


@pytest.mark.parametrize("via", ["cli", "api"])
@pytest.mark.parametrize("name", ["households.csv", "households_address.csv"])
def test_households_and_houses(fs, name, via):
    s = fs
    e = EXP[name]
    if name == "households_address.csv":
        # no 所属网格 column: new buildings go to the community's first grid
        s.create("grids", {"name": "第一网格"})
    check_summary(do_import(s, name, via), e, f"{name} via {via}")
    assert len(s.list_all("households", "admin")) == len(e["households"])
    assert len(s.list_all("houses", "admin")) == len(e["households"])
    assert len(s.list_all("buildings", "admin")) == e["buildings_created"]
    grids = {g["name"]: g["id"] for g in s.list_all("grids", "admin")}
    for g in e.get("grids", []):
        assert g in grids, f"grid {g} not created: {sorted(grids)}"
    people = store_people(s)
    seen_houses = {}
    for h in e["households"]:
        ps = [people[m["id_number"]] for m in h["members"]]
        hhids = {p.get("household_id") for p in ps}
        assert len(hhids) == 1 and None not in hhids, (
            f"{h['household_no']}: members in households {hhids}")
        hh = ok(s.api("GET", f"/households/{hhids.pop()}", "admin"))
        assert hh.get("household_no") == h["household_no"], hh
        assert hh.get("size") == h["size"], f"{h['household_no']}: size {hh.get('size')}, want {h['size']}"
        assert len(hh.get("members") or []) == h["size"], hh.get("members")
        for m, p in zip(h["members"], ps):
            assert p.get("relation_label") == m["relation_label"], (m["name"], p.get("relation_label"))
        houses = {p.get("house_id") for p in ps}
        assert len(houses) == 1 and None not in houses and hh.get("house_id") in houses, (
            f"{h['household_no']}: house ids {houses}, household's {hh.get('house_id')}")
        house = ok(s.api("GET", f"/houses/{hh['house_id']}", "admin"))
        assert str(house.get("unit")) == str(h["unit"]), f"{h['household_no']}: house {house}"
        assert str(house.get("room")) == h["room"], f"{h['household_no']}: house {house}"
        if "address_tail" in h:
            assert (house.get("address") or "").endswith(h["address_tail"]), (
                f"{h['household_no']}: house address {house.get('address')!r} does not end "
                f"with {h['address_tail']!r}")
        if "grid" in h:
            assert house.get("grid_id") == grids.get(h["grid"]), (
                f"{h['household_no']}: house in grid {house.get('grid_id')}, want {h['grid']}")
            for p in ps:
                assert p.get("grid_id") == grids.get(h["grid"]), (p["name"], p.get("grid_id"))
        key = h.get("building") or h["address"].split("号楼")[0]
        seen_houses.setdefault(key, set()).add(house.get("building_id"))
    # houses of one building share it, different buildings differ
    assert all(len(v) == 1 for v in seen_houses.values()), seen_houses
    bids = [next(iter(v)) for v in seen_houses.values()]
    assert len(set(bids)) == len(bids) == e["buildings_created"], seen_houses


# --------------------------------------------------------------------------
# files that cannot be read
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", BROKEN)
def test_unreadable_file_cli_exit_1(cli, store, name):
    db = store
    cp = cli("import", "persons", DATA / name, "--db", db, "--json")
    assert cp.returncode == 1, f"{name}: exit {cp.returncode}\n{cp.stdout[:500]}\n{cp.stderr[:500]}"
    assert HAN.search(cp.stderr), f"{name}: no Chinese message on stderr: {cp.stderr!r}"
    assert counts(db) == {"person": 0, "household": 0, "house": 0, "building": 0, "grid": 0}


@pytest.mark.parametrize("name", BROKEN)
def test_unreadable_file_api_400_or_422(fs, name):
    s = fs
    r = api_import(s, DATA / name)
    assert r.status_code in (400, 422), f"{name}: {r.status_code} {r.text[:300]}"
    check_error(r, r.status_code)
    assert counts(s.db)["person"] == 0


# --------------------------------------------------------------------------
# dry run, report, permissions
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["invalid.csv", "households.csv", "duplicates.csv"])
def test_dry_run_cli_stores_nothing(store, name):
    db = store
    before = counts(db)
    cp, sm = cli_import(db, DATA / name, "--dry-run")
    assert cp.returncode == EXP[name]["exit"], cp.stderr
    check_summary(sm, EXP[name], f"{name} --dry-run", dry_run=True)
    assert counts(db) == before, f"--dry-run stored something: {counts(db)}"
    # and the real run afterwards finds everything new
    cp, sm = cli_import(db, DATA / name)
    check_summary(sm, EXP[name], f"{name} after a dry run")


def test_dry_run_api_stores_nothing(fs):
    s = fs
    audit = audit_total(s)
    b = ok(api_import(s, DATA / "households.csv", dry_run=1))
    check_summary(b, EXP["households.csv"], "households.csv ?dry_run=1", dry_run=True)
    assert counts(s.db) == {"person": 0, "household": 0, "house": 0, "building": 0, "grid": 0}
    assert ok(s.api("GET", "/persons", "admin"))["total"] == 0
    assert audit_total(s) == audit


def test_api_import_sheet_param(fs):
    s = fs
    b = ok(api_import(s, DATA / "dates.xlsx", dry_run=1, sheet="境外人员"))
    assert b["imported"] == 7 and b.get("sheet") == "境外人员", b


def test_api_import_needs_login(fs):
    r = api_import(fs, DATA / "base.csv", token=None)
    check_error(r, 401, "unauthenticated")
    assert counts(fs.db)["person"] == 0


def add_user(s, key, name, role, grid=None):
    args = ["user", "add", name, "--role", role, "--db", s.db]
    if grid:
        args += ["--grid", grid]
    cp = run_cli(*args, env={"JUWEI_PASSWORD": USER_PW})
    assert cp.returncode == 0, f"user add {name}: {cp.stderr}"
    s.users[key] = (name, USER_PW)
    s.tokens[key] = s.login_token(name, USER_PW)


def test_api_import_grid_worker_forbidden(fs):
    s = fs
    s.create("grids", {"name": GRID_A_NAME})
    add_user(s, "gw", "wangge9", "grid_worker", GRID_A_NAME)
    r = api_import(s, DATA / "base.csv", token="gw")
    check_error(r, 403, "forbidden")
    r = api_import(s, DATA / "base.csv", token="gw", dry_run=1)
    check_error(r, 403, "forbidden")
    assert counts(s.db)["person"] == 0


@pytest.mark.parametrize("role", ["worker", "director"])
def test_api_import_allowed_for_office_roles(fs, role):
    s = fs
    add_user(s, role, role + "9", role)
    b = ok(api_import(s, DATA / "base.csv", token=role, dry_run=1))
    assert b["dry_run"] is True and b["rows"] == 5, b
    assert counts(s.db)["person"] == 0
    b = ok(api_import(s, DATA / "base.csv", token=role))
    assert b["imported"] == 5, b
    assert counts(s.db)["person"] == 5


def _cells(ws):
    return [[c for c in row] for row in ws.iter_rows(values_only=True)]


def _header_index(rows, names):
    """(row index of the header, {name: column index}) — the header is the
    first row naming all of names."""
    for i, r in enumerate(rows[:5]):
        vals = [str(v).strip() if v is not None else "" for v in r]
        if all(n in vals for n in names):
            return i, {n: vals.index(n) for n in names}
    raise AssertionError(f"no header row with {names}: {rows[:5]}")


def _as_int(v):
    try:
        return int(float(str(v)))
    except (TypeError, ValueError):
        return None


def test_report_workbook_lists_rejected_rows(store, tmp_path):
    db = store
    out = tmp_path / "report.xlsx"
    cp, sm = cli_import(db, DATA / "invalid.csv", "--report", out)
    assert cp.returncode == 3, cp.stderr
    assert out.is_file(), f"--report wrote no file: {cp.stderr}"
    wb = openpyxl.load_workbook(out)
    for n in ("被拒绝的行", "合并的行", "未识别的列"):
        assert n in wb.sheetnames, f"sheet {n} missing: {wb.sheetnames}"
    rows = _cells(wb["被拒绝的行"])
    h, col = _header_index(rows, ["行号", "列", "原因", "姓名", "证件号码"])
    data = [r for r in rows[h + 1:] if any(v not in (None, "") for v in r)]
    got_rows = sorted(_as_int(r[col["行号"]]) for r in data)
    want_rows = sorted(x["row"] for x in EXP["invalid.csv"]["rejects"])
    assert got_rows == want_rows, f"report rows {got_rows}, want {want_rows}"
    by_row = {_as_int(r[col["行号"]]): r for r in data}
    for r in data:
        assert r[col["原因"]] and HAN.search(str(r[col["原因"]])), r
    assert by_row[3][col["列"]] == "公民身份号码", by_row[3]
    assert by_row[3][col["姓名"]] == "卢建军", by_row[3]
    # ID numbers are masked in the report
    typed = [ln.split(",")[1] for ln in (DATA / "invalid.csv").read_text("utf-8-sig").splitlines()[1:]]
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for v in row:
                if isinstance(v, str) and len(v) == 18:
                    assert v not in typed, f"unmasked ID number {v} in sheet {ws.title}"
    idcell = str(by_row[3][col["证件号码"]] or "")
    assert "*" in idcell, f"row 3's ID number not masked: {idcell!r}"
    unk = [v for row in wb["未识别的列"].iter_rows(values_only=True) for v in row if v]
    assert "星座" in unk, f"未识别的列: {unk}"


def test_report_workbook_lists_merged_rows(store, tmp_path):
    db = store
    out = tmp_path / "merges.xlsx"
    cp, sm = cli_import(db, DATA / "duplicates.csv", "--report", out)
    assert cp.returncode == 3, cp.stderr
    wb = openpyxl.load_workbook(out)
    rows = _cells(wb["合并的行"])
    h, col = _header_index(rows, ["行号", "合并到第几行", "姓名", "证件号码"])
    data = [r for r in rows[h + 1:] if any(v not in (None, "") for v in r)]
    assert [(_as_int(r[col["行号"]]), _as_int(r[col["合并到第几行"]])) for r in data] == [(4, 2)], data
    assert "*" in str(data[0][col["证件号码"]]), data[0]
    rej = _cells(wb["被拒绝的行"])
    h, col = _header_index(rej, ["行号", "原因"])
    assert [_as_int(r[col["行号"]]) for r in rej[h + 1:] if any(r)] == [5]


def test_report_with_dry_run(store, tmp_path):
    db = store
    out = tmp_path / "dry.xlsx"
    cp, sm = cli_import(db, DATA / "invalid.csv", "--report", out, "--dry-run")
    assert cp.returncode == 3 and sm["dry_run"] is True, cp.stderr
    assert out.is_file()
    assert counts(db)["person"] == 0


# --------------------------------------------------------------------------
# the shared synthetic community
# --------------------------------------------------------------------------
def test_small_community_csv(fs):
    need_file(SMALL_CSV)
    s = fs
    t0 = time.monotonic()
    cp, sm = cli_import(s.db, SMALL_CSV)
    took = time.monotonic() - t0
    assert cp.returncode == 0, f"exit {cp.returncode}: {cp.stderr[:1000]}\n{cp.stdout[:1000]}"
    where = "small/persons.csv"
    for k, v in {"rows": 2000, "imported": 2000, "rejected": 0, "merged": 0, "updated": 0,
                 "households_created": 760, "houses_created": 760,
                 "buildings_created": 7}.items():
        assert sm.get(k) == v, f"{where}: {k} = {sm.get(k)!r}, want {v} (rejects: {sm.get('rejects', [])[:5]})"
    assert sm.get("encoding") == "UTF-8 BOM", sm.get("encoding")
    unk = sm["unknown_columns"]
    for c in ("居民编号", "年龄"):
        assert c in unk, f"{where}: {c} not among unknown columns {unk}"
    for c in KNOWN_HEADERS:
        assert c not in unk, f"{where}: known column {c} listed as unknown: {unk}"
    assert counts(s.db)["person"] == 2000 and counts(s.db)["household"] == 760, counts(s.db)
    assert ok(s.api("GET", "/persons", "admin"))["total"] == 2000

    rows = csv_rows(SMALL_CSV)
    # household sizes and numbers as in the file
    want_size = {}
    for r in rows:
        want_size[r["户编号"]] = want_size.get(r["户编号"], 0) + 1
    hhs = s.list_all("households", "admin")
    got_size = {h["household_no"]: h.get("size") for h in hhs}
    assert got_size == want_size, (
        f"{where}: households differ: {len(got_size)} vs {len(want_size)}; e.g. "
        f"{[(k, got_size.get(k), v) for k, v in want_size.items() if got_size.get(k) != v][:5]}")
    # a few people looked at closely
    for i in (0, 99, 776, 1499, 1999):
        r = rows[i]
        if r["证件类型"] != "居民身份证":
            continue
        ids = s.search_ids(r["公民身份号码"])
        assert len(ids) == 1, f"{where}: search {r['公民身份号码']} found {ids}"
        p = s.person(ids.pop())
        assert p["name"] == r["姓名"] and p["birth_date"] == r["出生日期"], (r, p)
        assert p["sex_label"] == r["性别"] and p["residence_type_label"] == r["人口类型"], (r, p)
        assert p.get("relation_label") == r["与户主关系"], (r["与户主关系"], p.get("relation_label"))
        if r["民族"]:
            assert p.get("ethnic_label") == r["民族"], (r["民族"], p.get("ethnic_label"))
        hh = ok(s.api("GET", f"/households/{p['household_id']}", "admin"))
        assert hh["household_no"] == r["户编号"], (r["户编号"], hh)
    # population types as in the file; foreigners (their number in 其他证件号码) by name
    for label, code in (("户籍人口", "registered"), ("流动人口", "migrant"), ("境外人员", "foreign")):
        want = sum(1 for r in rows if r["人口类型"] == label)
        got = ok(s.api("GET", "/persons", "admin", params={"residence_type": code}))["total"]
        assert got == want, f"{where}: {label}: {got} persons, want {want}"
    foreign = {x["name"] for x in s.list_all("persons", "admin", residence_type="foreign")}
    want = {r["姓名"] for r in rows if r["人口类型"] == "境外人员"}
    assert foreign == want, f"{where}: foreigners {foreign}, want {want}"

    # importing the same file again changes nothing
    last = audit_last_id(s)
    before = counts(s.db)
    cp, sm2 = cli_import(s.db, SMALL_CSV)
    assert cp.returncode == 0, cp.stderr[:1000]
    assert (sm2["imported"], sm2["updated"], sm2["unchanged"]) == (0, 0, 2000), (
        f"second import: imported {sm2['imported']}, updated {sm2['updated']}, "
        f"unchanged {sm2['unchanged']}")
    assert sm2.get("households_created", 0) == 0 and sm2.get("houses_created", 0) == 0
    assert counts(s.db) == before
    assert_no_record_changes(s, last, "small/persons.csv imported twice")
    print(f"small CSV imported in {took:.2f} s")


def test_small_community_xlsx_picks_sheet(store):
    need_file(SMALL_XLSX)
    db = store
    cp, sm = cli_import(db, SMALL_XLSX)
    assert cp.returncode == 0, f"exit {cp.returncode}: {cp.stderr[:1000]}"
    assert sm.get("sheet") == "居民", f"sheet {sm.get('sheet')!r}"
    for k, v in {"rows": 2000, "imported": 2000, "rejected": 0,
                 "households_created": 760, "houses_created": 760,
                 "buildings_created": 7}.items():
        assert sm.get(k) == v, f"xlsx: {k} = {sm.get(k)!r}, want {v} (rejects: {sm.get('rejects', [])[:5]})"
    assert "居民编号" in sm["unknown_columns"] and "年龄" in sm["unknown_columns"]
    assert counts(db)["person"] == 2000


@pytest.mark.parametrize("sheet", ["居民", "5"])
def test_sheet_option(store, sheet):
    need_file(SMALL_XLSX)
    db = store
    cp, sm = cli_import(db, SMALL_XLSX, "--sheet", sheet, "--dry-run")
    assert cp.returncode == 0, cp.stderr[:1000]
    assert sm.get("sheet") == "居民" and sm["imported"] == 2000 and sm["dry_run"] is True, sm
    assert counts(db)["person"] == 0


def test_sheet_option_other_sheet(store):
    """--sheet 楼栋: the buildings sheet has no 姓名/公民身份号码 header."""
    need_file(SMALL_XLSX)
    db = store
    cp, sm = cli_import(db, SMALL_XLSX, "--sheet", "楼栋")
    assert cp.returncode in (1, 3), f"exit {cp.returncode}: {cp.stdout[:300]}"
    assert counts(db)["person"] == 0


def test_sheet_option_missing_sheet(store):
    need_file(SMALL_XLSX)
    db = store
    cp = run_cli("import", "persons", SMALL_XLSX, "--db", db, "--sheet", "没有这张表")
    assert cp.returncode in (1, 2), f"exit {cp.returncode}"
    assert HAN.search(cp.stderr)
    assert counts(db)["person"] == 0


@pytest.mark.parametrize("delay", [0.3, 1.5, 2.5])
def test_killed_import_is_all_or_nothing(store, delay):
    """SIGKILL in the middle of importing the 20,000-person roster: the store
    has none or all of them and passes integrity_check; it is usable after."""
    db = store
    p = subprocess.Popen([BIN, "import", "persons", str(medium_persons_csv()), "--db", str(db), "--json"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL, env=_clean_env())
    time.sleep(delay)
    finished = p.poll() is not None
    if not finished:
        p.send_signal(signal.SIGKILL)
    p.wait(30)
    if not PG:
        assert db_scalar(db, "PRAGMA integrity_check") == "ok"
    n = {t: db_scalar(db, f"SELECT count(*) FROM {t}")
         for t in ("person", "household", "house", "building")}
    if finished:
        assert n["person"] == 20000, f"finished within {delay} s, stored {n}"
    else:
        assert n in ({"person": 0, "household": 0, "house": 0, "building": 0},
                     {"person": 20000, "household": 7683, "house": 7683, "building": 58}), (
            f"killed after {delay} s: the store holds {n}")
    # the store goes on working
    cp, sm = cli_import(db, DATA / "base.csv")
    assert cp.returncode == 0, cp.stderr
    assert counts(db)["person"] == n["person"] + 5


# --------------------------------------------------------------------------
# issue 8 §1: a committee's workbook as committees really keep it
# --------------------------------------------------------------------------
ROSTERS = ["roster_workbook.xlsx", "roster_grid1_utf8bom.csv", "roster_grid1_gbk.csv"]


def check_roster_report(sm, e, where):
    """Per-sheet counts, rejects / merges / warnings naming sheet and row."""
    if "sheets" in e:
        got = {s["name"]: s for s in sm["sheets"]}
        assert list(got) == [s["name"] for s in e["sheets"]], f"{where}: sheets {list(got)}"
        for w in e["sheets"]:
            g = got[w["name"]]
            for k, v in w.items():
                assert g.get(k) == v, f"{where}: sheet {w['name']}: {k} = {g.get(k)!r}, want {v!r}: {g}"
            if w["status"] == "skipped":
                assert HAN.search(g.get("reason") or ""), f"{where}: skipped sheet without a reason: {g}"
            else:
                mapped = {c["header"]: c["field"] for c in g["columns"]}
                assert "name" in mapped.values() and "id_number" in mapped.values(), (
                    f"{where}: sheet {w['name']}: mapping {mapped}")
        for k in ("rows", "imported", "merged", "rejected"):
            assert sum(s[k] for s in sm["sheets"]) == sm[k], f"{where}: {k} per sheet does not add up"
    want_rej = {(r.get("sheet", ""), r["row"]): r for r in e["rejects"]}
    got_rej = {(r["sheet"] or "", r["row"]): r for r in sm["rejects"]}
    assert set(got_rej) == set(want_rej), f"{where}: rejected {sorted(got_rej)}, want {sorted(want_rej)}: {sm['rejects']}"
    for k, w in want_rej.items():
        assert got_rej[k]["field"] == w["field"], f"{where}: reject {k}: {got_rej[k]}"
    for w in e.get("merges", []):
        hit = [m for m in sm["merges"] if m["sheet"] == w["sheet"] and m["row"] == w["row"]]
        assert hit, f"{where}: no merge of {w['sheet']} row {w['row']}: {sm['merges']}"
        assert hit[0]["into"] == w["into"] and hit[0]["into_sheet"] == w["into_sheet"], hit[0]
        if "note_has" in w:
            assert w["note_has"] in (hit[0].get("note") or ""), f"{where}: merge note {hit[0]}"
    want_w = {(w.get("sheet", ""), w["row"], w["field"]) for w in e.get("warnings", [])}
    if "warnings" not in e:   # the CSV copies: the first sheet's warnings, without a sheet name
        want_w = {("", w["row"], w["field"]) for w in EXP["roster_workbook.xlsx"]["warnings"]
                  if w["sheet"] == "第一网格"}
    got_w = {(w["sheet"] or "", w["row"], w["field"]) for w in sm["warnings"]}
    assert got_w == want_w, f"{where}: warnings {sorted(got_w)}, want {sorted(want_w)}: {sm['warnings']}"
    for w in sm["warnings"]:
        assert HAN.search(w["message"]), w


def check_families(s, e, where):
    people = {p["id_number"]: p for p in store_people(s).values()}
    for fam in e["families"]:
        hh = {people[i].get("household_id") for i in fam}
        assert len(hh) == 1 and None not in hh, (
            f"{where}: family {[people[i]['name'] for i in fam]} in households {hh}")
        heads = [people[i] for i in fam if people[i].get("relation") == "02"]
        assert len(heads) == 1, f"{where}: family {[people[i]['name'] for i in fam]}: heads {heads}"
    fams = [people[f[0]]["household_id"] for f in e["families"]]
    assert len(set(fams)) == len(fams), f"{where}: two families share a household"
    for i in e["without_household"]:
        assert not people[i].get("household_id"), f"{where}: {people[i]['name']} put in a household"
        assert not people[i].get("relation"), f"{where}: {people[i]['name']} keeps a relation without a household"


@pytest.mark.parametrize("via", ["cli", "api"])
@pytest.mark.parametrize("name", ROSTERS)
def test_roster_every_sheet_every_valid_person(fs, name, via):
    """Every valid resident of every sheet is stored; only the truly invalid
    rows are rejected, with exact counts per sheet; families without a 户号
    are grouped by their normalised address; the report names the sheets."""
    s = fs
    e = EXP[name]
    sm = do_import(s, name, via)
    where = f"{name} via {via}"
    check_summary(sm, e, where)
    check_roster_report(sm, e, where)
    check_people(s, e, where)
    check_families(s, e, where)


def test_roster_preview_shows_each_sheet(store):
    cp, sm = cli_import(store, DATA / "roster_workbook.xlsx", "--dry-run")
    assert cp.returncode == 3, cp.stderr
    assert counts(store)["person"] == 0
    check_roster_report(sm, EXP["roster_workbook.xlsx"], "dry run")
    by = {x["name"]: x for x in sm["sheets"]}
    g2 = {c["header"]: c["field"] for c in by["第二网格"]["columns"]}
    assert g2["身份证号"] == "id_number" and g2["名字"] == "name" and g2["人员类型"] == "residence_type", g2
    assert g2["家庭关系"] == "relation" and g2["住址"] == "current_address", g2
    g3 = {c["header"]: c["field"] for c in by["流动人口"]["columns"]}
    assert g3["证件号码"] == "id_number" and by["流动人口"]["residence_default"] == "migrant", by["流动人口"]
    # the summary without --json names each sheet and its counts
    cp = run_cli("import", "persons", DATA / "roster_workbook.xlsx", "--db", store, "--dry-run")
    assert cp.returncode == 3, cp.stderr
    for sheet in ("第一网格", "第二网格", "流动人口", "说明"):
        assert sheet in cp.stdout, cp.stdout
    assert "跳过" in cp.stdout, cp.stdout


def test_roster_sheet_option_limits(store):
    cp, sm = cli_import(store, DATA / "roster_workbook.xlsx", "--sheet", "流动人口")
    assert cp.returncode == 3, cp.stderr
    assert sm["rows"] == 4 and sm["imported"] == 3 and sm["rejected"] == 1, sm
    st = {x["name"]: x["status"] for x in sm["sheets"]}
    assert st == {"说明": "skipped", "第一网格": "skipped", "第二网格": "skipped", "流动人口": "imported"}, st
    assert counts(store)["person"] == 3


def test_roster_report_workbook_names_sheets(store, tmp_path):
    out = tmp_path / "report.xlsx"
    cp, sm = cli_import(store, DATA / "roster_workbook.xlsx", "--report", out)
    assert cp.returncode == 3, cp.stderr
    wb = openpyxl.load_workbook(out, read_only=True)
    rej = list(wb["被拒绝的行"].iter_rows(values_only=True))
    assert rej[0][:2] == ("工作表", "行号"), rej[0]
    assert {(r[0], int(r[1])) for r in rej[1:]} == {
        (r["sheet"], r["row"]) for r in EXP["roster_workbook.xlsx"]["rejects"]}, rej
    mer = list(wb["合并的行"].iter_rows(values_only=True))
    assert any(r[0] == "第二网格" and r[2] == "第一网格" and "張偉" in (r[6] or "") for r in mer[1:]), mer
    tips = list(wb["提示"].iter_rows(values_only=True))
    assert len(tips) - 1 == len(sm["warnings"]) == 3, tips
    summ = list(wb["汇总"].iter_rows(values_only=True))
    names = [r[0] for r in summ[1:]]
    for sheet in ("说明", "第一网格", "第二网格", "流动人口", "合计"):
        assert sheet in names, summ


def test_roster_meets_stored_person_written_another_way(fs):
    """A stored 张伟 met again as 張 偉 with the same ID is the same person
    (noted, name unchanged); 张纬 is another person: a conflict."""
    s = fs
    e = EXP["roster_grid1_utf8bom.csv"]
    zw = next(p for p in e["persons"] if p["name"] == "张伟")
    pid = s.new_person(name="张伟", id_number=zw["id_number"])
    rows = [["姓名", "公民身份号码", "人口类型"], ["張 偉", zw["id_number"], "户籍人口"]]
    body = ("\ufeff" + "\r\n".join(",".join(r) for r in rows) + "\r\n").encode("utf-8")
    sm = ok(api_import(s, body))
    assert sm["rejected"] == 0 and sm["unchanged"] + sm["updated"] == 1, sm
    assert any(w["field"] == "name" and "張" in w["message"] for w in sm["warnings"]), sm["warnings"]
    assert s.person(pid)["name"] == "张伟"
    rows[1][0] = "张纬"
    body = ("\ufeff" + "\r\n".join(",".join(r) for r in rows) + "\r\n").encode("utf-8")
    sm = ok(api_import(s, body))
    assert sm["rejected"] == 1 and sm["rejects"][0]["field"] == "name", sm
    assert s.person(pid)["name"] == "张伟"


def _id(prefix6, birth, seq):
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    body = f"{prefix6}{birth}{seq:03d}"
    return body + "10X98765432"[sum(int(c) * x for c, x in zip(body, w)) % 11]


@pytest.mark.parametrize("prefix,doc", [("810000", "residence_permit"), ("820000", "residence_permit"),
                                        ("830000", "residence_permit"), ("911840", "foreign_permanent")])
def test_api_doc_type_from_number(fs, prefix, doc):
    """No 证件类型: the number names it (was: 422 'change the type to …')."""
    s = fs
    idn = _id(prefix, "19850418", 102)
    body = {"name": "林美琪" if doc == "residence_permit" else "金敏俊", "id_number": idn,
            "residence_type": "migrant" if doc == "residence_permit" else "foreign"}
    if doc == "foreign_permanent":
        body["nationality"] = "韩国"
    r = s.api("POST", "/persons", "admin", json=body)
    assert r.status_code == 201, r.text[:500]
    p = s.person(ok(r, 201)["id"])
    assert p["doc_type"] == doc and p["birth_date"] == "1985-04-18", p


def test_api_spaces_in_names_and_numbers(fs):
    """Spaces inside ID and phone numbers and anywhere in a Chinese name go."""
    s = fs
    idn = _id("110105", "19580305", 123)
    pid = s.new_person(name="\u3000张 建\u3000国 ", id_number=f" {idn[:6]} {idn[6:14]}\u3000{idn[14:]} ",
                       phone="\u3000138 0000\u30001234 ")
    p = s.person(pid)
    assert p["name"] == "张建国", p
    rv = reveal(s, pid)
    assert rv["id_number"] == idn and rv["phone"] == "13800001234", rv
    # the same person again, spaced differently: a duplicate, not a new one
    r = s.api("POST", "/persons", "admin", json={"name": "张建国", "id_number": idn,
                                                  "residence_type": "registered"})
    assert r.status_code in (409, 422), r.text[:300]
    r = s.api("PATCH", f"/persons/{pid}", "admin", json={"name": " 张  建国"})
    assert r.status_code == 200, r.text[:300]
    assert s.person(pid)["name"] == "张建国"


def test_form_doc_type_from_number_and_spaces(fs):
    """The web form: 证件类型 left at its default (居民身份证), an 81… number
    typed with spaces: stored as 港澳台居民居住证; the name loses its spaces."""
    from juwei_util import Web, find_form
    s = fs
    w = Web(s.base)
    w.login(*s.users["admin"])
    r = w.get("/persons/new")
    assert r.status_code == 200
    attrs, vals = find_form(r.text, "id_number")
    # 证件类型 as the form offers it (居民身份证 or empty): the number decides
    idn = _id("810000", "19690725", 174)
    vals.update({"name": "陈 嘉 欣 ", "id_number": f"{idn[:6]} {idn[6:14]} {idn[14:]}",
                 "residence_type": "migrant", "phone": "138 0000 5678"})
    r = w.post("/persons", vals)
    assert r.status_code == 303, r.text[:800]
    ids = s.search_ids("陈嘉欣")
    assert len(ids) == 1, ids
    p = s.person(ids.pop())
    assert p["name"] == "陈嘉欣" and p["doc_type"] == "residence_permit", p


def test_web_import_preview_shows_each_sheet(fs):
    """The desk's /import page: the preview lists every sheet with its own
    mapping, the skipped 说明 sheet, and rejects/merges/warnings by sheet."""
    import re as _re
    from juwei_util import Web
    s = fs
    w = Web(s.base)
    w.login(*s.users["admin"])
    tok = w.csrf("/import")
    data = (DATA / "roster_workbook.xlsx").read_bytes()
    r = w.post("/import", {"_csrf": tok}, files={"file": ("花名册.xlsx", data, "application/octet-stream")})
    assert r.status_code == 303, r.text[:500]
    loc = r.headers["Location"]
    for _ in range(100):
        r = w.get(loc)
        assert r.status_code == 200
        if "确认导入" in r.text or "没有保存任何数据" in r.text:
            break
        time.sleep(0.2)
    t = r.text
    assert "确认导入" in t, t[:2000]
    for sheet in ("第一网格", "第二网格", "流动人口"):
        assert f"识别的列：工作表“{sheet}”" in t, f"no mapping for {sheet}"
    assert "不导入的工作表" in t and "“说明”" in t, t
    assert "家庭关系" in t and "人员类型" in t   # 第二网格's own headers
    assert "提示（这些行已导入）" in t and "1970.05" in t
    assert "張偉" in t and "合并的重复行" in t
    # the sheet table: 第二网格 row with its counts (9 rows, 6 new, 2 merged, 1 rejected)
    row = _re.search(r"<tr><td>第二网格</td><td>已导入</td>(.*?)</tr>", t)
    assert row and [int(x) for x in _re.findall(r"<td>(\d+)</td>", row.group(1))][:7] == [3, 9, 6, 0, 0, 2, 1], row
    assert counts(s.db)["person"] == 0


def test_workbook_sheet_without_residence_type_fails_others_go_in(store, tmp_path):
    """A roster sheet lacking 人口类型 fails (named, exit 3); a table that
    is no roster (no 姓名/公民身份号码) is skipped; the good sheet goes in."""
    e = EXP["roster_grid1_utf8bom.csv"]
    p1, p2 = e["persons"][0], e["persons"][1]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "第三网格"
    ws.append(["姓名", "公民身份号码", "人口类型"])
    ws.append([p1["name"], p1["id_number"], "户籍人口"])
    ws2 = wb.create_sheet("第四网格")
    ws2.append(["姓名", "公民身份号码", "联系电话"])
    ws2.append([p2["name"], p2["id_number"], "13800000001"])
    ws3 = wb.create_sheet("楼栋")
    ws3.append(["楼栋名称", "所属网格", "层数"])
    ws3.append(["1号楼", "第一网格", 6])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    cp, sm = cli_import(store, path)
    assert cp.returncode == 3, (cp.returncode, cp.stdout[:500], cp.stderr[:500])
    st = {x["name"]: (x["status"], x["reason"]) for x in sm["sheets"]}
    assert st["第三网格"][0] == "imported" and st["楼栋"][0] == "skipped", st
    assert st["第四网格"][0] == "failed" and "人口类型" in st["第四网格"][1], st
    assert sm["imported"] == 1 and counts(store)["person"] == 1, sm
