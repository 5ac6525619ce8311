#!/usr/bin/env python3
"""`pullcheck lsp` under hostile and hurried clients, one run per figure, printed for people:

- the peak RSS after a header announcing a body of N bytes (2·10⁹, 10¹¹, 2⁶⁴−1) that never comes,
  and how the server ended (exit code, or the signal that killed it);
- how many diagnostics are published for a burst of 1,000 full-text `didChange` notifications
  written at once, and the version of the last one.

    bench/lsp.py [PULLCHECK]     # default: target/release/pullcheck
"""
import json
import os
import subprocess
import sys
import tempfile
import threading

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/release/pullcheck"
POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - {name: web, image: "nginx:latest"}\n'


def frame(message):
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def initialize(root):
    return frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                  "params": {"processId": None, "capabilities": {}, "rootUri": None}}) \
        + frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})


def read_messages(stream, into):
    while True:
        length = None
        while True:
            line = stream.readline()
            if not line:
                return
            if line == b"\r\n":
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        into.append(json.loads(stream.read(length)))


def run(input_bytes):
    """Runs one server on this input; its exit status, messages and the children's peak RSS in MB."""
    process = subprocess.Popen([BINARY, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    messages = []
    reader = threading.Thread(target=read_messages, args=(process.stdout, messages))
    reader.start()
    try:
        process.stdin.write(input_bytes)
        process.stdin.close()
    except BrokenPipeError:
        pass
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    return process.returncode, messages, usage.ru_maxrss / 1024


def main():
    root = tempfile.mkdtemp()
    print(f"binary: {BINARY}")
    for length in [2 * 10**9, 10**11, 2**64 - 1]:
        code, _, peak = run(initialize(root) + b"Content-Length: %d\r\n\r\n{}" % length)
        ended = f"exit {code}" if code >= 0 else f"killed by signal {-code}"
        print(f"Content-Length {length}: {ended}, peak RSS {peak:.0f} MB")

    uri = "file://" + os.path.join(root, "web.yaml")
    burst = initialize(root) + frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": uri, "languageId": "yaml", "version": 0, "text": POD}}})
    for version in range(1, 1001):
        burst += frame({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": POD}]}})
    burst += frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}) + frame({"jsonrpc": "2.0", "method": "exit"})
    code, messages, _ = run(burst)
    published = [m["params"]["version"] for m in messages if m.get("method") == "textDocument/publishDiagnostics"]
    print(f"1000 didChange: {len(published)} publishes, last version {published[-1] if published else None}, exit {code}")


main()
