// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IStage} from "../../contracts/interfaces/IStage.sol";
import {LotCodec, LotWord} from "../../contracts/libraries/LotCodec.sol";
import {Test} from "./utils/Test.sol";

// A handler/harness: its public functions are not tests.
// solhint-disable foundry-test-function-naming
/// @dev Exposes LotCodec's internal functions as external calls on raw words.
contract LotCodecHarness {
    function encode(IStage.Lot memory lot) external pure returns (uint256) {
        return LotWord.unwrap(LotCodec.encode(lot));
    }

    function decode(uint256 word) external pure returns (IStage.Lot memory) {
        return LotWord.wrap(word).decode();
    }

    function custodianId(uint256 word) external pure returns (uint32) {
        return LotWord.wrap(word).custodianId();
    }

    function weightGrams(uint256 word) external pure returns (uint40) {
        return LotWord.wrap(word).weightGrams();
    }

    function species(uint256 word) external pure returns (bytes3) {
        return LotWord.wrap(word).species();
    }

    function status(uint256 word) external pure returns (IStage.LotStatus) {
        return LotWord.wrap(word).status();
    }

    function flags(uint256 word) external pure returns (uint8) {
        return LotWord.wrap(word).flags();
    }

    function readAt(uint256 word) external pure returns (uint40) {
        return LotWord.wrap(word).readAt();
    }

    function withCustodian(uint256 word, uint32 id) external pure returns (uint256) {
        return LotWord.unwrap(LotWord.wrap(word).withCustodian(id));
    }

    function withWeight(uint256 word, uint40 newWeightGrams) external pure returns (uint256) {
        return LotWord.unwrap(LotWord.wrap(word).withWeight(newWeightGrams));
    }

    function withStatus(uint256 word, IStage.LotStatus newStatus) external pure returns (uint256) {
        return LotWord.unwrap(LotWord.wrap(word).withStatus(newStatus));
    }

    function withFlags(uint256 word, uint8 newFlags) external pure returns (uint256) {
        return LotWord.unwrap(LotWord.wrap(word).withFlags(newFlags));
    }

    function withReading(
        uint256 word,
        uint40 time,
        int16 temperature,
        uint8 humidity,
        int32 latitude,
        int32 longitude
    ) external pure returns (uint256) {
        return LotWord.unwrap(LotWord.wrap(word).withReading(time, temperature, humidity, latitude, longitude));
    }
}

// solhint-enable foundry-test-function-naming

