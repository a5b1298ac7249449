import { duration, ether, isoTime, txText } from "../../src/core/format.js";
import { durationSeconds, etherAmount, required, timeOrDelay } from "../../src/core/inputs.js";
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
}

export default fishTraceAction(async (args: Args, hre) => {
  const stage = sellingStage(args.stage);
  const species = speciesCode(required(args.species, "species"));
  const weightGrams = grams(required(args.weight, "weight"));
  const price = etherAmount(required(args.price, "price"), "price");
  const ackWindow = durationSeconds(args.ackWindow ?? "2d", "acknowledgement window");

  const { session, fishTrace } = await connectFishTrace(hre, args, firstWithRole(buyerRole(stage)));
  const book = orderBook(fishTrace, stage);
  const { registry } = fishTrace;
  const seller =
    args.seller === undefined
      ? await firstWithRole(stageRole(stage))(fishTrace, session)
      : addressOf(session, args.seller, "--seller");
  const shipBy = timeOrDelay(args.shipBy ?? "7d", "ship-by time", await chainNow(session));
  const receipt = await mined(book.placeOrder(seller, species, weightGrams, shipBy, ackWindow, { value: price }));
  const { orderId, sellerId, buyerId } = (await eventIn(book, book.filters.OrderPlaced(), receipt)).args;
  console.log(
    `${stage} order ${orderId} placed by ${await participantLabel(registry, buyerId)}: at least ` +
      `${formatGrams(weightGrams)} of ${await speciesLabel(registry, species)} from ` +
      (await participantLabel(registry, sellerId)),
  );
  console.log(
    `  ${ether(price)} in escrow; ship by ${isoTime(shipBy)}; ${duration(ackWindow)} to acknowledge once delivered`,
  );
  console.log(`  ${txText(receipt)}`);
  return { stage, orderId };
});
