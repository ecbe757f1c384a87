/**
 * Open an HTML page (the gallery of html.ts) in Debian's headless Chromium and report console
 * errors, how many figures rendered, and optionally a full-page screenshot.
 *
 * Method: the Chrome DevTools Protocol over `--remote-debugging-pipe` (Chromium reads commands
 * on fd 3 and answers on fd 4, messages separated by NUL). Unlike `--dump-dom` + stderr logs
 * it tells console.error from console.log, catches uncaught exceptions and failed loads,
 * waits for the page's own "done" marker, and takes screenshots; unlike a WebSocket port it
 * needs no client library (Node 20 has no stable global WebSocket) and opens no port.
 *
 * What counts as rendered: figures the page marked data-rendered="true" (html.ts does so for an
 * inline SVG with a non-zero size, and for a vega-embed figure once its view has drawn an SVG).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a headless, offline run; the network ones keep Chromium from calling home. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
  '--mute-audio',
];

export interface CheckHtmlOptions {
  /** Write a full-page PNG screenshot here. */
  screenshotPath?: string;
  /** Give up waiting for the page's data-gallery-done marker after this long. Default 60 s. */
  timeoutMs?: number;
  /** Viewport width in CSS px. Default 1200. */
  width?: number;
  chromiumPath?: string;
}

export interface CheckHtmlResult {
  /** console.error/assert messages, uncaught exceptions, error-level log entries (failed loads), and a timeout if the page never finished. */
  consoleErrors: string[];
  /** console.warn messages (Vega's warnings, for instance): reported, not counted as errors. */
  consoleWarnings: string[];
  /** Figures marked data-rendered="true". */
  figureCount: number;
  /** Figures marked data-error, with their messages. */
  failedFigures: string[];
  screenshotPath?: string;
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, any>;
  result?: Record<string, any>;
  error?: { message: string };
  sessionId?: string;
}

/** A minimal CDP client over Chromium's pipe. */
class PipeCdp {
  private nextId = 1;
  private pending = new Map<number, { resolve: (r: any) => void; reject: (e: Error) => void; method: string }>();
  private buffer = '';
  private closed = false;
  onEvent: (m: CdpMessage) => void = () => {};

