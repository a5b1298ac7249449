/**
 * Prints a numbered story, one line per step with the gas its transaction used in a right-hand column, and keeps
 * the running gas total: the demo's output, reusable by any script that narrates a flow.
 */
import { gasText } from "../core/format.js";

export interface Story {
  /** A numbered step; with a receipt, its gas is shown and counted. */
  step(text: string, receipt?: { gasUsed: bigint }): void;
  /** An indented line under the last step. */
  detail(text: string): void;
  /** A blank line and a heading. */
  section(title: string): void;
  /** The gas of every step so far, and how many transactions. */
  totals(): { gas: bigint; transactions: number };
  /** Each section so far with the seconds it took (the last one up to now). */
  phases(): { title: string; seconds: number }[];
}

export function story(
  print: (line: string) => void = console.log,
  width = 96,
  clock: () => number = () => performance.now(),
): Story {
  const sections: { title: string; startedAt: number }[] = [];
  let steps = 0;
  let transactions = 0;
  let gas = 0n;
  return {
    step(text, receipt) {
      steps += 1;
      const head = `${String(steps).padStart(3)}. ${text}`;
      if (receipt === undefined) return print(head);
      transactions += 1;
      gas += receipt.gasUsed;
      print(`${head.padEnd(width)} ${gasText(receipt).padStart(11)}`);
    },
    detail(text) {
      print(`     ${text}`);
    },
    section(title) {
      sections.push({ title, startedAt: clock() });
      print("");
      print(title);
    },
    totals() {
      return { gas, transactions };
    },
    phases() {
      const now = clock();
      return sections.map(({ title, startedAt }, i) => ({
        title,
        seconds: ((sections[i + 1]?.startedAt ?? now) - startedAt) / 1000,
      }));
    },
  };
}
