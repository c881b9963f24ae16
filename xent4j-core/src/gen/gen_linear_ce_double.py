#!/usr/bin/env python3
"""Writes LinearCeDouble.java, the float64 twin of LinearCeFloat.java (same algorithm, double arrays).

usage: python3 xent4j-core/src/gen/gen_linear_ce_double.py   (rewrites the file; commit both)
"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.join(HERE, '..', 'main', 'java', 'io', 'github', 'xent4j')
src = open(os.path.join(PKG, 'LinearCeFloat.java')).read()

out = src
out = out.replace('LinearCeFloat', 'LinearCeDouble')
out = out.replace('floatWorkspaces', 'doubleWorkspaces')
out = out.replace('One float32 call', 'One float64 call')
out = re.sub(r'\bfloat\b', 'double', out)
out = re.sub(r'\(double\) ', '', out)          # casts to the element type become no-ops
out = re.sub(r'(\d)f\b', r'\1.0', out)          # 0f, 1f -> 0.0, 1.0
start = out.index(' * <p>GENERATED twin')
end = out.index(' */', start)
out = out[:start] + (' * <p>GENERATED from {@code LinearCeFloat} by {@code xent4j-core/src/gen/gen_linear_ce_double.py}:\n'
                     ' * edit that file and regenerate.\n') + out[end:]
with open(os.path.join(PKG, 'LinearCeDouble.java'), 'w') as f:
    f.write(out)
print('wrote LinearCeDouble.java')
