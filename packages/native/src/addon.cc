// The N-API side of the native kernels: argument and size checks, the choice of route (the kernels compiled
// for one instruction set, compute.cc), and errors. This file is compiled for the baseline x86-64 like
// everything that runs before a route is chosen, so loading the addon needs nothing beyond SSE2; the
// AVX2 and AVX-512 routes run only once __builtin_cpu_supports has vouched for them.
// Every size is checked before a kernel runs: arrays must hold exactly what their shapes say, and every
// product a kernel computes (array and scratch sizes, and so every index) must stay under kMaxFloats.
#include <dnnl.h>
#include <node_api.h>
#include <omp.h>
#include <pthread.h>
#include <signal.h>

#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "kernels.h"

namespace twinnet {
namespace {
// Test hook (failNextGemm): the status the next sgemm on this thread returns instead of running.
thread_local Status injectedStatus = kSuccess;
}  // namespace

Status sgemm(char transA, char transB, long m, long n, long k, float alpha, const float *a, long lda,
             const float *b, long ldb, float beta, float *c, long ldc) {
  if (injectedStatus != kSuccess) {
    const Status s = injectedStatus;
    injectedStatus = kSuccess;
    return s;
  }
  return dnnl_sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

namespace {

// ---- Routes and CPU features ----------------------------------------------------------------------------------

// The features this file (and so the baseline route, built with the same -march) was compiled for.
const std::vector<const char *> kRequired = {
#if defined(__SSE2__)
    "sse2",
#endif
#if defined(__SSE4_2__)
    "sse4.2",
#endif
#if defined(__AVX2__)
    "avx2",
#endif
#if defined(__AVX512F__)
    "avx512f",
#endif
};

struct Route {
  const char *name;
  const Kernels *kernels;
  std::vector<const char *> needs;  // as __builtin_cpu_supports names them, beyond kRequired
};

// Fastest first. The level names (x86-64-v3, -v4) cover the rest of each -march level and the OS's support
// for the wider registers, which __builtin_cpu_supports also checks.
const std::vector<Route> &routes() {
  static const std::vector<Route> all = {
#if defined(__x86_64__)
      {"avx512",
       &avx512::kernels,
       {"avx", "avx2", "fma", "x86-64-v3", "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl", "x86-64-v4"}},
      {"avx2", &avx2::kernels, {"avx", "avx2", "fma", "x86-64-v3"}},
#endif
      {"baseline", &baseline::kernels, {}},
  };
  return all;
}

// The features above that this CPU has.
const std::vector<const char *> &cpuFeatures() {
  static const std::vector<const char *> present = [] {
    std::vector<const char *> out;
#if defined(__x86_64__)
    __builtin_cpu_init();
    // __builtin_cpu_supports takes only literals.
#define TWINNET_FEATURE(name) \
  if (__builtin_cpu_supports(name)) out.push_back(name);
    TWINNET_FEATURE("sse2") TWINNET_FEATURE("sse4.2") TWINNET_FEATURE("avx") TWINNET_FEATURE("avx2")
    TWINNET_FEATURE("fma") TWINNET_FEATURE("x86-64-v3") TWINNET_FEATURE("avx512f") TWINNET_FEATURE("avx512bw")
    TWINNET_FEATURE("avx512cd") TWINNET_FEATURE("avx512dq") TWINNET_FEATURE("avx512vl") TWINNET_FEATURE("x86-64-v4")
#undef TWINNET_FEATURE
#endif
    return out;
  }();
  return present;
}

bool hasFeature(const char *name) {
  for (const char *f : cpuFeatures())
    if (std::strcmp(f, name) == 0) return true;
  return false;
}

bool runsHere(const Route &route) {
  for (const char *f : kRequired)
    if (!hasFeature(f)) return false;
  for (const char *f : route.needs)
    if (!hasFeature(f)) return false;
  return true;
}

// Per module instance (the main thread and each worker load their own): the route its kernels run on.
struct Instance {
  const Route *route;
};

// ---- Signals --------------------------------------------------------------------------------------------------
// oneDNN's JIT sgemm kernels (AVX2 and AVX-512; seen here with Debian's 2.6.3, reported up to 3.11) point rsp at a
// workspace on the heap while they run: a signal handled on that thread meanwhile pushes its frame there and
// corrupts the heap (uxlfoundation/oneDNN#4845, fixed by #4855). V8's CPU profiler (node --cpu-prof, the
// inspector's Profiler) sends SIGPROF to the JS thread every millisecond to a handler with a large stack frame,
// so a profiled run aborted within seconds ("corrupted size vs. prev_size while consolidating"). Hence every
// kernel runs with the asynchronous signals blocked on the calling thread; the OpenMP threads a kernel starts
// inherit that mask, so they never take one either. A signal that arrives meanwhile is delivered when the kernel
// returns (a profile sees a kernel's time as one late sample); the synchronous ones (faults, abort) are left alone.
class SignalsHeld {
 public:
  SignalsHeld() {
    sigset_t held;
    sigfillset(&held);
    for (const int synchronous : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT})
      sigdelset(&held, synchronous);
    pthread_sigmask(SIG_BLOCK, &held, &saved_);
  }
  ~SignalsHeld() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  SignalsHeld(const SignalsHeld &) = delete;
  SignalsHeld &operator=(const SignalsHeld &) = delete;

 private:
  sigset_t saved_;
};

// The route's kernels for one call, `kernelsOf(env)->kernel(...)`: the signals stay held until the end of the
// full expression that calls the kernel.
class HeldKernels {
 public:
  explicit HeldKernels(const Kernels &kernels) : kernels_(kernels) {}
  const Kernels *operator->() const { return &kernels_; }

 private:
  SignalsHeld held_;
  const Kernels &kernels_;
};

HeldKernels kernelsOf(napi_env env) {
  void *data = nullptr;
  napi_get_instance_data(env, &data);
  return HeldKernels(*static_cast<Instance *>(data)->route->kernels);
}

// ---- Sizes ----------------------------------------------------------------------------------------------------

// Every shape entry and geometry field fits an int32, as in tfjs; with that, a kernel's sums of two products
// of fields cannot overflow, and every longer product is one of those checked against kMaxFloats.
constexpr long kMaxDim = INT32_MAX;
// More floats than any array or scratch buffer holds in practice (4 TiB).
constexpr long kMaxFloats = 1L << 40;

// The product of non-negative factors, or -1 when it (or a factor) is negative or exceeds kMaxFloats.
long product(const long *factors, size_t count) {
  long p = 1;
  for (size_t i = 0; i < count; i++)
    if (factors[i] < 0 || __builtin_mul_overflow(p, factors[i], &p) || p > kMaxFloats) return -1;
  return p;
}
long product(std::initializer_list<long> factors) { return product(factors.begin(), factors.size()); }

// A convolution's array sizes, or all -1 when any size a route computes from its geometry would overflow.
struct ConvSizes {
  long in, out, filter;
};

ConvSizes convSizes(const ConvGeometry &g) {
  const long k = product({g.kH, g.kW, g.inC});
  const long ph = g.outH + g.kH - 1, pw = g.outW + g.kW - 1;  // the direct route's padded input
  const long tph = g.inH + g.kH - 1, tpw = g.inW + g.kW - 1;  // and its input gradient's
  const long fh = (g.outH - 1) * g.strideH + 3, fw = (g.outW - 1) * g.strideW + 3;  // one channel, 3×3 taps
  const ConvSizes sizes{product({g.batch, g.inH, g.inW, g.inC}), product({g.batch, g.outH, g.outW, g.outC}),
                        product({k, g.outC})};
  const long scratch[] = {
      product({g.outH, g.outW, k}),  // im2col's rows for one image
      product({g.inC, ph, pw}),
      product({g.outC, g.outH, pw}),
      product({k, g.outC, g.outH, pw}),  // the direct filter gradient's columns
      product({g.outC, tph, tpw}),
      product({g.inC, g.inH, tpw}),
      product({fh, fw}),
  };
  bool fits = sizes.in >= 0 && sizes.out >= 0 && sizes.filter >= 0;
  for (const long size : scratch) fits = fits && size >= 0;
  return fits ? sizes : ConvSizes{-1, -1, -1};
}

// ---- Arguments ------------------------------------------------------------------------------------------------

enum ErrorKind { kTypeError, kRangeError, kError };

const char *statusName(Status s) {
  switch (s) {
    case dnnl_out_of_memory: return "dnnl_out_of_memory";
    case dnnl_invalid_arguments: return "dnnl_invalid_arguments";
    case dnnl_unimplemented: return "dnnl_unimplemented";
    case dnnl_iterator_ends: return "dnnl_iterator_ends";
    case dnnl_runtime_error: return "dnnl_runtime_error";
    case dnnl_not_required: return "dnnl_not_required";
    default: return "an unknown status";
  }
}

// One call's arguments. The first failure is thrown as a JS error naming the kernel; after it every accessor
// returns a null or zero value and the kernel must not run (`ok` is false).
struct Args {
  napi_env env;
  const char *kernel;
  napi_value values[12];
  size_t count = 12;
  bool ok = true;

  Args(napi_env e, napi_callback_info info, const char *name) : env(e), kernel(name) {
    if (napi_get_cb_info(env, info, &count, values, nullptr, nullptr) != napi_ok) fail(kError, "bad call");
  }

  __attribute__((format(printf, 3, 4))) void fail(ErrorKind kind, const char *format, ...) {
    if (!ok) return;
    ok = false;
    char message[320];
    const int prefix = snprintf(message, sizeof message, "twinnet native: %s: ", kernel);
    va_list rest;
    va_start(rest, format);
    vsnprintf(message + prefix, sizeof message - prefix, format, rest);
    va_end(rest);
    if (kind == kTypeError) napi_throw_type_error(env, nullptr, message);
    if (kind == kRangeError) napi_throw_range_error(env, nullptr, message);
    if (kind == kError) napi_throw_error(env, nullptr, message);
  }

  // A kernel's result: a failure becomes a thrown Error naming the kernel and the status.
  void check(Status s) {
    if (s == kOutOfMemory) fail(kError, "out of memory for its scratch buffers");
    if (s != kSuccess && s != kOutOfMemory) fail(kError, "oneDNN's sgemm failed with %s (%d)", statusName(s), s);
  }

  // A Float32Array of exactly `length` floats (or null where `optional`).
  float *floats(size_t i, const char *name, long length, bool optional = false) {
    if (!ok) return nullptr;
    napi_valuetype type = napi_undefined;
    if (i < count) napi_typeof(env, values[i], &type);
    if (optional && (type == napi_null || type == napi_undefined)) return nullptr;
    bool isTyped = false;
    if (i < count) napi_is_typedarray(env, values[i], &isTyped);
    napi_typedarray_type arrayType = napi_int8_array;
    size_t actual = 0;
    void *data = nullptr;
    if (isTyped) napi_get_typedarray_info(env, values[i], &arrayType, &actual, &data, nullptr, nullptr);
    if (arrayType != napi_float32_array) return fail(kTypeError, "%s: expected a Float32Array", name), nullptr;
    if (actual != static_cast<size_t>(length))
      return fail(kRangeError, "%s has %zu floats where its shape says %ld", name, actual, length), nullptr;
    return static_cast<float *>(data);
  }

  // A whole number from `least` to `most`.
  long integer(size_t i, const char *name, long least, long most) {
    if (!ok) return 0;
    double v = NAN;
    if (i < count) napi_get_value_double(env, values[i], &v);
    if (!(v == std::floor(v) && v >= static_cast<double>(least) && v <= static_cast<double>(most)))
      return fail(kRangeError, "%s must be a whole number from %ld to %ld", name, least, most), 0;
    return static_cast<long>(v);
  }

  // A JS array of at most `max` numbers into `out`; returns its length (0 after a failure, reported as `what`).
  uint32_t numbers(size_t i, double *out, uint32_t max, const char *what) {
    if (!ok) return 0;
    uint32_t length = 0;
    bool isArray = false;
    if (i < count) napi_is_array(env, values[i], &isArray);
    if (!isArray || napi_get_array_length(env, values[i], &length) != napi_ok || length > max)
      return fail(kTypeError, "%s", what), 0;
    for (uint32_t f = 0; f < length; f++) {
      napi_value element;
      if (napi_get_element(env, values[i], f, &element) != napi_ok ||
          napi_get_value_double(env, element, &out[f]) != napi_ok)
        return fail(kTypeError, "%s", what), 0;
    }
    return length;
  }

  // Exactly `length` (at most 15) whole numbers from `least` to kMaxDim, as longs.
  bool integers(size_t i, long *out, uint32_t length, long least, const char *what) {
    double v[15];
    if (numbers(i, v, 15, what) != length) return fail(kTypeError, "%s", what), false;
    for (uint32_t f = 0; f < length; f++) {
      if (!(v[f] == std::floor(v[f]) && v[f] >= static_cast<double>(least) && v[f] <= kMaxDim))
        return fail(kRangeError, "%s", what), false;
      out[f] = static_cast<long>(v[f]);
    }
    return true;
  }

  // A geometry: 15 whole numbers in ConvGeometry's order, the batch and the pads from 0, the rest from 1, and
  // all the sizes a route computes from them within kMaxFloats. Returns the arrays' sizes.
  ConvSizes geometry(size_t i, ConvGeometry *g) {
    long v[15];
    if (!integers(i, v, 15, 0, "expected a geometry of 15 integers up to 2^31 - 1")) return {-1, -1, -1};
    *g = ConvGeometry{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
    for (int f = 1; f < 13; f++)
      if (v[f] < 1) return fail(kRangeError, "a geometry size is out of range (0 at index %d)", f), ConvSizes{-1, -1, -1};
    const ConvSizes sizes = convSizes(*g);
    if (sizes.in < 0) fail(kRangeError, "the geometry's sizes overflow (more than 2^40 floats)");
    return sizes;
  }
};

napi_value undefinedValue(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

}  // namespace
}  // namespace twinnet

// ---- Kernels --------------------------------------------------------------------------------------------------

namespace twinnet {
namespace {

// conv2d(geometry, x, w, bias | null, activation (0 linear, 1 relu), y)
napi_value Conv2D(napi_env env, napi_callback_info info) {
  Args args(env, info, "conv2d");
  ConvGeometry g{};
  const ConvSizes s = args.geometry(0, &g);
  const float *x = args.floats(1, "x", s.in);
  const float *w = args.floats(2, "w", s.filter);
  const float *bias = args.floats(3, "bias", g.outC, true);
  const long activation = args.integer(4, "activation", 0, 1);
  float *y = args.floats(5, "y", s.out);
  if (args.ok && g.batch > 0) args.check(kernelsOf(env)->conv2d(g, x, w, bias, static_cast<int>(activation), y));
  return undefinedValue(env);
}

// conv2dBackpropInput(geometry, dy, w, dx)
napi_value Conv2DBackpropInput(napi_env env, napi_callback_info info) {
  Args args(env, info, "conv2dBackpropInput");
  ConvGeometry g{};
  const ConvSizes s = args.geometry(0, &g);
  const float *dy = args.floats(1, "dy", s.out);
  const float *w = args.floats(2, "w", s.filter);
  float *dx = args.floats(3, "dx", s.in);
  if (args.ok && g.batch > 0) args.check(kernelsOf(env)->conv2dBackpropInput(g, dy, w, dx));
  return undefinedValue(env);
}

// conv2dBackpropFilter(geometry, x, dy, dw); no images give a zero gradient without asking oneDNN.
napi_value Conv2DBackpropFilter(napi_env env, napi_callback_info info) {
  Args args(env, info, "conv2dBackpropFilter");
  ConvGeometry g{};
  const ConvSizes s = args.geometry(0, &g);
  const float *x = args.floats(1, "x", s.in);
  const float *dy = args.floats(2, "dy", s.out);
  float *dw = args.floats(3, "dw", s.filter);
  if (args.ok && g.batch == 0) std::memset(dw, 0, sizeof(float) * s.filter);
  if (args.ok && g.batch > 0) args.check(kernelsOf(env)->conv2dBackpropFilter(g, x, dy, dw));
  return undefinedValue(env);
}

// avgPoolGrad(geometry, dy, dx); the geometry's outC equals inC.
napi_value AvgPoolGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, "avgPoolGrad");
  ConvGeometry g{};
  const ConvSizes s = args.geometry(0, &g);
  if (args.ok && g.outC != g.inC) args.fail(kRangeError, "pooling keeps the channel count");
  const float *dy = args.floats(1, "dy", s.out);
  float *dx = args.floats(2, "dx", s.in);
  if (args.ok) kernelsOf(env)->avgPoolGrad(g, dy, dx);
  return undefinedValue(env);
}

// avgPool2x2(x, batch, inH, inW, channels, y)
napi_value AvgPool2x2(napi_env env, napi_callback_info info) {
  Args args(env, info, "avgPool2x2");
  const long batch = args.integer(1, "batch", 0, kMaxDim), inH = args.integer(2, "inH", 2, kMaxDim);
  const long inW = args.integer(3, "inW", 2, kMaxDim), channels = args.integer(4, "channels", 1, kMaxDim);
  const long in = product({batch, inH, inW, channels}), out = product({batch, inH / 2, inW / 2, channels});
  if (args.ok && in < 0) args.fail(kRangeError, "its sizes overflow (more than 2^40 floats)");
  const float *x = args.floats(0, "x", in);
  float *y = args.floats(5, "y", out);
  if (args.ok) kernelsOf(env)->avgPool2x2(x, batch, inH, inW, channels, y);
  return undefinedValue(env);
}

// batchNorm(x, rows, channels, mean, variance, offset, scale, epsilon, out): parameters of `channels` floats.
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  Args args(env, info, "batchNorm");
  const long rows = args.integer(1, "rows", 0, kMaxFloats), channels = args.integer(2, "channels", 1, kMaxDim);
  const long size = product({rows, channels});
  if (args.ok && size < 0) args.fail(kRangeError, "its sizes overflow (more than 2^40 floats)");
  const float *x = args.floats(0, "x", size);
  const float *mean = args.floats(3, "mean", channels);
  const float *variance = args.floats(4, "variance", channels);
  const float *offset = args.floats(5, "offset", channels);
  const float *scale = args.floats(6, "scale", channels);
  double epsilon = 0;
  if (args.ok && napi_get_value_double(env, args.values[7], &epsilon) != napi_ok)
    args.fail(kTypeError, "expected a number for epsilon");
  float *out = args.floats(8, "out", size);
  if (args.ok)
    args.check(kernelsOf(env)->batchNorm(x, rows, channels, mean, variance, offset, scale,
                                         static_cast<float>(epsilon), out));
  return undefinedValue(env);
}

// maxPoolGrad(geometry, x, dy, dx); the geometry's outC equals inC.
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, "maxPoolGrad");
  ConvGeometry g{};
  const ConvSizes s = args.geometry(0, &g);
  if (args.ok && g.outC != g.inC) args.fail(kRangeError, "pooling keeps the channel count");
  const float *x = args.floats(1, "x", s.in);
  const float *dy = args.floats(2, "dy", s.out);
  float *dx = args.floats(3, "dx", s.in);
  if (args.ok) kernelsOf(env)->maxPoolGrad(g, x, dy, dx);
  return undefinedValue(env);
}

