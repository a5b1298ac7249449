/**
 * Vite build of the FishTrace dApp (web/): `vite build --config web/vite.config.ts` writes web/dist, served by the
 * local stack (src/services/web/server.ts); `vite --config web/vite.config.ts` is the dev server.
 *
 * The browser shares src/core/ (alias `@core`): two inline plugins keep Node out of the bundle (`no-node` fails the build
 * on a `node:*`, `hardhat` or `@nomicfoundation/*` import) and keep deploy bytecode out of typechain factories
 * (`strip-bytecode`). The dev server answers /config.json from .stack/config.json (written by a running
 * `npm run stack`) and proxies /rpc and /api to that stack; without one it answers from the fixture in web/src/dev/.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { defineConfig, type Plugin, type ProxyOptions } from "vite";

const web = dirname(fileURLToPath(import.meta.url));
const repo = resolve(web, "..");

/** Refuses what cannot run in a browser: a guard that fails the build rather than shipping a broken bundle. */
function noNode(): Plugin {
  const refused = (id: string) =>
    id.startsWith("node:") || id === "hardhat" || id.startsWith("hardhat/") || id.startsWith("@nomicfoundation/");
  return {
    name: "fishtrace-no-node",
    enforce: "pre",
    resolveId(source, importer) {
      if (refused(source)) {
        const from = importer === undefined ? "" : ` (imported by ${importer.replace(repo + "/", "")})`;
        this.error(`"${source}" cannot run in a browser${from}: the dApp may import only browser-safe modules`);
      }
      return null;
    },
  };
}

/** Typechain factories carry each contract's deploy bytecode (~745 kB in all); the dApp never deploys. */
function stripBytecode(): Plugin {
  const bytecode = /const _bytecode\s*=\s*"0x[0-9a-fA-F]*";/;
  return {
    name: "fishtrace-strip-bytecode",
    enforce: "pre",
    transform(code, id) {
      if (!id.includes("/typechain-types/factories/") || !bytecode.test(code)) return null;
      return { code: code.replace(bytecode, 'const _bytecode = "";'), map: null };
    },
  };
}

/** The files of web/public, as the paths the app fetches them by. */
function publicFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? publicFiles(resolve(dir, entry.name), `${prefix}/${entry.name}`)
      : [`${prefix}/${entry.name}`],
  );
}

/**
 * The offline app: web/src/sw.ts built to /sw.js (its own chunk, no hash: a service worker's URL must not change),
 * with the list of every file the build writes (and of web/public) in place of its placeholder, so the worker caches
 * the whole app at install. A build whose worker lacks the placeholder fails rather than shipping a worker that
 * caches nothing.
 */
function offlineApp(): Plugin {
  // The string literal in sw.ts, in whichever quotes the minifier writes it.
  const placeholder = /(["'`])__FISHTRACE_PRECACHE__\1/;
  return {
    name: "fishtrace-offline-app",
    apply: "build",
    buildStart() {
      this.emitFile({ type: "chunk", id: resolve(web, "src/sw.ts"), fileName: "sw.js" });
    },
    // After Vite's own HTML plugin has added index.html to the bundle.
    generateBundle: {
      order: "post",
      handler(_options, bundle) {
        const worker = bundle["sw.js"];
        if (worker === undefined || worker.type !== "chunk" || !placeholder.test(worker.code)) {
          this.error("sw.js was built without its precache placeholder");
        }
        if (bundle["index.html"] === undefined) this.error("the service worker would not cache index.html");
        const files = [
          ...Object.keys(bundle)
            .filter((f) => f !== "sw.js" && !f.endsWith(".map"))
            .map((f) => `/${f}`),
          ...publicFiles(resolve(web, "public")),
        ].sort();
        worker.code = worker.code.replace(placeholder, () => JSON.stringify(JSON.stringify(files)));
      },
    },
  };
}

interface StackFile {
  walletRpcUrl?: string;
  urls?: { node?: string; trace?: string };
}

/** The dev server's /config.json, /rpc and /api: from a running stack, else from the fixture. */
function devBackend(): Plugin {
  const stackConfig = resolve(repo, ".stack/config.json");
  const fixtureConfig = resolve(web, "src/dev/config.json");
  const fixtureJourney = resolve(web, "src/dev/journey.json");
  const send = (res: ServerResponse, status: number, body: string) => {
    res.statusCode = status;
    res.setHeader("content-type", "application/json");
    res.setHeader("cache-control", "no-store");
    res.end(body);
  };
  return {
    name: "fishtrace-dev-backend",
    apply: "serve",
    configureServer(server) {
      server.middlewares.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
        const url = req.url ?? "";
        if (url === "/config.json" || url.startsWith("/config.json?")) {
          const file = existsSync(stackConfig) ? stackConfig : fixtureConfig;
          return send(res, 200, readFileSync(file, "utf8"));
        }
        if (!existsSync(stackConfig) && url.startsWith("/api/v1/journey")) {
          // No stack running: every lookup answers the fixture journey, except "404" to show the error line.
          if (url.includes("404")) return send(res, 404, JSON.stringify({ error: "lot 404 is not in the index" }));
          return send(res, 200, readFileSync(fixtureJourney, "utf8"));
        }
        next();
      });
    },
  };
}

function proxies(): Record<string, ProxyOptions> {
  const file = resolve(repo, ".stack/config.json");
  let stack: StackFile = {};
  if (existsSync(file)) {
    try {
      stack = JSON.parse(readFileSync(file, "utf8")) as StackFile;
    } catch {
      stack = {};
    }
  }
  const node = process.env.FISHTRACE_NODE_URL ?? stack.urls?.node ?? stack.walletRpcUrl ?? "http://127.0.0.1:8545";
  const trace = process.env.FISHTRACE_TRACE_URL ?? stack.urls?.trace ?? "http://127.0.0.1:8547";
  return {
    "/rpc": { target: node, changeOrigin: true, rewrite: () => "/" },
    "/api": { target: trace, changeOrigin: true, rewrite: (path) => path.replace(/^\/api/, "") },
  };
}

export default defineConfig({
  root: web,
  publicDir: resolve(web, "public"),
  resolve: {
    alias: {
      "@core": resolve(repo, "src/core"),
      "@chain": resolve(repo, "typechain-types"),
    },
  },
  plugins: [noNode(), stripBytecode(), devBackend(), offlineApp()],
  server: {
    host: "127.0.0.1",
    port: 5173,
    fs: { allow: [repo] },
    proxy: proxies(),
  },
  preview: { host: "127.0.0.1" },
  build: {
    outDir: resolve(web, "dist"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      treeshake: {
        // The shared modules of src/ and the typechain types only define things: a module none of whose exports is
        // used is dropped whole, even when it builds a value at load (errors.ts builds an ethers Interface from every
        // ABI). Without this, vocabulary.ts's re-export of errors.ts pulls typechain into the phone's entry chunk.
        moduleSideEffects: (id: string) =>
          !(id.startsWith(`${repo}/src/`) || id.startsWith(`${repo}/typechain-types/`)),
      },
    },
  },
});
