"""The reminders page at a large community's scale (issue 10): each group
shows its first 50 and links to the group's own page, which lists the
group alone; the API gives every reminder, or one group's.  On both stores.
"""
import datetime
import re

from conftest import ADMIN_PW, Server, init_store
from juwei_util import Web, make_id, ok


def test_reminders_are_capped_per_group_with_a_link_to_all(tmp_path):
    db = init_store(tmp_path)
    wd = tmp_path / "srv"
    wd.mkdir()
    s = Server(db, wd).start()
    try:
        t = s.login_token("admin", ADMIN_PW)
        today = datetime.date.today()
        # 55 persons turning 80 within the next 60 days
        for i in range(55):
            born = today.replace(year=today.year - 80, day=1) + datetime.timedelta(days=31 + i % 20)
            born = born.replace(day=min(born.day, 28))
            s.new_person(t, id_number=make_id("110108", born.strftime("%Y%m%d"), f"{101 + 2 * i:03d}"))
        api = ok(s.api("GET", "/reminders", t))["items"]
        due80 = [x for x in api if x["kind"] == "birthday80"]
        assert len(due80) == 55
        one = ok(s.api("GET", "/reminders", t, params={"kind": "birthday80", "ledger": "elderly"}))["items"]
        assert [x["subject_id"] for x in one] == [x["subject_id"] for x in due80]
        assert ok(s.api("GET", "/reminders", t, params={"kind": "visit"}))["items"] == [
            x for x in api if x["kind"] == "visit"]

        w = Web(s.url("").rstrip("/"))
        w.login("admin", ADMIN_PW)
        page = w.get("/reminders")
        assert page.status_code == 200
        rows = re.findall(r"<tr><td>80周岁生日（高龄津贴）</td>", page.text)
        assert len(rows) == 50, len(rows)
        assert "每类先列出50条" in page.text
        link = re.search(r'<a href="(/reminders\?kind=birthday80&amp;ledger=elderly)">查看全部</a>', page.text)
        assert link, page.text[-2000:]
        full = w.get(link.group(1).replace("&amp;", "&"))
        assert full.status_code == 200
        assert len(re.findall(r"<tr><td>80周岁生日（高龄津贴）</td>", full.text)) == 55
        assert "查看全部" not in full.text and "返回全部提醒" in full.text
        # a group that does not exist: an empty list, not an error
        none = w.get("/reminders?kind=nosuch")
        assert none.status_code == 200 and "目前没有需要提醒的事项" in none.text
    finally:
        s.stop()
