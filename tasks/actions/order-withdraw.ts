import { ether, txText } from "../../src/format.js";
import { required } from "../../src/inputs.js";
import { orderWithParties } from "../../src/orders.js";
import { accountLabel } from "../../src/labels.js";
import { eventsIn, mined } from "../../src/tx.js";
import { positiveId } from "../../src/units.js";
import { ORDER_STATE } from "../../src/vocabulary.js";
import type { DeploymentArgs } from "../options.js";
import { fishTraceAction } from "../run.js";
import { connectFishTrace } from "../session.js";

interface Args extends DeploymentArgs {
  order?: string;
}

export default fishTraceAction(async (args: Args, hre) => {
  const orderId = positiveId(required(args.order, "order"), "order");

  const { session, signer, fishTrace } = await connectFishTrace(hre, args, async ({ harvester, registry }) => {
    const { order, seller, buyer } = await orderWithParties(harvester, registry, orderId);
    return ORDER_STATE[Number(order.state)] === "Acknowledged" ? seller : buyer;
  });
  const { harvester, registry } = fishTrace;
  const receipt = await mined(harvester.withdraw(orderId));
  const paid = await eventsIn(harvester, harvester.filters.OrderPaid(orderId), receipt);
  const refunded = await eventsIn(harvester, harvester.filters.OrderRefunded(orderId), receipt);
  const amount = paid[0]?.args.amount ?? refunded[0]?.args.amount ?? 0n;
  const balance = await session.ethers.provider.getBalance(signer.address);
  console.log(
    `order ${orderId}: ${paid.length > 0 ? "price" : "refund"} of ${ether(amount)} paid to ` +
      `${await accountLabel(registry, signer.address)}`,
  );
  console.log(
    `  balance now ${ether(balance, 6)}; escrow left in the contract ${ether(await harvester.escrowBalance())}`,
  );
  console.log(`  ${txText(receipt)}`);
  return { orderId, amount };
});
