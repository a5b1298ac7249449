// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ICustomer} from "../../contracts/interfaces/ICustomer.sol";
import {IHarvester} from "../../contracts/interfaces/IHarvester.sol";
import {IManufacturer} from "../../contracts/interfaces/IManufacturer.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {LotFlags} from "../../contracts/libraries/LotFlags.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";

/// @notice `Manufacturer.processLots`: inputs consumed wholly or by weight into product lots (GTIN + lot number)
/// with their parents recorded; the mass balance (produced <= consumed) always holds and the inventory totals follow
/// partial consumption exactly.
contract ManufacturerTest is FishTraceTest {
    uint40 private constant MAX_LOT = 1_000_000_000; // a tonne, in grams

    uint32 private manufacturerId;

    function setUp() public {
        _deployWithParticipants();
        manufacturerId = _idOf(manufacturer1);
    }

    // ------------------------------------------------------------------ mass balance

    /// @dev Whatever is taken of two inputs (wholly or by weight), outputs weighing more than was consumed are
    /// refused with the two sums, and nothing changes.
    function testFuzz_processLots_RevertWhen_ProducedExceedsConsumed(
        uint256 w1,
        uint256 w2,
        uint256 take1,
        uint256 take2,
        uint256 excess,
        uint256 split
    ) public {
        uint256[] memory lotIds = _lotsAt(3, COD, uint40(bound(w1, 1, MAX_LOT)), uint40(bound(w2, 1, MAX_LOT)));
        (IManufacturer.Input[] memory inputs, uint256 consumed) = _inputs(lotIds, take1, take2);
        uint256 produced = consumed + bound(excess, 1, 2 * uint256(MAX_LOT));
        IManufacturer.Output[] memory outputs = _outputs(produced, split);
        IStage.Totals memory before = manufacturer.totalAvailableFish(COD);

        vm.expectRevert(abi.encodeWithSelector(IManufacturer.ProcessMassBalance.selector, consumed, produced));
        vm.prank(manufacturer1);
        manufacturer.processLots(inputs, outputs);

        IStage.Totals memory available = manufacturer.totalAvailableFish(COD);
        assertEq(available.lots, before.lots, "available lots unchanged");
        assertEq(available.grams, before.grams, "available grams unchanged");
        assertEq(manufacturer.processCount(), 0, "no process");
        for (uint256 i; i < lotIds.length; ++i) {
            IStage.Lot memory lot = manufacturer.getLot(lotIds[i]);
            assertEq(uint256(lot.status), uint256(IStage.LotStatus.Created), "input untouched");
        }
        assertEq(uint256(manufacturer.getLot(_product(1)).status), 0, "no product");
    }

    /// @dev Taking any part of two inputs into outputs weighing at most what was taken: fully taken inputs are
    /// removed, partly taken ones keep what is left, products appear with their parents, and the available totals
    /// equal what is left plus what was produced. Everything left then sells on at its remaining weight.
    function testFuzz_processLots_partialConsumptionKeepsTotals(
        uint256 w1,
        uint256 w2,
        uint256 take1,
        uint256 take2,
        uint256 produced,
        uint256 split
    ) public {
        uint40[2] memory w = [uint40(bound(w1, 1, MAX_LOT)), uint40(bound(w2, 1, MAX_LOT))];
        uint256[] memory lotIds = _lotsAt(3, COD, w[0], w[1]);
        (IManufacturer.Input[] memory inputs, uint256 consumed) = _inputs(lotIds, take1, take2);
        produced = bound(produced, 1, consumed);
        IManufacturer.Output[] memory outputs = _outputs(produced, split);

        vm.prank(manufacturer1);
        (uint256 processId, uint256[] memory products) = manufacturer.processLots(inputs, outputs);

        assertEq(processId, 1, "process id");
        assertEq(manufacturer.processCount(), 1, "process count");
        uint256 leftLots;
        uint256 leftGrams;
        for (uint256 i; i < 2; ++i) {
            IStage.Lot memory lot = manufacturer.getLot(lotIds[i]);
            uint40 taken = inputs[i].grams == 0 ? w[i] : inputs[i].grams;
            if (taken == w[i]) {
                assertEq(uint256(lot.status), uint256(IStage.LotStatus.Removed), "wholly consumed input removed");
            } else {
                assertEq(uint256(lot.status), uint256(IStage.LotStatus.Created), "partly consumed input stays");
                assertEq(lot.weightGrams, w[i] - taken, "what is left");
                ++leftLots;
                leftGrams += w[i] - taken;
            }
        }
        uint256 producedGrams;
        for (uint256 i; i < products.length; ++i) {
            assertEq(products[i], manufacturer.productLotId(GTIN, outputs[i].lotNumber), "product lot id");
            IStage.Lot memory lot = manufacturer.getLot(products[i]);
            assertEq(uint256(lot.status), uint256(IStage.LotStatus.Created), "product created");
            assertEq(lot.custodianId, manufacturerId, "product custodian");
            assertEq(bytes32(lot.species), bytes32(COD), "product species");
            assertEq(lot.weightGrams, outputs[i].weightGrams, "product weight");
            assertEq(manufacturer.parentsOf(products[i]), lotIds, "parents");
            producedGrams += lot.weightGrams;
        }
        assertEq(producedGrams, produced, "produced");
        assertLe(producedGrams, consumed, "mass balance");
        IStage.Totals memory available = manufacturer.totalAvailableFish(COD);
        assertEq(available.lots, leftLots + products.length, "available lots");
        assertEq(available.grams, leftGrams + producedGrams, "available grams");
        assertEq(leftGrams + consumed, uint256(w[0]) + w[1], "left plus consumed is what came in");

        // Everything still available sells on to a Distributor at its current weight.
        uint256[] memory onward = new uint256[](leftLots + products.length);
        uint256 n;
        for (uint256 i; i < 2; ++i) {
            if (manufacturer.getLot(lotIds[i]).status == IStage.LotStatus.Created) onward[n++] = lotIds[i];
        }
        for (uint256 i; i < products.length; ++i) onward[n++] = products[i];
        _handOver(3, manufacturer1, distributor1, onward);
        IStage.Totals memory after_ = manufacturer.totalAvailableFish(COD);
        assertEq(after_.lots, 0, "nothing left available");
        assertEq(after_.grams, 0, "no grams left available");
        IStage.Totals memory supplied = manufacturer.totalSuppliedFish(COD);
        assertEq(supplied.lots, available.lots, "supplied lots");
        assertEq(supplied.grams, available.grams, "supplied grams");
        IStage.Totals memory received = distributor.totalAvailableFish(COD);
        assertEq(received.lots, available.lots, "received lots");
        assertEq(received.grams, available.grams, "received grams");
        for (uint256 i; i < onward.length; ++i) {
            assertEq(
                distributor.getLot(onward[i]).weightGrams,
                manufacturer.getLot(onward[i]).weightGrams,
                "received at the remaining weight"
            );
        }
    }

    function testFuzz_processLots_RevertWhen_Overdrawn(uint256 w, uint256 take) public {
        uint40 weight = uint40(bound(w, 1, MAX_LOT));
        uint40 grams = uint40(bound(take, uint256(weight) + 1, type(uint40).max));
        uint256 lotId = _lotAt(3, COD, weight);
        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](1);
        inputs[0] = IManufacturer.Input({lotId: lotId, grams: grams});
        vm.expectRevert(abi.encodeWithSelector(IManufacturer.ProcessOverdrawn.selector, lotId, grams, weight));
        vm.prank(manufacturer1);
        manufacturer.processLots(inputs, _outputs(1, 0));
    }

    /// @dev A lot listed twice among one process's inputs is refused, wherever the repeat stands and whatever is
    /// taken of it, and nothing changes (it would otherwise be drawn down twice in one process).
    function testFuzz_processLots_RevertWhen_DuplicateInput(uint256 arrangement, uint256 take1, uint256 take2) public {
        uint256[] memory lotIds = _lotsAt(3, COD, 5_000, 7_000);
        // Positions in `lotIds` of the three inputs: [a, a, b], [a, b, a], [a, b, b], [b, a, b].
        uint256[3][4] memory layouts = [[uint256(0), 0, 1], [uint256(0), 1, 0], [uint256(0), 1, 1], [uint256(1), 0, 1]];
        arrangement = bound(arrangement, 0, 3);
        uint256[2] memory takes = [take1, take2];
        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](3);
        for (uint256 i; i < 3; ++i) {
            uint256 k = layouts[arrangement][i];
            inputs[i] = IManufacturer.Input({
                lotId: lotIds[k],
                grams: uint40(bound(takes[k], 0, k == 0 ? 5_000 : 7_000))
            });
        }
        uint256 repeated = lotIds[arrangement < 2 ? 0 : 1];

        vm.expectRevert(abi.encodeWithSelector(IManufacturer.ProcessDuplicateInput.selector, repeated));
        vm.prank(manufacturer1);
        manufacturer.processLots(inputs, _outputs(1, 0));

        assertEq(manufacturer.processCount(), 0, "no process");
        assertEq(manufacturer.getLot(lotIds[0]).weightGrams, 5_000, "first input untouched");
        assertEq(manufacturer.getLot(lotIds[1]).weightGrams, 7_000, "second input untouched");
        IStage.Totals memory available = manufacturer.totalAvailableFish(COD);
        assertEq(available.lots, 2, "available lots");
        assertEq(available.grams, 12_000, "available grams");
    }

    // ------------------------------------------------------------------ lineage and flags

    function test_processLots_emitsLineageAndYield() public {
        uint256[] memory lotIds = _lotsAt(3, COD, 10_000, 6_000);
        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](2);
        inputs[0] = IManufacturer.Input({lotId: lotIds[0], grams: 0});
        inputs[1] = IManufacturer.Input({lotId: lotIds[1], grams: 2_000});
        IManufacturer.Output[] memory outputs = new IManufacturer.Output[](2);
        outputs[0] = IManufacturer.Output({gtin: GTIN, lotNumber: "FILLET-A", weightGrams: 4_000, frozen: false});
        outputs[1] = IManufacturer.Output({gtin: GTIN, lotNumber: "FILLET-B", weightGrams: 2_000, frozen: true});
        uint256[] memory products = _ids(
            manufacturer.productLotId(GTIN, "FILLET-A"),
            manufacturer.productLotId(GTIN, "FILLET-B")
        );
        uint40[] memory consumed = new uint40[](2);
        consumed[0] = 10_000;
        consumed[1] = 2_000;

        vm.expectEmit(true, true, false, true, address(manufacturer));
        emit IStage.FishRemoved(lotIds[0], manufacturerId, IStage.RemovalReason.Consumed);
        vm.expectEmit(true, true, false, true, address(manufacturer));
        emit IManufacturer.ProductLotCreated(products[0], GTIN, "FILLET-A", COD, 4_000, 1, false);
        vm.expectEmit(true, true, false, true, address(manufacturer));
        emit IManufacturer.ProductLotCreated(products[1], GTIN, "FILLET-B", COD, 2_000, 1, true);
        vm.expectEmit(true, true, false, true, address(manufacturer));
        emit IManufacturer.LotsProcessed(1, manufacturerId, lotIds, consumed, products, 6_000, 5_000);
        vm.prank(manufacturer1);
        manufacturer.processLots(inputs, outputs);

        assertEq(manufacturer.getLot(products[1]).flags, LotFlags.FROZEN, "form declared by the output");
        assertEq(manufacturer.getLot(products[0]).flags, 0, "fresh");
        assertEq(manufacturer.parentsOf(lotIds[0]).length, 0, "a received lot has no parents");
    }

    /// @dev Products inherit their inputs' origin and alarm flags (not their form); a product can itself be an input.
    function test_processLots_inheritsFlagsAndReprocesses() public {
        IHarvester.Catch memory c = _catch(COD, 8_000);
        c.farmed = true;
        c.frozen = true;
        vm.prank(harvester1);
        uint256 farmed = harvester.registerFish(c);
        _carry(_ids(farmed), 3);
        uint256 wild = _lotAt(3, COD, 8_000);

        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](2);
        inputs[0] = IManufacturer.Input({lotId: farmed, grams: 0});
        inputs[1] = IManufacturer.Input({lotId: wild, grams: 0});
        IManufacturer.Output[] memory outputs = new IManufacturer.Output[](1);
        outputs[0] = IManufacturer.Output({gtin: GTIN, lotNumber: "BLOCK", weightGrams: 15_000, frozen: false});
        vm.prank(manufacturer1);
        (, uint256[] memory blocks) = manufacturer.processLots(inputs, outputs);
        assertEq(manufacturer.getLot(blocks[0]).flags, LotFlags.FARMED, "origin inherited, form not");

        inputs = new IManufacturer.Input[](1);
        inputs[0] = IManufacturer.Input({lotId: blocks[0], grams: 5_000});
        outputs[0] = IManufacturer.Output({
            gtin: _gtin(957_000_000_001),
            lotNumber: "PORTION",
            weightGrams: 4_000,
            frozen: true
        });
        vm.prank(manufacturer1);
        (, uint256[] memory portions) = manufacturer.processLots(inputs, outputs);
        assertEq(manufacturer.parentsOf(portions[0]), blocks, "product of a product");
        assertEq(manufacturer.getLot(portions[0]).flags, LotFlags.FARMED | LotFlags.FROZEN, "flags");
        assertEq(manufacturer.getLot(blocks[0]).weightGrams, 10_000, "block drawn down");
    }

    /// @dev A pack made at the Manufacturer and sold through to a customer traces back to its catch.
    function test_verifyProvenance_packBackToCatch() public {
        uint256 lotId = _lotAt(3, COD, 10_000);
        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](1);
        inputs[0] = IManufacturer.Input({lotId: lotId, grams: 0});
        IManufacturer.Output[] memory outputs = _outputs(6_000, 3_000);
        vm.prank(manufacturer1);
        (, uint256[] memory packs) = manufacturer.processLots(inputs, outputs);
        uint256[] memory pack = _ids(packs[0]);
        _handOver(3, manufacturer1, distributor1, pack);
        _handOver(4, distributor1, retailer1, pack);
        _handOver(5, retailer1, customer1, pack);

        ICustomer.Hop[] memory hops = customer.verifyProvenance(packs[0]);
        // Customer, Retailer, Distributor, Manufacturer (the pack), then its parent at the Manufacturer, the
        // Supplier and the Harvester.
        uint8[7] memory stages = [6, 5, 4, 3, 3, 2, 1];
        address[7] memory holders = [
            customer1,
            retailer1,
            distributor1,
            manufacturer1,
            manufacturer1,
            supplier1,
            harvester1
        ];
        assertEq(hops.length, 7, "hops");
        for (uint256 i; i < hops.length; ++i) {
            assertEq(hops[i].stage, stages[i], "stage");
            assertEq(hops[i].lotId, i < 4 ? packs[0] : lotId, "lot");
            assertEq(hops[i].custodianId, _idOf(holders[i]), "custodian");
        }
        assertEq(uint256(hops[0].status), uint256(IStage.LotStatus.Created), "held by the customer");
        assertEq(uint256(hops[4].status), uint256(IStage.LotStatus.Removed), "catch consumed at the Manufacturer");
        assertEq(uint256(hops[6].status), uint256(IStage.LotStatus.Supplied), "supplied by the Harvester");
    }

    // ------------------------------------------------------------------ reverts

    function test_processLots_RevertWhen_Empty() public {
        uint256 lotId = _lotAt(3, COD, 1_000);
        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](1);
        inputs[0] = IManufacturer.Input({lotId: lotId, grams: 0});
        vm.expectRevert(abi.encodeWithSelector(IManufacturer.ProcessEmpty.selector, 1, 0));
        vm.prank(manufacturer1);
        manufacturer.processLots(inputs, new IManufacturer.Output[](0));
        vm.expectRevert(abi.encodeWithSelector(IManufacturer.ProcessEmpty.selector, 0, 1));
        vm.prank(manufacturer1);
        manufacturer.processLots(new IManufacturer.Input[](0), _outputs(1, 0));
    }

    function test_processLots_RevertWhen_NotManufacturer() public {
        uint256 lotId = _lotAt(3, COD, 1_000);
        address[3] memory callers = [supplier1, distributor1, regulator];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(IStage.StageUnauthorized.selector, callers[i], Roles.MANUFACTURER_BIT)
            );
            vm.prank(callers[i]);
            manufacturer.processLots(_whole(lotId), _outputs(1, 0));
        }
    }

    function test_processLots_RevertWhen_NotInCustody() public {
        uint256 lotId = _lotAt(3, COD, 1_000);
        vm.expectRevert(
            abi.encodeWithSelector(IStage.LotNotInCustody.selector, lotId, manufacturerId, _idOf(manufacturer2))
        );
        vm.prank(manufacturer2);
        manufacturer.processLots(_whole(lotId), _outputs(1, 0));
    }

    function test_processLots_RevertWhen_InputNotAvailable() public {
        uint256 notHere = _lotAt(2, COD, 1_000);
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotFound.selector, notHere));
        vm.prank(manufacturer1);
        manufacturer.processLots(_whole(notHere), _outputs(1, 0));

        uint256 lotId = _lotAt(3, COD, 1_000);
        uint256 orderId = _placeAt(
            3,
            distributor1,
            manufacturer1,
            COD,
            1_000,
            1 ether,
            uint40(_now() + 1 days),
            1 days
        );
        _shipAt(3, manufacturer1, orderId, 1, _ids(lotId));
        vm.expectRevert(
            abi.encodeWithSelector(
                IStage.LotInvalidStatus.selector,
                lotId,
                IStage.LotStatus.Shipped,
                IStage.LotStatus.Created
            )
        );
        vm.prank(manufacturer1);
        manufacturer.processLots(_whole(lotId), _outputs(1, 0));
    }

    function test_processLots_RevertWhen_MixedSpecies() public {
        uint256 cod = _lotAt(3, COD, 1_000);
        uint256 herring = _lotAt(3, HER, 1_000);
        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](2);
        inputs[0] = IManufacturer.Input({lotId: cod, grams: 0});
        inputs[1] = IManufacturer.Input({lotId: herring, grams: 0});
        vm.expectRevert(abi.encodeWithSelector(IManufacturer.ProcessMixedSpecies.selector, herring, COD, HER));
        vm.prank(manufacturer1);
        manufacturer.processLots(inputs, _outputs(1, 0));
    }

    function testFuzz_processLots_RevertWhen_InvalidGtin(uint64 gtin) public {
        vm.assume(gtin == 0 || gtin >= 1e14 || _gtin(gtin / 10) != gtin);
        uint256 lotId = _lotAt(3, COD, 1_000);
        IManufacturer.Output[] memory outputs = _outputs(1, 0);
        outputs[0].gtin = gtin;
        vm.expectRevert(abi.encodeWithSelector(IManufacturer.ProcessInvalidGtin.selector, gtin));
        vm.prank(manufacturer1);
        manufacturer.processLots(_whole(lotId), outputs);
    }

    function testFuzz_processLots_validGtins(uint64 body) public {
        body = uint64(bound(body, 1, 1e13 - 1));
        uint256 lotId = _lotAt(3, COD, 1_000);
        IManufacturer.Output[] memory outputs = _outputs(1, 0);
        outputs[0].gtin = _gtin(body);
        vm.prank(manufacturer1);
        manufacturer.processLots(_whole(lotId), outputs);
        assertEq(manufacturer.processCount(), 1, "processed");
    }

    function test_processLots_RevertWhen_InvalidOutput() public {
        uint256 lotId = _lotAt(3, COD, 1_000);
        IManufacturer.Output[] memory outputs = _outputs(1, 0);
        outputs[0].lotNumber = bytes20(0);
        vm.expectRevert(abi.encodeWithSelector(IManufacturer.ProcessInvalidOutput.selector, GTIN, bytes20(0), 1));
        vm.prank(manufacturer1);
        manufacturer.processLots(_whole(lotId), outputs);
        outputs = _outputs(1, 0);
        outputs[0].weightGrams = 0;
        vm.expectRevert(
            abi.encodeWithSelector(IManufacturer.ProcessInvalidOutput.selector, GTIN, outputs[0].lotNumber, 0)
        );
        vm.prank(manufacturer1);
        manufacturer.processLots(_whole(lotId), outputs);
    }

    function test_processLots_RevertWhen_ProductExists() public {
        uint256[] memory lotIds = _lotsAt(3, COD, 1_000, 1_000);
        IManufacturer.Output[] memory twice = new IManufacturer.Output[](2);
        twice[0] = IManufacturer.Output({gtin: GTIN, lotNumber: "SAME", weightGrams: 100, frozen: false});
        twice[1] = twice[0];
        uint256 productId = manufacturer.productLotId(GTIN, "SAME");
        vm.expectRevert(abi.encodeWithSelector(IStage.LotAlreadyExists.selector, productId));
        vm.prank(manufacturer1);
        manufacturer.processLots(_whole(lotIds[0]), twice);

        IManufacturer.Output[] memory once = new IManufacturer.Output[](1);
        once[0] = twice[0];
        vm.prank(manufacturer1);
        manufacturer.processLots(_whole(lotIds[0]), once);
        vm.expectRevert(abi.encodeWithSelector(IStage.LotAlreadyExists.selector, productId));
        vm.prank(manufacturer1);
        manufacturer.processLots(_whole(lotIds[1]), once);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev The inputs taking `take1`/`take2` of the two lots (0, or a seed past the weight: the whole lot; otherwise
    /// that many grams), and the grams consumed in all.
    function _inputs(
        uint256[] memory lotIds,
        uint256 take1,
        uint256 take2
    ) private view returns (IManufacturer.Input[] memory inputs, uint256 consumed) {
        inputs = new IManufacturer.Input[](2);
        uint256[2] memory takes = [take1, take2];
        for (uint256 i; i < 2; ++i) {
            uint40 weight = manufacturer.getLot(lotIds[i]).weightGrams;
            uint40 grams = uint40(bound(takes[i], 0, weight));
            inputs[i] = IManufacturer.Input({lotId: lotIds[i], grams: grams});
            consumed += grams == 0 ? weight : grams;
        }
    }

    /// @dev Outputs weighing `produced` in all: one, or two split at `split` when `produced` allows.
    function _outputs(uint256 produced, uint256 split) private pure returns (IManufacturer.Output[] memory outputs) {
        if (produced < 2 || split % 3 == 0) {
            outputs = new IManufacturer.Output[](1);
            outputs[0] = _output(1, produced);
        } else {
            uint256 first = bound(split, 1, produced - 1);
            outputs = new IManufacturer.Output[](2);
            outputs[0] = _output(1, first);
            outputs[1] = _output(2, produced - first);
        }
    }

    function _output(uint256 n, uint256 grams) private pure returns (IManufacturer.Output memory) {
        return
            IManufacturer.Output({
                gtin: GTIN,
                lotNumber: bytes20(bytes.concat("LOT-", bytes1(uint8(48 + n)))),
                weightGrams: uint40(grams),
                frozen: false
            });
    }

    /// @dev The id of output `n` of `_outputs`.
    function _product(uint256 n) private view returns (uint256) {
        return manufacturer.productLotId(GTIN, _output(n, 1).lotNumber);
    }

    function _whole(uint256 lotId) private pure returns (IManufacturer.Input[] memory inputs) {
        inputs = new IManufacturer.Input[](1);
        inputs[0] = IManufacturer.Input({lotId: lotId, grams: 0});
    }

    // ------------------------------------------------------------------ folded in from the mocha suite

    /// @dev What a GS1 Digital Link `/01/{gtin}/10/{lot}` resolves to.
    function test_productLotId_isHashOfGtinAndLotNumber() public view {
        assertEq(manufacturer.productLotId(GTIN, "A"), uint256(keccak256(abi.encode(GTIN, bytes20("A")))), "id");
        assertEq(manufacturer.productLotId(0, bytes20(0)), uint256(keccak256(abi.encode(uint64(0), bytes20(0)))), "0");
        assertNotEq(manufacturer.productLotId(GTIN, "A"), manufacturer.productLotId(GTIN, "B"), "lot number counts");
        assertNotEq(manufacturer.productLotId(GTIN, "A"), manufacturer.productLotId(GTIN + 1, "A"), "gtin counts");
    }

    /// @dev Yield in basis points, rounded down; a partial draw leaves the lot available, `grams: 0` takes the rest.
    function test_processLots_yieldRoundsDownAndZeroTakesTheRest() public {
        uint256 lotId = _lotAt(3, COD, 3_000);
        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](1);
        inputs[0] = IManufacturer.Input({lotId: lotId, grams: 3});
        uint40[] memory consumed = new uint40[](1);
        consumed[0] = 3;
        vm.expectEmit(true, true, false, true, address(manufacturer));
        emit IManufacturer.LotsProcessed(1, manufacturerId, _ids(lotId), consumed, _ids(_product(1)), 1, 3_333);
        vm.prank(manufacturer1);
        manufacturer.processLots(inputs, _outputs(1, 0));
        assertEq(manufacturer.getLot(lotId).weightGrams, 2_997, "rest kept");
        assertEq(manufacturer.totalAvailableFish(COD).updatedAt, _now(), "totals stamped");

        inputs[0].grams = 0;
        consumed[0] = 2_997;
        IManufacturer.Output[] memory outputs = new IManufacturer.Output[](1);
        outputs[0] = _output(2, 2_997);
        vm.expectEmit(true, true, false, true, address(manufacturer));
        emit IStage.FishRemoved(lotId, manufacturerId, IStage.RemovalReason.Consumed);
        vm.expectEmit(true, true, false, true, address(manufacturer));
        emit IManufacturer.LotsProcessed(2, manufacturerId, _ids(lotId), consumed, _ids(_product(2)), 2_997, 10_000);
        vm.prank(manufacturer1);
        manufacturer.processLots(inputs, outputs);
        IStage.Lot memory gone = manufacturer.getLot(lotId);
        assertEq(uint256(gone.status), uint256(IStage.LotStatus.Removed), "consumed");
        assertEq(gone.weightGrams, 2_997, "weight at removal kept");
    }

    /// @dev GTIN-8, GTIN-12 and GTIN-13 padded to 14 digits, and the largest GTIN-14.
    function test_processLots_acceptsShortGtinsAndLargest() public {
        uint64[4] memory gtins = [uint64(96_385_074), 36_000_291_452, 7_038_010_000_010, _gtin(9_999_999_999_999)];
        uint256 lotId = _lotAt(3, COD, 4_000);
        IManufacturer.Output[] memory outputs = new IManufacturer.Output[](4);
        for (uint256 i; i < 4; ++i) outputs[i] = IManufacturer.Output(gtins[i], "A", uint40(1_000 - i), false);
        vm.prank(manufacturer1);
        (, uint256[] memory products) = manufacturer.processLots(_whole(lotId), outputs);
        for (uint256 i; i < 4; ++i) assertEq(products[i], manufacturer.productLotId(gtins[i], "A"), "product id");
    }

    /// @dev The manufacturer's sensor gateway reports readings of its lots but does not process them.
    function test_processLots_RevertWhen_OperatorsGateway() public {
        uint256 lotId = _lotAt(3, COD, 1_000);
        address gateway = makeAddr("gateway");
        vm.prank(admin);
        registry.registerDevice(gateway, Roles.SENSOR_GATEWAY, manufacturer1);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, gateway, Roles.MANUFACTURER_BIT));
        vm.prank(gateway);
        manufacturer.processLots(_whole(lotId), _outputs(1, 0));
    }

    /// @dev A product sells on like any lot: the Distributor holds it under the same id, without parents there.
    function test_processLots_productSellsOnWithoutParentsDownstream() public {
        uint256 lotId = _lotAt(3, COD, 1_000);
        vm.prank(manufacturer1);
        (, uint256[] memory products) = manufacturer.processLots(_whole(lotId), _outputs(800, 0));
        _handOver(3, manufacturer1, distributor1, products);
        IStage.Lot memory lot = distributor.getLot(products[0]);
        assertEq(uint256(lot.status), uint256(IStage.LotStatus.Created), "created downstream");
        assertEq(lot.custodianId, _idOf(distributor1), "custodian");
        assertEq(lot.weightGrams, 800, "weight");
        assertEq(distributor.parentsOf(products[0]).length, 0, "no parents at the Distributor");
        assertEq(uint256(manufacturer.getLot(products[0]).status), uint256(IStage.LotStatus.Supplied), "supplied");
    }
}
