/**
 * The TypeScript half of the lint gate (`npm run lint`), type-aware through typescript-eslint. The import layers and
 * cycles are checked by dependency-cruiser (.dependency-cruiser.cjs); this file checks what needs the types:
 *
 * - everywhere: no promise left floating or handed to a place that ignores it;
 * - in production code (src/, tasks/, web/src/, the config and the Ignition module): no non-null assertion (`x!`)
 *   and no type assertion (`x as T`, `<T>x`; `as const` stays) — a value's type is proved by a check the compiler
 *   follows (a guard, a parser, `instanceof`), so a wrong guess fails where it is made with a line naming it. Tests
 *   may assert: a test that guesses wrong fails anyway.
 */
import tseslint from "typescript-eslint";

const PRODUCTION = ["src/**/*.ts", "tasks/**/*.ts", "web/src/**/*.ts", "hardhat.config.ts", "ignition/**/*.ts"];

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "artifacts/**",
      ".coverage-build/**",
      "cache/**",
      "coverage/**",
      "typechain-types/**",
      "types/**",
      "web/dist/**",
      "dist/**",
      "demo-output/**",
      "test-artifacts/**",
      ".stack/**",
      "**/*.js",
      "**/*.cjs",
      "web/vite.config.ts",
    ],
  },
  {
    files: ["**/*.ts"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@typescript-eslint": tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": [
        "error",
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
    },
  },
  {
    files: PRODUCTION,
    rules: {
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/consistent-type-assertions": ["error", { assertionStyle: "never" }],
    },
  },
);
