"""The web dashboard at `/`: sign-in with a token into an HttpOnly, SameSite=Strict cookie,
CSRF tokens on every form that changes state, pools with utilisation and fragmentation, an SVG
prefix map, search and history with the actor; and a real browser (headless Chromium, driven
over its DevTools pipe) that signs in, takes a screenshot and shows the pool table and the map.
"""
import base64
import http.client
import json
import os
import pathlib
import re
import shutil
import subprocess
import time
import urllib.parse

import pytest

from test_server import Server, call, cli, token


@pytest.fixture
def dash(tmp_path):
    store = str(tmp_path / "ledger.sqlite")
    cli(store, "pool", "add", "--name", "pods", "10.0.0.0/16")
    cli(store, "pool", "add", "--name", "svc", "192.168.0.0/24", "--quarantine", "1h")
    s = Server(store, tmp_path / "server.log")
    yield store, s
    s.stop()


def get(s, path, cookie=None):
    c = s.conn()
    c.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    r = c.getresponse()
    return r.status, r.getheaders(), r.read().decode()


def post_form(s, path, fields, cookie=None):
    c = s.conn()
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        h["Cookie"] = cookie
    c.request("POST", path, body=urllib.parse.urlencode(fields), headers=h)
    r = c.getresponse()
    return r.status, r.getheaders(), r.read().decode()


def cookies(headers):
    return {v.split("=", 1)[0]: v for k, v in headers if k.lower() == "set-cookie"}


def sign_in(s, tok):
    status, headers, body = get(s, "/signin")
    assert status == 200
    csrf_cookie = cookies(headers)["berth_signin_csrf"]
    assert "HttpOnly" in csrf_cookie and "SameSite=Strict" in csrf_cookie
    csrf = re.search(r'name="csrf" value="([^"]+)"', body).group(1)
    status, headers, _ = post_form(s, "/signin", {"token": tok, "csrf": csrf}, cookie=csrf_cookie.split(";")[0])
    assert status == 303 and dict(headers)["Location"] == "/"
    session = cookies(headers)["berth_session"]
    assert "HttpOnly" in session and "SameSite=Strict" in session and "Path=/" in session
    return session.split(";")[0]


def test_dashboard_sign_in_csrf_pages(dash):
    store, s = dash
    admin = token(store, "netops", "admin")
    viewer = token(store, "viewer", "read")
    c = s.conn()
    assert call(c, "POST", "/api/v1/pools/pods/allocations", admin, {"size": 24, "owner": "<script>alert(1)</script>"})[0] == 201
    assert call(c, "POST", "/api/v1/pools/svc/reservations", admin, {"prefix": "192.168.0.128/26", "owner": "lb"})[0] == 201
    status, _, old = call(c, "POST", "/api/v1/pools/svc/allocations", admin, {"size": 28, "owner": "old"})
    assert status == 201 and old["prefix"] == "192.168.0.192/28"  # best fit: the free /26 beside the reservation
    assert call(c, "POST", "/api/v1/pools/svc/releases", admin, {"prefix": "192.168.0.192/28"})[0] == 200  # quarantined 1h
    usage = {p["name"]: p["usage"] for p in call(c, "GET", "/api/v1/pools", admin)[2]["pools"]}

    # Not signed in: to the sign-in page; the page itself has no scripts and no external assets.
    status, headers, _ = get(s, "/")
    assert status == 303 and dict(headers)["Location"] == "/signin"
    status, headers, body = get(s, "/signin")
    assert "<script" not in body and "http://" not in body.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "default-src 'none'" in dict(headers)["Content-Security-Policy"]

    # Sign-in without the CSRF cookie, or with another CSRF value, is refused and opens no session.
    csrf = re.search(r'name="csrf" value="([^"]+)"', body).group(1)
    status, headers, _ = post_form(s, "/signin", {"token": viewer, "csrf": csrf})
    assert status == 403 and "berth_session" not in cookies(headers)
    status, headers, _ = post_form(s, "/signin", {"token": viewer, "csrf": "berth_" + "0" * 64}, cookie=f"berth_signin_csrf={csrf}")
    assert status == 403 and "berth_session" not in cookies(headers)
    # A wrong token: 401, the form again.
    status, headers, body = post_form(s, "/signin", {"token": "berth_" + "2" * 64, "csrf": csrf}, cookie=f"berth_signin_csrf={csrf}")
    assert status == 401 and "Unknown or revoked token." in body and "berth_session" not in cookies(headers)

    session = sign_in(s, viewer)
    status, _, page = get(s, "/", session)
    assert status == 200 and "Signed in as viewer (read)" in page
    rows = re.findall(r"<tr><td>(\w+)</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>", page)
    assert rows == [(name, prefix, f"{usage[name]['utilization'] * 100:.1f} %", f"{usage[name]['fragmentation'] * 100:.1f} %")
                    for name, prefix in [("pods", "10.0.0.0/16"), ("svc", "192.168.0.0/24")]]
    assert rows[1][2:] == ("31.2 %", "27.3 %")
    assert page.count('<svg class="map"') == 2
    assert re.search(r'<rect class="allocated" x="0.00" y="0" width="3.75"', page)
    assert re.search(r'<rect class="reserved" x="480.00" y="0" width="240.00"', page)
    assert re.search(r'<rect class="quarantined" x="720.00" y="0" width="60.00"', page)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    status, _, page = get(s, "/?q=192.168.0.193", session)
    assert "192.168.0.193 is in pool <b>svc</b>; held by 192.168.0.192/28 (quarantined, owner old)." in page
    events = re.findall(r"<tr><td>[^<]+</td><td>([a-z-]+)</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>", page)
    assert events == [("allocate", "192.168.0.192/28", "old", "netops"), ("release", "192.168.0.192/28", "old", "netops")]
    status, _, page = get(s, "/?q=banana", session)
    assert status == 200 and "malformed address &#39;banana&#39;" in page

    # Sign-out needs the session's CSRF token.
    assert post_form(s, "/signout", {"csrf": "nope"}, cookie=session)[0] == 403
    assert get(s, "/", session)[0] == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', get(s, "/", session)[2]).group(1)
    assert post_form(s, "/signout", {"csrf": csrf}, cookie=session)[0] == 303
    assert get(s, "/", session)[0] == 303

    # Revoking the token ends its sessions.
    session = sign_in(s, viewer)
    cli(store, "token", "revoke", "--name", "viewer")
    status, headers, _ = get(s, "/", session)
    assert status == 303 and dict(headers)["Location"] == "/signin"


