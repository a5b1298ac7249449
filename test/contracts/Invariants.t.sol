// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {HarvesterInterface as Harvester} from "./utils/Contracts.sol";
import {IHarvester} from "../../contracts/interfaces/IHarvester.sol";
import {IOrderBook} from "../../contracts/interfaces/IOrderBook.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {RegistryInterface as Registry} from "./utils/Contracts.sol";
import {TestTokenInterface as TestToken} from "./utils/Contracts.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";
import {catchOf} from "./utils/Catches.sol";
import {OrderStates} from "./utils/OrderStates.sol";
// The invariant suites log a call summary (afterInvariant).
// solhint-disable-next-line no-console
import {console} from "hardhat/console.sol";
import {Vm} from "./utils/Vm.sol";

// A handler/harness: its public functions are not tests.
// solhint-disable foundry-test-function-naming
/// @title HarvesterHandler
/// @notice Drives a Harvester stage through random but mostly valid actions of several harvesters and suppliers,
/// and keeps the ghost state the invariants are checked against: every order's parties and shipped lots, every
/// observed order state change, and the Ether moved in and out.
/// @dev Inputs are bounded and actions pick an order or lot in the state they need, so that most calls succeed.
/// The two `rogue*` actions try what must fail (shipping lots that are not available, settling an order with
/// another order's lots) and record whatever unexpectedly succeeds, for the invariants to catch.
contract HarvesterHandler {
    Vm private constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    struct GhostOrder {
        address seller;
        address buyer;
        bytes3 species;
        uint40 grams;
        uint96 price;
        uint64 shipmentNo;
        uint256[] lots;
        IOrderBook.OrderState seen;
    }

    /// @notice An observed order state change.
    struct Edge {
        uint256 orderId;
        IOrderBook.OrderState from;
        IOrderBook.OrderState to;
    }

    Registry public immutable registry;
    Harvester public immutable harvester;
    /// @dev The deployment's settlement token; zero: Ether.
    TestToken public immutable token;
    address private immutable _admin;
    mapping(address account => bool) private _isHarvester;

    address[] private _harvesters;
    address[] private _suppliers;
    bytes3[] private _species;

    /// @dev Index `orderId - 1`.
    GhostOrder[] private _orders;
    Edge[] private _edges;
    uint256 private _lotCount;
    mapping(uint256 lotId => uint32 registrantId) private _registrant;
    uint64 private _nextShipmentNo = 1;

    uint256 public ghostDeposited;
    uint256 public ghostPaidOut;
    /// @notice Withdrawals that moved another amount than the order's price to the caller.
    uint256 public ghostWrongPayouts;
    /// @notice Calls that must have reverted but did not (see the `rogue*` actions).
    uint256 public ghostRogueSuccesses;

    mapping(bytes32 action => uint256) public successes;

    constructor(
        Registry registry_,
        Harvester harvester_,
        address admin_,
        address[] memory harvesters_,
        address[] memory suppliers_,
        TestToken token_
    ) {
        registry = registry_;
        token = token_;
        _admin = admin_;
        for (uint256 i; i < harvesters_.length; ++i) _isHarvester[harvesters_[i]] = true;
        harvester = harvester_;
        _harvesters = harvesters_;
        _suppliers = suppliers_;
        _species.push("COD");
        _species.push("HER");
        _species.push("SAL");
    }

    // ------------------------------------------------------------------ actions

    function registerFish(uint256 actorSeed, uint256 speciesSeed, uint256 grams, bool frozen, bool farmed) external {
        _newLot(actorSeed, speciesSeed, grams, frozen, farmed);
        _done("registerFish");
    }

    function updateFish(uint256 lotSeed, int16 temperature, uint256 humidity, int32 latitude) external {
        uint256 lotId = _lotIn(lotSeed, IStage.LotStatus.Created, IStage.LotStatus.Shipped);
        if (lotId == 0) return;
        address custodian = registry.accountOf(harvester.getLot(lotId).custodianId);
        _ensureRole(custodian);
        int32 lat = int32(int256(_bound(uint256(uint32(latitude)), 0, 180_00000)) - 90_00000);
        uint40 readAt = uint40(_now());
        uint8 hum = uint8(_bound(humidity, 0, 100));
        vm.prank(custodian);
        harvester.updateFish(lotId, temperature, hum, lat, 0, readAt);
        _done("updateFish");
    }

    function removeFish(uint256 lotSeed, uint256 reason) external {
        uint256 lotId = _lotIn(lotSeed, IStage.LotStatus.Created, IStage.LotStatus.Created);
        if (lotId == 0) return;
        address custodian = registry.accountOf(harvester.getLot(lotId).custodianId);
        _ensureRole(custodian);
        vm.prank(custodian);
        harvester.removeFish(lotId, IStage.RemovalReason(_bound(reason, 0, 4)));
        _done("removeFish");
    }

    function placeOrder(
        uint256 buyerSeed,
        uint256 sellerSeed,
        uint256 speciesSeed,
        uint256 grams,
        uint256 price,
        uint256 shipByDelta,
        uint256 ackWindow
    ) external {
        _place(buyerSeed, sellerSeed, speciesSeed, grams, price, shipByDelta, ackWindow);
        _done("placeOrder");
    }

    /// @dev Ships the seller's available lots of the ordered species, topping up with a fresh catch if short.
    function ship(uint256 orderSeed) external {
        uint256 orderId = _orderIn(orderSeed, IOrderBook.OrderState.Ordered);
        if (orderId != 0) _ship(orderId);
    }

    function confirm(uint256 orderSeed, bool bySeller) external {
        uint256 orderId = _orderIn(orderSeed, IOrderBook.OrderState.Shipped);
        if (orderId != 0) _confirm(orderId, bySeller);
    }

    function _ship(uint256 orderId) private {
        GhostOrder storage o = _orders[orderId - 1];
        _ensureRole(o.seller);
        if (_now() > harvester.getOrder(orderId).deadline) {
            // Too late to ship: the buyer walks away instead.
            vm.prank(o.buyer);
            harvester.cancelOrder(orderId);
            _done("cancel");
            return;
        }

        uint32 sellerId = registry.authorization(o.seller).id;
        uint256[] memory picked = new uint256[](_lotCount + 1);
        uint256 n;
        uint256 total;
        for (uint256 id = 1; id <= _lotCount && total < o.grams; ++id) {
            IStage.Lot memory lot = harvester.getLot(id);
            if (lot.status == IStage.LotStatus.Created && lot.custodianId == sellerId && lot.species == o.species) {
                picked[n++] = id;
                total += lot.weightGrams;
            }
        }
        if (total < o.grams) {
            IHarvester.Catch memory c = IHarvester.Catch({
                species: o.species,
                weightGrams: uint40(o.grams - total),
                caughtAt: uint40(_now()),
                latitude: 0,
                longitude: 0,
                catchArea: "",
                vessel: "",
                gear: "",
                farmed: false,
                frozen: false
            });
            picked[n++] = _registerLot(o.seller, c);
        }
        uint256[] memory lotIds = new uint256[](n);
        for (uint256 i; i < n; ++i) lotIds[i] = picked[i];
        uint64 shipmentNo = _nextShipmentNo++;

        vm.prank(o.seller);
        harvester.initiateShipment(orderId, shipmentNo, lotIds);
        o.shipmentNo = shipmentNo;
        o.lots = lotIds;
        _done("ship");
    }

    function _confirm(uint256 orderId, bool bySeller) private {
        GhostOrder storage o = _orders[orderId - 1];
        address by = bySeller ? o.seller : o.buyer;
        _ensureRole(by);
        vm.prank(by);
        harvester.confirmDelivery(orderId);
        _done("confirm");
    }

    function acknowledge(uint256 orderSeed) external {
        uint256 orderId = _orderIn(orderSeed, IOrderBook.OrderState.Delivered);
        if (orderId == 0) return;
        GhostOrder storage o = _orders[orderId - 1];
        _ensureRole(o.buyer);
        vm.prank(o.buyer);
        harvester.acknowledge(orderId, o.shipmentNo, o.lots);
        _done("acknowledge");
    }

    function reject(uint256 orderSeed, bool afterDelivery) external {
        uint256 orderId = _orderIn(
            orderSeed,
            afterDelivery ? IOrderBook.OrderState.Delivered : IOrderBook.OrderState.Shipped
        );
        if (orderId == 0) return;
        GhostOrder storage o = _orders[orderId - 1];
        if (afterDelivery && _now() > harvester.getOrder(orderId).deadline) {
            // Too late to reject: the seller claims instead.
            vm.prank(o.seller);
            harvester.claimPayment(orderId, o.shipmentNo, o.lots);
            _done("claim");
            return;
        }
        _ensureRole(o.buyer);
        vm.prank(o.buyer);
        harvester.rejectDelivery(orderId, o.shipmentNo, o.lots, "quality");
        _done("reject");
    }

    function cancel(uint256 orderSeed, bool byBuyer) external {
        uint256 orderId = _orderIn(orderSeed, IOrderBook.OrderState.Ordered);
        if (orderId == 0) return;
        GhostOrder storage o = _orders[orderId - 1];
        // The buyer may cancel only after the ship-by deadline; before it the seller declines instead.
        if (byBuyer && _now() <= harvester.getOrder(orderId).deadline) byBuyer = false;
        address by = byBuyer ? o.buyer : o.seller;
        bool revoked = !_hasRole(by);
        vm.prank(by);
        harvester.cancelOrder(orderId);
        if (revoked) _done("cancel:revoked");
        _done("cancel");
    }

    /// @dev The seller acknowledges on the buyer's behalf, warping past the acknowledgement deadline if needed.
    function claim(uint256 orderSeed) external {
        uint256 orderId = _orderIn(orderSeed, IOrderBook.OrderState.Delivered);
        if (orderId == 0) return;
        GhostOrder storage o = _orders[orderId - 1];
        uint256 deadline = harvester.getOrder(orderId).deadline;
        if (_now() <= deadline) vm.warp(deadline + 1);
        vm.prank(o.seller);
        harvester.claimPayment(orderId, o.shipmentNo, o.lots);
        _done("claim");
    }

    function withdraw(uint256 orderSeed) external {
        uint256 n = _orders.length;
        if (n == 0) return;
        uint256 orderId;
        address payee;
        for (uint256 i; i < n; ++i) {
            uint256 id = (((orderSeed % n) + i) % n) + 1;
            IOrderBook.OrderState state = harvester.getOrder(id).state;
            if (state == IOrderBook.OrderState.Acknowledged) {
                (orderId, payee) = (id, _orders[id - 1].seller);
                break;
            }
            if (state == IOrderBook.OrderState.Cancelled || state == IOrderBook.OrderState.Rejected) {
                (orderId, payee) = (id, _orders[id - 1].buyer);
                break;
            }
        }
        if (orderId == 0) {
            // Nothing to pay out: move an order toward acknowledgement instead.
            uint256 delivered = _orderIn(orderSeed, IOrderBook.OrderState.Delivered);
            if (delivered != 0) {
                GhostOrder storage d = _orders[delivered - 1];
                _ensureRole(d.buyer);
                vm.prank(d.buyer);
                harvester.acknowledge(delivered, d.shipmentNo, d.lots);
                _done("acknowledge");
            }
            return;
        }
        uint256 price = _orders[orderId - 1].price;
        uint256 before = _money(payee);
        if (!_hasRole(payee)) ++successes["withdraw:revoked"];
        vm.prank(payee);
        harvester.withdraw(orderId);
        if (_money(payee) - before != price) ++ghostWrongPayouts;
        ghostPaidOut += price;
        _done("withdraw");
    }

    /// @dev The admin revokes a harvester or supplier. Actions that need the role re-register the party first;
    /// settling money owed (cancel, claim, withdraw) does not, so it is exercised by revoked parties too.
    function revoke(uint256 seed) external {
        uint256 n = _harvesters.length + _suppliers.length;
        uint256 i = seed % n;
        address account = i < _harvesters.length ? _harvesters[i] : _suppliers[i - _harvesters.length];
        vm.prank(_admin);
        registry.revokeParticipant(account);
        _done("revoke");
    }

    function warp(uint256 secondsForward) external {
        vm.warp(_now() + _bound(secondsForward, 0, 3 days));
        _done("warp");
    }

    /// @dev The seller tries to ship any lot (removed, shipped, supplied, another harvester's, unknown) against an
    /// open order: it must fail unless the lot is one of its own available lots of the ordered species and heavy
    /// enough, in which case the shipment is recorded as any other.
    function rogueShip(uint256 orderSeed, uint256 lotSeed) external {
        uint256 orderId = _orderIn(orderSeed, IOrderBook.OrderState.Ordered);
        if (orderId == 0) return;
        GhostOrder storage o = _orders[orderId - 1];
        _ensureRole(o.seller);
        uint256 lotId = _lotCount == 0 ? 1 : (lotSeed % (_lotCount + 1)) + 1;
        IStage.Lot memory lot = harvester.getLot(lotId);
        bool legitimate =
            lot.status == IStage.LotStatus.Created &&
                lot.custodianId == registry.authorization(o.seller).id &&
                lot.species == o.species &&
                lot.weightGrams >= o.grams &&
                _now() <= harvester.getOrder(orderId).deadline;
        uint256[] memory lotIds = new uint256[](1);
        lotIds[0] = lotId;
        uint64 shipmentNo = _nextShipmentNo++;
        vm.prank(o.seller);
        try harvester.initiateShipment(orderId, shipmentNo, lotIds) {
            if (!legitimate) ++ghostRogueSuccesses;
            o.shipmentNo = shipmentNo;
            o.lots = lotIds;
            _done("rogueShip:shipped");
        } catch {
            if (legitimate) ++ghostRogueSuccesses;
            _done("rogueShip:refused");
        }
    }

    /// @dev The buyer acknowledges or rejects, or the seller claims, an order with the shipment number and lots of
    /// another order: always refused, since each order is bound to its own commitment.
    function rogueSettle(uint256 orderSeed, uint256 otherSeed, uint256 how) external {
        uint256 n = _orders.length;
        if (n < 2) {
            _newOrder(orderSeed);
            return;
        }
        uint256 orderId = (orderSeed % n) + 1;
        uint256 otherId = (otherSeed % n) + 1;
        if (otherId == orderId) otherId = (otherId % n) + 1;
        GhostOrder storage o = _orders[orderId - 1];
        GhostOrder storage other = _orders[otherId - 1];
        if (other.lots.length == 0) return;
        uint64 shipmentNo = other.shipmentNo;
        uint256[] memory lotIds = other.lots;
        how = how % 3;
        bool ok;
        if (how == 0) {
            vm.prank(o.buyer);
            try harvester.acknowledge(orderId, shipmentNo, lotIds) {
                ok = true;
            } catch {}
        } else if (how == 1) {
            vm.prank(o.buyer);
            try harvester.rejectDelivery(orderId, shipmentNo, lotIds, "rogue") {
                ok = true;
            } catch {}
        } else {
            vm.prank(o.seller);
            try harvester.claimPayment(orderId, shipmentNo, lotIds) {
                ok = true;
            } catch {}
        }
        if (ok) ++ghostRogueSuccesses;
        _done("rogueSettle");
    }

    // ------------------------------------------------------------------ ghost state for the invariants

    function orderCount() external view returns (uint256) {
        return _orders.length;
    }

    function ghostOrder(uint256 orderId) external view returns (GhostOrder memory) {
        return _orders[orderId - 1];
    }

    function lotCount() external view returns (uint256) {
        return _lotCount;
    }

    function registrantOf(uint256 lotId) external view returns (uint32) {
        return _registrant[lotId];
    }

    function edgeCount() external view returns (uint256) {
        return _edges.length;
    }

    function edge(uint256 i) external view returns (Edge memory) {
        return _edges[i];
    }

    function species() external view returns (bytes3[] memory) {
        return _species;
    }

    function participants() external view returns (address[] memory harvesters_, address[] memory suppliers_) {
        return (_harvesters, _suppliers);
    }

    /// @notice The actions the invariant fuzzer may call.
    function selectors() external pure returns (bytes4[] memory s) {
        s = new bytes4[](15);
        s[0] = this.registerFish.selector;
        s[1] = this.updateFish.selector;
        s[2] = this.removeFish.selector;
        s[3] = this.placeOrder.selector;
        s[4] = this.ship.selector;
        s[5] = this.confirm.selector;
        s[6] = this.acknowledge.selector;
        s[7] = this.reject.selector;
        s[8] = this.cancel.selector;
        s[9] = this.claim.selector;
        s[10] = this.withdraw.selector;
        s[11] = this.warp.selector;
        s[12] = this.rogueShip.selector;
        s[13] = this.rogueSettle.selector;
        s[14] = this.revoke.selector;
    }

    // ------------------------------------------------------------------ internals

    function _registerLot(address by, IHarvester.Catch memory c) private returns (uint256 lotId) {
        _ensureRole(by);
        vm.prank(by);
        lotId = harvester.registerFish(c);
        require(lotId == _lotCount + 1, "lot ids not sequential");
        _lotCount = lotId;
        _registrant[lotId] = registry.authorization(by).id;
    }

    function _place(
        uint256 buyerSeed,
        uint256 sellerSeed,
        uint256 speciesSeed,
        uint256 grams,
        uint256 price,
        uint256 shipByDelta,
        uint256 ackWindow
    ) private {
        address buyer = _suppliers[buyerSeed % _suppliers.length];
        address seller = _harvesters[sellerSeed % _harvesters.length];
        bytes3 code = _species[speciesSeed % _species.length];
        uint40 g = uint40(_bound(grams, 1, 60_000));
        uint96 p = uint96(_bound(price, 1, 1_000 ether));
        uint40 shipBy = uint40(_now() + _bound(shipByDelta, 1 hours, 7 days));
        uint32 window = uint32(_bound(ackWindow, 1 hours, 3 days));

        _ensureRole(buyer);
        _ensureRole(seller);
        uint256 orderId;
        if (address(token) == address(0)) {
            vm.deal(buyer, buyer.balance + p);
            vm.prank(buyer);
            orderId = harvester.placeOrder{value: p}(seller, code, g, shipBy, window);
        } else {
            token.mint(buyer, p);
            vm.prank(buyer);
            token.approve(address(harvester), p);
            vm.prank(buyer);
            orderId = harvester.placeOrderWithPermit(seller, code, g, shipBy, window, p, 0, 0, 0, 0);
        }

        require(orderId == _orders.length + 1, "order ids not sequential");
        GhostOrder storage o = _orders.push();
        o.seller = seller;
        o.buyer = buyer;
        o.species = code;
        o.grams = g;
        o.price = p;
        o.seen = IOrderBook.OrderState.Ordered;
        _edges.push(Edge(orderId, IOrderBook.OrderState.None, harvester.getOrder(orderId).state));
        ghostDeposited += p;
    }

    /// @dev What `account` holds of the deployment's money: Ether, or the settlement token.
    function _money(address account) private view returns (uint256) {
        return address(token) == address(0) ? account.balance : token.balanceOf(account);
    }

    /// @dev Places an order with every parameter drawn from `seed`.
    function _newOrder(uint256 seed) private {
        uint256 h = uint256(keccak256(abi.encode(seed, _orders.length)));
        _place(h, h >> 8, h >> 16, h >> 24, h >> 64, h >> 128, h >> 192);
        _done("placeOrder");
    }

    function _newLot(uint256 actorSeed, uint256 speciesSeed, uint256 grams, bool frozen, bool farmed) private {
        IHarvester.Catch memory c = catchOf(
            _species[speciesSeed % _species.length],
            uint40(_bound(grams, 1, 50_000)),
            uint40(_now()),
            farmed,
            frozen
        );
        _registerLot(_harvesters[actorSeed % _harvesters.length], c);
    }

    /// @dev An order in `state` picked by `seed`. When there is none, moves an order one step toward `state`
    /// instead (confirms a shipped order, ships an ordered one, or places a new one) and returns 0, so that calls
    /// keep the book moving.
    function _orderIn(uint256 seed, IOrderBook.OrderState state) private returns (uint256) {
        (bool found, uint256 orderId) = _pickOrder(seed, state);
        if (found) return orderId;
        if (state == IOrderBook.OrderState.Delivered) {
            (found, orderId) = _pickOrder(seed, IOrderBook.OrderState.Shipped);
            if (found) {
                _confirm(orderId, seed & 1 == 0);
                return 0;
            }
            state = IOrderBook.OrderState.Shipped;
        }
        if (state == IOrderBook.OrderState.Shipped) {
            (found, orderId) = _pickOrder(seed, IOrderBook.OrderState.Ordered);
            if (found) {
                _ship(orderId);
                return 0;
            }
        }
        _newOrder(seed);
        return 0;
    }

    /// @dev A lot in status `a` or `b` picked by `seed`; when there is none, registers a new lot and returns 0.
    function _lotIn(uint256 seed, IStage.LotStatus a, IStage.LotStatus b) private returns (uint256) {
        (bool found, uint256 lotId) = _pickLot(seed, a, b);
        if (found) return lotId;
        uint256 h = uint256(keccak256(abi.encode(seed, _lotCount)));
        _newLot(h, h >> 8, h >> 16, h & 1 == 0, h & 2 == 0);
        _done("registerFish");
        return 0;
    }

    function _hasRole(address account) private view returns (bool) {
        return registry.hasRole(_isHarvester[account] ? Roles.HARVESTER : Roles.SUPPLIER, account);
    }

    /// @dev Re-registers `account` in its role if the admin revoked it.
    function _ensureRole(address account) private {
        if (_hasRole(account)) return;
        vm.prank(_admin);
        registry.registerParticipant(account, _isHarvester[account] ? Roles.HARVESTER : Roles.SUPPLIER, "", "");
    }

    /// @dev Records the state change of every order since the last action, then counts the action.
    function _done(bytes32 action) private {
        uint256 n = _orders.length;
        for (uint256 id = 1; id <= n; ++id) {
            GhostOrder storage o = _orders[id - 1];
            IOrderBook.OrderState state = harvester.getOrder(id).state;
            if (state != o.seen) {
                _edges.push(Edge(id, o.seen, state));
                o.seen = state;
            }
        }
        ++successes[action];
    }

    /// @dev The first order at or after `seed` (cyclically) in `state`.
    function _pickOrder(uint256 seed, IOrderBook.OrderState state) private view returns (bool, uint256) {
        uint256 n = _orders.length;
        for (uint256 i; i < n; ++i) {
            uint256 id = (((seed % n) + i) % n) + 1;
            if (harvester.getOrder(id).state == state) return (true, id);
        }
        return (false, 0);
    }

    /// @dev The first lot at or after `seed` (cyclically) in status `a` or `b`.
    function _pickLot(uint256 seed, IStage.LotStatus a, IStage.LotStatus b) private view returns (bool, uint256) {
        uint256 n = _lotCount;
        for (uint256 i; i < n; ++i) {
            uint256 id = (((seed % n) + i) % n) + 1;
            IStage.LotStatus s = harvester.getLot(id).status;
            if (s == a || s == b) return (true, id);
        }
        return (false, 0);
    }

    function _now() private view returns (uint256) {
        return vm.getBlockTimestamp();
    }

    function _bound(uint256 x, uint256 min, uint256 max) private pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}

