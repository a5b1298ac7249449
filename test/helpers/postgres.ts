/**
 * A real PostgreSQL server for tests: src/tools/postgres.ts (the relay benchmark starts one too).
 */
export { startPostgres, type RunningPostgres } from "../../src/tools/postgres.js";