// A batch norm's rows × channels and epsilon, from argument positions i, i + 1 and e; the array size, or -1.
long normShape(Args &args, size_t i, long *rows, long *channels, size_t e, float *epsilon) {
  *rows = args.integer(i, "rows", 1, kMaxFloats);
  *channels = args.integer(i + 1, "channels", 1, kMaxDim);
  const long size = product({*rows, *channels});
  if (args.ok && size < 0) args.fail(kRangeError, "its sizes overflow (more than 2^40 floats)");
  double value = NAN;
  if (args.ok && e < args.count) napi_get_value_double(args.env, args.values[e], &value);
  if (args.ok && !(value > 0 && value < 1)) args.fail(kRangeError, "epsilon must be a number in (0, 1)");
  *epsilon = static_cast<float>(value);
  return args.ok ? size : -1;
}

// batchNormTrain(x, rows, channels, scale, offset, epsilon, relu (0 | 1), y, mean, variance)
napi_value BatchNormTrain(napi_env env, napi_callback_info info) {
  Args args(env, info, "batchNormTrain");
  long rows = 0, channels = 0;
  float epsilon = 0;
  const long size = normShape(args, 1, &rows, &channels, 5, &epsilon);
  const float *x = args.floats(0, "x", size);
  const float *scale = args.floats(3, "scale", channels);
  const float *offset = args.floats(4, "offset", channels);
  const long relu = args.integer(6, "relu", 0, 1);
  float *y = args.floats(7, "y", size);
  float *mean = args.floats(8, "mean", channels);
  float *variance = args.floats(9, "variance", channels);
  if (args.ok)
    args.check(kernelsOf(env)->batchNormTrain(x, rows, channels, scale, offset, epsilon, static_cast<int>(relu), y,
                                              mean, variance));
  return undefinedValue(env);
}

