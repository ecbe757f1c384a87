/**
 * Choosing and opening a backend: `--backend auto|cpu|webgpu` resolved to one of the backends of
 * the engine table (src/engineBackends.ts), and the GPU opened only when a run needs it.
 *
 * - `cpu`: the TypeScript engines (src/engines.ts), one run per worker process.
 * - `webgpu`: online SGD only, many runs at once in compatible batches (src/gpu), in the
 *   orchestrating process. Its random stream (Philox) differs from the CPU engine's, so its
 *   runs have their own cache keys, whose code digest covers the GPU engine's code.
 *
 * `auto` picks webgpu when a hardware GPU is found, else cpu. The probe first looks for GPU
 * device nodes and the Vulkan loader (`mayHaveHardwareGpu`): on Linux without them no hardware
 * adapter can exist, so Dawn (dawn.node, 20–95 ms and a "Couldn't load Vulkan" warning on
 * stderr) is not loaded at all.
 */
import { UsageError } from './errors.ts';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BACKEND_NAMES, backendRuns, computedBy, type Backend, type EngineName, type GpuSession } from './engineBackends.ts';

export type { Backend, GpuSession };

export const BACKEND_CHOICES = ['auto', ...BACKEND_NAMES] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export function isBackendChoice(x: unknown): x is BackendChoice {
  return typeof x === 'string' && (BACKEND_CHOICES as readonly string[]).includes(x);
}

/**
 * Env TSDYN_NO_GPU=1: behave as if no WebGPU adapter existed (auto → cpu, webgpu → the
 * one-line "no adapter" error). For tests and for users who want the CPU whatever `auto` finds.
 */
export function gpuDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.TSDYN_NO_GPU && env.TSDYN_NO_GPU !== '0';
}

/**
 * Cheap pre-check before loading Dawn: false when no hardware GPU can be found. On Linux Dawn
 * reaches hardware only through Vulkan, so it needs both a GPU device node (/dev/dri/* for
 * Mesa, AMD, Intel; /dev/nvidia*; /dev/dxg under WSL) and the Vulkan loader (libvulkan.so.1:
 * without it Dawn only prints "Couldn't load Vulkan" on stderr). Other platforms are always
 * probed. A loader outside the usual folders and LD_LIBRARY_PATH is missed: `auto` then
 * picks cpu, and `--backend webgpu` still finds the GPU.
 */
export function mayHaveHardwareGpu(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform !== 'linux') return true;
  let nodes: boolean;
  try {
    nodes = existsSync('/dev/dri') || existsSync('/dev/dxg') || readdirSync('/dev').some((f) => f.startsWith('nvidia'));
  } catch {
    nodes = true;
  }
  return nodes && hasVulkanLoader(env);
}

const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/lib64', '/lib', '/usr/local/lib', '/usr/lib/wsl/lib'];

function hasVulkanLoader(env: NodeJS.ProcessEnv): boolean {
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LIB_DIRS];
  return dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

export type ResolvedBackend = { backend: 'cpu' } | { backend: 'webgpu'; gpu: GpuSession };

/** No WebGPU adapter where one was asked for: a problem the user fixes (one line, exit 1). */
export class NoGpuError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'NoGpuError';
  }
}

/**
 * Resolve a choice to a backend, opening the GPU when it is webgpu. `webgpu` accepts the
 * software adapter (llvmpipe); `auto` only a hardware GPU. `engines`: what will run; when
 * webgpu runs none of them, `auto` is cpu without probing.
 */
export async function resolveBackend(choice: BackendChoice, engines: readonly EngineName[] = ['sgd']): Promise<ResolvedBackend> {
  if (choice === 'cpu') return { backend: 'cpu' };
  if (choice === 'auto' && (gpuDisabled() || !mayHaveHardwareGpu() || !engines.some((e) => backendRuns('webgpu', e)))) return { backend: 'cpu' };
  if (gpuDisabled()) throw new NoGpuError('--backend webgpu: no WebGPU adapter found (TSDYN_NO_GPU is set)');
  const { openGpu, GpuUnavailableError } = await import('./gpu/node.ts');
  try {
    const gpu = await openGpu({ allowSoftware: choice === 'webgpu', skipHardware: !mayHaveHardwareGpu() });
    return { backend: 'webgpu', gpu };
  } catch (e) {
    if (!(e instanceof GpuUnavailableError)) throw e;
    if (choice === 'auto') return { backend: 'cpu' };
    throw new NoGpuError(`--backend webgpu: ${e.message}`);
  }
}

/** The label snapshots, captions and cache entries carry: 'cpu' or 'webgpu: <adapter name>'. */
export function backendLabel(resolved: ResolvedBackend): string {
  return resolved.backend === 'cpu' ? 'cpu' : computedBy(resolved.backend, resolved.gpu);
}

/**
 * A study's backend with the GPU opened only when a run must be computed on it: a rerun whose
 * webgpu runs are all cached (or imported from a remote batch) needs no adapter. `auto` probes
 * at once (it must know where runs go to key them).
 */
export interface BackendSession {
  backend: Backend;
  gpu(): Promise<GpuSession>;
  close(): void;
}

/** The cpu backend as a session (nothing to open). */
export const CPU_SESSION: BackendSession = {
  backend: 'cpu',
  gpu: () => Promise.reject(new Error('backend session: no GPU on the cpu backend')),
  close: () => undefined,
};

export async function openBackendSession(choice: BackendChoice, engines: readonly EngineName[]): Promise<BackendSession> {
  if (choice === 'webgpu' && gpuDisabled()) throw new NoGpuError('--backend webgpu: no WebGPU adapter found (TSDYN_NO_GPU is set)');
  let opened: Promise<ResolvedBackend> | null = choice === 'webgpu' ? null : resolveBackend(choice, engines);
  const backend: Backend = opened ? (await opened).backend : 'webgpu';
  return {
    backend,
    async gpu() {
      opened ??= resolveBackend('webgpu', engines);
      const r = await opened;
      if (r.backend !== 'webgpu') throw new Error('backend session: no GPU on the cpu backend');
      return r.gpu;
    },
    close() {
      void opened?.then((r) => r.backend === 'webgpu' && r.gpu.close(), () => undefined);
    },
  };
}