def test_dashboard_history_filters(dash):
    store, s = dash
    admin = token(store, "netops", "admin")
    ci = token(store, "ci", "allocate")
    c = s.conn()
    assert call(c, "POST", "/api/v1/pools/pods/allocations", admin, {"size": 24, "owner": "<b>x</b>"})[0] == 201
    status, _, a = call(c, "POST", "/api/v1/pools/svc/allocations", ci, {"size": 28, "owner": "team"})
    assert status == 201
    assert call(c, "POST", "/api/v1/pools/svc/releases", ci, {"prefix": a["prefix"]})[0] == 200

    # Not signed in: to the sign-in page.
    status, headers, _ = get(s, "/history?pool=svc")
    assert status == 303 and dict(headers)["Location"] == "/signin"
    session = sign_in(s, admin)
    assert '<a href="/history">Allocation history</a>' in get(s, "/", session)[2]

    def rows(path):
        status, headers, page = get(s, path, session)
        assert status == 200 and dict(headers)["Content-Type"] == "text/html; charset=utf-8", page
        assert "<script" not in page
        return re.findall(r"<tr><td>[^<]+</td><td>([^<]+)</td><td>([a-z-]+)</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>", page)

    everything = rows("/history")
    assert everything == [("svc", "release", a["prefix"], "team", "ci"), ("svc", "allocate", a["prefix"], "team", "ci"),
                          ("pods", "allocate", "10.0.0.0/24", "&lt;b&gt;x&lt;/b&gt;", "netops")]
    assert rows("/history?pool=svc") == everything[:2]
    assert rows("/history?actor=netops") == everything[2:]
    assert rows("/history?action=release") == everything[:1]
    assert rows("/history?pool=svc&actor=ci&action=allocate") == everything[1:2]
    assert rows("/history?pool=pods&action=release") == []
    today = time.strftime("%Y-%m-%d", time.gmtime())
    tomorrow = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400))
    yesterday = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))
    assert rows(f"/history?from={today}&to={today}") == everything
    assert rows(f"/history?from={tomorrow}") == []
    assert rows(f"/history?to={yesterday}T23:59:59Z") == []
    assert rows(f"/history?from={yesterday}T12:00&to={tomorrow}") == everything
    # Empty fields are no filter; the form keeps what was asked, escaped, and selects the action.
    assert rows("/history?pool=&actor=&action=&from=&to=") == everything
    status, _, page = get(s, "/history?actor=" + urllib.parse.quote('"><script>alert(1)</script>') + "&action=release", session)
    assert status == 200 and "<script>alert(1)" not in page
    assert 'name="actor" value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert '<option value="release" selected>release</option>' in page and '<p id="history-count">0 events</p>' in page

    # Bad filter values: 400 with a problem saying which field, never a 500.
    for query, detail in [
        ("action=bogus", "action: 'bogus' is not one of allocate, reserve, release, expire, quarantine-end"),
        ("from=banana", "from: 'banana' is not a time such as 2025-01-31T08:00:00Z or a day such as 2025-01-31"),
        ("to=2025-13-01", "to: '2025-13-01' is not a time such as 2025-01-31T08:00:00Z or a day such as 2025-01-31"),
        ("from=2025-02-01&to=2025-01-31", "from 2025-02-01T00:00:00Z is after to 2025-01-31T23:59:59Z"),
        ("pool=nope", "pool: unknown pool 'nope'; pools: pods, svc"),
        ("actor=" + "a" * 65, "actor: a token name of at most 64 printable characters"),
        ("actor=a%01b", "actor: a token name of at most 64 printable characters"),
    ]:
        c = s.conn()
        c.request("GET", "/history?" + query, headers={"Cookie": session})
        r = c.getresponse()
        body = r.read()
        assert (r.status, r.getheader("Content-Type")) == (400, "application/problem+json"), (query, body)
        p = json.loads(body)
        assert (p["type"], p["detail"]) == ("urn:berth:problem:invalid-request", detail), query
    status, _, body = get(s, "/history?pool=" + urllib.parse.quote("Bad <Pool>"), session)
    assert status == 400 and json.loads(body)["detail"].startswith("pool: ")


