// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ICustomer} from "../../contracts/interfaces/ICustomer.sol";
import {HarvesterInterface as Harvester} from "./utils/Contracts.sol";
import {IHarvester} from "../../contracts/interfaces/IHarvester.sol";
import {IManufacturer} from "../../contracts/interfaces/IManufacturer.sol";
import {IOrderBook} from "../../contracts/interfaces/IOrderBook.sol";
import {IQualityLedger} from "../../contracts/interfaces/IQualityLedger.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {QualityLedgerInterface as QualityLedger} from "./utils/Contracts.sol";
import {LotWord} from "../../contracts/libraries/LotCodec.sol";
import {LotFlags} from "../../contracts/libraries/LotFlags.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";
import {Vm} from "./utils/Vm.sol";

/// @notice One regression test per finding of the independent audit (issue 21, F1-F9). Each reproduces the
/// auditor's proof of concept and asserts the fixed behaviour: every one of them failed on the contracts before the
/// fix (the proof of concept went through, or the remedy did not exist).
contract AuditFindingsTest is FishTraceTest {
    uint40 private constant GRAMS = 5_000;
    uint256 private constant PRICE = 1 ether;
    uint32 private constant ACK_WINDOW = 1 hours;
    bytes32 private constant REASON = "LISTERIA";
    uint256 private constant QAT_KEY = uint256(keccak256("audit qat"));

    uint64 private _readingNo = 1;

    function setUp() public {
        _deployWithParticipants();
    }

    // ------------------------------------------------------------------ F1: product id squatting

    /// @dev Once manufacturer2's GS1 company prefix is registered, manufacturer1 can no longer take one of its
    /// product ids first (before: it could, and the owner's processLots then reverted LotAlreadyExists for good).
    function test_F1_registeredCompanyPrefixStopsSquatting() public {
        uint32 ownerId = _idOf(manufacturer2);
        vm.expectEmit(true, true, false, true, address(manufacturer));
        emit IManufacturer.CompanyPrefixSet(9_506_000, 7, ownerId);
        vm.prank(admin);
        manufacturer.setCompanyPrefix(9_506_000, 7, manufacturer2);
        assertEq(manufacturer.gtinOwnerOf(GTIN), ownerId, "the GTIN carries manufacturer2's prefix");
        assertEq(manufacturer.gtinOwnerOf(_gtin(950_700_013_435)), 0, "another prefix is not registered");

        // The squatter copies the owner's pending output with 1 g of its own fish.
        uint256 squatLot = _lotAt(3, COD, GRAMS);
        vm.expectRevert(abi.encodeWithSelector(IManufacturer.ProcessGtinNotOwned.selector, GTIN, ownerId));
        vm.prank(manufacturer1);
        manufacturer.processLots(_whole(squatLot), _out(GTIN, "LOT-A", 1));

        // The owner creates it.
        uint256 ownLot = _registerLot(harvester1, COD, GRAMS);
        _carry(_ids(ownLot), 2);
        _handOver(2, supplier1, manufacturer2, _ids(ownLot));
        vm.prank(manufacturer2);
        (, uint256[] memory products) = manufacturer.processLots(_whole(ownLot), _out(GTIN, "LOT-A", GRAMS));
        assertEq(products[0], manufacturer.productLotId(GTIN, "LOT-A"), "the owner's id");
        assertEq(manufacturer.getLot(products[0]).custodianId, ownerId, "held by the owner");

        // Only the admin registers prefixes, to manufacturers, of 6-12 digits.
        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, manufacturer1, Roles.ADMIN_BIT));
        vm.prank(manufacturer1);
        manufacturer.setCompanyPrefix(9_506_001, 7, manufacturer1);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, supplier1, Roles.MANUFACTURER_BIT));
        vm.prank(admin);
        manufacturer.setCompanyPrefix(9_506_001, 7, supplier1);
        vm.expectRevert(abi.encodeWithSelector(IManufacturer.ManufacturerInvalidPrefix.selector, 12_345, 5));
        vm.prank(admin);
        manufacturer.setCompanyPrefix(12_345, 5, manufacturer1);
        vm.expectRevert(abi.encodeWithSelector(IManufacturer.ManufacturerInvalidPrefix.selector, 10_000_000, 7));
        vm.prank(admin);
        manufacturer.setCompanyPrefix(10_000_000, 7, manufacturer1);

        // Released, the prefix is open again.
        vm.prank(admin);
        manufacturer.setCompanyPrefix(9_506_000, 7, address(0));
        assertEq(manufacturer.gtinOwnerOf(GTIN), 0, "released");
    }

    // ------------------------------------------------------------------ F2: freshness evaded by frequent scans

    /// @dev 10 → 6 in one day warns as one pair; scanned every 6 hours (10, 9, 8, 7, 6) it used to pass unwarned, as
    /// each step on its own stays within the rule. Now the drop since the reference scan (grade 10) is judged too.
    function test_F2_dropSpreadOverScansWarnsAsOnePair() public {
        address device = _qatDevice(harvester1);
        uint256 single = _registerLot(harvester1, COD, GRAMS);
        uint256 spread = _registerLot(harvester1, COD, GRAMS);
        _submit(device, single, 10);
        _submit(device, spread, 10);
        uint256 warnings;
        for (uint8 grade = 9; grade >= 6; --grade) {
            vm.warp(_now() + 6 hours);
            // The pair rule alone (all the chain used to apply) passes each step.
            IQualityLedger.FreshnessVerdict memory step = ledger.evaluateFreshness(
                _defaultRule(),
                IQualityLedger.FreshnessInput(grade + 1, 100, grade, 100, 6 hours, 0, 0)
            );
            assertFalse(step.warning, "each step alone is within the rule");
            vm.recordLogs();
            _submit(device, spread, grade);
            warnings += _count(vm.getRecordedLogs(), IQualityLedger.FreshnessWarning.selector);
        }
        assertGt(warnings, 0, "the spread drop warns");
        assertEq(harvester.getLot(spread).flags & LotFlags.FRESHNESS_WARNING, LotFlags.FRESHNESS_WARNING, "flagged");
        // As the single pair over the day does; the last spread scan is judged against the reference, grade 10.
        vm.expectEmit(true, false, false, false, address(ledger));
        emit IQualityLedger.FreshnessWarning(single, 0, 0, 0, 0, 0, 0, 0);
        _submit(device, single, 6);
    }

    /// @dev The warning names the reference scan's grade and the interval since it.
    function test_F2_warningNamesTheReferenceScan() public {
        address device = _qatDevice(harvester1);
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        _submit(device, lotId, 10);
        vm.warp(_now() + 12 hours);
        _submit(device, lotId, 10);
        vm.warp(_now() + 12 hours);
        _submit(device, lotId, 9);
        vm.warp(_now() + 12 hours);
        // 9 → 8 in 12 hours is within the pair rule, and so is 10 → 8 since the first scan (36 hours allow 2.47
        // grades); 10 → 8 since the second scan (a day: 1.98 grades) is not. The second scan allows the least grade
        // now (10 after 12 hours beats 10 at the start), so it is the reference.
        vm.expectEmit(true, true, false, true, address(ledger));
        emit IQualityLedger.FreshnessWarning(lotId, _idOf(device), 10, 8, 1 days, 169_344, 198, 200);
        _submit(device, lotId, 8);
    }

    /// @dev 10 → 3 in seven one-second steps used to pass: each step drops one grade, within the margin.
    function test_F2_oneSecondStepsWarn() public {
        address device = _qatDevice(harvester1);
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        _submit(device, lotId, 10);
        vm.warp(_now() + 1);
        _submit(device, lotId, 9); // one grade in a second: within the margin
        assertEq(harvester.getLot(lotId).flags & LotFlags.FRESHNESS_WARNING, 0, "one step is within the margin");
        vm.warp(_now() + 1);
        _submit(device, lotId, 8); // two grades in two seconds from the reference
        assertEq(harvester.getLot(lotId).flags & LotFlags.FRESHNESS_WARNING, LotFlags.FRESHNESS_WARNING, "warned");
    }

    /// @dev No sequence of scans at the default temperature (equal confidence) takes a lot from its first grade to
    /// its last without a warning where the single pair over the same interval warns; and a sequence of one pair is
    /// judged exactly as `evaluateFreshness` judges it.
    function testFuzz_F2_noSequenceAvoidsThePairWarning(uint256 seed, uint8 n, uint8 confidence) public view {
        n = uint8(bound(n, 2, 12));
        confidence = uint8(bound(confidence, 0, 100));
        IQualityLedger.FreshnessRule memory rule = _defaultRule();
        IQualityLedger.FreshnessScan[] memory scans = new IQualityLedger.FreshnessScan[](n);
        uint40 t = uint40(START);
        uint8 grade = uint8(bound(seed, 0, 10));
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            if (i != 0) {
                t += uint40(bound(r, 0, 3 days));
                grade = uint8(bound(r >> 64, 0, 10));
            }
            scans[i] = IQualityLedger.FreshnessScan(grade, confidence, t, 0, 0);
        }
        bool[] memory warnings = ledger.evaluateFreshnessSequence(rule, scans);
        bool warned;
        for (uint256 i; i < n; ++i) warned = warned || warnings[i];
        IQualityLedger.FreshnessVerdict memory pair = ledger.evaluateFreshness(rule, _pairOf(scans[0], scans[n - 1]));
        if (pair.warning) assertTrue(warned, "the sequence warned somewhere");
        if (n == 2) assertEq(warnings[1], pair.warning, "one pair: the pair rule");
    }

    /// @dev The single pair from `first` to `last` (equal confidence, no exposure), as `evaluateFreshness` takes it.
    function _pairOf(
        IQualityLedger.FreshnessScan memory first,
        IQualityLedger.FreshnessScan memory last
    ) private pure returns (IQualityLedger.FreshnessInput memory) {
        return
            IQualityLedger.FreshnessInput(
                first.grade,
                first.confidence,
                last.grade,
                last.confidence,
                last.scannedAt - first.scannedAt,
                0,
                0
            );
    }

    // ------------------------------------------------------------------ F3: escrow locked

    /// @dev Delivered, a lot recalled, the buyer revoked: the buyer can still send the delivery back and withdraw
    /// its price (before: rejectDelivery reverted StageUnauthorized and nothing released the escrow).
    function test_F3_revokedBuyerRecoversRecalledDelivery() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint256 orderId = _placeAt(1, supplier1, harvester1, COD, GRAMS, PRICE, uint40(_now() + 1 days), 1 days);
        _shipAt(1, harvester1, orderId, 7, _ids(lotId));
        _confirmAt(1, supplier1, orderId);
        vm.prank(regulator);
        harvester.recallLots(_ids(lotId), REASON);
        vm.prank(admin);
        registry.revokeParticipant(supplier1);

        vm.warp(uint256(harvester.getOrder(orderId).deadline) + 1);
        vm.prank(harvester1);
        vm.expectRevert(abi.encodeWithSelector(IStage.LotIsRecalled.selector, lotId));
        harvester.claimPayment(orderId, 7, _ids(lotId));

        uint256 before = supplier1.balance;
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, 7, _ids(lotId), "recalled");
        vm.prank(supplier1);
        harvester.withdraw(orderId);
        assertEq(supplier1.balance - before, PRICE, "refunded");
        assertEq(harvester.escrowBalance(), 0, "nothing locked");
    }

    /// @dev The exception is narrow: without a recalled lot a revoked buyer cannot reject, and nobody else can.
    function test_F3_revokedBuyerCannotRejectWithoutRecall() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint256 orderId = _placeAt(1, supplier1, harvester1, COD, GRAMS, PRICE, uint40(_now() + 1 days), 1 days);
        _shipAt(1, harvester1, orderId, 7, _ids(lotId));
        vm.prank(admin);
        registry.revokeParticipant(supplier1);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, supplier1, Roles.SUPPLIER_BIT));
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, 7, _ids(lotId), "changed my mind");
        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, stranger, Roles.SUPPLIER_BIT));
        vm.prank(stranger);
        harvester.rejectDelivery(orderId, 7, _ids(lotId), "no");
    }

    // ------------------------------------------------------------------ F4: sensor root front-run

    /// @dev Another gateway anchoring a pending root first (against its own lot, with its own summary) no longer
    /// blocks the victim nor takes the root over: each gateway's anchor stands on its own.
    function test_F4_rootBoundToItsGateway() public {
        address victim = _gatewayOf(harvester1, "victim gateway");
        address attacker = _gatewayOf(harvester2, "attacker gateway");
        uint256 victimLot = _registerLot(harvester1, COD, GRAMS);
        uint256 attackerLot = _registerLot(harvester2, COD, GRAMS);
        bytes32 root = keccak256("the victim's batch");
        IQualityLedger.SensorSummary memory honest = _summary(100, 200, 300);
        IQualityLedger.SensorSummary memory forged = _summary(-50, 0, 50);

        vm.prank(attacker);
        ledger.anchorReadings(1, _ids(attackerLot), root, forged);
        vm.prank(victim);
        ledger.anchorReadings(1, _ids(victimLot), root, honest);

        assertEq(ledger.anchorOf(victim, root).gatewayId, _idOf(victim), "the victim's anchor names the victim");
        assertEq(ledger.anchorOf(victim, root).mean, 200, "with the victim's summary");
        assertEq(ledger.anchorOf(attacker, root).mean, 0, "the attacker's is its own");
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.SensorRootInvalid.selector, root));
        vm.prank(victim);
        ledger.anchorReadings(1, _ids(victimLot), root, honest);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.SensorRootNotFound.selector, root));
        ledger.verifyReading(stranger, root, IQualityLedger.SensorReading(address(1), 1, 1, 1), new bytes32[](0));
    }

    // ------------------------------------------------------------------ F5: devices outlive the stage role

    /// @dev An operator that lost this stage's role (keeping another actor role) no longer acts here through its
    /// gateway or QAT device (before: both went on, as the operator was still "some actor" and still custodian).
    function test_F5_devicesCheckThisStagesRole() public {
        address gateway = _gatewayOf(harvester1, "gateway");
        address device = _qatDevice(harvester1);
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        _register(harvester1, Roles.SUPPLIER);
        vm.prank(admin);
        registry.revokeRole(Roles.HARVESTER, harvester1);

        vm.expectRevert(
            abi.encodeWithSelector(
                IStage.StageUnauthorized.selector,
                gateway,
                Roles.HARVESTER_BIT | Roles.SENSOR_GATEWAY_BIT
            )
        );
        vm.prank(gateway);
        harvester.updateFish(lotId, 200, 80, 0, 0, uint40(_now()));

        IQualityLedger.QatReading memory r = _reading(device, lotId, 9);
        bytes memory sig = _sign(QAT_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QualityOperatorNotAtStage.selector, harvester1, 1));
        ledger.submitScan(1, r, sig);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QualityOperatorNotAtStage.selector, harvester1, 1));
        vm.prank(gateway);
        ledger.anchorReadings(1, _ids(lotId), keccak256("batch"), _summary(100, 200, 300));
    }

    // ------------------------------------------------------------------ F6: the seller starts the buyer's clock

    /// @dev The seller ships and confirms delivery in one block: an hour later (the buyer's whole window) the buyer
    /// can still reject and the seller cannot claim (before: the buyer's rejection reverted OrderDeadlinePassed and
    /// the seller was paid whether or not the goods arrived).
    function test_F6_sellersConfirmationLeavesTheBuyerTimeToDispute() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint256 orderId = _placeAt(1, supplier1, harvester1, COD, GRAMS, PRICE, uint40(_now() + 1 days), ACK_WINDOW);
        _shipAt(1, harvester1, orderId, 7, _ids(lotId));
        _confirmAt(1, harvester1, orderId);
        uint40 deadline = harvester.getOrder(orderId).deadline;
        assertEq(deadline, _now() + ACK_WINDOW + harvester.ARRIVAL_DISPUTE_WINDOW(), "window plus dispute time");

        vm.warp(_now() + ACK_WINDOW + 1 hours);
        vm.expectRevert(
            abi.encodeWithSelector(IOrderBook.OrderDeadlineNotReached.selector, orderId, deadline, uint40(_now()))
        );
        vm.prank(harvester1);
        harvester.claimPayment(orderId, 7, _ids(lotId));
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, 7, _ids(lotId), "never arrived");
        assertEq(uint256(harvester.getOrder(orderId).state), uint256(IOrderBook.OrderState.Rejected), "rejected");
    }

    /// @dev The buyer's own confirmation starts its window as before: ackWindow from then.
    function test_F6_buyersConfirmationStartsItsWindow() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint256 orderId = _placeAt(1, supplier1, harvester1, COD, GRAMS, PRICE, uint40(_now() + 1 days), ACK_WINDOW);
        _shipAt(1, harvester1, orderId, 7, _ids(lotId));
        _confirmAt(1, supplier1, orderId);
        assertEq(harvester.getOrder(orderId).deadline, _now() + ACK_WINDOW, "ackWindow");
    }

    // ------------------------------------------------------------------ F7: provenance unverifiable

    /// @dev A pack made of 21 one-gram catches has 67 hops: `verifyProvenance` still stops at its bound
    /// (`ProvenanceTooLong`), and `verifyProvenancePage` walks all of them in pages that join up.
    function test_F7_provenancePagedBeyondTheBound() public {
        uint256[] memory catches = new uint256[](21);
        for (uint256 i; i < 21; ++i) catches[i] = _registerLot(harvester1, COD, 1);
        _carry(catches, 3);
        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](21);
        for (uint256 i; i < 21; ++i) inputs[i] = IManufacturer.Input(catches[i], 0);
        vm.prank(manufacturer1);
        (, uint256[] memory packs) = manufacturer.processLots(inputs, _out(GTIN, "LOT-21", 21));
        for (uint8 s = 3; s < 6; ++s) _handOver(s, _actor(s, 0), _actor(s + 1, 0), packs);

        vm.expectRevert(abi.encodeWithSelector(ICustomer.ProvenanceTooLong.selector, packs[0], 64));
        customer.verifyProvenance(packs[0]);

        uint256 cursor;
        uint256 total;
        uint256 catchHops;
        do {
            (ICustomer.Hop[] memory hops, uint256 next) = customer.verifyProvenancePage(packs[0], cursor, 16);
            for (uint256 i; i < hops.length; ++i) {
                if (cursor + i < 4) assertEq(hops[i].lotId, packs[0], "the pack first, stage by stage");
                if (hops[i].stage == 1) {
                    assertEq(hops[i].lotId, catches[catchHops], "every catch, in order");
                    ++catchHops;
                }
            }
            total += hops.length;
            cursor = next;
        } while (cursor != 0);
        assertEq(total, 4 + 21 * 3, "every hop");
        assertEq(catchHops, 21, "back to every catch");

        // A page is the same slice of the walk wherever it is asked from.
        (ICustomer.Hop[] memory all, ) = customer.verifyProvenancePage(packs[0], 0, 100);
        (ICustomer.Hop[] memory middle, ) = customer.verifyProvenancePage(packs[0], 30, 5);
        for (uint256 i; i < 5; ++i)
            assertEq(keccak256(abi.encode(middle[i])), keccak256(abi.encode(all[30 + i])), "same hop");
    }

    // ------------------------------------------------------------------ F8: revocation out of gas

    /// @dev Revoking an operator of 1,000 devices costs at most 200,000 gas (before: 71,411 gas a device, out of
    /// gas above ~234 devices under the 16,777,216 per-transaction cap), and its devices stop acting at once.
    function test_F8_revokingAnOperatorOfAThousandDevicesIsCheap() public {
        address gateway;
        vm.startPrank(admin);
        for (uint256 i; i < 1_000; ++i) {
            gateway = address(uint160(0xDE71CE0000 + i));
            registry.registerDevice(gateway, Roles.SENSOR_GATEWAY, harvester1);
        }
        uint256 gasBefore = gasleft();
        registry.revokeParticipant(harvester1);
        uint256 used = gasBefore - gasleft();
        vm.stopPrank();
        assertLe(used, 200_000, "independent of the number of devices");

        assertEq(registry.authorization(gateway).roles, 0, "the registry reports no roles");
        assertFalse(registry.hasRole(Roles.SENSOR_GATEWAY, gateway), "nor hasRole");
        vm.expectRevert(
            abi.encodeWithSelector(
                IStage.StageUnauthorized.selector,
                gateway,
                Roles.HARVESTER_BIT | Roles.SENSOR_GATEWAY_BIT
            )
        );
        vm.prank(gateway);
        harvester.updateFish(1, 200, 80, 0, 0, uint40(_now()));
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.SensorGatewayUnauthorized.selector, gateway));
        vm.prank(gateway);
        ledger.anchorReadings(1, _ids(1), keccak256("batch"), _summary(100, 200, 300));

        // Granted again, the operator's devices act again with no push of their own.
        _register(harvester1, Roles.HARVESTER);
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        vm.prank(gateway);
        harvester.updateFish(lotId, 200, 80, 0, 0, uint40(_now()));
    }

    // ------------------------------------------------------------------ F9: recall stops at processing

    /// @dev A catch recalled after it was processed reaches the products made from it, and where they went on, in
    /// batches the regulator chooses, each product's lineage checked on chain (before: the products stayed
    /// unrecalled, and no call carried the recall past processing).
    function test_F9_recallReachesProductsInBatches() public {
        uint256 lotId = _lotAt(3, COD, GRAMS);
        uint256 other = _lotAt(3, COD, GRAMS);
        IManufacturer.Output[] memory outputs = new IManufacturer.Output[](2);
        outputs[0] = IManufacturer.Output(GTIN, "LOT-1", 2_000, false);
        outputs[1] = IManufacturer.Output(GTIN, "LOT-2", 2_000, false);
        vm.prank(manufacturer1);
        (, uint256[] memory products) = manufacturer.processLots(_whole(lotId), outputs);
        vm.prank(manufacturer1);
        (, uint256[] memory unrelated) = manufacturer.processLots(_whole(other), _out(GTIN, "LOT-3", 1_000));
        _handOver(3, manufacturer1, distributor1, _ids(products[1]));

        vm.expectRevert(abi.encodeWithSelector(IManufacturer.ManufacturerLotNotRecalled.selector, lotId));
        vm.prank(regulator);
        manufacturer.recallProducts(lotId, _ids(products[0]), REASON);

        vm.prank(regulator);
        harvester.recallLots(_ids(lotId), REASON); // follows the catch to the Manufacturer
        assertTrue(manufacturer.getLot(lotId).flags & LotFlags.RECALLED != 0, "the consumed catch is recalled");
        assertEq(manufacturer.getLot(products[0]).flags & LotFlags.RECALLED, 0, "its products are not yet");

        // A lot not made from it is refused, and the whole batch with it.
        vm.expectRevert(abi.encodeWithSelector(IManufacturer.ManufacturerNotAProduct.selector, lotId, unrelated[0]));
        vm.prank(regulator);
        manufacturer.recallProducts(lotId, _ids(products[0], unrelated[0]), REASON);

        vm.prank(regulator);
        manufacturer.recallProducts(lotId, _ids(products[0]), REASON);
        assertTrue(manufacturer.getLot(products[0]).flags & LotFlags.RECALLED != 0, "first product");
        assertEq(manufacturer.getLot(products[1]).flags & LotFlags.RECALLED, 0, "second waits for its batch");
        vm.prank(regulator);
        manufacturer.recallProducts(lotId, products, REASON); // resumes; the first is a no-op
        assertTrue(manufacturer.getLot(products[1]).flags & LotFlags.RECALLED != 0, "second product");
        assertTrue(distributor.getLot(products[1]).flags & LotFlags.RECALLED != 0, "followed to the Distributor");
        assertEq(manufacturer.getLot(unrelated[0]).flags & LotFlags.RECALLED, 0, "the unrelated product is not");

        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, stranger, Roles.REGULATOR_BIT));
        vm.prank(stranger);
        manufacturer.recallProducts(lotId, products, REASON);
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotFound.selector, 999));
        vm.prank(regulator);
        manufacturer.recallProducts(999, products, REASON);
    }

    // ------------------------------------------------------------------ lever: the admin handed to a multisig

    /// @dev README's recipe: the deployer begins the transfer of DEFAULT_ADMIN_ROLE to a multisig or timelock, which
    /// accepts it once the delay has passed and from then on holds every admin function at the registry, the stages
    /// and the ledger; the deployer holds none.
    function test_adminHandedToAMultisig() public {
        address safe = makeAddr("safe or timelock");
        vm.prank(admin);
        registry.beginDefaultAdminTransfer(safe);
        vm.warp(_now() + ADMIN_DELAY + 1);
        vm.prank(safe);
        registry.acceptDefaultAdminTransfer();
        assertFalse(registry.hasRole(Roles.DEFAULT_ADMIN, admin), "the deployer is no admin");
        assertEq(registry.defaultAdmin(), safe, "defaultAdmin");

        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, admin, Roles.ADMIN_BIT));
        vm.prank(admin);
        manufacturer.setCompanyPrefix(9_506_000, 7, manufacturer1);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QualityUnauthorized.selector, admin));
        vm.prank(admin);
        ledger.setFreshnessRule(COD, _defaultRule());

        vm.prank(safe);
        manufacturer.setCompanyPrefix(9_506_000, 7, manufacturer1);
        vm.prank(safe);
        ledger.setFreshnessRule(COD, _defaultRule());
        vm.prank(safe);
        registry.registerParticipant(stranger, Roles.HARVESTER, "new vessel", "location");
        assertTrue(registry.hasRole(Roles.HARVESTER, stranger), "the multisig administers the registry");
    }

    // ------------------------------------------------------------------ levers: scan time bound, no rule

    /// @dev A scan older than MAX_UPLOAD_DELAY (a device whose clock was reset) is refused; one just inside is not.
    function test_scanOlderThanTheUploadDelayIsRefused() public {
        address device = _qatDevice(harvester1);
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        vm.warp(_now() + 40 days);
        uint40 oldest = uint40(_now()) - ledger.MAX_UPLOAD_DELAY();
        IQualityLedger.QatReading memory r = _reading(device, lotId, 10);
        r.scannedAt = oldest - 1;
        bytes memory sig = _sign(QAT_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatScanTooOld.selector, oldest - 1, oldest));
        ledger.submitScan(1, r, sig);
        r.scannedAt = 0; // a clock reset to 1970
        sig = _sign(QAT_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatScanTooOld.selector, 0, oldest));
        ledger.submitScan(1, r, sig);
        r.scannedAt = oldest;
        ledger.submitScan(1, r, _sign(QAT_KEY, r));
        assertEq(ledger.qualityOf(lotId).scannedAt, oldest, "accepted at the bound");
    }

    /// @dev Without any freshness rule, an anchored batch counts for nothing (it used to divide by zero).
    function test_anchorWithoutAnyRuleDoesNotDivideByZero() public {
        // A rule with maxGrade 0 cannot be stored, so a ledger without rules is a fresh one.
        QualityLedger bare = _newLedger(_stageAddresses());
        vm.prank(admin);
        registry.attachStage(address(bare));
        address gateway = _gatewayOf(harvester1, "gateway");
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        vm.prank(gateway);
        bare.anchorReadings(1, _ids(lotId), keccak256("batch"), _summary(100, 200, 300));
        assertEq(bare.qualityOf(lotId).coveredSeconds, 0, "no model, no exposure");
        assertEq(bare.anchorOf(gateway, keccak256("batch")).count, 12, "anchored all the same");
    }

    // ------------------------------------------------------------------ branches the other tests did not take

    function test_branch_updateFishRefusals() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        vm.startPrank(harvester1);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageInvalidHumidity.selector, 101));
        harvester.updateFish(lotId, 200, 101, 0, 0, uint40(_now()));
        vm.expectRevert(abi.encodeWithSelector(IStage.StageTimeInFuture.selector, uint40(_now() + 1), uint40(_now())));
        harvester.updateFish(lotId, 200, 80, 0, 0, uint40(_now() + 1));
        vm.expectRevert(abi.encodeWithSelector(IStage.StageInvalidPosition.selector, 90_00001, 0));
        harvester.updateFish(lotId, 200, 80, 90_00001, 0, uint40(_now()));
        harvester.removeFish(lotId, IStage.RemovalReason.Discarded);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStage.LotInvalidStatus.selector,
                lotId,
                IStage.LotStatus.Removed,
                IStage.LotStatus.Created
            )
        );
        harvester.updateFish(lotId, 200, 80, 0, 0, uint40(_now()));
        vm.stopPrank();
    }

    function test_branch_registerFishRefusals() public {
        IHarvester.Catch memory c = _catch(COD, 0);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageInvalidWeight.selector, 0));
        vm.prank(harvester1);
        harvester.registerFish(c);
        c = _catch(COD, GRAMS);
        c.caughtAt = uint40(_now() + 1);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageTimeInFuture.selector, uint40(_now() + 1), uint40(_now())));
        vm.prank(harvester1);
        harvester.registerFish(c);
    }

    function test_branch_receiveLotsTwiceAndLedgerFlags() public {
        uint256 lotId = _lotAt(2, COD, GRAMS);
        LotWord[] memory words = _words(harvester.lotWord(lotId));
        vm.expectRevert(abi.encodeWithSelector(IStage.LotAlreadyExists.selector, lotId));
        vm.prank(address(harvester));
        supplier.receiveLots(1, 1, _ids(lotId), words);

        vm.expectRevert(abi.encodeWithSelector(IStage.StageInvalidFlags.selector, LotFlags.RECALLED));
        vm.prank(address(ledger));
        supplier.flagLot(lotId, LotFlags.RECALLED);
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotFound.selector, 999));
        vm.prank(address(ledger));
        supplier.flagLot(999, LotFlags.EXCURSION);

        (uint40 readAt, , , int32 latitude, , uint8 flags) = supplier.queryStatus(lotId);
        assertEq(readAt, 0, "never read");
        assertEq(latitude, 62_00000, "where it was caught");
        assertEq(flags, 0, "no flags");
        vm.expectRevert(abi.encodeWithSelector(IStage.LotNotFound.selector, 999));
        supplier.queryStatus(999);
    }

    function test_branch_wiringRefusals() public {
        Harvester fresh = _newHarvester(registry);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageInvalidLedger.selector, address(ledger)));
        vm.prank(admin);
        fresh.setQualityLedger(address(ledger));

        address[6] memory stages = [
            address(harvester),
            address(supplier),
            address(manufacturer),
            address(distributor),
            address(retailer),
            address(fresh)
        ];
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QualityInvalidStage.selector, 6, address(fresh)));
        _tryDeploy("QualityLedger.sol:QualityLedger", abi.encode(registry, stages));

        assertEq(Roles.roleOf(uint16(1) << 12), bytes32(0), "no role has bit 12");
        vm.prank(admin);
        assertFalse(_revokeRoleOf(stranger), "revoking a role not held changes nothing");
        assertEq(ledger.evaluateFreshnessSequence(_defaultRule(), new IQualityLedger.FreshnessScan[](0)).length, 0, "");
    }

    function test_branch_reportProblemAndEmptyProvenancePage() public {
        uint256 pack = _lotAt(6, COD, GRAMS);
        vm.expectEmit(true, true, false, true, address(customer));
        emit ICustomer.ProblemReported(pack, _idOf(customer1), ICustomer.ProblemReason.Spoiled, "smelled off");
        vm.prank(customer1);
        customer.reportProblem(pack, ICustomer.ProblemReason.Spoiled, "smelled off");
        assertEq(customer.getLot(pack).flags & LotFlags.PROBLEM_REPORTED, LotFlags.PROBLEM_REPORTED, "flagged");
        (ICustomer.Hop[] memory hops, uint256 next) = customer.verifyProvenancePage(pack, 3, 0);
        assertEq(hops.length, 0, "an empty page");
        assertEq(next, 3, "stays where it was");
    }

    function _revokeRoleOf(address account) private returns (bool) {
        registry.revokeRole(Roles.HARVESTER, account);
        return registry.hasRole(Roles.HARVESTER, account);
    }

    // ------------------------------------------------------------------ helpers

    function _out(
        uint64 gtin,
        bytes20 lotNumber,
        uint40 grams
    ) private pure returns (IManufacturer.Output[] memory outputs) {
        outputs = new IManufacturer.Output[](1);
        outputs[0] = IManufacturer.Output(gtin, lotNumber, grams, false);
    }

    function _whole(uint256 lotId) private pure returns (IManufacturer.Input[] memory inputs) {
        inputs = new IManufacturer.Input[](1);
        inputs[0] = IManufacturer.Input({lotId: lotId, grams: 0});
    }

    function _gatewayOf(address operator, string memory name) private returns (address gateway) {
        gateway = makeAddr(name);
        vm.prank(admin);
        registry.registerDevice(gateway, Roles.SENSOR_GATEWAY, operator);
    }

    function _qatDevice(address operator) private returns (address device) {
        device = vm.addr(QAT_KEY);
        vm.prank(admin);
        registry.registerDevice(device, Roles.QAT_DEVICE, operator);
    }

    function _summary(
        int16 minimum,
        int16 mean,
        int16 maximum
    ) private view returns (IQualityLedger.SensorSummary memory) {
        return IQualityLedger.SensorSummary(uint40(_now() - 1 hours), uint40(_now()), 12, minimum, maximum, mean);
    }

    function _reading(address device, uint256 lotId, uint8 grade) private returns (IQualityLedger.QatReading memory) {
        return IQualityLedger.QatReading(_readingNo++, lotId, COD, 97, grade, 100, uint40(_now()), device);
    }

    function _submit(address device, uint256 lotId, uint8 grade) private {
        IQualityLedger.QatReading memory r = _reading(device, lotId, grade);
        ledger.submitScan(1, r, _sign(QAT_KEY, r));
    }

    function _count(Vm.Log[] memory logs, bytes32 topic0) private pure returns (uint256 n) {
        for (uint256 i; i < logs.length; ++i) if (logs[i].topics.length != 0 && logs[i].topics[0] == topic0) ++n;
    }
}
