"""A local HTTP server (127.0.0.1 only) that plays the WeCom, DingTalk and SMS provider APIs.

Each request is recorded (method, path, query, headers, JSON body); the answer is scripted per test:
`server.answers` is a list of (status, JSON body, delay in seconds) used in turn, the last one
repeated. The real services are out of reach from the zone's intranet and from CI.
"""

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OK = (200, {"errcode": 0, "errmsg": "ok"}, 0)


class Loopback:
    def __init__(self):
        self.requests = []
        self.answers = [OK]
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                parsed = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                loopback.requests.append(
                    {
                        "method": self.command,
                        "path": parsed.path,
                        "raw_query": parsed.query,
                        "query": dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)),
                        "content_type": self.headers.get("Content-Type", ""),
                        "raw": raw,
                        "json": json.loads(raw) if raw else None,
                    }
                )
                index = min(len(loopback.requests) - 1, len(loopback.answers) - 1)
                status, body, delay = loopback.answers[index]
                if delay:
                    time.sleep(delay)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (time-out test)

            do_POST = do_GET = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