// batchNormTrainGrad(dy, x, y | null, rows, channels, scale, mean, variance, epsilon, dx, dScale, dOffset)
napi_value BatchNormTrainGrad(napi_env env, napi_callback_info info) {
  Args args(env, info, "batchNormTrainGrad");
  long rows = 0, channels = 0;
  float epsilon = 0;
  const long size = normShape(args, 3, &rows, &channels, 8, &epsilon);
  const float *dy = args.floats(0, "dy", size), *x = args.floats(1, "x", size);
  const float *y = args.floats(2, "y", size, true);
  const float *scale = args.floats(5, "scale", channels), *mean = args.floats(6, "mean", channels);
  const float *variance = args.floats(7, "variance", channels);
  float *dx = args.floats(9, "dx", size), *dScale = args.floats(10, "dScale", channels);
  float *dOffset = args.floats(11, "dOffset", channels);
  if (args.ok)
    args.check(kernelsOf(env)->batchNormTrainGrad(dy, x, y, rows, channels, scale, mean, variance, epsilon, dx, dScale,
                                                  dOffset));
  return undefinedValue(env);
}

// tanh(x, y, size)
napi_value Tanh(napi_env env, napi_callback_info info) {
  Args args(env, info, "tanh");
  const long size = args.integer(2, "size", 0, kMaxFloats);
  const float *x = args.floats(0, "x", size);
  float *y = args.floats(1, "y", size);
  if (args.ok) kernelsOf(env)->tanh(x, size, y);
  return undefinedValue(env);
}

