/**
 * The relay's crash guarantee for sponsored actions: signers post signed ForwardRequests (several nonces each, in a
 * shuffled order) while the relay process (src/services/relay/main.ts against a `hardhat node`) is killed with
 * SIGKILL at random moments and restarted on the same store. Requests cut by a kill are posted again. At the end
 * every acknowledged action executed exactly once and in nonce order: the target recorded each signer's values once,
 * in order, and the forwarder's nonce of each signer is the number of its actions.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { Contract, ContractFactory, type Wallet } from "ethers";

import { FORWARD_REQUEST_TYPES, forwarderDomain, signedRequest } from "../../src/core/forward-request.js";
import { mulberry32 } from "../../src/core/random.js";
import { freePort } from "../../src/tools/processes.js";
import { startRelayProcess, startStack, type RelayProcess, type Stack } from "../../src/tools/relay-stack.js";
import { startPostgres, type RunningPostgres } from "../helpers/postgres.js";
import { eventually, post } from "../helpers/relay-world.js";

const SEED = 0xac7_10a5;
const CYCLES = 5;
const PG_CYCLES = 4;
const NONCES = 12;
const POSTERS = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function artifact(name: string): { abi: unknown[]; bytecode: string } {
  const file = path.join("artifacts", "test", "contracts", "utils", "Forwarding.sol", `${name}.json`);
  return JSON.parse(readFileSync(file, "utf8")) as { abi: unknown[]; bytecode: string };
}

async function deploy(stack: Stack, name: string, args: unknown[]): Promise<Contract> {
  const { abi, bytecode } = artifact(name);
  const admin = await stack.provider.getSigner(0);
  const contract = await new ContractFactory(abi as never, bytecode, admin).deploy(...args);
  await contract.waitForDeployment();
  return new Contract(await contract.getAddress(), abi as never, stack.provider);
}

interface Action {
  signer: Wallet;
  nonce: number;
  value: number;
  body: unknown;
}

describe("relay crash test: sponsored actions under SIGKILL, each executed exactly once and in order", function () {
  this.timeout(360_000);
  let stack: Stack | undefined;
  let postgres: RunningPostgres | undefined;
  let relay: RelayProcess | undefined;

  before(async function () {
    stack = await startStack(4, 1);
  });

  after(async function () {
    await relay?.stop("SIGKILL");
    await stack?.stop();
    await postgres?.stop();
  });

  it(`survives ${CYCLES} kills at random moments (SQLite store)`, async function () {
    await crashes(stack!, path.join(stack!.dir, "actions-crash.sqlite"), CYCLES, (r) => (relay = r));
  });

  it(`survives ${PG_CYCLES} kills at random moments (PostgreSQL store)`, async function () {
    postgres = await startPostgres();
    await crashes(stack!, postgres.url, PG_CYCLES, (r) => (relay = r));
  });
});

/**
 * Posts every signer's actions to a relay process on store `dbPath`, killing it `cycles` times, then checks each
 * executed once and in order. A fresh forwarder and target each time, so the runs share nothing on chain.
 */
