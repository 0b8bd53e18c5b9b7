"""Helpers shared by the Juwei black-box tests (no fixtures here; see conftest.py).

Everything here is derived from docs/API.md and the CLI spec: ID-number
check characters, unique test names / numbers, error-shape checks, HTML
hidden-input parsing and a tiny cookie-handling web client.
"""
import datetime
import html as htmlmod
import itertools
import json
import random
import re
from pathlib import Path

import requests

ADMIN_PW = "Jw-Admin-2024!x"
USER_PW = "Jw-User-2024!y"
COMMUNITY_CODE = "110105087003"
COMMUNITY_NAME = "测试社区居委会"
GRID_A_NAME = "第一网格"
GRID_B_NAME = "第二网格"

# The synthetic community of shared/data (small: 2,000 persons; medium: its
# 20,000-person roster, xz-compressed), kept in the checkout so that no test
# depends on a folder outside the repository.  All of it is fictional.
COMMUNITY_DATA = Path(__file__).resolve().parent.parent / "data" / "community"


def medium_persons_csv():
    """The 20,000-person roster, unpacked once per run into a temporary file."""
    global _MEDIUM
    if _MEDIUM is None:
        import lzma
        import tempfile
        out = Path(tempfile.mkdtemp(prefix="juwei-medium-")) / "persons.csv"
        with lzma.open(COMMUNITY_DATA / "medium_persons.csv.xz") as src, open(out, "wb") as dst:
            dst.write(src.read())
        _MEDIUM = out
    return _MEDIUM


_MEDIUM = None

# --------------------------------------------------------------------------
# ID numbers (GB 11643, ISO 7064 MOD 11-2)
# --------------------------------------------------------------------------
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"

# The two published valid vectors of the brief.
VEC_F = "11010519491231002X"   # female, born 1949-12-31
VEC_M = "440524188001010014"   # male, born 1880-01-01


def id_check_char(body17):
    assert len(body17) == 17 and body17.isdigit(), body17
    s = sum(int(c) * w for c, w in zip(body17, ID_WEIGHTS))
    return ID_CHECK[s % 11]


def make_id(region, birth, seq):
    """region '110108', birth 'YYYYMMDD', seq 3 digits -> 18-char ID."""
    body = f"{region}{birth}{seq}"
    return body + id_check_char(body)


def id15_to_18(id15):
    body = id15[:6] + "19" + id15[6:]
    return body + id_check_char(body)


def mask_id(idn):
    return idn[:6] + "*" * (len(idn) - 10) + idn[-4:]


def mask_phone(p):
    return p[:3] + "****" + p[-4:]


# Run-specific offset so that two runs against the same store still differ
# a little; within one process everything below is unique by construction.
_RUN = random.randrange(0, 1000)
_id_counter = itertools.count(1)
_name_counter = itertools.count(1)
_misc_counter = itertools.count(1)


def new_id(sex=None, region="110108"):
    """A fresh valid 18-digit ID number (Haidian region, born 1960..2014).

    sex: None, "1" (male, odd 17th digit) or "2" (female, even)."""
    n = next(_id_counter)
    d = datetime.date(1960, 1, 1) + datetime.timedelta(days=(_RUN * 11 + n * 7) % 19700)
    seq = 100 + (n * 37 + _RUN) % 800
    if sex == "1" and seq % 2 == 0:
        seq += 1
    if sex == "2" and seq % 2 == 1:
        seq += 1 if seq < 999 else -1
    return make_id(region, d.strftime("%Y%m%d"), f"{seq:03d}")


def id_birth(idn):
    return f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}"


def id_sex(idn):
    return "1" if int(idn[16]) % 2 else "2"


def age_from(birth, today=None):
    today = today or datetime.date.today()
    y, m, d = (int(x) for x in birth.split("-"))
    return today.year - y - ((today.month, today.day) < (m, d))


SURNAMES = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙"]
GIVEN = "翀翎琰瑄璟曦筠澍骞鹂昶旻珩玥琮瑭桉榕樾霁"


