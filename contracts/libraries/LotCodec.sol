// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStage} from "../interfaces/IStage.sol";

/// @dev One lot as a stage stores it: an `IStage.Lot` packed in one word by `LotCodec` (layout there). A type of
/// its own so a lot word cannot be passed where a lot id (or any other number) is expected, nor the reverse.
type LotWord is uint256;

using LotCodec for LotWord global;

/// @title LotCodec
/// @notice Packs an `IStage.Lot` into the one storage word a stage keeps per lot, and back, so that reading or
/// updating a lot costs exactly one SLOAD and one SSTORE.
/// @dev Bit layout, least significant first:
///   [  0,  32) custodianId   [ 32,  72) weightGrams   [ 72,  96) species   [ 96, 104) status
///   [104, 112) flags         [112, 152) readAt        [152, 168) temperature (two's complement)
///   [168, 176) humidity      [176, 208) latitude (two's complement)   [208, 240) longitude (two's complement)
///   [240, 256) createdDay: the UTC day the lot came into being (unix seconds / 86,400; 0 = unknown, a lot
///   stored before the field existed). Not part of `IStage.Lot`: `encode` leaves it zero, `decode` ignores it, and
///   the word-level `with*` functions keep it, so a lot carries it from stage to stage.
library LotCodec {
    uint256 private constant _WEIGHT_SHIFT = 32;
    uint256 private constant _SPECIES_SHIFT = 72;
    uint256 private constant _STATUS_SHIFT = 96;
    uint256 private constant _FLAGS_SHIFT = 104;
    uint256 private constant _READING_SHIFT = 112;
    uint256 private constant _TEMPERATURE_SHIFT = 152;
    uint256 private constant _HUMIDITY_SHIFT = 168;
    uint256 private constant _LATITUDE_SHIFT = 176;
    uint256 private constant _LONGITUDE_SHIFT = 208;
    uint256 private constant _CREATED_SHIFT = 240;
    /// @dev The bits of readAt, temperature, humidity, latitude and longitude: [112, 240).
    uint256 private constant _READING_MASK = ((uint256(1) << 128) - 1) << _READING_SHIFT;

    /// @notice Packs `lot` (its creation day zero).
    /// @param lot the lot record
    function encode(IStage.Lot memory lot) internal pure returns (LotWord) {
        return
            LotWord.wrap(
                uint256(lot.custodianId) |
                    (uint256(lot.weightGrams) << _WEIGHT_SHIFT) |
                    (uint256(uint24(lot.species)) << _SPECIES_SHIFT) |
                    (uint256(lot.status) << _STATUS_SHIFT) |
                    (uint256(lot.flags) << _FLAGS_SHIFT) |
                    (uint256(lot.readAt) << _READING_SHIFT) |
                    (uint256(uint16(lot.temperature)) << _TEMPERATURE_SHIFT) |
                    (uint256(lot.humidity) << _HUMIDITY_SHIFT) |
                    (uint256(uint32(lot.latitude)) << _LATITUDE_SHIFT) |
                    (uint256(uint32(lot.longitude)) << _LONGITUDE_SHIFT)
            );
    }

    /// @notice Unpacks every field of `IStage.Lot` (not the creation day).
    /// @param word the packed lot word
    /// @return lot the lot record
    function decode(LotWord word) internal pure returns (IStage.Lot memory lot) {
        uint256 w = LotWord.unwrap(word);
        lot.custodianId = uint32(w);
        lot.weightGrams = uint40(w >> _WEIGHT_SHIFT);
        lot.species = bytes3(uint24(w >> _SPECIES_SHIFT));
        lot.status = IStage.LotStatus(uint8(w >> _STATUS_SHIFT));
        lot.flags = uint8(w >> _FLAGS_SHIFT);
        lot.readAt = uint40(w >> _READING_SHIFT);
        lot.temperature = int16(uint16(w >> _TEMPERATURE_SHIFT));
        lot.humidity = uint8(w >> _HUMIDITY_SHIFT);
        lot.latitude = int32(uint32(w >> _LATITUDE_SHIFT));
        lot.longitude = int32(uint32(w >> _LONGITUDE_SHIFT));
    }

    // Word-level accessors for the hot paths: read or replace one field without decoding the whole lot.

    /// @notice The word of a new `Created` lot with no reading yet, created at `time` (unix seconds; stored as
    /// its UTC day, so 16 bits last until the year 2149).
    /// @param custodian participant id of the lot's custodian
    /// @param grams the lot's weight in grams
    /// @param code the species code
    /// @param lotFlags the lot's flags (see `LotFlags`)
    /// @param latitude the position's latitude, 1e-5 degrees
    /// @param longitude the position's longitude, 1e-5 degrees
    /// @param time when the lot came into being (unix seconds)
    function created(
        uint32 custodian,
        uint40 grams,
        bytes3 code,
        uint8 lotFlags,
        int32 latitude,
        int32 longitude,
        uint256 time
    ) internal pure returns (LotWord) {
        return
            LotWord.wrap(
                uint256(custodian) |
                    (uint256(grams) << _WEIGHT_SHIFT) |
                    (uint256(uint24(code)) << _SPECIES_SHIFT) |
                    (uint256(IStage.LotStatus.Created) << _STATUS_SHIFT) |
                    (uint256(lotFlags) << _FLAGS_SHIFT) |
                    (uint256(uint32(latitude)) << _LATITUDE_SHIFT) |
                    (uint256(uint32(longitude)) << _LONGITUDE_SHIFT) |
                    (uint256(uint16(time / 1 days)) << _CREATED_SHIFT)
            );
    }

    /// @notice A memory array of `length` lot words, not zeroed: for a caller that writes every element before it
    /// reads any (`new LotWord[](length)` would clear the memory first, and its own allocation code costs each
    /// order-book function a few gas more than the shared `uint256[]` allocator did).
    /// @param length the number of words
    /// @return words the array; its elements hold whatever memory held
    function allocate(uint256 length) internal pure returns (LotWord[] memory words) {
        assembly ("memory-safe") {
            words := mload(0x40)
            mstore(words, length)
            mstore(0x40, add(words, shl(5, add(length, 1))))
        }
    }

    /// @notice Whether nothing is stored in `word` (no lot by that id was ever here).
    /// @param word a stored lot word
    function isEmpty(LotWord word) internal pure returns (bool) {
        return LotWord.unwrap(word) == 0;
    }

    /// @notice The start (unix seconds) of the UTC day the lot came into being; 0 when unknown.
    /// @param word the packed lot word
    function createdAt(LotWord word) internal pure returns (uint40) {
        return uint40(uint16(LotWord.unwrap(word) >> _CREATED_SHIFT)) * 1 days;
    }

    function custodianId(LotWord word) internal pure returns (uint32) {
        return uint32(LotWord.unwrap(word));
    }

    function weightGrams(LotWord word) internal pure returns (uint40) {
        return uint40(LotWord.unwrap(word) >> _WEIGHT_SHIFT);
    }

    function species(LotWord word) internal pure returns (bytes3) {
        return bytes3(bytes32(LotWord.unwrap(word) << (256 - _SPECIES_SHIFT - 24)));
    }

    function status(LotWord word) internal pure returns (IStage.LotStatus) {
        return IStage.LotStatus(uint8(LotWord.unwrap(word) >> _STATUS_SHIFT));
    }

    function flags(LotWord word) internal pure returns (uint8) {
        return uint8(LotWord.unwrap(word) >> _FLAGS_SHIFT);
    }

    function readAt(LotWord word) internal pure returns (uint40) {
        return uint40(LotWord.unwrap(word) >> _READING_SHIFT);
    }

    function withCustodian(LotWord word, uint32 id) internal pure returns (LotWord) {
        return LotWord.wrap((LotWord.unwrap(word) & ~uint256(type(uint32).max)) | id);
    }

    function withWeight(LotWord word, uint40 newWeightGrams) internal pure returns (LotWord) {
        return
            LotWord.wrap(
                (LotWord.unwrap(word) & ~(uint256(type(uint40).max) << _WEIGHT_SHIFT)) |
                    (uint256(newWeightGrams) << _WEIGHT_SHIFT)
            );
    }

    function withStatus(LotWord word, IStage.LotStatus newStatus) internal pure returns (LotWord) {
        return
            LotWord.wrap(
                (LotWord.unwrap(word) & ~(uint256(type(uint8).max) << _STATUS_SHIFT)) |
                    (uint256(newStatus) << _STATUS_SHIFT)
            );
    }

    function withFlags(LotWord word, uint8 newFlags) internal pure returns (LotWord) {
        return
            LotWord.wrap(
                (LotWord.unwrap(word) & ~(uint256(type(uint8).max) << _FLAGS_SHIFT)) |
                    (uint256(newFlags) << _FLAGS_SHIFT)
            );
    }

    function withReading(
        LotWord word,
        uint40 time,
        int16 temperature,
        uint8 humidity,
        int32 latitude,
        int32 longitude
    ) internal pure returns (LotWord) {
        // The reading's fields at their offsets within [112, 240).
        uint256 reading =
            uint256(time) |
                (uint256(uint16(temperature)) << (_TEMPERATURE_SHIFT - _READING_SHIFT)) |
                (uint256(humidity) << (_HUMIDITY_SHIFT - _READING_SHIFT)) |
                (uint256(uint32(latitude)) << (_LATITUDE_SHIFT - _READING_SHIFT)) |
                (uint256(uint32(longitude)) << (_LONGITUDE_SHIFT - _READING_SHIFT));
        return LotWord.wrap((LotWord.unwrap(word) & ~_READING_MASK) | (reading << _READING_SHIFT));
    }
}
