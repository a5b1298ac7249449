import { ether, txText } from "../../src/core/format.js";
import { accountLabel } from "../../src/core/labels.js";
import { eventsIn, mined } from "../../src/node/tx.js";
import { fishTraceAction } from "../run.js";
import { connectToOrder, orderOf, type OrderArgs } from "../session.js";

export default fishTraceAction(async (args: OrderArgs, hre) => {
  const order = orderOf(args);
  const { stage, orderId } = order;

  const { session, signer, fishTrace, book } = await connectToOrder(hre, args, order, "owed");
  const receipt = await mined(book.withdraw(orderId));
  const paid = await eventsIn(book, book.filters.OrderPaid(orderId), receipt);
  const refunded = await eventsIn(book, book.filters.OrderRefunded(orderId), receipt);
  const amount = paid[0]?.args.amount ?? refunded[0]?.args.amount ?? 0n;
  const balance = await session.ethers.provider.getBalance(signer.address);
  console.log(
    `${stage} order ${orderId}: ${paid.length > 0 ? "price" : "refund"} of ${ether(amount)} paid to ` +
      `${await accountLabel(fishTrace.registry, signer.address)}`,
  );
  console.log(
    `  balance now ${ether(balance, 6)}; escrow left in the ${stage} contract ${ether(await book.escrowBalance())}`,
  );
  console.log(`  ${txText(receipt)}`);
  return { stage, orderId, amount };
});
