# PyTorch CPU run of a Real-ESRGAN ncnn model (.param + .bin), for timing the app against it as
# whole processes (bench/torch-compare.bench.ts). Reads the same files the app converts; runs the
# layers with torch ops; writes the x4 output as raw float32. Reference only: never the app.
# Usage: /usr/bin/python3 bench/torch-ncnn-reference.py <param> <bin> <input.raw HxWx3 u8> <h> <w> <out.raw> [threads]
import sys, time
import numpy as np
import torch
import torch.nn.functional as F

param, binf, inp, h, w, outp = sys.argv[1:7]
torch.set_num_threads(int(sys.argv[7]) if len(sys.argv) > 7 else 2)
lines = open(param).read().split('\n')
layers = []
for line in lines[2:]:
    parts = line.split()
    if not parts: continue
    typ, name, nin, nout = parts[0], parts[1], int(parts[2]), int(parts[3])
    ins, outs = parts[4:4 + nin], parts[4 + nin:4 + nin + nout]
    kv = {}
    for p in parts[4 + nin + nout:]:
        k, v = p.split('=')
        k = int(k)
        kv[k] = [float(x) for x in v.split(',')[1:]] if k <= -23300 else float(v)
    layers.append((typ, ins, outs, kv))
buf = open(binf, 'rb').read()
off = 0
def take(n, dtype):
    global off
    a = np.frombuffer(buf, dtype=dtype, count=n, offset=off).copy(); off += n * np.dtype(dtype).itemsize; return a
params = []
for typ, ins, outs, kv in layers:
    if typ == 'Convolution':
        n_out, k, size = int(kv[0]), int(kv.get(1, 1)), int(kv[6])
        tag = take(1, '<u4')[0]
        wt = take(size, '<f2').astype(np.float32) if tag == 0x01306B47 else take(size, '<f4')
        if tag == 0x01306B47 and size % 2: off += 2
        b = take(n_out, '<f4') if int(kv.get(5, 0)) else None
        params.append((torch.from_numpy(wt.reshape(n_out, -1, k, k)), torch.from_numpy(b) if b is not None else None))
    elif typ == 'PReLU':
        params.append((torch.from_numpy(take(int(kv[0]), '<f4')), None))
    else:
        params.append(None)
assert off == len(buf), (off, len(buf))
h, w = int(h), int(w)
x = torch.from_numpy(np.fromfile(inp, dtype=np.uint8).reshape(h, w, 3).astype(np.float32) / 255).permute(2, 0, 1)[None]
t = time.time()
with torch.no_grad():
    blobs = {}
    for (typ, ins, outs, kv), p in zip(layers, params):
        a = [blobs[i] for i in ins]
        if typ == 'Input': y = x
        elif typ == 'Split':
            for o in outs: blobs[o] = a[0]
            continue
        elif typ == 'Convolution':
            y = F.conv2d(a[0], p[0], p[1], padding=int(kv.get(4, 0)))
            if int(kv.get(9, 0)) == 2: y = F.leaky_relu(y, kv[-23310][0] if -23310 in kv else 0.0)
        elif typ == 'Eltwise':
            c = kv.get(-23301, [1.0] * len(a)); y = sum(ci * ai for ci, ai in zip(c, a))
        elif typ == 'BinaryOp': y = a[0] + a[1]
        elif typ == 'Concat': y = torch.cat(a, 1)
        elif typ == 'Interp': y = F.interpolate(a[0], scale_factor=(kv[1], kv[2]), mode='nearest')
        elif typ == 'PReLU': y = F.prelu(a[0], p[0])
        elif typ == 'PixelShuffle': y = F.pixel_shuffle(a[0], int(kv[0]))
        else: raise SystemExit('unsupported ' + typ)
        blobs[outs[0]] = y
    out = y
out.clamp(0, 1).numpy().astype(np.float32).tofile(outp)
print(f'inference {time.time() - t:.2f} s', file=sys.stderr)
