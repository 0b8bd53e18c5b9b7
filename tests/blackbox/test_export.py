"""Exporting (docs/IMPORT.md "Export"): `juwei export persons … --out
x.xlsx|x.csv` and GET /api/v1/persons/export?format=xlsx|csv, checked
with openpyxl and the csv module against the API's own lists; masking,
the export audit record, and the round trip export → import.
"""
import collections
import csv
import datetime
import io
import json
import re

import openpyxl
import pytest

from conftest import Server, _must, init_store, run_cli
from juwei_util import (GRID_A_NAME, HAN, USER_PW, as_text, check_error, id_check_char,
                        mask_id, ok)

ID18 = re.compile(r"^\d{17}[\dX]$")
MASKED_ID = re.compile(r"^\d{6}\*+[\dX]{4}$")
PHONE11 = re.compile(r"^1[3-9]\d{9}$")
XLSX_MAGIC = b"PK\x03\x04"
BOM = b"\xef\xbb\xbf"

EX_USERS = [
    ("director", "zhuren1", "director", None),
    ("worker", "gongzuo1", "worker", None),
    ("gw", "wangge1", "grid_worker", GRID_A_NAME),
]


@pytest.fixture(scope="module")
def ex(juwei_bin, tmp_path_factory):
    """A demo community of 300 served, with admin, director, worker and a
    grid worker of 第一网格 logged in."""
    wd = tmp_path_factory.mktemp("export")
    db = init_store(wd)
    _must(run_cli("demo", "--db", db, "--persons", 300, timeout=300), "juwei demo")
    s = Server(db, wd)
    for key, name, role, grid in EX_USERS:
        args = ["user", "add", name, "--role", role, "--db", db]
        if grid:
            args += ["--grid", grid]
        _must(run_cli(*args, env={"JUWEI_PASSWORD": USER_PW}), f"user add {name}")
        s.users[key] = (name, USER_PW)
    s.start()
    try:
        for key, (name, pw) in s.users.items():
            s.tokens[key] = s.login_token(name, pw)
        s.grids = {g["name"]: g["id"] for g in s.list_all("grids", "admin")}
    except BaseException:
        s.stop()
        raise
    yield s
    s.stop()


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def valid_id(v):
    return bool(ID18.match(v)) and id_check_char(v[:17]) == v[17]


def api_list(s, token="admin", **params):
    """(total, items) of GET /persons with these filters."""
    items = s.list_all("persons", token, **params)
    total = ok(s.api("GET", "/persons", token, params=dict(params, per_page=1)))["total"]
    assert len(items) == total, (len(items), total)
    return total, items


def read_xlsx(data_or_path):
    src = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    data = [r for r in rows[1:] if any(c.value not in (None, "") for c in r)]
    return ws, header, data


def col(header, *names):
    for n in names:
        if n in header:
            return header.index(n)
    raise AssertionError(f"none of the columns {names} in the header {header}")


def check_xlsx(data_or_path, items, reveal=False, where="export"):
    """Checks an exported persons workbook against the API list items (masked)
    of the same filter; returns (header, list of row value lists)."""
    ws, header, data = read_xlsx(data_or_path)
    assert ws.freeze_panes == "A2", f"{where}: freeze_panes {ws.freeze_panes!r}, want 'A2'"
    assert all(isinstance(h, str) and h for h in header), f"{where}: header {header}"
    assert sum(1 for h in header if HAN.search(h)) == len(header), f"{where}: header not Chinese: {header}"
    for n in ("姓名", "公民身份号码", "出生日期", "人口类型"):
        assert n in header, f"{where}: no column {n}: {header}"
    assert ws.cell(1, 1).font.b, f"{where}: header row not bold"
    assert len(data) == len(items), f"{where}: {len(data)} rows, the API list has {len(items)}"
    ci_name, ci_id = col(header, "姓名"), col(header, "公民身份号码")
    ci_birth, ci_phone = col(header, "出生日期"), col(header, "联系电话")
    ci_rt = col(header, "人口类型")
    for r in data:
        idc, ph, bd = r[ci_id], r[ci_phone], r[ci_birth]
        assert idc.value not in (None, ""), f"{where}: row {idc.row} without ID number"
        assert idc.data_type == "s", f"{where}: {idc.coordinate} ID number not a text cell ({idc.data_type}, {idc.value!r})"
        if ph.value not in (None, ""):
            assert ph.data_type == "s", f"{where}: {ph.coordinate} phone not text ({ph.value!r})"
        if bd.value not in (None, ""):
            assert isinstance(bd.value, datetime.datetime), (
                f"{where}: {bd.coordinate} birth date {bd.value!r} is not a date cell")
        assert r[ci_rt].value in ("户籍人口", "流动人口", "境外人员"), (
            f"{where}: 人口类型 {r[ci_rt].value!r} is not a label")
    # the same people as the list
    got_names = collections.Counter(r[ci_name].value for r in data)
    want_names = collections.Counter(x["name"] for x in items)
    assert got_names == want_names, (f"{where}: names differ: extra {got_names - want_names}, "
                                     f"missing {want_names - got_names}")
    got_births = collections.Counter(r[ci_birth].value.date().isoformat() for r in data
                                     if r[ci_birth].value)
    want_births = collections.Counter(x["birth_date"] for x in items if x.get("birth_date"))
    assert got_births == want_births, f"{where}: birth dates differ"
    ids = [str(r[ci_id].value) for r in data]
    phones = [str(r[ci_phone].value) for r in data if r[ci_phone].value not in (None, "")]
    check_masking(ids, phones, items, reveal, where)
    return header, [[c.value for c in r] for r in data]


