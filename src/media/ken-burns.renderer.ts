import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cameraWindowAt, type CameraPath, type CameraWindow } from './clip.args';
import { resolveAssetDir } from './media-assets';
import { yuv420FrameBytes, yuv420Planes, type Yuv420Image } from './yuv';

/** Where `npm run build:wasm` writes the resampler, inside `assets/` (copied to `dist/assets` by nest build). */
export const KEN_BURNS_WASM = join('wasm', 'ken-burns.wasm');

/** Exports of `src/media/wasm/ken-burns.as.ts`; pointers are byte offsets into `memory`. */
interface KenBurnsExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  tmpBytes(sw: number, dh: number): number;
  resamplePlane(src: number, sw: number, sh: number, dst: number, dw: number, dh: number, ax: number, bx: number, ay: number, by: number, tmp: number, tab: number): void;
}

let compiled: WebAssembly.Module | undefined;

/**
 * The compiled resampler module, read and compiled once per process (about 2 KB; instances are per clip).
 *
 * @throws Error naming the missing file and the command that builds it (a broken install: fail at startup)
 */
export function kenBurnsModule(assetDir: string = resolveAssetDir()): WebAssembly.Module {
  if (compiled) return compiled;
  const path = join(assetDir, KEN_BURNS_WASM);
  if (!existsSync(path)) throw new Error(`${path} is missing: run "npm run build" (it compiles src/media/wasm/ken-burns.as.ts)`);
  compiled = new WebAssembly.Module(readFileSync(path));
  return compiled;
}

const PAGE_BYTES = 65536;
/** Slack after each frame: the resampler reads 16 bytes past a source plane and writes 8 past a row. */
const TAIL_BYTES = 64;

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * Moves a camera over one still (docs/design/composition.md, "Camera moves"): renders each frame of the still seen through
 * a window of the still's size divided by the zoom, with separable sub-pixel bilinear sampling on the Y, U
 * and V planes (WebAssembly SIMD, about 2 ms per 1080×1920 frame). Each renderer owns one module instance
 * and its memory (two frames plus scratch: about 11 MB at 1080×1920), so clips render side by side.
 * Output frames have the still's size and format.
 */
export class KenBurnsRenderer {
  private readonly exports: KenBurnsExports;
  private readonly frameBytes: number;
  private readonly srcPtr: number;
  private readonly dstPtr: number;
  private readonly tmpPtr: number;
  private readonly tabPtr: number;

  /**
   * @param still the picture to move over; even width and height, at the output size
   * @throws Error when the still's data does not match its size, or the module is missing
   */
  constructor(
    private readonly still: Yuv420Image,
    module: WebAssembly.Module = kenBurnsModule(),
  ) {
    const { widthPx: w, heightPx: h } = still;
    this.frameBytes = yuv420FrameBytes(w, h);
    if (w % 2 !== 0 || h % 2 !== 0 || w < 4 || h < 4 || still.data.length !== this.frameBytes) {
      throw new Error(`a ${w}x${h} yuv420p still needs ${this.frameBytes} bytes, got ${still.data.length}`);
    }
    const instance = new WebAssembly.Instance(module, { env: { abort: () => { throw new Error('ken-burns.wasm aborted'); } } });
    this.exports = instance.exports as unknown as KenBurnsExports;
    this.srcPtr = align16(this.exports.heapBase());
    this.dstPtr = align16(this.srcPtr + this.frameBytes + TAIL_BYTES);
    this.tmpPtr = align16(this.dstPtr + this.frameBytes + TAIL_BYTES);
    this.tabPtr = align16(this.tmpPtr + this.exports.tmpBytes(w, h));
    const end = this.tabPtr + Math.ceil(w / 8) * 64 + TAIL_BYTES;
    const memory = this.exports.memory;
    if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE_BYTES));
    new Uint8Array(memory.buffer).set(still.data, this.srcPtr);
  }

  /**
   * Renders the frame seen through a window of `still / zoom` whose top-left corner is at (`leftPx`,
   * `topPx`) of the still (continuous pixel coordinates). Zoom ≥ 1 keeps the window inside the still's
   * pixels; a window reaching past an edge repeats the edge pixels.
   *
   * @returns a new yuv420p frame the caller owns (the renderer's own buffer is reused for the next frame)
   */
  renderFrame(window: CameraWindow): Buffer {
    const scale = 1 / window.zoom;
    // Y, then U, then V: a plane's vector tail spills into the next plane before that plane is written.
    for (const { offset, widthPx: pw, heightPx: ph, subsampling: sub } of yuv420Planes(this.still.widthPx, this.still.heightPx)) {
      this.exports.resamplePlane(this.srcPtr + offset, pw, ph, this.dstPtr + offset, pw, ph, scale, window.leftPx / sub, scale, window.topPx / sub, this.tmpPtr, this.tabPtr);
    }
    return Buffer.from(new Uint8Array(this.exports.memory.buffer, this.dstPtr, this.frameBytes));
  }
}

/**
 * The frames of a Ken Burns clip, one at a time (pure apart from the module instance): frame `i` of
 * `frames` along `path` ({@link cameraWindowAt}). A generator, so a consumer that stops early renders nothing
 * more, and only the frames in flight are in memory.
 */
export function* kenBurnsFrames(still: Yuv420Image, path: CameraPath, frames: number, module?: WebAssembly.Module): Generator<Buffer> {
  const renderer = new KenBurnsRenderer(still, module);
  for (let i = 0; i < frames; i++) yield renderer.renderFrame(cameraWindowAt(path, i, frames, still.widthPx, still.heightPx));
}
