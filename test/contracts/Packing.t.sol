// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPacking} from "../../contracts/interfaces/IPacking.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {PackingInterface as Packing} from "./utils/Contracts.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";

/// @notice Logistic units (SSCCs): lots packed by their holder at its stage, unpacked by whoever holds them then.
contract PackingTest is FishTraceTest {
    /// @dev GS1's own SSCC examples (General Specifications), check digits valid.
    uint256 private constant SSCC_A = 376_104_250_021_234_569;
    uint256 private constant SSCC_B = 106_141_411_234_567_897;
    uint40 private constant KG = 1_000;
    /// @dev A third SSCC, for pallets: 0 + GS1 Company Prefix 0614141 + serial 999999999, check digit valid.
    uint256 private constant PALLET = 6_141_419_999_999_994;

    Packing private packing;

    function setUp() public {
        _deployWithParticipants();
        packing = Packing(_deploy("Packing.sol:Packing", abi.encode(registry, _stageAddresses())));
    }

    // ------------------------------------------------------------------ helpers

    /// @dev `body` (17 digits at most) followed by its GS1 mod-10 check digit, computed left to right (odd positions
    /// of the 17 weigh 3): another reading of the rule than the contract's.
    function _sscc(uint256 body) private pure returns (uint256) {
        uint256 sum;
        for (uint256 position = 1; position <= 17; ++position) {
            uint256 digit = (body / 10 ** (17 - position)) % 10;
            sum += position % 2 == 1 ? 3 * digit : digit;
        }
        return body * 10 + ((10 - (sum % 10)) % 10);
    }

    function _pack(address by, uint256 sscc, uint256[] memory lotIds) private {
        vm.prank(by);
        packing.pack(sscc, lotIds);
    }

    /// @dev The next call reverts because `lotId` is `holder`'s, not `caller`'s.
    function _expectNotHolder(uint256 lotId, address holder, address caller) private {
        vm.expectRevert(
            abi.encodeWithSelector(IPacking.PackingNotHolder.selector, lotId, _idOf(holder), _idOf(caller))
        );
    }

    function _unpack(address by, uint256 sscc) private {
        vm.prank(by);
        packing.unpack(sscc);
    }

    /// @dev `manufacturer1` ships `lotId` (weighing `grams`) to `distributor1`: in transit, no longer `Created`.
    function _shipToDistributor(uint256 lotId, uint40 grams) private {
        uint256 orderId = _placeAt(
            3,
            distributor1,
            manufacturer1,
            COD,
            grams,
            CHAIN_PRICE,
            uint40(_now() + 1 days),
            1 days
        );
        _shipAt(3, manufacturer1, orderId, 7, _ids(lotId));
    }

    function _packUnits(address by, uint256 sscc, uint256[] memory ssccs) private {
        vm.prank(by);
        packing.packUnits(sscc, ssccs);
    }

    /// @dev Two cases packed by `manufacturer1` at the Manufacturer: SSCC_A with two lots, SSCC_B with one.
    function _twoCases() private returns (uint256[] memory lotsA, uint256 lotB) {
        lotsA = _lotsAt(3, COD, 12 * KG, 8 * KG);
        lotB = _lotAt(3, COD, 5 * KG);
        _pack(manufacturer1, SSCC_A, lotsA);
        _pack(manufacturer1, SSCC_B, _ids(lotB));
    }

    // ------------------------------------------------------------------ wiring

    function test_constructor_RevertWhen_StageOutOfOrder() public {
        address[6] memory stages = _stageAddresses();
        (stages[1], stages[2]) = (stages[2], stages[1]);
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingInvalidStage.selector, 2, stages[1]));
        _tryDeploy("Packing.sol:Packing", abi.encode(registry, stages));
    }

    function test_views_NameTheRegistryAndStages() public view {
        assertEq(packing.registry(), address(registry), "registry");
        for (uint8 s = 1; s <= 6; ++s) assertEq(packing.stageAt(s), address(_stage(s)), "stage");
    }

    function test_stageAt_RevertWhen_NoSuchStage() public {
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingInvalidStage.selector, 7, address(0)));
        packing.stageAt(7);
    }

    // ------------------------------------------------------------------ pack

    function test_pack_RecordsTheUnitItsLotsAndTheirWeights() public {
        uint256[] memory lotIds = _lotsAt(3, COD, 12 * KG, 8 * KG);
        uint40[] memory weights = new uint40[](2);
        (weights[0], weights[1]) = (12 * KG, 8 * KG);
        vm.expectEmit(address(packing));
        emit IPacking.Packed(SSCC_A, _idOf(manufacturer1), 3, lotIds, weights);
        _pack(manufacturer1, SSCC_A, lotIds);

        IPacking.LogisticUnit memory unit = packing.unitOf(SSCC_A);
        assertEq(uint8(unit.status), uint8(IPacking.UnitStatus.Packed), "status");
        assertEq(unit.stage, 3, "stage");
        assertEq(unit.packerId, _idOf(manufacturer1), "packer");
        assertEq(unit.packedAt, _now(), "packed at");
        assertEq(unit.count, 2, "lot count");
        assertEq(uint8(unit.kind), uint8(IPacking.UnitKind.Lots), "a unit of lots");
        assertEq(unit.parent, 0, "on no pallet");
        assertEq(unit.unpackedAt, 0, "not unpacked");
        assertEq(packing.contentsOf(SSCC_A), lotIds, "contents");
        assertEq(packing.packOf(lotIds[0]), SSCC_A, "first lot's unit");
        assertEq(packing.packOf(lotIds[1]), SSCC_A, "second lot's unit");
        // The lots stay where they were: packing moves nothing at the stage.
        assertEq(uint8(manufacturer.getLot(lotIds[0]).status), uint8(IStage.LotStatus.Created), "lot still created");
    }

    function test_pack_AtTheHarvester() public {
        uint256 lotId = _registerLot(harvester2, COD, 3 * KG);
        _pack(harvester2, SSCC_B, _ids(lotId));
        assertEq(packing.unitOf(SSCC_B).stage, 1, "stage");
        assertEq(packing.packOf(lotId), SSCC_B, "packed");
    }

    function test_pack_LeadingZerosAreDigits() public {
        uint256 sscc = _sscc(614_141_123_456); // 000006141411234567 + check digit
        uint256 lotId = _registerLot(harvester1, COD, KG);
        _pack(harvester1, sscc, _ids(lotId));
        assertEq(packing.packOf(lotId), sscc, "packed");
    }

    /// @dev A participant with two actor roles packs at the stage where it holds the lots.
    function test_pack_ParticipantWithTwoActorRolesPacksWhereItHoldsTheLots() public {
        _register(manufacturer1, Roles.SUPPLIER);
        uint256 lotId = _lotAt(3, COD, KG);
        _pack(manufacturer1, SSCC_A, _ids(lotId));
        assertEq(packing.unitOf(SSCC_A).stage, 3, "the manufacturer's stage, not the supplier's");
    }

    function test_pack_RevertWhen_WrongHolder() public {
        uint256 lotId = _lotAt(3, COD, KG);
        _expectNotHolder(lotId, manufacturer1, manufacturer2);
        _pack(manufacturer2, SSCC_A, _ids(lotId));
    }

    function test_pack_RevertWhen_UnknownLot() public {
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingLotNotFound.selector, 999, 3));
        _pack(manufacturer1, SSCC_A, _ids(999));
    }

    function test_pack_RevertWhen_LotAtAnotherStage() public {
        uint256 lotId = _registerLot(harvester1, COD, KG);
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingLotNotFound.selector, lotId, 3));
        _pack(manufacturer1, SSCC_A, _ids(lotId));
    }

    function test_pack_RevertWhen_LotLeftTheStage() public {
        uint256 lotId = _lotAt(2, COD, KG);
        _handOver(2, supplier1, manufacturer1, _ids(lotId));
        vm.expectRevert(
            abi.encodeWithSelector(IPacking.PackingLotNotAvailable.selector, lotId, IStage.LotStatus.Supplied)
        );
        _pack(supplier1, SSCC_A, _ids(lotId));
    }

    function test_pack_RevertWhen_LotRecalled() public {
        uint256 lotId = _lotAt(3, COD, KG);
        vm.prank(regulator);
        manufacturer.recallLots(_ids(lotId), "R-1");
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingLotRecalled.selector, lotId));
        _pack(manufacturer1, SSCC_A, _ids(lotId));
    }

    function test_pack_RevertWhen_SsccInUse() public {
        uint256[] memory lotIds = _lotsAt(3, COD, KG, 2 * KG);
        _pack(manufacturer1, SSCC_A, _ids(lotIds[0]));
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingSsccUsed.selector, SSCC_A, IPacking.UnitStatus.Packed));
        _pack(manufacturer1, SSCC_A, _ids(lotIds[1]));
    }

    function test_pack_RevertWhen_SsccUnpackedAlready() public {
        uint256[] memory lotIds = _lotsAt(3, COD, KG, 2 * KG);
        _pack(manufacturer1, SSCC_A, _ids(lotIds[0]));
        _unpack(manufacturer1, SSCC_A);
        vm.expectRevert(
            abi.encodeWithSelector(IPacking.PackingSsccUsed.selector, SSCC_A, IPacking.UnitStatus.Unpacked)
        );
        _pack(manufacturer1, SSCC_A, _ids(lotIds[1]));
    }

    function test_pack_RevertWhen_LotInAnotherUnit() public {
        uint256[] memory lotIds = _lotsAt(3, COD, KG, 2 * KG);
        _pack(manufacturer1, SSCC_A, _ids(lotIds[0]));
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingLotAlreadyPacked.selector, lotIds[0], SSCC_A));
        _pack(manufacturer1, SSCC_B, lotIds);
    }

    function test_pack_RevertWhen_LotListedTwice() public {
        uint256 lotId = _lotAt(3, COD, KG);
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingLotAlreadyPacked.selector, lotId, SSCC_A));
        _pack(manufacturer1, SSCC_A, _ids(lotId, lotId));
    }

    function test_pack_RevertWhen_NotAnActor() public {
        uint256 lotId = _lotAt(3, COD, KG);
        address device = _enrolDevice(manufacturer1, Roles.SENSOR_GATEWAY, "gateway");
        address[4] memory callers = [stranger, regulator, admin, device];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IPacking.PackingUnauthorized.selector, callers[i]));
            _pack(callers[i], SSCC_A, _ids(lotId));
        }
    }

    function test_pack_RevertWhen_RevokedHolder() public {
        uint256 lotId = _lotAt(3, COD, KG);
        vm.prank(admin);
        registry.revokeParticipant(manufacturer1);
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingUnauthorized.selector, manufacturer1));
        _pack(manufacturer1, SSCC_A, _ids(lotId));
    }

    function test_pack_RevertWhen_BadSscc() public {
        uint256 lotId = _lotAt(3, COD, KG);
        uint256[4] memory bad = [SSCC_A + 1, 0, SSCC_A * 10 + 3, type(uint256).max];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IPacking.PackingInvalidSscc.selector, bad[i]));
            _pack(manufacturer1, bad[i], _ids(lotId));
        }
    }

    function test_pack_RevertWhen_NoLotsOrTooMany() public {
        uint256 maximum = packing.MAX_LOTS();
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingInvalidLotCount.selector, 0, maximum));
        _pack(manufacturer1, SSCC_A, new uint256[](0));
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingInvalidLotCount.selector, maximum + 1, maximum));
        _pack(manufacturer1, SSCC_A, new uint256[](maximum + 1));
    }

    function test_pack_RevertWhen_StagePaused() public {
        uint256 lotId = _lotAt(3, COD, KG);
        address pauser = makeAddr("pauser");
        _register(pauser, Roles.PAUSER);
        vm.prank(pauser);
        registry.pause(address(manufacturer));
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingStagePaused.selector, 3));
        _pack(manufacturer1, SSCC_A, _ids(lotId));
    }

    // ------------------------------------------------------------------ unpack

    function test_unpack_ByThePackerFreesTheLots() public {
        uint256[] memory lotIds = _lotsAt(3, COD, KG, 2 * KG);
        _pack(manufacturer1, SSCC_A, lotIds);
        vm.warp(_now() + 1 hours);
        vm.expectEmit(address(packing));
        emit IPacking.Unpacked(SSCC_A, _idOf(manufacturer1), 3, lotIds);
        _unpack(manufacturer1, SSCC_A);

        IPacking.LogisticUnit memory unit = packing.unitOf(SSCC_A);
        assertEq(uint8(unit.status), uint8(IPacking.UnitStatus.Unpacked), "status");
        assertEq(unit.unpackerId, _idOf(manufacturer1), "unpacker");
        assertEq(unit.unpackedAt, _now(), "unpacked at");
        assertEq(unit.packedAt, _now() - 1 hours, "packed at kept");
        assertEq(packing.contentsOf(SSCC_A), lotIds, "contents kept as history");
        assertEq(packing.packOf(lotIds[0]), 0, "first lot loose");
        assertEq(packing.packOf(lotIds[1]), 0, "second lot loose");
        // Loose lots can be packed anew, under another SSCC.
        _pack(manufacturer1, SSCC_B, lotIds);
        assertEq(packing.packOf(lotIds[1]), SSCC_B, "packed again");
    }

    /// @dev A unit packed at the Supplier travels with its lots and is unpacked by the Manufacturer that received them.
    function test_unpack_ByTheBuyerWhoReceivedTheLots() public {
        uint256[] memory lotIds = _lotsAt(2, COD, KG, 2 * KG);
        _pack(supplier1, SSCC_A, lotIds);
        _handOver(2, supplier1, manufacturer2, lotIds);
        vm.expectEmit(address(packing));
        emit IPacking.Unpacked(SSCC_A, _idOf(manufacturer2), 3, lotIds);
        _unpack(manufacturer2, SSCC_A);
    }

    function test_unpack_RevertWhen_SomeoneElse() public {
        uint256 lotId = _lotAt(3, COD, KG);
        _pack(manufacturer1, SSCC_A, _ids(lotId));
        _expectNotHolder(lotId, manufacturer1, manufacturer2);
        _unpack(manufacturer2, SSCC_A);
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingUnauthorized.selector, stranger));
        _unpack(stranger, SSCC_A);
        // The packer's buyer-to-be cannot unpack before the lots reach it.
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingLotNotFound.selector, lotId, 4));
        _unpack(distributor1, SSCC_A);
    }

    function test_unpack_RevertWhen_InTransit() public {
        uint256 lotId = _lotAt(3, COD, KG);
        _pack(manufacturer1, SSCC_A, _ids(lotId));
        _shipToDistributor(lotId, KG);
        vm.expectRevert(
            abi.encodeWithSelector(IPacking.PackingLotNotAvailable.selector, lotId, IStage.LotStatus.Shipped)
        );
        _unpack(manufacturer1, SSCC_A);
    }

    function test_unpack_RevertWhen_NotPacked() public {
        vm.expectRevert(
            abi.encodeWithSelector(IPacking.PackingSsccNotPacked.selector, SSCC_A, IPacking.UnitStatus.None)
        );
        _unpack(manufacturer1, SSCC_A);
        vm.expectRevert(
            abi.encodeWithSelector(IPacking.PackingSsccNotPacked.selector, 10 ** 18, IPacking.UnitStatus.None)
        );
        _unpack(manufacturer1, 10 ** 18);
        uint256 lotId = _lotAt(3, COD, KG);
        _pack(manufacturer1, SSCC_A, _ids(lotId));
        _unpack(manufacturer1, SSCC_A);
        vm.expectRevert(
            abi.encodeWithSelector(IPacking.PackingSsccNotPacked.selector, SSCC_A, IPacking.UnitStatus.Unpacked)
        );
        _unpack(manufacturer1, SSCC_A);
    }

    // ------------------------------------------------------------------ pallets: units of units

    function test_pallet_ConstantIsAnSscc() public pure {
        assertEq(PALLET, _sscc(PALLET / 10), "check digit");
    }

    function test_packUnits_RecordsThePalletAndPutsTheCasesOnIt() public {
        (uint256[] memory lotsA, uint256 lotB) = _twoCases();
        vm.warp(_now() + 1 hours);
        vm.expectEmit(address(packing));
        emit IPacking.UnitsPacked(PALLET, _idOf(manufacturer1), 3, _ids(SSCC_A, SSCC_B));
        _packUnits(manufacturer1, PALLET, _ids(SSCC_A, SSCC_B));

        IPacking.LogisticUnit memory pallet = packing.unitOf(PALLET);
        assertEq(uint8(pallet.status), uint8(IPacking.UnitStatus.Packed), "status");
        assertEq(uint8(pallet.kind), uint8(IPacking.UnitKind.Units), "a unit of units");
        assertEq(pallet.stage, 3, "stage");
        assertEq(pallet.packerId, _idOf(manufacturer1), "packer");
        assertEq(pallet.packedAt, _now(), "packed at");
        assertEq(pallet.count, 2, "unit count");
        assertEq(pallet.parent, 0, "on no pallet itself");
        assertEq(packing.contentsOf(PALLET), _ids(SSCC_A, SSCC_B), "contents: the cases");
        for (uint256 i; i < 2; ++i) {
            IPacking.LogisticUnit memory unit = packing.unitOf(i == 0 ? SSCC_A : SSCC_B);
            assertEq(unit.parent, PALLET, "the case is on the pallet");
            assertEq(uint8(unit.status), uint8(IPacking.UnitStatus.Packed), "and still packed");
            assertEq(unit.packedAt, _now() - 1 hours, "the case's record otherwise unchanged");
        }
        // The lots stay in their cases.
        assertEq(packing.packOf(lotsA[1]), SSCC_A, "lot in its case");
        assertEq(packing.packOf(lotB), SSCC_B, "lot in its case");
        assertEq(packing.contentsOf(SSCC_A), lotsA, "case contents unchanged");
    }

    /// @dev A pallet packed at the Supplier travels with its lots; the Manufacturer that received them unpacks it.
    function test_packUnits_ByTheSupplierUnpackedByTheBuyer() public {
        uint256[] memory lotIds = _lotsAt(2, COD, KG, 2 * KG);
        _pack(supplier1, SSCC_A, _ids(lotIds[0]));
        _pack(supplier1, SSCC_B, _ids(lotIds[1]));
        _packUnits(supplier1, PALLET, _ids(SSCC_A, SSCC_B));
        assertEq(packing.unitOf(PALLET).stage, 2, "packed at the Supplier");
        _handOver(2, supplier1, manufacturer2, lotIds);
        vm.expectEmit(address(packing));
        emit IPacking.UnitsUnpacked(PALLET, _idOf(manufacturer2), 3, _ids(SSCC_A, SSCC_B));
        _unpack(manufacturer2, PALLET);
        assertEq(packing.unitOf(PALLET).unpackerId, _idOf(manufacturer2), "unpacker");
    }

    function test_packUnits_RevertWhen_PalletInItself() public {
        _twoCases();
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingUnitInItself.selector, PALLET));
        _packUnits(manufacturer1, PALLET, _ids(SSCC_A, PALLET));
    }

    /// @dev No cycle: a case on a pallet cannot take the pallet (its SSCC is used), and a pallet goes on no pallet.
    function test_packUnits_RevertWhen_Cycle() public {
        _twoCases();
        _packUnits(manufacturer1, PALLET, _ids(SSCC_A));
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingSsccUsed.selector, SSCC_A, IPacking.UnitStatus.Packed));
        _packUnits(manufacturer1, SSCC_A, _ids(PALLET));
        uint256 outer = _sscc(614_141_888_888_888);
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingUnitHoldsUnits.selector, PALLET));
        _packUnits(manufacturer1, outer, _ids(SSCC_B, PALLET));
    }

    function test_packUnits_RevertWhen_CaseOnAPalletAlready() public {
        _twoCases();
        _packUnits(manufacturer1, PALLET, _ids(SSCC_A));
        uint256 other = _sscc(614_141_888_888_888);
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingUnitAlreadyPacked.selector, SSCC_A, PALLET));
        _packUnits(manufacturer1, other, _ids(SSCC_B, SSCC_A));
        // Listed twice: the second finds it on this very pallet.
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingUnitAlreadyPacked.selector, SSCC_B, other));
        _packUnits(manufacturer1, other, _ids(SSCC_B, SSCC_B));
    }

    function test_packUnits_RevertWhen_CaseNotPacked() public {
        (uint256[] memory lotsA, ) = _twoCases();
        uint256 unknown = _sscc(614_141_777_777_777);
        vm.expectRevert(
            abi.encodeWithSelector(IPacking.PackingSsccNotPacked.selector, unknown, IPacking.UnitStatus.None)
        );
        _packUnits(manufacturer1, PALLET, _ids(SSCC_B, unknown));
        vm.expectRevert(
            abi.encodeWithSelector(IPacking.PackingSsccNotPacked.selector, 10 ** 18, IPacking.UnitStatus.None)
        );
        _packUnits(manufacturer1, PALLET, _ids(10 ** 18));
        _unpack(manufacturer1, SSCC_A);
        vm.expectRevert(
            abi.encodeWithSelector(IPacking.PackingSsccNotPacked.selector, SSCC_A, IPacking.UnitStatus.Unpacked)
        );
        _packUnits(manufacturer1, PALLET, _ids(SSCC_A));
        assertEq(packing.packOf(lotsA[0]), 0, "the opened case's lots are loose");
    }

    function test_packUnits_RevertWhen_AnotherHoldersCase() public {
        _twoCases();
        uint256 lotId = _registerLot(harvester1, COD, KG);
        _handOver(1, harvester1, supplier1, _ids(lotId));
        _handOver(2, supplier1, manufacturer2, _ids(lotId));
        uint256 theirs = _sscc(614_141_777_777_777);
        _pack(manufacturer2, theirs, _ids(lotId));
        _expectNotHolder(lotId, manufacturer2, manufacturer1);
        _packUnits(manufacturer1, PALLET, _ids(SSCC_A, theirs));
    }

    /// @dev A case whose lot left the packer (shipped while packed: the stage contracts do not know of packing).
    function test_packUnits_RevertWhen_ALotOfACaseLeft() public {
        (, uint256 lotB) = _twoCases();
        _shipToDistributor(lotB, 5 * KG);
        vm.expectRevert(
            abi.encodeWithSelector(IPacking.PackingLotNotAvailable.selector, lotB, IStage.LotStatus.Shipped)
        );
        _packUnits(manufacturer1, PALLET, _ids(SSCC_A, SSCC_B));
    }

    function test_packUnits_RevertWhen_ContentsRecalled() public {
        (uint256[] memory lotsA, ) = _twoCases();
        vm.prank(regulator);
        manufacturer.recallLots(_ids(lotsA[1]), "R-1");
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingUnitLotRecalled.selector, SSCC_A, lotsA[1]));
        _packUnits(manufacturer1, PALLET, _ids(SSCC_B, SSCC_A));
    }

    function test_packUnits_RevertWhen_BadPalletSsccOrCount() public {
        _twoCases();
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingInvalidSscc.selector, PALLET + 1));
        _packUnits(manufacturer1, PALLET + 1, _ids(SSCC_A));
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingSsccUsed.selector, SSCC_B, IPacking.UnitStatus.Packed));
        _packUnits(manufacturer1, SSCC_B, _ids(SSCC_A));
        uint256 maximum = packing.MAX_UNITS();
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingInvalidUnitCount.selector, 0, maximum));
        _packUnits(manufacturer1, PALLET, new uint256[](0));
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingInvalidUnitCount.selector, maximum + 1, maximum));
        _packUnits(manufacturer1, PALLET, new uint256[](maximum + 1));
    }

    function test_packUnits_RevertWhen_NotAnActorOrPaused() public {
        _twoCases();
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingUnauthorized.selector, stranger));
        _packUnits(stranger, PALLET, _ids(SSCC_A));
        address pauser = makeAddr("pauser");
        _register(pauser, Roles.PAUSER);
        vm.prank(pauser);
        registry.pause(address(manufacturer));
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingStagePaused.selector, 3));
        _packUnits(manufacturer1, PALLET, _ids(SSCC_A));
    }

    function test_unpack_PalletFreesItsCasesStillPacked() public {
        (uint256[] memory lotsA, uint256 lotB) = _twoCases();
        _packUnits(manufacturer1, PALLET, _ids(SSCC_A, SSCC_B));
        vm.warp(_now() + 1 hours);
        vm.expectEmit(address(packing));
        emit IPacking.UnitsUnpacked(PALLET, _idOf(manufacturer1), 3, _ids(SSCC_A, SSCC_B));
        _unpack(manufacturer1, PALLET);

        IPacking.LogisticUnit memory pallet = packing.unitOf(PALLET);
        assertEq(uint8(pallet.status), uint8(IPacking.UnitStatus.Unpacked), "status");
        assertEq(pallet.unpackedAt, _now(), "unpacked at");
        assertEq(packing.contentsOf(PALLET), _ids(SSCC_A, SSCC_B), "contents kept as history");
        assertEq(packing.unitOf(SSCC_A).parent, 0, "case A off the pallet");
        assertEq(packing.unitOf(SSCC_B).parent, 0, "case B off the pallet");
        assertEq(uint8(packing.unitOf(SSCC_A).status), uint8(IPacking.UnitStatus.Packed), "case A still packed");
        assertEq(packing.packOf(lotsA[0]), SSCC_A, "its lots still in it");
        // The cases go onto another pallet, or are opened.
        uint256 next = _sscc(614_141_888_888_888);
        _packUnits(manufacturer1, next, _ids(SSCC_B));
        _unpack(manufacturer1, SSCC_A);
        assertEq(packing.packOf(lotsA[0]), 0, "opened");
        assertEq(packing.packOf(lotB), SSCC_B, "still in its case");
        vm.expectRevert(
            abi.encodeWithSelector(IPacking.PackingSsccNotPacked.selector, PALLET, IPacking.UnitStatus.Unpacked)
        );
        _unpack(manufacturer1, PALLET);
    }

    function test_unpack_RevertWhen_CaseOnAPallet() public {
        _twoCases();
        _packUnits(manufacturer1, PALLET, _ids(SSCC_A, SSCC_B));
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingUnitOnPallet.selector, SSCC_B, PALLET));
        _unpack(manufacturer1, SSCC_B);
    }

    function test_unpack_RevertWhen_PalletBySomeoneElseOrInTransit() public {
        (, uint256 lotB) = _twoCases();
        _packUnits(manufacturer1, PALLET, _ids(SSCC_A, SSCC_B));
        uint256[] memory lotsA = packing.contentsOf(SSCC_A);
        _expectNotHolder(lotsA[0], manufacturer1, manufacturer2);
        _unpack(manufacturer2, PALLET);
        _shipToDistributor(lotB, 5 * KG);
        vm.expectRevert(
            abi.encodeWithSelector(IPacking.PackingLotNotAvailable.selector, lotB, IStage.LotStatus.Shipped)
        );
        _unpack(manufacturer1, PALLET);
    }

    /// @dev Any number of cases of any number of lots go onto a pallet under any valid SSCC and come off again;
    /// listing one of them twice is refused.
    function testFuzz_packUnits_AnyPallet(uint256 body, uint8 cases, uint8 lotsPerCase, uint8 twice) public {
        cases = uint8(bound(cases, 1, 6));
        lotsPerCase = uint8(bound(lotsPerCase, 1, 3));
        uint256 pallet = _sscc(bound(body, 10 ** 12, 10 ** 17 - 1));
        uint256[] memory ssccs = new uint256[](cases);
        for (uint256 c; c < cases; ++c) {
            uint256[] memory lotIds = new uint256[](lotsPerCase);
            for (uint256 k; k < lotsPerCase; ++k) lotIds[k] = _registerLot(harvester1, COD, KG);
            ssccs[c] = _sscc(1 + c); // below 10^12: never the pallet
            _pack(harvester1, ssccs[c], lotIds);
        }
        // One case listed twice (in the last place) is refused, naming the pallet it is already on.
        uint256[] memory doubled = new uint256[](cases + 1);
        for (uint256 c; c < cases; ++c) doubled[c] = ssccs[c];
        doubled[cases] = ssccs[bound(twice, 0, cases - 1)];
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingUnitAlreadyPacked.selector, doubled[cases], pallet));
        _packUnits(harvester1, pallet, doubled);

        _packUnits(harvester1, pallet, ssccs);
        assertEq(packing.contentsOf(pallet), ssccs, "contents");
        assertEq(packing.unitOf(pallet).count, cases, "count");
        for (uint256 c; c < cases; ++c) assertEq(packing.unitOf(ssccs[c]).parent, pallet, "on the pallet");
        _unpack(harvester1, pallet);
        for (uint256 c; c < cases; ++c) {
            assertEq(packing.unitOf(ssccs[c]).parent, 0, "off the pallet");
            assertEq(packing.contentsOf(ssccs[c]).length, lotsPerCase, "its lots kept");
        }
    }

    // ------------------------------------------------------------------ SSCC digits

    function test_isValidSscc_GS1Examples() public view {
        assertTrue(packing.isValidSscc(SSCC_A), "376104250021234569");
        assertTrue(packing.isValidSscc(SSCC_B), "106141411234567897");
        assertFalse(packing.isValidSscc(0), "zero");
        assertFalse(packing.isValidSscc(10 ** 18 + 7), "19 digits");
    }

    /// @dev Every 17-digit body with its check digit is an SSCC; with any other last digit it is not.
    function testFuzz_isValidSscc_OnlyTheCheckDigit(uint256 body, uint8 other) public view {
        body = bound(body, 1, 10 ** 17 - 1);
        uint256 sscc = _sscc(body);
        assertTrue(packing.isValidSscc(sscc), "with its check digit");
        uint256 wrong = body * 10 + ((bound(other, 1, 9) + (sscc % 10)) % 10);
        assertFalse(packing.isValidSscc(wrong), "with another last digit");
    }

    /// @dev Any valid SSCC packs; its neighbour (one more, so a wrong check digit) is refused.
    function testFuzz_pack_AnySsccWithItsCheckDigit(uint256 body) public {
        body = bound(body, 1, 10 ** 17 - 1);
        uint256 sscc = _sscc(body);
        uint256 lotId = _registerLot(harvester1, COD, KG);
        uint256 neighbour = sscc % 10 == 9 ? sscc - 9 : sscc + 1;
        vm.expectRevert(abi.encodeWithSelector(IPacking.PackingInvalidSscc.selector, neighbour));
        _pack(harvester1, neighbour, _ids(lotId));
        _pack(harvester1, sscc, _ids(lotId));
        assertEq(packing.packOf(lotId), sscc, "packed");
        assertEq(packing.contentsOf(sscc), _ids(lotId), "contents");
    }
}
