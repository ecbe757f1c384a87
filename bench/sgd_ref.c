/*
 * Native reference for the tsdyn SGD benchmark: the same algorithm as src/sim/sgd.ts.
 *
 *   - xoshiro128** (Blackman & Vigna 2018), 32-bit outputs
 *   - ziggurat Gaussian (Marsaglia & Tsang 2000), 256 layers, tables computed at start-up
 *     in double exactly as src/sim/random.ts (bisection for r, continued-fraction tail),
 *     layer from the low 8 bits, signed 24-bit abscissa from the high 24 bits, exp-free
 *     wedge bounds, Marsaglia's tail
 *   - the activation g, fixed at compile time like K and M (-DACT=0 erf, 1 linear, 2 relu; the
 *     entries of src/activations/registry.ts): erf(u/sqrt 2) by Cody's ANORM rational
 *     approximations (as src/activations/erf.ts), u, or max(0, u) with g'(0) = 0
 *   - W and W* interleaved (N blocks of K + M), all fields in one sweep, the B = 1 update
 *     deferred and fused into the next step's sweep (as kernels.ts); K and M are compile-time
 *     constants so the row loops unroll (and vectorise across rows)
 *   - B = 1, sigma = 0 (what the benchmark runs)
 *
 * Build: gcc -O3 -march=native -DK_UNITS=4 -DM_UNITS=4 -DACT=2 -o bench/sgd_ref_k4m4_relu bench/sgd_ref.c -lm
 * Usage: sgd_ref WEIGHTS.bin STEPS LR TRAIN_V SEED
 *   WEIGHTS.bin: int32 N, K, M, then float64 W (K*N), Wt (M*N), v (K), vTeacher (M), little endian.
 * Prints one JSON line: {"steps":…, "seconds":…, "stepsPerSecond":…, "eg0":…, "eg":…, "act":…}
 * (eg = noise-free generalization error from the order parameters after the run, by the
 * activation's closed-form I2; act = the compiled activation's name).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- xoshiro128** */
static uint32_t s0, s1, s2, s3;

static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static inline uint32_t next_u32(void) {
  const uint32_t result = rotl(s1 * 5, 7) * 9;
  const uint32_t t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return result;
}

static inline double next_double(void) {
  uint32_t hi = next_u32() >> 5, lo = next_u32() >> 6;
  return ((double)hi * 67108864.0 + (double)lo) * (1.0 / 9007199254740992.0);
}

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static void seed_rng(uint64_t seed) {
  uint64_t a = splitmix64(&seed), b = splitmix64(&seed);
  s0 = (uint32_t)a;
  s1 = (uint32_t)(a >> 32);
  s2 = (uint32_t)b;
  s3 = (uint32_t)(b >> 32);
  if ((s0 | s1 | s2 | s3) == 0) s0 = 1;
}

/* ---------------------------------------------------------------- ziggurat */
#define LAYERS 256
#define HALF_RANGE 8388608.0
static double ZX[LAYERS + 1], ZF[LAYERS + 1], ZK[LAYERS], ZW[LAYERS], ZR, ZV;

static double fdens(double x) { return exp(-0.5 * x * x); }

static double tail_integral(double r) {
  double cf = r;
  for (int n = 400; n >= 1; n--) cf = r + n / cf;
  return fdens(r) / cf;
}

static double zig_residual(double r, double *xs) {
  double v = r * fdens(r) + tail_integral(r), x = r;
  if (xs) {
    xs[0] = v / fdens(r);
    xs[1] = r;
  }
  for (int i = 1; i < LAYERS - 1; i++) {
    double y = fdens(x) + v / x;
    if (y >= 1) return 1;
    x = sqrt(-2 * log(y));
    if (xs) xs[i + 1] = x;
  }
  return fdens(x) + v / x - 1;
}

static void zig_init(void) {
  double lo = 3, hi = 4.5;
  for (int it = 0; it < 200 && hi - lo > 0; it++) {
    double mid = 0.5 * (lo + hi);
    if (mid == lo || mid == hi) break;
    if (zig_residual(mid, NULL) > 0) lo = mid;
    else hi = mid;
  }
  ZR = hi;
  zig_residual(ZR, ZX);
  ZX[LAYERS] = 0;
  ZV = ZR * fdens(ZR) + tail_integral(ZR);
  for (int i = 0; i <= LAYERS; i++) ZF[i] = fdens(ZX[i]);
  for (int i = 0; i < LAYERS; i++) {
    ZK[i] = HALF_RANGE * ZX[i + 1] / ZX[i];
    ZW[i] = ZX[i] / HALF_RANGE;
  }
}

