/// <reference types="@webgpu/types" />
/**
 * Opening a WebGPU device under Node: the only module that loads the optional `webgpu`
 * package (Dawn's Node bindings), and only on demand, so every CPU path works without it.
 *
 * Adapter order: a hardware adapter through Dawn's default backends (Vulkan on Linux, Metal,
 * D3D12), then — if allowed — the software adapter: Mesa's llvmpipe through Dawn's OpenGL ES
 * backend, which needs the Dawn option `backend=opengles`, `featureLevel: 'compatibility'`
 * and `EGL_PLATFORM=surfaceless` (no display). EGL reads that variable when Dawn opens the
 * EGL display, i.e. at `requestAdapter`, so setting `process.env` here, after the module is
 * loaded but before the adapter is requested, suffices (Node's env setter calls setenv).
 */

export class GpuUnavailableError extends Error {
  constructor(message: string) {
    super(message.split('\n')[0]);
    this.name = 'GpuUnavailableError';
  }
}

export interface GpuHandle {
  device: GPUDevice;
  /** Adapter name for logs and results, e.g. "llvmpipe (LLVM 19.1.7, 256 bits) (opengles)". */
  adapterName: string;
  /** Dawn backend: 'vulkan', 'opengles', … */
  backend: string;
  /** True for a CPU (software) rasterizer such as llvmpipe or SwiftShader. */
  isSoftware: boolean;
  close(): void;
}

/** The subset of the `webgpu` module used here; tests inject a fake. */
export interface GpuFactory {
  create(flags: string[]): GPU;
}

export interface OpenGpuOptions {
  /** Accept a software adapter when no hardware one is found. */
  allowSoftware: boolean;
  /**
   * Skip the hardware attempt (src/backends.ts: no GPU device nodes, so only the software
   * adapter can exist; Dawn's Vulkan probe would only print "Couldn't load Vulkan" on stderr).
   */
  skipHardware?: boolean;
  /** Testing: a stand-in for the `webgpu` package. */
  factory?: GpuFactory;
}

async function loadFactory(): Promise<GpuFactory> {
  try {
    const mod = (await import('webgpu')) as unknown as { create: (flags: string[]) => GPU };
    return { create: mod.create };
  } catch (e) {
    throw new GpuUnavailableError(`no WebGPU: the optional package 'webgpu' could not be loaded (${(e as Error).message.split('\n')[0]})`);
  }
}

/**
 * Every GPU instance created here stays referenced for the life of the process: dawn.node
 * keeps polling an instance for pending async work (AsyncRunner → ProcessEvents), and an
 * instance collected by the GC meanwhile made that poll abort the process
 * ("std::system_error: Invalid argument"), at random points of later runs.
 */
const liveInstances: GPU[] = [];
function instance(factory: GpuFactory, flags: string[]): GPU {
  const gpu = factory.create(flags);
  liveInstances.push(gpu);
  return gpu;
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|swiftshader|softpipe|software/i;

function describe(adapter: GPUAdapter, backend: string): { adapterName: string; isSoftware: boolean } {
  const info = adapter.info;
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter((s) => s && String(s).length);
  const name = parts.length ? parts.join(' ') : 'unknown adapter';
  const fallback = (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true;
  return { adapterName: `${name} (${backend})`, isSoftware: fallback || SOFTWARE_NAMES.test(name) || backend === 'opengles' };
}

async function hardwareAdapter(factory: GpuFactory): Promise<{ adapter: GPUAdapter; backend: string } | null> {
  const adapter = await instance(factory, []).requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const { isSoftware } = describe(adapter, 'default');
  return isSoftware ? null : { adapter, backend: (adapter.info as { backendType?: string } | undefined)?.backendType ?? 'native' };
}

async function softwareAdapter(factory: GpuFactory): Promise<{ adapter: GPUAdapter; backend: string } | null> {
  if (typeof process !== 'undefined' && !process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
  const adapter = await instance(factory, ['backend=opengles']).requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions);
  return adapter ? { adapter, backend: 'opengles' } : null;
}

/** Limits the batch engine benefits from: as large as the adapter allows. */
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxStorageBuffersPerShaderStage',
] as const;

/** A device with the adapter's own maxima of the limits the SGD engine's buffers and workgroups need. */
export async function requestEngineDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) requiredLimits[k] = adapter.limits[k];
  return adapter.requestDevice({ requiredLimits });
}

/** Open a device: hardware first, then (if `allowSoftware`) the software adapter; else a one-line GpuUnavailableError. */
export async function openGpu(opts: OpenGpuOptions): Promise<GpuHandle> {
  const factory = opts.factory ?? (await loadFactory());
  let found = opts.skipHardware ? null : await hardwareAdapter(factory);
  if (!found && opts.allowSoftware) found = await softwareAdapter(factory);
  if (!found)
    throw new GpuUnavailableError(
      opts.allowSoftware
        ? 'no WebGPU adapter found (neither a hardware GPU nor the software adapter: install libegl-mesa0 libgl1-mesa-dri libegl1)'
        : 'no hardware WebGPU adapter found',
    );
  const { adapter, backend } = found;
  const device = await requestEngineDevice(adapter);
  const { adapterName, isSoftware } = describe(adapter, backend);
  return { device, adapterName, backend, isSoftware, close: () => device.destroy() };
}

/** Whether a hardware GPU adapter is available (for `--backend auto`). Never throws. */
export async function hasHardwareGpu(factory?: GpuFactory): Promise<boolean> {
  try {
    return (await hardwareAdapter(factory ?? (await loadFactory()))) !== null;
  } catch {
    return false;
  }
}
