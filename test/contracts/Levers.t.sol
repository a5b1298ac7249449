// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IAccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";

import {IHarvester} from "../../contracts/interfaces/IHarvester.sol";
import {IManufacturer} from "../../contracts/interfaces/IManufacturer.sol";
import {IOrderBook} from "../../contracts/interfaces/IOrderBook.sol";
import {IQualityLedger} from "../../contracts/interfaces/IQualityLedger.sol";
import {IRegistry} from "../../contracts/interfaces/IRegistry.sol";
import {IRegistryReplica} from "../../contracts/interfaces/IRegistryReplica.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {ICustomer} from "../../contracts/interfaces/ICustomer.sol";
import {LotFlags} from "../../contracts/libraries/LotFlags.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";

/// @title LeversTest
/// @notice The safety levers of issue 21: pausing each stage contract and the quality ledger on its own (settlement
/// never paused); the admin handed over in two steps with a delay.
contract LeversTest is FishTraceTest {
    uint40 private constant GRAMS = 5_000;
    uint256 private constant QAT_KEY = uint256(keccak256("levers qat"));
    bytes32 private constant REASON = "LISTERIA";

    address private pauser;
    uint64 private _readingNo = 1;
    uint64 private _shipmentNo = 1;

    function setUp() public {
        _deployWithParticipants();
        pauser = makeAddr("pauser");
        _register(pauser, Roles.PAUSER);
    }

    // ------------------------------------------------------------------ pause: who, what, events

    function test_pause_RevertWhen_NotPauser() public {
        address[3] memory callers = [admin, harvester1, stranger];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IAccessControl.AccessControlUnauthorizedAccount.selector,
                    callers[i],
                    Roles.PAUSER
                )
            );
            vm.prank(callers[i]);
            registry.pause(address(harvester));
        }
        assertFalse(harvester.paused(), "still running");
    }

    function test_pause_RevertWhen_TargetNotAttached() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotAttached.selector, stranger));
        vm.prank(pauser);
        registry.pause(stranger);
    }

    function test_pause_RevertWhen_Unchanged() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistryReplica.PauseUnchanged.selector, false));
        vm.prank(pauser);
        registry.unpause(address(supplier));
        _pause(address(supplier));
        vm.expectRevert(abi.encodeWithSelector(IRegistryReplica.PauseUnchanged.selector, true));
        vm.prank(pauser);
        registry.pause(address(supplier));
    }

    function test_pause_syncPause_RevertWhen_NotRegistry() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistryReplica.ReplicaCallerNotRegistry.selector, pauser));
        vm.prank(pauser);
        supplier.syncPause(true, pauser);
        vm.expectRevert(abi.encodeWithSelector(IRegistryReplica.ReplicaCallerNotRegistry.selector, pauser));
        vm.prank(pauser);
        ledger.syncPause(true, pauser);
    }

    function test_pause_emitsPausedAndUnpausedNamingThePauser() public {
        vm.expectEmit(false, false, false, true, address(retailer));
        emit IRegistryReplica.Paused(pauser);
        vm.prank(pauser);
        registry.pause(address(retailer));
        assertTrue(retailer.paused(), "paused");

        vm.expectEmit(false, false, false, true, address(retailer));
        emit IRegistryReplica.Unpaused(pauser);
        vm.prank(pauser);
        registry.unpause(address(retailer));
        assertFalse(retailer.paused(), "running again");
    }

    /// @dev A pause reaches one contract: the others keep working, and a pauser whose role is revoked pauses no more.
    function test_pause_stopsOnlyItsTarget() public {
        uint256 lotId = _lotAt(2, COD, GRAMS);
        _pause(address(harvester));
        for (uint8 s = 2; s <= 6; ++s) assertFalse(_replica(s).paused(), "other stages run");
        assertFalse(ledger.paused(), "the ledger runs");

        // The Supplier still trades.
        _placeAt(2, manufacturer1, supplier1, COD, GRAMS, 1 ether, uint40(_now() + 1 days), 1 days);
        assertEq(supplier.getLot(lotId).custodianId, _idOf(supplier1), "supplier holds its lot");

        vm.prank(admin);
        registry.revokeRole(Roles.PAUSER, pauser);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, pauser, Roles.PAUSER)
        );
        vm.prank(pauser);
        registry.unpause(address(harvester));
    }

    // ------------------------------------------------------------------ pause: business functions stop, and resume

    function test_pause_harvesterBusinessFunctionsRevertThenResume() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint256 orderId = _placeAt(1, supplier1, harvester1, COD, GRAMS, 1 ether, uint40(_now() + 1 days), 1 days);
        _pause(address(harvester));
        bytes memory paused = abi.encodeWithSelector(IStage.StagePaused.selector, uint8(1));

        vm.startPrank(harvester1);
        vm.expectRevert(paused);
        harvester.registerFish(_catch(COD, GRAMS));
        IHarvester.Catch[] memory catches = new IHarvester.Catch[](2);
        (catches[0], catches[1]) = (_catch(COD, GRAMS), _catch(COD, GRAMS));
        vm.expectRevert(paused);
        harvester.registerFishBatch(catches);
        vm.expectRevert(paused);
        harvester.updateFish(lotId, 200, 80, 0, 0, uint40(_now()));
        vm.expectRevert(paused);
        harvester.removeFish(lotId, IStage.RemovalReason.Discarded);
        vm.expectRevert(paused);
        harvester.initiateShipment(orderId, 1, _ids(lotId));
        vm.expectRevert(paused);
        harvester.transship(_ids(lotId), "IMO9876543", 0, 0, uint40(_now()));
        vm.stopPrank();
        vm.deal(supplier1, 1 ether);
        vm.expectRevert(paused);
        vm.prank(supplier1);
        harvester.placeOrder{value: 1 ether}(harvester1, COD, GRAMS, uint40(_now() + 1 days), 1 days);

        _unpause(address(harvester));
        vm.startPrank(harvester1);
        harvester.registerFish(_catch(COD, GRAMS));
        harvester.registerFishBatch(catches);
        harvester.updateFish(lotId, 200, 80, 0, 0, uint40(_now()));
        harvester.transship(_ids(lotId), "IMO9876543", 0, 0, uint40(_now()));
        harvester.initiateShipment(orderId, 1, _ids(lotId));
        vm.stopPrank();
        assertEq(uint8(harvester.getOrder(orderId).state), uint8(IOrderBook.OrderState.Shipped), "shipped");
    }

    function test_pause_confirmAndAcknowledgeRevertThenResume() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint256 orderId = _shipped(1, lotId);
        _pause(address(harvester));
        bytes memory paused = abi.encodeWithSelector(IStage.StagePaused.selector, uint8(1));

        vm.expectRevert(paused);
        vm.prank(supplier1);
        harvester.confirmDelivery(orderId);
        _unpause(address(harvester));
        _confirmAt(1, supplier1, orderId);

        _pause(address(harvester));
        vm.expectRevert(paused);
        vm.prank(supplier1);
        harvester.acknowledge(orderId, _shipmentNo - 1, _ids(lotId));
        _unpause(address(harvester));
        _ackAt(1, supplier1, orderId, _shipmentNo - 1, _ids(lotId));
        assertEq(supplier.getLot(lotId).custodianId, _idOf(supplier1), "handed over");
    }

    function test_pause_actorFunctionsOfLaterStagesRevert() public {
        uint256 atManufacturer = _lotAt(3, COD, GRAMS);
        _pause(address(manufacturer));
        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](1);
        inputs[0] = IManufacturer.Input({lotId: atManufacturer, grams: 0});
        IManufacturer.Output[] memory outputs = new IManufacturer.Output[](1);
        outputs[0] = IManufacturer.Output(GTIN, "LOT-P", GRAMS, false);
        vm.expectRevert(abi.encodeWithSelector(IStage.StagePaused.selector, uint8(3)));
        vm.prank(manufacturer1);
        manufacturer.processLots(inputs, outputs);
        _unpause(address(manufacturer));
        vm.prank(manufacturer1);
        manufacturer.processLots(inputs, outputs);

        uint256 pack = manufacturer.productLotId(GTIN, "LOT-P");
        _carryFrom(3, pack, 4);
        uint256 orderId = _placeAt(4, retailer1, distributor1, COD, GRAMS, 1 ether, uint40(_now() + 1 days), 1 days);
        _pause(address(distributor));
        vm.expectRevert(abi.encodeWithSelector(IStage.StagePaused.selector, uint8(4)));
        vm.prank(distributor1);
        distributor.dispatch(orderId, 7, _ids(pack), _route());
        _unpause(address(distributor));
        _shipAt(4, distributor1, orderId, 7, _ids(pack));
        _pause(address(distributor));
        vm.expectRevert(abi.encodeWithSelector(IStage.StagePaused.selector, uint8(4)));
        vm.prank(distributor1);
        distributor.confirmArrival(orderId, "GLN5790000000002");
        _unpause(address(distributor));
        _confirmAt(4, distributor1, orderId);
        _ackAt(4, retailer1, orderId, 7, _ids(pack));

        _carryFrom(5, pack, 6);
        _pause(address(customer));
        vm.expectRevert(abi.encodeWithSelector(IStage.StagePaused.selector, uint8(6)));
        vm.prank(customer1);
        customer.reportProblem(pack, ICustomer.ProblemReason.Spoiled, "smell");
        _unpause(address(customer));
        vm.prank(customer1);
        customer.reportProblem(pack, ICustomer.ProblemReason.Spoiled, "smell");
    }

    // ------------------------------------------------------------------ pause: settlement is never paused

    /// @dev The seller withdraws an acknowledged order's price while its stage is paused, and after.
    function test_pause_sellerWithdrawsWhilePaused() public {
        uint256 orderId = _handOver(1, harvester1, supplier1, _ids(_registerLot(harvester1, COD, GRAMS)));
        uint256 other = _handOver(1, harvester1, supplier1, _ids(_registerLot(harvester1, COD, GRAMS)));
        _pause(address(harvester));
        uint256 before = harvester1.balance;
        vm.prank(harvester1);
        harvester.withdraw(orderId);
        assertEq(harvester1.balance, before + CHAIN_PRICE, "paid while paused");
        _unpause(address(harvester));
        vm.prank(harvester1);
        harvester.withdraw(other);
        assertEq(harvester1.balance, before + 2 * CHAIN_PRICE, "paid while running");
    }

    /// @dev Seller and buyer cancel an unshipped order while paused (and while running), and the buyer withdraws the
    /// refund while paused.
    function test_pause_cancelAndRefundWhilePaused() public {
        uint256 declined = _placeAt(1, supplier1, harvester1, COD, GRAMS, 1 ether, uint40(_now() + 1 days), 1 days);
        uint256 lapsed = _placeAt(1, supplier1, harvester1, COD, GRAMS, 1 ether, uint40(_now() + 1 days), 1 days);
        uint256 running = _placeAt(1, supplier1, harvester1, COD, GRAMS, 1 ether, uint40(_now() + 1 days), 1 days);
        _pause(address(harvester));
        vm.prank(harvester1);
        harvester.cancelOrder(declined);
        vm.warp(_now() + 2 days);
        vm.prank(supplier1);
        harvester.cancelOrder(lapsed);
        uint256 before = supplier1.balance;
        vm.startPrank(supplier1);
        harvester.withdraw(declined);
        harvester.withdraw(lapsed);
        vm.stopPrank();
        assertEq(supplier1.balance, before + 2 ether, "refunds while paused");

        _unpause(address(harvester));
        vm.prank(supplier1);
        harvester.cancelOrder(running);
        vm.prank(supplier1);
        harvester.withdraw(running);
        assertEq(supplier1.balance, before + 3 ether, "refund while running");
    }

    /// @dev The buyer rejects a delivery while the stage is paused (its window must not run out during a pause while
    /// the seller can claim), and withdraws the refund.
    function test_pause_buyerRejectsWhilePaused() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint256 orderId = _shipped(1, lotId);
        _confirmAt(1, supplier1, orderId);
        _pause(address(harvester));
        vm.prank(supplier1);
        harvester.rejectDelivery(orderId, _shipmentNo - 1, _ids(lotId), "SPOILED");
        uint256 before = supplier1.balance;
        vm.prank(supplier1);
        harvester.withdraw(orderId);
        assertEq(supplier1.balance, before + 1 ether, "refunded while paused");
        assertEq(uint8(harvester.getLot(lotId).status), uint8(IStage.LotStatus.Created), "back in stock");

        _unpause(address(harvester));
        uint256 again = _shipped(1, lotId);
        vm.prank(supplier1);
        harvester.rejectDelivery(again, _shipmentNo - 1, _ids(lotId), "SPOILED");
    }

    /// @dev The seller claims a delivered, unrejected order after the buyer's window while both its stage and the
    /// next are paused (the hand-over's `receiveLots` is never paused), then withdraws.
    function test_pause_sellerClaimsWhileThisAndNextStagePaused() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        uint256 orderId = _shipped(1, lotId);
        _confirmAt(1, supplier1, orderId);
        _pause(address(harvester));
        _pause(address(supplier));
        vm.warp(_now() + 2 days);
        vm.prank(harvester1);
        harvester.claimPayment(orderId, _shipmentNo - 1, _ids(lotId));
        assertEq(supplier.getLot(lotId).custodianId, _idOf(supplier1), "handed over to the paused supplier");
        uint256 before = harvester1.balance;
        vm.prank(harvester1);
        harvester.withdraw(orderId);
        assertEq(harvester1.balance, before + 1 ether, "paid while paused");

        _unpause(address(harvester));
        uint256 lot2 = _registerLot(harvester1, COD, GRAMS);
        uint256 order2 = _shipped(1, lot2);
        _confirmAt(1, supplier1, order2);
        vm.warp(_now() + 2 days);
        vm.prank(harvester1);
        harvester.claimPayment(order2, _shipmentNo - 1, _ids(lot2));
    }

    /// @dev A regulator recalls at a paused stage; the recall follows the lot to the next stage.
    function test_pause_recallWorksWhilePaused() public {
        uint256 lotId = _lotAt(2, COD, GRAMS);
        _pause(address(harvester));
        _pause(address(supplier));
        vm.prank(regulator);
        harvester.recallLots(_ids(lotId), REASON);
        assertTrue(supplier.getLot(lotId).flags & LotFlags.RECALLED != 0, "recalled where it is");
    }

    // ------------------------------------------------------------------ pause: the quality ledger

    function test_pause_ledgerRefusesScansAndAnchorsThenResumes() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        address device = _qatDevice(harvester1);
        address gateway = _gatewayOf(harvester1);
        _pause(address(ledger));
        bytes memory paused = abi.encodeWithSelector(IQualityLedger.QualityLedgerPaused.selector, uint8(1));

        IQualityLedger.QatReading memory r = _reading(device, lotId);
        bytes memory sig = _sign(QAT_KEY, r);
        vm.expectRevert(paused);
        ledger.submitScan(1, r, sig);
        IQualityLedger.SignedReading[] memory batch = new IQualityLedger.SignedReading[](1);
        batch[0] = IQualityLedger.SignedReading(r, sig);
        vm.expectRevert(paused);
        ledger.submitScans(1, batch);
        vm.expectRevert(paused);
        vm.prank(gateway);
        ledger.anchorReadings(1, _ids(lotId), keccak256("root"), _summary());
        // The stage itself is not paused by the ledger's pause.
        vm.prank(harvester1);
        harvester.updateFish(lotId, 200, 80, 0, 0, uint40(_now()));

        _unpause(address(ledger));
        ledger.submitScan(1, r, sig);
        vm.prank(gateway);
        ledger.anchorReadings(1, _ids(lotId), keccak256("root"), _summary());
        assertTrue(ledger.isAccepted(device, r.readingId), "scan recorded");
    }

    /// @dev Pausing a stage does not pause the ledger: a lot at a paused stage is still scanned.
    function test_pause_stagePauseLeavesItsLotsScannable() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        address device = _qatDevice(harvester1);
        _pause(address(harvester));
        IQualityLedger.QatReading memory r = _reading(device, lotId);
        ledger.submitScan(1, r, _sign(QAT_KEY, r));
        assertTrue(ledger.isAccepted(device, r.readingId), "scan recorded");
    }

    // ------------------------------------------------------------------ admin: two steps, with a delay

    function test_admin_deployedWithTheDelayAndOneAdmin() public view {
        assertEq(registry.defaultAdmin(), admin, "defaultAdmin");
        assertEq(registry.defaultAdminDelay(), ADMIN_DELAY, "delay from the constructor");
        assertTrue(registry.hasRole(Roles.DEFAULT_ADMIN, admin), "hasRole agrees");
        assertEq(_auth(admin).roles, Roles.ADMIN_BIT, "packed bit agrees");
    }

    /// @dev The new admin accepts only after the delay; then the registry, every stage and the ledger follow it.
    function test_admin_transferWaitsForTheDelay() public {
        address safe = makeAddr("safe");
        vm.prank(admin);
        registry.beginDefaultAdminTransfer(safe);
        (address pending, uint48 schedule) = registry.pendingDefaultAdmin();
        assertEq(pending, safe, "pending admin");
        assertEq(schedule, _now() + ADMIN_DELAY, "schedule");

        vm.warp(schedule);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminDelay.selector,
                schedule
            )
        );
        vm.prank(safe);
        registry.acceptDefaultAdminTransfer();
        assertTrue(registry.hasRole(Roles.DEFAULT_ADMIN, admin), "still the deployer's");

        vm.warp(schedule + 1);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IAccessControl.RoleRevoked(Roles.DEFAULT_ADMIN, admin, safe);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IAccessControl.RoleGranted(Roles.DEFAULT_ADMIN, safe, safe);
        vm.prank(safe);
        registry.acceptDefaultAdminTransfer();
        assertEq(registry.defaultAdmin(), safe, "defaultAdmin");
        assertFalse(registry.hasRole(Roles.DEFAULT_ADMIN, admin), "the deployer lost it");
        assertEq(_auth(safe).roles, Roles.ADMIN_BIT, "the safe's packed bit");

        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, admin, Roles.ADMIN_BIT));
        vm.prank(admin);
        manufacturer.setCompanyPrefix(9_506_000, 7, manufacturer1);
        vm.prank(safe);
        manufacturer.setCompanyPrefix(9_506_000, 7, manufacturer1);
        vm.prank(safe);
        ledger.setFreshnessRule(COD, _defaultRule());
    }

    function test_admin_RevertWhen_AcceptedByAnotherAccount() public {
        vm.prank(admin);
        registry.beginDefaultAdminTransfer(makeAddr("safe"));
        vm.warp(_now() + ADMIN_DELAY + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, stranger)
        );
        vm.prank(stranger);
        registry.acceptDefaultAdminTransfer();
    }

    function test_admin_cancelledTransferCannotBeAccepted() public {
        address safe = makeAddr("safe");
        vm.startPrank(admin);
        registry.beginDefaultAdminTransfer(safe);
        registry.cancelDefaultAdminTransfer();
        vm.stopPrank();
        vm.warp(_now() + ADMIN_DELAY + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, safe)
        );
        vm.prank(safe);
        registry.acceptDefaultAdminTransfer();
        assertEq(registry.defaultAdmin(), admin, "unchanged");
    }

    /// @dev The admin role is never granted, revoked or registered directly (before: grantRole made a second admin).
    function test_admin_RevertWhen_GrantedOrRevokedDirectly() public {
        bytes memory enforced = abi.encodeWithSelector(
            IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminRules.selector
        );
        vm.startPrank(admin);
        vm.expectRevert(enforced);
        registry.grantRole(Roles.DEFAULT_ADMIN, stranger);
        vm.expectRevert(enforced);
        registry.revokeRole(Roles.DEFAULT_ADMIN, admin);
        vm.expectRevert(enforced);
        registry.registerParticipant(stranger, Roles.DEFAULT_ADMIN, "second admin", "location");
        vm.stopPrank();
        assertFalse(registry.hasRole(Roles.DEFAULT_ADMIN, stranger), "no second admin");
    }

    /// @dev Renouncing needs a scheduled transfer to nobody whose delay has passed; afterwards nobody is admin.
    function test_admin_renounceOnlyAfterAScheduledDelay() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminDelay.selector, 0)
        );
        vm.prank(admin);
        registry.renounceRole(Roles.DEFAULT_ADMIN, admin);

        vm.prank(admin);
        registry.beginDefaultAdminTransfer(address(0));
        vm.warp(_now() + ADMIN_DELAY + 1);
        vm.prank(admin);
        registry.renounceRole(Roles.DEFAULT_ADMIN, admin);
        assertEq(registry.defaultAdmin(), address(0), "no admin");
        assertFalse(registry.hasRole(Roles.DEFAULT_ADMIN, admin), "hasRole agrees");
        assertEq(_auth(admin).roles, 0, "packed bit cleared");
    }

    /// @dev Changing the delay is itself delayed (a longer one after at most 5 days, a shorter one after the
    /// difference); a rollback cancels a pending change.
    function test_admin_delayChangeIsDelayed() public {
        vm.prank(admin);
        registry.changeDefaultAdminDelay(1 days);
        (uint48 pendingDelay, uint48 schedule) = registry.pendingDefaultAdminDelay();
        assertEq(pendingDelay, 1 days, "pending delay");
        assertEq(schedule, _now() + ADMIN_DELAY - 1 days, "a shorter delay waits the difference");
        assertEq(registry.defaultAdminDelay(), ADMIN_DELAY, "not yet");
        vm.warp(schedule + 1);
        assertEq(registry.defaultAdminDelay(), 1 days, "now");

        vm.startPrank(admin);
        registry.changeDefaultAdminDelay(10 days);
        registry.rollbackDefaultAdminDelay();
        vm.stopPrank();
        vm.warp(_now() + 6 days);
        assertEq(registry.defaultAdminDelay(), 1 days, "rolled back");
    }

    // ------------------------------------------------------------------ scannedAt not before the lot

    /// @dev A catch's creation is its catch day: a scan from before that day is refused (before: accepted, and the
    /// next scan's allowance grew by the extra time), one from that day's start on is accepted.
    function test_scan_RevertWhen_BeforeTheCatchDay() public {
        uint256 lotId = _registerLot(harvester1, COD, GRAMS);
        address device = _qatDevice(harvester1);
        uint40 day = uint40((_now() / 1 days) * 1 days);

        IQualityLedger.QatReading memory r = _reading(device, lotId);
        r.scannedAt = day - 1;
        bytes memory sig = _sign(QAT_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatScanBeforeLot.selector, lotId, day - 1, day));
        ledger.submitScan(1, r, sig);

        r.scannedAt = day;
        ledger.submitScan(1, r, _sign(QAT_KEY, r));
        assertEq(ledger.qualityOf(lotId).scannedAt, day, "accepted from the catch day on");
    }

    /// @dev A product's creation is its processing day, carried with it down the chain.
    function test_scan_RevertWhen_BeforeTheProductWasMade() public {
        uint256 input = _lotAt(3, COD, GRAMS);
        vm.warp(_now() + 3 days);
        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](1);
        inputs[0] = IManufacturer.Input({lotId: input, grams: 0});
        IManufacturer.Output[] memory outputs = new IManufacturer.Output[](1);
        outputs[0] = IManufacturer.Output(GTIN, "LOT-D", GRAMS, false);
        vm.prank(manufacturer1);
        (, uint256[] memory products) = manufacturer.processLots(inputs, outputs);
        uint256 pack = products[0];
        _carryFrom(3, pack, 4);
        address device = _qatDevice(distributor1);
        uint40 day = uint40((_now() / 1 days) * 1 days);

        IQualityLedger.QatReading memory r = _reading(device, pack);
        r.scannedAt = day - 1 days;
        bytes memory sig = _sign(QAT_KEY, r);
        vm.expectRevert(abi.encodeWithSelector(IQualityLedger.QatScanBeforeLot.selector, pack, day - 1 days, day));
        ledger.submitScan(4, r, sig);
        r.scannedAt = uint40(_now());
        ledger.submitScan(4, r, _sign(QAT_KEY, r));
    }

    // ------------------------------------------------------------------ helpers

    function _pause(address target) internal {
        vm.prank(pauser);
        registry.pause(target);
    }

    function _unpause(address target) internal {
        vm.prank(pauser);
        registry.unpause(target);
    }

    function _replica(uint8 s) internal view returns (IRegistryReplica) {
        return IRegistryReplica(address(_stage(s)));
    }

    /// @dev An order of `lotId` at stage `s` between its first seller and first buyer, shipped (not delivered).
    function _shipped(uint8 s, uint256 lotId) internal returns (uint256 orderId) {
        orderId = _placeAt(s, _actor(s + 1, 0), _actor(s, 0), COD, GRAMS, 1 ether, uint40(_now() + 1 days), 1 hours);
        _shipAt(s, _actor(s, 0), orderId, _shipmentNo++, _ids(lotId));
    }

    /// @dev Carries `lotId`, held at stage `from` by its first actor, down to stage `to`.
    function _carryFrom(uint8 from, uint256 lotId, uint8 to) private {
        for (uint8 t = from; t < to; ++t) _handOver(t, _actor(t, 0), _actor(t + 1, 0), _ids(lotId));
    }

    function _qatDevice(address operator) internal returns (address device) {
        device = vm.addr(QAT_KEY);
        vm.prank(admin);
        registry.registerDevice(device, Roles.QAT_DEVICE, operator);
    }

    function _gatewayOf(address operator) internal returns (address gateway) {
        gateway = makeAddr("levers gateway");
        vm.prank(admin);
        registry.registerDevice(gateway, Roles.SENSOR_GATEWAY, operator);
    }

    function _reading(address device, uint256 lotId) internal returns (IQualityLedger.QatReading memory) {
        return IQualityLedger.QatReading(_readingNo++, lotId, COD, 97, 9, 100, uint40(_now()), device);
    }

    function _summary() internal view returns (IQualityLedger.SensorSummary memory) {
        return IQualityLedger.SensorSummary(uint40(_now() - 1 hours), uint40(_now()), 12, 100, 300, 200);
    }
}