def check_masking(ids, phones, items, reveal, where):
    want_ids = collections.Counter(x["id_number"] for x in items)
    if reveal:
        n_full = sum(1 for v in ids if valid_id(v))
        assert not any("*" in v for v in ids), f"{where}: masked ID numbers in a revealed export"
        want_18 = collections.Counter(v for v in want_ids.elements() if len(v) == 18 and MASKED_ID.match(v))
        got_18 = collections.Counter(mask_id(v) for v in ids if valid_id(v))
        assert n_full >= 0.9 * len(ids) and got_18 == want_18, (
            f"{where}: reveal: {n_full} of {len(ids)} ID numbers whole; they are not the "
            f"list's people: e.g. {list((got_18 - want_18).elements())[:3]} vs "
            f"{list((want_18 - got_18).elements())[:3]}")
        assert any(PHONE11.match(p) for p in phones), f"{where}: no whole phone number"
    else:
        for v in ids:
            assert not valid_id(v) and not re.search(r"\d{17}[\dX]", v), (
                f"{where}: unmasked ID number {v}")
        for p in phones:
            assert not PHONE11.match(p), f"{where}: unmasked phone number {p}"
            assert "*" in p, f"{where}: phone {p!r} not masked"
        assert collections.Counter(ids) == want_ids, (
            f"{where}: masked ID numbers differ from the list's: e.g. "
            f"{list((collections.Counter(ids) - want_ids).elements())[:3]} vs "
            f"{list((want_ids - collections.Counter(ids)).elements())[:3]}")


def check_csv(data, items, reveal=False, where="csv export"):
    assert data.startswith(BOM), f"{where}: no UTF-8 BOM: {data[:10]!r}"
    assert b"\r\n" in data, f"{where}: lines not CRLF"
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows = [r for r in rows if any(v.strip() for v in r)]
    header, body = rows[0], rows[1:]
    for n in ("姓名", "公民身份号码", "出生日期", "人口类型"):
        assert n in header, f"{where}: no column {n}: {header}"
    assert len(body) == len(items), f"{where}: {len(body)} rows, the list has {len(items)}"
    assert all(len(r) == len(header) for r in body), f"{where}: ragged rows"
    ci_name, ci_id, ci_phone = col(header, "姓名"), col(header, "公民身份号码"), col(header, "联系电话")
    ci_birth = col(header, "出生日期")
    assert (collections.Counter(r[ci_name] for r in body)
            == collections.Counter(x["name"] for x in items)), f"{where}: names differ"
    for r in body:
        if r[ci_birth]:
            assert re.match(r"^\d{4}-\d{2}-\d{2}$", r[ci_birth]), f"{where}: birth date {r[ci_birth]!r}"
    check_masking([r[ci_id] for r in body], [r[ci_phone] for r in body if r[ci_phone]],
                  items, reveal, where)
    return header, body


def export_api(s, token="admin", **params):
    return s.api("GET", "/persons/export", token, params=params, timeout=120)


def audit_exports(s):
    return ok(s.api("GET", "/audit", "admin", params={"action": "export", "per_page": 100}))


