/**
 * What the WebGPU SGD engine (engine.ts, wgsl.ts) can run, checked before any GPU work so a
 * run it cannot hold is one line naming the config field instead of a
 * WGSL compile error or an exception in the middle of a batch. Pure: the shader layout comes
 * from wgsl.ts (the same functions the engine uses), nothing is compiled.
 *
 * Two stages: `gpuRunProblem(config)` holds on any device (the engine's 32-bit step counter,
 * Tint's array-size rule, the test-set ε_g it does not compute), so it runs before a GPU is
 * even opened; `gpuDeviceProblem(config, device)` adds the limits of the opened device (threads
 * per workgroup, workgroup memory, storage bindings, and the OpenGL ES backend's per-variable
 * cap), checked after opening and before the first dispatch.
 */
import type { RunConfig } from '../config.ts';
import { gpuConfigProblem } from './engine.ts';
import { defaultThreadsPerRun, shaderLayout } from './wgsl.ts';

export interface GpuProblem {
  /** The config field that drives it (named in the error). */
  field: keyof RunConfig;
  message: string;
}

/** The engine counts steps in a u32 and stops one short of 2³² − 1 (engine.ts, runBatch). */
export const GPU_MAX_STEPS = 2 ** 32 - 2;
/** Tint (Dawn's WGSL compiler, every backend): an array in the function address space has < 65536 elements. */
export const WGSL_MAX_ARRAY_ELEMENTS = 65535;
/** Dawn's GLSL writer (the OpenGL ES backend, e.g. the llvmpipe software adapter): one variable ≤ 65536 bytes. */
export const GLSL_MAX_VARIABLE_BYTES = 65536;
/** The engine's own cap on threads per run (wgsl.ts defaultThreadsPerRun), and WebGPU's guaranteed minimum. */
const ENGINE_MAX_THREADS = 256;

/** The per-thread arrays of the shader (generateSgdShader), in elements and bytes, with the field that sizes each. */
function privateArrays(config: RunConfig, threadsPerRun: number): { name: string; elements: number; bytes: number; field: keyof RunConfig }[] {
  const { N, K, M, batchSize: B } = config;
  const L = shaderLayout({ N, K, M, threadsPerRun });
  const chunks = Math.ceil(L.pairs / L.fields);
  return [
    { name: 'weights (w)', elements: L.bpt * L.fields, bytes: 16 * L.bpt * L.fields, field: N >= K + M ? 'N' : 'K' },
    { name: 'inputs (xs)', elements: B * L.bpt, bytes: 16 * B * L.bpt, field: B > 1 ? 'batchSize' : 'N' },
    { name: 'record partial sums (part)', elements: chunks * L.fields, bytes: 4 * chunks * L.fields, field: 'K' },
    { name: 'batch coefficients (cs)', elements: B * K, bytes: 4 * B * K, field: B > K ? 'batchSize' : 'K' },
  ];
}

/** A problem any WebGPU device would have with this config, or null. */
export function gpuRunProblem(config: RunConfig): GpuProblem | null {
  const unsupported = gpuConfigProblem(config);
  if (unsupported) {
    const [field, ...rest] = unsupported.split(': ');
    return { field: field as keyof RunConfig, message: rest.join(': ') };
  }
  const steps = Math.round(config.tMax * config.N);
  if (steps > GPU_MAX_STEPS) {
    return { field: 'tMax', message: `tMax·N = ${steps.toPrecision(3)} steps, over the ${GPU_MAX_STEPS} the WebGPU engine counts (32-bit step counter); use the cpu backend or a smaller tMax` };
  }
  const tpr = defaultThreadsPerRun(config.N, config.K, config.M, ENGINE_MAX_THREADS);
  for (const a of privateArrays(config, tpr)) {
    if (a.elements > WGSL_MAX_ARRAY_ELEMENTS) {
      return { field: a.field, message: `the WebGPU shader would hold ${a.elements} elements of ${a.name} per thread, over WGSL's ${WGSL_MAX_ARRAY_ELEMENTS}; use the cpu backend` };
    }
  }
  return null;
}

/** The limits of an opened device that the engine's shader and buffers must fit. */
export interface GpuDeviceLimits {
  maxComputeWorkgroupSizeX: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupStorageSize: number;
  maxStorageBufferBindingSize: number;
}

/**
 * A problem this device has with this config (as one run; batches are split by the engine),
 * or null. `backend` is Dawn's backend name: 'opengles' adds the GLSL variable cap.
 */
export function gpuDeviceProblem(config: RunConfig, limits: GpuDeviceLimits, backend: string): GpuProblem | null {
  const general = gpuRunProblem(config);
  if (general) return general;
  const maxThreads = Math.min(limits.maxComputeWorkgroupSizeX, limits.maxComputeInvocationsPerWorkgroup);
  const tpr = defaultThreadsPerRun(config.N, config.K, config.M, maxThreads);
  const L = shaderLayout({ N: config.N, K: config.K, M: config.M, threadsPerRun: tpr });
  if (backend === 'opengles') {
    for (const a of privateArrays(config, tpr)) {
      if (a.bytes > GLSL_MAX_VARIABLE_BYTES) {
        return { field: a.field, message: `the WebGPU shader would hold ${a.bytes} bytes of ${a.name} per thread, over the ${GLSL_MAX_VARIABLE_BYTES} this adapter's OpenGL ES backend allows; use the cpu backend` };
      }
    }
  }
  const workgroupBytes = 4 * L.fields * tpr;
  if (workgroupBytes > limits.maxComputeWorkgroupStorageSize) {
    return { field: 'K', message: `the WebGPU shader would need ${workgroupBytes} bytes of workgroup memory (K+M = ${L.fields} rows × ${tpr} threads), over this device's ${limits.maxComputeWorkgroupStorageSize}; use the cpu backend` };
  }
  const weightBytes = 16 * L.fields * L.paddedBlocks;
  if (weightBytes > limits.maxStorageBufferBindingSize) {
    return { field: config.N >= config.K + config.M ? 'N' : 'K', message: `one run's weights take ${weightBytes} bytes on the GPU, over this device's storage binding limit ${limits.maxStorageBufferBindingSize}; use the cpu backend` };
  }
  return null;
}
