// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IDistributor} from "../../contracts/interfaces/IDistributor.sol";
import {IOrderBook} from "../../contracts/interfaces/IOrderBook.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";
import {Vm} from "./utils/Vm.sol";

// An ABI view of the contracts, not a suite: its functions are not tests.
// solhint-disable foundry-test-function-naming
/// @dev `IDistributor.Route` with its transport mode as the plain uint8 an enum is in the ABI.
struct RawRoute {
    bytes32 origin;
    bytes32 destination;
    uint8 mode;
    bytes16 vehicle;
}

/// @dev `dispatch` taking a `RawRoute`, to send transport modes outside the enum.
interface RawDispatch {
    function dispatch(uint256 orderId, uint64 shipmentNo, uint256[] calldata lotIds, RawRoute calldata route) external;
}

// solhint-enable foundry-test-function-naming

/// @notice The Distributor's own work (stage 4): dispatching a shipment to a Retailer with its route and transport
/// mode, and confirming where it arrived. Both are the order book's shipment and delivery with more detail, so they
/// revert exactly as `initiateShipment` and `confirmDelivery` do.
/// @dev The depot of `setUp`: two 250 kg cod lots and a 100 kg herring lot of distributor1; retailer1 ordered 500 kg
/// of cod from distributor1, to ship within a day and acknowledge within a day of delivery.
contract DistributorTest is FishTraceTest {
    uint40 private constant KG = 1_000;
    uint64 private constant SHIPMENT_NO = 11;
    bytes32 private constant HUB = "7080003000098"; // the distributor's cold store (GLN)
    bytes32 private constant SHOP = "7080003000111"; // the retailer's shop (GLN)

    uint256[] private lots;
    uint256 private her;
    uint256 private orderId;
    uint40 private shipBy;

    function setUp() public {
        _deployWithParticipants();
        (orderId, lots) = _depotOrder();
        her = _lotAt(4, HER, 100 * KG);
    }

    function test_stage_betweenManufacturerAndRetailer() public view {
        assertEq(distributor.stage(), 4, "stage");
        assertEq(distributor.previousStage(), address(manufacturer), "previous stage");
        assertEq(distributor.nextStage(), address(retailer), "next stage");
    }

    // ------------------------------------------------------------------ dispatch

    /// @dev By road, rail, sea and air, each a shipment of its own: the lots ship (`ShipmentInitiated`) and the route
    /// is recorded (`ShipmentDispatched`).
    function test_dispatch_shipsAndRecordsRouteByEveryMode() public {
        for (uint8 mode; mode <= uint8(type(IDistributor.TransportMode).max); ++mode) {
            (uint256 id, uint256[] memory lotIds) = (orderId, lots);
            if (mode != 0) (id, lotIds) = _depotOrder();
            IDistributor.Route memory r = _routeBy(IDistributor.TransportMode(mode));
            vm.expectEmit(address(distributor));
            emit IOrderBook.ShipmentInitiated(id, SHIPMENT_NO, lotIds, 500 * KG);
            vm.expectEmit(address(distributor));
            emit IDistributor.ShipmentDispatched(id, SHIPMENT_NO, r);
            _dispatch(distributor1, id, lotIds, r);
            assertEq(uint256(distributor.getOrder(id).state), uint256(IOrderBook.OrderState.Shipped), "shipped");
            for (uint256 i; i < lotIds.length; ++i) {
                assertEq(uint256(distributor.getLot(lotIds[i]).status), uint256(IStage.LotStatus.Shipped), "lot");
            }
        }
    }

    /// @dev `initiateShipment` is the same shipment without a route; the order cannot be dispatched again.
    function test_dispatch_sameShipmentAsInitiateShipment() public {
        vm.recordLogs();
        vm.prank(distributor1);
        distributor.initiateShipment(orderId, SHIPMENT_NO, lots);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_count(logs, IOrderBook.ShipmentInitiated.selector), 1, "ShipmentInitiated");
        assertEq(_count(logs, IDistributor.ShipmentDispatched.selector), 0, "no ShipmentDispatched");

        vm.expectRevert(
            abi.encodeWithSelector(
                IOrderBook.OrderInvalidState.selector,
                orderId,
                IOrderBook.OrderState.Shipped,
                IOrderBook.OrderState.Ordered
            )
        );
        _dispatch(distributor1, orderId, lots, _route());
    }

    function test_dispatch_RevertWhen_NotDistributor() public {
        address[4] memory callers = [retailer1, manufacturer1, regulator, stranger];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(IStage.StageUnauthorized.selector, callers[i], Roles.DISTRIBUTOR_BIT)
            );
            _dispatch(callers[i], orderId, lots, _route());
        }
    }

    function test_dispatch_RevertWhen_OrderNotFoundNotPartyOrLate() public {
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderNotFound.selector, 9));
        _dispatch(distributor1, 9, lots, _route());
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderNotParty.selector, orderId, distributor2));
        _dispatch(distributor2, orderId, lots, _route());
        vm.warp(uint256(shipBy) + 1);
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderDeadlinePassed.selector, orderId, shipBy, shipBy + 1));
        _dispatch(distributor1, orderId, lots, _route());
    }

    function test_dispatch_RevertWhen_EmptyMixedUnderweightOrRecalled() public {
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderEmptyShipment.selector, orderId));
        _dispatch(distributor1, orderId, new uint256[](0), _route());
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderSpeciesMismatch.selector, orderId, her, COD, HER));
        _dispatch(distributor1, orderId, _ids(lots[0], her), _route());
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderUnderweight.selector, orderId, 250 * KG, 500 * KG));
        _dispatch(distributor1, orderId, _ids(lots[0]), _route());
        vm.prank(regulator);
        distributor.recallLots(_ids(lots[1]), "temperature abuse");
        vm.expectRevert(abi.encodeWithSelector(IStage.LotIsRecalled.selector, lots[1]));
        _dispatch(distributor1, orderId, lots, _route());
    }

    /// @dev A transport mode outside the enum fails the ABI decoding: a revert without data, and nothing ships.
    function testFuzz_dispatch_RevertWhen_ModeOutsideEnum(uint256 seed) public {
        uint8 mode = uint8(bound(seed, uint8(type(IDistributor.TransportMode).max) + 1, type(uint8).max));
        vm.expectRevert(bytes(""));
        vm.prank(distributor1);
        RawDispatch(address(distributor)).dispatch(orderId, SHIPMENT_NO, lots, RawRoute(HUB, SHOP, mode, "EL 12345"));
        assertEq(uint256(distributor.getOrder(orderId).state), uint256(IOrderBook.OrderState.Ordered), "not shipped");
    }

    // ------------------------------------------------------------------ confirmArrival

    /// @dev The buyer's confirmation starts its acknowledgement window.
    function test_confirmArrival_byRetailer() public {
        _assertConfirmsArrival(retailer1, 0);
    }

    /// @dev The seller's adds the arrival dispute window (audit F6: the seller cannot start the buyer's clock).
    function test_confirmArrival_byDistributor() public {
        _assertConfirmsArrival(distributor1, distributor.ARRIVAL_DISPUTE_WINDOW());
    }

    function test_confirmArrival_RevertWhen_NeitherDistributorNorRetailer() public {
        _dispatch(distributor1, orderId, lots, _route());
        address gateway = _enrolDevice(harvester1, Roles.SENSOR_GATEWAY, "gateway");
        address[5] memory callers = [customer1, manufacturer1, regulator, gateway, stranger];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IStage.StageUnauthorized.selector,
                    callers[i],
                    Roles.DISTRIBUTOR_BIT | Roles.RETAILER_BIT
                )
            );
            vm.prank(callers[i]);
            distributor.confirmArrival(orderId, SHOP);
        }
    }

    function test_confirmArrival_RevertWhen_AsConfirmDeliveryDoes() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IOrderBook.OrderInvalidState.selector,
                orderId,
                IOrderBook.OrderState.Ordered,
                IOrderBook.OrderState.Shipped
            )
        );
        vm.prank(retailer1);
        distributor.confirmArrival(orderId, SHOP);

        _dispatch(distributor1, orderId, lots, _route());
        vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderNotFound.selector, 5));
        vm.prank(retailer1);
        distributor.confirmArrival(5, SHOP);
        address[2] memory strangers = [distributor2, retailer2];
        for (uint256 i; i < strangers.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IOrderBook.OrderNotParty.selector, orderId, strangers[i]));
            vm.prank(strangers[i]);
            distributor.confirmArrival(orderId, SHOP);
        }

        vm.prank(retailer1);
        distributor.confirmArrival(orderId, SHOP);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOrderBook.OrderInvalidState.selector,
                orderId,
                IOrderBook.OrderState.Delivered,
                IOrderBook.OrderState.Shipped
            )
        );
        vm.prank(distributor1);
        distributor.confirmArrival(orderId, HUB);
    }

    /// @dev The arrival starts the retailer's acknowledgement: the lots then pass to the Retailer in its custody,
    /// recorded here as supplied by distributor1.
    function test_confirmArrival_thenAcknowledgeHandsLotsToRetailer() public {
        _dispatch(distributor1, orderId, lots, _route());
        vm.prank(retailer1);
        distributor.confirmArrival(orderId, SHOP);
        uint32 r1 = _idOf(retailer1);
        for (uint256 i; i < lots.length; ++i) {
            vm.expectEmit(address(retailer));
            emit IStage.LotReceived(lots[i], r1, orderId);
        }
        vm.prank(retailer1);
        distributor.acknowledge(orderId, SHIPMENT_NO, lots);
        for (uint256 i; i < lots.length; ++i) {
            IStage.Lot memory there = retailer.getLot(lots[i]);
            assertEq(uint256(there.status), uint256(IStage.LotStatus.Created), "available at the Retailer");
            assertEq(there.custodianId, r1, "in retailer1's custody");
            IStage.Lot memory here = distributor.getLot(lots[i]);
            assertEq(uint256(here.status), uint256(IStage.LotStatus.Supplied), "supplied here");
            assertEq(here.custodianId, _idOf(distributor1), "held here by distributor1");
        }
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Two new 250 kg cod lots of distributor1, and retailer1's order of 500 kg of cod from distributor1: ship
    /// within a day, a day to acknowledge.
    function _depotOrder() private returns (uint256 id, uint256[] memory lotIds) {
        lotIds = _lotsAt(4, COD, 250 * KG, 250 * KG);
        shipBy = uint40(_now() + 1 days);
        id = _placeAt(4, retailer1, distributor1, COD, 500 * KG, 1 ether, shipBy, 1 days);
    }

    function _routeBy(IDistributor.TransportMode mode) private pure returns (IDistributor.Route memory) {
        return IDistributor.Route({origin: HUB, destination: SHOP, mode: mode, vehicle: "EL 12345"});
    }

    function _dispatch(address by, uint256 id, uint256[] memory lotIds, IDistributor.Route memory r) private {
        vm.prank(by);
        distributor.dispatch(id, SHIPMENT_NO, lotIds, r);
    }

    /// @dev `by` confirms the dispatched order's arrival at the shop a minute later: `DeliveryConfirmed` with the
    /// acknowledgement deadline a day (plus `extra`) away, `ShipmentArrived` with the place, the order `Delivered`.
    function _assertConfirmsArrival(address by, uint256 extra) private {
        _dispatch(distributor1, orderId, lots, _route());
        vm.warp(_now() + 60);
        uint40 deadline = uint40(_now() + 1 days + extra);
        uint32 id = _idOf(by);
        vm.expectEmit(address(distributor));
        emit IOrderBook.DeliveryConfirmed(orderId, id, deadline);
        vm.expectEmit(address(distributor));
        emit IDistributor.ShipmentArrived(orderId, id, SHOP);
        vm.prank(by);
        distributor.confirmArrival(orderId, SHOP);
        IOrderBook.Order memory stored = distributor.getOrder(orderId);
        assertEq(uint256(stored.state), uint256(IOrderBook.OrderState.Delivered), "delivered");
        assertEq(stored.deadline, deadline, "acknowledgement deadline");
    }

    /// @dev How many of `logs` are events `topic0` of the Distributor.
    function _count(Vm.Log[] memory logs, bytes32 topic0) private view returns (uint256 n) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(distributor) && logs[i].topics.length != 0 && logs[i].topics[0] == topic0) {
                ++n;
            }
        }
    }
}