def grid_a(s):
    return s.grids[GRID_A_NAME]


# --------------------------------------------------------------------------
# the command
# --------------------------------------------------------------------------
def test_export_help(cli):
    cp = cli("export", "--help")
    assert cp.returncode == 0, cp.stderr
    assert "persons" in cp.stdout and HAN.search(cp.stdout)


@pytest.mark.parametrize("args", [
    ["export"],
    ["export", "persons", "--db", "DB"],                 # no --out
    ["export", "persons", "--out", "OUT"],               # no --db
    ["export", "martians", "--db", "DB", "--out", "OUT"],
    ["export", "persons", "--db", "DB", "--out", "OUT", "--frobnicate"],
])
def test_export_usage_errors_exit_2(cli, ex, tmp_path, args):
    out = tmp_path / "x.xlsx"
    args = [str(ex.db) if a == "DB" else str(out) if a == "OUT" else a for a in args]
    cp = cli(*args)
    assert cp.returncode == 2, f"{args}: exit {cp.returncode}\n{cp.stderr}"
    assert HAN.search(cp.stderr)
    assert not out.exists()


def test_export_unknown_extension_refused(cli, ex, tmp_path):
    out = tmp_path / "x.pdf"
    cp = cli("export", "persons", "--db", ex.db, "--out", out)
    assert cp.returncode in (1, 2), f"exit {cp.returncode}"
    assert HAN.search(cp.stderr)


def test_cli_export_xlsx_all(cli, ex, tmp_path):
    out = tmp_path / "all.xlsx"
    cp = cli("export", "persons", "--db", ex.db, "--out", out)
    assert cp.returncode == 0, cp.stderr
    assert out.read_bytes().startswith(XLSX_MAGIC)
    total, items = api_list(ex)
    assert total >= 250, f"the demo made only {total} persons"
    check_xlsx(out, items, where="juwei export persons all.xlsx")


@pytest.mark.parametrize("flt", [
    ("--grid", GRID_A_NAME),
    ("--age-band", "60+"),
    ("--q", "张"),
    ("--residence-type", "migrant"),
])
def test_cli_export_filters(cli, ex, tmp_path, flt):
    out = tmp_path / "f.xlsx"
    cp = cli("export", "persons", "--db", ex.db, "--out", out, *flt)
    assert cp.returncode == 0, cp.stderr
    param = {"--grid": ("grid_id", grid_a(ex)), "--age-band": ("age_band", "60+"),
             "--q": ("q", "张"), "--residence-type": ("residence_type", "migrant")}[flt[0]]
    total, items = api_list(ex, **{param[0]: param[1]})
    assert total > 0, f"filter {flt} finds nobody in the demo"
    check_xlsx(out, items, where=f"juwei export persons {' '.join(flt)}")


def test_cli_export_csv(cli, ex, tmp_path):
    out = tmp_path / "all.csv"
    cp = cli("export", "persons", "--db", ex.db, "--out", out, "--age-band", "60+")
    assert cp.returncode == 0, cp.stderr
    total, items = api_list(ex, age_band="60+")
    check_csv(out.read_bytes(), items, where="juwei export persons x.csv --age-band 60+")


def test_cli_export_reveal_is_unmasked_and_audited(cli, ex, tmp_path):
    out = tmp_path / "revealed.xlsx"
    before = audit_exports(ex)["total"]
    cp = cli("export", "persons", "--db", ex.db, "--out", out, "--grid", GRID_A_NAME, "--reveal", "--reason", "办理业务")
    assert cp.returncode == 0, cp.stderr
    total, items = api_list(ex, grid_id=grid_a(ex))
    check_xlsx(out, items, reveal=True, where="juwei export persons --reveal")
    a = audit_exports(ex)
    assert a["total"] == before + 1, f"--reveal export: audit export records {before} -> {a['total']}"
    rec = max(a["items"], key=lambda x: x["id"])
    assert rec["action"] == "export", rec
    text = as_text(rec.get("new")) + as_text(rec.get("old"))
    assert str(total) in text, f"the export audit record does not give the row count {total}: {rec}"


