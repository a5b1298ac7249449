/**
 * Foundry's anvil, a second EVM client, from the npm registry (`@foundry-rs/anvil-<os>-<arch>`, pinned in
 * package.json as optional dependencies: only the one for this machine installs). Nothing is downloaded at run time.
 */
import { createRequire } from "node:module";
import path from "node:path";

import { InputError } from "../core/input-error.js";

const PLATFORMS: Record<string, string> = {
  "linux-x64": "linux-amd64",
  "linux-arm64": "linux-arm64",
  "darwin-x64": "darwin-amd64",
  "darwin-arm64": "darwin-arm64",
};

/** The anvil binary installed for this machine; a missing one is one line saying what to install. */
export function anvilBinary(): string {
  const platform = PLATFORMS[`${process.platform}-${process.arch}`];
  if (platform === undefined) throw new InputError(`anvil is not packaged for ${process.platform}-${process.arch}`);
  const pkg = `@foundry-rs/anvil-${platform}`;
  try {
    const manifest = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
    return path.join(path.dirname(manifest), "bin", "anvil");
  } catch {
    throw new InputError(`anvil is not installed: npm install (it comes with ${pkg}, an optional dependency)`);
  }
}

/**
 * Arguments for an anvil on 127.0.0.1:`port` that looks like `hardhat node` to FishTrace: Hardhat's development
 * mnemonic (anvil's default too) with 20 accounts, the contracts' EVM version, automine.
 */
export function anvilArgs(port: number): string[] {
  return ["--host", "127.0.0.1", "--port", String(port), "--accounts", "20", "--hardfork", "prague"];
}
