/**
 * QR images for the browser tests, made and read in Node: a clean QR PNG of a link (the `qrcode` package, as the
 * dApp's labels use), a "photo" of one (the code small and off-centre on a larger grey, noisy, unevenly lit
 * canvas, as a phone photo of a label would be), a Y4M video of it for Chromium's fake camera, and decoding the QR
 * in a screenshot (jsQR on the PNG's pixels).
 */
import { writeFile } from "node:fs/promises";

import jsqr from "jsqr";
import { PNG } from "pngjs";
import QRCode from "qrcode";

import { mulberry32 } from "../../../src/core/random.js";

/** A plain QR code of `text` as a PNG (black on white, quiet zone of 4 modules). */
export async function qrPng(text: string, width = 400): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: "png", errorCorrectionLevel: "M", margin: 4, width });
}

/** Writes a plain QR PNG of `text` to `file`. */
export async function qrPngFile(file: string, text: string, width = 400): Promise<void> {
  await QRCode.toFile(file, text, { type: "png", errorCorrectionLevel: "M", margin: 4, width });
}

/**
 * An RGBA picture `width`×`height` like a phone photo of a printed label: a grey, unevenly lit, noisy background
 * with the QR (a bit grey-on-off-white, not pure black on white) pasted off-centre.
 */
export async function qrPhotoImage(text: string, width = 1200, height = 900): Promise<PNG> {
  const code = PNG.sync.read(await qrPng(text, Math.round(Math.min(width, height) * 0.45)));
  const photo = new PNG({ width, height });
  const rand = mulberry32(0x5eed); // the same "photo" every run
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const light = 150 + 40 * (x / width) - 25 * (y / height); // uneven light
      const noise = (rand() - 0.5) * 24;
      const i = (y * width + x) * 4;
      photo.data[i] = clamp(light + noise + 4);
      photo.data[i + 1] = clamp(light + noise);
      photo.data[i + 2] = clamp(light + noise - 6);
      photo.data[i + 3] = 255;
    }
  }
  const left = Math.round(width * 0.38);
  const top = Math.round(height * 0.3);
  for (let y = 0; y < code.height && top + y < height; y++) {
    for (let x = 0; x < code.width && left + x < width; x++) {
      const dark = code.data[(y * code.width + x) * 4]! < 128;
      const v = (dark ? 35 : 228) + (rand() - 0.5) * 20;
      const i = ((top + y) * width + left + x) * 4;
      photo.data[i] = clamp(v);
      photo.data[i + 1] = clamp(v);
      photo.data[i + 2] = clamp(v + 3);
    }
  }
  return photo;
}

/** Writes {@link qrPhotoImage} as a PNG file. */
export async function qrPhotoFile(file: string, text: string, width = 1200, height = 900): Promise<void> {
  await writeFile(file, PNG.sync.write(await qrPhotoImage(text, width, height)));
}

function clamp(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

/** Decodes the QR code in a PNG (a screenshot, a file's bytes); `undefined` when none is found. */
export function decodeQrPng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  // jsqr is CommonJS (module.exports = jsQR, with jsQR.default = jsQR): Node16 typing sees the module object.
  return jsqr.default(pixels, image.width, image.height, { inversionAttempts: "attemptBoth" })?.data;
}

/**
 * A Y4M video (YUV4MPEG2, I420, `frames` identical frames at 10 fps) of the picture `image`, scaled to fit
 * `width`×`height` on grey: what `--use-file-for-fake-video-capture` plays as the camera.
 */
export function y4mVideo(image: PNG, width = 640, height = 480, frames = 10): Buffer {
  const scale = Math.min(width / image.width, height / image.height);
  const offX = Math.floor((width - image.width * scale) / 2);
  const offY = Math.floor((height - image.height * scale) / 2);
  const luma = Buffer.alloc(width * height, 128);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = Math.floor((x - offX) / scale);
      const sy = Math.floor((y - offY) / scale);
      if (sx < 0 || sy < 0 || sx >= image.width || sy >= image.height) continue;
      const i = (sy * image.width + sx) * 4;
      const r = image.data[i]!;
      const g = image.data[i + 1]!;
      const b = image.data[i + 2]!;
      luma[y * width + x] = clamp(16 + (65.738 * r + 129.057 * g + 25.064 * b) / 256);
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128); // grey: no colour
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`, "ascii");
  const frameHeader = Buffer.from("FRAME\n", "ascii");
  const parts: Buffer[] = [header];
  for (let f = 0; f < frames; f++) parts.push(frameHeader, luma, chroma, chroma);
  return Buffer.concat(parts);
}