__attribute__((noinline, cold)) static double zig_slow(int i, double u) {
  const double EPS = 1e-15;
  for (;;) {
    if (fabs(u) < ZK[i]) return u * ZW[i];
    if (i == 0) {
      double a, b;
      do {
        a = -log(1 - next_double()) / ZR;
        b = -log(1 - next_double());
      } while (b + b < a * a);
      return u < 0 ? -(ZR + a) : ZR + a;
    }
    double z = u * ZW[i];
    uint32_t r = next_u32();
    double fLo = ZF[i], fHi = ZF[i + 1];
    double y = fLo + ((double)r + 0.5) * (1.0 / 4294967296.0) * (fHi - fLo);
    double xn = ZX[i + 1], d = 0.5 * (z - xn) * (z + xn);
    if (y < fHi * (1 - d) * (1 - EPS)) return z;
    if (!(y > fHi * (1 - d + 0.5 * d * d) * (1 + EPS)) && y < fdens(z)) return z;
    int32_t w = (int32_t)next_u32();
    i = w & 255;
    u = (double)(w >> 8) + 0.5;
  }
}

/* Bulk fill with the generator state in registers; the state goes back to the globals only
 * around the (rare, ~1.5%) slow path, as in random.ts. */
static void fill_gaussian(double *out, int n) {
  uint32_t a = s0, b = s1, c = s2, d = s3;
  for (int j = 0; j < n; j++) {
    const int32_t r = (int32_t)(rotl(b * 5, 7) * 9);
    const uint32_t t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    const int i = r & 255;
    const double u = (double)(r >> 8) + 0.5;
    if (__builtin_expect(fabs(u) < ZK[i], 1)) out[j] = u * ZW[i];
    else {
      s0 = a;
      s1 = b;
      s2 = c;
      s3 = d;
      out[j] = zig_slow(i, u);
      a = s0;
      b = s1;
      c = s2;
      d = s3;
    }
  }
  s0 = a;
  s1 = b;
  s2 = c;
  s3 = d;
}

/* ---------------------------------------------------------------- activation (Cody ANORM) */
__attribute__((unused)) static double g_given_exp(double u, double e) {
  double y = fabs(u);
  if (y <= 0.66291) {
    double s = u * u;
    double num = (((0.065682337918207449113 * s + 2.2352520354606839287) * s + 161.02823106855587881) * s +
                  1067.6894854603709582) * s + 18154.981253343561249;
    double den = (((s + 47.20258190468824187) * s + 976.09855173777669322) * s + 10260.932208618978205) * s +
                 45507.789335026729956;
    return 2 * u * num / den;
  }
  double f;
  if (y <= 5.656854249492380195) {
    double num = (((((((1.0765576773720192317e-8 * y + 0.39894151208813466764) * y + 8.8831497943883759412) * y +
                      93.506656132177855979) * y + 597.27027639480026226) * y + 2494.5375852903726711) * y +
                   6848.1904505362823326) * y + 11602.651437647350124) * y + 9842.7148383839780218;
    double den = (((((((y + 22.266688044328115691) * y + 235.38790178262499861) * y + 1519.377599407554805) * y +
                     6485.558298266760755) * y + 18615.571640885098091) * y + 34900.952721145977266) * y +
                  38912.003286093271411) * y + 19685.429676859990727;
    f = num / den;
  } else {
    double s = 1 / (y * y);
    double num = ((((0.02307344176494017303 * s + 0.21589853405795699) * s + 0.1274011611602473639) * s +
                   0.022235277870649807) * s + 0.001421619193227893466) * s + 2.9112874951168792e-5;
    double den = ((((s + 1.28426009614491121) * s + 0.468238212480865118) * s + 0.0659881378689285515) * s +
                  0.00378239633202758244) * s + 7.29751555083966205e-5;
    f = (0.3989422804014327 - s * num / den) / y;
  }
  double t = 2 * e * f;
  return u > 0 ? 1 - t : t - 1;
}

