"""Replaces the harness's reply with a malformed one of kind __KIND__ (the harness is this process's __main__)."""
import json
import os
import struct
import sys

import numpy as np

import __main__

# __HONEST__

_real_send = __main__.send_message
_LEN = struct.Struct("<Q")


def _frame(payload):
    return _LEN.pack(len(payload)) + payload


def _npy(array):
    import io
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _forged(fd, header, arrays=None):
    kind = "__KIND__"
    out = arrays[0] if arrays else None
    if header.get("status") != "ok" or out is None:
        return _real_send(fd, header, arrays)
    if kind == "nan_seconds":
        return _real_send(fd, {**header, "seconds": float("nan")}, arrays)
    if kind == "huge_seconds":
        raw = json.dumps({**header, "seconds": 1.0, "arrays": 1}).replace('"seconds": 1.0', '"seconds": 1e400')
        os.write(fd, _frame(raw.encode()) + _frame(_npy(out)))
        return None
    if kind == "float128_infinity":
        big = out.astype(np.longdouble)
        big.flat[0] = np.longdouble("1e4000")
        return _real_send(fd, header, [big])
    if kind == "npy_512_tib":
        fake = _npy(np.zeros(1, dtype=np.float64)).replace(b"(1,)", b"(70368744177664,)")  # 2**46 doubles
        raw = json.dumps({**header, "arrays": 1}).encode()
        os.write(fd, _frame(raw) + _frame(fake))
        return None
    if kind == "nested_brackets":
        os.write(fd, _frame(b"[" * 200_000 + b"]" * 200_000))
        return None
    if kind == "long_integer":
        raw = json.dumps({**header, "arrays": 1}).replace('"arrays": 1', '"arrays": ' + "9" * 5000)
        os.write(fd, _frame(raw.encode()))
        return None
    if kind == "four_big_arrays":
        raw = json.dumps({**header, "arrays": 4}).encode()
        os.write(fd, _frame(raw) + _LEN.pack(128 << 20))
        return None
    if kind == "one_big_array":
        raw = json.dumps({**header, "arrays": 1}).encode()
        os.write(fd, _frame(raw) + _LEN.pack(512 << 20))
        return None
    raise AssertionError(kind)


__main__.send_message = _forged


def cross_attention_block(*args):
    return _honest(*args)
