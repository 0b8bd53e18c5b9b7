"""Persons over the JSON API: create, read (masked), patch, list, search,
deregister, validation."""
import datetime

import pytest

from conftest import UNDO_TALLY
from juwei_util import (ADMIN_PW, VEC_F, VEC_M, _RUN, age_from, check_error, id15_to_18, id_birth,
                        id_check_char, make_id, mask_id, mask_phone, new_id, new_label,
                        new_name, new_phone, ok)

ZSF_PHONE = "13812345678"


@pytest.fixture(scope="module")
def zsf(srv):
    """张三丰 with the female vector, a known phone and a unique address."""
    addr = new_label("沁芳闸") + "号院"
    pid = srv.new_person(name="张三丰", id_number=VEC_F, phone=ZSF_PHONE,
                         current_address=addr, residence_type="registered")
    return {"id": pid, "address": addr}


def person_body(**kw):
    b = {"name": new_name(), "id_number": new_id(), "residence_type": "registered"}
    b.update(kw)
    return b


def post_person(srv, body, token="admin"):
    return srv.api("POST", "/persons", token, json=body)


# ------------------------------------------------------------------ create/get
def test_create_returns_201_with_id(srv):
    r = post_person(srv, person_body())
    b = ok(r, 201)
    assert isinstance(b["id"], int) and b["id"] > 0


def test_get_masks_id_and_phone(srv, zsf):
    r = srv.api("GET", f"/persons/{zsf['id']}", "admin")
    p = ok(r)
    assert p["id"] == zsf["id"]
    assert p["name"] == "张三丰"
    assert p["id_number"] == "110105********002X"
    assert p["phone"] == "138****5678"
    assert VEC_F not in r.text and ZSF_PHONE not in r.text


def test_sex_and_birth_derived_from_id(srv, zsf):
    p = srv.person(zsf["id"])
    assert p["sex"] == "2"
    assert p["sex_label"] == "女"
    assert p["birth_date"] == "1949-12-31"
    assert abs(p["age"] - age_from("1949-12-31")) <= 1
    assert p["status"] == "active"
    assert p["doc_type"] == "id_card"
    assert p["residence_type"] == "registered"
    assert p["current_address"] == zsf["address"]
    for k in ("created_at", "updated_at"):
        assert p.get(k), f"{k} missing"


def test_male_vector_1880(srv):
    pid = srv.new_person(id_number=VEC_M)
    p = srv.person(pid)
    assert p["sex"] == "1"
    assert p["sex_label"] == "男"
    assert p["birth_date"] == "1880-01-01"
    assert p["id_number"] == mask_id(VEC_M)
    assert pid in srv.search_ids("188001010014", age_band="80+")
    assert pid in srv.search_ids("188001010014", age_band="60+")
    assert pid not in srv.search_ids("188001010014", age_band="0-14")


def test_get_after_create_has_all_members(srv):
    body = person_body(phone=new_phone(), hukou_address="北京市朝阳区某街1号",
                       current_address="北京市朝阳区某街2号", notes="备注文字")
    pid = ok(post_person(srv, body), 201)["id"]
    p = srv.person(pid)
    assert p["name"] == body["name"]
    assert p["id_number"] == mask_id(body["id_number"])
    assert p["phone"] == mask_phone(body["phone"])
    assert p["hukou_address"] == body["hukou_address"]
    assert p["notes"] == "备注文字"
    assert p["sex"] == ("1" if int(body["id_number"][16]) % 2 else "2")
    assert p["birth_date"] == id_birth(body["id_number"])


def test_code_labels_and_aliases_accepted(srv):
    pid = srv.new_person(ethnic="汉族", political_status="中共党员")
    p = srv.person(pid)
    assert p["ethnic"] == "01"
    assert "汉" in p["ethnic_label"]
    assert p["political_status"] and "党员" in p["political_status_label"]


def test_codes_endpoint(srv):
    b = ok(srv.api("GET", "/codes", "worker"))
    sex = {c["code"]: c["label"] for c in b["sex"]}
    assert sex.get("1") == "男" and sex.get("2") == "女"
    for table in ("ethnic", "residence_type", "doc_type"):
        assert table in b, f"code table {table} missing"