// adam(x, m, v, g, size, coefficients: number[8] in AdamCoefficients' order, xOut, mOut, vOut)
napi_value Adam(napi_env env, napi_callback_info info) {
  Args args(env, info, "adam");
  const long size = args.integer(4, "size", 0, kMaxFloats);
  const float *x = args.floats(0, "x", size);
  const float *m = args.floats(1, "m", size);
  const float *v = args.floats(2, "v", size);
  const float *g = args.floats(3, "g", size);
  float *xOut = args.floats(6, "xOut", size);
  float *mOut = args.floats(7, "mOut", size);
  float *vOut = args.floats(8, "vOut", size);
  double coefficients[8];
  if (args.numbers(5, coefficients, 8, "expected 8 Adam coefficients") != 8)
    args.fail(kTypeError, "expected 8 Adam coefficients");
  const AdamCoefficients c{
      static_cast<float>(coefficients[0]), static_cast<float>(coefficients[1]), static_cast<float>(coefficients[2]),
      static_cast<float>(coefficients[3]), static_cast<float>(coefficients[4]), static_cast<float>(coefficients[5]),
      static_cast<float>(coefficients[6]), static_cast<float>(coefficients[7])};
  if (args.ok) kernelsOf(env)->adam(x, m, v, g, size, c, xOut, mOut, vOut);
  return undefinedValue(env);
}

