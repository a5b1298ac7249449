import { FishTraceUSD__factory } from "../../typechain-types/index.js";
import { settlementOf } from "../../src/core/deployment.js";
import { txText } from "../../src/core/format.js";
import { amountText } from "../../src/core/money.js";
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
  const money = await settlementOf(fishTrace, session.ethers.provider);
  const balance =
    money.token === undefined
      ? await session.ethers.provider.getBalance(signer.address)
      : await FishTraceUSD__factory.connect(money.token, session.ethers.provider).balanceOf(signer.address);
  console.log(
    `${stage} order ${orderId}: ${paid.length > 0 ? "price" : "refund"} of ${amountText(amount, money)} paid to ` +
      `${await accountLabel(fishTrace.registry, signer.address)}`,
  );
  console.log(
    `  balance now ${amountText(balance, money, 6)}; escrow left in the ${stage} contract ` +
      amountText(await book.escrowBalance(), money),
  );
  console.log(`  ${txText(receipt)}`);
  return { stage, orderId, amount };
});
