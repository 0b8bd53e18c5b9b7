"""The work log (工作日志): the proof that a line of work is a declaration.

The committee's workers log what they did: the date, the category, what was
done, where, how long.  It is one declaration in model/ledger.c (a kind
attached to nothing, kept in the shared table), and through it alone it
has a list, a form, the API, an export and statistics.  Who wrote a line is
the signed-in user, never what the form says.
"""
import datetime
import io

import openpyxl
import pytest

from juwei_util import USER_PW, Web, check_error, ok, page_text, hidden

USERS = (
    ("director", "zhuren9", "director", None),
    ("worker", "gongzuo9", "worker", None),
    ("worker2", "gongzuo8", "worker", None),
)
TODAY = datetime.date.today()


@pytest.fixture
def W(server_factory):
    s = server_factory(users=USERS)
    from juwei_util import ADMIN_PW
    s.tokens["admin"] = s.login_token("admin", ADMIN_PW)
    for key, name, _role, _grid in USERS:
        s.tokens[key] = s.login_token(name, USER_PW)
    return s


def log(s, who="worker", status=201, **fields):
    r = s.api("POST", "/ledgers/worklog/entries", who, json={"fields": fields})
    if status != 201:
        return r
    assert r.status_code == 201, r.text[:400]
    return r.json()


def test_worklog_is_listed_as_a_ledger_without_subject(W):
    items = ok(W.api("GET", "/ledgers", "worker"))["items"]
    wl = next(x for x in items if x["key"] == "worklog")
    assert wl["title"] == "工作日志"
    assert wl["subject"] == "none"
    assert wl["writable"] is True and wl["derived"] is False
    names = {f["name"]: f for f in wl["fields"]}
    assert {"work_date", "worker", "category", "content", "place", "hours"} <= set(names)
    assert names["worker"]["derived"] is True          # set by the program, never typed
    assert names["content"]["required"] is True
    assert "走访入户" in names["category"]["options"]


def test_create_needs_no_subject_and_the_worker_is_the_actor(W):
    e = log(W, work_date="2026/11/3", category="走访入户", content="走访3号楼独居老人",
            place="3号楼", hours="1.5", worker="somebody-else")
    assert e["subject"] == "none"
    f = e["fields"]
    assert f["worker"] == "gongzuo9", f
    assert f["work_date"] == "2026-11-03", f            # a date written another way
    assert f["category"] == "走访入户" and f["content"] == "走访3号楼独居老人"
    got = ok(W.api("GET", f"/ledgers/worklog/entries/{e['id']}", "director"))
    assert got["fields"] == f
    # the create is audited, with the actor
    a = ok(W.api("GET", "/audit", "admin", params={"entity": "ledger_entry", "entity_id": e["id"]}))
    acts = [(x["action"], x["username"]) for x in a["items"]]
    assert ("create", "gongzuo9") in acts, acts


def test_many_lines_a_day_and_a_list_with_filters(W):
    for i in range(3):
        log(W, work_date=str(TODAY), category="会议", content=f"居民议事会 第{i + 1}次")
    log(W, "worker2", work_date=str(TODAY), category="环境巡查", content="巡查小区楼道堆物")
    b = ok(W.api("GET", "/ledgers/worklog/entries", "director"))
    assert b["total"] == 4 and len(b["items"]) == 4
    b = ok(W.api("GET", "/ledgers/worklog/entries", "director", params={"field": "category", "value": "会议"}))
    assert b["total"] == 3
    assert all(x["fields"]["category"] == "会议" for x in b["items"])
    b = ok(W.api("GET", "/ledgers/worklog/entries", "director", params={"field": "worker", "value": "gongzuo8"}))
    assert b["total"] == 1 and b["items"][0]["fields"]["content"] == "巡查小区楼道堆物"


def test_bad_input_names_the_field(W):
    r = log(W, status=400, work_date=str(TODAY), category="会议")
    check_error(r, 422, field="content")
    r = log(W, status=400, work_date=str(TODAY), category="打麻将", content="x")
    check_error(r, 422, field="category")
    r = log(W, status=400, work_date="2026-02-30", category="会议", content="x")
    check_error(r, 422, field="work_date")
    r = log(W, status=400, work_date=str(TODAY), category="会议", content="x", hours="很久")
    check_error(r, 422, field="hours")
    r = W.api("POST", "/ledgers/worklog/entries", "worker", json={"fields": {"nonesuch": "1"}})
    e = check_error(r, 400)["error"]
    assert e["field"] == "nonesuch" and "nonesuch" in e["message"], e
    assert ok(W.api("GET", "/ledgers/worklog/entries", "director"))["total"] == 0


