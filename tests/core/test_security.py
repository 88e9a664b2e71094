import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from bpo_portal.directory.models import Provider

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrst",
    "ALLOWED_HOSTS": "bpo.example.org",
    "HTTPS": "1",
    "DEBUG": "",
}


def run_manage(env, *args):
    environment = {**os.environ, "DATABASE_URL": "sqlite:///:memory:", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestHeaders:
    def test_strict_content_security_policy(self, client):
        policy = client.get("/")["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "style-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy

    def test_other_security_headers(self, client):
        response = client.get("/providers/")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"

    def test_templates_have_no_inline_scripts_or_styles(self):
        for path in (ROOT / "templates").rglob("*.html"):
            html = path.read_text()
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
            assert not re.search(r"\sstyle=", html), path
            assert "<style" not in html, path
            assert not re.search(r"\son[a-z]+=", html), path

    def test_session_and_csrf_cookies_are_http_only(self, client, curator):
        client.get(reverse("admin:login"))
        response = client.post(
            reverse("admin:login"), {"username": "curator", "password": "curator-pass-123"}
        )
        assert response.status_code == 302
        assert response.cookies["sessionid"]["httponly"]
        assert client.cookies["csrftoken"]["httponly"]


class TestDeployChecks:
    def test_the_documented_production_environment_passes(self):
        result = run_manage(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
        assert result.returncode == 0, result.stderr + result.stdout

    def test_secure_cookies_and_https_in_production(self):
        code = (
            "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, "
            "s.SECURE_PROXY_SSL_HEADER)"
        )
        result = run_manage(PRODUCTION_ENV, "shell", "--no-imports", "-c", code)
        assert result.stdout.strip().splitlines()[-1] == (
            "True True True True ('HTTP_X_FORWARDED_PROTO', 'https')"
        )

    @pytest.mark.parametrize(
        "change, message",
        [
            ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
            ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
            ({"DEBUG": "1"}, "DEBUG is on"),
        ],
    )
    def test_unsafe_settings_stop_the_deploy_check(self, change, message):
        result = run_manage({**PRODUCTION_ENV, **change}, "check", "--deploy")
        assert result.returncode != 0
        assert message in result.stderr

    def test_gunicorn_refuses_to_start_without_a_secret_key(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {
            **os.environ,
            **PRODUCTION_ENV,
            "SECRET_KEY": "",
            "BIND": f"127.0.0.1:{port}",
            "DATABASE_URL": "sqlite:///:memory:",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        result = subprocess.run(
            [gunicorn, "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode != 0
        assert "SECRET_KEY is not set" in result.stderr


class TestWhoMayChangeWhat:
    def test_only_staff_reach_the_admin(self, client):
        user = User.objects.create_user("visitor", password="visitor-pass-123")
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and "login" in response.url

    def test_a_curator_cannot_escalate_their_own_rights(self, curator_client, curator):
        url = reverse("admin:auth_user_change", args=[curator.pk])
        assert curator_client.get(url).status_code == 403
        response = curator_client.post(
            url, {"username": "curator", "is_superuser": "on", "is_staff": "on"}
        )
        assert response.status_code == 403
        curator.refresh_from_db()
        assert not curator.is_superuser
        assert curator_client.get(reverse("admin:auth_group_changelist")).status_code == 403

    def test_login_attempts_are_rate_limited(self, client, curator):
        login = reverse("admin:login")
        for _ in range(4):
            response = client.post(login, {"username": "curator", "password": "wrong"})
            assert response.status_code == 200  # the form again, with its error
        response = client.post(login, {"username": "curator", "password": "wrong"})
        assert response.status_code == 429  # the fifth failure locks the account
        response = client.post(login, {"username": "curator", "password": "curator-pass-123"})
        assert response.status_code == 429
        assert "Too many failed sign-in attempts" in response.content.decode()


class TestHostileContent:
    def test_curated_html_is_shown_escaped(self, client):
        Provider.objects.filter(slug="ibex").update(
            description='<script>alert("x")</script><img src=x onerror=alert(1)>'
        )
        html = client.get(reverse("directory:provider_detail", args=["ibex"])).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html

    def test_too_many_parameters_get_a_clean_400(self, client):
        query = "&".join(f"k{n}=v" for n in range(3000))
        response = client.get(f"/providers/?{query}")
        assert response.status_code == 400
        assert "We could not read that request" in response.content.decode()

    def test_an_oversized_body_gets_a_clean_400(self, client):
        body = "username=x&password=" + "x" * (6 * 1024 * 1024)
        response = client.post(
            reverse("admin:login"), data=body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 400

    def test_public_pages_answer_only_get_and_head(self, client):
        assert client.post("/providers/").status_code == 405
        assert client.head("/providers/").status_code == 200

    def test_nul_bytes_and_bad_slugs_never_fail(self, client):
        assert client.get("/search/", {"q": "ibex\x00"}).status_code == 200
        assert (
            client.get("/compare/", {"p": ["ibex\x00", "ptcl"], "add": "\x00"}).status_code == 200
        )
        assert client.get("/compare/ibex-vs-pt%00cl/").status_code == 404
        assert client.get("/services/data-entry/", {"city": "\x00"}).status_code == 200

    def test_a_nul_byte_is_never_echoed_into_a_page(self, client):
        response = client.get(
            "/providers/", {"service": "call\x00centres", "city": "\x00", "kind": "b\x00"}
        )
        assert response.status_code == 200
        assert b"\x00" not in response.content
        assert "Ignored service=“call\ufffdcentres”: Null characters are not allowed." in (
            response.content.decode()
        )


class TestHeadersOnEveryResponse:
    """Static files and error pages carry the same headers as the pages."""

    def assert_protected(self, response):
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"

    def test_the_400_for_a_host_not_allowed(self, client):
        response = client.get("/", HTTP_HOST="attacker.example")
        assert response.status_code == 400
        self.assert_protected(response)

    def test_a_static_file(self, client, settings):
        settings.WHITENOISE_USE_FINDERS = True  # serve from static/, as after collectstatic
        response = client.get("/static/css/site.css")
        assert response.status_code == 200 and response.streaming
        self.assert_protected(response)

    def test_the_404_and_the_413(self, client):
        self.assert_protected(client.get("/no-such-page/"))
        response = client.post("/suggest/", {"wrong": "x" * 40_000})
        assert response.status_code == 413
        self.assert_protected(response)

    def test_gunicorn_limits_request_lines_and_headers(self):
        config = {}
        exec((ROOT / "gunicorn.conf.py").read_text(), config)
        assert config["limit_request_line"] <= 8190
        assert config["limit_request_fields"] <= 100
        assert config["limit_request_field_size"] <= 8190
        assert config["bind"].startswith("127.0.0.1:")  # only the proxy in front reaches it


class TestForwardedAddresses:
    """X-Forwarded-For is believed only from the proxies named in TRUSTED_PROXY_ADDRESSES."""

    def address(self, rf, remote, forwarded):
        from bpo_portal.portal.selectors import client_address

        return client_address(rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded))

    def test_behind_the_proxy_the_address_it_saw(self, rf, settings):
        settings.TRUSTED_PROXIES = 1
        assert self.address(rf, "127.0.0.1", "10.9.9.9, 198.51.100.7") == "198.51.100.7"

    def test_a_client_reaching_the_app_directly_cannot_choose_its_address(self, rf, settings):
        settings.TRUSTED_PROXIES = 1
        assert self.address(rf, "203.0.113.5", "198.51.100.7") == "203.0.113.5"

    def test_the_sign_in_lockout_holds_for_a_client_that_bypasses_the_proxy(
        self, client, curator, settings
    ):
        settings.TRUSTED_PROXIES = 1
        login = reverse("admin:login")
        for n in range(5):
            response = client.post(
                login,
                {"username": "curator", "password": "wrong"},
                REMOTE_ADDR="203.0.113.5",
                HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
            )
        assert response.status_code == 429
        response = client.post(
            login,
            {"username": "curator", "password": "curator-pass-123"},
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR="198.51.100.99",
        )
        assert response.status_code == 429


class TestCostlyRequests:
    """Downloads and pages asked for with a messages cookie are computed each time: a budget per
    client keeps a stream of them from costing more than pages do."""

    @pytest.fixture(autouse=True)
    def one_minute(self, monkeypatch):
        from bpo_portal.portal import throttle

        monkeypatch.setattr(throttle, "minute", lambda: 29_000_000)  # no minute ends mid-test

    def test_downloads_beyond_the_budget_get_a_429(self, client):
        from bpo_portal.portal.throttle import PER_MINUTE

        for _ in range(PER_MINUTE):
            response = client.get("/providers/?format=csv", REMOTE_ADDR="203.0.113.5")
            assert response.status_code == 200
            b"".join(response.streaming_content)
        refused = client.get("/providers/?format=csv", REMOTE_ADDR="203.0.113.5")
        assert refused.status_code == 429
        assert 0 < int(refused["Retry-After"]) <= 60
        assert "Too many downloads for now" in refused.text
        assert refused["X-Frame-Options"] == "DENY"
        other = client.get("/providers/?format=csv", REMOTE_ADDR="203.0.113.6")
        assert other.status_code == 200  # another reader is not limited

    def test_a_stream_of_message_cookies_is_served_from_the_cache(self, client, rf):
        from django.contrib.messages import constants
        from django.contrib.messages.storage.base import Message
        from django.contrib.messages.storage.cookie import CookieStorage
        from django.http import HttpResponse

        from bpo_portal.portal.throttle import PER_MINUTE

        carrier = HttpResponse()
        CookieStorage(rf.get("/"))._store([Message(constants.INFO, "Saved.")], carrier)
        cookie = carrier.cookies["messages"].value
        client.get("/statistics/")  # computed and cached
        computed = 0
        for _ in range(PER_MINUTE + 5):
            client.cookies["messages"] = cookie
            computed += client.get("/statistics/").context is not None
        assert computed == PER_MINUTE