async function crashes(
  s: Stack,
  dbPath: string,
  cycles: number,
  started: (relay: RelayProcess | undefined) => void,
): Promise<void> {
  let relay: RelayProcess | undefined;
  const killRandom = mulberry32(SEED);
  const random = mulberry32(SEED + 1);
  const forwarder = await deploy(s, "TestForwarder", ["FishTrace"]);
  const forwarderAddress = await forwarder.getAddress();
  const target = await deploy(s, "ForwardedTarget", [forwarderAddress]);
  const targetAddress = await target.getAddress();
  const domain = forwarderDomain({ chainId: s.chainId, forwarder: forwarderAddress, name: "FishTrace" });
  const flags = [
    "--forwarder",
    forwarderAddress,
    "--action-targets",
    targetAddress,
    "--max-age",
    "0.05",
    "--action-batch",
    "5",
    "--sync",
    "normal",
  ];

  // The stack's QAT devices are registered with a role and hold no ETH: the signers.
  const deadline = Math.floor(Date.now() / 1000) + 3_600;
  const pool: Action[] = [];
  for (const [d, signer] of s.devices.entries()) {
    for (let nonce = 0; nonce < NONCES; nonce++) {
      const value = 1_000 * (d + 1) + nonce;
      const request = {
        from: signer.address,
        to: targetAddress,
        value: 0n,
        gas: 100_000n,
        nonce: BigInt(nonce),
        deadline,
        data: target.interface.encodeFunctionData("record", [value]),
      };
      const signature = await signer.signTypedData(domain, FORWARD_REQUEST_TYPES, request);
      pool.push({ signer, nonce, value, body: signedRequest(request, signature) });
    }
  }
  // Shuffled: a signer's later nonces often arrive before its earlier ones.
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }

  const acked = new Map<string, Action>();
  const unexpected: string[] = [];
  const retry: Action[] = [];
  let next = 0;
  const send = async (url: string, action: Action): Promise<boolean> => {
    try {
      const answer = await post(`${url}/v1/actions`, action.body);
      if (answer.status !== 202) {
        unexpected.push(`${answer.status}: ${JSON.stringify(answer.json)}`);
        return false;
      }
      const id = String(answer.json.id);
      const earlier = acked.get(id);
      if (earlier !== undefined && earlier !== action) unexpected.push(`two actions answered with id ${id}`);
      acked.set(id, action);
      return true;
    } catch {
      retry.push(action);
      return false;
    }
  };

  for (let cycle = 0; cycle < cycles; cycle++) {
    relay = await startRelayProcess(s, dbPath, await freePort(), flags);
    started(relay);
    const url = relay.url;
    const delay = cycle % 3 === 1 ? Math.floor(killRandom() * 60) : 150 + Math.floor(killRandom() * 700);
    let running = true;
    const retries = retry.splice(0);
    // Half the cycles also post again a request acknowledged before (a device that missed the answer).
    const repeats = cycle % 2 === 0 ? [...acked.values()].slice(0, 3) : [];
    const poster = async () => {
      while (running) {
        const action = retries.shift() ?? repeats.shift() ?? pool[next++];
        if (action === undefined) return;
        if (!(await send(url, action))) return;
        await sleep(10 + Math.floor(random() * 20));
      }
    };
    const posters = Array.from({ length: POSTERS }, poster);
    await sleep(delay);
    await relay.stop("SIGKILL");
    running = false;
    await Promise.all(posters);
    retry.push(...retries);
    expect(unexpected, unexpected.join("\n")).to.deep.equal([]);
  }

  // Once more, to the end: the rest is posted, the relay settles every action, stops cleanly.
  relay = await startRelayProcess(s, dbPath, await freePort(), flags);
  started(relay);
  for (const action of [...retry.splice(0), ...pool.slice(next)]) expect(await send(relay.url, action)).to.equal(true);
  expect(unexpected, unexpected.join("\n")).to.deep.equal([]);
  expect(acked.size).to.equal(pool.length);
  const url = relay.url;
  let states: string[] = [];
  await eventually(
    async () => {
      states = await Promise.all(
        [...acked.keys()].map(async (id) =>
          String(((await (await fetch(`${url}/v1/actions/${id}`)).json()) as { state: unknown }).state),
        ),
      );
      return states.every((state) => state === "done" || state === "refused");
    },
    90_000,
    "every action settled",
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}: ${states.join(",")}\n${relay!.output().slice(-2000)}`);
  });
  expect(
    states.filter((state) => state !== "done"),
    "actions not done",
  ).to.deep.equal([]);
  await relay.stop("SIGTERM");
  expect(relay.child.exitCode, relay.output().slice(-2000)).to.equal(0);
  started(undefined);

  // Each signer's values recorded once each, in nonce order; its forwarder nonce is the count.
  for (const [d, signer] of s.devices.entries()) {
    const values = ((await target.getFunction("valuesOf")(signer.address)) as bigint[]).map(Number);
    expect(values, `values recorded for ${signer.address}`).to.deep.equal(
      Array.from({ length: NONCES }, (_, n) => 1_000 * (d + 1) + n),
    );
    expect(await forwarder.getFunction("nonces")(signer.address)).to.equal(BigInt(NONCES));
  }
}