#ifndef ACT
#define ACT 0
#endif
#if ACT == 0
#define ACT_NAME "erf"
static inline double g_act(double u) { return g_given_exp(u, exp(-0.5 * u * u)); }
/* g and g' of a student field; erf shares one exp between them (as gWithPrime in erf.ts). */
static inline double g_with_prime(double u, double *gp) {
  const double e = exp(-0.5 * u * u);
  *gp = sqrt(2 / M_PI) * e; /* g'(u) = sqrt(2/pi) e^{-u^2/2}; gcc folds the constant */
  return g_given_exp(u, e);
}
/* I2 = (2/pi) asin(C_ab / sqrt((1 + C_aa)(1 + C_bb))) (Saad & Solla 1995) */
static double i2_act(double caa, double cbb, double cab) { return (2 / M_PI) * asin(cab / sqrt((1 + caa) * (1 + cbb))); }
#elif ACT == 1
#define ACT_NAME "linear"
static inline double g_act(double u) { return u; }
static inline double g_with_prime(double u, double *gp) {
  *gp = 1;
  return u;
}
static double i2_act(double caa, double cbb, double cab) {
  (void)caa;
  (void)cbb;
  return cab;
}
#elif ACT == 2
#define ACT_NAME "relu"
static inline double g_act(double u) { return u > 0 ? u : 0; }
static inline double g_with_prime(double u, double *gp) {
  *gp = u > 0 ? 1 : 0;
  return u > 0 ? u : 0;
}
/* the arc-cosine kernel sigma_a sigma_b (r (pi - acos r) + sqrt(1 - r^2)) / (2 pi) (src/activations/relu.ts) */
static double i2_act(double caa, double cbb, double cab) {
  if (!(caa > 0) || !(cbb > 0)) return 0;
  const double s = sqrt(caa * cbb);
  double r = cab / s;
  r = r > 1 ? 1 : r < -1 ? -1 : r;
  return s * (r * (M_PI - acos(r)) + sqrt((1 - r) * (1 + r))) / (2 * M_PI);
}
#else
#error "ACT must be 0 (erf), 1 (linear) or 2 (relu)"
#endif

/* ---------------------------------------------------------------- field kernels
 * Interleaved layout as kernels.ts: m has N blocks of L = K + M numbers (student rows, then
 * teacher rows). K and M are compile-time constants (-DK_UNITS, -DM_UNITS), so the row loops
 * unroll and the accumulators live in registers; gcc vectorises across the rows of a block
 * (each accumulator still sums over j in order, so no reassociation is needed). */
#ifndef K_UNITS
#define K_UNITS 4
#endif
#ifndef M_UNITS
#define M_UNITS 4
#endif
#define KU K_UNITS
#define MU M_UNITS
#define LU (KU + MU)

/* W_k += c_k xp (pending update), then lam = scale W x, rho = scale W* x, one sweep */
static void update_fields(double *restrict m, int N, const double *restrict x, const double *restrict xp, const double *restrict c,
                          double scale, double *restrict lam, double *restrict rho) {
  double a[KU] = {0}, b[MU] = {0};
  for (int j = 0; j < N; j++) {
    double *blk = m + (size_t)j * LU;
    const double z = x[j], p = xp[j];
    for (int k = 0; k < KU; k++) {
      const double w = blk[k] + c[k] * p;
      blk[k] = w;
      a[k] += w * z;
    }
    for (int q = 0; q < MU; q++) b[q] += blk[KU + q] * z;
  }
  for (int k = 0; k < KU; k++) lam[k] = a[k] * scale;
  for (int q = 0; q < MU; q++) rho[q] = b[q] * scale;
}

static void fields(const double *restrict m, int N, const double *restrict x, double scale, double *restrict lam, double *restrict rho) {
  double a[KU] = {0}, b[MU] = {0};
  for (int j = 0; j < N; j++) {
    const double *blk = m + (size_t)j * LU;
    const double z = x[j];
    for (int k = 0; k < KU; k++) a[k] += blk[k] * z;
    for (int q = 0; q < MU; q++) b[q] += blk[KU + q] * z;
  }
  for (int k = 0; k < KU; k++) lam[k] = a[k] * scale;
  for (int q = 0; q < MU; q++) rho[q] = b[q] * scale;
}

static void update(double *restrict m, int N, const double *restrict xp, const double *restrict c) {
  for (int j = 0; j < N; j++) {
    double *blk = m + (size_t)j * LU;
    for (int k = 0; k < KU; k++) blk[k] += c[k] * xp[j];
  }
}

/* ---------------------------------------------------------------- generalization error */
static double eg_closed_form(int N, int K, int M, const double *W, const double *Wt, const double *v, const double *vt) {
  int L = K + M;
  double *C = calloc((size_t)L * L, sizeof(double)), *a = malloc(sizeof(double) * L);
  for (int p = 0; p < L; p++) {
    const double *rp = p < K ? W + (size_t)p * N : Wt + (size_t)(p - K) * N;
    a[p] = p < K ? -v[p] : vt[p - K];
    for (int q = 0; q <= p; q++) {
      const double *rq = q < K ? W + (size_t)q * N : Wt + (size_t)(q - K) * N;
      double s = 0;
      for (int j = 0; j < N; j++) s += rp[j] * rq[j];
      C[p * L + q] = C[q * L + p] = s / N;
    }
  }
  double s = 0;
  for (int p = 0; p < L; p++)
    for (int q = 0; q < L; q++) s += a[p] * a[q] * i2_act(C[p * L + p], C[q * L + q], C[p * L + q]);
  free(C);
  free(a);
  return 0.5 * s;
}

