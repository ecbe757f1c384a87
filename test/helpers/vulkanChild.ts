/**
 * Child process of test/gpu-vulkan.test.ts: the WebGPU engine on Dawn's Vulkan backend over
 * Mesa's lavapipe. It runs in its own process because the Vulkan loader and lavapipe's libdrm
 * come from .cache/lavapipe through LD_LIBRARY_PATH, which the dynamic linker reads only at
 * process start. Prints one JSON line with what the test asserts. The checks are the software
 * adapter's (test/helpers/gpuReference.ts: every activation, the two-teacher schedule with one
 * head and with one per teacher), on the backend a Linux GPU uses.
 */
import { create } from 'webgpu';
import { runSgdBatchDetailed } from '../../src/gpu/engine.ts';
import { requestEngineDevice } from '../../src/gpu/node.ts';
import { ACTIVATION_NAMES } from '../../src/activations/registry.ts';
import { ACTIVATION_CASES, REFERENCE_CASES, SCHEDULE_CASES, TRAP_CASE, vsReference, withoutDvReset } from './gpuReference.ts';

// openGpu would refuse lavapipe (a software adapter) on its hardware path and take OpenGL ES
// for software: this child asks Dawn for Vulkan explicitly.
// The instance stays referenced for the whole process: a collected instance makes dawn.node
// abort from its event polling (src/gpu/node.ts, liveInstances).
const instance = create(['backend=vulkan']);
const adapter = await instance.requestAdapter();
if (!adapter) {
  console.log(JSON.stringify({ adapter: null }));
  process.exit(0);
}
const info = adapter.info;
const device = await requestEngineDevice(adapter);

// WebGPU spec constants (the GPUBufferUsage/GPUMapMode globals are absent under Node).
const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, STORAGE: 0x80 } as const;
const MAP_MODE_READ = 0x1;

/**
 * WGSL's rule: a `var` declared in a loop body is zero-initialised on every iteration. The
 * issue reports Dawn's Vulkan path zeroing it once. This probe shows what this backend does.
 */
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
  await read.mapAsync(MAP_MODE_READ);
  const out = Array.from(new Float32Array(read.getMappedRange().slice(0)));
  read.unmap();
  return out;
}

const first = await runSgdBatchDetailed(device, SCHEDULE_CASES.multi);
const again = await runSgdBatchDetailed(device, SCHEDULE_CASES.multi);
const activations: Record<string, Awaited<ReturnType<typeof vsReference>>> = {};
for (const a of ACTIVATION_NAMES) activations[a] = await vsReference(device, ACTIVATION_CASES[a]);

console.log(
  JSON.stringify({
    adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description },
    softCommittee: await vsReference(device, REFERENCE_CASES.softCommittee),
    frozenV: await vsReference(device, REFERENCE_CASES.frozenV),
    activations,
    scheduleSingle: await vsReference(device, SCHEDULE_CASES.single),
    scheduleMulti: await vsReference(device, SCHEDULE_CASES.multi),
    trapBroken: await vsReference(device, TRAP_CASE, { shaderTransform: withoutDvReset }),
    deterministic: JSON.stringify(first.results) === JSON.stringify(again.results),
    loopVarProbe: await loopVarProbe(),
  }),
);
device.destroy();
process.exit(0);
