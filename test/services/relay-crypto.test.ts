/**
 * The relay's fast paths hold to the slow, obviously-right ones: the word-by-word EIP-712 digest equals ethers'
 * generic encoder (and so the contract's, which quality.test.ts ties to ethers), the native secp256k1 recovery
 * equals ethers' and refuses what OpenZeppelin's ECDSA refuses; and the `relay` task's options fail in one line.
 */
import { expect } from "chai";
import { Wallet, getBytes, hashMessage, hexlify, id, randomBytes, toBeHex, verifyMessage } from "ethers";

import { qatDomain, readingDigest, readingDigester, type QatReading } from "../../src/core/qat.js";
import { proofOf, sensorMerkle, sensorRoot, sensorTree, type SensorReading } from "../../src/core/sensors.js";
import { messageSigner, recoverSigner, recoverSignerSlow } from "../../src/node/signature.js";
import { mulberry32 } from "../../src/core/random.js";
import { fails } from "../helpers/task-run.js";

function bigOf(random: () => number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(Math.floor(random() * 65536));
  return v & ((1n << BigInt(bits)) - 1n);
}

describe("relay cryptography fast paths", function () {
  const random = mulberry32(0x5eed_0f15);
  const domain = qatDomain(31337n, "0x5FbDB2315678afecb367f032d93F642f64180aa3");

  function reading(): QatReading {
    const edge = random() < 0.2;
    return {
      readingId: edge ? (1n << 64n) - 1n : bigOf(random, 64),
      lotId: edge ? (1n << 256n) - 1n : bigOf(random, 256),
      species: hexlify(randomBytes(3)),
      speciesConfidence: Math.floor(random() * 256),
      grade: Math.floor(random() * 256),
      gradeConfidence: Math.floor(random() * 256),
      scannedAt: edge ? 2 ** 40 - 1 : Math.floor(random() * 2 ** 40),
      device: hexlify(randomBytes(20)),
    };
  }

  it("readingDigester equals ethers' EIP-712 encoder on 500 seeded readings, edges included", function () {
    const digest = readingDigester(domain);
    for (let i = 0; i < 500; i++) {
      const r = reading();
      expect(
        hexlify(digest(r)),
        JSON.stringify(r, (_, v: unknown) => String(v)),
      ).to.equal(readingDigest(domain, r));
    }
  });

  it("recoverSigner finds the signer ethers finds, for 40 keys", async function () {
    for (let i = 0; i < 40; i++) {
      const key = new Wallet(id(`relay crypto test key ${i}`));
      const digest = getBytes(id(`digest ${i}`));
      const signature = key.signingKey.sign(digest).serialized;
      expect(recoverSigner(digest, signature)).to.equal(key.address);
      expect(recoverSignerSlow(digest, signature)).to.equal(key.address);
    }
  });

  it("recoverSigner refuses what ECDSA.tryRecover refuses: high s, v not 27/28, r or s zero, wrong length", function () {
    const key = new Wallet(id("relay crypto test: malleability"));
    const digest = getBytes(id("a digest"));
    const sig = getBytes(key.signingKey.sign(digest).serialized);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(hexlify(sig.subarray(32, 64)));
    const high = new Uint8Array(sig);
    high.set(getBytes(toBeHex(n - s, 32)), 32);
    high[64] = sig[64] === 27 ? 28 : 27;
    expect(recoverSigner(digest, sig)).to.equal(key.address);
    expect(recoverSigner(digest, high)).to.equal(undefined); // ecrecover would take it; the ledger does not
    const v29 = new Uint8Array(sig);
    v29[64] = 29;
    expect(recoverSigner(digest, v29)).to.equal(undefined);
    const rZero = new Uint8Array(sig);
    rZero.fill(0, 0, 32);
    expect(recoverSigner(digest, rZero)).to.equal(undefined);
    expect(recoverSigner(digest, sig.subarray(0, 64))).to.equal(undefined);
    expect(recoverSigner(digest, "0xnothex")).to.equal(undefined);
  });

  it("messageSigner reads a gateway's EIP-191 signature over a request body", async function () {
    const gateway = new Wallet(id("relay crypto test: gateway"));
    const body = new TextEncoder().encode('{"gateway":"…","readings":[]}');
    const signature = await gateway.signMessage(body);
    expect(messageSigner(body, signature)).to.equal(gateway.address);
    expect(verifyMessage(body, signature)).to.equal(gateway.address);
    expect(hashMessage(body)).to.match(/^0x[0-9a-f]{64}$/);
    const other = new TextEncoder().encode('{"gateway":"…","readings":[1]}');
    expect(messageSigner(other, signature)).to.not.equal(gateway.address);
  });

  it("the relay task refuses bad options in one line, before touching the chain", async function () {
    expect(await fails(["relay"], { port: "http" })).to.equal('error: --port "http" is not a whole number 0..65535');
    expect(await fails(["relay"], { sync: "sometimes" })).to.equal(
      'error: --sync "sometimes" must be full (survives a power cut) or normal (survives a crash)',
    );
    expect(await fails(["relay"], { qatBatch: "0" })).to.equal("error: --qat-batch must be at least 1");
    expect(await fails(["relay"], { maxAge: "soon" })).to.equal(
      'error: --max-age "soon" is not a number of seconds (0 < s ≤ 86400)',
    );
    expect(await fails(["relay"], { key: "0x1234" })).to.match(
      /^error: (the relay key is not 32 bytes of hex|FishTrace is not deployed on the in-process network)/,
    );
  });
});

describe("the relay's sensor root", function () {
  it("equals the standard tree's root for batches of 1 to 300 seeded readings, negative temperatures included", async function () {
    const random = mulberry32(0x7ee5_0f15);
    for (const size of [1, 2, 3, 7, 64, 255, 300]) {
      const readings: SensorReading[] = Array.from({ length: size }, () => ({
        sensor: hexlify(randomBytes(20)),
        readAt: Math.floor(random() * 2 ** 40),
        temperature: Math.floor(random() * 65_536) - 32_768,
        humidity: Math.floor(random() * 256),
      }));
      expect(await sensorRoot(readings, 16), `${size} readings`).to.equal(sensorTree(readings).root);
    }
  });

  it("computes every reading's proof as the standard tree does (what the relay stores when it anchors)", async function () {
    const random = mulberry32(0x0f_0f5eed);
    for (const size of [1, 2, 3, 5, 64, 257]) {
      const readings: SensorReading[] = Array.from({ length: size }, () => ({
        sensor: hexlify(randomBytes(20)),
        readAt: Math.floor(random() * 2 ** 40),
        temperature: Math.floor(random() * 65_536) - 32_768,
        humidity: Math.floor(random() * 256),
      }));
      const tree = sensorTree(readings);
      const { root, proofs } = await sensorMerkle(readings, 16);
      expect(root).to.equal(tree.root);
      readings.forEach((r, i) => expect(proofs[i], `${size} readings, reading ${i}`).to.deep.equal(proofOf(tree, r)));
    }
  });
});