// solhint-enable foundry-test-function-naming

/// @notice Invariants of the Harvester's lots, custody, inventory totals and escrow under random sequences of the
/// handler's actions.
/// @dev Each invariant runs with `invariant.failOnRevert = true`: the handler makes only valid moves (its rogue
/// actions catch their own reverts), so a handler call that reverts is itself a failure, either a handler bug or
/// a valid action the contract refused.
contract InvariantsTest is FishTraceTest {
    HarvesterHandler private handler;
    address[] private harvesters;
    address[] private suppliers;
    mapping(uint32 id => bool) private isParticipant;

    function setUp() public virtual {
        _deploy(true);
        _listSpecies("COD", "Atlantic cod");
        _listSpecies("HER", "Atlantic herring");
        _listSpecies("SAL", "Atlantic salmon");
        for (uint256 i; i < 3; ++i) {
            address h = makeAddr(string.concat("harvester", Strings.toString(i)));
            address s = makeAddr(string.concat("supplier", Strings.toString(i)));
            _register(h, Roles.HARVESTER);
            _register(s, Roles.SUPPLIER);
            harvesters.push(h);
            suppliers.push(s);
            isParticipant[_idOf(h)] = true;
            isParticipant[_idOf(s)] = true;
        }
        handler = new HarvesterHandler(registry, harvester, admin, harvesters, suppliers, TestToken(settlementToken));
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: handler.selectors()}));
    }

    // ------------------------------------------------------------------ invariants

    /* solhint-disable no-console */
    /// @notice After each run, logs what the handler did (shown with `-vvvv`): how often each action took place,
    /// and how many orders and lots the run created.
    function afterInvariant() public view {
        string[18] memory actions = [
            "registerFish",
            "updateFish",
            "removeFish",
            "placeOrder",
            "ship",
            "confirm",
            "acknowledge",
            "reject",
            "cancel",
            "claim",
            "withdraw",
            "warp",
            "rogueShip:shipped",
            "rogueShip:refused",
            "rogueSettle",
            "revoke",
            "cancel:revoked",
            "withdraw:revoked"
        ];
        for (uint256 i; i < actions.length; ++i) {
            console.log(actions[i], handler.successes(bytes32(bytes(actions[i]))));
        }
        console.log("orders", handler.orderCount(), "lots", handler.lotCount());
    }
    /* solhint-enable no-console */

    /// @notice The Harvester holds at least what it owes, and owes exactly the prices of the orders not yet paid
    /// out; every withdrawal moved exactly its order's price.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_escrowSolvent() public view {
        uint256 owed;
        uint256 n = harvester.orderCount();
        assertEq(n, handler.orderCount(), "order count");
        for (uint256 id = 1; id <= n; ++id) {
            IOrderBook.Order memory o = harvester.getOrder(id);
            if (o.state != IOrderBook.OrderState.Paid && o.state != IOrderBook.OrderState.Refunded) owed += o.price;
        }
        uint256 escrow = harvester.escrowBalance();
        assertGe(_money(address(harvester)), escrow, "balance covers escrow");
        assertEq(escrow, owed, "escrow equals open prices");
        assertEq(escrow + handler.ghostPaidOut(), handler.ghostDeposited(), "escrow plus payouts equals deposits");
        assertEq(handler.ghostWrongPayouts(), 0, "payouts of exactly the price");
    }

    /// @notice Every lot has one custodian, a known participant; at the Harvester every lot names the harvester
    /// that caught it, a shipped lot belongs to exactly one open shipment, and a supplied lot was settled by exactly
    /// one acknowledged order and is held at the Supplier by that order's buyer: no lot was acknowledged twice, and
    /// a lot that was not supplied never reached the Supplier.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_singleCustodian() public view {
        uint256 lots = handler.lotCount();
        uint256 n = handler.orderCount();
        // Per lot: in how many settled (Acknowledged/Paid) and open (Shipped/Delivered) orders it was shipped.
        uint256[] memory settledIn = new uint256[](lots + 1);
        uint256[] memory openIn = new uint256[](lots + 1);
        uint32[] memory settledBuyer = new uint32[](lots + 1);
        for (uint256 id = 1; id <= n; ++id) {
            IOrderBook.Order memory o = harvester.getOrder(id);
            bool settled = o.state == IOrderBook.OrderState.Acknowledged || o.state == IOrderBook.OrderState.Paid;
            bool open = o.state == IOrderBook.OrderState.Shipped || o.state == IOrderBook.OrderState.Delivered;
            if (!settled && !open) continue;
            uint256[] memory shipped = handler.ghostOrder(id).lots;
            for (uint256 i; i < shipped.length; ++i) {
                uint256 lotId = shipped[i];
                if (lotId > lots) continue; // an unknown lot: refused by the stage, caught below if not
                if (settled) {
                    ++settledIn[lotId];
                    settledBuyer[lotId] = o.buyerId;
                } else {
                    ++openIn[lotId];
                }
            }
        }

        for (uint256 lotId = 1; lotId <= lots; ++lotId) {
            IStage.Lot memory lot = harvester.getLot(lotId);
            IStage.Lot memory next = supplier.getLot(lotId);
            assertTrue(lot.status != IStage.LotStatus.None, "registered lot exists");
            assertTrue(isParticipant[lot.custodianId], "custodian is a known participant");
            // The Harvester's record always names the harvester that caught the lot, supplied or not.
            assertEq(lot.custodianId, handler.registrantOf(lotId), "Harvester record names its harvester");
            if (lot.status == IStage.LotStatus.Supplied) {
                assertEq(settledIn[lotId], 1, "supplied lot settled by exactly one order");
                assertEq(openIn[lotId], 0, "supplied lot in no open shipment");
                assertEq(uint256(next.status), uint256(IStage.LotStatus.Created), "supplied lot received next");
                assertEq(next.custodianId, settledBuyer[lotId], "supplied lot held by that order's buyer");
                assertEq(next.weightGrams, lot.weightGrams, "weight carried over");
            } else {
                assertEq(settledIn[lotId], 0, "unsupplied lot in no settled order");
                assertEq(uint256(next.status), uint256(IStage.LotStatus.None), "unsupplied lot not at the Supplier");
                assertEq(openIn[lotId], lot.status == IStage.LotStatus.Shipped ? 1 : 0, "shipped lot in one shipment");
            }
        }
        assertEq(handler.ghostRogueSuccesses(), 0, "no rogue call succeeded");
    }

    /// @notice The available and supplied totals per species equal the sums over the Created and Supplied lots.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_availableTotalsMatch() public view {
        bytes3[] memory codes = handler.species();
        uint256 lots = handler.lotCount();
        for (uint256 s; s < codes.length; ++s) {
            uint256 availableLots;
            uint256 availableGrams;
            uint256 suppliedLots;
            uint256 suppliedGrams;
            for (uint256 lotId = 1; lotId <= lots; ++lotId) {
                IStage.Lot memory lot = harvester.getLot(lotId);
                if (lot.species != codes[s]) continue;
                if (lot.status == IStage.LotStatus.Created) {
                    ++availableLots;
                    availableGrams += lot.weightGrams;
                } else if (lot.status == IStage.LotStatus.Supplied) {
                    ++suppliedLots;
                    suppliedGrams += lot.weightGrams;
                }
            }
            IStage.Totals memory available = harvester.totalAvailableFish(codes[s]);
            IStage.Totals memory supplied = harvester.totalSuppliedFish(codes[s]);
            assertEq(available.lots, availableLots, "available lots");
            assertEq(available.grams, availableGrams, "available grams");
            assertEq(supplied.lots, suppliedLots, "supplied lots");
            assertEq(supplied.grams, suppliedGrams, "supplied grams");
        }
    }

    /// @notice Every observed order state change is an edge of the state chart (`OrderStates`), and nothing changed
    /// unobserved.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_onlyAllowedTransitions() public view {
        uint256 n = handler.edgeCount();
        for (uint256 i; i < n; ++i) {
            HarvesterHandler.Edge memory e = handler.edge(i);
            assertTrue(OrderStates.allowed(e.from, e.to), _describe(e));
        }
        // Nothing changed since the handler last looked.
        uint256 orders = handler.orderCount();
        for (uint256 id = 1; id <= orders; ++id) {
            assertEq(uint256(harvester.getOrder(id).state), uint256(handler.ghostOrder(id).seen), "state observed");
        }
    }

    // ------------------------------------------------------------------ helpers

    function _describe(HarvesterHandler.Edge memory e) private pure returns (string memory) {
        return OrderStates.describe(e.orderId, e.from, e.to);
    }
}

/// @notice `InvariantsTest` on a deployment that settles in the test stablecoin (FishTraceUSD): escrow solvency
/// (the Harvester's token balance covers what it owes, every payout exactly the price), custody and the order
/// machine's transitions hold with token orders too.
contract TokenInvariantsTest is InvariantsTest {
    function setUp() public override {
        _useTestToken();
        super.setUp();
    }
}
