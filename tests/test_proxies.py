"""TRUSTED_PROXIES: behind reverse proxies each client is known by its own address."""
import pytest

from webapp.config import load_config
from webapp.models import LoginFailure
from webapp.rules import users

from .conftest import PASSWORD

CLIENT = "203.0.113.7"


@pytest.fixture
def app_settings():
    """The app as deployed behind one reverse proxy."""
    return {"TRUSTED_PROXIES": 1}


def via_proxy(client, address, password=PASSWORD, email="rita@school.test"):
    """Sign in as the proxy forwards it: it appends the address it saw to X-Forwarded-For
    (anything before that the client wrote itself)."""
    return client.post("/login", data={"email": email, "password": password},
                       headers={"X-Forwarded-For": f"10.9.9.9, {address}",
                                "X-Forwarded-Proto": "https"})


def test_a_failure_is_counted_against_the_address_the_proxy_saw(anon_client, registrar):
    assert via_proxy(anon_client, CLIENT, "guess").status_code == 401
    assert [f.address for f in LoginFailure.select()] == [CLIENT]


def test_a_guesser_behind_the_proxy_slows_only_themselves(app, registrar):
    LoginFailure.insert_many([{"email": f"guess{n}@school.test", "address": CLIENT,
                               "at": users.utcnow()}
                              for n in range(users.ADDRESS_FAILURE_LIMIT)]).execute()
    assert via_proxy(app.test_client(), CLIENT).status_code == 429
    assert via_proxy(app.test_client(), "203.0.113.8").status_code == 303


@pytest.mark.parametrize("value, proxies", [(None, 0), ("", 0), ("2", 2), (" 1 ", 1)])
def test_trusted_proxies_comes_from_the_environment(monkeypatch, value, proxies):
    if value is None:
        monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    else:
        monkeypatch.setenv("TRUSTED_PROXIES", value)
    assert load_config()["TRUSTED_PROXIES"] == proxies


@pytest.mark.parametrize("value", ["yes", "-1", "1.5", "1_0"])
def test_a_trusted_proxies_that_is_not_a_count_is_refused_clearly(monkeypatch, value):
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES must be the number of reverse"):
        load_config()