def test_cli_export_other_entities(cli, ex, tmp_path):
    for kind in ("households", "houses", "buildings", "grids"):
        out = tmp_path / f"{kind}.xlsx"
        cp = cli("export", kind, "--db", ex.db, "--out", out)
        assert cp.returncode == 0, f"export {kind}: {cp.stderr}"
        ws, header, data = read_xlsx(out)
        assert ws.freeze_panes == "A2", f"{kind}: freeze_panes {ws.freeze_panes!r}"
        assert all(isinstance(h, str) and HAN.search(h) for h in header), f"{kind}: header {header}"
        total = ok(ex.api("GET", f"/{kind}", "admin", params={"per_page": 1}))["total"]
        assert len(data) == total, f"export {kind}: {len(data)} rows, the list has {total}"


# --------------------------------------------------------------------------
# the API
# --------------------------------------------------------------------------
@pytest.mark.parametrize("params", [
    {},
    {"grid_id": "A"},
    {"age_band": "60+"},
    {"q": "王"},
])
def test_api_export_xlsx(ex, params):
    params = {k: (grid_a(ex) if v == "A" else v) for k, v in params.items()}
    r = export_api(ex, format="xlsx", **params)
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
    assert r.content.startswith(XLSX_MAGIC), r.content[:20]
    total, items = api_list(ex, **params)
    check_xlsx(r.content, items, where=f"GET /persons/export?format=xlsx {params}")


def test_api_export_csv(ex):
    r = export_api(ex, format="csv", grid_id=grid_a(ex))
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
    total, items = api_list(ex, grid_id=grid_a(ex))
    check_csv(r.content, items, where="GET /persons/export?format=csv")


def test_api_export_bad_format(ex):
    r = export_api(ex, format="pdf")
    assert r.status_code in (400, 422), r.status_code
    check_error(r, r.status_code)


def test_api_export_needs_login(ex):
    r = export_api(ex, token=None, format="xlsx")
    check_error(r, 401, "unauthenticated")


@pytest.mark.parametrize("role", ["admin", "director", "worker"])
def test_api_export_reveal_unmasked_and_audited(ex, role):
    before = audit_exports(ex)["total"]
    r = export_api(ex, token=role, format="xlsx", reveal=1, reason="business", age_band="60+")
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
    total, items = api_list(ex, age_band="60+")
    check_xlsx(r.content, items, reveal=True, where=f"{role}: export reveal=1")
    a = audit_exports(ex)
    assert a["total"] == before + 1, f"unmasked export by {role}: audit {before} -> {a['total']}"
    rec = max(a["items"], key=lambda x: x["id"])
    assert rec["action"] == "export" and rec["username"] == ex.users[role][0], rec
    text = as_text(rec.get("new")) + as_text(rec.get("old"))
    assert str(total) in text, f"audit record without the row count {total}: {rec}"
    assert "60+" in text or "age_band" in text, f"audit record without the filters: {rec}"


def test_api_export_csv_reveal(ex):
    r = export_api(ex, format="csv", reveal=1, reason="business", grid_id=grid_a(ex))
    assert r.status_code == 200
    total, items = api_list(ex, grid_id=grid_a(ex))
    check_csv(r.content, items, reveal=True, where="export csv reveal=1")


def test_api_export_grid_worker_masked_own_grid(ex):
    total, items = api_list(ex, token="gw")
    assert 0 < total < api_list(ex)[0], "the grid worker should see part of the community"
    r = export_api(ex, token="gw", format="xlsx")
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
    check_xlsx(r.content, items, where="grid worker export")


def test_api_export_grid_worker_reveal_never_unmasked(ex):
    before = audit_exports(ex)["total"]
    for fmt in ("xlsx", "csv"):
        r = export_api(ex, token="gw", format=fmt, reveal=1, reason="business")
        if r.status_code == 403:
            check_error(r, 403, "forbidden")
            continue
        assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
        total, items = api_list(ex, token="gw")
        if fmt == "xlsx":
            check_xlsx(r.content, items, reveal=False, where="grid worker reveal=1 (masked)")
        else:
            check_csv(r.content, items, reveal=False, where="grid worker reveal=1 csv (masked)")
    assert audit_exports(ex)["total"] == before


# --------------------------------------------------------------------------
# round trip
# --------------------------------------------------------------------------
PERSON_KEYS = ("name", "id_number", "doc_type", "sex", "birth_date", "nationality", "ethnic",
               "phone", "hukou_address", "current_address", "residence_type",
               "political_status", "education", "marital_status", "employment_status",
               "notes", "relation")