def test_dashboard_escapes_owner_and_query_in_every_page(dash):
    """The pages come from Mustache templates: an owner or a query holding markup and both kinds of
    quote reaches the table, the map, the search and the history escaped (& < > " ')."""
    store, s = dash
    admin = token(store, "netops", "admin")
    owner = """<script>alert("x")</script> & 'it'"""
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;it&#39;"
    c = s.conn()
    status, _, a = call(c, "POST", "/api/v1/pools/svc/allocations", admin, {"size": 28, "owner": owner, "note": owner})
    assert status == 201
    session = sign_in(s, admin)
    for path in ["/", "/?q=" + urllib.parse.quote(a["prefix"].split("/")[0]), "/history", "/history?actor=" + urllib.parse.quote(owner),
                 "/?q=" + urllib.parse.quote(owner)]:
        status, _, page = get(s, path, session)
        assert status == 200 and "<script" not in page and 'alert("x")' not in page and "'it'" not in page, path
    page = get(s, "/", session)[2]
    assert f'<title>{a["prefix"]} allocated {escaped}</title></rect>' in page
    page = get(s, "/?q=" + urllib.parse.quote(a["prefix"].split("/")[0]), session)[2]
    assert f'held by {a["prefix"]} (allocated, owner {escaped}).</p>' in page
    assert f'<td>allocate</td><td>{a["prefix"]}</td><td>{escaped}</td><td>netops</td></tr>' in page
    page = get(s, "/history", session)[2]
    assert f'<td>svc</td><td>allocate</td><td>{a["prefix"]}</td><td>{escaped}</td><td>netops</td></tr>' in page
    page = get(s, "/history?actor=" + urllib.parse.quote(owner), session)[2]
    assert f'name="actor" value="{escaped}"' in page and '<p id="history-count">0 events</p>' in page
    page = get(s, "/?q=" + urllib.parse.quote(owner), session)[2]
    assert f'<input name="q" value="{escaped}">' in page
    assert re.search(r'<p class="error">[^<]*&#39;&lt;script&gt;alert\(&quot;x&quot;\)&lt;/script&gt; &amp; &#39;it&#39;&#39;[^<]*</p>', page), page