// reduce(x, outer, reduce, inner, mean (0 | 1), out)
napi_value Reduce(napi_env env, napi_callback_info info) {
  Args args(env, info, "reduce");
  const long outer = args.integer(1, "outer", 0, kMaxFloats), reduce = args.integer(2, "reduce", 1, kMaxFloats);
  const long inner = args.integer(3, "inner", 0, kMaxFloats), mean = args.integer(4, "mean", 0, 1);
  const long in = product({outer, reduce, inner}), out = product({outer, inner});
  if (args.ok && in < 0) args.fail(kRangeError, "its sizes overflow (more than 2^40 floats)");
  const float *x = args.floats(0, "x", in);
  float *o = args.floats(5, "out", out);
  if (args.ok) kernelsOf(env)->reduce(x, outer, reduce, inner, mean != 0, o);
  return undefinedValue(env);
}

// tile(x, shape: number[], reps: number[], out)
napi_value Tile(napi_env env, napi_callback_info info) {
  Args args(env, info, "tile");
  long shape[15], reps[15], tiled[8];
  double rankProbe[8];
  const char *what = "expected shape and reps of one rank (at most 8), whole numbers from 1 to 2^31 - 1";
  const uint32_t rank = args.numbers(1, rankProbe, 8, what);
  args.integers(1, shape, rank, 1, what);
  args.integers(2, reps, rank, 1, what);
  for (uint32_t d = 0; args.ok && d < rank; d++) tiled[d] = shape[d] * reps[d];
  const long in = args.ok ? product(shape, rank) : 0, out = args.ok ? product(tiled, rank) : 0;
  if (args.ok && out < 0) args.fail(kRangeError, "its sizes overflow (more than 2^40 floats)");
  const float *x = args.floats(0, "x", in);
  float *o = args.floats(3, "out", out);
  if (args.ok) kernelsOf(env)->tile(x, shape, reps, rank, o);
  return undefinedValue(env);
}

}  // namespace
}  // namespace twinnet

