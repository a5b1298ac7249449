// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IQualityLedger} from "../interfaces/IQualityLedger.sol";

/// @dev A lot's `IQualityLedger.LotQuality` packed in one word by `QualityWordLibrary` (layout there), so a scan
/// reads and writes it without unpacking nine fields.
type QualityWord is uint256;

using QualityWordLibrary for QualityWord global;

/// @title QualityWordLibrary
/// @notice Packs the quality ledger's per-lot record: the latest QAT inspection, the sensor exposure anchored since
/// it, and how many scans the lot has had.
/// @dev Bit layout as Solidity would pack `IQualityLedger.LotQuality` (first member lowest):
///   [  0,  40) scannedAt   [ 40,  64) species   [ 64,  72) speciesConfidence   [ 72,  80) grade
///   [ 80,  88) gradeConfidence   [ 88, 120) deviceId   [120, 152) coveredSeconds   [152, 200) equivalentSeconds
///   [200, 216) scans   [216, 256) spare.
library QualityWordLibrary {
    uint256 private constant _SPECIES_SHIFT = 40;
    uint256 private constant _SPECIES_CONFIDENCE_SHIFT = 64;
    uint256 private constant _GRADE_SHIFT = 72;
    uint256 private constant _GRADE_CONFIDENCE_SHIFT = 80;
    uint256 private constant _DEVICE_SHIFT = 88;
    uint256 private constant _COVERED_SHIFT = 120;
    uint256 private constant _EQUIVALENT_SHIFT = 152;
    uint256 private constant _SCANS_SHIFT = 200;
    /// @dev The bits of coveredSeconds and equivalentSeconds: [120, 200).
    uint256 private constant _EXPOSURE_MASK = ((uint256(1) << 80) - 1) << _COVERED_SHIFT;

    /// @notice The word of the inspection `reading` by participant `device`, the lot's `count`-th scan (at most
    /// 65,535) recorded as the latest, with no exposure anchored since.
    /// @param reading the scan recorded
    /// @param device participant id of the device
    /// @param count how many scans the lot has had as the latest (saturates at 65,535)
    function inspected(
        IQualityLedger.QatReading calldata reading,
        uint32 device,
        uint256 count
    ) internal pure returns (QualityWord) {
        return
            QualityWord.wrap(
                uint256(reading.scannedAt) |
                    (uint256(uint24(reading.species)) << _SPECIES_SHIFT) |
                    (uint256(reading.speciesConfidence) << _SPECIES_CONFIDENCE_SHIFT) |
                    (uint256(reading.grade) << _GRADE_SHIFT) |
                    (uint256(reading.gradeConfidence) << _GRADE_CONFIDENCE_SHIFT) |
                    (uint256(device) << _DEVICE_SHIFT) |
                    (count << _SCANS_SHIFT)
            );
    }

    /// @notice `q` with its exposure since the latest scan replaced; the caller caps `covered` below 2^32 and
    /// `equivalent` below 2^48.
    /// @param q the packed quality word
    /// @param covered seconds of sensor batches anchored since the latest scan
    /// @param equivalent the same exposure, in seconds at 0 °C
    function withExposure(QualityWord q, uint256 covered, uint256 equivalent) internal pure returns (QualityWord) {
        return
            QualityWord.wrap(
                (QualityWord.unwrap(q) & ~_EXPOSURE_MASK) |
                    (covered << _COVERED_SHIFT) |
                    (equivalent << _EQUIVALENT_SHIFT)
            );
    }

    /// @notice Every field of `q`.
    /// @param q the packed quality word
    function decode(QualityWord q) internal pure returns (IQualityLedger.LotQuality memory) {
        return
            IQualityLedger.LotQuality({
                scannedAt: q.scannedAt(),
                species: q.species(),
                speciesConfidence: q.speciesConfidence(),
                grade: q.grade(),
                gradeConfidence: q.gradeConfidence(),
                deviceId: q.deviceId(),
                coveredSeconds: q.coveredSeconds(),
                equivalentSeconds: q.equivalentSeconds(),
                scans: q.scans()
            });
    }

    function scannedAt(QualityWord q) internal pure returns (uint40) {
        return uint40(QualityWord.unwrap(q));
    }

    function species(QualityWord q) internal pure returns (bytes3) {
        return bytes3(uint24(QualityWord.unwrap(q) >> _SPECIES_SHIFT));
    }

    function speciesConfidence(QualityWord q) internal pure returns (uint8) {
        return uint8(QualityWord.unwrap(q) >> _SPECIES_CONFIDENCE_SHIFT);
    }

    function grade(QualityWord q) internal pure returns (uint8) {
        return uint8(QualityWord.unwrap(q) >> _GRADE_SHIFT);
    }

    function gradeConfidence(QualityWord q) internal pure returns (uint8) {
        return uint8(QualityWord.unwrap(q) >> _GRADE_CONFIDENCE_SHIFT);
    }

    function deviceId(QualityWord q) internal pure returns (uint32) {
        return uint32(QualityWord.unwrap(q) >> _DEVICE_SHIFT);
    }

    function coveredSeconds(QualityWord q) internal pure returns (uint32) {
        return uint32(QualityWord.unwrap(q) >> _COVERED_SHIFT);
    }

    function equivalentSeconds(QualityWord q) internal pure returns (uint48) {
        return uint48(QualityWord.unwrap(q) >> _EQUIVALENT_SHIFT);
    }

    function scans(QualityWord q) internal pure returns (uint16) {
        return uint16(QualityWord.unwrap(q) >> _SCANS_SHIFT);
    }
}