contract LotCodecTest is Test {
    /// @dev Highest `IStage.LotStatus` value.
    uint256 private constant _MAX_STATUS = uint256(type(IStage.LotStatus).max);
    /// @dev Bits [240, 256) of a lot word: spare, always zero.
    uint256 private constant _SPARE_MASK = type(uint256).max << 240;
    /// @dev Bits [96, 104) of a lot word: the status.
    uint256 private constant _STATUS_MASK = uint256(0xff) << 96;

    LotCodecHarness private codec;

    function setUp() public {
        codec = new LotCodecHarness();
    }

    // ------------------------------------------------------------------ helpers

    function _lot(
        uint32 custodianId,
        uint40 weightGrams,
        bytes3 species,
        uint256 statusSeed,
        uint8 flags,
        uint40 readAt,
        int16 temperature,
        uint8 humidity,
        int32 latitude,
        int32 longitude
    ) private pure returns (IStage.Lot memory) {
        return
            IStage.Lot({
                custodianId: custodianId,
                weightGrams: weightGrams,
                species: species,
                status: IStage.LotStatus(bound(statusSeed, 0, _MAX_STATUS)),
                flags: flags,
                readAt: readAt,
                temperature: temperature,
                humidity: humidity,
                latitude: latitude,
                longitude: longitude
            });
    }

    /// @dev A valid lot word: spare bits cleared, status within the enum.
    function _word(uint256 raw, uint256 statusSeed) private pure returns (uint256) {
        return (raw & ~_SPARE_MASK & ~_STATUS_MASK) | (bound(statusSeed, 0, _MAX_STATUS) << 96);
    }

    function _assertLotEq(IStage.Lot memory a, IStage.Lot memory b, string memory where) private pure {
        assertEq(a.custodianId, b.custodianId, string.concat(where, ": custodianId"));
        assertEq(a.weightGrams, b.weightGrams, string.concat(where, ": weightGrams"));
        assertEq(bytes32(a.species), bytes32(b.species), string.concat(where, ": species"));
        assertEq(uint256(a.status), uint256(b.status), string.concat(where, ": status"));
        assertEq(a.flags, b.flags, string.concat(where, ": flags"));
        assertEq(a.readAt, b.readAt, string.concat(where, ": readAt"));
        assertEq(a.temperature, b.temperature, string.concat(where, ": temperature"));
        assertEq(a.humidity, b.humidity, string.concat(where, ": humidity"));
        assertEq(a.latitude, b.latitude, string.concat(where, ": latitude"));
        assertEq(a.longitude, b.longitude, string.concat(where, ": longitude"));
    }

    // ------------------------------------------------------------------ unit tests

    function test_encode_layout() public view {
        IStage.Lot memory lot = IStage.Lot({
            custodianId: 0x11223344,
            weightGrams: 0x5566778899,
            species: "COD",
            status: IStage.LotStatus.Shipped,
            flags: 0xab,
            readAt: 0x0102030405,
            temperature: -2, // 0xfffe
            humidity: 0x64,
            latitude: -1, // 0xffffffff
            longitude: 0x7fffffff
        });
        uint256 expected =
            0x11223344 |
                (uint256(0x5566778899) << 32) |
                (uint256(0x434f44) << 72) | // "COD"
                (uint256(2) << 96) |
                (uint256(0xab) << 104) |
                (uint256(0x0102030405) << 112) |
                (uint256(0xfffe) << 152) |
                (uint256(0x64) << 168) |
                (uint256(0xffffffff) << 176) |
                (uint256(0x7fffffff) << 208);
        assertEq(codec.encode(lot), expected, "layout");
    }

    function test_encode_extremesKeepSpareBitsZero() public view {
        IStage.Lot memory lot = IStage.Lot({
            custodianId: type(uint32).max,
            weightGrams: type(uint40).max,
            species: 0xffffff,
            status: IStage.LotStatus.Removed,
            flags: type(uint8).max,
            readAt: type(uint40).max,
            temperature: type(int16).min,
            humidity: type(uint8).max,
            latitude: type(int32).min,
            longitude: -1
        });
        uint256 word = codec.encode(lot);
        assertEq(word & _SPARE_MASK, 0, "spare bits");
        _assertLotEq(codec.decode(word), lot, "roundtrip");
    }

    function test_decode_zeroWordIsUnknownLot() public view {
        IStage.Lot memory lot = codec.decode(0);
        assertEq(uint256(lot.status), uint256(IStage.LotStatus.None), "status");
        assertEq(lot.custodianId, 0, "custodian");
    }

    function test_decode_RevertWhen_StatusOutOfRange() public {
        uint256 word = uint256(_MAX_STATUS + 1) << 96;
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x21));
        codec.decode(word);
    }

    function test_status_RevertWhen_StatusOutOfRange() public {
        uint256 word = uint256(0xff) << 96;
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x21));
        codec.status(word);
    }

    // ------------------------------------------------------------------ fuzz tests

    function testFuzz_roundtrip(
        uint32 custodianId,
        uint40 weightGrams,
        bytes3 species,
        uint256 statusSeed,
        uint8 flags,
        uint40 readAt,
        int16 temperature,
        uint8 humidity,
        int32 latitude,
        int32 longitude
    ) public view {
        IStage.Lot memory lot = _lot(
            custodianId,
            weightGrams,
            species,
            statusSeed,
            flags,
            readAt,
            temperature,
            humidity,
            latitude,
            longitude
        );
        uint256 word = codec.encode(lot);
        assertEq(word & _SPARE_MASK, 0, "spare bits");
        _assertLotEq(codec.decode(word), lot, "decode(encode(lot))");
    }

    function testFuzz_decodeEncode(uint256 raw, uint256 statusSeed) public view {
        uint256 word = _word(raw, statusSeed);
        assertEq(codec.encode(codec.decode(word)), word, "encode(decode(word))");
    }

    function testFuzz_accessorsAgreeWithDecode(uint256 raw, uint256 statusSeed) public view {
        uint256 word = _word(raw, statusSeed);
        IStage.Lot memory lot = codec.decode(word);
        assertEq(codec.custodianId(word), lot.custodianId, "custodianId");
        assertEq(codec.weightGrams(word), lot.weightGrams, "weightGrams");
        assertEq(bytes32(codec.species(word)), bytes32(lot.species), "species");
        assertEq(uint256(codec.status(word)), uint256(lot.status), "status");
        assertEq(codec.flags(word), lot.flags, "flags");
        assertEq(codec.readAt(word), lot.readAt, "readAt");
    }

    function testFuzz_accessorsIgnoreSpareBits(uint256 raw, uint256 statusSeed, uint16 spare) public view {
        uint256 word = _word(raw, statusSeed);
        uint256 dirty = word | (uint256(spare) << 240);
        _assertLotEq(codec.decode(dirty), codec.decode(word), "decode");
        assertEq(codec.custodianId(dirty), codec.custodianId(word), "custodianId");
        assertEq(codec.readAt(dirty), codec.readAt(word), "readAt");
    }

    function testFuzz_withCustodian(uint256 raw, uint256 statusSeed, uint32 id) public view {
        uint256 word = _word(raw, statusSeed);
        IStage.Lot memory expected = codec.decode(word);
        expected.custodianId = id;
        uint256 updated = codec.withCustodian(word, id);
        assertEq(updated, codec.encode(expected), "word");
        _assertLotEq(codec.decode(updated), expected, "withCustodian");
    }

    function testFuzz_withWeight(uint256 raw, uint256 statusSeed, uint40 weightGrams) public view {
        uint256 word = _word(raw, statusSeed);
        IStage.Lot memory expected = codec.decode(word);
        expected.weightGrams = weightGrams;
        uint256 updated = codec.withWeight(word, weightGrams);
        assertEq(updated, codec.encode(expected), "word");
        _assertLotEq(codec.decode(updated), expected, "withWeight");
    }

    function testFuzz_withStatus(uint256 raw, uint256 statusSeed, uint256 newStatusSeed) public view {
        uint256 word = _word(raw, statusSeed);
        IStage.LotStatus newStatus = IStage.LotStatus(bound(newStatusSeed, 0, _MAX_STATUS));
        IStage.Lot memory expected = codec.decode(word);
        expected.status = newStatus;
        uint256 updated = codec.withStatus(word, newStatus);
        assertEq(updated, codec.encode(expected), "word");
        _assertLotEq(codec.decode(updated), expected, "withStatus");
    }

    function testFuzz_withFlags(uint256 raw, uint256 statusSeed, uint8 newFlags) public view {
        uint256 word = _word(raw, statusSeed);
        IStage.Lot memory expected = codec.decode(word);
        expected.flags = newFlags;
        uint256 updated = codec.withFlags(word, newFlags);
        assertEq(updated, codec.encode(expected), "word");
        _assertLotEq(codec.decode(updated), expected, "withFlags");
    }

    function testFuzz_withReading(
        uint256 raw,
        uint256 statusSeed,
        uint40 time,
        int16 temperature,
        uint8 humidity,
        int32 latitude,
        int32 longitude
    ) public view {
        uint256 word = _word(raw, statusSeed);
        IStage.Lot memory expected = codec.decode(word);
        expected.readAt = time;
        expected.temperature = temperature;
        expected.humidity = humidity;
        expected.latitude = latitude;
        expected.longitude = longitude;
        uint256 updated = codec.withReading(word, time, temperature, humidity, latitude, longitude);
        assertEq(updated, codec.encode(expected), "word");
        _assertLotEq(codec.decode(updated), expected, "withReading");
        assertEq(codec.readAt(updated), time, "readAt accessor");
    }

    function testFuzz_withersCompose(uint256 raw, uint256 statusSeed, uint32 id, uint256 newStatusSeed) public view {
        uint256 word = _word(raw, statusSeed);
        IStage.LotStatus newStatus = IStage.LotStatus(bound(newStatusSeed, 0, _MAX_STATUS));
        // The order the hot paths apply them in (`_settle`) and the reverse give the same word.
        uint256 a = codec.withCustodian(codec.withStatus(word, newStatus), id);
        uint256 b = codec.withStatus(codec.withCustodian(word, id), newStatus);
        assertEq(a, b, "order of withers");
        assertEq(a & _SPARE_MASK, 0, "spare bits");
    }
}
