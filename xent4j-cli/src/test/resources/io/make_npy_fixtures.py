#!/usr/bin/env python3
"""Generates the NumPy interop fixtures for io.github.xent4j.cli.io tests.

Run from anywhere with the NumPy it should record:

    /usr/bin/python3 xent4j-cli/src/test/resources/io/make_npy_fixtures.py

It writes, next to itself:
  npy/*.npy          tiny arrays saved by numpy (np.save unless noted) in many dtypes, byte orders,
                     shapes and format versions, plus some that the reader must reject;
  npy/manifest.json  for every readable fixture its dtype, shape and flattened values (the
                     reference the Java test compares against), and the versions used;
  text/*             CSV/TXT/JSON files written by numpy.savetxt and the json module.

The writer tests compare Java's output byte for byte with the files marked "np.save reference":
they are exactly what np.save writes for a little-endian C-ordered float32/float64/int64 array.
"""
import json
import os
import platform

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
NPY = os.path.join(HERE, "npy")
TEXT = os.path.join(HERE, "text")
os.makedirs(NPY, exist_ok=True)
os.makedirs(TEXT, exist_ok=True)

manifest = {
    "numpy": np.__version__,
    "python": platform.python_version(),
    "fixtures": [],
}


def record(name, a, note=""):
    manifest["fixtures"].append({
        "file": name,
        "dtype": np.dtype(a.dtype).newbyteorder("=").name,
        "descr": np.lib.format.dtype_to_descr(a.dtype),
        "shape": list(a.shape),
        "values": [v.item() for v in np.ravel(a, order="C")],
        "note": note,
    })


def save(name, a, note="np.save reference"):
    np.save(os.path.join(NPY, name), a)
    record(name, a, note)


def write_version(name, a, version):
    with open(os.path.join(NPY, name), "wb") as f:
        np.lib.format.write_array(f, a, version=version)
    record(name, a, "format version %d.%d" % version)


nan, inf = float("nan"), float("inf")

# np.save references (little-endian, C order, version 1.0): the writer must reproduce these bytes.
save("f4_2x3.npy", np.array([[0.1, -2.5, 3e-8], [inf, -inf, nan]], dtype=np.float32))
save("f8_3.npy", np.array([1.5, -0.0, 1e-300], dtype=np.float64))
save("i8_4.npy", np.array([0, -1, 2 ** 40, -(2 ** 62)], dtype=np.int64))
save("scalar_f8.npy", np.array(3.25, dtype=np.float64))
save("f4_2x3x4.npy", (np.arange(24, dtype=np.float32) / 8).reshape(2, 3, 4))
save("f8_0x3.npy", np.zeros((0, 3), dtype=np.float64))

# Other dtypes and byte orders the reader accepts.
save("i4_2x2.npy", np.array([[1, -2], [2147483647, -2147483648]], dtype=np.int32), "int32")
save("i2_3.npy", np.array([-32768, 0, 32767], dtype=np.int16), "int16")
save("i1_3.npy", np.array([-128, 0, 127], dtype=np.int8), "int8")
save("u1_3.npy", np.array([0, 1, 255], dtype=np.uint8), "uint8")
save("u4_2.npy", np.array([0, 4294967295], dtype=np.uint32), "uint32")
save("b1_3.npy", np.array([True, False, True]), "bool")
save("be_f8_2x2.npy", np.array([[1.0, -2.0], [0.5, 1e10]], dtype=">f8"), "big-endian float64")
save("be_f4_3.npy", np.array([0.25, -1.0, 3.5], dtype=">f4"), "big-endian float32")
save("be_i4_3.npy", np.array([1, -2, 300000], dtype=">i4"), "big-endian int32")
save("scalar_i8.npy", np.array(-7, dtype=np.int64), "0-d int64")
write_version("v2_f4_3.npy", np.array([1.0, 2.0, 3.0], dtype=np.float32), (2, 0))
write_version("v3_f8_2.npy", np.array([-1.5, 2.5], dtype=np.float64), (3, 0))

# Files the reader must reject with a clear message (not in the manifest).
np.save(os.path.join(NPY, "fortran_f8_2x3.npy"), np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)))
np.save(os.path.join(NPY, "f2_2.npy"), np.array([1.0, 2.0], dtype=np.float16))
np.save(os.path.join(NPY, "c8_2.npy"), np.array([1 + 2j, 3], dtype=np.complex64))
np.save(os.path.join(NPY, "u8_2.npy"), np.array([1, 2], dtype=np.uint64))

with open(os.path.join(NPY, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
    f.write("\n")

# Text interop: numpy.savetxt defaults (space separator, '%.18e'), savetxt with a '# ' header and
# commas, integer class targets, and Python's json with its NaN/Infinity tokens.
grid = np.array([[0.1, -2.5, 3e-8], [1.0, 2.0, -0.5]])
np.savetxt(os.path.join(TEXT, "savetxt_default.txt"), grid)
np.savetxt(os.path.join(TEXT, "savetxt_header.csv"), grid, delimiter=",", header="a,b,c")
np.savetxt(os.path.join(TEXT, "targets.csv"), np.array([0, 2, 1]), fmt="%d")
with open(os.path.join(TEXT, "python_json.json"), "w") as f:
    json.dump([[0.1, nan, inf], [-inf, 2.0, 3.0]], f)
    f.write("\n")
