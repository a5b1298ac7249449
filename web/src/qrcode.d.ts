/**
 * The browser build of `qrcode` (its package.json `browser` field maps the package to lib/browser.js). Declared here
 * because @types/qrcode pulls in Node's types, which the web build keeps out.
 */
declare module "qrcode/lib/browser.js" {
  export interface QRCodeToStringOptions {
    type?: "svg" | "utf8" | "terminal";
    errorCorrectionLevel?: "L" | "M" | "Q" | "H";
    margin?: number;
    width?: number;
    color?: { dark?: string; light?: string };
  }
  export function toString(text: string, options?: QRCodeToStringOptions): Promise<string>;
}
