/**
 * Tables 2 and 3 of the paper with this project's figures beside them, as data (committed to gas/tables.json)
 * and as Markdown (gas/tables.md, printed by the gas-tables task).
 */
import { BUDGETS, GAS_PRICE_GWEI, PAPER_TABLE_2, PAPER_TABLE_3, USD_PER_ETH } from "./paper.js";
import { IOT_GOALS, type IotMeasurement } from "./iot.js";
import type { GasMeasurements } from "./measure.js";

export interface PayableRow {
  contract: string;
  fn: string;
  paperName: string | null;
  transactionGas: number;
  executionGas: number;
  eth: number;
  usd: number;
  budget: number | null;
  paperTransactionGas: number | null;
  paperExecutionGas: number | null;
  paperUsd: number | null;
  /** ours / paper, transaction gas */
  ratio: number | null;
  scenario: string;
}

export interface ViewRow {
  fn: string;
  paperName: string | null;
  executionGas: number;
  paperExecutionGas: number | null;
  ratio: number | null;
  scenario: string;
}

export interface GasTables {
  gasPriceGwei: number;
  usdPerEth: number;
  /** The Harvester's payable functions: the paper's smart contract 1. */
  table2: PayableRow[];
  table3: ViewRow[];
  /** Every stage's payable functions. */
  stages: PayableRow[];
  /** The IoT layer: QAT scans and sensor anchors, with the issue's goals. */
  iot: IotRow[];
}

export interface IotRow extends IotMeasurement {
  /** The goal the row is held to, in the unit of `goalOf`; null when the row is informative. */
  goal: number | null;
  /** What the goal bounds: the transaction, each reading, or gas per reading. */
  goalOf: "transaction" | "each reading" | null;
}

/** The goal of an IoT measurement, from the issue. */
function iotGoal(m: IotMeasurement): Pick<IotRow, "goal" | "goalOf"> {
  if (m.fn === "submitScan") return { goal: IOT_GOALS.submitScan, goalOf: "transaction" };
  if (m.fn.startsWith("submitScans")) {
    const goal = m.fn.includes("first of each lot") ? IOT_GOALS.submitScansFirstEach : IOT_GOALS.submitScansEach;
    return { goal, goalOf: "each reading" };
  }
  if (m.fn === "anchorReadings" && m.readings === 1_000)
    return { goal: IOT_GOALS.anchorPerReadingAt1000, goalOf: "each reading" };
  return { goal: null, goalOf: null };
}

/** The figure a row's goal bounds. */
export function iotFigure(row: IotRow): number {
  return row.goalOf === "transaction" ? row.transactionGas : row.gasPerReading;
}

const round = (n: number, digits: number) => Number(n.toFixed(digits));

export function buildTables(m: GasMeasurements): GasTables {
  const rows = m.payable.map((row): PayableRow => {
    const paper = row.contract === "harvester" ? PAPER_TABLE_2[row.fn] : undefined;
    const eth = (row.transactionGas * GAS_PRICE_GWEI) / 1e9;
    return {
      contract: row.contract,
      fn: row.fn,
      paperName: paper?.paperName ?? null,
      transactionGas: row.transactionGas,
      executionGas: row.executionGas,
      eth: round(eth, 8),
      usd: round(eth * USD_PER_ETH, 2),
      budget: BUDGETS[row.fn] ?? null,
      paperTransactionGas: paper?.transactionGas ?? null,
      paperExecutionGas: paper?.executionGas ?? null,
      paperUsd: paper?.usd ?? null,
      ratio: paper === undefined ? null : round(row.transactionGas / paper.transactionGas, 3),
      scenario: row.scenario,
    };
  });
  const table3 = m.views.map((row): ViewRow => {
    const paper = PAPER_TABLE_3[row.fn];
    return {
      fn: row.fn,
      paperName: paper?.paperName ?? null,
      executionGas: row.executionGas,
      paperExecutionGas: paper?.executionGas ?? null,
      ratio: paper === undefined ? null : round(row.executionGas / paper.executionGas, 3),
      scenario: row.scenario,
    };
  });
  return {
    gasPriceGwei: GAS_PRICE_GWEI,
    usdPerEth: USD_PER_ETH,
    table2: rows.filter((r) => r.contract === "harvester"),
    table3,
    stages: rows,
    iot: m.iot.map((row) => ({ ...row, ...iotGoal(row) })),
  };
}

