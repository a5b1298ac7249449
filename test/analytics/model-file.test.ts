/**
 * Model files: a versioned JSON file with the model's parameters, their sha256 and the sha256 of the training data.
 * Read back equal; a tampered file, a model trained on other data, another kind or version, or not a model at all
 * is refused with one line.
 */
import { expect } from "chai";

import { trainDetector } from "../../src/analytics/anomaly.js";
import { extractFeatures } from "../../src/analytics/features.js";
import { DEFAULT_FORECAST_SPEC } from "../../src/analytics/forecast.js";
import { generateHistory } from "../../src/analytics/generate.js";
import {
  detectorModel,
  modelFile,
  MODEL_VERSIONS,
  parseModelFile,
  serializeModel,
  sha256Of,
} from "../../src/analytics/model-file.js";
import { InputError } from "../../src/core/input-error.js";

/** The one-line InputError `read` throws. */
function refusal(read: () => unknown): string {
  try {
    read();
  } catch (err) {
    expect(err).to.be.instanceOf(InputError);
    const message = (err as Error).message;
    expect(message).to.not.include("\n");
    return message;
  }
  expect.fail("expected the file to be refused");
}

describe("analytics: model files", function () {
  const training = generateHistory({ seed: 5, catches: 60 });
  const params = trainDetector(extractFeatures(training.history));
  const text = serializeModel(detectorModel(params, training.history));

  it("carry kind, version, the parameters' and the training data's sha256, and read back equal", () => {
    const model = parseModelFile(text, "anomaly-detector", training.history);
    expect(model.kind).to.equal("anomaly-detector");
    expect(model.version).to.equal(MODEL_VERSIONS["anomaly-detector"]);
    expect(model.trainingDataSha256).to.match(/^[0-9a-f]{64}$/);
    expect(model.trainingDataSha256).to.equal(sha256Of(training.history));
    expect(model.paramsSha256).to.equal(sha256Of(params));
    expect(model.params).to.deep.equal(params);
    // Canonical JSON: key order does not change a hash.
    expect(sha256Of({ a: 1, b: [1, { c: 2, d: 3 }] })).to.equal(sha256Of({ b: [1, { d: 3, c: 2 }], a: 1 }));
    const forecast = modelFile("demand-forecast", DEFAULT_FORECAST_SPEC, [1, 2, 3]);
    expect(parseModelFile(serializeModel(forecast), "demand-forecast", [1, 2, 3]).params).to.deep.equal(
      DEFAULT_FORECAST_SPEC,
    );
  });

  it("refuses a tampered file", () => {
    const tampered = text.replace(/"threshold": 3.5/, '"threshold": 9');
    expect(tampered).to.not.equal(text);
    expect(refusal(() => parseModelFile(tampered, "anomaly-detector"))).to.match(
      /^the anomaly-detector model file was altered: its parameters hash to [0-9a-f]{12}…, not [0-9a-f]{12}…$/,
    );
  });

  it("refuses a model applied beside other training data", () => {
    const other = generateHistory({ seed: 6, catches: 60 }).history;
    expect(refusal(() => parseModelFile(text, "anomaly-detector", other))).to.match(
      /^the anomaly-detector model was trained on data [0-9a-f]{12}…, not on the given data [0-9a-f]{12}…$/,
    );
  });

  it("refuses another kind, another version, a file that is not a model or not JSON", () => {
    expect(refusal(() => parseModelFile(text, "demand-forecast"))).to.equal(
      'the model file holds a model of kind "anomaly-detector", not "demand-forecast"',
    );
    const v2 = text.replace(/"version": 1/, '"version": 2');
    expect(refusal(() => parseModelFile(v2, "anomaly-detector"))).to.equal(
      "the anomaly-detector model file is version 2; this build reads version 1",
    );
    expect(refusal(() => parseModelFile('{"format":"other"}', "anomaly-detector"))).to.match(/not a FishTrace model/);
    expect(refusal(() => parseModelFile("{", "anomaly-detector"))).to.equal("the model file is not JSON");
    const bare = JSON.stringify({ ...JSON.parse(text), paramsSha256: undefined });
    expect(refusal(() => parseModelFile(bare, "anomaly-detector"))).to.match(/lacks its parameters or hashes/);
  });

  it("refuses parameters that hash right but cannot score (a MAD of 0, a missing field)", () => {
    const rehashed = (edit: (p: Record<string, unknown>) => void) => {
      const file = JSON.parse(text) as { params: Record<string, unknown>; paramsSha256: string };
      edit(file.params);
      file.paramsSha256 = sha256Of(file.params);
      return JSON.stringify(file);
    };
    const zeroMad = rehashed((p) => (p.gradeResidual = { median: 0, mad: 0 }));
    expect(refusal(() => parseModelFile(zeroMad, "anomaly-detector"))).to.equal(
      "the anomaly-detector model file's parameters are not usable: gradeResidual is not a median and a MAD > 0",
    );
    const noThreshold = rehashed((p) => delete p.threshold);
    expect(refusal(() => parseModelFile(noThreshold, "anomaly-detector"))).to.match(/threshold is not a number > 0$/);
    const badSpec = modelFile("demand-forecast", { ...DEFAULT_FORECAST_SPEC, trainingDays: 0 }, []);
    expect(refusal(() => parseModelFile(serializeModel(badSpec), "demand-forecast"))).to.match(
      /trainingDays is not a whole number ≥ 1$/,
    );
  });
});