# ------------------------------------------------------------------- patch
def test_patch(srv):
    pid = srv.new_person(notes="旧备注", phone=new_phone())
    phone = new_phone()
    p = ok(srv.api("PATCH", f"/persons/{pid}", "worker",
                   json={"phone": phone, "notes": "新备注", "ethnic": "01"}))
    assert p["id"] == pid
    assert p["phone"] == mask_phone(phone)
    assert p["notes"] == "新备注"
    assert p["ethnic"] == "01"
    again = srv.person(pid)
    assert again["notes"] == "新备注" and again["phone"] == mask_phone(phone)


def test_patch_invalid_422(srv):
    pid = srv.new_person()
    check_error(srv.api("PATCH", f"/persons/{pid}", "admin", json={"ethnic": "99x"}),
                422, "invalid", "ethnic")
    check_error(srv.api("PATCH", f"/persons/{pid}", "admin", json={"name": ""}),
                422, "invalid", "name")


def test_patch_id_number_rederives_sex(srv):
    pid = srv.new_person(id_number=new_id(sex="1"))
    new = new_id(sex="2")
    p = ok(srv.api("PATCH", f"/persons/{pid}", "admin", json={"id_number": new}))
    assert p["sex"] == "2"
    assert p["birth_date"] == id_birth(new)


def test_patch_missing_404(srv):
    check_error(srv.api("PATCH", "/persons/999999", "admin", json={"notes": "x"}),
                404, "not_found")


# -------------------------------------------------------------------- list
def test_list_paging(srv):
    ids = [srv.new_person() for _ in range(3)]
    b1 = ok(srv.api("GET", "/persons", "admin", params={"per_page": 2, "page": 1}))
    b2 = ok(srv.api("GET", "/persons", "admin", params={"per_page": 2, "page": 2}))
    assert b1["page"] == 1 and b2["page"] == 2
    assert b1["per_page"] == 2 and b2["per_page"] == 2
    assert len(b1["items"]) == 2 and len(b2["items"]) == 2
    assert b1["total"] >= 3 and b1["total"] == b2["total"]
    assert not {x["id"] for x in b1["items"]} & {x["id"] for x in b2["items"]}
    # newest first
    assert b1["items"][0]["id"] == ids[-1]
    assert b1["items"][1]["id"] == ids[-2]
    assert b2["items"][0]["id"] == ids[-3]


def test_list_default_paging(srv):
    b = ok(srv.api("GET", "/persons", "admin"))
    assert b["page"] == 1 and b["per_page"] == 20
    assert len(b["items"]) <= 20
    if srv.demo_ok:
        assert len(b["items"]) == 20
    ids = [x["id"] for x in b["items"]]
    assert ids == sorted(ids, reverse=True)


def test_list_items_are_masked(srv, zsf):
    items = srv.list_all("persons", "admin", q="张三丰")
    mine = [x for x in items if x["id"] == zsf["id"]]
    assert mine and mine[0]["id_number"] == "110105********002X"


def test_list_per_page_capped(srv):
    r = srv.api("GET", "/persons", "admin", params={"per_page": 1000})
    if r.status_code == 200:
        b = r.json()
        assert b["per_page"] <= 100 and len(b["items"]) <= 100
    else:
        check_error(r, r.status_code)
        assert r.status_code in (400, 422)


def test_list_sort_by_birth_date(srv):
    r = srv.api("GET", "/persons", "admin", params={"sort": "-birth_date", "per_page": 50})
    items = ok(r)["items"]
    births = [x["birth_date"] for x in items if x.get("birth_date")]
    assert births == sorted(births, reverse=True)


def test_list_filter_residence_type(srv):
    name = new_name()
    pid = srv.new_person(name=name, residence_type="migrant")
    assert pid in srv.search_ids(name, residence_type="migrant")
    assert pid not in srv.search_ids(name, residence_type="registered")
    assert srv.person(pid)["residence_type"] == "migrant"


# ------------------------------------------------------------------ search
@pytest.mark.parametrize("q", [
    "张", "三丰", "张三丰", "张三",
    "zsf", "ZSF", "zhangsanfeng", "ZhangSanFeng", "zhangs",
    "002X", "19491231", "5678", "1234567", "５６７８",
])
def test_search_finds_zsf(srv, zsf, q):
    assert zsf["id"] in srv.search_ids(q), f"q={q!r} did not find 张三丰"


