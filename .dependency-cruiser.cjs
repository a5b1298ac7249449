/**
 * The import half of the lint gate (`npm run lint`): the layers of src/ and the browser boundary, checked on the
 * resolved files (dependency-cruiser), so neither a relative path nor an alias can step around them.
 *
 *   core ← node ← index ← exports, analytics ← services ← tools, tasks        web/src → core only
 *
 * A layer imports only the layers to its left (analytics and exports do not import each other); core is what a
 * browser can run: no Node built-in, no Hardhat. The Ignition module is data for node/ and tools/ (it reads core's
 * defaults). No import cycle anywhere. Tests may import anything.
 */
const LAYERS = {
  core: ["core"],
  node: ["core", "node"],
  index: ["core", "node", "index"],
  exports: ["core", "node", "index", "exports"],
  analytics: ["core", "node", "index", "analytics"],
  services: ["core", "node", "index", "exports", "analytics", "services"],
  tools: ["core", "node", "index", "exports", "analytics", "services", "tools"],
};
const OTHER_SRC = (allowed) => `^src/(?!(?:${allowed.join("|")})/)`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycle",
      comment: "An import cycle: the modules cannot be read, tested or moved one at a time.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    ...Object.entries(LAYERS).map(([layer, allowed]) => ({
      name: `layer-${layer}`,
      comment: `src/${layer}/ imports only ${allowed.map((l) => `src/${l}/`).join(", ")} (README: Layers).`,
      severity: "error",
      from: { path: `^src/${layer}/` },
      to: { path: [OTHER_SRC(allowed), "^tasks/", "^test/", "^web/"] },
    })),
    {
      name: "layer-ignition",
      comment: "Only node/ and tools/ deploy through the Ignition module.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(node|tools)/" },
      to: { path: "^ignition/" },
    },
    {
      name: "ignition-reads-core",
      comment: "The Ignition module reads only core's defaults.",
      severity: "error",
      from: { path: "^ignition/" },
      to: { path: ["^src/(?!core/)", "^tasks/", "^test/", "^web/"] },
    },
    {
      name: "core-is-browser-safe",
      comment: "src/core/ runs in the browser (the dApp imports it): no Node built-in, no Hardhat.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "core-has-no-hardhat",
      comment: "src/core/ runs in the browser (the dApp imports it): no Hardhat.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { path: "node_modules/(hardhat|@nomicfoundation)/" },
    },
    {
      name: "web-imports-core-only",
      comment: "The dApp imports src/core/ only (as @core/…), besides its own files and browser-safe packages.",
      severity: "error",
      from: { path: "^web/src/" },
      to: { path: ["^src/(?!core/)", "^tasks/", "^test/", "^ignition/"] },
    },
    {
      name: "web-is-browser-safe",
      comment: "The dApp runs in the browser: no Node built-in.",
      severity: "error",
      from: { path: "^web/src/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "production-imports-no-tests",
      comment: "Production code does not import the tests' helpers.",
      severity: "error",
      from: { path: "^(src|tasks|web/src|ignition)/" },
      to: { path: "^test/" },
    },
    {
      name: "tasks-are-a-top-layer",
      comment: "Nothing in src/ imports a task.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^tasks/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(typechain-types|artifacts|cache|coverage|web/dist)/" },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
