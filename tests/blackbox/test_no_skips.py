"""`make test` fails when a test is skipped without a reason that holds on
every machine (conftest.py's pytest_runtest_makereport): a probe suite
with the real conftest.py shows it."""
import shutil
import subprocess

from conftest import REPO, _clean_env


def _pytest_on(tmp_path, body):
    here = REPO / "tests" / "blackbox"
    for f in ("conftest.py", "juwei_util.py"):
        shutil.copy(here / f, tmp_path / f)
    (tmp_path / "test_probe.py").write_text(body, encoding="utf-8")
    return subprocess.run(["/usr/bin/python3", "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           str(tmp_path)], capture_output=True, text=True, timeout=120,
                          cwd=str(tmp_path), env=_clean_env())


def test_a_skip_fails_the_run(tmp_path):
    cp = _pytest_on(tmp_path, "import pytest\n\n"
                    "def test_needs_a_file():\n"
                    "    pytest.skip('/nowhere/data is not there')\n\n"
                    "def test_plain():\n"
                    "    pass\n")
    assert cp.returncode != 0, cp.stdout
    assert "/nowhere/data is not there" in cp.stdout and "1 failed" in cp.stdout, cp.stdout


def test_a_skip_in_a_fixture_fails_the_run(tmp_path):
    cp = _pytest_on(tmp_path, "import pytest\n\n"
                    "@pytest.fixture\n"
                    "def data():\n"
                    "    pytest.skip('no data here')\n\n"
                    "def test_uses_data(data):\n"
                    "    pass\n")
    assert cp.returncode != 0, cp.stdout
    assert "no data here" in cp.stdout, cp.stdout


def test_xfail_is_no_skip(tmp_path):
    cp = _pytest_on(tmp_path, "import pytest\n\n"
                    "@pytest.mark.xfail(reason='known', strict=True)\n"
                    "def test_known():\n"
                    "    assert False\n")
    assert cp.returncode == 0, cp.stdout + cp.stderr


def test_community_data_is_in_the_repository():
    """The rosters the import and ledger tests read are in the clone."""
    from juwei_util import COMMUNITY_DATA, medium_persons_csv
    for name in ("small_persons.csv", "small_community.xlsx", "medium_persons.csv.xz"):
        assert (COMMUNITY_DATA / name).is_file() and REPO in (COMMUNITY_DATA / name).parents
    with open(medium_persons_csv(), encoding="utf-8-sig") as f:
        assert sum(1 for _ in f) == 20001
