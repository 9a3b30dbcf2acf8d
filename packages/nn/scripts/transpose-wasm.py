"""Writes the base64 of the WebAssembly module of src/transpose.ts (MODULE_BASE64) to stdout.

The module is assembled here byte by byte, as the repository has no WebAssembly toolchain:
`python3 scripts/transpose-wasm.py`. See tile() in src/transpose.ts for what it computes.
"""
def uleb(n):
    out = bytearray()
    while True:
        b = n & 0x7f; n >>= 7
        if n: out.append(b | 0x80)
        else: out.append(b); return bytes(out)
def sleb(n):
    out = bytearray()
    while True:
        b = n & 0x7f; n >>= 7
        if (n == 0 and not b & 0x40) or (n == -1 and b & 0x40): out.append(b); return bytes(out)
        out.append(b | 0x80)
def vec(items): return uleb(len(items)) + b''.join(items)
def name(s): return uleb(len(s)) + s.encode()
def section(id, body): return bytes([id]) + uleb(len(body)) + body
SRC, DST, ROWS, COLS, R0, R1, C0, C1 = range(8)
I, J, A, B, RS, WS = range(8, 14)
V = list(range(14, 22))  # v0..v3, t0..t3
get = lambda i: b'\x20' + uleb(i)
set_ = lambda i: b'\x21' + uleb(i)
const = lambda n: b'\x41' + sleb(n)
ADD, MUL, SHL, GEU = b'\x6a', b'\x6c', b'\x74', b'\x4f'
LOAD = b'\xfd\x00\x02\x00'
STORE = b'\xfd\x0b\x02\x00'
def shuffle(lanes):  # f32 lanes 0-3 of first, 4-7 of second
    return b'\xfd\x0d' + bytes(4 * l + k for l in lanes for k in range(4))
c = bytearray()
c += get(COLS) + const(2) + SHL + set_(RS)
c += get(ROWS) + const(2) + SHL + set_(WS)
c += get(R0) + set_(I)
c += b'\x02\x40\x03\x40'
c += get(I) + get(R1) + GEU + b'\x0d\x01'
c += get(C0) + set_(J)
c += b'\x02\x40\x03\x40'
c += get(J) + get(C1) + GEU + b'\x0d\x01'
# a = src + ((i*cols + j) << 2); b = dst + ((j*rows + i) << 2)
c += get(SRC) + get(I) + get(COLS) + MUL + get(J) + ADD + const(2) + SHL + ADD + set_(A)
c += get(DST) + get(J) + get(ROWS) + MUL + get(I) + ADD + const(2) + SHL + ADD + set_(B)
for k in range(4):
    c += get(A) + LOAD + set_(V[k])
    if k < 3: c += get(A) + get(RS) + ADD + set_(A)
v0, v1, v2, v3, t0, t1, t2, t3 = V
for dst, x, y, lanes in [(t0, v0, v1, [0, 4, 1, 5]), (t1, v0, v1, [2, 6, 3, 7]),
                         (t2, v2, v3, [0, 4, 1, 5]), (t3, v2, v3, [2, 6, 3, 7])]:
    c += get(x) + get(y) + shuffle(lanes) + set_(dst)
outs = [(t0, t2, [0, 1, 4, 5]), (t0, t2, [2, 3, 6, 7]), (t1, t3, [0, 1, 4, 5]), (t1, t3, [2, 3, 6, 7])]
for k, (x, y, lanes) in enumerate(outs):
    c += get(B) + get(x) + get(y) + shuffle(lanes) + STORE
    if k < 3: c += get(B) + get(WS) + ADD + set_(B)
c += get(J) + const(4) + ADD + set_(J) + b'\x0c\x00' + b'\x0b\x0b'
c += get(I) + const(4) + ADD + set_(I) + b'\x0c\x00' + b'\x0b\x0b'
c += b'\x0b'
locals_ = vec([uleb(6) + b'\x7f', uleb(8) + b'\x7b'])
body = locals_ + bytes(c)
mod = b'\x00asm\x01\x00\x00\x00'
mod += section(1, vec([b'\x60' + vec([b'\x7f'] * 8) + vec([])]))
mod += section(2, vec([name('env') + name('memory') + b'\x02\x00\x00']))
mod += section(3, vec([uleb(0)]))
mod += section(7, vec([name('tile') + b'\x00' + uleb(0)]))
mod += section(10, vec([uleb(len(body)) + body]))
import base64
print(base64.b64encode(mod).decode())
