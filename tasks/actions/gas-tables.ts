import { isDeepStrictEqual } from "node:util";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { readCommittedTables, TABLES_JSON, TABLES_MD, writeTables } from "../../src/tools/gas/files.js";
import { measureGas } from "../../src/tools/gas/measure.js";
import { buildTables, overBudget, tablesMarkdown } from "../../src/tools/gas/tables.js";
import { updateReadmeSection } from "../../src/tools/readme.js";

interface Args {
  check: boolean;
}

export default async function gasTables({ check }: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const connection = await hre.network.create();
  const tables = buildTables(await measureGas(connection));
  console.log(tablesMarkdown(tables));

  const over = overBudget(tables);
  for (const line of over) console.error(`over budget: ${line}`);
  if (over.length === 0) {
    const budgeted = tables.stages.filter((r) => r.budget !== null).length + tables.iot.filter((r) => r.goal).length;
    console.log(`All ${budgeted} budgeted measurements within budget.`);
  }

  if (check) {
    const committed = await readCommittedTables().catch(() => undefined);
    if (!isDeepStrictEqual(committed, JSON.parse(JSON.stringify(tables)))) {
      console.error(`error: ${TABLES_JSON} is out of date; run \`npx hardhat gas-tables\` and commit it`);
      process.exitCode = 1;
    }
  } else {
    await writeTables(tables);
    await updateReadmeSection("gas", tablesMarkdown(tables));
    console.log(`Wrote ${TABLES_JSON}, ${TABLES_MD} and the README's gas section.`);
  }
  if (over.length > 0) process.exitCode = 1;
}
