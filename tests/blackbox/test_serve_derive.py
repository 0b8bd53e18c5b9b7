"""`juwei serve` derives the ledgers in the background (issue 8 §4).

A store whose derived ledgers are missing (as after an upgrade from a
version without ledgers) is served; the derivation runs in short
transactions on its own connection, so a login, a page and a write work
at once while it runs, and the ledger pages say that the ledgers are being
updated.  JUWEI_DERIVE_HOLD makes the derivation wait between two batches
while a file exists, so that the test acts while it is under way (no
timing); JUWEI_DERIVE_BATCH makes the batches small.
"""
import subprocess
import time

import pytest
import requests

import conftest
from conftest import Server, _clean_env, _must, db_exec, db_rows, free_port, init_store, run_cli
from juwei_util import ADMIN_PW
from juwei_util import Web, new_id, new_name, page_text

NOTICE = "台账正在按今天的日期更新"


class HeldServer(Server):
    """Server started with extra environment."""

    def __init__(self, db, workdir, env):
        super().__init__(db, workdir)
        self.env = env

    def start(self, timeout=10.0):
        self._n += 1
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._out = self.workdir / f"serve{self._n}.out"
        self._err = self.workdir / f"serve{self._n}.err"
        with open(self._out, "wb") as o, open(self._err, "wb") as e:
            self.proc = subprocess.Popen(
                [conftest.BIN, "serve", "--db", str(self.db), "--listen", f"127.0.0.1:{self.port}"],
                stdout=o, stderr=e, stdin=subprocess.DEVNULL, env=_clean_env(self.env),
                cwd=str(self.workdir))
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, self.stderr_text()
            try:
                requests.get(self.base + "/login", timeout=1, allow_redirects=False)
                return self
            except requests.RequestException:
                if time.monotonic() > deadline:
                    self.stop()
                    pytest.fail("juwei serve did not come up:\n" + self.stderr_text())
                time.sleep(0.05)


def wait_for(cond, what, limit=60.0):
    """Polls cond() until it holds (the bound only stops a hung run)."""
    deadline = time.monotonic() + limit
    while not cond():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for: {what}")
        time.sleep(0.1)


def derived_open(db):
    return [(a, b, int(c)) for a, b, c in db_rows(db, "SELECT ledger, subject, subject_id FROM ledger_entry"
                                                   " WHERE derived = 1 AND end_date IS NULL ORDER BY 1, 2, 3")]


@pytest.fixture
def store_needing_derivation(juwei_bin, tmp_path):
    db = init_store(tmp_path)
    _must(run_cli("demo", "--db", db, "--persons", 300, timeout=300), "juwei demo")
    want = derived_open(db)
    assert len(want) > 100, "the demo community should be in the derived ledgers"
    # a store from before the ledgers: none of its people are in them yet
    db_exec(db, "DELETE FROM ledger_entry WHERE derived = 1")
    assert derived_open(db) == []
    return db, want


def test_login_and_pages_while_ledgers_derive(store_needing_derivation, tmp_path):
    db, want = store_needing_derivation
    hold = tmp_path / "hold"
    hold.write_text("hold")
    s = HeldServer(db, tmp_path, {"JUWEI_DERIVE_HOLD": hold, "JUWEI_DERIVE_BATCH": 40})
    s.start()
    try:
        w = Web(s.base)
        w.login("admin", ADMIN_PW)   # asserts the login worked
        # the derivation is under way (one batch done, the next held)
        wait_for(lambda: NOTICE in page_text(w.get("/ledgers")), "the notice on /ledgers")
        assert 0 < len(derived_open(db)) < len(want)
        # while it runs: API logins, pages and writes are answered
        tok = s.login_token("admin", ADMIN_PW)
        r = w.get("/")
        assert r.status_code == 200 and NOTICE in page_text(r)
        assert NOTICE not in page_text(w.get("/persons")), "the notice belongs to ledger pages"
        r = s.api("POST", "/persons", token=tok,
                  json={"name": new_name(), "doc_type": "id_card", "id_number": new_id(),
                        "residence_type": "registered"})
        assert r.status_code == 201, r.text[:300]
        assert derived_open(db) != want
        # let it finish: the notice goes and every entry is back
        hold.unlink()
        wait_for(lambda: NOTICE not in page_text(w.get("/ledgers")), "the notice to go")
        got = derived_open(db)
        assert set(want) <= set(got)
        assert len(got) - len(want) <= 2, "only the new person's ledgers may be added"
        assert NOTICE not in page_text(w.get("/"))
    finally:
        s.stop()
