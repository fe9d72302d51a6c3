#!/usr/bin/env python3
"""A stand-in for the two REST calls tidemark-ci.sh makes to GitHub and GitLab (list comments, create one, update
one), for checking the pipeline scripts offline. Serves on 127.0.0.1:PORT until killed; GET /_state shows every
comment and how many creates and updates came."""
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

comments = {}
counts = {"create": 0, "update": 0}
LIST = re.compile(r"^/(repos/[^/]+/[^/]+/issues/\d+/comments|projects/\d+/merge_requests/\d+/notes)$")
ITEM = re.compile(r"^/(repos/[^/]+/[^/]+/issues/comments|projects/\d+/merge_requests/\d+/notes)/(\d+)$")


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorized(self):
        return self.headers.get("Authorization") or self.headers.get("PRIVATE-TOKEN")

    def body(self):
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))["body"]

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/_state":
            return self.answer(200, {"comments": list(comments.values()), **counts})
        if not self.authorized():
            return self.answer(401, {"message": "no token"})
        if LIST.match(path):
            return self.answer(200, list(comments.values()))
        self.answer(404, {"message": "not found"})

    def do_POST(self):
        if not self.authorized() or not LIST.match(self.path):
            return self.answer(404, {"message": "not found"})
        identifier = len(comments) + 1
        comments[identifier] = {"id": identifier, "body": self.body()}
        counts["create"] += 1
        self.answer(201, comments[identifier])

    def update(self):
        match = ITEM.match(self.path)
        if not self.authorized() or not match or int(match.group(2)) not in comments:
            return self.answer(404, {"message": "not found"})
        comments[int(match.group(2))]["body"] = self.body()
        counts["update"] += 1
        self.answer(200, comments[int(match.group(2))])

    do_PATCH = update
    do_PUT = update

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
