/**
 * `kill` (src/tools/processes.ts) ends a child's whole process group, not only its leader: the local stack and the tests
 * start services through wrappers (tsx, npx) whose leader can exit before the process it started. CI once found a
 * group member alive after `stop()` returned.
 */
import { spawn } from "node:child_process";
import { expect } from "chai";

import { groupAlive, kill, started } from "../../src/tools/processes.js";

/** A detached leader that exits on SIGTERM at once, with a grandchild in its group that outlives it. */
function leaderWithLingeringChild(grandchild: string) {
  const script = `
    const { spawn } = require("node:child_process");
    const c = spawn(process.execPath, ["-e", ${JSON.stringify(grandchild)}], { stdio: "inherit" });
    setTimeout(() => console.log("ready"), 200);
    process.on("SIGTERM", () => process.exit(0));
    setInterval(() => {}, 1000);
  `;
  return spawn(process.execPath, ["-e", script], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
}

describe("process groups: kill waits for every member", function () {
  this.timeout(20_000);

  it("waits for a member that takes a while to end after SIGTERM", async function () {
    const child = leaderWithLingeringChild(
      `process.on("SIGTERM", () => setTimeout(() => process.exit(0), 700)); setInterval(() => {}, 1000);`,
    );
    await started(child, "ready", "the leader", 10_000);
    await kill(child);
    expect(groupAlive(child.pid ?? 0), "a group member outlived kill()").to.equal(false);
  });

  it("sends SIGKILL to a member that ignores SIGTERM once the grace period is over", async function () {
    const child = leaderWithLingeringChild(`process.on("SIGTERM", () => {}); setInterval(() => {}, 1000);`);
    await started(child, "ready", "the leader", 10_000);
    const t0 = Date.now();
    await kill(child, "SIGTERM", 500);
    expect(groupAlive(child.pid ?? 0), "a group member outlived kill()").to.equal(false);
    expect(Date.now() - t0).to.be.below(4_000);
  });
});
