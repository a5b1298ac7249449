// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IQualityLedger} from "../interfaces/IQualityLedger.sol";

/// @title Freshness
/// @notice The freshness rule between two QAT scans of a lot, in integer arithmetic that `src/core/freshness.ts` repeats
/// step by step (a test holds the two to the same verdict on fuzzed inputs). docs/freshness.md explains the model.
/// @dev t0 = anchored equivalent seconds (scaled down to the elapsed time when the batches cover more) + uncovered
/// seconds · RRS(default temperature); allowed = k · t0 / 86,400 + margin + uncertainty · (100 − c) / 100.
library Freshness {
    /// @dev RRS is carried in parts per million.
    uint256 internal constant PPM = 1e6;
    uint256 internal constant DAY = 86_400;

    /// @notice The relative rate of spoilage at `temperature` versus 0 °C, in parts per million, by the square-root
    /// model: ((T − Tmin) / (0 − Tmin))², and 0 at or below Tmin. Temperatures in hundredths of °C; Tmin < 0.
    /// @param temperature the temperature, hundredths of a degree Celsius
    /// @param minimumTemperature the species' minimum growth temperature, hundredths of a degree
    function relativeRate(int16 temperature, int16 minimumTemperature) internal pure returns (uint256) {
        if (temperature <= minimumTemperature) return 0;
        uint256 above = uint256(int256(temperature) - int256(minimumTemperature));
        uint256 span = uint256(-int256(minimumTemperature));
        return (above * above * PPM) / (span * span);
    }

    /// @notice `seconds_` at `temperature`, as seconds at 0 °C.
    /// @param seconds_ the duration, seconds
    /// @param temperature the mean temperature over it, hundredths of a degree Celsius
    /// @param minimumTemperature the species' minimum growth temperature, hundredths of a degree
    function equivalentSeconds(
        uint256 seconds_,
        int16 temperature,
        int16 minimumTemperature
    ) internal pure returns (uint256) {
        return (seconds_ * relativeRate(temperature, minimumTemperature)) / PPM;
    }

    /// @notice The rule's verdict on `input` under `rule`.
    /// @param rule the species' freshness rule
    /// @param input the two scans and the exposure between them
    /// @return verdict the drop, the drop allowed and whether it warns
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

    /// @notice What a lot's freshness is judged against besides its previous scan: its exposure (seconds at 0 °C)
    /// since its first judged scan, and the reference scan — the earlier scan from which the rule allows the least
    /// grade now (highest grade · 100 · 86,400 + k · exposure at that scan).
    struct Reference {
        uint64 exposure; // seconds at 0 °C from the first scan to the latest
        uint64 exposureAt; // the same, up to the reference scan
        uint40 scannedAt; // the reference scan's time
        uint8 grade;
        uint8 confidence;
    }

    /// @notice A lot's reference after its first scan (or a scan judged without a rule).
    /// @param scannedAt the scan's time (unix seconds)
    /// @param grade the scan's grade
    /// @param confidence the device's confidence in the grade, percent
    /// @return ref the reference
    function start(uint40 scannedAt, uint8 grade, uint8 confidence) internal pure returns (Reference memory ref) {
        ref.scannedAt = scannedAt;
        ref.grade = grade;
        ref.confidence = confidence;
    }

    /// @notice Judges a scan at `scannedAt` against the previous scan (`pair`, as `evaluate` takes it) and against the
    /// reference `ref`; returns the verdict (the pair's, or the reference's when only that one warns), the earlier
    /// grade and interval it speaks of, and the reference for the next scan. A drop spread over many scans thus
    /// warns as the single pair from the reference would: no sequence of scans avoids the warning (audit F2).
    /// @param rule the species' freshness rule
    /// @param ref the lot's reference scan
    /// @param pair the previous scan and this one, as `evaluate` takes them
    /// @param scannedAt the scan's time (unix seconds)
    /// @return verdict the verdict (the pair's, or the reference's when only that one warns)
    /// @return fromGrade the earlier grade it speaks of
    /// @return elapsed the interval it speaks of, seconds
    /// @return next the reference for the next scan
    function step(
        IQualityLedger.FreshnessRule memory rule,
        Reference memory ref,
        IQualityLedger.FreshnessInput memory pair,
        uint40 scannedAt
    )
        internal
        pure
        returns (IQualityLedger.FreshnessVerdict memory verdict, uint8 fromGrade, uint40 elapsed, Reference memory next)
    {
        verdict = evaluate(rule, pair);
        fromGrade = pair.previousGrade;
        elapsed = pair.elapsed;
        uint256 exposure = _cap(uint256(ref.exposure) + verdict.equivalentSeconds, type(uint64).max);
        if (!verdict.warning && ref.scannedAt != scannedAt - pair.elapsed) {
            uint40 since = scannedAt - ref.scannedAt;
            IQualityLedger.FreshnessVerdict memory longer = evaluate(
                rule,
                IQualityLedger.FreshnessInput({
                    previousGrade: ref.grade,
                    previousConfidence: ref.confidence,
                    grade: pair.grade,
                    confidence: pair.confidence,
                    elapsed: since,
                    // All of the interval counts at the exposure accumulated over it.
                    coveredSeconds: uint32(_cap(since, type(uint32).max)),
                    equivalentSeconds: uint48(_cap(exposure - ref.exposureAt, type(uint48).max))
                })
            );
            if (longer.warning) (verdict, fromGrade, elapsed) = (longer, ref.grade, since);
        }
        next = ref;
        next.exposure = uint64(exposure);
        if (_potential(rule, pair.grade, exposure) >= _potential(rule, ref.grade, ref.exposureAt)) {
            (next.exposureAt, next.scannedAt, next.grade, next.confidence) = (
                uint64(exposure),
                scannedAt,
                pair.grade,
                pair.confidence
            );
        }
    }

    /// @dev Packs `ref` in one word: exposure 64 | exposureAt 64 | scannedAt 40 | grade 8 | confidence 8.
    function encode(Reference memory ref) internal pure returns (uint256) {
        return
            uint256(ref.exposure) |
            (uint256(ref.exposureAt) << 64) |
            (uint256(ref.scannedAt) << 128) |
            (uint256(ref.grade) << 168) |
            (uint256(ref.confidence) << 176);
    }

    /// @dev Unpacks a word `encode` made.
    function decode(uint256 word) internal pure returns (Reference memory) {
        return Reference(uint64(word), uint64(word >> 64), uint40(word >> 128), uint8(word >> 168), uint8(word >> 176));
    }

    /// @dev The grade (in hundredths, times a day in seconds) a scan allows at the latest exposure: its grade plus
    /// the decay the rule allows for the exposure up to it.
    function _potential(
        IQualityLedger.FreshnessRule memory rule,
        uint8 grade,
        uint256 exposure
    ) private pure returns (uint256) {
        return uint256(grade) * 100 * DAY + uint256(rule.decayPerDay) * exposure;
    }

    function _cap(uint256 value, uint256 maximum) private pure returns (uint256) {
        return value < maximum ? value : maximum;
    }
}
