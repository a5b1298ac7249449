/**
 * Running FishTrace tasks in-process through `hre.tasks`, capturing what they print and the exit code they set:
 * `ok` for a task that must succeed, `fails` for one that must fail with exactly one `error:` line and no stack.
 */
import { expect } from "chai";
import hre from "hardhat";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { demoParticipants, type DemoCast, type ParticipantSeed } from "../../src/node/seed.js";

export interface TaskRun {
  result: unknown;
  out: string[];
  err: string[];
  exitCode: string | number | null | undefined;
}

export type TaskArgs = Record<string, string | boolean>;

/**
 * Runs task `id` with `args` in `runtime` (this process's Hardhat, unless another is given), capturing what it prints
 * and the exit code it sets (restored afterwards).
 */
export async function runTask(
  id: string[],
  args: TaskArgs,
  runtime: HardhatRuntimeEnvironment = hre,
): Promise<TaskRun> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  const exitCodeBefore = process.exitCode;
  process.exitCode = undefined;
  console.log = (...data: unknown[]) => void out.push(data.join(" "));
  console.error = (...data: unknown[]) => void err.push(data.join(" "));
  try {
    const result: unknown = await runtime.tasks.getTask(id).run(args);
    return { result, out, err, exitCode: process.exitCode };
  } finally {
    console.log = log;
    console.error = error;
    process.exitCode = exitCodeBefore;
  }
}

/** Runs a task that must succeed; returns its `Result` value and output. */
export async function ok<T = unknown>(id: string[], args: TaskArgs = {}): Promise<{ value: T; text: string }> {
  const run = await runTask(id, args);
  expect(run.err, `${id.join(" ")} printed errors`).to.deep.equal([]);
  expect(run.result).to.have.property("success", true);
  return { value: (run.result as { value: T }).value, text: run.out.join("\n") };
}

/** Runs a task that must fail, and checks the one-line error contract; returns that line. */
export async function fails(id: string[], args: TaskArgs): Promise<string> {
  const run = await runTask(id, args);
  expect(run.exitCode).to.equal(1);
  expect(run.result).to.have.property("success", false);
  expect(run.err).to.have.length(1);
  expect(run.err[0]).to.match(/^error: /);
  // No stack trace: no second line, no frame "at fn (file.ts:12:34)" (a time such as "at 06:00:00Z" is fine).
  expect(run.err[0]).to.not.match(/\n|\bat\s.*\.[cm]?[jt]s:\d+:\d+/);
  return run.err[0]!;
}

/** A catch as the harvester task takes it. */
export const CATCH = {
  species: "COD",
  lat: "68.93512",
  lon: "15.0221E",
  area: "27.2.a",
  vessel: "IMO9241061",
  gear: "OTB",
};

/** The demo cast on accounts 1..8, as src/node/seed.ts names them. */
export const ACCOUNTS = {
  vessel: 1,
  supplier: 2,
  gateway: 3,
  manufacturer: 4,
  distributor: 5,
  retailer: 6,
  customer: 7,
  regulator: 8,
} as const;

/**
 * The demo cast on this network's accounts (`ACCOUNTS`), each enrolled through `participant add`; returns the cast
 * and what the task printed for each participant.
 */
export async function enrolDemoCast(): Promise<{
  cast: DemoCast;
  added: { participant: ParticipantSeed; text: string }[];
}> {
  const { ethers } = await hre.network.getOrCreate();
  const signers = await ethers.getSigners();
  const cast = Object.fromEntries(
    Object.entries(ACCOUNTS).map(([part, index]) => [part, signers[index]!.address]),
  ) as unknown as DemoCast;
  const added: { participant: ParticipantSeed; text: string }[] = [];
  for (const participant of demoParticipants(cast)) {
    const { text } = await ok(["participant", "add"], {
      address: participant.account,
      role: participant.role.toLowerCase(),
      name: participant.name,
      location: participant.location,
    });
    added.push({ participant, text });
  }
  return { cast, added };
}