def test_serve_stops_at_start_on_a_broken_or_missing_template(tmp_path):
    """The templates are read and parsed when `berth serve` starts: a broken or missing one stops
    it with one line and exit 1 before it listens, never at the first request."""
    from test_server import BERTH
    store = str(tmp_path / "s.sqlite")
    cli(store, "pool", "add", "--name", "pods", "10.0.0.0/16")
    # A copy of the binary with its resource bundle beside it, as the build leaves them.
    copy = tmp_path / "bin"
    copy.mkdir()
    shutil.copy2(BERTH, copy / "berth")
    bundle = pathlib.Path(BERTH).parent / "berth_BerthServer.resources"
    shutil.copytree(bundle, copy / "berth_BerthServer.resources")
    templates = copy / "berth_BerthServer.resources" / "templates"

    def serve():
        return subprocess.run([copy / "berth", "serve", "--store", store, "--listen", "127.0.0.1:0"], capture_output=True, text=True, timeout=60)

    (templates / "history.mustache").write_text("{{<layout}}\n{{$body}}\n{{#events}}\n{{/body}}\n{{/layout}}\n")
    r = serve()
    assert r.returncode == 1 and r.stderr.startswith(f"berth: error: server: the dashboard template '{templates / 'history.mustache'}' does not parse: line ")
    assert r.stderr.count("\n") == 1 and "listening" not in r.stderr, r.stderr
    (templates / "history.mustache").unlink()
    r = serve()
    assert (r.returncode, r.stderr) == (1, f"berth: error: server: cannot read the dashboard template '{templates / 'history.mustache'}'\n")
    shutil.rmtree(copy / "berth_BerthServer.resources")
    r = serve()
    assert (r.returncode, r.stderr) == (1, f"berth: error: server: the dashboard templates are missing: no berth_BerthServer.resources beside the binary in '{copy}'\n")


class DevTools:
    """Chromium's DevTools protocol over --remote-debugging-pipe (fd 3 in, fd 4 out; NUL-separated JSON)."""

    def __init__(self, binary, profile):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        # bash puts the pipes on fds 3 and 4, then becomes chromium.
        self.proc = subprocess.Popen(
            ["bash", "-c", f'exec "$0" "$@" 3<&{to_child_r} 4>&{from_child_w}', binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", f"--user-data-dir={profile}",
             "--window-size=1280,900", "--no-first-run", "about:blank"],
            pass_fds=(to_child_r, from_child_w), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + 60
        while time.time() < deadline:
            while b"\0" in self.buf:
                raw, self.buf = self.buf.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self.next_id:
                    assert "error" not in reply, reply
                    return reply["result"]
            self.buf += os.read(self.from_child, 1 << 20)
        raise TimeoutError(method)

    def close(self):
        self.proc.kill()
        self.proc.wait()


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed")
def test_chromium_signs_in_and_shows_table_and_map(dash, tmp_path):
    store, s = dash
    admin = token(store, "netops", "admin")
    viewer = token(store, "viewer", "read")
    c = s.conn()
    for size in (20, 22, 24, 26):
        assert call(c, "POST", "/api/v1/pools/pods/allocations", admin, {"size": size, "owner": f"team-{size}"})[0] == 201
    assert call(c, "POST", "/api/v1/pools/svc/reservations", admin, {"prefix": "192.168.0.128/25", "owner": "lb"})[0] == 201

    dt = DevTools(shutil.which("chromium"), tmp_path / "profile")
    try:
        target = dt.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        sid = dt.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        dt.send("Page.enable", session=sid)

        def evaluate(expr):
            return dt.send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=sid)["result"].get("value")

        def wait_for(expr):
            deadline = time.time() + 30
            while time.time() < deadline:
                if evaluate(expr):
                    return
                time.sleep(0.1)
            raise AssertionError(expr)

        dt.send("Page.navigate", {"url": f"http://127.0.0.1:{s.port}/"}, session=sid)
        wait_for("document.readyState === 'complete' && !!document.querySelector('form#signin')")
        assert evaluate("location.pathname") == "/signin"
        evaluate(f"document.querySelector('input[name=token]').value = {json.dumps(viewer)}; "
                 "document.querySelector('form#signin').submit(); true")
        wait_for("location.pathname === '/' && document.readyState === 'complete' && !!document.querySelector('#pools')")
        assert evaluate("document.cookie") == ""  # HttpOnly: the page's scripts cannot read the session
        rows = evaluate("Array.from(document.querySelectorAll('#pools tbody tr')).map(r => r.cells[0].textContent)")
        assert rows == ["pods", "svc"]
        assert evaluate("document.querySelectorAll('svg.map').length") == 2
        assert evaluate("document.querySelectorAll('svg.map rect.allocated').length") == 4
        assert evaluate("document.querySelectorAll('svg.map rect.reserved').length") == 1
        box = evaluate("(() => { const r = document.querySelector('svg.map').getBoundingClientRect(); return [r.width, r.height]; })()")
        assert box == [962, 30]  # drawn: 960 x 28 plus the border
        shot = base64.b64decode(dt.send("Page.captureScreenshot", {"format": "png"}, session=sid)["data"])
        assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 10_000
        (tmp_path / "dashboard.png").write_bytes(shot)
        out = os.environ.get("BERTH_DASHBOARD_SCREENSHOT")
        if out:
            with open(out, "wb") as f:
                f.write(shot)
    finally:
        dt.close()