def test_search_by_address_fragment(srv, zsf):
    frag = zsf["address"][:6]
    assert len(frag) >= 3
    assert zsf["id"] in srv.search_ids(frag)


def test_search_by_unique_name_fragment(srv):
    name = new_name()
    pid = srv.new_person(name=name)
    assert srv.search_ids(name) == {pid}
    assert pid in srv.search_ids(name[2:])       # 2-character given name


def test_search_misses(srv, zsf):
    name = new_name()
    srv.new_person(name=name)
    assert zsf["id"] not in srv.search_ids(name)
    assert zsf["id"] not in srv.search_ids("zsfq")
    b = ok(srv.api("GET", "/persons", "admin", params={"q": "鬯鬯鬯鬯"}))
    assert b["total"] == 0 and b["items"] == []


def test_search_by_id_fragment_unique(srv):
    idn = new_id()
    pid = srv.new_person(id_number=idn)
    assert pid in srv.search_ids(idn[6:14])
    assert pid in srv.search_ids(idn[-6:])


def test_search_number_ends_then_anywhere(srv):
    """Digits match the end of a number (尾号) or the start of an ID; match=any
    finds them anywhere, and so does a search that no number begins or ends with."""
    frag = f"{(_RUN * 7919 + 4242) % 100000:05d}"
    at_end = srv.new_person(phone=f"139000{frag}")
    inside = srv.new_person(phone=f"137{frag}000")
    ends = srv.search_ids(frag)
    assert at_end in ends and inside not in ends
    anywhere = srv.search_ids(frag, match="any")
    assert {at_end, inside} <= anywhere
    # nothing ends with this one, so the middle is searched at once
    assert inside in srv.search_ids(f"7{frag}")


def test_search_latin_name(srv):
    pid = srv.new_person(name="Johnathan Quixote", doc_type="passport",
                         id_number=f"P{(_RUN * 1000 + 7) % 10**8:08d}",
                         sex="1", birth_date="1985-06-15",
                         nationality=_foreign_nationality(srv), residence_type="foreign")
    assert pid in srv.search_ids("johnathan")
    assert pid in srv.search_ids("JOHNA")


# Surnames read as people say them (data/surnames.tsv), and ICU's reading
# too, so that either finds the person; full pinyin, initials, and the full
# surname (or more) followed by initials.
SURNAME_CASES = [
    ("朴庆美", ["piao", "piaoqingmei", "pq", "pqm", "piaoqm", "pu", "puqingmei"]),
    ("覃海燕", ["qin", "qinhaiyan", "qhy", "qinhy", "tan", "thy"]),
    ("缪文涛", ["miao", "miaowentao", "mwt", "miaowt"]),
    ("万俟南星", ["moqi", "moqinanxing", "mqnx", "moqinx", "mq", "wanqi"]),
    ("拓跋云飞", ["tuoba", "tuobayunfei", "tbyf", "tb", "tuobayf"]),
    ("单田芳", ["shan", "dan", "shantf", "dantianfang", "stf", "dtf"]),
    ("曾国藩", ["zeng", "zengguofan", "zgf", "zenggf"]),
    ("尉迟恭", ["yuchi", "yuchigong", "ycg", "yuchig"]),
    ("长孙无忌", ["zhangsun", "zhangsunwj", "zswj"]),
    ("阚泽", ["kan", "kanze", "kz"]),
    ("黑旋风", ["he", "hexuanfeng", "hexf", "hxf"]),
]


@pytest.mark.parametrize("name,queries", SURNAME_CASES, ids=[c[0] for c in SURNAME_CASES])
def test_search_by_surname_reading(srv, name, queries):
    pid = srv.new_person(name=name)
    for q in queries:
        assert pid in srv.search_ids(q), f"q={q!r} did not find {name}"


@pytest.mark.parametrize("q", ["zhangsf", "zhangsanf", "zhangsanfe", "ZhangSF"])
def test_search_full_then_initials(srv, zsf, q):
    assert zsf["id"] in srv.search_ids(q), f"q={q!r} did not find 张三丰"


