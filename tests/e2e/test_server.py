"""wharfd starts as the contract says and answers the OCI base endpoint."""

import time


def test_v2_base_endpoint(wharf):
    r = wharf.get("/v2/")
    assert r.status_code == 200
    assert r.headers.get("Docker-Distribution-API-Version") == "registry/2.0"


def test_startup_lines(wharf):
    expected = [f"wharfd listening on http://{wharf.registry}", f"data directory: {wharf.data_dir}"]
    # The server answered already; give a buffered stdout a moment to reach the log file.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not all(line in wharf.log() for line in expected):
        time.sleep(0.1)
    lines = wharf.log().splitlines()
    for line in expected:
        assert line in lines, f"{line!r} not printed at start; log:\n{wharf.log()}"


def test_admin_token_is_printed_once_and_kept(start_wharf):
    server = start_wharf("wharfd-restart")
    first = server.log()
    assert "Created the admin identity" in first and server.token in first
    assert server.get("/v2/").status_code == 200
    anonymous = server.http.get(server.url("/v2/"), headers={"Authorization": ""}, timeout=10)
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer realm=")
    token = server.token
    server.stop()
    server.log_path.write_text("")
    server.start()
    assert server.token == token, "the admin token changed across a restart"
    assert "Created the admin identity" not in server.log() and token not in server.log()
    assert server.get("/v2/").status_code == 200
