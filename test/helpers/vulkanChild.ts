/**
 * Child process of test/gpu-vulkan.test.ts: the WebGPU engine on Dawn's Vulkan backend over
 * Mesa's lavapipe. It runs in its own process because the Vulkan loader and lavapipe's libdrm
 * come from .cache/lavapipe through LD_LIBRARY_PATH, which the dynamic linker reads only at
 * process start. Prints one JSON line with what the test asserts.
 */
import { create } from 'webgpu';
import { validateConfig, type RunConfig } from '../../src/config.ts';
import { initialWeights, runSgdBatchDetailed } from '../../src/gpu/engine.ts';
import { ReferenceSgd } from '../../src/gpu/reference.ts';

const gpu = create(['backend=vulkan']);
const adapter = await gpu.requestAdapter();
if (!adapter) {
  console.log(JSON.stringify({ adapter: null }));
  process.exit(0);
}
const info = adapter.info;
const requiredLimits: Record<string, number> = {};
for (const k of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxStorageBuffersPerShaderStage'] as const)
  requiredLimits[k] = adapter.limits[k];
const device = await adapter.requestDevice({ requiredLimits });

const relDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0, n = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; n += b[i] ** 2; }
  return Math.sqrt(d / n);
};
const cfg = (o: Record<string, unknown>): RunConfig => validateConfig({ recordScale: 'linear', recordEvery: 1, studentScale: 0.3, ...o });

/** Max relative differences of W and v between each GPU run and the f64 reference on the same random numbers. */
async function vsReference(configs: RunConfig[], shaderTransform?: (s: string) => string) {
  const d = await runSgdBatchDetailed(device, configs, shaderTransform ? { shaderTransform } : {});
  let w = 0, v = 0;
  configs.forEach((c, r) => {
    const ref = new ReferenceSgd(c, initialWeights(c));
    ref.runTo(Math.round(c.tMax * c.N));
    w = Math.max(w, relDiff(d.weights[r], ref.state.W));
    v = Math.max(v, relDiff(d.results[r].trajectory.v.at(-1)!, ref.state.v));
  });
  return { w, v, statuses: d.results.map((r) => r.status) };
}

/**
 * WGSL's rule: a `var` declared in a loop body is zero-initialised on every iteration. The
 * issue reports Dawn's Vulkan path zeroing it once. This probe shows what this backend does.
 */
// WebGPU spec constants (the GPUBufferUsage/GPUMapMode globals are absent under Node).
const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, STORAGE: 0x80 } as const;
const MAP_READ = 0x1;

async function loopVarProbe(): Promise<number[]> {
  const code = `
@group(0) @binding(0) var<storage, read_write> out: array<f32, 4>;
@compute @workgroup_size(1) fn main() {
  for (var i = 0u; i < 4u; i++) {
    var acc: f32;
    acc += 1.0;
    out[i] = acc;
  }
}`;
  const module = device.createShaderModule({ code });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const buf = device.createBuffer({ size: 16, usage: USAGE.STORAGE | USAGE.COPY_SRC });
  const read = device.createBuffer({ size: 16, usage: USAGE.MAP_READ | USAGE.COPY_DST });
  const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bind);
  pass.dispatchWorkgroups(1);
  pass.end();
  enc.copyBufferToBuffer(buf, 0, read, 0, 16);
  device.queue.submit([enc.finish()]);
  await read.mapAsync(MAP_READ);
  const out = Array.from(new Float32Array(read.getMappedRange().slice(0)));
  read.unmap();
  return out;
}

const soft = [0, 1, 2].map((seed) => cfg({ model: 'soft-committee', N: 101, K: 3, M: 2, lr: 0.8, sigma: 0.3, batchSize: 4, tMax: 2, seed }));
const twoLayer = [0, 1, 2].map((seed) => cfg({ model: 'two-layer', N: 100, K: 3, M: 2, lr: 0.5, sigma: 0.2, batchSize: 4, tMax: 2, studentVScale: 0.5, seed }));
const frozen = [4, 5].map((seed) => cfg({ model: 'two-layer', N: 100, K: 2, M: 3, lr: 1, sigma: 0.5, batchSize: 1, tMax: 2, studentVScale: 0.7, trainSecondLayer: false, seed }));
const trap = [cfg({ model: 'two-layer', N: 64, K: 2, M: 2, batchSize: 2, tMax: 1, studentVScale: 0.5, seed: 1 })];
const first = await runSgdBatchDetailed(device, twoLayer);
const again = await runSgdBatchDetailed(device, twoLayer);

console.log(
  JSON.stringify({
    adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description },
    softCommittee: await vsReference(soft),
    twoLayer: await vsReference(twoLayer),
    frozenV: await vsReference(frozen),
    trapBroken: await vsReference(trap, (s) => s.replace('for (var k = 0u; k < K; k++) { dv[k] = 0.0; }', '')),
    deterministic: JSON.stringify(first.results) === JSON.stringify(again.results),
    loopVarProbe: await loopVarProbe(),
  }),
);
device.destroy();
process.exit(0);