def test_search_full_then_initials_misses(srv, zsf):
    for q in ("zhangsfx", "zhangsanfx", "zhangxf", "zsanfeng" + "x"):
        assert zsf["id"] not in srv.search_ids(q), q


def test_search_total_counts_each_person_once(srv):
    """A person matched by several of their keys is one result."""
    pid = srv.new_person(name="朴庆美")
    b = ok(srv.api("GET", "/persons", "admin", params={"q": "p", "per_page": 100}))
    ids = srv.search_ids("p")
    assert pid in ids and b["total"] == len(ids)


def test_search_keys_follow_a_rename(srv):
    pid = srv.new_person(name="覃思琪")
    assert pid in srv.search_ids("qinsq")
    ok(srv.api("PATCH", f"/persons/{pid}", "admin", json={"name": "拓跋思琪"}))
    assert pid not in srv.search_ids("qinsq")
    assert pid not in srv.search_ids("tansq")
    assert pid in srv.search_ids("tuobasq")


def test_search_surname_reading_deregistered(srv):
    pid = srv.new_person(name="缪思远")
    ok(srv.api("POST", f"/persons/{pid}/deregister", "admin",
               json={"reason": "moved_away", "date": "2024-01-01"}))
    assert pid not in srv.search_ids("miaosy")
    assert pid in srv.search_ids("miaosy", include_deregistered=1)
    assert pid in srv.search_ids("mousy", include_deregistered=1)


# -------------------------------------------------------------- deregister
def test_deregister(srv):
    name = new_name()
    pid = srv.new_person(name=name)
    assert pid in srv.search_ids(name)
    p = ok(srv.api("POST", f"/persons/{pid}/deregister", "worker",
                   json={"reason": "moved_away", "date": "2024-05-01", "note": "迁往外省"}))
    assert p["id"] == pid
    assert p["status"] == "deregistered"
    assert p["dereg_reason"] == "moved_away"
    assert p["dereg_date"] == "2024-05-01"
    assert pid not in srv.search_ids(name)
    assert pid in srv.search_ids(name, include_deregistered=1)
    b = ok(srv.api("GET", "/persons", "admin", params={"per_page": 100}))
    assert pid not in {x["id"] for x in b["items"]}
    b = ok(srv.api("GET", "/persons", "admin",
                   params={"per_page": 100, "include_deregistered": 1}))
    assert pid in {x["id"] for x in b["items"]}
    assert srv.person(pid)["status"] == "deregistered"


def test_deregister_died(srv):
    pid = srv.new_person()
    p = ok(srv.api("POST", f"/persons/{pid}/deregister", "admin",
                   json={"reason": "died", "date": "2024-01-02"}))
    assert p["status"] == "deregistered" and p["dereg_reason"] == "died"


def test_deregister_bad_reason_422(srv):
    pid = srv.new_person()
    check_error(srv.api("POST", f"/persons/{pid}/deregister", "admin",
                        json={"reason": "vanished", "date": "2024-05-01"}),
                422, "invalid", "reason")
    check_error(srv.api("POST", f"/persons/{pid}/deregister", "admin",
                        json={"reason": "died", "date": "2024-02-30"}),
                422, "invalid", "date")
    assert srv.person(pid)["status"] == "active"


def test_deregister_missing_404(srv):
    check_error(srv.api("POST", "/persons/999999/deregister", "admin",
                        json={"reason": "died", "date": "2024-05-01"}), 404, "not_found")


# -------------------------------------------------------------- validation
def corruptions(idn):
    """Every single-digit change of the first 17 characters that breaks the
    check character (date/region stay plausible: only the sequence digits)."""
    out = []
    for pos in (14, 15, 16):
        for d in "0123456789":
            body = idn[:pos] + d + idn[pos + 1:17]
            if d != idn[pos] and id_check_char(body) != idn[17]:
                out.append(body + idn[17])
    return out


def test_invalid_check_char_422(srv):
    bad = corruptions(VEC_F)
    assert bad
    for idn in bad[:3]:
        b = check_error(post_person(srv, person_body(id_number=idn)), 422, "invalid", "id_number")
    assert b["error"]["field"] == "id_number"


def test_wrong_check_char_422(srv):
    good = new_id()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    check_error(post_person(srv, person_body(id_number=wrong)), 422, "invalid", "id_number")


