// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IStage} from "../interfaces/IStage.sol";

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
    function encode(IStage.Lot memory lot) internal pure returns (uint256 word) {
        word =
            uint256(lot.custodianId) |
            (uint256(lot.weightGrams) << 32) |
            (uint256(uint24(lot.species)) << 72) |
            (uint256(lot.status) << 96) |
            (uint256(lot.flags) << 104) |
            (uint256(lot.readAt) << 112) |
            (uint256(uint16(lot.temperature)) << 152) |
            (uint256(lot.humidity) << 168) |
            (uint256(uint32(lot.latitude)) << 176) |
            (uint256(uint32(lot.longitude)) << 208);
    }

    function decode(uint256 word) internal pure returns (IStage.Lot memory lot) {
        lot.custodianId = uint32(word);
        lot.weightGrams = uint40(word >> 32);
        lot.species = bytes3(uint24(word >> 72));
        lot.status = IStage.LotStatus(uint8(word >> 96));
        lot.flags = uint8(word >> 104);
        lot.readAt = uint40(word >> 112);
        lot.temperature = int16(uint16(word >> 152));
        lot.humidity = uint8(word >> 168);
        lot.latitude = int32(uint32(word >> 176));
        lot.longitude = int32(uint32(word >> 208));
    }

    // Word-level accessors for the hot paths: read or replace one field without decoding the whole lot.

    uint256 private constant _STATUS_SHIFT = 96;
    uint256 private constant _FLAGS_SHIFT = 104;
    uint256 private constant _READING_SHIFT = 112;
    /// @dev The bits of readAt, temperature, humidity, latitude and longitude: [112, 240).
    uint256 private constant _READING_MASK = ((uint256(1) << 128) - 1) << _READING_SHIFT;
    uint256 private constant _WEIGHT_SHIFT = 32;
    uint256 private constant _SPECIES_SHIFT = 72;
    uint256 private constant _LATITUDE_SHIFT = 176;
    uint256 private constant _LONGITUDE_SHIFT = 208;
    uint256 private constant _CREATED_SHIFT = 240;

    /// @notice The word of a new `Created` lot with no reading yet, created at `time` (unix seconds; stored as
    /// its UTC day, so 16 bits last until the year 2149).
    function created(
        uint32 custodian,
        uint40 grams,
        bytes3 code,
        uint8 lotFlags,
        int32 latitude,
        int32 longitude,
        uint256 time
    ) internal pure returns (uint256) {
        return
            uint256(custodian) |
            (uint256(grams) << _WEIGHT_SHIFT) |
            (uint256(uint24(code)) << _SPECIES_SHIFT) |
            (uint256(IStage.LotStatus.Created) << _STATUS_SHIFT) |
            (uint256(lotFlags) << _FLAGS_SHIFT) |
            (uint256(uint32(latitude)) << _LATITUDE_SHIFT) |
            (uint256(uint32(longitude)) << _LONGITUDE_SHIFT) |
            (uint256(uint16(time / 1 days)) << _CREATED_SHIFT);
    }

    /// @notice The start (unix seconds) of the UTC day the lot came into being; 0 when unknown.
    function createdAt(uint256 word) internal pure returns (uint40) {
        return uint40(uint16(word >> _CREATED_SHIFT)) * 1 days;
    }

    function custodianId(uint256 word) internal pure returns (uint32) {
        return uint32(word);
    }

    function weightGrams(uint256 word) internal pure returns (uint40) {
        return uint40(word >> 32);
    }

    function species(uint256 word) internal pure returns (bytes3) {
        return bytes3(uint24(word >> 72));
    }

    function status(uint256 word) internal pure returns (IStage.LotStatus) {
        return IStage.LotStatus(uint8(word >> _STATUS_SHIFT));
    }

    function flags(uint256 word) internal pure returns (uint8) {
        return uint8(word >> _FLAGS_SHIFT);
    }

    function readAt(uint256 word) internal pure returns (uint40) {
        return uint40(word >> _READING_SHIFT);
    }

    function withCustodian(uint256 word, uint32 id) internal pure returns (uint256) {
        return (word & ~uint256(type(uint32).max)) | id;
    }

    function withWeight(uint256 word, uint40 newWeightGrams) internal pure returns (uint256) {
        return (word & ~(uint256(type(uint40).max) << 32)) | (uint256(newWeightGrams) << 32);
    }

    function withStatus(uint256 word, IStage.LotStatus newStatus) internal pure returns (uint256) {
        return (word & ~(uint256(0xff) << _STATUS_SHIFT)) | (uint256(newStatus) << _STATUS_SHIFT);
    }

    function withFlags(uint256 word, uint8 newFlags) internal pure returns (uint256) {
        return (word & ~(uint256(0xff) << _FLAGS_SHIFT)) | (uint256(newFlags) << _FLAGS_SHIFT);
    }

    function withReading(
        uint256 word,
        uint40 time,
        int16 temperature,
        uint8 humidity,
        int32 latitude,
        int32 longitude
    ) internal pure returns (uint256) {
        uint256 reading =
            uint256(time) |
                (uint256(uint16(temperature)) << 40) |
                (uint256(humidity) << 56) |
                (uint256(uint32(latitude)) << 64) |
                (uint256(uint32(longitude)) << 96);
        return (word & ~_READING_MASK) | (reading << _READING_SHIFT);
    }
}
