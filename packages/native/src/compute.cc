// Native float32 kernels for tfjs's wasm backend: convolutions as GEMMs (oneDNN's sgemm, the GEMM PyTorch's CPU
// build uses) by output position or over im2col, or direct where a GEMM would be all edges; tanh, average-pool
// gradients and the rest as plain loops the compiler vectorises.
// Every function works in place on Float32Array views of the wasm heap, so no tensor is copied in or out.
// Layouts are tfjs's: activations NHWC, filters [kh, kw, in, out], which as a matrix is already [K, out].
//
// binding.gyp compiles this file once per route (instruction set), each into its own namespace; addon.cc picks
// one at run time. Nothing here may have external linkage but the route's table (build.mjs checks): the linker
// keeps one copy of an inline or template function for all routes, which would put AVX-512 code on the
// baseline route. Hence no standard containers or algorithms, only C functions and compiler builtins.
// No route reorders a sum and none fuses a multiply-add (-ffp-contract=off), so all give the same bits.
#include <omp.h>

#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "kernels.h"

#if !defined(TWINNET_ROUTE) || !defined(TWINNET_ROUTE_LEVEL)
#error "binding.gyp builds compute.cc once per route, with TWINNET_ROUTE and TWINNET_ROUTE_LEVEL defined"
#endif
// addon.cc trusts a route's name for the CPU features it needs, so the compiler flags must agree with it.
#if (TWINNET_ROUTE_LEVEL >= 3) != (defined(__AVX2__) && defined(__FMA__))
#error "the avx2 and avx512 routes need -march=x86-64-v3 or v4, and only they"
#endif
#if (TWINNET_ROUTE_LEVEL >= 4) != (defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__))
#error "the avx512 route needs -march=x86-64-v4, and only it"
#endif