// ---- The addon ------------------------------------------------------------------------------------------------

namespace twinnet {
namespace {

constexpr long kMaxThreads = 4096;

// setThreads(n): threads for the GEMMs issued from the calling thread (OpenMP's setting is per thread).
napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args args(env, info, "setThreads");
  const long n = args.integer(0, "threads", 1, kMaxThreads);
  if (args.ok) omp_set_num_threads(static_cast<int>(n));
  return undefinedValue(env);
}

napi_value strings(napi_env env, const std::vector<const char *> &items) {
  napi_value array;
  napi_create_array_with_length(env, items.size(), &array);
  for (size_t i = 0; i < items.size(); i++) {
    napi_value item;
    napi_create_string_utf8(env, items[i], NAPI_AUTO_LENGTH, &item);
    napi_set_element(env, array, static_cast<uint32_t>(i), item);
  }
  return array;
}

// isa(): { required, routes: [{ name, needs }], cpu }, feature names as __builtin_cpu_supports spells them.
napi_value Isa(napi_env env, napi_callback_info) {
  napi_value out, list;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "required", strings(env, kRequired));
  napi_create_array_with_length(env, routes().size(), &list);
  for (size_t i = 0; i < routes().size(); i++) {
    napi_value route, name;
    napi_create_object(env, &route);
    napi_create_string_utf8(env, routes()[i].name, NAPI_AUTO_LENGTH, &name);
    napi_set_named_property(env, route, "name", name);
    napi_set_named_property(env, route, "needs", strings(env, routes()[i].needs));
    napi_set_element(env, list, static_cast<uint32_t>(i), route);
  }
  napi_set_named_property(env, out, "routes", list);
  napi_set_named_property(env, out, "cpu", strings(env, cpuFeatures()));
  return out;
}