def new_name():
    """A fresh 4-character Han name, unlikely to occur in the demo data."""
    n = next(_name_counter) + _RUN * 3
    return (SURNAMES[n % 8] + GIVEN[(n // 8) % 20] + GIVEN[(n // 160) % 20])


def new_phone():
    n = next(_misc_counter)
    return f"139{(_RUN * 100000 + n * 7919) % 10**8:08d}"


def new_label(prefix):
    """A unique ASCII-free label for grids/buildings."""
    n = next(_misc_counter)
    digits = "零一二三四五六七八九"
    tag = "".join(digits[int(c)] for c in f"{_RUN:03d}{n:03d}")
    return f"{prefix}{tag}"


# --------------------------------------------------------------------------
# JSON error shape (docs/API.md "Errors always have this shape")
# --------------------------------------------------------------------------
HAN = re.compile(r"[\u4e00-\u9fff]")


def body_of(r):
    try:
        return r.json()
    except ValueError:
        raise AssertionError(
            f"{r.request.method} {r.url} -> {r.status_code}, body is not JSON: {r.text[:300]!r}")


def check_error(r, status, code=None, field=None):
    """Asserts r is an error response of the documented shape.

    Returns the parsed body."""
    assert r.status_code == status, (
        f"{r.request.method} {r.url}: want {status}, got {r.status_code}: {r.text[:500]}")
    b = body_of(r)
    assert isinstance(b, dict) and isinstance(b.get("error"), dict), f"no error object: {b}"
    e = b["error"]
    if code is not None:
        assert e.get("code") == code, f"want code {code!r}: {b}"
    msg = e.get("message")
    assert isinstance(msg, str) and HAN.search(msg), f"message not Chinese: {b}"
    if field is not None:
        fields = [e.get("field")]
        errs = b.get("errors")
        assert isinstance(errs, list), f"'errors' list missing: {b}"
        fields += [x.get("field") for x in errs if isinstance(x, dict)]
        assert field in fields, f"field {field!r} not named: {b}"
    return b


def ok(r, status=200):
    assert r.status_code == status, (
        f"{r.request.method} {r.url}: want {status}, got {r.status_code}: {r.text[:500]}")
    if status == 204:
        return None
    return body_of(r)


def walk(obj):
    """Yields every dict nested in obj (including obj itself)."""
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from walk(v)


def all_keys(obj):
    keys = set()
    for d in walk(obj):
        keys.update(d.keys())
    return keys


def as_text(v):
    """old/new of an audit record may be an object or a JSON string."""
    if isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False)


# --------------------------------------------------------------------------
# HTML and cookies
# --------------------------------------------------------------------------
_TAG = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.I | re.S)
_ATTR = re.compile(r"([a-zA-Z_:][-\w:.]*)\s*(?:=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")


def form_inputs(text):
    """List of attribute dicts of every <input>/<select>/<textarea>."""
    out = []
    for m in _TAG.finditer(text):
        attrs = {"_tag": m.group(1).lower()}
        for a in _ATTR.finditer(m.group(2)):
            v = a.group(2)
            if v is None:
                v = ""
            elif v[:1] in "\"'":
                v = v[1:-1]
            attrs[a.group(1).lower()] = htmlmod.unescape(v)
        out.append(attrs)
    return out


def hidden(text, name="_csrf"):
    for a in form_inputs(text):
        if a["_tag"] == "input" and a.get("name") == name and a.get("type", "").lower() == "hidden":
            return a.get("value", "")
    return None


def raw_set_cookies(r):
    try:
        lst = r.raw.headers.getlist("Set-Cookie")
    except AttributeError:
        lst = []
    if not lst and r.headers.get("Set-Cookie"):
        lst = [r.headers["Set-Cookie"]]
    return lst


def find_set_cookie(r, name):
    for c in raw_set_cookies(r):
        if c.split("=", 1)[0].strip() == name:
            return c
    return None


def page_text(r):
    return htmlmod.unescape(r.text)


class Web:
    """A browser-ish client: keeps cookies itself (so Secure/SameSite flags
    do not stop them being sent over plain http to 127.0.0.1), never
    follows redirects."""

    def __init__(self, base):
        self.base = base
        self.cookies = {}

    def _absorb(self, r):
        for c in raw_set_cookies(r):
            nv, _, attrs = c.partition(";")
            name, _, value = nv.partition("=")
            name, value = name.strip(), value.strip()
            low = attrs.lower()
            if re.search(r"max-age\s*=\s*0\b", low) or value == "" or \
                    re.search(r"expires\s*=\s*thu,\s*01[ -]jan[ -]1970", low):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return r

    def request(self, method, path, **kw):
        headers = dict(kw.pop("headers", {}) or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 15)
        r = requests.request(method, self.base + path, headers=headers, **kw)
        return self._absorb(r)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, data=None, **kw):
        return self.request("POST", path, data=data, **kw)

    def csrf(self, path="/"):
        r = self.get(path)
        assert r.status_code == 200, f"GET {path} -> {r.status_code}"
        tok = hidden(r.text)
        assert tok, f"no hidden _csrf input on {path}"
        return tok

    def login_fields(self, text):
        """(user_field, password_field) names read from the login form."""
        user_f, pw_f = "username", "password"
        for a in form_inputs(text):
            if a["_tag"] != "input":
                continue
            t = a.get("type", "text").lower()
            if t == "password" and a.get("name"):
                pw_f = a["name"]
            elif t in ("text", "") and a.get("name") and a.get("name") != "_csrf":
                user_f = a["name"]
        return user_f, pw_f

    def login(self, user, pw):
        r = self.get("/login")
        assert r.status_code == 200, f"GET /login -> {r.status_code}"
        tok = hidden(r.text)
        assert tok, "login form without hidden _csrf"
        uf, pf = self.login_fields(r.text)
        r = self.post("/login", {uf: user, pf: pw, "_csrf": tok})
        assert r.status_code == 303, f"POST /login -> {r.status_code}: {r.text[:300]}"
        assert "jw_session" in self.cookies, f"no jw_session cookie: {raw_set_cookies(r)}"
        return r


