import type { ContractTransactionResponse } from "ethers";

import { FishTraceUSD__factory } from "../../typechain-types/index.js";
import { settlementOf } from "../../src/core/deployment.js";
import { duration, isoTime, txText } from "../../src/core/format.js";
import { InputError } from "../../src/core/input-error.js";
import { durationSeconds, required, timeOrDelay } from "../../src/core/inputs.js";
import { amountText, parseAmount } from "../../src/core/money.js";
import { NO_PERMIT, PERMIT_LIFETIME, permitOrderArgs, signPermit } from "../../src/core/permit.js";
import { participantLabel, speciesLabel } from "../../src/core/labels.js";
import { buyerRole, orderBook, sellingStage, stageRole } from "../../src/core/stages.js";
import { eventIn, mined } from "../../src/node/tx.js";
import { formatGrams, grams, speciesCode } from "../../src/core/units.js";
import type { StageArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { addressOf, chainNow, connectFishTrace, firstWithRole } from "../session.js";

interface Args extends StageArgs {
  seller?: string;
  species?: string;
  weight?: string;
  price?: string;
  shipBy?: string;
  ackWindow?: string;
  permit: boolean;
}

export default fishTraceAction(async (args: Args, hre) => {
  const stage = sellingStage(args.stage);
  const species = speciesCode(required(args.species, "species"));
  const weightGrams = grams(required(args.weight, "weight"));
  const priceText = required(args.price, "price");
  const ackWindow = durationSeconds(args.ackWindow ?? "2d", "acknowledgement window");

  const { session, fishTrace, signer } = await connectFishTrace(hre, args, firstWithRole(buyerRole(stage)));
  const settlement = await settlementOf(fishTrace, session.ethers.provider);
  const book = orderBook(fishTrace, stage);
  const { registry } = fishTrace;
  const seller =
    args.seller === undefined
      ? await firstWithRole(stageRole(stage))(fishTrace, session)
      : addressOf(session, args.seller, "--seller");
  const shipBy = timeOrDelay(args.shipBy ?? "7d", "ship-by time", await chainNow(session));
  const { token } = settlement;
  const price = parseAmount(priceText, settlement, "price");
  let placed: Promise<ContractTransactionResponse>;
  if (token === undefined) {
    if (args.permit) throw new InputError("--permit is for a deployment that settles in a token; this one uses ETH");
    placed = book.placeOrder(seller, species, weightGrams, shipBy, ackWindow, { value: price });
  } else {
    const erc20 = FishTraceUSD__factory.connect(token, signer);
    const spender = await book.getAddress();
    let permit = NO_PERMIT;
    if (args.permit) {
      const deadline = BigInt((await chainNow(session)) + PERMIT_LIFETIME);
      const { v, r, s } = await signPermit(signer, erc20, spender, price, deadline);
      permit = { deadline, v, r, s };
    } else if ((await erc20.allowance(signer, spender)) < price) {
      console.log(`  approving ${amountText(price, settlement)} to the ${stage} order book (or use --permit)`);
      await mined(erc20.approve(spender, price));
    }
    placed = book.placeOrderWithPermit(
      ...permitOrderArgs({ seller, species, weightGrams, shipBy, ackWindow, price }, permit),
    );
  }
  const receipt = await mined(placed);
  const { orderId, sellerId, buyerId } = (await eventIn(book, book.filters.OrderPlaced(), receipt)).args;
  console.log(
    `${stage} order ${orderId} placed by ${await participantLabel(registry, buyerId)}: at least ` +
      `${formatGrams(weightGrams)} of ${await speciesLabel(registry, species)} from ` +
      (await participantLabel(registry, sellerId)),
  );
  console.log(
    `  ${amountText(price, settlement)} in escrow; ship by ${isoTime(shipBy)}; ${duration(ackWindow)} to acknowledge once delivered`,
  );
  console.log(`  ${txText(receipt)}`);
  return { stage, orderId };
});
