/**
 * A real PostgreSQL server for tests: src/tools/postgres.ts (shared with the trace and relay benchmarks). Nothing here skips
 * when the server is missing: the error says what to install.
 */
export { startPostgres, type RunningPostgres } from "../../src/tools/postgres.js";
