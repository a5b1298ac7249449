/**
 * Packing is deployed with the system and recorded in Ignition's deployed_addresses.json as `FishTrace#Packing`; a
 * deployment recorded before packing existed has no such entry and still reads, without a packing address.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { CONTRACT_NAMES, DEPLOYMENT_KEYS, recordedAddresses } from "../../src/node/system.js";
import { Decoder } from "../../src/index/decode.js";
import { deployWorld } from "../helpers/fixtures.js";

/** A deployed_addresses.json of a deployment id in a fresh ignition directory; its path. */
async function journal(entries: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "fishtrace-ignition-"));
  await mkdir(path.join(dir, "deployments", "old"), { recursive: true });
  await writeFile(path.join(dir, "deployments", "old", "deployed_addresses.json"), JSON.stringify(entries));
  return dir;
}

const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const EIGHT = Object.fromEntries(DEPLOYMENT_KEYS.map((key, i) => [`FishTrace#${CONTRACT_NAMES[key]}`, address(i + 1)]));

describe("packing in a deployment", function () {
  it("is deployed with the system, wired to its registry and six stages", async () => {
    const world = await deployWorld();
    expect(world.packing, "the world's packing contract").to.not.equal(undefined);
    const packing = world.packing!;
    expect(world.addresses.packing).to.equal(await packing.getAddress());
    expect(await packing.registry()).to.equal(world.addresses.registry);
    expect(await packing.stageAt(1)).to.equal(world.addresses.harvester);
    expect(await packing.stageAt(6)).to.equal(world.addresses.customer);
    // The indexer reads packing's logs with the others.
    expect(new Decoder(world.addresses).addressList).to.include(world.addresses.packing);
  });

  it("a deployment file from before packing still reads: every other address, no packing", async () => {
    const dir = await journal(EIGHT);
    try {
      const addresses = await recordedAddresses(0n, dir, "old");
      expect(addresses).to.not.have.property("packing");
      expect(addresses.registry).to.equal(address(1));
      expect(addresses.qualityLedger).to.equal(address(8));
      expect(new Decoder(addresses).addressList).to.have.length(8);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a deployment file with packing gives its address", async () => {
    const dir = await journal({ ...EIGHT, "FishTrace#Packing": address(9) });
    try {
      const addresses = await recordedAddresses(0n, dir, "old");
      expect(addresses.packing).to.equal(address(9));
      expect(new Decoder(addresses).addressList).to.have.length(9);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
