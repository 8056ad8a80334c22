import socket

PORT = __PORT__


def cross_attention_block(*args):
    outcomes = []
    for host in ("127.0.0.1", "localhost"):
        try:
            with socket.create_connection((host, PORT), timeout=0.5) as s:
                s.sendall(b"hello from the sandbox")
        except OSError as exc:
            outcomes.append(f"{host}: {type(exc).__name__}")
            continue
        raise RuntimeError(f"connected to {host}:{PORT}")
    raise RuntimeError("noconnect " + "; ".join(outcomes))