def snapshot(s):
    """Every active person, compared by what a person reads: the fields,
    the household's number and the house's address."""
    hh = {h["id"]: h for h in s.list_all("households", "admin")}
    houses = {h["id"]: h.get("address") for h in s.list_all("houses", "admin")}
    out = collections.Counter()
    for item in s.list_all("persons", "admin"):
        p = s.person(item["id"])
        key = tuple((k, p.get(k) or None) for k in PERSON_KEYS)
        h = hh.get(p.get("household_id"))
        key += (("household_no", h and h.get("household_no")),
                ("house", houses.get(p.get("house_id"))))
        out[key] += 1
    return out


@pytest.fixture(scope="module")
def away(ex):
    """A household head who lives elsewhere (户在人不在): the current address
    is not the house's, so the house must come from 房屋地址, not from
    现居住地址."""
    heads = [p for p in ex.list_all("persons", "admin", sort="id")
             if p.get("household_id") and p.get("relation") == "02"]
    assert heads, "no household head in the demo"
    pid = heads[0]["id"]
    ok(ex.api("PATCH", f"/persons/{pid}", "admin",
              json={"current_address": "北京市海淀区学院路甲1号"}))
    return pid


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_export_import(ex, away, server_factory, fmt):
    r = export_api(ex, format=fmt, reveal=1, reason="business")
    assert r.status_code == 200, f"{r.status_code} {r.text[:300]}"
    path = ex.workdir / f"roundtrip.{fmt}"
    path.write_bytes(r.content)
    total = api_list(ex)[0]

    # into the same store: nothing changes
    cp = run_cli("import", "persons", path, "--db", ex.db, "--json", "--dry-run")
    assert cp.returncode == 0, f"exit {cp.returncode}: {cp.stdout[:800]} {cp.stderr[:800]}"
    sm = json.loads(cp.stdout)
    assert (sm["imported"], sm["updated"], sm["rejected"], sm["unchanged"]) == (0, 0, 0, total), (
        f"the export imported into its own store: {({k: sm.get(k) for k in ('imported', 'updated', 'rejected', 'unchanged')})}; "
        f"rejects {sm.get('rejects', [])[:3]}")

    # into a fresh store: the same persons
    s = server_factory()
    s.tokens["admin"] = s.login_token(*s.users["admin"])
    cp = run_cli("import", "persons", path, "--db", s.db, "--json")
    assert cp.returncode == 0, f"exit {cp.returncode}: {cp.stdout[:800]} {cp.stderr[:800]}"
    sm = json.loads(cp.stdout)
    assert sm["imported"] == total and sm["rejected"] == 0, (
        f"imported {sm['imported']} of {total}, rejected {sm['rejected']}: {sm.get('rejects', [])[:3]}")
    problems = []
    if sm["unknown_columns"]:
        problems.append(f"the import does not know the export's columns {sm['unknown_columns']}")
    a, b = snapshot(ex), snapshot(s)
    if a != b:
        only_a, only_b = list((a - b).elements()), list((b - a).elements())
        fields = collections.Counter()
        example = None
        for da, db_ in zip(sorted(map(dict, only_a), key=lambda d: d["id_number"] or ""),
                           sorted(map(dict, only_b), key=lambda d: d["id_number"] or "")):
            d = [(k, da.get(k), db_.get(k)) for k in da if da.get(k) != db_.get(k)]
            fields.update(k for k, _, _ in d)
            example = example or d
        problems.append(f"{len(only_a)} of {total} persons differ after the round trip; "
                        f"fields differing (count): {dict(fields)}; e.g. (field, before, after): "
                        f"{example}")
    if problems:
        pytest.fail(f"round trip via {fmt}: " + "; ".join(problems), pytrace=False)


def test_export_reveal_needs_a_reason(ex, cli, tmp_path):
    """An export with full numbers says why, like a reveal; the reason is in its audit record."""
    r = export_api(ex, format="csv", reveal=1)
    assert r.status_code == 422 and "原因" in r.text, (r.status_code, r.text[:300])
    out = tmp_path / "noreason.csv"
    cp = cli("export", "persons", "--db", ex.db, "--out", out, "--reveal")
    assert cp.returncode != 0 and "原因" in cp.stderr and not out.exists(), (cp.returncode, cp.stderr)
    r = export_api(ex, format="csv", reveal=1, reason="superior")
    assert r.status_code == 200
    last = audit_exports(ex)["items"][0]
    assert last["new"].get("reason") == "上级部门要求", last
