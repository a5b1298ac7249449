/**
 * Starts one of the relay's worker threads (the store's, the submitter's) from a module next to this one. The
 * thread runs the same TypeScript the relay does: started from a .ts module (tsx, under `hardhat run`, `node --import
 * tsx`, the tests) it registers tsx itself before it loads its module, as threads inherit no loader hooks.
 */
import { Worker, type Transferable } from "node:worker_threads";

/** What every relay thread is started with: its module, how to load it, and its own data. */
export interface ThreadData<T> {
  entry: string;
  tsx?: string;
  data: T;
}

const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
(workerData.tsx ? import(workerData.tsx).then((tsx) => tsx.register()) : Promise.resolve())
  .then(() => import(workerData.entry));
`;

/** Starts `module` (a name in this folder, without extension) with `data`; `transfer` lists the ports in `data`. */
export function startThread<T>(module: string, data: T, transfer: readonly Transferable[] = []): Worker {
  const typescript = import.meta.url.endsWith(".ts");
  const workerData: ThreadData<T> = {
    entry: new URL(`./${module}.${typescript ? "ts" : "js"}`, import.meta.url).href,
    tsx: typescript ? import.meta.resolve("tsx/esm/api") : undefined,
    data,
  };
  return new Worker(BOOTSTRAP, { eval: true, execArgv: [], workerData, transferList: [...transfer] });
}