/** Functions whose transaction gas exceeds their budget, and IoT rows above their goal, as one line each. */
export function overBudget(tables: GasTables): string[] {
  return [
    ...tables.stages
      .filter((r) => r.budget !== null && r.transactionGas > r.budget)
      .map((r) => `${r.contract}.${r.fn} uses ${r.transactionGas} gas, budget ${r.budget}`),
    ...tables.iot
      .filter((r) => r.goal !== null && iotFigure(r) > r.goal)
      .map((r) => `${r.fn} (${r.readings} readings) uses ${iotFigure(r)} gas per ${r.goalOf}, goal ${r.goal}`),
  ];
}

const STAGE_ORDER = ["harvester", "supplier", "manufacturer", "distributor", "retailer", "customer"];

const n = (v: number | null) => (v === null ? "—" : v.toLocaleString("en-US"));
const x = (v: number | null) => (v === null ? "—" : `${v.toFixed(2)}×`);

export function tablesMarkdown(t: GasTables): string {
  const lines = [
    `### Table 2 — payable functions (transaction gas, one lot; ETH at ${t.gasPriceGwei} gwei, USD at ${t.usdPerEth.toLocaleString("en-US")} USD/ETH)`,
    "",
    "| function | paper name | tx gas | exec gas | ETH | USD | budget | paper tx gas | paper exec gas | paper USD | ours / paper |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...t.table2.map(
      (r) =>
        `| \`${r.fn}\` | ${r.paperName ?? "—"} | ${n(r.transactionGas)} | ${n(r.executionGas)} | ${r.eth.toFixed(8)} | ${r.usd.toFixed(2)} | ${n(r.budget)} | ${n(r.paperTransactionGas)} | ${n(r.paperExecutionGas)} | ${r.paperUsd === null ? "—" : r.paperUsd.toFixed(2)} | ${x(r.ratio)} |`,
    ),
    "",
    "### Table 3 — view functions (execution gas)",
    "",
    "| function | paper name | exec gas | paper exec gas | ours / paper |",
    "|---|---|---:|---:|---:|",
    ...t.table3.map(
      (r) =>
        `| \`${r.fn}\` | ${r.paperName ?? "—"} | ${n(r.executionGas)} | ${n(r.paperExecutionGas)} | ${x(r.ratio)} |`,
    ),
    "",
    "### Every stage — transaction gas of each payable function, one lot",
    "",
    ...stageMatrix(t),
    "",
    "### Packing — logistic units (SSCCs), transaction gas",
    "",
    "| function | tx gas | exec gas | budget |",
    "|---|---:|---:|---:|",
    ...t.stages
      .filter((r) => r.contract === "packing")
      .map((r) => `| \`${r.fn}\` | ${n(r.transactionGas)} | ${n(r.executionGas)} | ${n(r.budget)} |`),
    "",
    "### IoT layer — QAT scans and sensor batches (transaction gas)",
    "",
    "| function | readings | tx gas | gas per reading | goal |",
    "|---|---:|---:|---:|---:|",
    ...t.iot.map(
      (r) =>
        `| \`${r.fn}\` | ${n(r.readings)} | ${n(r.transactionGas)} | ${n(r.gasPerReading)} | ${r.goal === null ? "—" : `≤ ${n(r.goal)} per ${r.goalOf === "transaction" ? "transaction" : "reading"}`} |`,
    ),
    "",
    "Scenarios:",
    "",
    ...t.table2.map((r) => `- \`${r.fn}\`: ${r.scenario}`),
    ...t.table3.map((r) => `- \`${r.fn}\`: ${r.scenario}`),
    ...t.stages.filter((r) => r.contract !== "harvester").map((r) => `- ${r.contract} \`${r.fn}\`: ${r.scenario}`),
    ...t.iot.map((r) => `- \`${r.fn}\` (${n(r.readings)}): ${r.scenario}`),
    "",
  ];
  return lines.join("\n");
}

/** Functions as rows, stages as columns, with each function's budget (packing has a table of its own). */
function stageMatrix(t: GasTables): string[] {
  const fns = [...new Set(t.stages.filter((r) => STAGE_ORDER.includes(r.contract)).map((r) => r.fn))];
  const cell = (stage: string, fn: string) => {
    const row = t.stages.find((r) => r.contract === stage && r.fn === fn);
    return row === undefined ? "—" : n(row.transactionGas);
  };
  return [
    `| function | ${STAGE_ORDER.join(" | ")} | budget |`,
    `|---|${STAGE_ORDER.map(() => "---:").join("|")}|---:|`,
    ...fns.map(
      (fn) => `| \`${fn}\` | ${STAGE_ORDER.map((s) => cell(s, fn)).join(" | ")} | ${n(BUDGETS[fn] ?? null)} |`,
    ),
  ];
}
