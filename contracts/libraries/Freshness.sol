// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IQualityLedger} from "../interfaces/IQualityLedger.sol";

/// @title Freshness
/// @notice The freshness rule between two QAT scans of a lot, in integer arithmetic that `src/freshness.ts` repeats
/// step by step (a test holds the two to the same verdict on fuzzed inputs). docs/freshness.md explains the model.
/// @dev t0 = anchored equivalent seconds (scaled down to the elapsed time when the batches cover more) + uncovered
/// seconds · RRS(default temperature); allowed = k · t0 / 86,400 + margin + uncertainty · (100 − c) / 100.
library Freshness {
    /// @dev RRS is carried in parts per million.
    uint256 internal constant PPM = 1e6;
    uint256 internal constant DAY = 86_400;

    /// @notice The relative rate of spoilage at `temperature` versus 0 °C, in parts per million, by the square-root
    /// model: ((T − Tmin) / (0 − Tmin))², and 0 at or below Tmin. Temperatures in hundredths of °C; Tmin < 0.
    function relativeRate(int16 temperature, int16 minimumTemperature) internal pure returns (uint256) {
        if (temperature <= minimumTemperature) return 0;
        uint256 above = uint256(int256(temperature) - int256(minimumTemperature));
        uint256 span = uint256(-int256(minimumTemperature));
        return (above * above * PPM) / (span * span);
    }

    /// @notice `seconds_` at `temperature`, as seconds at 0 °C.
    function equivalentSeconds(
        uint256 seconds_,
        int16 temperature,
        int16 minimumTemperature
    ) internal pure returns (uint256) {
        return (seconds_ * relativeRate(temperature, minimumTemperature)) / PPM;
    }

    /// @notice The rule's verdict on `input` under `rule`.
    function evaluate(
        IQualityLedger.FreshnessRule memory rule,
        IQualityLedger.FreshnessInput memory input
    ) internal pure returns (IQualityLedger.FreshnessVerdict memory verdict) {
        uint256 elapsed = input.elapsed;
        uint256 covered = input.coveredSeconds < elapsed ? input.coveredSeconds : elapsed;
        uint256 anchored =
            input.coveredSeconds == 0 ? 0 : (uint256(input.equivalentSeconds) * covered) / input.coveredSeconds;
        uint256 t0 = anchored + equivalentSeconds(elapsed - covered, rule.defaultTemperature, rule.minimumTemperature);

        uint256 confidence = input.confidence < input.previousConfidence ? input.confidence : input.previousConfidence;
        if (confidence > 100) confidence = 100;
        uint256 allowed =
            (uint256(rule.decayPerDay) * t0) / DAY +
                rule.margin +
                (uint256(rule.uncertainty) * (100 - confidence)) / 100;
        uint256 drop = input.previousGrade > input.grade ? uint256(input.previousGrade - input.grade) * 100 : 0;

        verdict.warning = drop > allowed;
        verdict.equivalentSeconds = t0;
        verdict.allowedDrop = allowed;
        verdict.drop = drop;
    }
}
