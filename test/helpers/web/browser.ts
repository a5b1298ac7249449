/**
 * Debian's Chromium driven by playwright-core (no `playwright install`: the browser is the system's, `CHROMIUM_PATH`
 * or /usr/bin/chromium). Headless, no sandbox (containers), no GPU, and nothing of Chromium's own background traffic
 * (component updates, sync, QUIC probes), which in a closed network only floods the log with refused connections.
 */
import { existsSync } from "node:fs";

import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The Chromium binary the tests drive: `CHROMIUM_PATH`, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || "/usr/bin/chromium";
}

/**
 * Launches a headless Chromium with the flags above plus `extraArgs` (e.g. the fake-camera switches). A missing
 * binary is one line naming the path and the package, never a silent skip.
 */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}: apt-get install chromium`);
  return chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...extraArgs],
    // Playwright would otherwise install its own SIGINT/SIGTERM handlers; mocha's `after` closes the browser.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}