def test_roles(W):
    # the log is the workers' own: the IT admin neither reads nor writes it
    r = W.api("GET", "/ledgers/worklog/entries", "admin")
    assert r.status_code == 403, r.text[:200]
    r = log(W, "admin", status=403, work_date=str(TODAY), category="会议", content="x")
    assert r.status_code == 403, r.text[:200]
    assert W.api("GET", "/ledgers/worklog/entries").status_code == 401


def test_update_keeps_the_writer(W):
    e = log(W, work_date=str(TODAY), category="会议", content="初稿")
    r = W.api("PATCH", f"/ledgers/worklog/entries/{e['id']}", "director",
              json={"fields": {"content": "改过的内容", "worker": "zhuren9"}})
    assert r.status_code == 200, r.text[:300]
    f = r.json()["fields"]
    assert f["content"] == "改过的内容" and f["worker"] == "gongzuo9", f


def test_statistics_by_declared_dimensions(W):
    log(W, work_date="2026-10-05", category="会议", content="a")
    log(W, work_date="2026-11-05", category="会议", content="b")
    log(W, work_date="2026-11-06", category="走访入户", content="c")
    log(W, "worker2", work_date="2026-11-07", category="走访入户", content="d")
    s = ok(W.api("GET", "/ledgers/worklog/stats", "director"))
    assert s["total"] == 4
    by = s["by"]
    worker = {g["key"]: g["count"] for g in by["worker"]}
    assert worker == {"gongzuo9": 3, "gongzuo8": 1}, worker
    cat = {g["key"]: g["count"] for g in by["category"]}
    assert cat == {"会议": 2, "走访入户": 2}, cat
    month = {g["key"]: g["count"] for g in by["month"]}
    assert month == {"2026-10": 1, "2026-11": 3}, month


def test_export_is_the_generic_workbook(W):
    log(W, work_date="2026-11-05", category="会议", content="居民议事会", place="活动室", hours="2")
    r = W.api("GET", "/ledgers/worklog/export", "director")
    assert r.status_code == 200, r.text[:300]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    ws = wb.active
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    text = " ".join(cells)
    assert "工作日志" in text
    for want in ("日期", "工作人员", "类别", "工作内容", "居民议事会", "活动室", "gongzuo9"):
        assert want in text, (want, text[:500])
    # nothing of a subject: no 姓名 / 身份证 column
    assert "身份证号码" not in text and "姓名" not in cells


def test_pages_list_and_form_without_a_subject(W):
    web = Web(W.base)
    web.login("gongzuo9", USER_PW)
    r = web.get("/ledgers/worklog/new")
    assert r.status_code == 200, r.text[:300]
    t = r.text
    assert 'name="content"' in t and 'name="category"' in t and 'name="work_date"' in t
    assert 'name="subject_id"' not in t and 'name="find"' not in t   # no subject picker
    assert 'name="worker"' not in t                                  # not typed in
    tok = hidden(t)
    r = web.post("/ledgers/worklog", {"_csrf": tok, "work_date": "2026-11-09", "category": "政策宣传",
                                      "content": "宣传垃圾分类新规", "place": "广场", "hours": "1"})
    assert r.status_code == 303, r.text[:400]
    r = web.get("/ledgers/worklog")
    assert r.status_code == 200
    txt = page_text(r)
    assert "宣传垃圾分类新规" in txt and "gongzuo9" in txt
    # a bad form comes back with the message next to the field, nothing stored
    r = web.post("/ledgers/worklog", {"_csrf": tok, "work_date": "2026-11-09", "category": "政策宣传"})
    assert r.status_code == 422, r.status_code
    assert "工作内容" in page_text(r)
    assert ok(W.api("GET", "/ledgers/worklog/entries", "director"))["total"] == 1
    r = web.get("/ledgers/worklog/stats")
    assert r.status_code == 200 and "政策宣传" in page_text(r)