namespace twinnet {
namespace TWINNET_ROUTE {
namespace {

// std::max and std::min, here so that no copy of them is shared with another route.
template <typename T>
const T &maxOf(const T &a, const T &b) {
  return (a < b) ? b : a;
}
template <typename T>
const T &minOf(const T &a, const T &b) {
  return (b < a) ? b : a;
}

// A growable per-thread buffer: at least n elements, zeroed when it grows (as std::vector's resize did);
// nullptr when out of memory.
template <typename T>
struct Scratch {
  T *data = nullptr;
  long size = 0;
  ~Scratch() { std::free(data); }
  T *get(long n) {
    if (size < n) {
      std::free(data);
      data = static_cast<T *>(std::calloc(static_cast<size_t>(n), sizeof(T)));
      size = data != nullptr ? n : 0;
    }
    return data;
  }
};

// Rows of the im2col matrix per GEMM: about 4 MiB of columns, so a chunk stays in the last-level cache.
constexpr long kChunkFloats = 1L << 20;

struct Geometry : ConvGeometry {
  long k() const { return kH * kW * inC; }
  long rowsPerImage() const { return outH * outW; }
  long imagesPerChunk() const { return maxOf(1L, kChunkFloats / maxOf(1L, rowsPerImage() * k())); }
};

thread_local Scratch<float> scratch;

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

thread_local Scratch<float> padded, planar, flipped;

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
// A vector of floats as wide as the route's registers: sixteen (one AVX-512 register) on the avx512 route, eight
// (one AVX register, two SSE ones) elsewhere; wider ones would spill the AVX2 registers, and the loops below hold
// several per output. Loads and stores need no alignment. Whatever the width, each output sums its terms in the
// same order, so every route gives the same bits.
#if TWINNET_ROUTE_LEVEL >= 4
constexpr int kLanes = 16;
#else
constexpr int kLanes = 8;
#endif
typedef float vec __attribute__((vector_size(4 * kLanes)));
inline vec loadVec(const float *p) {
  vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void storeVec(float *p, vec v) { std::memcpy(p, &v, sizeof v); }
// Vectors a loop of independent sums holds at once per output channel: four of sixteen, or two of eight.
constexpr int kUnroll = kLanes == 16 ? 4 : 2;

// Each output element sums its taps in (ci, ky, kx) order, held in registers across all the taps; the order, and
// so the result, is that of a plain loop. G output channels are computed together, so each input vector loaded
// serves G of them (G × kUnroll independent sums keep the adders busy).
template <int G>
Status directPlanesBlocked(const float *__restrict pad, const float *__restrict w, const Geometry &g,
                           float *__restrict planes) {
  const long ph = paddedH(g), pw = paddedW(g), span = g.outH * pw, taps = g.k();
  thread_local Scratch<long> offsetBuffer;
  thread_local Scratch<float> weightBuffer;
  long *const offsets = offsetBuffer.get(taps);
  float *const weights = weightBuffer.get(taps * G);
  if (offsets == nullptr || weights == nullptr) return kOutOfMemory;
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
    for (; i + kUnroll * kLanes <= span; i += kUnroll * kLanes) {
      vec a[G][kUnroll] = {};
      for (long k = 0; k < taps; k++) {
        const float *src = pad + offsets[k] + i;
        vec s[kUnroll];
        for (int j = 0; j < kUnroll; j++) s[j] = loadVec(src + kLanes * j);
        for (int c = 0; c < G; c++) {
          const float tap = weights[k * G + c];
          for (int j = 0; j < kUnroll; j++) a[c][j] += tap * s[j];
        }
      }
      for (int c = 0; c < G; c++)
        for (int j = 0; j < kUnroll; j++) storeVec(plane + c * span + i + kLanes * j, a[c][j]);
    }
    for (; i + kLanes <= span; i += kLanes) {
      vec a[G] = {};
      for (long k = 0; k < taps; k++) {
        const vec s0 = loadVec(pad + offsets[k] + i);
        for (int c = 0; c < G; c++) a[c] += weights[k * G + c] * s0;
      }
      for (int c = 0; c < G; c++) storeVec(plane + c * span + i, a[c]);
    }
    for (; i < span; i++) {
      for (int c = 0; c < G; c++) {
        float a = 0.f;
        for (long k = 0; k < taps; k++) a += weights[k * G + c] * pad[offsets[k] + i];
        plane[c * span + i] = a;
      }
    }
  }
  return kSuccess;
}

Status directPlanes(const float *pad, const float *w, const Geometry &g, float *planes) {
  if (g.outC % 4 == 0) return directPlanesBlocked<4>(pad, w, g, planes);
  return directPlanesBlocked<1>(pad, w, g, planes);
}

float *paddedBuffer(const Geometry &g) { return padded.get(g.inC * paddedH(g) * paddedW(g) + g.kW); }

Status directConv2d(const float *x, const float *w, const float *bias, int relu, const Geometry &g, float *y) {
  const long oh = g.outH, ow = g.outW, pw = paddedW(g), span = oh * pw;
  float *pad = paddedBuffer(g);
  float *planes = planar.get(g.outC * span);
  if (pad == nullptr || planes == nullptr) return kOutOfMemory;
  for (long n = 0; n < g.batch; n++) {
    toPaddedPlanes(x + n * g.inH * g.inW * g.inC, g, pad);
    if (const Status s = directPlanes(pad, w, g, planes)) return s;
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
  return kSuccess;
}

// dx is the full correlation of dy with the filter rotated by 180° and its channels swapped: a direct
// convolution of dy with padding k − 1 − pad, whose output has the input's size.
Status directBackpropInput(const float *dy, const float *w, const Geometry &g, float *dx) {
  Geometry t = g;
  t.inH = g.outH, t.inW = g.outW, t.inC = g.outC;
  t.outH = g.inH, t.outW = g.inW, t.outC = g.inC;
  t.padTop = g.kH - 1 - g.padTop, t.padLeft = g.kW - 1 - g.padLeft;
  float *rotated = flipped.get(g.k() * g.outC);
  if (rotated == nullptr) return kOutOfMemory;
  for (long ky = 0; ky < g.kH; ky++)
    for (long kx = 0; kx < g.kW; kx++)
      for (long ci = 0; ci < g.inC; ci++)
        for (long co = 0; co < g.outC; co++)
          rotated[(((g.kH - 1 - ky) * g.kW + (g.kW - 1 - kx)) * g.outC + co) * g.inC + ci] =
              w[((ky * g.kW + kx) * g.inC + ci) * g.outC + co];
  return directConv2d(dy, rotated, nullptr, 0, t, dx);
}

// acc[c][i] += Σ_n src[n][i] · d[n][c][i] for G consecutive output channels c (rows span apart in acc and d),
// n in order; one load of the input serves all G channels.
template <int G>
void accumulateTaps(const float *__restrict src, long srcStride, const float *__restrict d, long dStride, long span,
                    long count, float *__restrict acc) {
  long i = 0;
  for (; i + 2 * kLanes <= span; i += 2 * kLanes) {
    vec a[G][2];
    for (int c = 0; c < G; c++) a[c][0] = loadVec(acc + c * span + i), a[c][1] = loadVec(acc + c * span + i + kLanes);
    for (long n = 0; n < count; n++) {
      const float *s = src + n * srcStride + i;
      const vec s0 = loadVec(s), s1 = loadVec(s + kLanes);
      const float *dn = d + n * dStride + i;
      for (int c = 0; c < G; c++) {
        a[c][0] += s0 * loadVec(dn + c * span);
        a[c][1] += s1 * loadVec(dn + c * span + kLanes);
      }
    }
    for (int c = 0; c < G; c++) storeVec(acc + c * span + i, a[c][0]), storeVec(acc + c * span + i + kLanes, a[c][1]);
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
Status directBackpropFilter(const float *x, const float *dy, const Geometry &g, float *dw) {
  const long oh = g.outH, ow = g.outW, span = oh * paddedW(g), taps = g.k() * g.outC;
  const long padFloats = g.inC * paddedH(g) * paddedW(g) + g.kW, planeFloats = g.outC * span;
  // About 256 KiB of padded images and gradient planes a chunk: they stay in the second-level cache.
  const long chunk = maxOf(1L, minOf(g.batch, (1L << 16) / (padFloats + planeFloats)));
  float *pads = padded.get(chunk * padFloats);
  float *planes = planar.get(chunk * planeFloats);
  float *columns = flipped.get(taps * span);
  if (pads == nullptr || planes == nullptr || columns == nullptr) return kOutOfMemory;
  std::memset(columns, 0, sizeof(float) * taps * span);
  std::memset(planes, 0, sizeof(float) * chunk * planeFloats);
  const long G = g.outC % 4 == 0 ? 4 : 1;
  for (long n0 = 0; n0 < g.batch; n0 += chunk) {
    const long count = minOf(chunk, g.batch - n0);
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
  return kSuccess;
}

// ---- Convolution by output position (the deep tower's layers after the first) ---------------------------------
// With few output positions per image and many channels, a filter row's taps over one position read kW·inC
// contiguous floats of an NHWC image, at the same offset in every image: so one GEMM per (position, filter row)
// runs over the whole batch, reading the images in place (no im2col copy), and the filter rows and columns that
// fall in the padding are left out instead of multiplied by zeros (a third of the 4×4 → 2×2 layer's products).
// Measured against im2col + GEMM at batch 256, one thread: 14×14×32 → 7×7×64 5.9 → 4.7 ms, 7×7×64 → 4×4×128
// 5.7 → 4.1 ms, 4×4×128 → 2×2×512 11.0 → 8.0 ms.

// Strided layers only: at stride 1 an image's positions overlap so much that im2col's one large GEMM per chunk of
// images beats thousands of narrow ones (28×28×32 → 32, batch 224: 50 → 43 ms forward, 65 → 51 ms each gradient).
bool byPosition(const Geometry &g) {
  return (g.strideH > 1 || g.strideW > 1) && g.dilH == 1 && g.dilW == 1 && g.inC >= 32;
}

// The taps [k0, k1) of one output coordinate that land inside the input.
struct Taps {
  long k0, k1;
};
Taps insideTaps(long o, long stride, long pad, long kernel, long in) {
  const long start = o * stride - pad;
  return {maxOf(0L, -start), minOf(kernel, in - start)};
}

// Calls f(oy, ox, xOffset, wOffset, length, first) for every filter row of every output position (oy, ox) with
// taps inside the image: xOffset is the row's first input float within an image, wOffset its first filter
// float, length its floats per image (taps · inC), first whether it is the position's first row. Positions
// with no tap inside get f never; `empty(oy, ox)` is called for them instead. Stops at f's first failure.
template <typename Row, typename Empty>
Status forEachRow(const Geometry &g, Row f, Empty empty) {
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
        const Status s = f(oy, ox, (iy * g.inW + ix) * g.inC, (ky * g.kW + tx.k0) * g.inC * g.outC, length,
                           ky == ty.k0);
        if (s != kSuccess) return s;
      }
    }
  return kSuccess;
}

Status conv2dByPosition(const float *x, const float *w, const Geometry &g, float *y) {
  const long xImage = g.inH * g.inW * g.inC, yImage = g.outH * g.outW * g.outC;
  return forEachRow(
      g,
      [&](long oy, long ox, long xOffset, long wOffset, long length, bool first) {
        return sgemm('N', 'N', g.batch, g.outC, length, 1.f, x + xOffset, xImage, w + wOffset, g.outC,
                     first ? 0.f : 1.f, y + (oy * g.outW + ox) * g.outC, yImage);
      },
      [&](long oy, long ox) {
        for (long n = 0; n < g.batch; n++)
          std::memset(y + n * yImage + (oy * g.outW + ox) * g.outC, 0, sizeof(float) * g.outC);
      });
}

Status backpropInputByPosition(const float *dy, const float *w, const Geometry &g, float *dx) {
  const long xImage = g.inH * g.inW * g.inC, yImage = g.outH * g.outW * g.outC;
  std::memset(dx, 0, sizeof(float) * g.batch * xImage);
  return forEachRow(
      g,
      [&](long oy, long ox, long xOffset, long wOffset, long length, bool) {
        return sgemm('N', 'T', g.batch, length, g.outC, 1.f, dy + (oy * g.outW + ox) * g.outC, yImage, w + wOffset,
                     g.outC, 1.f, dx + xOffset, xImage);
      },
      [](long, long) {});
}

Status backpropFilterByPosition(const float *x, const float *dy, const Geometry &g, float *dw) {
  const long xImage = g.inH * g.inW * g.inC, yImage = g.outH * g.outW * g.outC;
  std::memset(dw, 0, sizeof(float) * g.k() * g.outC);
  return forEachRow(
      g,
      [&](long oy, long ox, long xOffset, long wOffset, long length, bool) {
        return sgemm('T', 'N', length, g.outC, g.batch, 1.f, x + xOffset, xImage, dy + (oy * g.outW + ox) * g.outC,
                     yImage, 1.f, dw + wOffset, g.outC);
      },
      [](long, long) {});
}

// ---- One input channel, 3×3 taps (the deep tower's first layer, 1 → 32 channels) --------------------------------
// As a GEMM its inner dimension would be nine: all overhead. Here the image is zero-padded once, so every output
// pixel has all nine taps at fixed offsets; the pixel's channels stay in registers while each tap adds one input
// value times a row of the filter (and for the filter gradient, all nine rows stay in registers throughout).

bool fewTaps(const Geometry &g) {
  // Strided only: at stride 1 (28×28 → 32 channels, batch 224) im2col + GEMM takes 5 ms forward and 5 ms for the
  // filter gradient against 33 and 55 here, whose registers spill where a vector of 16 is two AVX2 registers.
  return (g.strideH > 1 || g.strideW > 1) && g.inC == 1 && g.kH == 3 && g.kW == 3 && g.dilH == 1 && g.dilW == 1 &&
         (g.outC == 16 || g.outC == 32);
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

// Bias and relu are applied as each pixel is stored: the output is larger than the caches. V vectors of kLanes
// channels make a pixel's outC.
template <int V>
Status conv2dFewTaps(const float *x, const float *w, const float *bias, int relu, const Geometry &g, float *y) {
  const long pw = fewTapsW(g);
  float *pad = padded.get(fewTapsH(g) * pw);
  if (pad == nullptr) return kOutOfMemory;
  vec rows[9][V], b[V] = {}, zero = {};
  for (int t = 0; t < 9; t++)
    for (int v = 0; v < V; v++) rows[t][v] = loadVec(w + t * g.outC + kLanes * v);
  if (bias != nullptr)
    for (int v = 0; v < V; v++) b[v] = loadVec(bias + kLanes * v);
  const auto finish = [&](vec a, int v) {
    a += b[v];
    return relu ? (a < zero ? zero : a) : a;
  };
  // Pixels at a time: a pixel's nine adds depend on each other, several pixels' do not (as many as the registers
  // hold beside the filter: four, or two of 32 channels in AVX2 registers).
  constexpr int P = kLanes == 16 || V == 1 ? 4 : 2;
  for (long n = 0; n < g.batch; n++) {
    padImage(x + n * g.inH * g.inW, g, pad);
    float *out = y + n * g.outH * g.outW * g.outC;
    for (long oy = 0; oy < g.outH; oy++) {
      long ox = 0;
      for (; ox + P <= g.outW; ox += P) {
        const float *base = pad + oy * g.strideH * pw + ox * g.strideW;
        vec acc[P][V] = {};
        for (int ky = 0; ky < 3; ky++)
          for (int kx = 0; kx < 3; kx++)
            for (int p = 0; p < P; p++)
              for (int v = 0; v < V; v++) acc[p][v] += base[ky * pw + kx + p * g.strideW] * rows[ky * 3 + kx][v];
        for (int p = 0; p < P; p++)
          for (int v = 0; v < V; v++)
            storeVec(out + (oy * g.outW + ox + p) * g.outC + kLanes * v, finish(acc[p][v], v));
      }
      for (; ox < g.outW; ox++) {
        const float *base = pad + oy * g.strideH * pw + ox * g.strideW;
        vec acc[V] = {};
        for (int ky = 0; ky < 3; ky++)
          for (int kx = 0; kx < 3; kx++)
            for (int v = 0; v < V; v++) acc[v] += base[ky * pw + kx] * rows[ky * 3 + kx][v];
        for (int v = 0; v < V; v++) storeVec(out + (oy * g.outW + ox) * g.outC + kLanes * v, finish(acc[v], v));
      }
    }
  }
  return kSuccess;
}

// The filter gradient: nine taps' sums per output channel, each over every pixel of every image in order. The
// sums of all channels stay in registers over an image where they fit (18 AVX-512 ones); in AVX2 registers nine,
// one vector of channels at a time, the rest waiting in memory.
template <int V>
Status backpropFilterFewTaps(const float *x, const float *dy, const Geometry &g, float *dw) {
  const long pw = fewTapsW(g);
  float *pad = padded.get(fewTapsH(g) * pw);
  if (pad == nullptr) return kOutOfMemory;
  constexpr int B = kLanes == 16 ? V : 1;
  vec sums[9][V] = {};
  for (long n = 0; n < g.batch; n++) {
    padImage(x + n * g.inH * g.inW, g, pad);
    const float *grad = dy + n * g.outH * g.outW * g.outC;
    for (int v0 = 0; v0 < V; v0 += B) {
      vec acc[9][B];
      for (int t = 0; t < 9; t++)
        for (int v = 0; v < B; v++) acc[t][v] = sums[t][v0 + v];
      for (long oy = 0; oy < g.outH; oy++)
        for (long ox = 0; ox < g.outW; ox++) {
          const float *base = pad + oy * g.strideH * pw + ox * g.strideW;
          vec d[B];
          for (int v = 0; v < B; v++) d[v] = loadVec(grad + (oy * g.outW + ox) * g.outC + kLanes * (v0 + v));
          for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 3; kx++)
              for (int v = 0; v < B; v++) acc[ky * 3 + kx][v] += base[ky * pw + kx] * d[v];
        }
      for (int t = 0; t < 9; t++)
        for (int v = 0; v < B; v++) sums[t][v0 + v] = acc[t][v];
    }
  }
  for (int t = 0; t < 9; t++)
    for (int v = 0; v < V; v++) storeVec(dw + t * g.outC + kLanes * v, sums[t][v]);
  return kSuccess;
}

// Calls run with the output channels (16 or 32) in vectors of kLanes, as a compile-time constant.
template <typename Run>
Status byVectors(const Geometry &g, Run run) {
  if (g.outC == kLanes) return run(std::integral_constant<int, 1>{});
  if (g.outC == 2 * kLanes) return run(std::integral_constant<int, 2>{});
  return run(std::integral_constant<int, 4>{});
}

// Bias and activation over rows of outC floats, after a convolution that left them out.
void biasActivation(const float *bias, int relu, long rows, long channels, float *y) {
  if (bias == nullptr && !relu) return;
  for (long r = 0; r < rows; r++) {
    float *o = y + r * channels;
    if (bias != nullptr)
      for (long c = 0; c < channels; c++) o[c] += bias[c];
    if (relu)
      for (long c = 0; c < channels; c++) o[c] = maxOf(o[c], 0.f);
  }
}

// ---- Threads ---------------------------------------------------------------------------------------------------
// With two threads oneDNN's sgemm splits a product's inner dimension when the output is small (32 × 32 over a
// thousand terms), and a sum split differently rounds differently: a run would then train to other weights when it
// is handed a second core half-way. So the kernels below share out work whose results do not depend on the
// split (tiles, rows, images, whole GEMMs), and run each GEMM whose inner dimension is long on one thread.

// sgemm on the calling thread alone.
Status sgemmOneThread(char transA, char transB, long m, long n, long k, float alpha, const float *a, long lda,
                      const float *b, long ldb, float beta, float *c, long ldc) {
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const Status s = sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  omp_set_num_threads(threads);
  return s;
}

// Runs gemm(i) for i in [0, count) on the threads there are, each GEMM on one thread; the first failure.
template <typename Gemm>
Status gemmsInParallel(long count, Gemm gemm) {
  Status statuses[36] = {};
  if (count > 36) return kOutOfMemory;  // never: the transforms have 16 or 36 planes
#pragma omp parallel for schedule(static)
  for (long i = 0; i < count; i++) statuses[i] = gemm(i);
  for (long i = 0; i < count; i++)
    if (statuses[i] != kSuccess) return statuses[i];
  return kSuccess;
}

// ---- Winograd convolution for 3×3 stride-1 layers with many channels (the VGG tower) --------------------------------
// Each 4×4 block of outputs comes from a 6×6 patch of the input: with the patch transformed to V = Bᵀ d B and the
// filter to U = G g Gᵀ, the block is Aᵀ (U ⊙ V) A, F(4×4, 3×3), so the products per block drop from 144 to 36 per
// channel pair (Lavin & Gray 2016). Summed over input channels, the 36 elementwise products are 36 GEMMs,
// [tiles × C]·[C × K], run in chunks of tiles that stay in cache. The input gradient is the same convolution of dy
// with the flipped, transposed filter; the filter gradient is the transposed algorithm, F(3×3, 4×4), whose GEMMs
// sum over tiles instead. Its float32 results differ from a direct convolution's by about 1e-5 of their scale.
// Measured (process CPU time, batch 224, one thread, a busy machine), the six 3×3 layers of the VGG tower, forward
// and both gradients: 524 ms by im2col + GEMM, 420 ms by F(2×2, 3×3), 371 ms by F(4×4, 3×3) (28×28×32 → 32:
// 43, 35 and 31 ms forward).

bool winograd(const Geometry &g) {
  return g.kH == 3 && g.kW == 3 && g.strideH == 1 && g.strideW == 1 && g.dilH == 1 && g.dilW == 1 && g.inC >= 16 &&
         g.outC >= 16 && g.padTop >= 0 && g.padLeft >= 0 && g.padTop <= 2 && g.padLeft <= 2;
}

// Eight floats: one AVX2 register (two SSE ones on the baseline route); loads and stores need no alignment.
typedef float v8 __attribute__((vector_size(32)));
inline v8 load8(const float *p) {
  v8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store8(float *p, v8 v) { std::memcpy(p, &v, sizeof v); }

// Loads and stores of one float or of eight, as lambdas: a function passed as a template argument becomes a pointer,
// and an indirect call per load is what the transforms must not make.
const auto loadOne = [](const float *p) { return *p; };
const auto storeOne = [](float *p, float f) { *p = f; };
const auto loadEight = [](const float *p) { return load8(p); };
const auto storeEight = [](float *p, v8 f) { store8(p, f); };


// The distance between the transformed planes of a chunk: its floats plus a cache line, so that they never sit a
// power of two apart (with 512 tiles of 32 channels they would, 64 KiB, and all of them share one set of the L1).
long planeStride(long count, long channels) { return count * channels + 16; }

// Tiles per chunk: about 4 MiB of transformed input or output, at least 32 tiles.
long tileChunk(long channels) { return maxOf(32L, (1L << 20) / (36 * channels)); }

// ---- F(4×4, 3×3): 4×4 blocks of outputs from 6×6 patches, 36 products per block instead of 144 ----
// Points 0, ±1, ±2, ∞ (Lavin & Gray's matrices). Each block is read through 36 pointers, one per patch position.

struct Tiles4 {
  long h, w, perImage, total;
  explicit Tiles4(const Geometry &g)
      : h((g.outH + 3) / 4), w((g.outW + 3) / 4), perImage(h * w), total(g.batch * h * w) {}
};

void patchRows6(const float *x, const Geometry &g, const Tiles4 &tiles, long t, long c, const float *zeros,
                const float *rows[36]) {
  const long n = t / tiles.perImage, ty = (t % tiles.perImage) / tiles.w, tx = t % tiles.w;
  const float *image = x + n * g.inH * g.inW * c;
  for (long i = 0; i < 6; i++) {
    const long iy = 4 * ty + i - g.padTop;
    for (long j = 0; j < 6; j++) {
      const long ix = 4 * tx + j - g.padLeft;
      const bool inside = iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW;
      rows[i * 6 + j] = inside ? image + (iy * g.inW + ix) * c : zeros;
    }
  }
}

// Bᵀ applied to six values: Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0;
// 0 4 0 −5 0 1].
template <typename F>
__attribute__((always_inline)) inline void inputRows43(const F d[6], F t[6]) {
  t[0] = (d[0] * 4.f - d[2] * 5.f) + d[4];
  t[1] = (d[3] + d[4]) - (d[1] + d[2]) * 4.f;
  t[2] = (d[4] - d[3]) + (d[1] - d[2]) * 4.f;
  t[3] = (d[4] - d[2]) + (d[3] - d[1]) * 2.f;
  t[4] = (d[4] - d[2]) - (d[3] - d[1]) * 2.f;
  t[5] = (d[1] * 4.f - d[3] * 5.f) + d[5];
}

template <typename F, typename Load, typename Store>
__attribute__((always_inline)) inline void inputTransform43At(const float *const rows[36], long k, float *v, long stride,
                                                              Load load, Store store) {
  F r[6][6];
  for (long j = 0; j < 6; j++) {
    F d[6], t[6];
    for (long i = 0; i < 6; i++) d[i] = load(rows[i * 6 + j] + k);
    inputRows43(d, t);
    for (long i = 0; i < 6; i++) r[i][j] = t[i];
  }
  for (long i = 0; i < 6; i++) {
    F t[6];
    inputRows43(r[i], t);
    for (long j = 0; j < 6; j++) store(v + (i * 6 + j) * stride + k, t[j]);
  }
}

void inputTransform43(const float *const rows[36], long c, float *v, long stride) {
  long k = 0;
  for (; k + 8 <= c; k += 8) inputTransform43At<v8>(rows, k, v, stride, loadEight, storeEight);
  for (; k < c; k++) inputTransform43At<float>(rows, k, v, stride, loadOne, storeOne);
}

// Aᵀ applied to six values: Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1].
template <typename F>
__attribute__((always_inline)) inline void outputRows43(const F m[6], F y[4]) {
  const F sum12 = m[1] + m[2], diff12 = m[1] - m[2], sum34 = m[3] + m[4], diff34 = m[3] - m[4];
  y[0] = (m[0] + sum12) + sum34;
  y[1] = diff12 + diff34 * 2.f;
  y[2] = sum12 + sum34 * 4.f;
  y[3] = (diff12 + diff34 * 8.f) + m[5];
}

template <typename F, typename Load, typename Store>
__attribute__((always_inline)) inline void outputTransform43At(const float *m, long stride, long c, const float *bias,
                                                               bool relu, float *const dst[16], Load load,
                                                               Store store) {
  F a[4][6];
  for (long j = 0; j < 6; j++) {
    F col[6], y[4];
    for (long i = 0; i < 6; i++) col[i] = load(m + (i * 6 + j) * stride + c);
    outputRows43(col, y);
    for (long i = 0; i < 4; i++) a[i][j] = y[i];
  }
  const F zero = F{} * 0.f;
  for (long i = 0; i < 4; i++) {
    F y[4];
    outputRows43(a[i], y);
    for (long j = 0; j < 4; j++) {
      F v = y[j];
      if (bias != nullptr) v += load(bias + c);
      if (relu) v = v < zero ? zero : v;
      store(dst[i * 4 + j] + c, v);
    }
  }
}

// The output transform of tile t into y: positions past the output's edge go to scratch and are dropped.
void outputTransform43(const float *m, long stride, const Geometry &g, const Tiles4 &tiles, long t, const float *bias,
                       bool relu, float *y) {
  const long k = g.outC;
  const long n = t / tiles.perImage, ty = (t % tiles.perImage) / tiles.w, tx = t % tiles.w;
  thread_local Scratch<float> edgeBuffer;
  float *dst[16];
  float *edge = nullptr;
  for (long i = 0; i < 4; i++)
    for (long j = 0; j < 4; j++) {
      const long oy = 4 * ty + i, ox = 4 * tx + j;
      if (oy < g.outH && ox < g.outW) {
        dst[i * 4 + j] = y + ((n * g.outH + oy) * g.outW + ox) * k;
      } else {
        if (edge == nullptr && (edge = edgeBuffer.get(k)) == nullptr) return;
        dst[i * 4 + j] = edge;
      }
    }
  long c = 0;
  for (; c + 8 <= k; c += 8) outputTransform43At<v8>(m, stride, c, bias, relu, dst, loadEight, storeEight);
  for (; c < k; c++) outputTransform43At<float>(m, stride, c, bias, relu, dst, loadOne, storeOne);
}

// U = G g Gᵀ of F(4×4, 3×3) for every (ci, co), laid out [36][inC][outC]: w is [3][3][ci][co] with its taps
// `tapStride` floats apart, input channels `ciStride` and output channels `coStride` (so a transposed filter needs
// no copy).
// G = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1/24 1/12 ⅙; 1/24 −1/12 ⅙; 0 0 1].
void filterTransform43(const float *w, long inC, long outC, long ciStride, long coStride, long tapStride, float *u) {
  const auto rows = [](const float g[3], float t[6]) {
    t[0] = g[0] * 0.25f;
    t[1] = ((g[0] + g[1]) + g[2]) * (-1.f / 6.f);
    t[2] = ((g[0] - g[1]) + g[2]) * (-1.f / 6.f);
    t[3] = (g[0] * (1.f / 24.f) + g[1] * (1.f / 12.f)) + g[2] * (1.f / 6.f);
    t[4] = (g[0] * (1.f / 24.f) - g[1] * (1.f / 12.f)) + g[2] * (1.f / 6.f);
    t[5] = g[2];
  };
  const long step = inC * outC;
  for (long ci = 0; ci < inC; ci++)
    for (long co = 0; co < outC; co++) {
      float t[6][3];
      for (long b = 0; b < 3; b++) {
        float column[3], out[6];
        for (long a = 0; a < 3; a++) column[a] = w[(a * 3 + b) * tapStride + ci * ciStride + co * coStride];
        rows(column, out);
        for (long a = 0; a < 6; a++) t[a][b] = out[a];
      }
      for (long a = 0; a < 6; a++) {
        float out[6];
        rows(t[a], out);
        for (long b = 0; b < 6; b++) u[(a * 6 + b) * step + ci * outC + co] = out[b];
      }
    }
}

// y = conv(x, filter) by F(4×4, 3×3), with u the transformed filter [36][inC][outC].
Status winograd43Forward(const float *x, const float *u, const float *bias, bool relu, const Geometry &g, float *y) {
  const Tiles4 tiles(g);
  const long c = g.inC, k = g.outC, chunk = tileChunk(maxOf(c, k));
  thread_local Scratch<float> vBuffer, mBuffer, zeroBuffer;
  float *const v = vBuffer.get(36 * planeStride(chunk, c));
  float *const m = mBuffer.get(36 * planeStride(chunk, k));
  const float *const zeros = zeroBuffer.get(c);  // calloc'd, never written
  if (v == nullptr || m == nullptr || zeros == nullptr) return kOutOfMemory;
  for (long t0 = 0; t0 < tiles.total; t0 += chunk) {
    const long count = minOf(chunk, tiles.total - t0), vs = planeStride(count, c), ms = planeStride(count, k);
#pragma omp parallel for schedule(static)
    for (long t = 0; t < count; t++) {
      const float *rows[36];
      patchRows6(x, g, tiles, t0 + t, c, zeros, rows);
      inputTransform43(rows, c, v + t * c, vs);
    }
    const Status s = gemmsInParallel(36, [&](long xi) {
      return sgemm('N', 'N', count, k, c, 1.f, v + xi * vs, c, u + xi * c * k, k, 0.f, m + xi * ms, k);
    });
    if (s != kSuccess) return s;
#pragma omp parallel for schedule(static)
    for (long t = 0; t < count; t++) outputTransform43(m + t * k, ms, g, tiles, t0 + t, bias, relu, y);
  }
  return kSuccess;
}

// The filter gradient by F(3×3, 4×4), the transpose of the same algorithm: per 4×4 block e of dy and the 6×6 patch
// d under it, dW = Gᵀ [(A e Aᵀ) ⊙ (Bᵀ d B)] G, with the Bᵀ, G and Aᵀ above. The 36 products are summed over blocks
// (and images) as 36 GEMMs [C × tiles]·[tiles × K], chunk by chunk, and transformed back once at the end.

// A applied to four values (A = Aᵀ's transpose): [1 0 0 0; 1 1 1 1; 1 −1 1 −1; 1 2 4 8; 1 −2 4 −8; 0 0 0 1].
template <typename F>
__attribute__((always_inline)) inline void gradRows43(const F e[4], F w[6]) {
  const F even = e[0] + e[2], odd = e[1] + e[3], even4 = e[0] + e[2] * 4.f, odd8 = e[1] * 2.f + e[3] * 8.f;
  w[0] = e[0];
  w[1] = even + odd;
  w[2] = even - odd;
  w[3] = even4 + odd8;
  w[4] = even4 - odd8;
  w[5] = e[3];
}

template <typename F, typename Load, typename Store>
__attribute__((always_inline)) inline void gradTransform43At(const float *const rows[16], long k, float *w, long stride,
                                                             Load load, Store store) {
  F r[6][4];
  for (long j = 0; j < 4; j++) {
    F e[4], t[6];
    for (long i = 0; i < 4; i++) e[i] = load(rows[i * 4 + j] + k);
    gradRows43(e, t);
    for (long i = 0; i < 6; i++) r[i][j] = t[i];
  }
  for (long i = 0; i < 6; i++) {
    F t[6];
    gradRows43(r[i], t);
    for (long j = 0; j < 6; j++) store(w + (i * 6 + j) * stride + k, t[j]);
  }
}

// Gᵀ applied to six values: Gᵀ = [¼ −⅙ −⅙ 1/24 1/24 0; 0 −⅙ ⅙ 1/12 −1/12 0; 0 −⅙ −⅙ ⅙ ⅙ 1].
inline void filterRows43(const float m[6], float y[3]) {
  y[0] = ((m[0] * 0.25f - (m[1] + m[2]) * (1.f / 6.f)) + (m[3] + m[4]) * (1.f / 24.f));
  y[1] = ((m[2] - m[1]) * (1.f / 6.f) + (m[3] - m[4]) * (1.f / 12.f));
  y[2] = (((m[3] + m[4]) - (m[1] + m[2])) * (1.f / 6.f) + m[5]);
}

Status winograd43BackpropFilter(const float *x, const float *dy, const Geometry &g, float *dw) {
  const Tiles4 tiles(g);
  const long c = g.inC, k = g.outC, chunk = tileChunk(maxOf(c, k));
  thread_local Scratch<float> vBuffer, wBuffer, accBuffer, zeroBuffer;
  float *const v = vBuffer.get(36 * planeStride(chunk, c));
  float *const w = wBuffer.get(36 * planeStride(chunk, k));
  float *const acc = accBuffer.get(36 * c * k);
  const float *const zeros = zeroBuffer.get(maxOf(c, k));  // calloc'd, never written
  if (v == nullptr || w == nullptr || acc == nullptr || zeros == nullptr) return kOutOfMemory;
  for (long t0 = 0; t0 < tiles.total; t0 += chunk) {
    const long count = minOf(chunk, tiles.total - t0), vs = planeStride(count, c), ws = planeStride(count, k);
#pragma omp parallel for schedule(static)
    for (long t = 0; t < count; t++) {
      const float *rows[36], *grads[16];
      patchRows6(x, g, tiles, t0 + t, c, zeros, rows);
      inputTransform43(rows, c, v + t * c, vs);
      const long tile = t0 + t, n = tile / tiles.perImage;
      const long ty = (tile % tiles.perImage) / tiles.w, tx = tile % tiles.w;
      for (long a = 0; a < 4; a++)
        for (long b = 0; b < 4; b++) {
          const long oy = 4 * ty + a, ox = 4 * tx + b;
          grads[a * 4 + b] = oy < g.outH && ox < g.outW ? dy + ((n * g.outH + oy) * g.outW + ox) * k : zeros;
        }
      long i = 0;
      for (; i + 8 <= k; i += 8) gradTransform43At<v8>(grads, i, w + t * k, ws, loadEight, storeEight);
      for (; i < k; i++) gradTransform43At<float>(grads, i, w + t * k, ws, loadOne, storeOne);
    }
    // Each plane's sum over tiles on one thread, whatever the thread count (see Threads).
    const Status s = gemmsInParallel(36, [&](long xi) {
      return sgemm('T', 'N', c, k, count, 1.f, v + xi * vs, c, w + xi * ws, k, t0 == 0 ? 0.f : 1.f, acc + xi * c * k, k);
    });
    if (s != kSuccess) return s;
  }
  // dW = Gᵀ acc G per (ci, co); dw is [3][3][C][K].
  const long plane = c * k;
#pragma omp parallel for schedule(static)
  for (long e = 0; e < plane; e++) {
    float a[3][6];
    for (long j = 0; j < 6; j++) {
      float column[6], y[3];
      for (long i = 0; i < 6; i++) column[i] = acc[(i * 6 + j) * plane + e];
      filterRows43(column, y);
      for (long i = 0; i < 3; i++) a[i][j] = y[i];
    }
    for (long ky = 0; ky < 3; ky++) {
      float y[3];
      filterRows43(a[ky], y);
      for (long kx = 0; kx < 3; kx++) dw[(ky * 3 + kx) * plane + e] = y[kx];
    }
  }
  return kSuccess;
}

Status winogradConv2d(const float *x, const float *w, const float *bias, bool relu, const Geometry &g, float *y) {
  thread_local Scratch<float> uBuffer;
  float *const u = uBuffer.get(36 * g.inC * g.outC);
  if (u == nullptr) return kOutOfMemory;
  // w[ky][kx][ci][co]: taps inC · outC apart, channels outC apart, outputs adjacent.
  filterTransform43(w, g.inC, g.outC, g.outC, 1, g.inC * g.outC, u);
  return winograd43Forward(x, u, bias, relu, g, y);
}

// dx is dy convolved with the filter flipped and its channels swapped, padding 2 − pad: the forward pass again.
Status winogradBackpropInput(const float *dy, const float *w, const Geometry &g, float *dx) {
  Geometry t = g;
  t.inH = g.outH, t.inW = g.outW, t.inC = g.outC;
  t.outH = g.inH, t.outW = g.inW, t.outC = g.inC;
  t.padTop = 2 - g.padTop, t.padLeft = 2 - g.padLeft;
  thread_local Scratch<float> uBuffer, flipBuffer;
  float *const u = uBuffer.get(36 * g.inC * g.outC);
  float *const flippedW = flipBuffer.get(9 * g.inC * g.outC);
  if (u == nullptr || flippedW == nullptr) return kOutOfMemory;
  for (long tap = 0; tap < 9; tap++) {
    const float *src = w + (8 - tap) * g.inC * g.outC;
    std::memcpy(flippedW + tap * g.inC * g.outC, src, sizeof(float) * g.inC * g.outC);
  }
  // The flipped filter as [3][3][co][ci]: for the transposed conv, "in" is co (g.outC) and "out" is ci (g.inC).
  filterTransform43(flippedW, g.outC, g.inC, 1, g.outC, g.inC * g.outC, u);
  return winograd43Forward(dy, u, nullptr, false, t, dx);
}

enum Activation { kLinear = 0, kRelu = 1 };

Status conv2d(const float *x, const float *w, const float *bias, int activation, const Geometry &g, float *y) {
  if (direct(g)) return directConv2d(x, w, bias, activation == kRelu, g, y);
  if (winograd(g)) return winogradConv2d(x, w, bias, activation == kRelu, g, y);
  if (fewTaps(g))
    return byVectors(
        g, [&](auto v) { return conv2dFewTaps<decltype(v)::value>(x, w, bias, activation == kRelu, g, y); });
  if (byPosition(g)) {
    if (const Status s = conv2dByPosition(x, w, g, y)) return s;
    biasActivation(bias, activation == kRelu, g.batch * g.rowsPerImage(), g.outC, y);
    return kSuccess;
  }
  const long k = g.k(), rows = g.rowsPerImage(), step = g.imagesPerChunk();
  float *cols = pointwise(g) ? nullptr : scratch.get(step * rows * k);
  if (!pointwise(g) && cols == nullptr) return kOutOfMemory;
  for (long n0 = 0; n0 < g.batch; n0 += step) {
    const long n1 = minOf(g.batch, n0 + step), m = (n1 - n0) * rows;
    const float *a = x + n0 * rows * k;
    if (cols != nullptr) {
      im2col(x, g, n0, n1, cols);
      a = cols;
    }
    float *out = y + n0 * rows * g.outC;
    if (const Status s = sgemm('N', 'N', m, g.outC, k, 1.f, a, k, w, g.outC, 0.f, out, g.outC)) return s;
    biasActivation(bias, activation == kRelu, m, g.outC, out);
  }
  return kSuccess;
}

Status conv2dBackpropInput(const float *dy, const float *w, const Geometry &g, float *dx) {
  // Its padding is k − 1 − pad: the direct route needs that non-negative (pads no wider than the kernel).
  if (direct(g) && g.padTop < g.kH && g.padLeft < g.kW) return directBackpropInput(dy, w, g, dx);
  if (winograd(g)) return winogradBackpropInput(dy, w, g, dx);
  if (byPosition(g)) return backpropInputByPosition(dy, w, g, dx);
  const long k = g.k(), rows = g.rowsPerImage(), step = g.imagesPerChunk();
  if (pointwise(g)) return sgemm('N', 'T', g.batch * rows, k, g.outC, 1.f, dy, g.outC, w, g.outC, 0.f, dx, k);
  std::memset(dx, 0, sizeof(float) * g.batch * g.inH * g.inW * g.inC);
  float *dcols = scratch.get(step * rows * k);
  if (dcols == nullptr) return kOutOfMemory;
  for (long n0 = 0; n0 < g.batch; n0 += step) {
    const long n1 = minOf(g.batch, n0 + step), m = (n1 - n0) * rows;
    // One thread: with a narrow filter (9 taps of one channel) oneDNN splits this product's sum over two, and the
    // bits would depend on the count. Training never asks for this gradient of a first layer, where it is narrow.
    const Status s =
        sgemmOneThread('N', 'T', m, k, g.outC, 1.f, dy + n0 * rows * g.outC, g.outC, w, g.outC, 0.f, dcols, k);
    if (s != kSuccess) return s;
    col2im(dcols, g, n0, n1, dx);
  }
  return kSuccess;
}

Status conv2dBackpropFilter(const float *x, const float *dy, const Geometry &g, float *dw) {
  if (direct(g)) return directBackpropFilter(x, dy, g, dw);
  if (winograd(g)) return winograd43BackpropFilter(x, dy, g, dw);
  if (byPosition(g)) return backpropFilterByPosition(x, dy, g, dw);
  if (fewTaps(g))
    return byVectors(g, [&](auto v) { return backpropFilterFewTaps<decltype(v)::value>(x, dy, g, dw); });
  const long k = g.k(), rows = g.rowsPerImage(), step = g.imagesPerChunk();
  float *cols = pointwise(g) ? nullptr : scratch.get(step * rows * k);
  if (!pointwise(g) && cols == nullptr) return kOutOfMemory;
  for (long n0 = 0; n0 < g.batch; n0 += step) {
    const long n1 = minOf(g.batch, n0 + step), m = (n1 - n0) * rows;
    const float *a = x + n0 * rows * k;
    if (cols != nullptr) {
      im2col(x, g, n0, n1, cols);
      a = cols;
    }
    // Its inner dimension is the chunk's output positions: one thread, so its sums never depend on the count.
    const Status s = sgemmOneThread('T', 'N', k, g.outC, m, 1.f, a, k, dy + n0 * rows * g.outC, g.outC,
                                    n0 == 0 ? 0.f : 1.f, dw, g.outC);
    if (s != kSuccess) return s;
  }
  return kSuccess;
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
    y[i] = __builtin_fabsf(x[i]) < 0.0004f ? x[i] : a * p / q;
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
    xOut[i] = (mHat / (__builtin_sqrtf(vHat) + c.epsilon)) * c.negLearningRate + x[i];
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
Status batchNorm(const float *x, long rows, long channels, const float *mean, const float *variance,
                 const float *offset, const float *scale, float epsilon, float *out) {
  thread_local Scratch<double> factors;
  double *const factor = factors.get(channels);
  if (factor == nullptr) return kOutOfMemory;
  for (long c = 0; c < channels; c++) factor[c] = __builtin_sqrtf(variance[c] + epsilon);
  if (channels == 1) {
    // One channel (the small tower's input): one long loop, which vectorises.
    const float m = mean[0], s = scale[0];
    const double o = offset[0], f = factor[0];
    for (long i = 0; i < rows; i++) out[i] = static_cast<float>(o + static_cast<double>((x[i] - m) * s) / f);
    return kSuccess;
  }
  for (long r = 0; r < rows; r++) {
    const float *in = x + r * channels;
    float *o = out + r * channels;
    for (long c = 0; c < channels; c++) {
      const float scaled = (in[c] - mean[c]) * scale[c];
      o[c] = static_cast<float>(static_cast<double>(offset[c]) + static_cast<double>(scaled) / factor[c]);
    }
  }
  return kSuccess;
}

// ---- Max pooling's gradient ----------------------------------------------------------------------------------------
// Each window's gradient goes to its first largest input (in row-major window order, as tfjs's reference kernels
// pick it; NaN is never the largest), found again from x rather than stored by the forward pass: one more read of
// x is cheaper than a second output the engine would have to keep.
void maxPoolGrad(const float *x, const float *dy, const Geometry &g, float *dx) {
  const long c = g.inC;
  std::memset(dx, 0, sizeof(float) * g.batch * g.inH * g.inW * c);
  // Images on the threads there are: each writes only its own image's gradient.
#pragma omp parallel for schedule(static)
  for (long n = 0; n < g.batch; n++) {
    thread_local Scratch<float> bestBuffer;
    thread_local Scratch<long> atBuffer;
    float *const best = bestBuffer.get(c);
    long *const at = atBuffer.get(c);
    if (best == nullptr || at == nullptr) continue;  // c ≥ 1 floats: only a failed allocation gets here
    const float *image = x + n * g.inH * g.inW * c;
    float *grad = dx + n * g.inH * g.inW * c;
    for (long oy = 0; oy < g.outH; oy++)
      for (long ox = 0; ox < g.outW; ox++) {
        for (long i = 0; i < c; i++) best[i] = -__builtin_inff(), at[i] = -1;
        for (long ky = 0; ky < g.kH; ky++) {
          const long iy = oy * g.strideH + ky * g.dilH - g.padTop;
          if (iy < 0 || iy >= g.inH) continue;
          for (long kx = 0; kx < g.kW; kx++) {
            const long ix = ox * g.strideW + kx * g.dilW - g.padLeft;
            if (ix < 0 || ix >= g.inW) continue;
            const long offset = (iy * g.inW + ix) * c;
            const float *v = image + offset;
            for (long i = 0; i < c; i++) {
              const bool larger = v[i] > best[i];
              best[i] = larger ? v[i] : best[i];
              at[i] = larger ? offset + i : at[i];
            }
          }
        }
        const float *d = dy + ((n * g.outH + oy) * g.outW + ox) * c;
        for (long i = 0; i < c; i++)
          if (at[i] >= 0) grad[at[i]] += d[i];
      }
  }
}

// ---- Batch normalisation in training ---------------------------------------------------------------------------
// One layer's whole forward and backward pass over rows of `channels` floats, with the batch's own statistics:
// what tfjs composes from about thirty kernels (moments, normalisation, and the gradients of both), here two
// passes over the data each way. Sums run per channel in row order, in float over blocks of rows and in double
// across blocks; the variance's sums are taken about the first row, so a large mean cancels nothing.

constexpr long kBlockRows = 256;

// sums[c] += Σ_r a(r, c) and sums[channels + c] += Σ_r b(r, c) over the rows, `term(r, a, b)` adding row r's
// terms to both, in blocks (see above): the blocks on the threads there are, their partial sums added in block
// order, so the result never depends on the count. One pass over the data for both sums.
template <typename Term>
Status sumChannels(long rows, long channels, double *sums, Term term) {
  const long blocks = (rows + kBlockRows - 1) / kBlockRows;
  thread_local Scratch<float> partialBuffer;
  float *const partial = partialBuffer.get(blocks * 2 * channels);
  if (partial == nullptr) return kOutOfMemory;
#pragma omp parallel for schedule(static)
  for (long b = 0; b < blocks; b++) {
    float *const first = partial + b * 2 * channels, *const second = first + channels;
    for (long c = 0; c < 2 * channels; c++) first[c] = 0.f;
    for (long r = b * kBlockRows; r < minOf(rows, (b + 1) * kBlockRows); r++) term(r, first, second);
  }
  for (long b = 0; b < blocks; b++)
    for (long c = 0; c < 2 * channels; c++) sums[c] += partial[b * 2 * channels + c];
  return kSuccess;
}

// y = relu?((x − mean) · scale / √(variance + ε) + offset), with the batch's mean and (biased) variance, which are
// returned for the moving averages and the backward pass.
Status batchNormTrain(const float *x, long rows, long channels, const float *scale, const float *offset, float epsilon,
                      int relu, float *y, float *mean, float *variance) {
  thread_local Scratch<double> sumBuffer;
  thread_local Scratch<float> shiftBuffer, factorBuffer;
  double *const sums = sumBuffer.get(2 * channels);
  float *const shift = shiftBuffer.get(channels);
  float *const factor = factorBuffer.get(channels);
  if (sums == nullptr || shift == nullptr || factor == nullptr) return kOutOfMemory;
  for (long c = 0; c < channels; c++) shift[c] = x[c], sums[c] = 0, sums[channels + c] = 0;
  const Status s = sumChannels(rows, channels, sums, [&](long r, float *__restrict sum, float *__restrict squares) {
    const float *row = x + r * channels;
    for (long c = 0; c < channels; c++) {
      const float d = row[c] - shift[c];
      sum[c] += d;
      squares[c] += d * d;
    }
  });
  if (s != kSuccess) return s;
  for (long c = 0; c < channels; c++) {
    const double m = sums[c] / rows, v = maxOf(0., sums[channels + c] / rows - m * m);
    mean[c] = static_cast<float>(m + shift[c]);
    variance[c] = static_cast<float>(v);
    factor[c] = static_cast<float>(scale[c] / __builtin_sqrt(static_cast<double>(variance[c]) + epsilon));
  }
#pragma omp parallel for schedule(static)
  for (long r = 0; r < rows; r++) {
    const float *in = x + r * channels;
    float *out = y + r * channels;
    for (long c = 0; c < channels; c++) {
      const float v = (in[c] - mean[c]) * factor[c] + offset[c];
      out[c] = relu && v < 0.f ? 0.f : v;
    }
  }
  return kSuccess;
}

// dy, masked where the relu's output is not positive (Relu: y given) or as it is.
template <bool Relu>
inline float maskedGrad(const float *dy, const float *y, long i) {
  return Relu ? (y[i] > 0.f ? dy[i] : 0.f) : dy[i];
}

// batchNormTrainGrad's two passes, with the relu's mask or without it as a compile-time choice.
template <bool Relu>
Status normGrad(const float *dy, const float *x, const float *y, long rows, long channels, const float *scale,
                const float *mean, const float *variance, float epsilon, float *dx, float *dScale, float *dOffset) {
  thread_local Scratch<double> sumBuffer;
  thread_local Scratch<float> coefficientBuffer;
  double *const sums = sumBuffer.get(2 * channels);
  float *const k = coefficientBuffer.get(3 * channels);
  if (sums == nullptr || k == nullptr) return kOutOfMemory;
  for (long c = 0; c < 2 * channels; c++) sums[c] = 0;
  const Status s = sumChannels(rows, channels, sums, [&](long r, float *__restrict g, float *__restrict gx) {
    const float *row = x + r * channels;
    for (long c = 0; c < channels; c++) {
      const float grad = maskedGrad<Relu>(dy, y, r * channels + c);
      g[c] += grad;
      gx[c] += grad * (row[c] - mean[c]);
    }
  });
  if (s != kSuccess) return s;
  // dx = a·g − b·(x − mean) − d, per channel: a = scale/σ, b = a·Σg(x − mean)/(σ²R), d = a·Σg/R.
  for (long c = 0; c < channels; c++) {
    const double inv = 1. / __builtin_sqrt(static_cast<double>(variance[c]) + epsilon), a = scale[c] * inv;
    dOffset[c] = static_cast<float>(sums[c]);
    dScale[c] = static_cast<float>(sums[channels + c] * inv);
    k[c] = static_cast<float>(a);
    k[channels + c] = static_cast<float>(a * sums[channels + c] * inv * inv / rows);
    k[2 * channels + c] = static_cast<float>(a * sums[c] / rows);
  }
#pragma omp parallel for schedule(static)
  for (long r = 0; r < rows; r++) {
    const float *in = x + r * channels;
    float *out = dx + r * channels;
    for (long c = 0; c < channels; c++)
      out[c] = k[c] * maskedGrad<Relu>(dy, y, r * channels + c) - k[channels + c] * (in[c] - mean[c]) -
               k[2 * channels + c];
  }
  return kSuccess;
}

// The gradients of batchNormTrain's y (given y where relu was applied: it masks dy) with respect to x, scale and
// offset, the statistics' own dependence on x included: with g = dy (masked), x̂ = (x − mean)/σ,
// dOffset = Σ g, dScale = Σ g·x̂ and dx = scale/σ · (g − dOffset/R − x̂ · dScale/R).
Status batchNormTrainGrad(const float *dy, const float *x, const float *y, long rows, long channels, const float *scale,
                          const float *mean, const float *variance, float epsilon, float *dx, float *dScale,
                          float *dOffset) {
  return y != nullptr
             ? normGrad<true>(dy, x, y, rows, channels, scale, mean, variance, epsilon, dx, dScale, dOffset)
             : normGrad<false>(dy, x, y, rows, channels, scale, mean, variance, epsilon, dx, dScale, dOffset);
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

// The table's entries take the shared geometry and give it this file's methods.
Status conv2dEntry(const ConvGeometry &g, const float *x, const float *w, const float *bias, int activation,
                   float *y) {
  return conv2d(x, w, bias, activation, Geometry{g}, y);
}
Status conv2dBackpropInputEntry(const ConvGeometry &g, const float *dy, const float *w, float *dx) {
  return conv2dBackpropInput(dy, w, Geometry{g}, dx);
}
Status conv2dBackpropFilterEntry(const ConvGeometry &g, const float *x, const float *dy, float *dw) {
  return conv2dBackpropFilter(x, dy, Geometry{g}, dw);
}
void avgPoolGradEntry(const ConvGeometry &g, const float *dy, float *dx) { avgPoolGrad(dy, Geometry{g}, dx); }
void maxPoolGradEntry(const ConvGeometry &g, const float *x, const float *dy, float *dx) {
  maxPoolGrad(x, dy, Geometry{g}, dx);
}

}  // namespace

extern const Kernels kernels = {
    conv2dEntry, conv2dBackpropInputEntry, conv2dBackpropFilterEntry, avgPoolGradEntry, tanhKernel, avgPool2x2,
    batchNorm,   tile,                     reduceMiddle,              adam,
    maxPoolGradEntry, batchNormTrain, batchNormTrainGrad,
};

}  // namespace TWINNET_ROUTE
}  // namespace twinnet