// useRoute(name): runs this instance's kernels on the named route; refuses one this CPU cannot run.
napi_value UseRoute(napi_env env, napi_callback_info info) {
  Args args(env, info, "useRoute");
  char name[32] = "";
  size_t length = 0;
  if (args.count < 1 || napi_get_value_string_utf8(env, args.values[0], name, sizeof name, &length) != napi_ok)
    args.fail(kTypeError, "expected a route name");
  const Route *chosen = nullptr;
  for (const Route &route : routes())
    if (std::strcmp(route.name, name) == 0) chosen = &route;
  if (args.ok && chosen == nullptr) args.fail(kRangeError, "no route named '%s' in this build", name);
  if (args.ok && !runsHere(*chosen)) args.fail(kError, "this CPU cannot run the %s route", name);
  if (args.ok) {
    void *data = nullptr;
    napi_get_instance_data(env, &data);
    static_cast<Instance *>(data)->route = chosen;
  }
  return undefinedValue(env);
}

// describe(): the GEMM library and the route the kernels run on.
napi_value Describe(napi_env env, napi_callback_info) {
  const dnnl_version_t *v = dnnl_version();
  void *data = nullptr;
  napi_get_instance_data(env, &data);
  char text[160];
  snprintf(text, sizeof text, "oneDNN %d.%d.%d sgemm, %s", v->major, v->minor, v->patch,
           static_cast<Instance *>(data)->route->name);
  napi_value out;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out);
  return out;
}

// failNextGemm(status): a test hook; the calling thread's next sgemm returns `status` (a dnnl_status_t, or -1
// for out of memory) without running.
napi_value FailNextGemm(napi_env env, napi_callback_info info) {
  Args args(env, info, "failNextGemm");
  const long status = args.integer(0, "status", kOutOfMemory, dnnl_not_required);
  if (args.ok) injectedStatus = static_cast<Status>(status);
  return undefinedValue(env);
}

// The fastest route this CPU runs; baseline when it lacks even kRequired (the loader then refuses the addon).
const Route *bestRoute() {
  for (const Route &route : routes())
    if (runsHere(route)) return &route;
  return &routes().back();
}

}  // namespace
}  // namespace twinnet

NAPI_MODULE_INIT() {
  using namespace twinnet;
  napi_set_instance_data(
      env, new Instance{bestRoute()}, [](napi_env, void *data, void *) { delete static_cast<Instance *>(data); },
      nullptr);
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
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrain", nullptr, BatchNormTrain, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrainGrad", nullptr, BatchNormTrainGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isa", nullptr, Isa, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"useRoute", nullptr, UseRoute, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"describe", nullptr, Describe, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"failNextGemm", nullptr, FailNextGemm, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
  return exports;
}
