// What the N-API glue (addon.cc, compiled for the baseline x86-64) and the kernels (compute.cc, compiled once
// per instruction set) share: plain data and function pointers only. Anything inline here would be compiled
// into every route, and the linker could hand one route's copy, AVX-512 instructions and all, to another.
#pragma once

namespace twinnet {

// A convolution's or pooling's shape, in the order the JS side passes it (see Geometry in index.ts).
struct ConvGeometry {
  long batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft;
};

// Coefficients of one Adam step, in KernelAdam's order (packages/core/src/train/optimizers/adam-kernel.ts).
struct AdamCoefficients {
  float beta1, oneMinusBeta1, beta2, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, epsilon, negLearningRate;
};

// 0 on success; a dnnl_status_t from oneDNN's sgemm; or kOutOfMemory when scratch could not be allocated.
using Status = int;
constexpr Status kSuccess = 0;
constexpr Status kOutOfMemory = -1;

// oneDNN's sgemm (row-major), defined in addon.cc: the routes call it rather than oneDNN directly, so a test can
// make it fail.
Status sgemm(char transA, char transB, long m, long n, long k, float alpha, const float *a, long lda,
             const float *b, long ldb, float beta, float *c, long ldc);

// One route's kernels. Sizes are validated by the glue before any of these runs.
struct Kernels {
  Status (*conv2d)(const ConvGeometry &g, const float *x, const float *w, const float *bias, int relu, float *y);
  Status (*conv2dBackpropInput)(const ConvGeometry &g, const float *dy, const float *w, float *dx);
  Status (*conv2dBackpropFilter)(const ConvGeometry &g, const float *x, const float *dy, float *dw);
  void (*avgPoolGrad)(const ConvGeometry &g, const float *dy, float *dx);
  void (*tanh)(const float *x, long size, float *y);
  void (*avgPool2x2)(const float *x, long batch, long inH, long inW, long channels, float *y);
  Status (*batchNorm)(const float *x, long rows, long channels, const float *mean, const float *variance,
                      const float *offset, const float *scale, float epsilon, float *out);
  void (*tile)(const float *x, const long *shape, const long *reps, long rank, float *out);
  void (*reduce)(const float *x, long outer, long reduce, long inner, bool mean, float *out);
  void (*adam)(const float *x, const float *m, const float *v, const float *g, long size,
               const AdamCoefficients &c, float *xOut, float *mOut, float *vOut);
  void (*maxPoolGrad)(const ConvGeometry &g, const float *x, const float *dy, float *dx);
  Status (*batchNormTrain)(const float *x, long rows, long channels, const float *scale, const float *offset,
                           float epsilon, int relu, float *y, float *mean, float *variance);
  Status (*batchNormTrainGrad)(const float *dy, const float *x, const float *y, long rows, long channels,
                               const float *scale, const float *mean, const float *variance, float epsilon,
                               float *dx, float *dScale, float *dOffset);
};

// The routes binding.gyp builds from compute.cc: x86-64 (SSE2), x86-64-v3 (AVX2, FMA) and x86-64-v4 (AVX-512).
namespace baseline {
extern const Kernels kernels;
}
namespace avx2 {
extern const Kernels kernels;
}
namespace avx512 {
extern const Kernels kernels;
}

}  // namespace twinnet