@pytest.mark.parametrize("idn", [
    make_id("110108", "19490230", "123"),   # 30 February
    make_id("110108", "20991231", "123"),   # born in the future
    "11010819490101",                       # 14 chars
    "1101081949010112345",                  # 19 chars
    "11010819490101123A",                   # letter other than X
])
def test_malformed_id_422(srv, idn):
    check_error(post_person(srv, person_body(id_number=idn)), 422, "invalid", "id_number")


def test_duplicate_id_409(srv):
    idn = new_id()
    srv.new_person(id_number=idn)
    b = check_error(post_person(srv, person_body(id_number=idn)), 409, "conflict")
    assert b["error"].get("field") == "id_number"


def test_duplicate_id_via_patch_409(srv):
    idn = new_id()
    srv.new_person(id_number=idn)
    other = srv.new_person()
    check_error(srv.api("PATCH", f"/persons/{other}", "admin", json={"id_number": idn}),
                409, "conflict")


def test_birth_date_disagreeing_422(srv):
    idn = new_id()
    birth = datetime.date.fromisoformat(id_birth(idn)) + datetime.timedelta(days=1)
    check_error(post_person(srv, person_body(id_number=idn, birth_date=birth.isoformat())),
                422, "invalid", "birth_date")


def test_birth_date_agreeing_ok(srv):
    idn = new_id()
    pid = ok(post_person(srv, person_body(id_number=idn, birth_date=id_birth(idn))), 201)["id"]
    assert srv.person(pid)["birth_date"] == id_birth(idn)


def test_sex_disagreeing_not_stored(srv):
    """The spec says sex is derived from ID numbers; a typed one that
    disagrees is either refused (422 naming sex) or overridden."""
    idn = new_id(sex="1")
    r = post_person(srv, person_body(id_number=idn, sex="2"))
    if r.status_code == 201:
        assert srv.person(r.json()["id"])["sex"] == "1"
    else:
        check_error(r, 422, "invalid", "sex")


def test_missing_name_422(srv):
    body = person_body()
    del body["name"]
    check_error(post_person(srv, body), 422, "invalid", "name")


def test_blank_name_422(srv):
    check_error(post_person(srv, person_body(name="   ")), 422, "invalid", "name")


def test_empty_body_lists_all_errors(srv):
    b = check_error(post_person(srv, {}), 422, "invalid")
    fields = {e.get("field") for e in b["errors"]}
    assert {"name", "id_number", "residence_type"} <= fields, b
    for e in b["errors"]:
        assert e.get("message"), e


def test_unknown_ethnic_422(srv):
    check_error(post_person(srv, person_body(ethnic="99x")), 422, "invalid", "ethnic")


def test_bad_residence_type_422(srv):
    check_error(post_person(srv, person_body(residence_type="tourist")), 422, "invalid",
                "residence_type")


def test_bad_doc_type_422(srv):
    check_error(post_person(srv, person_body(doc_type="library_card")), 422, "invalid",
                "doc_type")


def test_invalid_household_id_rejected(srv):
    r = post_person(srv, person_body(household_id=999999, relation="02"))
    assert r.status_code in (404, 422), r.text
    if r.status_code == 422:
        check_error(r, 422, "invalid", "household_id")


# --------------------------------------------------------- other documents
def _foreign_nationality(srv):
    codes = ok(srv.api("GET", "/codes", "admin"))
    table = codes.get("nationality") or codes.get("country") or []
    for c in table:
        if "美国" in c.get("label", ""):
            return c["code"]
    for c in table:
        if c.get("code") not in ("CHN", "CN", "156") and "中国" not in c.get("label", ""):
            return c["code"]
    return "美国"


def test_passport_person(srv):
    nat = _foreign_nationality(srv)
    body = {"name": "Mary Poppins", "doc_type": "passport",
            "id_number": f"E{(_RUN * 1000 + 11) % 10**8:08d}",
            "sex": "2", "birth_date": "1990-03-04", "nationality": nat,
            "residence_type": "foreign"}
    pid = ok(post_person(srv, body), 201)["id"]
    p = srv.person(pid)
    assert p["doc_type"] == "passport"
    assert p["sex"] == "2" and p["birth_date"] == "1990-03-04"
    assert p["nationality"] == nat or p.get("nationality_label") == nat
    assert p["residence_type"] == "foreign"


