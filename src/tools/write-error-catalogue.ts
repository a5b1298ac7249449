/**
 * Regenerates the error catalogue section of README.md from the contracts' ABIs (`npm run errors`);
 * test/tools/readme.test.ts fails when the README's catalogue is out of date.
 */
import { errorCatalogue } from "./error-catalogue.js";
import { updateReadmeSection } from "./readme.js";

await updateReadmeSection("errors", errorCatalogue());
console.log("README.md error catalogue updated.");
