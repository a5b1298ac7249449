/**
 * QR decoding in the browser with jsQR (a lazy chunk: loaded when a person scans or uploads). Camera frames go
 * through a canvas every ~150 ms; an uploaded photo is scaled so its longest side is at most 1024 px.
 */
import jsQR from "jsqr";

/** A running camera scan; `stop()` ends the stream (the camera light goes off) and the frame loop. */
export interface CameraScan {
  stop(): void;
}

const FRAME_MS = 150;
const MAX_FRAME = 800;
const MAX_PHOTO = 1024;

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (ctx === null) throw new Error("This browser cannot read images here.");
  return ctx;
}

function decode(
  ctx: CanvasRenderingContext2D,
  source: CanvasImageSource,
  width: number,
  height: number,
  longest: number,
  inversion: "dontInvert" | "attemptBoth",
): string | undefined {
  const scale = Math.min(1, longest / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  ctx.canvas.width = w;
  ctx.canvas.height = h;
  ctx.drawImage(source, 0, 0, w, h);
  const image = ctx.getImageData(0, 0, w, h);
  const code = jsQR(image.data, w, h, { inversionAttempts: inversion });
  return code === null || code.data === "" ? undefined : code.data;
}

/** Why the camera did not start, as one calm line. */
export function cameraMessage(error: unknown): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : "";
  const instead = "Upload a photo of the code or type it instead.";
  if (name === "NotAllowedError" || name === "SecurityError") return `Camera access was not allowed. ${instead}`;
  if (name === "NotFoundError" || name === "OverconstrainedError") return `No camera was found. ${instead}`;
  if (name === "NotReadableError" || name === "AbortError") return `The camera is busy or unavailable. ${instead}`;
  return `The camera could not start. ${instead}`;
}

/**
 * Shows the back camera in `video` and calls `onCode` with the first QR code's text (the scan stops itself then).
 * Rejects with a one-line message when there is no camera or permission is refused.
 */
export async function startCameraScan(video: HTMLVideoElement, onCode: (text: string) => void): Promise<CameraScan> {
  if (navigator.mediaDevices?.getUserMedia === undefined) {
    throw new Error("This browser offers no camera here. Upload a photo of the code or type it instead.");
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
  } catch (err) {
    throw new Error(cameraMessage(err));
  }
  let stopped = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  const scan: CameraScan = {
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      for (const track of stream.getTracks()) track.stop();
      video.pause();
      video.srcObject = null;
    },
  };
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  try {
    await video.play();
  } catch {
    // Autoplay refusals still deliver frames once the element is visible; the loop below waits for them.
  }
  const ctx = context(document.createElement("canvas"));
  timer = setInterval(() => {
    if (stopped || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || video.videoWidth === 0) return;
    const text = decode(ctx, video, video.videoWidth, video.videoHeight, MAX_FRAME, "dontInvert");
    if (text !== undefined) {
      scan.stop();
      onCode(text);
    }
  }, FRAME_MS);
  return scan;
}

/** The text of the QR code in a photo, or undefined when none is found. Rejects when the file is not an image. */
export async function decodePhoto(file: Blob): Promise<string | undefined> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error("That file is not an image this browser can read; try a JPEG or PNG photo.");
  }
  try {
    const ctx = context(document.createElement("canvas"));
    // A large photo of a small code decodes better downscaled; try the full allowance, then a smaller one.
    for (const longest of [MAX_PHOTO, 600]) {
      const text = decode(ctx, bitmap, bitmap.width, bitmap.height, longest, "attemptBoth");
      if (text !== undefined) return text;
    }
    return undefined;
  } finally {
    bitmap.close();
  }
}