_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.I | re.S)
_TEXTAREA = re.compile(r"<textarea\b([^>]*)>(.*?)</textarea>", re.I | re.S)
_SELECT = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.I | re.S)
_OPTION = re.compile(r"<option\b([^>]*)>(.*?)(?=<option\b|</select>|</optgroup>|$)", re.I | re.S)


def _attrs(s):
    out = {}
    for a in _ATTR.finditer(s):
        v = a.group(2)
        if v is None:
            v = ""
        elif v[:1] in "\"'":
            v = v[1:-1]
        out[a.group(1).lower()] = htmlmod.unescape(v)
    return out


def forms(text):
    """[(attrs, body)] of every <form> in the page."""
    return [(_attrs(m.group(1)), m.group(2)) for m in _FORM.finditer(text)]


def form_values(body):
    """What a browser would submit from a form body (no submit buttons)."""
    vals = {}
    for m in _TAG.finditer(body):
        if m.group(1).lower() != "input":
            continue
        a = _attrs(m.group(2))
        name = a.get("name")
        t = a.get("type", "text").lower()
        if not name or t in ("submit", "button", "image", "reset", "file"):
            continue
        if t in ("checkbox", "radio") and "checked" not in a:
            continue
        vals[name] = a.get("value", "on" if t == "checkbox" else "")
    for m in _TEXTAREA.finditer(body):
        a = _attrs(m.group(1))
        if a.get("name"):
            vals[a["name"]] = htmlmod.unescape(m.group(2)).lstrip("\n")
    for m in _SELECT.finditer(body):
        a = _attrs(m.group(1))
        if not a.get("name"):
            continue
        chosen = None
        for o in _OPTION.finditer(m.group(2)):
            oa = _attrs(o.group(1))
            v = oa.get("value", htmlmod.unescape(re.sub(r"<[^>]*>", "", o.group(2))).strip())
            if chosen is None or "selected" in oa:
                chosen = v
                if "selected" in oa:
                    break
        vals[a["name"]] = chosen if chosen is not None else ""
    return vals


def find_form(text, field):
    """The values of the first form that has an input/select named field."""
    for attrs, body in forms(text):
        if re.search(r"name\s*=\s*[\"']?" + re.escape(field) + r"[\"'\s>]", body):
            return attrs, form_values(body)
    raise AssertionError(f"no form with field {field!r} on the page")