def test_passport_sex_label_accepted(srv):
    body = {"name": "Peter Pan", "doc_type": "passport",
            "id_number": f"E{(_RUN * 1000 + 12) % 10**8:08d}",
            "sex": "男", "birth_date": "1980-01-02",
            "nationality": _foreign_nationality(srv), "residence_type": "foreign"}
    pid = ok(post_person(srv, body), 201)["id"]
    p = srv.person(pid)
    assert p["sex"] == "1" and p["sex_label"] == "男"


def test_foreigner_without_nationality_422(srv):
    body = {"name": "Nobody Known", "doc_type": "passport",
            "id_number": f"E{(_RUN * 1000 + 13) % 10**8:08d}",
            "sex": "1", "birth_date": "1980-01-02", "residence_type": "foreign"}
    check_error(post_person(srv, body), 422, "invalid", "nationality")


def test_passport_without_sex_422(srv):
    body = {"name": "Sam Sexless", "doc_type": "passport",
            "id_number": f"E{(_RUN * 1000 + 14) % 10**8:08d}",
            "birth_date": "1980-01-02", "nationality": _foreign_nationality(srv),
            "residence_type": "foreign"}
    check_error(post_person(srv, body), 422, "invalid", "sex")


def test_hk_residence_permit_accepted(srv):
    birth = (datetime.date(1970, 1, 1) + datetime.timedelta(days=_RUN * 7)).strftime("%Y%m%d")
    idn = make_id("810000", birth, "123")
    pid = ok(post_person(srv, person_body(doc_type="residence_permit", id_number=idn,
                                          residence_type="migrant")), 201)["id"]
    p = srv.person(pid)
    assert p["doc_type"] == "residence_permit"
    assert p["sex"] == "1"
    assert p["birth_date"] == id_birth(idn)
    assert p["id_number"] == mask_id(idn)


def test_hk_residence_permit_bad_check_422(srv):
    idn = make_id("810000", "19700101", "125")
    wrong = idn[:17] + ("0" if idn[17] != "0" else "1")
    check_error(post_person(srv, person_body(doc_type="residence_permit", id_number=wrong,
                                             residence_type="migrant")),
                422, "invalid", "id_number")


def test_15_digit_id_upgraded(srv):
    d = datetime.date(1935, 1, 1) + datetime.timedelta(days=_RUN)
    id15 = "110108" + d.strftime("%y%m%d") + "123"
    id18 = id15_to_18(id15)
    pid = ok(post_person(srv, person_body(id_number=id15)), 201)["id"]
    p = srv.person(pid)
    assert p["id_number"] == mask_id(id18)
    assert p["birth_date"] == d.isoformat()
    assert p["sex"] == "1"
    full = ok(srv.api("POST", f"/persons/{pid}/reveal", "director", json={"reason": "business"}))
    assert full["id_number"] == id18
    # the upgraded number is the same person as its 18-digit form
    check_error(post_person(srv, person_body(id_number=id18)), 409, "conflict")


# ------------------------------------------------------------ bad requests
def test_body_not_json_400(srv):
    r = srv.api("POST", "/persons", "admin", data="name=张三".encode(),
                headers={"Content-Type": "application/json"})
    check_error(r, 400, "bad_request")


def test_body_not_object_400(srv):
    check_error(srv.api("POST", "/persons", "admin", json=[person_body()]), 400, "bad_request")


def test_unknown_member_400(srv):
    check_error(post_person(srv, person_body(favourite_colour="蓝色")), 400, "bad_request")


def test_get_missing_404(srv):
    check_error(srv.api("GET", "/persons/999999", "admin"), 404, "not_found")


@pytest.mark.parametrize("bad", ["abc", "1x", "-1"])
def test_get_non_numeric_id(srv, bad):
    r = srv.api("GET", f"/persons/{bad}", "admin")
    assert r.status_code in (400, 404), r.text
    check_error(r, r.status_code, "bad_request" if r.status_code == 400 else "not_found")


def test_method_not_allowed_405(srv):
    pid = srv.new_person()
    check_error(srv.api("DELETE", f"/persons/{pid}", "admin"), 405, "method_not_allowed")
    assert srv.person(pid)["status"] == "active"


