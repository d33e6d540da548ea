#!/usr/bin/env python3
"""Webhook receiver of the real SalesMan oracle (stdlib only).

Listens on 127.0.0.1:PORT and appends one JSON line per delivery to LOG:
    {"path": "/hook/<event>", "body": "<raw body string>", "headers": {...}}
and answers 200 {"ok":true}.  The file is opened in append mode for every delivery, so a consumer may
truncate it at any time (record.py does, after each reset).

    python3 hook_receiver.py [--host 127.0.0.1] [--port 18765] [--log hooks.jsonl]
"""

import argparse
import http.server
import json
import socketserver
import threading

LOCK = threading.Lock()


def make_handler(log_path):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n > 0 else b""
            rec = {
                "path": self.path,
                "body": body.decode("utf-8", "replace"),
                "headers": {k: v for k, v in self.headers.items()},
            }
            line = json.dumps(rec, ensure_ascii=False) + "\n"
            with LOCK:
                with open(log_path, "a", encoding="utf-8") as f:
                    f.write(line)
            out = b'{"ok":true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(out)
            self.close_connection = True

        do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

        def log_message(self, *args):
            pass

    return Handler


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=18765)
    ap.add_argument("--log", default="hooks.jsonl")
    args = ap.parse_args()
    open(args.log, "a").close()
    srv = Server((args.host, args.port), make_handler(args.log))
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
