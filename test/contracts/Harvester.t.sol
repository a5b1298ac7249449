// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IHarvester} from "../../contracts/interfaces/IHarvester.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {LotWord} from "../../contracts/libraries/LotCodec.sol";
import {LotFlags} from "../../contracts/libraries/LotFlags.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {HarvesterInterface as Harvester} from "./utils/Contracts.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";
import {Vm} from "./utils/Vm.sol";

// An ABI view of the contracts, not a suite: its functions are not tests.
// solhint-disable foundry-test-function-naming
/// @dev `removeFish` with its reason as the plain uint8 an enum is in the ABI, to send values outside the enum.
interface RawRemoveFish {
    function removeFish(uint256 lotId, uint8 reason) external;
}

// solhint-enable foundry-test-function-naming

/// @notice The Harvester's own work (stage 1): registering catches as lots, attaching readings to them with the
/// cold-chain check of their product form, taking them out of the inventory, and the paper's queries.
contract HarvesterTest is FishTraceTest {
    uint40 private constant KG = 1_000;
    bytes3 private constant POK = "POK"; // never listed
    int16 private constant FRESH_MIN = 0;
    int16 private constant FRESH_MAX = 400;
    int16 private constant FROZEN_MIN = type(int16).min;
    int16 private constant FROZEN_MAX = -1800;
    int32 private constant MAX_LATITUDE = 90_00000;
    int32 private constant MAX_LONGITUDE = 180_00000;
    uint16 private constant UPDATE_ROLES = Roles.HARVESTER_BIT | Roles.SENSOR_GATEWAY_BIT;
    uint64 private constant SHIPMENT_NO = 77;

    /// @dev A SENSOR_GATEWAY operated by harvester1.
    address private gateway;
    /// @dev A QAT_DEVICE operated by supplier1.
    address private qat;
    uint32 private h1;
    uint32 private h2;

    function setUp() public {
        _deployWithParticipants();
        gateway = _enrolDevice(harvester1, Roles.SENSOR_GATEWAY, "gateway");
        qat = _enrolDevice(supplier1, Roles.QAT_DEVICE, "qat");
        h1 = _idOf(harvester1);
        h2 = _idOf(harvester2);
    }

    function test_stage_isOneAndAsksItsRegistry() public view {
        assertEq(harvester.stage(), 1, "stage");
        assertEq(harvester.registry(), address(registry), "registry");
        assertEq(harvester.previousStage(), address(0), "no previous stage");
    }

    // ------------------------------------------------------------------ registerFish

    function test_registerFish_createsLotAndEmitsWholeCatch() public {
        IHarvester.Catch memory c = _catch(COD, 250 * KG);
        vm.expectEmit(address(harvester));
        emit IHarvester.FishRegistered(1, h1, c);
        vm.prank(harvester1);
        uint256 lotId = harvester.registerFish(c);

        assertEq(lotId, 1, "lot id");
        IStage.Lot memory lot = harvester.getLot(lotId);
        assertEq(lot.custodianId, h1, "custodian");
        assertEq(lot.weightGrams, 250 * KG, "weight");
        assertEq(bytes32(lot.species), bytes32(COD), "species");
        assertEq(uint256(lot.status), uint256(IStage.LotStatus.Created), "status");
        assertEq(lot.flags, 0, "flags");
        assertEq(lot.readAt, 0, "no reading yet");
        assertEq(lot.temperature, 0, "temperature");
        assertEq(lot.humidity, 0, "humidity");
        assertEq(lot.latitude, c.latitude, "latitude of the catch");
        assertEq(lot.longitude, c.longitude, "longitude of the catch");
    }

    function test_registerFish_numbersLotsAcrossHarvesters() public {
        assertEq(_registerLot(harvester1, COD, KG), 1, "first");
        assertEq(_registerLot(harvester2, COD, KG), 2, "second, another harvester");
        assertEq(_registerLot(harvester1, COD, KG), 3, "third");
    }

    function test_registerFish_storesFrozenAndFarmedAsFlags() public {
        for (uint256 i; i < 4; ++i) {
            bool frozen = i & 1 != 0;
            bool farmed = i & 2 != 0;
            uint256 lotId = _register(harvester1, _form(frozen, farmed));
            uint8 expected = (frozen ? LotFlags.FROZEN : 0) | (farmed ? LotFlags.FARMED : 0);
            assertEq(harvester.getLot(lotId).flags, expected, "declared flags");
        }
    }

    /// @dev Any weight a uint40 of grams holds, the heaviest included, is stored without spilling into the species.
    function testFuzz_registerFish_anyWeight(uint256 seed) public {
        _assertRegistersWeight(uint40(bound(seed, 1, type(uint40).max)));
    }

    function test_registerFish_heaviestLot() public {
        _assertRegistersWeight(type(uint40).max);
    }

    function test_registerFish_addsToTotalsStampedWithBlockTime() public {
        _registerLot(harvester1, COD, 250 * KG);
        vm.warp(_now() + 1 hours);
        _registerLot(harvester2, COD, 1_500 * KG);
        uint256 codTime = _now();
        vm.warp(_now() + 1 hours);
        _registerLot(harvester1, HER, 90 * KG);

        IStage.Totals memory cod = harvester.totalAvailableFish(COD);
        assertEq(cod.lots, 2, "cod lots");
        assertEq(cod.grams, 1_750 * KG, "cod grams");
        assertEq(cod.updatedAt, codTime, "cod stamp");
        IStage.Totals memory her = harvester.totalAvailableFish(HER);
        assertEq(her.lots, 1, "herring lots");
        assertEq(her.grams, 90 * KG, "herring grams");
        assertEq(her.updatedAt, _now(), "herring stamp");
        IStage.Totals memory pok = harvester.totalAvailableFish(POK);
        assertEq(pok.lots, 0, "no pollock");
        assertEq(pok.grams, 0, "no pollock grams");
        assertEq(pok.updatedAt, 0, "never stamped");
    }

    function test_registerFish_edgesOfTheEarthAndCatchAtBlockTime() public {
        int32[2][2] memory edges = [[MAX_LATITUDE, MAX_LONGITUDE], [-MAX_LATITUDE, -MAX_LONGITUDE]];
        for (uint256 i; i < 2; ++i) {
            IHarvester.Catch memory c = _catch(COD, KG);
            (c.latitude, c.longitude) = (edges[i][0], edges[i][1]);
            _expectRegistered(c);
        }
        vm.warp(_now() + 5);
        _expectRegistered(_catch(COD, KG)); // caught at the current block time
    }

    function testFuzz_registerFish_anyPositionOnEarth(int256 latitude, int256 longitude) public {
        IHarvester.Catch memory c = _catch(COD, KG);
        c.latitude = int32(bound(latitude, -MAX_LATITUDE, MAX_LATITUDE));
        c.longitude = int32(bound(longitude, -MAX_LONGITUDE, MAX_LONGITUDE));
        uint256 lotId = _expectRegistered(c);
        (, , , int32 lat, int32 lon, ) = harvester.queryStatus(lotId);
        assertEq(lat, c.latitude, "latitude");
        assertEq(lon, c.longitude, "longitude");
    }

    /// @dev Alone or in a batch, only a HARVESTER registers catches.
    function test_registerFish_RevertWhen_NotHarvester() public {
        IHarvester.Catch[] memory catches = _batchOf(2);
        address[6] memory callers = [admin, supplier1, regulator, gateway, qat, stranger];
        for (uint256 i; i < callers.length; ++i) {
            bytes memory unauthorized = abi.encodeWithSelector(
                IStage.StageUnauthorized.selector,
                callers[i],
                Roles.HARVESTER_BIT
            );
            vm.expectRevert(unauthorized);
            vm.prank(callers[i]);
            harvester.registerFish(catches[0]);
            vm.expectRevert(unauthorized);
            vm.prank(callers[i]);
            harvester.registerFishBatch(catches);
        }
    }

    function test_registerFish_RevertWhen_Revoked() public {
        vm.prank(admin);
        registry.revokeParticipant(harvester1);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, harvester1, Roles.HARVESTER_BIT));
        vm.prank(harvester1);
        harvester.registerFish(_catch(COD, KG));
    }

    function test_registerFish_RevertWhen_SpeciesNotListedOrDelisted() public {
        vm.expectRevert(abi.encodeWithSelector(IStage.StageSpeciesNotListed.selector, POK));
        vm.prank(harvester1);
        harvester.registerFish(_catch(POK, KG));

        vm.prank(admin);
        registry.delistSpecies(HER);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageSpeciesNotListed.selector, HER));
        vm.prank(harvester1);
        harvester.registerFish(_catch(HER, KG));
    }

    function test_registerFish_delistingKeepsExistingLots() public {
        uint256 lotId = _registerLot(harvester1, HER, KG);
        vm.prank(admin);
        registry.delistSpecies(HER);
        assertEq(bytes32(harvester.getLot(lotId).species), bytes32(HER), "species kept");
        assertEq(harvester.totalAvailableFish(HER).lots, 1, "still counted");
    }

    function test_registerFish_RevertWhen_WeightZero() public {
        vm.expectRevert(abi.encodeWithSelector(IStage.StageInvalidWeight.selector, 0));
        vm.prank(harvester1);
        harvester.registerFish(_catch(COD, 0));
    }

    function test_registerFish_RevertWhen_JustOffTheEarth() public {
        int32[2][4] memory off = [
            [MAX_LATITUDE + 1, int32(0)],
            [-MAX_LATITUDE - 1, int32(0)],
            [int32(0), MAX_LONGITUDE + 1],
            [int32(0), -MAX_LONGITUDE - 1]
        ];
        for (uint256 i; i < off.length; ++i) _expectRegisterOffTheEarth(off[i][0], off[i][1]);
    }

    /// @dev A latitude beyond ±90° or a longitude beyond ±180°, the other coordinate anywhere.
    function testFuzz_registerFish_RevertWhen_OffTheEarth(int32 latitude, int32 longitude, bool latitudeOff) public {
        (latitude, longitude) = _offTheEarth(latitude, longitude, latitudeOff);
        _expectRegisterOffTheEarth(latitude, longitude);
    }

    function testFuzz_registerFish_RevertWhen_CaughtInTheFuture(uint256 ahead) public {
        vm.warp(_now() + 10);
        IHarvester.Catch memory c = _catch(COD, KG);
        c.caughtAt = uint40(bound(ahead, _now() + 1, type(uint40).max));
        vm.expectRevert(abi.encodeWithSelector(IStage.StageTimeInFuture.selector, c.caughtAt, uint40(_now())));
        vm.prank(harvester1);
        harvester.registerFish(c);
    }

    // ------------------------------------------------------------------ registerFishBatch

    function test_registerFishBatch_registersEveryLotWithItsEvent() public {
        _registerLot(harvester2, COD, KG); // lot 1: the batch continues the numbering
        IHarvester.Catch[] memory catches = new IHarvester.Catch[](3);
        catches[0] = _catch(COD, 250 * KG);
        catches[1] = _form(true, false);
        catches[2] = _catch(HER, 90 * KG);
        (catches[2].latitude, catches[2].longitude) = (-MAX_LATITUDE, MAX_LONGITUDE);
        for (uint256 i; i < catches.length; ++i) {
            vm.expectEmit(address(harvester));
            emit IHarvester.FishRegistered(2 + i, h1, catches[i]);
        }
        vm.prank(harvester1);
        assertEq(harvester.registerFishBatch(catches), 2, "first lot id");

        for (uint256 i; i < catches.length; ++i) {
            IStage.Lot memory lot = harvester.getLot(2 + i);
            assertEq(lot.custodianId, h1, "custodian");
            assertEq(lot.weightGrams, catches[i].weightGrams, "weight");
            assertEq(bytes32(lot.species), bytes32(catches[i].species), "species");
            assertEq(uint256(lot.status), uint256(IStage.LotStatus.Created), "status");
            assertEq(lot.latitude, catches[i].latitude, "latitude");
            assertEq(lot.longitude, catches[i].longitude, "longitude");
        }
        assertEq(harvester.getLot(3).flags, LotFlags.FROZEN, "frozen flag");
        assertEq(harvester.totalAvailableFish(COD).lots, 3, "cod lots: lot 1 and two of the batch");
        assertEq(harvester.totalAvailableFish(COD).grams, 1_251 * KG, "cod grams");
        assertEq(harvester.totalAvailableFish(HER).lots, 1, "herring lots");
        assertEq(harvester.totalAvailableFish(HER).updatedAt, _now(), "herring stamp");
        assertEq(_registerLot(harvester1, COD, KG), 5, "the next lot follows the batch");
    }

    /// @dev A batch registers the same lots, with the same words, and leaves the same totals as registering its
    /// catches one by one, whatever their species (runs of one species or not), weights, forms and positions.
    function testFuzz_registerFishBatch_equalsOneByOne(uint256 seed, uint8 size) public {
        IHarvester.Catch[] memory catches = new IHarvester.Catch[](bound(size, 1, 12));
        for (uint256 i; i < catches.length; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            catches[i] = _catch(r & 1 == 0 ? COD : HER, uint40(bound(r >> 8, 1, type(uint32).max)));
            catches[i].frozen = r & 2 != 0;
            catches[i].farmed = r & 4 != 0;
            catches[i].latitude = int32(int256(bound(r >> 48, 0, 2 * uint256(int256(MAX_LATITUDE))))) - MAX_LATITUDE;
            catches[i].caughtAt = uint40(_now() - bound(r >> 96, 0, 30 days));
        }
        // One by one at a second Harvester of the same registry (same participant ids, so the same words).
        Harvester twin = _newHarvester(registry);
        vm.prank(admin);
        registry.attachStage(address(twin));
        uint256[] memory words = new uint256[](catches.length);
        for (uint256 i; i < catches.length; ++i) {
            vm.prank(harvester1);
            words[i] = LotWord.unwrap(twin.lotWord(twin.registerFish(catches[i])));
        }
        IStage.Totals[2] memory single = [twin.totalAvailableFish(COD), twin.totalAvailableFish(HER)];

        vm.prank(harvester1);
        uint256 first = harvester.registerFishBatch(catches);
        assertEq(first, 1, "first lot id");
        for (uint256 i; i < catches.length; ++i) assertEq(uint256(_wordOf(first + i)), words[i], "lot word");
        IStage.Totals[2] memory batch = [harvester.totalAvailableFish(COD), harvester.totalAvailableFish(HER)];
        for (uint256 k; k < 2; ++k) {
            assertEq(batch[k].lots, single[k].lots, "lots");
            assertEq(batch[k].grams, single[k].grams, "grams");
            assertEq(batch[k].updatedAt, single[k].updatedAt, "stamp");
        }
        assertEq(_registerLot(harvester1, COD, KG), catches.length + 1, "one counter for both");
    }

    function test_registerFishBatch_RevertWhen_Empty() public {
        vm.expectRevert(abi.encodeWithSelector(IHarvester.HarvesterEmptyBatch.selector));
        vm.prank(harvester1);
        harvester.registerFishBatch(new IHarvester.Catch[](0));
    }

    function test_registerFishBatch_RevertWhen_ACatchIsBad_namingIt() public {
        IHarvester.Catch[] memory catches = _batchOf(4);
        catches[2].species = POK;
        _expectBatchRevert(catches, abi.encodeWithSelector(IHarvester.HarvesterCatchSpeciesNotListed.selector, 2, POK));

        catches = _batchOf(4);
        catches[3].weightGrams = 0;
        _expectBatchRevert(catches, abi.encodeWithSelector(IHarvester.HarvesterCatchInvalidWeight.selector, 3));

        catches = _batchOf(4);
        catches[1].longitude = -MAX_LONGITUDE - 1;
        _expectBatchRevert(
            catches,
            abi.encodeWithSelector(
                IHarvester.HarvesterCatchInvalidPosition.selector,
                1,
                catches[1].latitude,
                -MAX_LONGITUDE - 1
            )
        );

        catches = _batchOf(4);
        catches[0].caughtAt = uint40(_now() + 1);
        _expectBatchRevert(
            catches,
            abi.encodeWithSelector(IHarvester.HarvesterCatchTimeInFuture.selector, 0, _now() + 1, _now())
        );
        assertEq(_registerLot(harvester1, COD, KG), 1, "no lot was registered, no id taken");
        assertEq(harvester.totalAvailableFish(COD).lots, 1, "no lot counted");
    }

    /// @dev A species delisted in the middle of a batch's run of another species is still checked where its own run
    /// starts.
    function test_registerFishBatch_RevertWhen_DelistedSpeciesStartsARun() public {
        vm.prank(admin);
        registry.delistSpecies(HER);
        IHarvester.Catch[] memory catches = _batchOf(3);
        catches[1].species = HER;
        _expectBatchRevert(catches, abi.encodeWithSelector(IHarvester.HarvesterCatchSpeciesNotListed.selector, 1, HER));
    }

    /// @dev The batch's catches are copied into the events as sent: a text or a flag padded with anything but zeros
    /// reverts, as the ABI decoder would have refused it.
    function test_registerFishBatch_RevertWhen_CalldataDirty() public {
        bytes memory clean = abi.encodeCall(IHarvester.registerFishBatch, (_batchOf(1)));
        // The catch starts after the selector, the array's offset and its length: word w of it at 4 + 64 + 32 w.
        uint256[4] memory dirtyAt = [
            uint256(4 + 64 + 32 * 5 + 31),
            4 + 64 + 32 * 6 + 31,
            4 + 64 + 32 * 7 + 31,
            4 + 64 + 32 * 9 + 31
        ];
        for (uint256 i; i < dirtyAt.length; ++i) {
            bytes memory data = bytes.concat(clean);
            data[dirtyAt[i]] = 0x02;
            vm.prank(harvester1);
            (bool ok, bytes memory reason) = address(harvester).call(data);
            assertFalse(ok, "dirty word refused");
            assertEq(reason.length, 0, "as the ABI decoder refuses it");
        }
        vm.prank(harvester1);
        (bool sent, ) = address(harvester).call(clean);
        assertTrue(sent, "clean batch registered");
    }

    // ------------------------------------------------------------------ transship

    bytes16 private constant CARRIER = "IMO9876543";

    function _transship(address by, uint256[] memory lotIds, uint40 when) private {
        vm.prank(by);
        harvester.transship(lotIds, CARRIER, 70_12345, -10_54321, when);
    }

    function test_transship_emitsPerLotAndChangesNothingElse() public {
        uint256 a = _freshLot();
        uint256 b = _freshLot();
        LotWord before = harvester.lotWord(a);
        uint40 when = uint40(_now() - 10 minutes);
        vm.expectEmit(true, true, false, true, address(harvester));
        emit IHarvester.FishTransshipped(a, h1, CARRIER, 70_12345, -10_54321, when);
        vm.expectEmit(true, true, false, true, address(harvester));
        emit IHarvester.FishTransshipped(b, h1, CARRIER, 70_12345, -10_54321, when);
        _transship(harvester1, _ids(a, b), when);
        assertEq(LotWord.unwrap(harvester.lotWord(a)), LotWord.unwrap(before), "the lot's word is unchanged");
        assertEq(harvester.getLot(b).custodianId, h1, "the harvester keeps custody");
    }

    function test_transship_atTheCatchDayAndAtBlockTime() public {
        uint256 lotId = _freshLot();
        _transship(harvester1, _ids(lotId), uint40(_now()));
        _transship(harvester1, _ids(lotId), uint40((_now() / 1 days) * 1 days));
    }

    function test_transship_RevertWhen_BadArguments() public {
        uint256 lotId = _freshLot();
        vm.startPrank(harvester1);
        vm.expectRevert(abi.encodeWithSelector(IHarvester.HarvesterEmptyBatch.selector));
        harvester.transship(new uint256[](0), CARRIER, 0, 0, uint40(_now()));
        vm.expectRevert(abi.encodeWithSelector(IHarvester.HarvesterNoCarrier.selector));
        harvester.transship(_ids(lotId), bytes16(0), 0, 0, uint40(_now()));
        vm.expectRevert(abi.encodeWithSelector(IStage.StageInvalidPosition.selector, MAX_LATITUDE + 1, 0));
        harvester.transship(_ids(lotId), CARRIER, MAX_LATITUDE + 1, 0, uint40(_now()));
        vm.expectRevert(abi.encodeWithSelector(IStage.StageTimeInFuture.selector, uint40(_now() + 1), uint40(_now())));
        harvester.transship(_ids(lotId), CARRIER, 0, 0, uint40(_now() + 1));
        uint40 caughtDay = uint40((_now() / 1 days) * 1 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IHarvester.HarvesterTransshippedBeforeCatch.selector,
                lotId,
                caughtDay - 1,
                caughtDay
            )
        );
        harvester.transship(_ids(lotId), CARRIER, 0, 0, caughtDay - 1);
        vm.stopPrank();
    }

    function test_transship_RevertWhen_NotTheHarvestersUnsoldLot() public {
        uint256 lotId = _freshLot();
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotInCustody.selector, lotId, h1, h2));
        _transship(harvester2, _ids(lotId), uint40(_now()));
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotFound.selector, 999));
        _transship(harvester1, _ids(lotId, 999), uint40(_now()));
        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, supplier1, Roles.HARVESTER_BIT));
        _transship(supplier1, _ids(lotId), uint40(_now()));
        vm.prank(harvester1);
        harvester.removeFish(lotId, IStage.RemovalReason.Discarded);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStage.LotInvalidStatus.selector,
                lotId,
                IStage.LotStatus.Removed,
                IStage.LotStatus.Created
            )
        );
        _transship(harvester1, _ids(lotId), uint40(_now()));
    }

    // ------------------------------------------------------------------ updateFish

    function test_updateFish_custodianAttachesReading() public {
        uint256 lotId = _freshLot();
        Reading memory r = _reading();
        vm.expectEmit(address(harvester));
        emit IStage.FishUpdated(lotId, h1, r.readAt, r.temperature, r.humidity, r.latitude, r.longitude);
        _update(harvester1, lotId, r);
        _assertStatus(lotId, r, 0);
    }

    function test_updateFish_leavesCustodyStatusWeightAndSpecies() public {
        uint256 lotId = _freshLot();
        IStage.Lot memory before = harvester.getLot(lotId);
        _update(harvester1, lotId, _reading());
        IStage.Lot memory after_ = harvester.getLot(lotId);
        assertEq(after_.custodianId, before.custodianId, "custodian");
        assertEq(after_.weightGrams, before.weightGrams, "weight");
        assertEq(bytes32(after_.species), bytes32(before.species), "species");
        assertEq(uint256(after_.status), uint256(before.status), "status");
        assertEq(after_.flags, before.flags, "flags");
    }

    /// @dev Two's complement fields at their most negative read back unchanged.
    function test_updateFish_packsNegativeValues() public {
        uint256 lotId = _frozenLot();
        Reading memory r = _reading();
        (r.temperature, r.humidity, r.latitude, r.longitude) = (type(int16).min, 100, -MAX_LATITUDE, -MAX_LONGITUDE);
        _update(harvester1, lotId, r);
        IStage.Lot memory lot = harvester.getLot(lotId);
        _assertStatus(lotId, r, LotFlags.FROZEN);
        assertEq(lot.custodianId, h1, "custodian");
        assertEq(bytes32(lot.species), bytes32(COD), "species");
        assertEq(uint256(lot.status), uint256(IStage.LotStatus.Created), "status");
    }

    /// @dev Whatever a reading holds (a valid humidity and position, any temperature, any past time), it reads back
    /// as sent, and the lot is flagged exactly when the temperature lies outside its form's band.
    function testFuzz_updateFish_storesReadingAndChecksBand(
        bool frozen,
        int16 temperature,
        uint256 humidity,
        int256 latitude,
        int256 longitude,
        uint256 age
    ) public {
        uint256 lotId = frozen ? _frozenLot() : _freshLot();
        Reading memory r = Reading({
            temperature: temperature,
            humidity: uint8(bound(humidity, 0, 100)),
            latitude: int32(bound(latitude, -MAX_LATITUDE, MAX_LATITUDE)),
            longitude: int32(bound(longitude, -MAX_LONGITUDE, MAX_LONGITUDE)),
            readAt: uint40(_now() - bound(age, 0, _now() - 1))
        });
        (int16 minimum, int16 maximum) = frozen ? (FROZEN_MIN, FROZEN_MAX) : (FRESH_MIN, FRESH_MAX);
        bool excursion = temperature < minimum || temperature > maximum;

        vm.recordLogs();
        _update(harvester1, lotId, r);
        _assertExcursions(vm.getRecordedLogs(), lotId, excursion, r, minimum, maximum);
        uint8 declared = frozen ? LotFlags.FROZEN : 0;
        _assertStatus(lotId, r, declared | (excursion ? LotFlags.EXCURSION : 0));
    }

    function test_updateFish_freshBandEdgesNoExcursion() public {
        uint256 lotId = _freshLot();
        int16[2] memory edges = [FRESH_MIN, FRESH_MAX];
        for (uint256 i; i < edges.length; ++i) {
            Reading memory r = _reading();
            (r.temperature, r.humidity) = (edges[i], 100);
            vm.recordLogs();
            _update(harvester1, lotId, r);
            _assertExcursions(vm.getRecordedLogs(), lotId, false, r, FRESH_MIN, FRESH_MAX);
        }
        assertEq(harvester.getLot(lotId).flags & LotFlags.EXCURSION, 0, "no excursion");
    }

    /// @dev 4.01 °C, -0.01 °C and 12 °C, each on a fresh lot of its own.
    function test_updateFish_freshOutOfBandFlagsExcursion() public {
        int16[3] memory outside = [int16(401), -1, 1200];
        for (uint256 i; i < outside.length; ++i) {
            uint256 lotId = _freshLot();
            Reading memory r = _reading();
            r.temperature = outside[i];
            vm.expectEmit(address(harvester));
            emit IStage.ColdChainExcursion(lotId, r.readAt, r.temperature, FRESH_MIN, FRESH_MAX);
            _update(harvester1, lotId, r);
            (, , , , , uint8 flags) = harvester.queryStatus(lotId);
            assertEq(flags, LotFlags.EXCURSION, "flagged");
        }
    }

    /// @dev -18 °C, -25 °C and the coldest reading there is.
    function test_updateFish_frozenAtOrBelowMinus18NoExcursion() public {
        uint256 lotId = _frozenLot();
        int16[3] memory cold = [FROZEN_MAX, -2500, type(int16).min];
        for (uint256 i; i < cold.length; ++i) {
            Reading memory r = _reading();
            r.temperature = cold[i];
            vm.recordLogs();
            _update(harvester1, lotId, r);
            _assertExcursions(vm.getRecordedLogs(), lotId, false, r, FROZEN_MIN, FROZEN_MAX);
        }
        assertEq(harvester.getLot(lotId).flags, LotFlags.FROZEN, "only frozen");
    }

    /// @dev -17.99 °C and 2 °C, each on a frozen lot of its own.
    function test_updateFish_frozenAboveMinus18FlagsExcursion() public {
        int16[2] memory warm = [int16(-1799), 200];
        for (uint256 i; i < warm.length; ++i) {
            uint256 lotId = _frozenLot();
            Reading memory r = _reading();
            r.temperature = warm[i];
            vm.expectEmit(address(harvester));
            emit IStage.ColdChainExcursion(lotId, r.readAt, r.temperature, FROZEN_MIN, FROZEN_MAX);
            _update(harvester1, lotId, r);
            assertEq(harvester.getLot(lotId).flags, LotFlags.FROZEN | LotFlags.EXCURSION, "flagged");
        }
    }

    function test_updateFish_excursionFlagStaysAfterBackInBand() public {
        uint256 lotId = _freshLot();
        _update(harvester1, lotId, _reading(900, 120));
        _update(harvester1, lotId, _reading(200, 60));
        (, int16 temperature, , , , uint8 flags) = harvester.queryStatus(lotId);
        assertEq(temperature, 200, "latest temperature");
        assertEq(flags, LotFlags.EXCURSION, "still flagged");
    }

    function test_updateFish_lateReadingRecordedWithoutReplacingNewer() public {
        uint256 lotId = _freshLot();
        Reading memory newer = _reading(100, 60);
        Reading memory older = _reading(300, 600);
        older.humidity = 70;
        _update(harvester1, lotId, newer);
        vm.expectEmit(address(harvester));
        emit IStage.FishUpdated(
            lotId,
            h1,
            older.readAt,
            older.temperature,
            older.humidity,
            older.latitude,
            older.longitude
        );
        _update(harvester1, lotId, older);
        _assertStatus(lotId, newer, 0);
    }

    function test_updateFish_lateReadingOutOfBandStillFlags() public {
        uint256 lotId = _freshLot();
        Reading memory newer = _reading(100, 60);
        Reading memory older = _reading(800, 600);
        _update(harvester1, lotId, newer);
        vm.expectEmit(address(harvester));
        emit IStage.ColdChainExcursion(lotId, older.readAt, older.temperature, FRESH_MIN, FRESH_MAX);
        _update(harvester1, lotId, older);
        _assertStatus(lotId, newer, LotFlags.EXCURSION);
    }

    function test_updateFish_sameTimeReplacesStatus() public {
        uint256 lotId = _freshLot();
        _update(harvester1, lotId, _reading(100, 60));
        _update(harvester1, lotId, _reading(300, 60));
        (, int16 temperature, , , , ) = harvester.queryStatus(lotId);
        assertEq(temperature, 300, "the later call wins");
    }

    function test_updateFish_readingAtBlockTime() public {
        uint256 lotId = _freshLot();
        vm.warp(_now() + 5);
        _update(harvester1, lotId, _reading(200, 0));
        (uint40 readAt, , , , , ) = harvester.queryStatus(lotId);
        assertEq(readAt, _now(), "read now");
    }

    /// @dev The custodian's gateway reports under its own participant id (5 °C: an excursion too).
    function test_updateFish_custodiansGatewayReportsAsItself() public {
        uint256 lotId = _freshLot();
        Reading memory r = _reading(500, 60);
        vm.expectEmit(address(harvester));
        emit IStage.FishUpdated(lotId, _idOf(gateway), r.readAt, r.temperature, r.humidity, r.latitude, r.longitude);
        vm.expectEmit(address(harvester));
        emit IStage.ColdChainExcursion(lotId, r.readAt, r.temperature, FRESH_MIN, FRESH_MAX);
        _update(gateway, lotId, r);
        (uint40 readAt, , , , , ) = harvester.queryStatus(lotId);
        assertEq(readAt, r.readAt, "stored");
    }

    function test_updateFish_RevertWhen_GatewaysOperatorDoesNotHoldLot() public {
        uint256 othersLot = _registerLot(harvester2, COD, 250 * KG);
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotInCustody.selector, othersLot, h2, h1));
        _update(gateway, othersLot, _reading());
    }

    function test_updateFish_RevertWhen_GatewaysOperatorRevoked() public {
        uint256 lotId = _freshLot();
        vm.prank(admin);
        registry.revokeParticipant(harvester1);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, gateway, UPDATE_ROLES));
        _update(gateway, lotId, _reading());
    }

    function test_updateFish_RevertWhen_NeitherHarvesterNorGateway() public {
        uint256 lotId = _freshLot();
        address[5] memory callers = [qat, supplier1, regulator, admin, stranger];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, callers[i], UPDATE_ROLES));
            _update(callers[i], lotId, _reading());
        }
    }

    function test_updateFish_RevertWhen_LotNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotFound.selector, 999));
        _update(harvester1, 999, _reading());
    }

    function test_updateFish_RevertWhen_NotInCustody() public {
        uint256 lotId = _freshLot();
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotInCustody.selector, lotId, h1, h2));
        _update(harvester2, lotId, _reading());
    }

    function test_updateFish_RevertWhen_Removed() public {
        uint256 lotId = _freshLot();
        vm.prank(harvester1);
        harvester.removeFish(lotId, IStage.RemovalReason.Discarded);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStage.LotInvalidStatus.selector,
                lotId,
                IStage.LotStatus.Removed,
                IStage.LotStatus.Created
            )
        );
        _update(harvester1, lotId, _reading());
    }

    function testFuzz_updateFish_RevertWhen_HumidityAbove100(uint256 humidity) public {
        uint256 lotId = _freshLot();
        Reading memory r = _reading();
        r.humidity = uint8(bound(humidity, 101, type(uint8).max));
        vm.expectRevert(abi.encodeWithSelector(IStage.StageInvalidHumidity.selector, r.humidity));
        _update(harvester1, lotId, r);
    }

    function test_updateFish_RevertWhen_OffTheEarth() public {
        uint256 lotId = _freshLot();
        _expectUpdateOffTheEarth(lotId, -MAX_LATITUDE - 1, 0);
        _expectUpdateOffTheEarth(lotId, 0, MAX_LONGITUDE + 1);
    }

    function testFuzz_updateFish_RevertWhen_OffTheEarth(int32 latitude, int32 longitude, bool latitudeOff) public {
        uint256 lotId = _freshLot();
        (latitude, longitude) = _offTheEarth(latitude, longitude, latitudeOff);
        _expectUpdateOffTheEarth(lotId, latitude, longitude);
    }

    function testFuzz_updateFish_RevertWhen_ReadInTheFuture(uint256 ahead) public {
        uint256 lotId = _freshLot();
        vm.warp(_now() + 10);
        Reading memory r = _reading();
        r.readAt = uint40(bound(ahead, _now() + 1, type(uint40).max));
        vm.expectRevert(abi.encodeWithSelector(IStage.StageTimeInFuture.selector, r.readAt, uint40(_now())));
        _update(harvester1, lotId, r);
    }

    // ------------------------------------------------------------------ removeFish

    function test_removeFish_everyReason() public {
        for (uint8 reason; reason <= uint8(type(IStage.RemovalReason).max); ++reason) {
            uint256 lotId = _registerLot(harvester1, COD, 120 * KG);
            vm.expectEmit(address(harvester));
            emit IStage.FishRemoved(lotId, h1, IStage.RemovalReason(reason));
            vm.prank(harvester1);
            harvester.removeFish(lotId, IStage.RemovalReason(reason));
            IStage.Lot memory lot = harvester.getLot(lotId);
            assertEq(uint256(lot.status), uint256(IStage.LotStatus.Removed), "removed");
            assertEq(lot.custodianId, h1, "custodian kept");
            assertEq(lot.weightGrams, 120 * KG, "weight kept");
        }
    }

    function test_removeFish_subtractsFromTotals() public {
        uint256 lotId = _registerLot(harvester1, COD, 120 * KG);
        _registerLot(harvester1, COD, 80 * KG);
        vm.warp(_now() + 1 hours);
        vm.prank(harvester1);
        harvester.removeFish(lotId, IStage.RemovalReason.Lost);
        IStage.Totals memory totals = harvester.totalAvailableFish(COD);
        assertEq(totals.lots, 1, "lots");
        assertEq(totals.grams, 80 * KG, "grams");
        assertEq(totals.updatedAt, _now(), "stamped at the removal");
    }

    function test_removeFish_RevertWhen_RemovedAlready() public {
        uint256 lotId = _registerLot(harvester1, COD, 120 * KG);
        vm.prank(harvester1);
        harvester.removeFish(lotId, IStage.RemovalReason.Sold);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStage.LotInvalidStatus.selector,
                lotId,
                IStage.LotStatus.Removed,
                IStage.LotStatus.Created
            )
        );
        vm.prank(harvester1);
        harvester.removeFish(lotId, IStage.RemovalReason.Sold);
    }

    function test_removeFish_RevertWhen_NotHarvester() public {
        uint256 lotId = _registerLot(harvester1, COD, 120 * KG);
        address[3] memory callers = [gateway, supplier1, stranger];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, callers[i], Roles.HARVESTER_BIT));
            vm.prank(callers[i]);
            harvester.removeFish(lotId, IStage.RemovalReason.Discarded);
        }
    }

    function test_removeFish_RevertWhen_LotNotFound() public {
        uint256 lotId = _registerLot(harvester1, COD, 120 * KG);
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotFound.selector, lotId + 1));
        vm.prank(harvester1);
        harvester.removeFish(lotId + 1, IStage.RemovalReason.Discarded);
    }

    function test_removeFish_RevertWhen_NotInCustody() public {
        uint256 lotId = _registerLot(harvester1, COD, 120 * KG);
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotInCustody.selector, lotId, h1, h2));
        vm.prank(harvester2);
        harvester.removeFish(lotId, IStage.RemovalReason.Discarded);
    }

    /// @dev A reason outside the enum fails the ABI decoding: a revert without data, and the lot stays.
    function testFuzz_removeFish_RevertWhen_ReasonOutsideEnum(uint256 seed) public {
        uint8 reason = uint8(bound(seed, uint8(type(IStage.RemovalReason).max) + 1, type(uint8).max));
        uint256 lotId = _registerLot(harvester1, COD, 120 * KG);
        vm.expectRevert(bytes(""));
        vm.prank(harvester1);
        RawRemoveFish(address(harvester)).removeFish(lotId, reason);
        assertEq(uint256(harvester.getLot(lotId).status), uint256(IStage.LotStatus.Created), "still available");
    }

    // ------------------------------------------------------------------ queries

    function test_queryStatus_newLotHasCatchPositionAndDeclaredFlags() public {
        IHarvester.Catch memory c = _form(true, true);
        uint256 lotId = _register(harvester1, c);
        (uint40 readAt, int16 temperature, uint8 humidity, int32 latitude, int32 longitude, uint8 flags) = harvester
            .queryStatus(lotId);
        assertEq(readAt, 0, "no reading");
        assertEq(temperature, 0, "temperature");
        assertEq(humidity, 0, "humidity");
        assertEq(latitude, c.latitude, "latitude");
        assertEq(longitude, c.longitude, "longitude");
        assertEq(flags, LotFlags.FROZEN | LotFlags.FARMED, "declared flags");
    }

    function test_queryStatus_RevertWhen_LotNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotFound.selector, 1));
        harvester.queryStatus(1);
    }

    function test_queryQAT_zeroedInspectionUntilScanned() public {
        uint256 lotId = _frozenLot();
        _update(harvester1, lotId, _reading(300, 60));
        (IStage.Inspection memory inspection, uint8 flags) = harvester.queryQAT(lotId);
        IStage.Inspection memory none;
        assertEq(abi.encode(inspection), abi.encode(none), "no inspection");
        assertEq(flags, LotFlags.FROZEN | LotFlags.EXCURSION, "the lot's flags");
    }

    function test_queryQATAndGetLot_zeroesForUnknownLot() public view {
        (IStage.Inspection memory inspection, uint8 flags) = harvester.queryQAT(42);
        IStage.Inspection memory none;
        assertEq(abi.encode(inspection), abi.encode(none), "no inspection");
        assertEq(flags, 0, "no flags");
        IStage.Lot memory nothing;
        assertEq(abi.encode(harvester.getLot(42)), abi.encode(nothing), "a zeroed lot");
        assertEq(uint256(harvester.getLot(42).status), uint256(IStage.LotStatus.None), "status None");
    }

    function test_totalSuppliedFish_zeroBeforeAnySupply() public {
        _registerLot(harvester1, COD, 250 * KG);
        IStage.Totals memory totals = harvester.totalSuppliedFish(COD);
        assertEq(totals.lots, 0, "lots");
        assertEq(totals.grams, 0, "grams");
        assertEq(totals.updatedAt, 0, "never stamped");
    }

    // ------------------------------------------------------------------ lots in an order

    function test_updateFish_whileShipped() public {
        (, uint256[] memory lotIds) = _shippedOrder();
        Reading memory r = _reading();
        vm.expectEmit(address(harvester));
        emit IStage.FishUpdated(
            lotIds[0],
            _idOf(gateway),
            r.readAt,
            r.temperature,
            r.humidity,
            r.latitude,
            r.longitude
        );
        _update(gateway, lotIds[0], r);
        (uint40 readAt, , , , , ) = harvester.queryStatus(lotIds[0]);
        assertEq(readAt, r.readAt, "stored");
    }

    /// @dev A supplied lot still names the harvester as its holder here, but takes no more readings here.
    function test_updateFish_RevertWhen_Supplied() public {
        uint256[] memory lotIds = _suppliedLots();
        assertEq(harvester.getLot(lotIds[0]).custodianId, h1, "holder here");
        address[2] memory callers = [harvester1, gateway];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IStage.LotInvalidStatus.selector,
                    lotIds[0],
                    IStage.LotStatus.Supplied,
                    IStage.LotStatus.Created
                )
            );
            _update(callers[i], lotIds[0], _reading());
        }
    }

    /// @dev The new custodian's gateway reports at the Supplier, where the lot now is; at the Harvester its operator
    /// holds no role (audit F5: a device acts only for its operator's stage).
    function test_updateFish_newCustodiansGatewayReportsAtSupplier() public {
        uint256[] memory lotIds = _suppliedLots();
        address supplierGateway = _enrolDevice(supplier1, Roles.SENSOR_GATEWAY, "supplier gateway");
        Reading memory r = _reading();
        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, supplierGateway, UPDATE_ROLES));
        _update(supplierGateway, lotIds[0], r);

        vm.expectEmit(address(supplier));
        emit IStage.FishUpdated(
            lotIds[0],
            _idOf(supplierGateway),
            r.readAt,
            r.temperature,
            r.humidity,
            r.latitude,
            r.longitude
        );
        vm.prank(supplierGateway);
        supplier.updateFish(lotIds[0], r.temperature, r.humidity, r.latitude, r.longitude, r.readAt);
        (uint40 readAt, , , , , ) = supplier.queryStatus(lotIds[0]);
        assertEq(readAt, r.readAt, "stored at the Supplier");
    }

    function test_removeFish_RevertWhen_Shipped() public {
        (, uint256[] memory lotIds) = _shippedOrder();
        vm.expectRevert(
            abi.encodeWithSelector(
                IStage.LotInvalidStatus.selector,
                lotIds[0],
                IStage.LotStatus.Shipped,
                IStage.LotStatus.Created
            )
        );
        vm.prank(harvester1);
        harvester.removeFish(lotIds[0], IStage.RemovalReason.Lost);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev A herring lot of `weight` registers with exactly that weight and species, and counts in the totals.
    function _assertRegistersWeight(uint40 weight) private {
        uint256 lotId = _registerLot(harvester1, HER, weight);
        IStage.Lot memory lot = harvester.getLot(lotId);
        assertEq(lot.weightGrams, weight, "weight");
        assertEq(bytes32(lot.species), bytes32(HER), "species");
        assertEq(uint256(lot.status), uint256(IStage.LotStatus.Created), "status");
        assertEq(harvester.totalAvailableFish(HER).grams, weight, "available grams");
    }

    /// @dev A catch of cod (1 t), frozen and farmed as given.
    function _form(bool frozen, bool farmed) private view returns (IHarvester.Catch memory c) {
        c = _catch(COD, 1_000 * KG);
        c.frozen = frozen;
        c.farmed = farmed;
    }

    /// @dev `n` fresh cod catches of 1 t to 1 t + n - 1 kg.
    function _batchOf(uint256 n) private view returns (IHarvester.Catch[] memory catches) {
        catches = new IHarvester.Catch[](n);
        for (uint256 i; i < n; ++i) catches[i] = _catch(COD, uint40(1_000 + i) * KG);
    }

    function _expectBatchRevert(IHarvester.Catch[] memory catches, bytes memory reason) private {
        vm.expectRevert(reason);
        vm.prank(harvester1);
        harvester.registerFishBatch(catches);
    }

    function _wordOf(uint256 lotId) private view returns (bytes32) {
        return bytes32(LotWord.unwrap(harvester.lotWord(lotId)));
    }

    function _register(address by, IHarvester.Catch memory c) private returns (uint256 lotId) {
        vm.prank(by);
        lotId = harvester.registerFish(c);
    }

    /// @dev Registers `c` as harvester1, expecting `FishRegistered` with the whole catch.
    function _expectRegistered(IHarvester.Catch memory c) private returns (uint256 lotId) {
        vm.expectEmit(address(harvester));
        emit IHarvester.FishRegistered(_nextLotId(), h1, c);
        lotId = _register(harvester1, c);
    }

    /// @dev The id the next registered lot gets: one more than the lots registered so far.
    function _nextLotId() private view returns (uint256 n) {
        while (harvester.getLot(n + 1).status != IStage.LotStatus.None) ++n;
        return n + 1;
    }

    function _expectRegisterOffTheEarth(int32 latitude, int32 longitude) private {
        IHarvester.Catch memory c = _catch(COD, KG);
        (c.latitude, c.longitude) = (latitude, longitude);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageInvalidPosition.selector, latitude, longitude));
        _register(harvester1, c);
    }

    function _expectUpdateOffTheEarth(uint256 lotId, int32 latitude, int32 longitude) private {
        Reading memory r = _reading();
        (r.latitude, r.longitude) = (latitude, longitude);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageInvalidPosition.selector, latitude, longitude));
        _update(harvester1, lotId, r);
    }

    /// @dev A position with its latitude (or longitude) beyond the Earth's, the other coordinate anything.
    function _offTheEarth(int32 latitude, int32 longitude, bool latitudeOff) private pure returns (int32, int32) {
        if (latitudeOff) {
            int32 beyond = int32(bound(int256(latitude), int256(MAX_LATITUDE) + 1, type(int32).max));
            return (latitude < 0 ? -beyond : beyond, longitude);
        }
        int32 beyondLon = int32(bound(int256(longitude), int256(MAX_LONGITUDE) + 1, type(int32).max));
        return (latitude, longitude < 0 ? -beyondLon : beyondLon);
    }

    /// @dev A fresh cod lot of harvester1, registered an hour ago.
    function _freshLot() private returns (uint256 lotId) {
        lotId = _registerLot(harvester1, COD, 250 * KG);
        vm.warp(_now() + 1 hours);
    }

    /// @dev A frozen cod lot of harvester1, registered an hour ago.
    function _frozenLot() private returns (uint256 lotId) {
        lotId = _register(harvester1, _form(true, false));
        vm.warp(_now() + 1 hours);
    }

    /// @dev A reading a minute ago: 2 °C, 85 %, off Tromsø.
    function _reading() private view returns (Reading memory) {
        return _reading(200, 60);
    }

    /// @dev A reading of `temperature` taken `age` seconds ago: 85 %, off Tromsø.
    function _reading(int16 temperature, uint256 age) private view returns (Reading memory) {
        return
            Reading({
                temperature: temperature,
                humidity: 85,
                latitude: 69_64920,
                longitude: 18_95530,
                readAt: uint40(_now() - age)
            });
    }

    function _update(address by, uint256 lotId, Reading memory r) private {
        vm.prank(by);
        harvester.updateFish(lotId, r.temperature, r.humidity, r.latitude, r.longitude, r.readAt);
    }

    /// @dev `queryStatus` of `lotId` is `r` with `flags`.
    function _assertStatus(uint256 lotId, Reading memory r, uint8 expectedFlags) private view {
        (uint40 readAt, int16 temperature, uint8 humidity, int32 latitude, int32 longitude, uint8 flags) = harvester
            .queryStatus(lotId);
        assertEq(readAt, r.readAt, "readAt");
        assertEq(temperature, r.temperature, "temperature");
        assertEq(humidity, r.humidity, "humidity");
        assertEq(latitude, r.latitude, "latitude");
        assertEq(longitude, r.longitude, "longitude");
        assertEq(flags, expectedFlags, "flags");
    }

    /// @dev `logs` hold one `ColdChainExcursion` of `lotId` for `r` in [`minimum`, `maximum`] if `expected`, else none.
    function _assertExcursions(
        Vm.Log[] memory logs,
        uint256 lotId,
        bool expected,
        Reading memory r,
        int16 minimum,
        int16 maximum
    ) private view {
        uint256 n;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics.length == 0 || logs[i].topics[0] != IStage.ColdChainExcursion.selector) continue;
            ++n;
            assertEq(logs[i].emitter, address(harvester), "emitter");
            assertEq(logs[i].topics[1], bytes32(lotId), "lot");
            assertEq(logs[i].data, abi.encode(r.readAt, r.temperature, minimum, maximum), "excursion data");
        }
        assertEq(n, expected ? 1 : 0, "ColdChainExcursion events");
    }

    /// @dev The market of the mocha suite: two 250 kg cod lots of harvester1, ordered (400 kg) by supplier1.
    function _order() private returns (uint256 orderId, uint256[] memory lotIds) {
        lotIds = _ids(_registerLot(harvester1, COD, 250 * KG), _registerLot(harvester1, COD, 250 * KG));
        orderId = _placeAt(1, supplier1, harvester1, COD, 400 * KG, 1 ether, uint40(_now() + 1 days), 2 days);
        vm.warp(_now() + 1 hours);
    }

    function _shippedOrder() private returns (uint256 orderId, uint256[] memory lotIds) {
        (orderId, lotIds) = _order();
        _shipAt(1, harvester1, orderId, SHIPMENT_NO, lotIds);
    }

    /// @dev The market's lots delivered to and acknowledged by supplier1: Supplied here, Created at the Supplier.
    function _suppliedLots() private returns (uint256[] memory lotIds) {
        uint256 orderId;
        (orderId, lotIds) = _shippedOrder();
        _confirmAt(1, supplier1, orderId);
        _ackAt(1, supplier1, orderId, SHIPMENT_NO, lotIds);
    }
}
