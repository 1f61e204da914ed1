// Native float32 kernels for tfjs's wasm backend: convolutions as GEMMs (oneDNN's sgemm, the GEMM PyTorch's CPU
// build uses) by output position or over im2col, or direct where a GEMM would be all edges; tanh, average-pool
// gradients and the rest as plain loops the compiler vectorises for this machine.
// Every function works in place on Float32Array views of the wasm heap, so no tensor is copied in or out.
// Layouts are tfjs's: activations NHWC, filters [kh, kw, in, out], which as a matrix is already [K, out].
#include <dnnl.h>
#include <node_api.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <vector>

namespace {

// Rows of the im2col matrix per GEMM: about 4 MiB of columns, so a chunk stays in the last-level cache.
constexpr long kChunkFloats = 1L << 20;

struct Geometry {
  long batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft;
  long k() const { return kH * kW * inC; }
  long rowsPerImage() const { return outH * outW; }
  long imagesPerChunk() const { return std::max(1L, kChunkFloats / std::max(1L, rowsPerImage() * k())); }
};

thread_local std::vector<float> scratch;

float *scratchFor(long floats) {
  if (static_cast<long>(scratch.size()) < floats) scratch.resize(floats);
  return scratch.data();
}

// cols[(n, oy, ox), (ky, kx, ci)] = x[n, oy·sh + ky·dh − top, ox·sw + kx·dw − left, ci], 0 outside the image.
// Without dilation a kernel row's kW·inC values are contiguous in x, so an in-bounds row is one copy.
void im2col(const float *x, const Geometry &g, long n0, long n1, float *cols) {
  const long k = g.k(), span = g.kW * g.inC;
  for (long n = n0; n < n1; n++) {
    const float *image = x + n * g.inH * g.inW * g.inC;
    for (long oy = 0; oy < g.outH; oy++) {
      for (long ox = 0; ox < g.outW; ox++) {
        float *row = cols + (((n - n0) * g.outH + oy) * g.outW + ox) * k;
        const long ix0 = ox * g.strideW - g.padLeft;
        const bool inside = g.dilW == 1 && ix0 >= 0 && ix0 + g.kW <= g.inW;
        for (long ky = 0; ky < g.kH; ky++) {
          const long iy = oy * g.strideH + ky * g.dilH - g.padTop;
          float *dst = row + ky * span;
          if (iy < 0 || iy >= g.inH) {
            for (long i = 0; i < span; i++) dst[i] = 0.f;
          } else if (inside) {
            const float *src = image + (iy * g.inW + ix0) * g.inC;
            for (long i = 0; i < span; i++) dst[i] = src[i];
          } else {
            for (long kx = 0; kx < g.kW; kx++) {
              const long ix = ix0 + kx * g.dilW;
              float *d = dst + kx * g.inC;
              const float *src = image + (iy * g.inW + ix) * g.inC;
              const bool in = ix >= 0 && ix < g.inW;
              for (long c = 0; c < g.inC; c++) d[c] = in ? src[c] : 0.f;
            }
          }
        }
      }
    }
  }
}

// The adjoint of im2col: dx[n, iy, ix, ci] += dcols[(n, oy, ox), (ky, kx, ci)] (dx zeroed by the caller).
void col2im(const float *dcols, const Geometry &g, long n0, long n1, float *dx) {
  const long k = g.k(), span = g.kW * g.inC;
  for (long n = n0; n < n1; n++) {
    float *image = dx + n * g.inH * g.inW * g.inC;
    for (long oy = 0; oy < g.outH; oy++) {
      for (long ox = 0; ox < g.outW; ox++) {
        const float *row = dcols + (((n - n0) * g.outH + oy) * g.outW + ox) * k;
        const long ix0 = ox * g.strideW - g.padLeft;
        const bool inside = g.dilW == 1 && ix0 >= 0 && ix0 + g.kW <= g.inW;
        for (long ky = 0; ky < g.kH; ky++) {
          const long iy = oy * g.strideH + ky * g.dilH - g.padTop;
          if (iy < 0 || iy >= g.inH) continue;
          const float *src = row + ky * span;
          if (inside) {
            float *dst = image + (iy * g.inW + ix0) * g.inC;
            for (long i = 0; i < span; i++) dst[i] += src[i];
            continue;
          }
          for (long kx = 0; kx < g.kW; kx++) {
            const long ix = ix0 + kx * g.dilW;
            if (ix < 0 || ix >= g.inW) continue;
            float *dst = image + (iy * g.inW + ix) * g.inC;
            for (long c = 0; c < g.inC; c++) dst[c] += src[kx * g.inC + c];
          }
        }
      }
    }
  }
}

bool pointwise(const Geometry &g) {
  return g.kH == 1 && g.kW == 1 && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0;
}

// ---- Direct convolution for few channels (the small tower's 1→4 and 4→16 layers) ------------------------------
// With 4 or 16 output channels a GEMM is all edges: im2col writes K floats per output pixel to use each once or
// four times. Here each image is laid out channel-first and zero-padded, and every filter tap is one
// multiply-add over a whole output row, contiguous in memory, which the compiler vectorises.

bool direct(const Geometry &g) {
  return g.strideH == 1 && g.strideW == 1 && g.dilH == 1 && g.dilW == 1 && g.inC <= 16 && g.outC <= 16 &&
         g.padTop >= 0 && g.padLeft >= 0;
}

thread_local std::vector<float> padded, planar, flipped;

float *bufferFor(std::vector<float> &buffer, long floats) {
  if (static_cast<long>(buffer.size()) < floats) buffer.resize(floats);
  return buffer.data();
}

// The padded input the output rows read: rows outH + kH − 1, columns outW + kW − 1, channel-first.
long paddedH(const Geometry &g) { return g.outH + g.kH - 1; }
long paddedW(const Geometry &g) { return g.outW + g.kW - 1; }

// One NHWC image into [c][padded rows][padded columns], zeros outside the image.
void toPaddedPlanes(const float *image, const Geometry &g, float *out) {
  const long ph = paddedH(g), pw = paddedW(g);
  std::memset(out, 0, sizeof(float) * g.inC * ph * pw);
  for (long iy = 0; iy < g.inH; iy++) {
    const long py = iy + g.padTop;
    if (py >= ph) break;
    for (long ix = 0; ix < g.inW; ix++) {
      const long px = ix + g.padLeft;
      if (px >= pw) break;
      const float *src = image + (iy * g.inW + ix) * g.inC;
      for (long c = 0; c < g.inC; c++) out[(c * ph + py) * pw + px] = src[c];
    }
  }
}

// planes[co][oy][ox] = Σ_{ci, ky, kx} w[ky, kx, ci, co] · padded[ci][oy + ky][ox + kx], with planes' rows as
// wide as the padded input's: then each tap is one multiply-add over all output rows at once, a long contiguous
// loop. The columns from outW on are scratch (they read past a row into the next, or into the kW floats of
// slack after the planes) and are never read out.
// Sixteen floats, one AVX-512 register (two AVX ones elsewhere); loads and stores need no alignment.
typedef float v16 __attribute__((vector_size(64)));
inline v16 load16(const float *p) {
  v16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store16(float *p, v16 v) { std::memcpy(p, &v, sizeof v); }

// Each output element sums its taps in (ci, ky, kx) order, held in registers across all the taps; the order, and
// so the result, is that of a plain loop. G output channels are computed together, so each input vector loaded
// serves G of them (four sums of four vectors each keep the adders busy).
template <int G>
void directPlanesBlocked(const float *__restrict pad, const float *__restrict w, const Geometry &g,
                         float *__restrict planes) {
  const long ph = paddedH(g), pw = paddedW(g), span = g.outH * pw, taps = g.k();
  thread_local std::vector<long> offsets;
  thread_local std::vector<float> weights;
  offsets.resize(taps);
  weights.resize(taps * G);
  for (long co0 = 0; co0 < g.outC; co0 += G) {
    long t = 0;
    for (long ci = 0; ci < g.inC; ci++)
      for (long ky = 0; ky < g.kH; ky++)
        for (long kx = 0; kx < g.kW; kx++, t++) {
          offsets[t] = (ci * ph + ky) * pw + kx;
          for (int c = 0; c < G; c++) weights[t * G + c] = w[((ky * g.kW + kx) * g.inC + ci) * g.outC + co0 + c];
        }
    float *__restrict plane = planes + co0 * span;
    long i = 0;
    for (; i + 64 <= span; i += 64) {
      v16 a[G][4] = {};
      for (long k = 0; k < taps; k++) {
        const float *src = pad + offsets[k] + i;
        const v16 s0 = load16(src), s1 = load16(src + 16), s2 = load16(src + 32), s3 = load16(src + 48);
        for (int c = 0; c < G; c++) {
          const float tap = weights[k * G + c];
          a[c][0] += tap * s0;
          a[c][1] += tap * s1;
          a[c][2] += tap * s2;
          a[c][3] += tap * s3;
        }
      }
      for (int c = 0; c < G; c++)
        for (int j = 0; j < 4; j++) store16(plane + c * span + i + 16 * j, a[c][j]);
    }
    for (; i + 16 <= span; i += 16) {
      v16 a[G] = {};
      for (long k = 0; k < taps; k++) {
        const v16 s0 = load16(pad + offsets[k] + i);
        for (int c = 0; c < G; c++) a[c] += weights[k * G + c] * s0;
      }
      for (int c = 0; c < G; c++) store16(plane + c * span + i, a[c]);
    }
    for (; i < span; i++) {
      for (int c = 0; c < G; c++) {
        float a = 0.f;
        for (long k = 0; k < taps; k++) a += weights[k * G + c] * pad[offsets[k] + i];
        plane[c * span + i] = a;
      }
    }
  }
}

void directPlanes(const float *pad, const float *w, const Geometry &g, float *planes) {
  if (g.outC % 4 == 0) return directPlanesBlocked<4>(pad, w, g, planes);
  directPlanesBlocked<1>(pad, w, g, planes);
}

float *paddedBuffer(const Geometry &g) { return bufferFor(padded, g.inC * paddedH(g) * paddedW(g) + g.kW); }

void directConv2d(const float *x, const float *w, const float *bias, int relu, const Geometry &g, float *y) {
  const long oh = g.outH, ow = g.outW, pw = paddedW(g), span = oh * pw;
  float *pad = paddedBuffer(g);
  float *planes = bufferFor(planar, g.outC * span);
  for (long n = 0; n < g.batch; n++) {
    toPaddedPlanes(x + n * g.inH * g.inW * g.inC, g, pad);
    directPlanes(pad, w, g, planes);
    float *out = y + n * oh * ow * g.outC;
    for (long oy = 0; oy < oh; oy++) {
      for (long ox = 0; ox < ow; ox++) {
        for (long co = 0; co < g.outC; co++) {
          const float v = planes[co * span + oy * pw + ox] + (bias != nullptr ? bias[co] : 0.f);
          out[(oy * ow + ox) * g.outC + co] = relu && v < 0.f ? 0.f : v;
        }
      }
    }
  }
}

// dx is the full correlation of dy with the filter rotated by 180° and its channels swapped: a direct
// convolution of dy with padding k − 1 − pad, whose output has the input's size.
void directBackpropInput(const float *dy, const float *w, const Geometry &g, float *dx) {
  Geometry t = g;
  t.inH = g.outH, t.inW = g.outW, t.inC = g.outC;
  t.outH = g.inH, t.outW = g.inW, t.outC = g.inC;
  t.padTop = g.kH - 1 - g.padTop, t.padLeft = g.kW - 1 - g.padLeft;
  float *rotated = bufferFor(flipped, g.k() * g.outC);
  for (long ky = 0; ky < g.kH; ky++)
    for (long kx = 0; kx < g.kW; kx++)
      for (long ci = 0; ci < g.inC; ci++)
        for (long co = 0; co < g.outC; co++)
          rotated[(((g.kH - 1 - ky) * g.kW + (g.kW - 1 - kx)) * g.outC + co) * g.inC + ci] =
              w[((ky * g.kW + kx) * g.inC + ci) * g.outC + co];
  directConv2d(dy, rotated, nullptr, 0, t, dx);
}

// acc[c][i] += Σ_n src[n][i] · d[n][c][i] for G consecutive output channels c (rows span apart in acc and d),
// n in order; one load of the input serves all G channels.
template <int G>
void accumulateTaps(const float *__restrict src, long srcStride, const float *__restrict d, long dStride, long span,
                    long count, float *__restrict acc) {
  long i = 0;
  for (; i + 32 <= span; i += 32) {
    v16 a[G][2];
    for (int c = 0; c < G; c++) a[c][0] = load16(acc + c * span + i), a[c][1] = load16(acc + c * span + i + 16);
    for (long n = 0; n < count; n++) {
      const float *s = src + n * srcStride + i;
      const v16 s0 = load16(s), s1 = load16(s + 16);
      const float *dn = d + n * dStride + i;
      for (int c = 0; c < G; c++) {
        a[c][0] += s0 * load16(dn + c * span);
        a[c][1] += s1 * load16(dn + c * span + 16);
      }
    }
    for (int c = 0; c < G; c++) store16(acc + c * span + i, a[c][0]), store16(acc + c * span + i + 16, a[c][1]);
  }
  for (; i < span; i++)
    for (int c = 0; c < G; c++) {
      float a = acc[c * span + i];
      for (long n = 0; n < count; n++) a += src[n * srcStride + i] * d[n * dStride + c * span + i];
      acc[c * span + i] = a;
    }
}

// dw[ky, kx, ci, co] = Σ_{n, oy, ox} padded x[ci][oy + ky][ox + kx] · dy[co][oy][ox]. dy is laid out with the
// padded rows' width and zeros in the extra columns, so each tap is again one long elementwise accumulation
// (vectorisable without reordering a sum), folded once at the end. Images go in chunks that stay in cache: each
// tap's accumulators are loaded once per chunk, not once per image, and still add the images in order.
void directBackpropFilter(const float *x, const float *dy, const Geometry &g, float *dw) {
  const long oh = g.outH, ow = g.outW, span = oh * paddedW(g), taps = g.k() * g.outC;
  const long padFloats = g.inC * paddedH(g) * paddedW(g) + g.kW, planeFloats = g.outC * span;
  // About 256 KiB of padded images and gradient planes a chunk: they stay in the second-level cache.
  const long chunk = std::max(1L, std::min(g.batch, (1L << 16) / (padFloats + planeFloats)));
  float *pads = bufferFor(padded, chunk * padFloats);
  float *planes = bufferFor(planar, chunk * planeFloats);
  float *columns = bufferFor(flipped, taps * span);
  std::memset(columns, 0, sizeof(float) * taps * span);
  std::memset(planes, 0, sizeof(float) * chunk * planeFloats);
  const long G = g.outC % 4 == 0 ? 4 : 1;
  for (long n0 = 0; n0 < g.batch; n0 += chunk) {
    const long count = std::min(chunk, g.batch - n0);
    for (long n = 0; n < count; n++) {
      toPaddedPlanes(x + (n0 + n) * g.inH * g.inW * g.inC, g, pads + n * padFloats);
      const float *grad = dy + (n0 + n) * oh * ow * g.outC;
      float *plane = planes + n * planeFloats;
      for (long oy = 0; oy < oh; oy++)
        for (long ox = 0; ox < ow; ox++)
          for (long co = 0; co < g.outC; co++)
            plane[co * span + oy * paddedW(g) + ox] = grad[(oy * ow + ox) * g.outC + co];
    }
    for (long ky = 0; ky < g.kH; ky++)
      for (long kx = 0; kx < g.kW; kx++)
        for (long ci = 0; ci < g.inC; ci++) {
          const long offset = (ci * paddedH(g) + ky) * paddedW(g) + kx;
          for (long co0 = 0; co0 < g.outC; co0 += G) {
            float *acc = columns + (((ky * g.kW + kx) * g.inC + ci) * g.outC + co0) * span;
            if (G == 4)
              accumulateTaps<4>(pads + offset, padFloats, planes + co0 * span, planeFloats, span, count, acc);
            else
              accumulateTaps<1>(pads + offset, padFloats, planes + co0 * span, planeFloats, span, count, acc);
          }
        }
  }
  // Each tap's fold is one long chain of dependent adds, in order: eight chains side by side keep the adders busy.
  long t = 0;
  for (; t + 8 <= taps; t += 8) {
    float sums[8] = {};
    for (long i = 0; i < span; i++)
      for (int j = 0; j < 8; j++) sums[j] += columns[(t + j) * span + i];
    for (int j = 0; j < 8; j++) dw[t + j] = sums[j];
  }
  for (; t < taps; t++) {
    float sum = 0.f;
    for (long i = 0; i < span; i++) sum += columns[t * span + i];
    dw[t] = sum;
  }
}

// ---- Convolution by output position (the deep tower's layers after the first) ---------------------------------
// With few output positions per image and many channels, a filter row's taps over one position read kW·inC
// contiguous floats of an NHWC image, at the same offset in every image: so one GEMM per (position, filter row)
// runs over the whole batch, reading the images in place (no im2col copy), and the filter rows and columns that
// fall in the padding are left out instead of multiplied by zeros (a third of the 4×4 → 2×2 layer's products).
// Measured against im2col + GEMM at batch 256, one thread: 14×14×32 → 7×7×64 5.9 → 4.7 ms, 7×7×64 → 4×4×128
// 5.7 → 4.1 ms, 4×4×128 → 2×2×512 11.0 → 8.0 ms.

bool byPosition(const Geometry &g) { return g.dilH == 1 && g.dilW == 1 && g.inC >= 32; }

// The taps [k0, k1) of one output coordinate that land inside the input.
struct Taps {
  long k0, k1;
};
Taps insideTaps(long o, long stride, long pad, long kernel, long in) {
  const long start = o * stride - pad;
  return {std::max(0L, -start), std::min(kernel, in - start)};
}

// Calls f(oy, ox, xOffset, wOffset, length, first) for every filter row of every output position (oy, ox) with
// taps inside the image: xOffset is the row's first input float within an image, wOffset its first filter
// float, length its floats per image (taps · inC), first whether it is the position's first row. Positions
// with no tap inside get f never; `empty(oy, ox)` is called for them instead.
template <typename Row, typename Empty>
void forEachRow(const Geometry &g, Row f, Empty empty) {
  for (long oy = 0; oy < g.outH; oy++)
    for (long ox = 0; ox < g.outW; ox++) {
      const Taps ty = insideTaps(oy, g.strideH, g.padTop, g.kH, g.inH);
      const Taps tx = insideTaps(ox, g.strideW, g.padLeft, g.kW, g.inW);
      if (ty.k0 >= ty.k1 || tx.k0 >= tx.k1) {
        empty(oy, ox);
        continue;
      }
      const long ix = ox * g.strideW + tx.k0 - g.padLeft, length = (tx.k1 - tx.k0) * g.inC;
      for (long ky = ty.k0; ky < ty.k1; ky++) {
        const long iy = oy * g.strideH + ky - g.padTop;
        f(oy, ox, (iy * g.inW + ix) * g.inC, (ky * g.kW + tx.k0) * g.inC * g.outC, length, ky == ty.k0);
      }
    }
}

void conv2dByPosition(const float *x, const float *w, const Geometry &g, float *y) {
  const long xImage = g.inH * g.inW * g.inC, yImage = g.outH * g.outW * g.outC;
  forEachRow(
      g,
      [&](long oy, long ox, long xOffset, long wOffset, long length, bool first) {
        dnnl_sgemm('N', 'N', g.batch, g.outC, length, 1.f, x + xOffset, xImage, w + wOffset, g.outC,
                   first ? 0.f : 1.f, y + (oy * g.outW + ox) * g.outC, yImage);
      },
      [&](long oy, long ox) {
        for (long n = 0; n < g.batch; n++)
          std::memset(y + n * yImage + (oy * g.outW + ox) * g.outC, 0, sizeof(float) * g.outC);
      });
}

void backpropInputByPosition(const float *dy, const float *w, const Geometry &g, float *dx) {
  const long xImage = g.inH * g.inW * g.inC, yImage = g.outH * g.outW * g.outC;
  std::memset(dx, 0, sizeof(float) * g.batch * xImage);
  forEachRow(
      g,
      [&](long oy, long ox, long xOffset, long wOffset, long length, bool) {
        dnnl_sgemm('N', 'T', g.batch, length, g.outC, 1.f, dy + (oy * g.outW + ox) * g.outC, yImage, w + wOffset,
                   g.outC, 1.f, dx + xOffset, xImage);
      },
      [](long, long) {});
}

void backpropFilterByPosition(const float *x, const float *dy, const Geometry &g, float *dw) {
  const long xImage = g.inH * g.inW * g.inC, yImage = g.outH * g.outW * g.outC;
  std::memset(dw, 0, sizeof(float) * g.k() * g.outC);
  forEachRow(
      g,
      [&](long oy, long ox, long xOffset, long wOffset, long length, bool) {
        dnnl_sgemm('T', 'N', length, g.outC, g.batch, 1.f, x + xOffset, xImage, dy + (oy * g.outW + ox) * g.outC,
                   yImage, 1.f, dw + wOffset, g.outC);
      },
      [](long, long) {});
}

// ---- One input channel, 3×3 taps (the deep tower's first layer, 1 → 32 channels) --------------------------------
// As a GEMM its inner dimension would be nine: all overhead. Here the image is zero-padded once, so every output
// pixel has all nine taps at fixed offsets; the pixel's channels stay in registers while each tap adds one input
// value times a row of the filter (and for the filter gradient, all nine rows stay in registers throughout).

bool fewTaps(const Geometry &g) {
  return g.inC == 1 && g.kH == 3 && g.kW == 3 && g.dilH == 1 && g.dilW == 1 && (g.outC == 16 || g.outC == 32);
}

// The image, zero-padded to the rows and columns the output pixels read.
long fewTapsH(const Geometry &g) { return (g.outH - 1) * g.strideH + 3; }
long fewTapsW(const Geometry &g) { return (g.outW - 1) * g.strideW + 3; }
void padImage(const float *image, const Geometry &g, float *out) {
  const long ph = fewTapsH(g), pw = fewTapsW(g);
  std::memset(out, 0, sizeof(float) * ph * pw);
  for (long iy = 0; iy < g.inH; iy++) {
    const long py = iy + g.padTop;
    if (py < 0 || py >= ph) continue;
    for (long ix = 0; ix < g.inW; ix++) {
      const long px = ix + g.padLeft;
      if (px >= 0 && px < pw) out[py * pw + px] = image[iy * g.inW + ix];
    }
  }
}

// Bias and relu are applied as each pixel is stored: the output is larger than the caches.
template <int V>
void conv2dFewTaps(const float *x, const float *w, const float *bias, int relu, const Geometry &g, float *y) {
  const long pw = fewTapsW(g);
  float *pad = bufferFor(padded, fewTapsH(g) * pw);
  v16 rows[9][V], b[V] = {}, zero = {};
  for (int t = 0; t < 9; t++)
    for (int v = 0; v < V; v++) rows[t][v] = load16(w + t * g.outC + 16 * v);
  if (bias != nullptr)
    for (int v = 0; v < V; v++) b[v] = load16(bias + 16 * v);
  const auto finish = [&](v16 a, int v) {
    a += b[v];
    return relu ? (a < zero ? zero : a) : a;
  };
  for (long n = 0; n < g.batch; n++) {
    padImage(x + n * g.inH * g.inW, g, pad);
    float *out = y + n * g.outH * g.outW * g.outC;
    for (long oy = 0; oy < g.outH; oy++) {
      // Four pixels at a time: a pixel's nine adds depend on each other, four pixels' do not.
      long ox = 0;
      for (; ox + 4 <= g.outW; ox += 4) {
        const float *base = pad + oy * g.strideH * pw + ox * g.strideW;
        v16 acc[4][V] = {};
        for (int ky = 0; ky < 3; ky++)
          for (int kx = 0; kx < 3; kx++)
            for (int p = 0; p < 4; p++)
              for (int v = 0; v < V; v++) acc[p][v] += base[ky * pw + kx + p * g.strideW] * rows[ky * 3 + kx][v];
        for (int p = 0; p < 4; p++)
          for (int v = 0; v < V; v++) store16(out + (oy * g.outW + ox + p) * g.outC + 16 * v, finish(acc[p][v], v));
      }
      for (; ox < g.outW; ox++) {
        const float *base = pad + oy * g.strideH * pw + ox * g.strideW;
        v16 acc[V] = {};
        for (int ky = 0; ky < 3; ky++)
          for (int kx = 0; kx < 3; kx++)
            for (int v = 0; v < V; v++) acc[v] += base[ky * pw + kx] * rows[ky * 3 + kx][v];
        for (int v = 0; v < V; v++) store16(out + (oy * g.outW + ox) * g.outC + 16 * v, finish(acc[v], v));
      }
    }
  }
}

template <int V>
void backpropFilterFewTaps(const float *x, const float *dy, const Geometry &g, float *dw) {
  const long pw = fewTapsW(g);
  float *pad = bufferFor(padded, fewTapsH(g) * pw);
  v16 acc[9][V] = {};
  for (long n = 0; n < g.batch; n++) {
    padImage(x + n * g.inH * g.inW, g, pad);
    const float *grad = dy + n * g.outH * g.outW * g.outC;
    for (long oy = 0; oy < g.outH; oy++)
      for (long ox = 0; ox < g.outW; ox++) {
        const float *base = pad + oy * g.strideH * pw + ox * g.strideW;
        v16 d[V];
        for (int v = 0; v < V; v++) d[v] = load16(grad + (oy * g.outW + ox) * g.outC + 16 * v);
        for (int ky = 0; ky < 3; ky++)
          for (int kx = 0; kx < 3; kx++)
            for (int v = 0; v < V; v++) acc[ky * 3 + kx][v] += base[ky * pw + kx] * d[v];
      }
  }
  for (int t = 0; t < 9; t++)
    for (int v = 0; v < V; v++) store16(dw + t * g.outC + 16 * v, acc[t][v]);
}

// Calls run with the output channels in vectors of 16, as a compile-time constant: 1 (16 channels) or 2 (32).
template <typename Run>
void byVectors(const Geometry &g, Run run) {
  if (g.outC == 16)
    run(std::integral_constant<int, 1>{});
  else
    run(std::integral_constant<int, 2>{});
}

// Bias and activation over rows of outC floats, after a convolution that left them out.
void biasActivation(const float *bias, int relu, long rows, long channels, float *y) {
  if (bias == nullptr && !relu) return;
  for (long r = 0; r < rows; r++) {
    float *o = y + r * channels;
    if (bias != nullptr)
      for (long c = 0; c < channels; c++) o[c] += bias[c];
    if (relu)
      for (long c = 0; c < channels; c++) o[c] = std::max(o[c], 0.f);
  }
}

enum Activation { kLinear = 0, kRelu = 1 };

void conv2d(const float *x, const float *w, const float *bias, int activation, const Geometry &g, float *y) {
  if (direct(g)) return directConv2d(x, w, bias, activation == kRelu, g, y);
  if (fewTaps(g)) {
    byVectors(g, [&](auto v) { conv2dFewTaps<decltype(v)::value>(x, w, bias, activation == kRelu, g, y); });
    return;
  }
  if (byPosition(g)) {
    conv2dByPosition(x, w, g, y);
    return biasActivation(bias, activation == kRelu, g.batch * g.rowsPerImage(), g.outC, y);
  }
  const long k = g.k(), rows = g.rowsPerImage(), step = g.imagesPerChunk();
  float *cols = pointwise(g) ? nullptr : scratchFor(step * rows * k);
  for (long n0 = 0; n0 < g.batch; n0 += step) {
    const long n1 = std::min(g.batch, n0 + step), m = (n1 - n0) * rows;
    const float *a = x + n0 * rows * k;
    if (cols != nullptr) {
      im2col(x, g, n0, n1, cols);
      a = cols;
    }
    float *out = y + n0 * rows * g.outC;
    dnnl_sgemm('N', 'N', m, g.outC, k, 1.f, a, k, w, g.outC, 0.f, out, g.outC);
    biasActivation(bias, activation == kRelu, m, g.outC, out);
  }
}

void conv2dBackpropInput(const float *dy, const float *w, const Geometry &g, float *dx) {
  // Its padding is k − 1 − pad: the direct route needs that non-negative (pads no wider than the kernel).
  if (direct(g) && g.padTop < g.kH && g.padLeft < g.kW) return directBackpropInput(dy, w, g, dx);
  if (byPosition(g)) return backpropInputByPosition(dy, w, g, dx);
  const long k = g.k(), rows = g.rowsPerImage(), step = g.imagesPerChunk();
  if (pointwise(g)) {
    dnnl_sgemm('N', 'T', g.batch * rows, k, g.outC, 1.f, dy, g.outC, w, g.outC, 0.f, dx, k);
    return;
  }
  std::memset(dx, 0, sizeof(float) * g.batch * g.inH * g.inW * g.inC);
  float *dcols = scratchFor(step * rows * k);
  for (long n0 = 0; n0 < g.batch; n0 += step) {
    const long n1 = std::min(g.batch, n0 + step), m = (n1 - n0) * rows;
    dnnl_sgemm('N', 'T', m, k, g.outC, 1.f, dy + n0 * rows * g.outC, g.outC, w, g.outC, 0.f, dcols, k);
    col2im(dcols, g, n0, n1, dx);
  }
}

void conv2dBackpropFilter(const float *x, const float *dy, const Geometry &g, float *dw) {
  if (direct(g)) return directBackpropFilter(x, dy, g, dw);
  if (byPosition(g)) return backpropFilterByPosition(x, dy, g, dw);
  if (fewTaps(g)) {
    byVectors(g, [&](auto v) { backpropFilterFewTaps<decltype(v)::value>(x, dy, g, dw); });
    return;
  }
  const long k = g.k(), rows = g.rowsPerImage(), step = g.imagesPerChunk();
  float *cols = pointwise(g) ? nullptr : scratchFor(step * rows * k);
  for (long n0 = 0; n0 < g.batch; n0 += step) {
    const long n1 = std::min(g.batch, n0 + step), m = (n1 - n0) * rows;
    const float *a = x + n0 * rows * k;
    if (cols != nullptr) {
      im2col(x, g, n0, n1, cols);
      a = cols;
    }
    dnnl_sgemm('T', 'N', k, g.outC, m, 1.f, a, k, dy + n0 * rows * g.outC, g.outC, n0 == 0 ? 0.f : 1.f, dw,
               g.outC);
  }
}

// tanh as Eigen's (and so TensorFlow's) rational approximation: within 4e-7 of the true value, ±1 from |x| ≈ 7.9
// on, NaN kept, and plain arithmetic, so the loop vectorises (libm's tanhf does not).
void tanhKernel(const float *x, long size, float *y) {
  constexpr float clamp = 7.90531110763549805f;
#pragma omp simd
  for (long i = 0; i < size; i++) {
    // Comparisons, not std::min/max: those would keep the loop scalar. NaN passes both tests unchanged.
    const float a = x[i] > clamp ? clamp : (x[i] < -clamp ? -clamp : x[i]);
    const float a2 = a * a;
    float p = a2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
    p = p * a2 + -8.60467152213735e-11f;
    p = p * a2 + 5.12229709037114e-08f;
    p = p * a2 + 1.48572235717979e-05f;
    p = p * a2 + 6.37261928875436e-04f;
    p = p * a2 + 4.89352455891786e-03f;
    float q = a2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
    q = q * a2 + 2.26843463243900e-03f;
    q = q * a2 + 4.89352518554385e-03f;
    // Near 0, x itself is closer than the ratio (Eigen's cut-off).
    y[i] = std::fabs(x[i]) < 0.0004f ? x[i] : a * p / q;
  }
}

// tfjs's AvgPoolGrad: every input pixel collects dy / (pool area) from each window it lies in.
void avgPoolGrad(const float *dy, const Geometry &g, float *dx) {
  const float scale = 1.f / static_cast<float>(g.kH * g.kW);
  const long c = g.inC;
  std::memset(dx, 0, sizeof(float) * g.batch * g.inH * g.inW * c);
  for (long n = 0; n < g.batch; n++) {
    float *image = dx + n * g.inH * g.inW * c;
    for (long oy = 0; oy < g.outH; oy++) {
      for (long ox = 0; ox < g.outW; ox++) {
        const float *src = dy + ((n * g.outH + oy) * g.outW + ox) * c;
        for (long ky = 0; ky < g.kH; ky++) {
          const long iy = oy * g.strideH + ky * g.dilH - g.padTop;
          if (iy < 0 || iy >= g.inH) continue;
          for (long kx = 0; kx < g.kW; kx++) {
            const long ix = ox * g.strideW + kx * g.dilW - g.padLeft;
            if (ix < 0 || ix >= g.inW) continue;
            float *dst = image + (iy * g.inW + ix) * c;
            for (long i = 0; i < c; i++) dst[i] += scale * src[i];
          }
        }
      }
    }
  }
}

// One Adam step on one variable, the operations and their float32 roundings exactly as tfjs's AdamOptimizer
// does them (so both paths give the same weights): m' = m·β1 + g·(1−β1), v' = v·β2 + g²·(1−β2),
// x' = x − lr · (m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε). Built with -ffp-contract=off: no fused multiply-adds.
struct AdamCoefficients {
  float beta1, oneMinusBeta1, beta2, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, epsilon, negLearningRate;
};

// The outputs are fresh tensors (the kernel makes them), never the inputs: hence __restrict.
void adam(const float *__restrict x, const float *__restrict m, const float *__restrict v, const float *__restrict g,
          long size, const AdamCoefficients &coefficients, float *__restrict xOut, float *__restrict mOut,
          float *__restrict vOut) {
  // A copy: read through the reference, the compiler must assume a store may change a coefficient, and the loop
  // stays scalar (with a division and a square root per element, that was most of a deep-tower update).
  const AdamCoefficients c = coefficients;
#pragma omp simd
  for (long i = 0; i < size; i++) {
    const float m1 = m[i] * c.beta1 + g[i] * c.oneMinusBeta1;
    const float v1 = v[i] * c.beta2 + (g[i] * g[i]) * c.oneMinusBeta2;
    const float mHat = m1 / c.oneMinusAccBeta1;
    const float vHat = v1 / c.oneMinusAccBeta2;
    xOut[i] = (mHat / (std::sqrt(vHat) + c.epsilon)) * c.negLearningRate + x[i];
    mOut[i] = m1;
    vOut[i] = v1;
  }
}

// Sum (or mean) over the middle of [outer, reduce, inner]: out[a, c] = Σ_r x[a, r, c], r in order, as the wasm
// kernels sum after transposing the reduced axes innermost; the mean divides that sum by the count, as they do.
// Here the rows are added in place of the transpose, a contiguous row at a time.
void reduceMiddle(const float *__restrict x, long outer, long reduce, long inner, bool mean, float *__restrict out) {
  for (long a = 0; a < outer; a++) {
    float *o = out + a * inner;
    for (long c = 0; c < inner; c++) o[c] = 0.f;
    for (long r = 0; r < reduce; r++) {
      const float *row = x + (a * reduce + r) * inner;
      for (long c = 0; c < inner; c++) o[c] += row[c];
    }
    if (mean)
      for (long c = 0; c < inner; c++) o[c] /= static_cast<float>(reduce);
  }
}

// 2×2 average pooling with stride 2 and no padding, with XNNPACK's arithmetic (what tfjs's wasm AvgPool runs,
// so results are bit for bit the same): each column of the window summed, the two sums added, each partial sum
// also plus +0 (XNNPACK's unused window slots are zeros, which turn a −0 into +0), then times 1/4.
void avgPool2x2(const float *x, long batch, long inH, long inW, long channels, float *y) {
  const long outH = inH / 2, outW = inW / 2;
  for (long n = 0; n < batch; n++)
    for (long oy = 0; oy < outH; oy++) {
      const float *top = x + ((n * inH + 2 * oy) * inW) * channels;
      const float *bottom = top + inW * channels;
      float *out = y + ((n * outH + oy) * outW) * channels;
      for (long ox = 0; ox < outW; ox++)
        for (long c = 0; c < channels; c++) {
          const long left = 2 * ox * channels + c, right = left + channels;
          const float leftSum = (top[left] + bottom[left]) + 0.f, rightSum = (top[right] + bottom[right]) + 0.f;
          out[ox * channels + c] = ((rightSum + 0.f) + (leftSum + 0.f)) * 0.25f;
        }
    }
}

// Batch normalisation with per-channel parameters (channels innermost), with tfjs wasm's arithmetic: the
// square root in float, the division and the offset in double, rounded to float once at the end.
void batchNorm(const float *x, long rows, long channels, const float *mean, const float *variance,
               const float *offset, const float *scale, float epsilon, float *out) {
  thread_local std::vector<double> factor;
  factor.resize(channels);
  for (long c = 0; c < channels; c++) factor[c] = std::sqrt(variance[c] + epsilon);
  if (channels == 1) {
    // One channel (the small tower's input): one long loop, which vectorises.
    const float m = mean[0], s = scale[0];
    const double o = offset[0], f = factor[0];
    for (long i = 0; i < rows; i++) out[i] = static_cast<float>(o + static_cast<double>((x[i] - m) * s) / f);
    return;
  }
  for (long r = 0; r < rows; r++) {
    const float *in = x + r * channels;
    float *o = out + r * channels;
    for (long c = 0; c < channels; c++) {
      const float scaled = (in[c] - mean[c]) * scale[c];
      o[c] = static_cast<float>(static_cast<double>(offset[c]) + static_cast<double>(scaled) / factor[c]);
    }
  }
}

// Tile: out has shape[d] · reps[d] along each axis, out[i] = x[i_d mod shape[d]]; innermost runs are copied whole.
void tile(const float *x, const long *shape, const long *reps, long rank, float *out) {
  if (rank == 0) {
    out[0] = x[0];
    return;
  }
  long inner = 1;
  for (long d = 1; d < rank; d++) inner *= shape[d];
  long outInner = 1;
  for (long d = 1; d < rank; d++) outInner *= shape[d] * reps[d];
  for (long i = 0; i < shape[0]; i++) tile(x + i * inner, shape + 1, reps + 1, rank - 1, out + i * outInner);
  const long block = shape[0] * outInner;
  for (long r = 1; r < reps[0]; r++) std::memcpy(out + r * block, out, sizeof(float) * block);
}

// ---- N-API plumbing -------------------------------------------------------------------------------------------

struct Args {
  napi_env env;
  napi_value values[10];
  size_t count = 10;
  bool ok = true;

  Args(napi_env e, napi_callback_info info) : env(e) { napi_get_cb_info(env, info, &count, values, nullptr, nullptr); }

  void fail(const char *message) {
    if (ok) napi_throw_type_error(env, nullptr, message);
    ok = false;
  }

  // A Float32Array argument (or null where `optional`), with at least `minLength` elements.
  float *floats(size_t i, size_t minLength, bool optional = false) {
    if (!ok) return nullptr;
    if (i >= count) return fail("twinnet native: missing argument"), nullptr;
    napi_valuetype type;
    napi_typeof(env, values[i], &type);
    if (optional && (type == napi_null || type == napi_undefined)) return nullptr;
    bool isTyped = false;
    napi_is_typedarray(env, values[i], &isTyped);
    if (!isTyped) return fail("twinnet native: expected a Float32Array"), nullptr;
    napi_typedarray_type arrayType;
    size_t length;
    void *data;
    napi_get_typedarray_info(env, values[i], &arrayType, &length, &data, nullptr, nullptr);
    if (arrayType != napi_float32_array) return fail("twinnet native: expected a Float32Array"), nullptr;
    if (length < minLength) return fail("twinnet native: a Float32Array is shorter than its shape says"), nullptr;
    return static_cast<float *>(data);
  }

  long integer(size_t i) {
    if (!ok) return 0;
    int64_t v = 0;
    if (i >= count || napi_get_value_int64(env, values[i], &v) != napi_ok) fail("twinnet native: expected an integer");
    return static_cast<long>(v);
  }

  // A JS array of at most `max` numbers into `out`; returns its length (0 after a failure, reported as `what`).
  uint32_t numbers(size_t i, double *out, uint32_t max, const char *what) {
    if (!ok) return 0;
    uint32_t length = 0;
    bool isArray = false;
    if (i < count) napi_is_array(env, values[i], &isArray);
    if (!isArray || napi_get_array_length(env, values[i], &length) != napi_ok || length > max) {
      fail(what);
      return 0;
    }
    for (uint32_t f = 0; f < length; f++) {
      napi_value element;
      if (napi_get_element(env, values[i], f, &element) != napi_ok ||
          napi_get_value_double(env, element, &out[f]) != napi_ok) {
        fail(what);
        return 0;
      }
    }
    return length;
  }

  // Whole numbers from `least` on, exactly `length` of them (at most 15), as longs.
  bool integers(size_t i, long *out, uint32_t length, long least, const char *what) {
    double values[15];
    if (numbers(i, values, 15, what) != length) return fail(what), false;
    for (uint32_t f = 0; f < length; f++) {
      if (!(values[f] == std::floor(values[f]) && values[f] >= static_cast<double>(least))) return fail(what), false;
      out[f] = static_cast<long>(values[f]);
    }
    return true;
  }

  // The geometry: 15 whole numbers in Geometry's field order (padding may be 0, every size at least 1).
  Geometry geometry(size_t i) {
    Geometry g{};
    if (!integers(i, &g.batch, 15, 0, "twinnet native: expected a geometry of 15 integers")) return g;
    if (g.inH < 1 || g.inW < 1 || g.inC < 1 || g.outH < 1 || g.outW < 1 || g.outC < 1 || g.kH < 1 || g.kW < 1 ||
        g.strideH < 1 || g.strideW < 1 || g.dilH < 1 || g.dilW < 1)
      fail("twinnet native: a geometry size is out of range");
    return g;
  }
};

size_t inSize(const Geometry &g) { return g.batch * g.inH * g.inW * g.inC; }
size_t outSize(const Geometry &g) { return g.batch * g.outH * g.outW * g.outC; }
size_t filterSize(const Geometry &g) { return g.k() * g.outC; }

napi_value undefinedValue(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

// conv2d(geometry, x, w, bias | null, activation, y)
napi_value Conv2D(napi_env env, napi_callback_info info) {
  Args args(env, info);
  const Geometry g = args.geometry(0);
  const float *x = args.floats(1, inSize(g));
  const float *w = args.floats(2, filterSize(g));
  const float *bias = args.floats(3, g.outC, true);
  const long activation = args.integer(4);
  float *y = args.floats(5, outSize(g));
  if (args.ok && activation != kLinear && activation != kRelu) args.fail("twinnet native: unknown activation");
  if (args.ok) conv2d(x, w, bias, static_cast<int>(activation), g, y);
  return undefinedValue(env);
}

// conv2dBackpropInput(geometry, dy, w, dx)
napi_value Conv2DBackpropInput(napi_env env, napi_callback_info info) {
  Args args(env, info);
  const Geometry g = args.geometry(0);
  const float *dy = args.floats(1, outSize(g));
  const float *w = args.floats(2, filterSize(g));
  float *dx = args.floats(3, inSize(g));
  if (args.ok) conv2dBackpropInput(dy, w, g, dx);
  return undefinedValue(env);
}

// conv2dBackpropFilter(geometry, x, dy, dw)
napi_value Conv2DBackpropFilter(napi_env env, napi_callback_info info) {
  Args args(env, info);
  const Geometry g = args.geometry(0);
  const float *x = args.floats(1, inSize(g));
  const float *dy = args.floats(2, outSize(g));
  float *dw = args.floats(3, filterSize(g));
  if (args.ok) conv2dBackpropFilter(x, dy, g, dw);
  return undefinedValue(env);
}

// avgPoolGrad(geometry, dy, dx); the geometry's outC equals inC.
napi_value AvgPoolGrad(napi_env env, napi_callback_info info) {
  Args args(env, info);
  const Geometry g = args.geometry(0);
  const float *dy = args.floats(1, outSize(g));
  float *dx = args.floats(2, inSize(g));
  if (args.ok && g.outC != g.inC) args.fail("twinnet native: pooling keeps the channel count");
  if (args.ok) avgPoolGrad(dy, g, dx);
  return undefinedValue(env);
}

// avgPool2x2(x, batch, inH, inW, channels, y)
napi_value AvgPool2x2(napi_env env, napi_callback_info info) {
  Args args(env, info);
  const long batch = args.integer(1), inH = args.integer(2), inW = args.integer(3), channels = args.integer(4);
  if (args.ok && (batch < 0 || inH < 2 || inW < 2 || channels < 1))
    args.fail("twinnet native: a pooling size is out of range");
  const float *x = args.floats(0, batch * inH * inW * channels);
  float *y = args.floats(5, batch * (inH / 2) * (inW / 2) * channels);
  if (args.ok) avgPool2x2(x, batch, inH, inW, channels, y);
  return undefinedValue(env);
}

// batchNorm(x, rows, channels, mean, variance, offset, scale, epsilon, out): parameters of `channels` floats.
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  Args args(env, info);
  const long rows = args.integer(1), channels = args.integer(2);
  if (args.ok && (rows < 0 || channels < 1)) args.fail("twinnet native: a batch-norm size is out of range");
  const float *x = args.floats(0, rows * channels);
  const float *mean = args.floats(3, channels);
  const float *variance = args.floats(4, channels);
  const float *offset = args.floats(5, channels);
  const float *scale = args.floats(6, channels);
  double epsilon = 0;
  if (args.ok && napi_get_value_double(env, args.values[7], &epsilon) != napi_ok)
    args.fail("twinnet native: expected a number for epsilon");
  float *out = args.floats(8, rows * channels);
  if (args.ok) batchNorm(x, rows, channels, mean, variance, offset, scale, static_cast<float>(epsilon), out);
  return undefinedValue(env);
}

// tanh(x, y, size)
napi_value Tanh(napi_env env, napi_callback_info info) {
  Args args(env, info);
  const long size = args.integer(2);
  const float *x = args.floats(0, size);
  float *y = args.floats(1, size);
  if (args.ok) tanhKernel(x, size, y);
  return undefinedValue(env);
}

// adam(x, m, v, g, size, coefficients: number[8] in AdamCoefficients' order, xOut, mOut, vOut)
napi_value Adam(napi_env env, napi_callback_info info) {
  Args args(env, info);
  const long size = args.integer(4);
  const float *x = args.floats(0, size);
  const float *m = args.floats(1, size);
  const float *v = args.floats(2, size);
  const float *g = args.floats(3, size);
  float *xOut = args.floats(6, size);
  float *mOut = args.floats(7, size);
  float *vOut = args.floats(8, size);
  AdamCoefficients c{};
  double coefficients[8];
  if (args.numbers(5, coefficients, 8, "twinnet native: expected 8 Adam coefficients") != 8)
    args.fail("twinnet native: expected 8 Adam coefficients");
  float *fields = &c.beta1;
  for (int f = 0; args.ok && f < 8; f++) fields[f] = static_cast<float>(coefficients[f]);
  if (args.ok) adam(x, m, v, g, size, c, xOut, mOut, vOut);
  return undefinedValue(env);
}

// reduce(x, outer, reduce, inner, mean (0 | 1), out)
napi_value Reduce(napi_env env, napi_callback_info info) {
  Args args(env, info);
  const long outer = args.integer(1), reduce = args.integer(2), inner = args.integer(3), mean = args.integer(4);
  if (args.ok && (outer < 0 || reduce < 1 || inner < 0)) args.fail("twinnet native: a reduction size is out of range");
  const float *x = args.floats(0, outer * reduce * inner);
  float *out = args.floats(5, outer * inner);
  if (args.ok) reduceMiddle(x, outer, reduce, inner, mean != 0, out);
  return undefinedValue(env);
}

// tile(x, shape: number[], reps: number[], out)
napi_value Tile(napi_env env, napi_callback_info info) {
  Args args(env, info);
  long shape[15], reps[15];
  double rankProbe[8];
  const char *what = "twinnet native: expected shape and reps of one rank (at most 8), whole numbers from 1";
  const uint32_t rank = args.numbers(1, rankProbe, 8, what);
  args.integers(1, shape, rank, 1, what);
  args.integers(2, reps, rank, 1, what);
  long inSize = 1, outSize = 1;
  for (uint32_t d = 0; args.ok && d < rank; d++) inSize *= shape[d], outSize *= shape[d] * reps[d];
  const float *x = args.floats(0, inSize);
  float *out = args.floats(3, outSize);
  if (args.ok) tile(x, shape, reps, rank, out);
  return undefinedValue(env);
}

// setThreads(n): threads for the GEMMs issued from the calling thread (OpenMP's setting is per thread).
napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args args(env, info);
  const long n = args.integer(0);
  if (args.ok && n < 1) args.fail("twinnet native: threads must be at least 1");
  if (args.ok) omp_set_num_threads(static_cast<int>(n));
  return undefinedValue(env);
}

napi_value Describe(napi_env env, napi_callback_info) {
  const dnnl_version_t *v = dnnl_version();
  char text[160];
  snprintf(text, sizeof text, "oneDNN %d.%d.%d sgemm, %s", v->major, v->minor, v->patch,
#if defined(__AVX512F__)
           "avx512"
#elif defined(__AVX2__)
           "avx2"
#else
           "generic"
#endif
  );
  napi_value out;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out);
  return out;
}

}  // namespace

NAPI_MODULE_INIT() {
  const napi_property_descriptor methods[] = {
      {"conv2d", nullptr, Conv2D, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2DBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2DBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"avgPoolGrad", nullptr, AvgPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tile", nullptr, Tile, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"avgPool2x2", nullptr, AvgPool2x2, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNorm", nullptr, BatchNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tanh", nullptr, Tanh, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"describe", nullptr, Describe, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
  return exports;
}
