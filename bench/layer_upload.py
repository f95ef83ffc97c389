#!/usr/bin/env python3
"""layer_upload: how long a member takes to send CHUNKS piece-layer chunks of one v2 file, and
how long another user's `msg` replies take meanwhile (both go through the tracker's one store
thread). Starts TRACKER on loopback in a throwaway data directory.

    bench/layer_upload.py TRACKER CHUNKS      e.g. build/release/apps/tracker 1024
"""
import base64, hashlib, socket, subprocess, sys, tempfile, threading, time


def connect(port):
    return socket.create_connection(("127.0.0.1", port)).makefile("rwb", buffering=0)


def request(f, line):
    f.write((line + "\n").encode())
    while True:
        reply = f.readline().decode()
        if not reply:
            raise RuntimeError("the tracker closed the connection")
        if reply.startswith(("OK", "ERR")):
            return reply.strip()


def bstr(b):
    return str(len(b)).encode() + b":" + b


def v2_info(name, pieces):
    """A v2 info dictionary of one file of `pieces` 16 KiB pieces (its root made up)."""
    leaf = b"d" + bstr(b"length") + b"i%de" % (pieces * 16384) + bstr(b"pieces root") + bstr(b"r" * 32) + b"e"
    return (b"d" + bstr(b"file tree") + b"d" + bstr(name) + b"d" + bstr(b"") + leaf + b"ee" +
            bstr(b"meta version") + b"i2e" + bstr(b"name") + bstr(name) + bstr(b"piece length") + b"i16384e" + b"e")


def main():
    tracker, chunks = sys.argv[1], int(sys.argv[2])
    with tempfile.TemporaryDirectory() as data:
        proc = subprocess.Popen([tracker, "--listen", "127.0.0.1:0", "--data-dir", data,
                                 "--password-hash-cost", "minimal", "--log-level", "warn"],
                                stdout=subprocess.PIPE, text=True)
        try:
            port = int(proc.stdout.readline().strip().rsplit(":", 1)[1])
            alice, bob = connect(port), connect(port)
            for f, name in ((alice, "alice"), (bob, "bob")):
                request(f, f"create_user {name} {name}-password")
                request(f, f"login {name} {name}-password")
            request(alice, "create_group g")
            pieces = 1 << 21  # libtorrent's bound: 2,048 chunks of 1,024 hashes
            info = v2_info(b"big.bin", pieces)
            request(alice, "add_file g big.bin %d %s %s" % (pieces * 16384, hashlib.sha256(info).hexdigest(),
                                                             base64.b64encode(info).decode()))
            chunk = base64.b64encode(b"h" * 32 * 1024).decode()
            replies, done = [], threading.Event()

            def messages():
                while not done.is_set():
                    start = time.perf_counter()
                    request(bob, "msg alice hi")
                    replies.append(time.perf_counter() - start)
                    time.sleep(0.01)

            beside = threading.Thread(target=messages)
            beside.start()
            start = time.perf_counter()
            for k in range(chunks):
                last = request(alice, "add_layers g big.bin %d %s" % (k * 1024, chunk))
            seconds = time.perf_counter() - start
            done.set()
            beside.join()
            replies.sort()
            print(f"chunks={chunks} seconds={seconds:.2f} last_reply='{last}' msg_replies={len(replies)} "
                  f"msg_p50_ms={1000 * replies[len(replies) // 2]:.1f} msg_max_ms={1000 * replies[-1]:.1f}")
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
