#!/usr/bin/env python3
"""This recorder against Chromium's own MediaRecorder, side by side in one run: each records a
moving 1280×720 30 fps picture for 20 s with each codec both offer (VP8, VP9, AV1 in WebM; H.264
in MP4), one recording at a time. Measured for each: frames in the file the user gets, the
whole process tree's CPU seconds (every Chromium process: browser, renderer, GPU, utility —
canvas drawing included; ours: the whole recorder process, start-up and AV1's governor
included), the size it recorded at and the bitrate.

    benches/vs_chromium.py [SECONDS] [ROUNDS]     (defaults: 20 1)

Ours records `test:pattern?w=1280&h=720&fps=30` with the release build's CLI; Chromium records
benches/vs_chromium.html's canvas through captureStream(30) — the same picture redrawn (sliding
colour bars, the block code, the digits) — served from a local HTTP server that also takes the
finished file. The frames are drawn apart, so PSNR cannot be paired between them (the encoders'
quality at equal input is benches/video_encoders.sh's table). Prints a Markdown table.
"""

import http.server
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 1
CODECS = [
    ("VP8", "video/webm;codecs=vp8", "webm"),
    ("VP9", "video/webm;codecs=vp9", "webm"),
    ("AV1", "video/webm;codecs=av1", "webm"),
    ("H.264", "video/mp4;codecs=avc1", "mp4"),
]
TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(sid, seen):
    """Adds the CPU seconds of every process in session `sid` to `seen` (pid -> most seen)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the name: state(0) ppid(1) pgrp(2) session(3) … utime(11) stime(12)
        if int(fields[3]) == sid:
            cpu = (int(fields[11]) + int(fields[12])) / TICK
            seen[int(entry)] = max(seen.get(int(entry), 0.0), cpu)


def probe(path):
    """(frames, width, height, seconds) of the video stream, as ffprobe counts them."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries",
         "stream=nb_read_packets,width,height:format=duration", "-of", "default=nw=1", str(path)],
        capture_output=True, text=True, check=True).stdout
    info = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    duration = float(info.get("duration", "nan")) if info.get("duration", "N/A") != "N/A" else SECONDS
    return int(info["nb_read_packets"]), int(info["width"]), int(info["height"]), duration


def ours(mime, ext, work):
    out = work / f"ours.{ext}"
    out.unlink(missing_ok=True)
    cmd = [str(ROOT / "target/release/mediarecorder"), "record", "--no-audio", "--video",
           "test:pattern?w=1280&h=720&fps=30", "--mime", mime, "--duration", str(SECONDS), "-o", str(out)]
    env = dict(os.environ, LC_ALL="C.UTF-8", XDG_DATA_HOME=str(work / "data"))
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    summary = child.stderr.read()
    if status != 0:
        sys.exit(f"ours failed for {mime}: {summary}")
    return out, usage.ru_utime + usage.ru_stime


class Uploads(http.server.SimpleHTTPRequestHandler):
    """Serves the page; takes the finished recording (POST /upload) or its error."""

    received = threading.Event()
    target = None
    error = None

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/upload":
            Uploads.target.write_bytes(body)
        else:
            Uploads.error = body.decode(errors="replace")
        self.send_response(200)
        self.end_headers()
        Uploads.received.set()

    def log_message(self, *args):
        pass


def chromium(mime, ext, work, port):
    out = work / f"chromium.{ext}"
    out.unlink(missing_ok=True)
    Uploads.target, Uploads.error = out, None
    Uploads.received.clear()
    profile = tempfile.mkdtemp(dir=work)
    url = f"http://127.0.0.1:{port}/vs_chromium.html?mime={mime}&seconds={SECONDS}"
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
           f"--user-data-dir={profile}", "--remote-debugging-port=0", url]
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    seen = {}
    deadline = time.time() + SECONDS * 3 + 60
    while not Uploads.received.wait(0.25):
        tree_cpu(child.pid, seen)
        if time.time() > deadline:
            os.killpg(child.pid, signal.SIGKILL)
            sys.exit(f"Chromium did not finish recording {mime}")
    tree_cpu(child.pid, seen)
    os.killpg(child.pid, signal.SIGTERM)
    child.wait()
    if Uploads.error:
        sys.exit(f"Chromium failed for {mime}: {Uploads.error}")
    return out, sum(seen.values())


def main():
    subprocess.run(["cargo", "build", "--release", "--locked", "--bin", "mediarecorder"], cwd=ROOT, check=True,
                   stdout=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="vs-chromium."))
    handler = lambda *a, **k: Uploads(*a, directory=str(ROOT / "benches"), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    port = server.server_address[1]
    expected = SECONDS * 30
    print(f"{SECONDS} s of 1280×720 at 30 fps ({expected} frames), 2.5 Mbit/s asked; {os.cpu_count()} cores; "
          f"{subprocess.run(['chromium', '--version'], capture_output=True, text=True).stdout.strip()}.\n")
    print("| codec | recorder | frames | CPU-s | size | kbit/s |")
    print("| --- | --- | --- | --- | --- | --- |")
    try:
        for _ in range(ROUNDS):
            for name, mime, ext in CODECS:
                for who, run in (("ours", lambda: ours(mime, ext, work)),
                                 ("Chromium", lambda: chromium(mime, ext, work, port))):
                    path, cpu = run()
                    frames, w, h, duration = probe(path)
                    kbps = path.stat().st_size * 8 / duration / 1000
                    print(f"| {name} | {who} | {frames}/{expected} | {cpu:.1f} | {w}×{h} | {kbps:.0f} |", flush=True)
    finally:
        server.shutdown()
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
