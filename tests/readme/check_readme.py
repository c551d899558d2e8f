#!/usr/bin/env python3
"""Run every ```sh block of README.md, in order, as one bash script (`set -euo pipefail`).

Usage: check_readme.py [--wharfd PATH] [--wharf PATH] [--readme README.md]   (or env WHARFD, WHARF)

The script runs in a fresh temporary directory holding a copy of examples/ (the README's commands are written
relative to the repository root), with HOME and XDG_RUNTIME_DIR in temporary directories (kubectl's config and
skopeo's auth file stay there) and a $HOME/.curlrc with --fail-with-body, --silent and --show-error, so that any
HTTP error fails the check. The README's text is run as written, except for these substitutions, and only these:

- a line starting `swift run -c release wharfd [args]` stops the running wharfd (SIGTERM, waiting for it to exit)
  and starts the built wharfd with the same args in the background, waiting until it listens on port 5000;
- `swift run wharf` becomes the built wharf binary;
- the `./scripts/test` line is skipped (it is the command running this check);
- a block preceded by `<!-- readme-check: skip -->` is not run.

Port 5000 must be free. On failure it prints the failing line, the output and the tail of wharfd's log.
wharfd is always stopped at the end.
"""
import argparse, os, re, shutil, signal, socket, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = "<!-- readme-check: skip -->"

PRELUDE = r'''set -euo pipefail
wharfd_pid=
readme_wharfd() {
    if [ -n "$wharfd_pid" ] && kill -0 "$wharfd_pid" 2>/dev/null; then
        kill -TERM "$wharfd_pid"; wait "$wharfd_pid" || true
    fi
    "$README_WHARFD" "$@" >>"$README_LOG" 2>&1 &
    wharfd_pid=$!
    echo "$wharfd_pid" >"$README_PIDFILE"
    for _ in $(seq 1 300); do
        kill -0 "$wharfd_pid" 2>/dev/null || { echo "readme-check: wharfd $* exited" >&2; return 1; }
        if (exec 3<>/dev/tcp/127.0.0.1/5000) 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "readme-check: wharfd $* does not listen on 127.0.0.1:5000 after 30 s" >&2; return 1
}
trap 'echo "readme-check: FAILED (status $?) at script line $LINENO: $BASH_COMMAND" >&2' ERR
'''


def blocks(readme: str):
    """(first line number, lines) of each ```sh block not marked to skip."""
    lines = readme.splitlines()
    out, i = [], 0
    while i < len(lines):
        if lines[i].strip() == "```sh":
            skipped = i > 0 and lines[i - 1].strip() == SKIP
            j = i + 1
            while lines[j].strip() != "```":
                j += 1
            if not skipped:
                out.append((i + 2, lines[i + 1:j]))
            i = j
        i += 1
    return out


def translate(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith("./scripts/test"):
        return ": skipped ./scripts/test"
    if stripped.startswith("swift run -c release wharfd"):
        return "readme_wharfd" + stripped[len("swift run -c release wharfd"):]
    return line.replace("swift run wharf", '"$README_WHARF"')


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wharfd", default=os.environ.get("WHARFD"))
    ap.add_argument("--wharf", default=os.environ.get("WHARF") or os.environ.get("WHARF_CLI"))
    ap.add_argument("--readme", default=str(ROOT / "README.md"))
    args = ap.parse_args()
    for name in ("wharfd", "wharf"):
        path = getattr(args, name)
        if not path or not os.access(path, os.X_OK):
            sys.exit(f"readme-check: give the built {name} binary with --{name} (or env {name.upper()}); got {path!r}")
    if not port_free(5000):
        sys.exit("readme-check: port 5000 is in use; the README's commands need it free")

    script_lines = PRELUDE.splitlines()
    origin = {}  # script line number -> README line number
    for first, lines in blocks(Path(args.readme).read_text()):
        for k, line in enumerate(lines):
            script_lines.append(translate(line))
            origin[len(script_lines)] = first + k

    with tempfile.TemporaryDirectory(prefix="readme-check-") as tmp:
        tmp = Path(tmp)
        work, home, runtime = tmp / "work", tmp / "home", tmp / "run"
        work.mkdir(); home.mkdir(); runtime.mkdir(mode=0o700)
        shutil.copytree(ROOT / "examples", work / "examples")
        (home / ".curlrc").write_text("--fail-with-body\n--silent\n--show-error\n")
        log, pidfile = tmp / "wharfd.log", tmp / "wharfd.pid"
        (tmp / "readme.sh").write_text("\n".join(script_lines) + "\n")
        env = {k: v for k, v in os.environ.items() if k not in ("CURL_HOME", "XDG_CONFIG_HOME", "KUBECONFIG",
                                                                  "REGISTRY_AUTH_FILE", "WHARF_SERVER", "WHARF_TOKEN")}
        env.update(HOME=str(home), XDG_RUNTIME_DIR=str(runtime), README_WHARFD=os.path.abspath(args.wharfd),
                   README_WHARF=os.path.abspath(args.wharf), README_LOG=str(log), README_PIDFILE=str(pidfile))
        try:
            result = subprocess.run(["bash", str(tmp / "readme.sh")], cwd=work, env=env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
            output, status = result.stdout, result.returncode
        except subprocess.TimeoutExpired as e:
            output, status = (e.stdout or b"").decode(errors="replace") + "\nreadme-check: timed out after 600 s", -1
        finally:
            if pidfile.exists():
                try:
                    pid = int(pidfile.read_text())
                    os.kill(pid, signal.SIGTERM)
                    for _ in range(100):
                        os.kill(pid, 0); time.sleep(0.1)
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
        if status == 0:
            print(f"readme-check: every shell block of {args.readme} ran ({len(origin)} lines)")
            return 0
        m = re.findall(r"at script line (\d+)", output)
        if m:
            n = int(m[-1])
            where = origin.get(n)
            print(f"readme-check: README line {where}: {script_lines[n - 1].strip()}" if where else
                  f"readme-check: script line {n}: {script_lines[n - 1].strip()}")
        print("--- output ---\n" + output)
        text = log.read_text(errors="replace") if log.exists() else ""
        print("--- tail of wharfd's log ---\n" + "\n".join(text.splitlines()[-40:]))
        return 1


if __name__ == "__main__":
    sys.exit(main())
