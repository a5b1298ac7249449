/**
 * The runtime configuration of the dApp: `/config.json`, served by the local stack (src/services/web/server.ts) or, in
 * development, by the Vite dev server (web/vite.config.ts). Loaded once; every caller shares the same promise.
 */
import type { WebConfig } from "@core/api/web-config.js";
import { propertyOf } from "@core/checks.js";

export type { WebConfig };

let loading: Promise<WebConfig> | undefined;

function isConfig(value: unknown): value is WebConfig {
  const addresses = propertyOf(value, "addresses");
  return (
    typeof propertyOf(value, "chainId") === "number" &&
    typeof propertyOf(value, "rpcUrl") === "string" &&
    typeof propertyOf(value, "traceApi") === "string" &&
    typeof propertyOf(value, "linkBase") === "string" &&
    ["string", "undefined"].includes(typeof propertyOf(value, "resolverBase")) &&
    addresses !== null &&
    typeof addresses === "object"
  );
}

async function fetchConfig(): Promise<WebConfig> {
  let response: Response;
  try {
    response = await fetch("/config.json", { headers: { accept: "application/json" }, cache: "no-store" });
  } catch {
    throw new Error("The FishTrace service cannot be reached; check your connection and reload.");
  }
  if (!response.ok) throw new Error(`The FishTrace configuration is missing (HTTP ${response.status}).`);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new Error("The FishTrace configuration is not valid JSON.");
  }
  if (!isConfig(body)) {
    throw new Error(
      "The FishTrace configuration lacks chainId, rpcUrl, traceApi or linkBase (or its resolverBase is no text).",
    );
  }
  return body;
}

/** `/config.json`, fetched once. A failed load is forgotten, so the next call tries again. */
export function loadConfig(): Promise<WebConfig> {
  loading ??= fetchConfig().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}