def test_unknown_api_path_404(srv):
    check_error(srv.api("GET", "/nosuchthing", "admin"), 404, "not_found")


def test_stats(srv):
    b = ok(srv.api("GET", "/stats", "admin"))
    assert isinstance(b, dict) and b


# ------------------------------------------------ re-indexing an older store
def _sql(db, *stmts):
    import sqlite3
    c = sqlite3.connect(str(db), timeout=10)
    try:
        with c:
            out = [c.execute(s).fetchall() for s in stmts]
    finally:
        c.close()
    return out


@pytest.mark.sqlite_file
def test_store_from_before_the_keys_is_reindexed(server_factory):
    """A store as the previous version left it (no person_key table, ICU's
    one reading in name_py/name_ini, their indexes) is migrated at open and
    its names re-indexed by `serve`: the table's readings find them.  (The
    migration that adds person_key is 7: the 人户状态 one after it is undone
    here too, and every later one, which must run again unharmed.)"""
    s = server_factory()
    s.tokens["admin"] = s.login_token("admin", ADMIN_PW)
    piao = s.new_person(name="朴庆美")
    tuoba = s.new_person(name="拓跋云飞")
    gone = s.new_person(name="缪思远")
    ok(s.api("POST", f"/persons/{gone}/deregister", "admin",
             json={"reason": "moved_away", "date": "2024-01-01"}))
    s.stop()
    (version,), = _sql(s.db, "SELECT value FROM meta WHERE key='schema_version'")[0]
    _sql(s.db,
         "DROP TABLE person_key",
         "CREATE INDEX person_py ON person (name_py, status)",
         "CREATE INDEX person_ini ON person (name_ini, status)",
         f"UPDATE person SET name_py='puqingmei', name_ini='pqm' WHERE id={piao}",
         f"UPDATE person SET name_py='tabayunfei', name_ini='tbyf' WHERE id={tuoba}",
         f"UPDATE person SET name_py='mousiyuan', name_ini='msy' WHERE id={gone}",
         "DELETE FROM meta WHERE key='person_keys'",
         # the later ones: undone too (the counts' triggers name hukou_status), all run again
         *UNDO_TALLY,
         "DROP INDEX person_hukou",
         "ALTER TABLE person DROP COLUMN hukou_status",
         "ALTER TABLE person DROP COLUMN whereabouts",
         # and the ledger settings' move into meta (migration 10)
         "CREATE TABLE ledger_custom (community TEXT NOT NULL, key TEXT NOT NULL, def TEXT NOT NULL,"
         " created_at INTEGER, PRIMARY KEY (community, key))",
         "CREATE TABLE ledger_reader (community TEXT NOT NULL, ledger TEXT NOT NULL,"
         " user_id INTEGER NOT NULL, PRIMARY KEY (community, ledger, user_id))",
         "UPDATE meta SET value='6' WHERE key='schema_version'")
    s.start()
    s.tokens["admin"] = s.login_token("admin", ADMIN_PW)
    for q in ("piao", "piaoqm", "pqm", "pu"):
        assert piao in s.search_ids(q), q
    for q in ("tuoba", "tuobayf", "tb", "taba"):
        assert tuoba in s.search_ids(q), q
    assert gone not in s.search_ids("miaosy")
    assert gone in s.search_ids("miaosy", include_deregistered=1)
    assert _sql(s.db, "SELECT value FROM meta WHERE key='schema_version'")[0] == [(version,)]
    (state,), = _sql(s.db, "SELECT value FROM meta WHERE key='person_keys'")[0]
    assert state.startswith("k1:") and " " not in state


def test_surname_table_from_a_file(server_factory, tmp_path):
    """JUWEI_SURNAMES names another table; a wrong one stops the program
    with the line and the reason."""
    bad = tmp_path / "bad.tsv"
    bad.write_text("# 测试\n朴 piao\n", encoding="utf-8")
    from conftest import run_cli
    r = run_cli("serve", "--db", tmp_path / "x.db", env={"JUWEI_SURNAMES": bad})
    assert r.returncode != 0
    assert "JUWEI_SURNAMES" in r.stderr and "第2行" in r.stderr and "制表符" in r.stderr
