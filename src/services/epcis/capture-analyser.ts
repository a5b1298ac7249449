/**
 * Where capture jobs are analysed (capture-analysis.ts): on a worker thread (capture-worker.ts) by default, so the
 * server's thread writes one job while the next is validated and hashed on the other core; or on the server's
 * thread (`threaded: false`, or when the thread fails — then every later job is analysed in process). Each job's
 * analysis is asked once and kept until the job is done, so the worker can run ahead of the store.
 */
import type { Worker } from "node:worker_threads";

import { startThread } from "../relay/thread.js";
import { analyse, type Analysis } from "./capture-analysis.js";

export interface AnalyserRequest {
  id: string;
  text: string;
}

export type AnalyserReply = { id: string; analysis: Analysis } | { id: string; error: string };

interface Waiting {
  resolve(analysis: Analysis): void;
  reject(err: Error): void;
}

export class Analyser {
  private worker: Worker | undefined;
  private readonly waiting = new Map<string, Waiting>();
  private readonly asked = new Map<string, Promise<Analysis>>();

  private threaded: boolean;

  constructor(threaded = true) {
    this.threaded = threaded;
  }

  /** The analysis of job `id` (its document's text, and the parsed document when at hand). */
  analysis(id: string, text: string, doc: () => unknown): Promise<Analysis> {
    const known = this.asked.get(id);
    if (known !== undefined) return known;
    const worker = this.threaded ? this.thread() : undefined;
    const promise =
      worker === undefined
        ? analyse(doc(), true)
        : new Promise<Analysis>((resolve, reject) => {
            this.waiting.set(id, { resolve, reject });
            const request: AnalyserRequest = { id, text };
            worker.postMessage(request);
          });
    this.asked.set(id, promise);
    // A rejection is the caller's to handle when it awaits; an analysis asked ahead must not go unhandled meanwhile.
    promise.catch(() => undefined);
    return promise;
  }

  /** Drops the analysis of a finished job. */
  forget(id: string): void {
    this.asked.delete(id);
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  private thread(): Worker | undefined {
    if (this.worker !== undefined) return this.worker;
    // startThread loads a module beside relay/thread.ts; this one is in the folder next to it.
    const worker = startThread("../epcis/capture-worker", null);
    worker.unref();
    worker.on("message", (reply: AnalyserReply) => {
      const waiting = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if ("analysis" in reply) waiting?.resolve(reply.analysis);
      else waiting?.reject(new Error(reply.error));
    });
    worker.on("error", (err) => this.failed(err));
    worker.on("exit", () => this.failed(new Error("the capture analysis thread stopped")));
    this.worker = worker;
    return worker;
  }

  /** The thread failed: what it was asked is asked again in process, and so is everything later. */
  private failed(err: Error): void {
    if (this.worker === undefined) return;
    console.error(`EPCIS capture: analysis thread: ${err.message}; analysing in process`);
    this.worker = undefined;
    this.threaded = false;
    for (const [id, waiting] of this.waiting) {
      this.asked.delete(id);
      waiting.reject(new Error("the capture analysis thread stopped; the job is tried again"));
    }
    this.waiting.clear();
  }
}
