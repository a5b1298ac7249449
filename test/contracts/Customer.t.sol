// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ICustomer} from "../../contracts/interfaces/ICustomer.sol";
import {IManufacturer} from "../../contracts/interfaces/IManufacturer.sol";
import {IOrderBook} from "../../contracts/interfaces/IOrderBook.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {LotFlags} from "../../contracts/libraries/LotFlags.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";
import {OrderBookInterface} from "./utils/Contracts.sol";

// An ABI view of the contracts, not a suite: its functions are not tests.
// solhint-disable foundry-test-function-naming
/// @dev `reportProblem` with its reason as the plain uint8 an enum is in the ABI, to send values outside the enum.
interface RawReportProblem {
    function reportProblem(uint256 lotId, uint8 reason, bytes32 detail) external;
}

// solhint-enable foundry-test-function-naming

/// @notice The Customer's own work (stage 6): verifying a pack's provenance back to every catch it was made from
/// (exact hops, breadth first, bounded at MAX_PROVENANCE_HOPS) and reporting problems with a pack.
/// @dev The shop of `setUp`: catches A (300 kg) and B (200 kg) brought to the Manufacturer together, A consumed
/// whole and 50 kg of B into pack 1 (120 kg of loins, sold down to customer1) and pack 2 (100 kg of frozen fillets,
/// sold down to customer2); and a 10 kg lot never processed, sold down to customer1.
contract CustomerTest is FishTraceTest {
    uint40 private constant KG = 1_000;
    bytes32 private constant DETAIL = "bought 2026-11-21, smelled off";

    uint256 private catchA;
    uint256 private catchB;
    uint256 private pack1;
    uint256 private pack2;
    uint256 private raw;

    function setUp() public {
        _deployWithParticipants();
        uint256[] memory catches = _lotsAt(3, COD, 300 * KG, 200 * KG);
        (catchA, catchB) = (catches[0], catches[1]);
        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](2);
        inputs[0] = IManufacturer.Input({lotId: catchA, grams: 0});
        inputs[1] = IManufacturer.Input({lotId: catchB, grams: 50 * KG});
        IManufacturer.Output[] memory outputs = new IManufacturer.Output[](2);
        outputs[0] = IManufacturer.Output({
            gtin: _gtin(703_801_000_001),
            lotNumber: "L2026-11-20",
            weightGrams: 120 * KG,
            frozen: false
        });
        outputs[1] = IManufacturer.Output({
            gtin: _gtin(703_801_000_002),
            lotNumber: "L2026-11-20",
            weightGrams: 100 * KG,
            frozen: true
        });
        vm.prank(manufacturer1);
        (, uint256[] memory packs) = manufacturer.processLots(inputs, outputs);
        (pack1, pack2) = (packs[0], packs[1]);
        _sellDown(_ids(pack1), customer1);
        _sellDown(_ids(pack2), customer2);
        raw = _lotAt(6, COD, 10 * KG);
    }

    /// @dev Stage 6 follows the Retailer and ends the chain; none of the order book's functions is here (each call
    /// falls through to no function: a revert without data), while the Retailer answers every one of them. The exact
    /// list of the Customer's functions is an ABI matter: customer.test.ts compares it.
    function test_stage_endOfChainWithoutOrderBook() public {
        assertEq(customer.stage(), 6, "stage");
        assertEq(customer.previousStage(), address(retailer), "previous stage");
        assertEq(customer.nextStage(), address(0), "no next stage");
        assertEq(customer.MAX_PROVENANCE_HOPS(), 64, "hop bound");

        uint256[] memory lotIds = _ids(raw);
        bytes[14] memory calls = [
            abi.encodeCall(IOrderBook.placeOrder, (retailer1, COD, KG, uint40(_now() + 1 days), 1 days)),
            abi.encodeCall(IOrderBook.initiateShipment, (1, 1, lotIds)),
            abi.encodeCall(IOrderBook.confirmDelivery, (1)),
            abi.encodeCall(IOrderBook.acknowledge, (1, 1, lotIds)),
            abi.encodeCall(IOrderBook.rejectDelivery, (1, 1, lotIds, "")),
            abi.encodeCall(IOrderBook.cancelOrder, (1)),
            abi.encodeCall(IOrderBook.claimPayment, (1, 1, lotIds)),
            abi.encodeCall(IOrderBook.withdraw, (1)),
            abi.encodeCall(IOrderBook.getOrder, (1)),
            abi.encodeCall(IOrderBook.orderCount, ()),
            abi.encodeCall(IOrderBook.escrowBalance, ()),
            abi.encodeCall(OrderBookInterface.MIN_ACK_WINDOW, ()),
            abi.encodeCall(OrderBookInterface.MAX_ACK_WINDOW, ()),
            abi.encodeCall(OrderBookInterface.ARRIVAL_DISPUTE_WINDOW, ())
        ];
        // Raw calls on purpose: a missing function shows only as a revert without data.
        // solhint-disable avoid-low-level-calls
        for (uint256 i; i < calls.length; ++i) {
            (bool ok, bytes memory answer) = address(customer).call(calls[i]);
            assertFalse(ok, "the Customer has no such function");
            assertEq(answer.length, 0, "no function: no revert data");
            (ok, answer) = address(retailer).call(calls[i]);
            assertTrue(ok || answer.length != 0, "the Retailer has it");
        }
        // solhint-enable avoid-low-level-calls
    }

    // ------------------------------------------------------------------ verifyProvenance

    /// @dev Asked by anyone: the pack at stages 6 to 3, then, at the Manufacturer, both catches it was made from
    /// (A consumed whole, B with 150 kg left), then each catch at the Supplier and at the Harvester.
    function test_verifyProvenance_packBackToBothCatches() public {
        vm.prank(stranger);
        ICustomer.Hop[] memory hops = customer.verifyProvenance(pack1);
        assertEq(hops.length, 10, "hops");
        _assertHop(hops[0], 6, pack1, customer1, IStage.LotStatus.Created, 120 * KG, 0);
        _assertHop(hops[1], 5, pack1, retailer1, IStage.LotStatus.Supplied, 120 * KG, 0);
        _assertHop(hops[2], 4, pack1, distributor1, IStage.LotStatus.Supplied, 120 * KG, 0);
        _assertHop(hops[3], 3, pack1, manufacturer1, IStage.LotStatus.Supplied, 120 * KG, 0);
        _assertHop(hops[4], 3, catchA, manufacturer1, IStage.LotStatus.Removed, 300 * KG, 0);
        _assertHop(hops[5], 3, catchB, manufacturer1, IStage.LotStatus.Created, 150 * KG, 0);
        _assertHop(hops[6], 2, catchA, supplier1, IStage.LotStatus.Supplied, 300 * KG, 0);
        _assertHop(hops[7], 2, catchB, supplier1, IStage.LotStatus.Supplied, 200 * KG, 0);
        _assertHop(hops[8], 1, catchA, harvester1, IStage.LotStatus.Supplied, 300 * KG, 0);
        _assertHop(hops[9], 1, catchB, harvester1, IStage.LotStatus.Supplied, 200 * KG, 0);
    }

    /// @dev The other customer's pack of the same catches: its own holder and form at stages 6 to 3, the catches'
    /// hops identical.
    function test_verifyProvenance_namesEachStagesHolder() public view {
        ICustomer.Hop[] memory one = customer.verifyProvenance(pack1);
        ICustomer.Hop[] memory two = customer.verifyProvenance(pack2);
        assertEq(two.length, one.length, "as long");
        _assertHop(two[0], 6, pack2, customer2, IStage.LotStatus.Created, 100 * KG, LotFlags.FROZEN);
        for (uint256 i = 1; i < 4; ++i) {
            assertEq(two[i].stage, 6 - i, "stage");
            assertEq(two[i].lotId, pack2, "the pack");
            assertEq(two[i].flags, LotFlags.FROZEN, "frozen at every stage");
        }
        for (uint256 i = 4; i < two.length; ++i) {
            assertEq(abi.encode(two[i]), abi.encode(one[i]), "the catches' hops are the same");
        }
    }

    function test_verifyProvenance_unprocessedLotSixHops() public view {
        ICustomer.Hop[] memory hops = customer.verifyProvenance(raw);
        assertEq(hops.length, 6, "hops");
        _assertHop(hops[0], 6, raw, customer1, IStage.LotStatus.Created, 10 * KG, 0);
        for (uint8 s = 5; s >= 1; --s) {
            _assertHop(hops[6 - s], s, raw, _actor(s, 0), IStage.LotStatus.Supplied, 10 * KG, 0);
        }
    }

    /// @dev An unknown lot, and a catch no customer holds: one empty hop at the Customer, and the walk stops there.
    function test_verifyProvenance_lotNoCustomerHoldsIsOneEmptyHop() public view {
        uint256[2] memory lotIds = [uint256(999), catchA];
        for (uint256 i; i < lotIds.length; ++i) {
            ICustomer.Hop[] memory hops = customer.verifyProvenance(lotIds[i]);
            assertEq(hops.length, 1, "one hop");
            ICustomer.Hop memory empty = ICustomer.Hop({
                stage: 6,
                lotId: lotIds[i],
                custodianId: 0,
                status: IStage.LotStatus.None,
                flags: 0,
                weightGrams: 0
            });
            assertEq(abi.encode(hops[0]), abi.encode(empty), "an empty hop at stage 6");
        }
    }

    /// @dev Each stage's flags: catch B recalled at the Harvester is flagged along its path (Harvester, Supplier,
    /// Manufacturer), and the customer's problem report flags the pack at stage 6.
    function test_verifyProvenance_showsEachStagesFlags() public {
        vm.prank(regulator);
        harvester.recallLots(_ids(catchB), "parasites");
        vm.prank(customer1);
        customer.reportProblem(pack1, ICustomer.ProblemReason.Spoiled, DETAIL);
        ICustomer.Hop[] memory hops = customer.verifyProvenance(pack1);
        uint8[10] memory flags = [
            LotFlags.PROBLEM_REPORTED,
            0,
            0,
            0,
            0,
            LotFlags.RECALLED, // catch B as the Manufacturer received it
            0,
            LotFlags.RECALLED, // catch B at the Supplier
            0,
            LotFlags.RECALLED // catch B at the Harvester
        ];
        assertEq(hops.length, flags.length, "hops");
        for (uint256 i; i < hops.length; ++i) assertEq(hops[i].flags, flags[i], "flags");
    }

    function test_verifyProvenance_walksEatenPack() public {
        vm.prank(customer1);
        customer.removeFish(pack1, IStage.RemovalReason.Consumed);
        ICustomer.Hop[] memory hops = customer.verifyProvenance(pack1);
        assertEq(hops.length, 10, "hops");
        assertEq(uint256(hops[0].status), uint256(IStage.LotStatus.Removed), "eaten");
    }

    // ------------------------------------------------------------------ reportProblem

    /// @dev Every reason, reported in turn on the frozen pack: the flag joins FROZEN, the pack stays where it is.
    function test_reportProblem_flagsPackKeepingItsFlags() public {
        uint32 c2 = _idOf(customer2);
        for (uint8 reason; reason <= uint8(type(ICustomer.ProblemReason).max); ++reason) {
            vm.expectEmit(address(customer));
            emit ICustomer.ProblemReported(pack2, c2, ICustomer.ProblemReason(reason), DETAIL);
            vm.prank(customer2);
            customer.reportProblem(pack2, ICustomer.ProblemReason(reason), DETAIL);
            IStage.Lot memory lot = customer.getLot(pack2);
            assertEq(lot.flags, LotFlags.FROZEN | LotFlags.PROBLEM_REPORTED, "flags");
            assertEq(uint256(lot.status), uint256(IStage.LotStatus.Created), "status");
            assertEq(lot.custodianId, c2, "custodian");
            (, , , , , uint8 flags) = customer.queryStatus(pack2);
            assertEq(flags, LotFlags.FROZEN | LotFlags.PROBLEM_REPORTED, "queryStatus flags");
        }
    }

    function test_reportProblem_secondReport() public {
        vm.prank(customer1);
        customer.reportProblem(pack1, ICustomer.ProblemReason.Spoiled, DETAIL);
        vm.expectEmit(address(customer));
        emit ICustomer.ProblemReported(pack1, _idOf(customer1), ICustomer.ProblemReason.Illness, DETAIL);
        vm.prank(customer1);
        customer.reportProblem(pack1, ICustomer.ProblemReason.Illness, DETAIL);
        assertEq(customer.getLot(pack1).flags, LotFlags.PROBLEM_REPORTED, "flag stays set");
    }

    function test_reportProblem_onEatenAndOnRecalledPack() public {
        vm.prank(customer1);
        customer.removeFish(pack1, IStage.RemovalReason.Consumed);
        vm.expectEmit(address(customer));
        emit ICustomer.ProblemReported(pack1, _idOf(customer1), ICustomer.ProblemReason.Illness, DETAIL);
        vm.prank(customer1);
        customer.reportProblem(pack1, ICustomer.ProblemReason.Illness, DETAIL);

        vm.prank(regulator);
        customer.recallLots(_ids(raw), "recall");
        vm.prank(customer1);
        customer.reportProblem(raw, ICustomer.ProblemReason.Other, DETAIL);
        assertEq(customer.getLot(raw).flags, LotFlags.RECALLED | LotFlags.PROBLEM_REPORTED, "flags");
    }

    /// @dev Everyone but a customer, the customer's own sensor gateway included.
    function test_reportProblem_RevertWhen_NotCustomer() public {
        address relayer = makeAddr("relayer");
        _register(relayer, Roles.RELAYER);
        address gateway = _enrolDevice(customer1, Roles.SENSOR_GATEWAY, "customer gateway");
        address[6] memory callers = [retailer1, regulator, admin, relayer, stranger, gateway];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, callers[i], Roles.CUSTOMER_BIT));
            vm.prank(callers[i]);
            customer.reportProblem(pack1, ICustomer.ProblemReason.Spoiled, DETAIL);
        }
    }

    function test_reportProblem_RevertWhen_LotNotFoundOrAnotherCustomers() public {
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotFound.selector, 999));
        vm.prank(customer1);
        customer.reportProblem(999, ICustomer.ProblemReason.Spoiled, DETAIL);
        vm.expectRevert(
            abi.encodeWithSelector(IStage.LotNotInCustody.selector, pack2, _idOf(customer2), _idOf(customer1))
        );
        vm.prank(customer1);
        customer.reportProblem(pack2, ICustomer.ProblemReason.Spoiled, DETAIL);
    }

    /// @dev A reason outside the enum fails the ABI decoding: a revert without data, and the pack is not flagged.
    function testFuzz_reportProblem_RevertWhen_ReasonOutsideEnum(uint256 seed) public {
        uint8 reason = uint8(bound(seed, uint8(type(ICustomer.ProblemReason).max) + 1, type(uint8).max));
        vm.expectRevert(bytes(""));
        vm.prank(customer1);
        RawReportProblem(address(customer)).reportProblem(pack1, reason, DETAIL);
        assertEq(customer.getLot(pack1).flags, 0, "not flagged");
    }

    // ------------------------------------------------------------------ the provenance bound

    /// @dev A pack of 20 catches is 4 + 3 × 20 = 64 hops, exactly the bound: the pack at stages 6 to 3, the catches
    /// at the Manufacturer, the Supplier and the Harvester; the last hop is the 20th catch at the Harvester.
    function test_verifyProvenance_exactlyMaxHops() public {
        (uint256 twenty, ) = _longLineage();
        assertEq(customer.MAX_PROVENANCE_HOPS(), 64, "the bound");
        ICustomer.Hop[] memory hops = customer.verifyProvenance(twenty);
        assertEq(hops.length, 64, "hops");
        for (uint256 i; i < 64; ++i) {
            uint256 expected = i < 4 ? 6 - i : 3 - (i - 4) / 20;
            assertEq(hops[i].stage, expected, "stage");
        }
        assertEq(hops[63].lotId, hops[23].lotId, "the 20th catch, at the Manufacturer and at the Harvester");
    }

    function test_verifyProvenance_RevertWhen_TooLong() public {
        (, uint256 twentyOne) = _longLineage();
        vm.expectRevert(abi.encodeWithSelector(ICustomer.ProvenanceTooLong.selector, twentyOne, 64));
        customer.verifyProvenance(twentyOne);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Sells `lotIds` from the Manufacturer down to `buyer` at the Customer, through each stage's first actor.
    function _sellDown(uint256[] memory lotIds, address buyer) private {
        _handOver(3, manufacturer1, distributor1, lotIds);
        _handOver(4, distributor1, retailer1, lotIds);
        _handOver(5, retailer1, buyer, lotIds);
    }

    /// @dev Packs made at the Manufacturer from 1 kg of each of the first 20 and of all 21 catches of 10 kg, both
    /// sold down to customer1.
    function _longLineage() private returns (uint256 twenty, uint256 twentyOne) {
        uint256[] memory catches = new uint256[](21);
        for (uint256 i; i < catches.length; ++i) catches[i] = _registerLot(harvester1, COD, 10 * KG);
        _carry(catches, 3);
        twenty = _pack(catches, 20, "L20");
        twentyOne = _pack(catches, 21, "L21");
        _sellDown(_ids(twenty, twentyOne), customer1);
    }

    /// @dev A 1 kg pack `lotNumber` made from 1 kg of each of the first `n` of `catches`.
    function _pack(uint256[] memory catches, uint256 n, bytes20 lotNumber) private returns (uint256) {
        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](n);
        for (uint256 i; i < n; ++i) inputs[i] = IManufacturer.Input({lotId: catches[i], grams: KG});
        IManufacturer.Output[] memory outputs = new IManufacturer.Output[](1);
        outputs[0] = IManufacturer.Output({
            gtin: _gtin(703_801_000_001),
            lotNumber: lotNumber,
            weightGrams: KG,
            frozen: false
        });
        vm.prank(manufacturer1);
        (, uint256[] memory packs) = manufacturer.processLots(inputs, outputs);
        return packs[0];
    }

    function _assertHop(
        ICustomer.Hop memory hop,
        uint8 stage,
        uint256 lotId,
        address holder,
        IStage.LotStatus status,
        uint40 weightGrams,
        uint8 flags
    ) private view {
        assertEq(hop.stage, stage, "stage");
        assertEq(hop.lotId, lotId, "lot");
        assertEq(hop.custodianId, _idOf(holder), "custodian");
        assertEq(uint256(hop.status), uint256(status), "status");
        assertEq(hop.weightGrams, weightGrams, "weight");
        assertEq(hop.flags, flags, "flags");
    }
}
