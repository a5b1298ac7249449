/**
 * The rows of a deployment that settles in a stablecoin and takes sponsored actions: an order placed with an
 * EIP-2612 permit and its price withdrawn in the token (the test token FishTraceUSD, 6 decimals), and catches
 * registered through the deployment's ERC-2771 forwarder, one by `execute` and ten by `executeBatch`, signed by a
 * harvester with no Ether and paid for by a sponsor. Measured on a second deployment, in a state as realistic as
 * the Ether rows' (a warm-up of each first, so that no row pays for a slot created once per account).
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionResponse } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { FishTraceForwarder__factory, FishTraceUSD__factory, type IHarvester } from "../../../typechain-types/index.js";
import { FORWARD_REQUEST_TYPES, FORWARDER_NAME, forwarderDomain } from "../../core/forward-request.js";
import { signPermit } from "../../core/permit.js";
import { roleId } from "../../core/roles.js";
import { speciesCode } from "../../core/units.js";
import { deployFishTrace } from "../../node/deploy.js";
import { latestBlockTime } from "../chain.js";

type Connection = NetworkConnection & { ethers: HardhatEthers };

/** Records one measured transaction (measure.ts's `measure`). */
export type Measure = (
  contract: "harvester",
  fn: string,
  scenario: string | ((transactionGas: number) => string),
  sent: Promise<ContractTransactionResponse>,
) => Promise<void>;

/** The rows' names in the tables. */
export const SPONSORED_ROWS = {
  permit: "placeOrderWithPermit",
  withdraw: "withdraw (token)",
  execute: "registerFish via forwarder",
  batch: "registerFish via forwarder ×10",
} as const;

/** Catches registered in the measured forwarder batch. */
export const FORWARDED_BATCH = 10;

const KG = 1_000;
const DAY = 86_400;
/** 1,250 fUSD: the measured order's price (6 decimals). */
const PRICE = 1_250_000_000n;
/** Gas each forwarded call may use (the request's `gas`, checked by the forwarder). */
const REQUEST_GAS = 200_000n;

/**
 * Deploys a token deployment on `connection` and measures its rows with `measure`; `sponsor` pays the relaying,
 * `catchOf` gives the catch of `kg` the vessel registers (measure.ts's Lofoten catch).
 */
export async function measureSponsored(
  connection: Connection,
  accounts: { harvester: HardhatEthersSigner; supplier: HardhatEthersSigner; sponsor: HardhatEthersSigner },
  catchOf: (kg: number) => Promise<IHarvester.CatchStruct>,
  measure: Measure,
): Promise<void> {
  const { ethers } = connection;
  const { harvester: vessel, supplier: buyer, sponsor } = accounts;
  const system = await deployFishTrace(connection, { settlementToken: "test" });
  const { registry, harvester } = system;
  const token = FishTraceUSD__factory.connect(await registry.settlementToken(), sponsor);
  const forwarder = FishTraceForwarder__factory.connect(await registry.trustedForwarder(), sponsor);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const now = () => latestBlockTime(ethers.provider);
  const send = async (sent: Promise<ContractTransactionResponse>) => {
    await (await sent).wait();
  };

  await send(registry.registerParticipant(vessel, roleId("HARVESTER"), "MV Nordkapp", "708000300000"));
  await send(registry.registerParticipant(buyer, roleId("SUPPLIER"), "Bodø Fish Receiving", "708000300001"));
  const COD = speciesCode("COD");
  await send(registry.listSpecies(COD, "Atlantic cod"));
  await send(token.mint(buyer, 100n * PRICE));

  // ---- orders in the token: a warm-up sale, an order left open in escrow, then the measured order and payout
  const asVessel = harvester.connect(vessel);
  const asBuyer = harvester.connect(buyer);
  for (const kg of [300, 260]) await send(asVessel.registerFish(await catchOf(kg)));
  const order = async (measured: boolean) => {
    const deadline = BigInt((await now()) + DAY);
    const sig = await signPermit(buyer, token, await harvester.getAddress(), PRICE, deadline);
    const placed = asBuyer.placeOrderWithPermit(
      vessel,
      COD,
      10 * KG,
      (await now()) + 2 * DAY,
      DAY,
      PRICE,
      deadline,
      sig.v,
      sig.r,
      sig.s,
    );
    if (measured) {
      await measure(
        "harvester",
        SPONSORED_ROWS.permit,
        "an order for 10 kg of COD, 1,250 fUSD escrowed, with the buyer's EIP-2612 permit (no approve transaction)",
        placed,
      );
    } else await send(placed);
    return await harvester.orderCount();
  };
  const settle = async (orderId: bigint, lotId: bigint) => {
    await send(asVessel.initiateShipment(orderId, 9000n + orderId, [lotId]));
    await send(asVessel.confirmDelivery(orderId));
    await send(asBuyer.acknowledge(orderId, 9000n + orderId, [lotId]));
  };
  const warm = await order(false);
  await settle(warm, 1n);
  await send(asVessel.withdraw(warm));
  await order(false); // stays open: the book holds escrow when the measured order pulls its price
  const measuredOrder = await order(true);
  await settle(measuredOrder, 2n);
  await measure(
    "harvester",
    SPONSORED_ROWS.withdraw,
    `the seller withdraws the price of order ${measuredOrder} in fUSD (SafeERC20 transfer)`,
    asVessel.withdraw(measuredOrder),
  );

  // ---- sponsored catches: the harvester signs, the sponsor submits (a warm-up request first uses its nonce slot)
  const harvesterAddress = await harvester.getAddress();
  const request = async (nonce: bigint, kg: number) => {
    const value = {
      from: vessel.address,
      to: harvesterAddress,
      value: 0n,
      gas: REQUEST_GAS,
      nonce,
      deadline: BigInt((await now()) + DAY),
      data: harvester.interface.encodeFunctionData("registerFish", [await catchOf(kg)]),
    };
    const domain = forwarderDomain({ chainId, forwarder: await forwarder.getAddress(), name: FORWARDER_NAME });
    const signature = await vessel.signTypedData(domain, FORWARD_REQUEST_TYPES, value);
    return { ...value, signature };
  };
  const nonce = () => forwarder.nonces(vessel.address);
  await send(forwarder.execute(await request(await nonce(), 120)));
  await measure(
    "harvester",
    SPONSORED_ROWS.execute,
    "a COD catch (250 kg) signed by a harvester with no Ether, submitted by the sponsor through ERC2771Forwarder.execute",
    forwarder.execute(await request(await nonce(), 250)),
  );
  const first = await nonce();
  const batch = [];
  for (let i = 0; i < FORWARDED_BATCH; i++) batch.push(await request(first + BigInt(i), 200 + i));
  await measure(
    "harvester",
    SPONSORED_ROWS.batch,
    (gas) =>
      `${FORWARDED_BATCH} catches, each its own signed request, in one executeBatch by the sponsor: ${Math.round(gas / FORWARDED_BATCH).toLocaleString("en-US")} gas per catch`,
    forwarder.executeBatch(batch, sponsor.address),
  );
}