int main(int argc, char **argv) {
  if (argc != 6 && !(argc == 7 && strcmp(argv[6], "fill") == 0)) {
    fprintf(stderr, "usage: %s WEIGHTS.bin STEPS LR TRAIN_V SEED [fill]\n", argv[0]);
    return 2;
  }
  FILE *fp = fopen(argv[1], "rb");
  if (!fp) {
    perror(argv[1]);
    return 1;
  }
  int32_t hdr[3];
  if (fread(hdr, sizeof(int32_t), 3, fp) != 3) return 1;
  const int N = hdr[0], K = hdr[1], M = hdr[2];
  if (K != KU || M != MU) {
    fprintf(stderr, "weights have K=%d M=%d but this binary was compiled for K=%d M=%d\n", K, M, KU, MU);
    return 2;
  }
  double *W = malloc(sizeof(double) * K * N), *Wt = malloc(sizeof(double) * M * N);
  double *v = malloc(sizeof(double) * K), *vt = malloc(sizeof(double) * M);
  if (fread(W, sizeof(double), (size_t)K * N, fp) != (size_t)K * N || fread(Wt, sizeof(double), (size_t)M * N, fp) != (size_t)M * N ||
      fread(v, sizeof(double), K, fp) != (size_t)K || fread(vt, sizeof(double), M, fp) != (size_t)M) {
    fprintf(stderr, "short weights file\n");
    return 1;
  }
  fclose(fp);
  const long steps = atol(argv[2]);
  const double lr = atof(argv[3]);
  const int trainV = atoi(argv[4]);
  seed_rng((uint64_t)strtoull(argv[5], NULL, 10));
  zig_init();

  double *m = aligned_alloc(64, ((sizeof(double) * (size_t)N * LU + 63) / 64) * 64);
  for (int j = 0; j < N; j++) {
    for (int k = 0; k < KU; k++) m[(size_t)j * LU + k] = W[(size_t)k * N + j];
    for (int q = 0; q < MU; q++) m[(size_t)j * LU + KU + q] = Wt[(size_t)q * N + j];
  }
  if (argc == 7) {
    /* Profile mode: only the STEPS Gaussian fills of N draws a run makes, timed the same way. */
    double *xf = aligned_alloc(64, ((sizeof(double) * (size_t)N + 63) / 64) * 64);
    double sink = 0;
    struct timespec f0, f1;
    clock_gettime(CLOCK_MONOTONIC, &f0);
    for (long s = 0; s < steps; s++) {
      fill_gaussian(xf, N);
      sink += xf[s % N];
    }
    clock_gettime(CLOCK_MONOTONIC, &f1);
    const double fs = (double)(f1.tv_sec - f0.tv_sec) + 1e-9 * (double)(f1.tv_nsec - f0.tv_nsec);
    printf("{\"fills\":%ld,\"seconds\":%.9g,\"fillsPerSecond\":%.9g,\"sink\":%.17g}\n", steps, fs, steps / fs, sink);
    return 0;
  }
  const double invSqrtN = 1 / sqrt((double)N), wScale = lr * invSqrtN, vScale = lr / N;
  double *xa = aligned_alloc(64, ((sizeof(double) * (size_t)N + 63) / 64) * 64);
  double *xb = aligned_alloc(64, ((sizeof(double) * (size_t)N + 63) / 64) * 64);
  double lam[KU], rho[MU], gp[KU], gl[KU], coef[KU];
  const double eg0 = eg_closed_form(N, K, M, W, Wt, v, vt);

  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int pending = 0;
  double *x = xa, *xprev = xb;
  for (long s = 0; s < steps; s++) {
    fill_gaussian(x, N);
    if (pending) update_fields(m, N, x, xprev, coef, invSqrtN, lam, rho);
    else fields(m, N, x, invSqrtN, lam, rho);
    double delta = 0;
    for (int q = 0; q < MU; q++) delta += vt[q] * g_act(rho[q]);
    for (int k = 0; k < KU; k++) {
      gl[k] = g_with_prime(lam[k], &gp[k]);
      delta -= v[k] * gl[k];
    }
    for (int k = 0; k < KU; k++) coef[k] = wScale * v[k] * gp[k] * delta;
    if (trainV)
      for (int k = 0; k < KU; k++) v[k] += vScale * (gl[k] * delta);
    double *tmp = x;
    x = xprev;
    xprev = tmp;
    pending = 1;
  }
  if (pending) update(m, N, xprev, coef);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  const double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  for (int j = 0; j < N; j++)
    for (int k = 0; k < KU; k++) W[(size_t)k * N + j] = m[(size_t)j * LU + k];
  const double eg = eg_closed_form(N, K, M, W, Wt, v, vt);
  printf("{\"steps\":%ld,\"seconds\":%.9g,\"stepsPerSecond\":%.9g,\"eg0\":%.17g,\"eg\":%.17g,\"zigR\":%.17g,\"act\":\"%s\"}\n", steps,
         secs, steps / secs, eg0, eg, ZR, ACT_NAME);
  return 0;
}