  constructor(
    private readonly out: Writable,
    input: Readable,
  ) {
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nul: number;
      while ((nul = this.buffer.indexOf('\0')) >= 0) {
        const raw = this.buffer.slice(0, nul);
        this.buffer = this.buffer.slice(nul + 1);
        this.dispatch(JSON.parse(raw) as CdpMessage);
      }
    });
    input.on('close', () => this.fail(new Error('Chromium closed the DevTools pipe')));
    out.on('error', (e) => this.fail(e));
  }

  private dispatch(m: CdpMessage): void {
    if (m.id !== undefined) {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(`CDP ${p.method}: ${m.error.message}`));
      else p.resolve(m.result ?? {});
    } else this.onEvent(m);
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<any> {
    if (this.closed) return Promise.reject(new Error(`CDP ${method}: pipe closed`));
    const id = this.nextId++;
    const msg = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    return new Promise((res, rej) => {
      this.pending.set(id, { resolve: res, reject: rej, method });
      this.out.write(msg + '\0');
    });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function remoteText(arg: any): string {
  if (arg == null) return '';
  if (arg.value !== undefined) return typeof arg.value === 'string' ? arg.value : JSON.stringify(arg.value);
  return arg.description ?? arg.unserializableValue ?? arg.type ?? '';
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((res) => {
    const t = setTimeout(() => res(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      res(true);
    });
  });
}

export async function checkHtmlInChromium(htmlPath: string, opts: CheckHtmlOptions = {}): Promise<CheckHtmlResult> {
  const chromium = opts.chromiumPath ?? CHROMIUM_PATH;
  if (!existsSync(chromium)) {
    throw new Error(`checkHtmlInChromium: ${chromium} not found; install Debian's Chromium with: apt-get update && apt-get install -y chromium`);
  }
  const abs = resolve(htmlPath);
  if (!existsSync(abs)) throw new Error(`checkHtmlInChromium: no such file ${abs}`);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const width = opts.width ?? 1200;

  const profile = mkdtempSync(join(tmpdir(), 'tsdyn-chromium-'));
  const child = spawn(chromium, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
  });
  let stderrTail = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    stderrTail = (stderrTail + s).slice(-4000);
  });
  const spawnError = new Promise<never>((_, rej) => child.once('error', (e) => rej(e)));
  spawnError.catch(() => undefined);

  const cdp = new PipeCdp(child.stdio[3] as Writable, child.stdio[4] as Readable);
  const consoleErrors: string[] = [];
  const consoleWarnings: string[] = [];
  let sessionId = '';
  cdp.onEvent = (m) => {
    if (m.sessionId !== sessionId) return;
    const p = m.params ?? {};
    if (m.method === 'Runtime.consoleAPICalled') {
      const text = (p.args ?? []).map(remoteText).join(' ');
      if (p.type === 'error' || p.type === 'assert') consoleErrors.push(text);
      else if (p.type === 'warning') consoleWarnings.push(text);
    } else if (m.method === 'Runtime.exceptionThrown') {
      const d = p.exceptionDetails ?? {};
      consoleErrors.push(`uncaught: ${d.exception?.description ?? d.text ?? 'exception'}`);
    } else if (m.method === 'Log.entryAdded' && p.entry?.level === 'error') {
      consoleErrors.push(`${p.entry.source}: ${p.entry.text}${p.entry.url ? ` (${p.entry.url})` : ''}`);
    }
  };

  try {
    const run = async (): Promise<CheckHtmlResult> => {
      const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
      ({ sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true }));
      const s = (method: string, params: Record<string, unknown> = {}) => cdp.send(method, params, sessionId);
      await s('Runtime.enable');
      await s('Log.enable');
      await s('Page.enable');
      await s('Emulation.setDeviceMetricsOverride', { width, height: 900, deviceScaleFactor: 1, mobile: false });
      await s('Page.navigate', { url: pathToFileURL(abs).href });

      const evaluate = async (expression: string) => (await s('Runtime.evaluate', { expression, returnByValue: true })).result?.value;
      const deadline = Date.now() + timeoutMs;
      let done = false;
      while (Date.now() < deadline) {
        if ((await evaluate("document.readyState === 'complete' && document.body?.getAttribute('data-gallery-done') === 'true'")) === true) {
          done = true;
          break;
        }
        await sleep(100);
      }
      if (!done) consoleErrors.push(`page did not set data-gallery-done within ${timeoutMs} ms`);
      await sleep(50); // let late console events arrive

      const figureCount = Number(await evaluate("document.querySelectorAll('[data-rendered=\"true\"]').length")) || 0;
      const failedFigures = ((await evaluate("Array.from(document.querySelectorAll('[data-error]'), e => e.id + ': ' + e.getAttribute('data-error'))")) ?? []) as string[];

      let screenshotPath: string | undefined;
      if (opts.screenshotPath) {
        const metrics = await s('Page.getLayoutMetrics');
        const size = metrics.cssContentSize ?? metrics.contentSize;
        const shot = await s('Page.captureScreenshot', {
          format: 'png',
          captureBeyondViewport: true,
          clip: { x: 0, y: 0, width: Math.ceil(Math.max(width, size.width)), height: Math.ceil(size.height), scale: 1 },
        });
        writeFileSync(opts.screenshotPath, Buffer.from(shot.data as string, 'base64'));
        screenshotPath = opts.screenshotPath;
      }
      return { consoleErrors: [...consoleErrors], consoleWarnings: [...consoleWarnings], figureCount, failedFigures, screenshotPath };
    };
    let timer: NodeJS.Timeout | undefined;
    const overall = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`checkHtmlInChromium: no answer from Chromium within ${timeoutMs + 30_000} ms`)), timeoutMs + 30_000);
    });
    try {
      return await Promise.race([run(), spawnError, overall]);
    } finally {
      clearTimeout(timer);
    }
  } catch (e) {
    throw new Error(`${(e as Error).message}\nChromium stderr (tail):\n${stderrTail}`);
  } finally {
    await Promise.race([cdp.send('Browser.close').catch(() => undefined), sleep(3000)]);
    if (!(await waitExit(child, 5000))) {
      child.kill('SIGKILL');
      await waitExit(child, 5000);
    }
    rmSync(profile, { recursive: true, force: true });
  }
}
