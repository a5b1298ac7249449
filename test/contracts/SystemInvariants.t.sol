// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DistributorInterface as Distributor} from "./utils/Contracts.sol";
import {HarvesterInterface as Harvester} from "./utils/Contracts.sol";
import {ManufacturerInterface as Manufacturer} from "./utils/Contracts.sol";
import {IDistributor} from "../../contracts/interfaces/IDistributor.sol";
import {IHarvester} from "../../contracts/interfaces/IHarvester.sol";
import {IManufacturer} from "../../contracts/interfaces/IManufacturer.sol";
import {IOrderBook} from "../../contracts/interfaces/IOrderBook.sol";
import {IRegistryReplica} from "../../contracts/interfaces/IRegistryReplica.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {catchOf} from "./utils/Catches.sol";
import {RegistryInterface as Registry} from "./utils/Contracts.sol";
import {TestTokenInterface as TestToken} from "./utils/Contracts.sol";
import {LotFlags} from "../../contracts/libraries/LotFlags.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";
import {OrderStates} from "./utils/OrderStates.sol";
// The invariant suites log a call summary (afterInvariant).
// solhint-disable-next-line no-console
import {console} from "hardhat/console.sol";
import {Vm} from "./utils/Vm.sol";

// A handler/harness: its public functions are not tests.
// solhint-disable foundry-test-function-naming
/// @title ChainHandler
/// @notice Drives lots through the whole chain, Harvester to Customer: catches are registered, ordered, shipped,
/// confirmed, acknowledged, rejected, cancelled, claimed and paid out at whichever pair of stages they stand,
/// processed into products at the Manufacturer, recalled by the regulator (inputs of products carried on to the
/// products with `recallProducts`), parties revoked while money is owed to them settle it all the same (and are
/// registered again), stages and the quality ledger paused and unpaused by a PAUSER (what is owed settles while
/// paused; a business call on a paused stage must revert), and time moves on. It keeps the ghost
/// state the system invariants are checked against: every lot it knows with where it was made and who received it at
/// each stage, every order's parties and shipped lots, every observed order state change, the Ether moved in and out
/// of each book, the grams consumed and produced at the Manufacturer, and every recall.
/// @dev Only valid moves (so the invariants run with `failOnRevert`): an action that finds nothing in the state it
/// needs moves something one step toward it instead. The `rogue*` actions try what must fail (moving a recalled lot,
/// producing more than was consumed, doing business at a paused stage) inside `try` and count whatever unexpectedly
/// succeeds. An action that needs a paused stage's business functions unpauses it first (`_awake`); settlement,
/// recalls and revocations never do, so they run at paused stages whenever the fuzzer left one paused.
contract ChainHandler {
    Vm private constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    uint64 private constant GTIN = 9_506_000_134_352;

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

    struct OrderRef {
        uint8 stage;
        uint256 orderId;
    }

    /// @notice An observed order state change at selling stage `stage`.
    struct Edge {
        uint8 stage;
        uint256 orderId;
        IOrderBook.OrderState from;
        IOrderBook.OrderState to;
    }

    /// @notice Lot `lotId` recalled at `stage` while it was not supplied on from there, as it was then.
    struct Recall {
        uint8 stage;
        uint256 lotId;
        IStage.LotStatus status;
        uint40 weightGrams;
    }

    Registry public immutable registry;
    /// @dev The deployment's settlement token; zero: Ether.
    TestToken public immutable token;
    address private immutable _regulator;
    address private immutable _admin;
    address private immutable _pauser;
    address private immutable _ledger;
    /// @notice Whether the handler paused pause target `t`: 1-6 the stages, 7 the quality ledger.
    bool[8] public ghostPaused;
    IStage[7] private _stages; // 1 = Harvester … 6 = Customer
    address[2][7] private _actors;
    mapping(address account => uint32) private _id;
    bytes3[] private _species;

    mapping(uint8 stage => GhostOrder[]) private _orders; // index orderId - 1
    OrderRef[] private _allOrders;
    Edge[] private _edges;

    uint256[] private _lots;
    /// @notice 1-based position of `lotId` in the known lots (0: unknown).
    mapping(uint256 lotId => uint256) public indexOf;
    /// @notice The stage a lot entered the chain at: 1 for a catch, 3 for a product.
    mapping(uint256 lotId => uint8) public originOf;
    /// @notice The stage the handler believes holds the lot now (it was handed on from every earlier one).
    mapping(uint256 lotId => uint8) public ghostStage;
    /// @notice Who registered, made or received the lot at each stage.
    mapping(uint256 lotId => mapping(uint8 stage => uint32)) public ghostHolder;
    /// @notice A product lot's weight when it was made.
    mapping(uint256 lotId => uint40) public createdWeight;

    Recall[] private _recalls;
    mapping(uint8 stage => mapping(uint256 lotId => bool)) private _recallRecorded;

    uint256[6] private _deposited; // index: selling stage
    uint256[6] private _paidOut;
    /// @notice Withdrawals that moved another amount than the order's price.
    uint256 public ghostWrongPayouts;
    /// @notice Calls that must have reverted but did not (the `rogue*` actions).
    uint256 public ghostRogueSuccesses;
    /// @notice Grams taken out of inputs and put into products at the Manufacturer, as measured on chain.
    uint256 public ghostConsumed;
    uint256 public ghostProduced;
    /// @notice Processes whose products outweighed what they consumed.
    uint256 public ghostProcessViolations;
    uint256 public ghostProcesses;
    /// @notice Settlements (withdraw, claim, cancel, reject) of an order whose stage, next stage and the ledger were
    /// paused: made, and refused (each must be zero).
    uint256 public ghostPausedSettlements;
    uint256 public ghostPausedSettleFailures;

    uint64 private _nextShipmentNo = 1;
    uint160 private _nextLotNumber = 1;
    mapping(bytes32 action => uint256) public successes;

    constructor(
        Registry registry_,
        IStage[6] memory stages_,
        address[2][6] memory actors_,
        address regulator_,
        address admin_,
        address pauser_,
        address ledger_,
        TestToken token_
    ) {
        registry = registry_;
        token = token_;
        _regulator = regulator_;
        _admin = admin_;
        _pauser = pauser_;
        _ledger = ledger_;
        for (uint8 s = 1; s <= 6; ++s) {
            _stages[s] = stages_[s - 1];
            _actors[s] = actors_[s - 1];
            _id[actors_[s - 1][0]] = registry_.authorization(actors_[s - 1][0]).id;
            _id[actors_[s - 1][1]] = registry_.authorization(actors_[s - 1][1]).id;
        }
        _species.push("COD");
        _species.push("HER");
    }

    // ------------------------------------------------------------------ actions

    function registerFish(uint256 actorSeed, uint256 speciesSeed, uint256 grams) external {
        _newCatch(_actors[1][actorSeed % 2], _species[speciesSeed % _species.length], _bound(grams, 1, 50_000));
        ++successes["registerFish"];
    }

    /// @dev A vessel lands one to four catches at once, of the species in turn: consecutive lots, as one by one.
    function registerFishBatch(uint256 actorSeed, uint256 speciesSeed, uint256 grams, uint256 count) external {
        _awake(1);
        address by = _actors[1][actorSeed % 2];
        IHarvester.Catch[] memory catches = new IHarvester.Catch[](_bound(count, 1, 4));
        uint256 g = _bound(grams, 1, 50_000);
        for (uint256 i; i < catches.length; ++i) {
            catches[i] = _catchOf(_species[((speciesSeed % _species.length) + i) % _species.length], g + i);
        }
        vm.prank(by);
        uint256 first = Harvester(address(_stages[1])).registerFishBatch(catches);
        for (uint256 i; i < catches.length; ++i) _know(first + i, 1, _id[by]);
        ++successes["registerFishBatch"];
    }

    /// @dev A buyer of the next stage orders what a seller holds: an available lot's species, at most its weight.
    /// Half the time the lot furthest down the chain is picked, so that lots reach the Customer.
    function placeOrder(
        uint256 lotSeed,
        uint256 buyerSeed,
        uint256 grams,
        uint256 price,
        uint256 shipByDelta,
        uint256 ackWindow
    ) external {
        _newOrder(lotSeed, buyerSeed, grams, price, shipByDelta, ackWindow);
    }

    /// @dev Runs one whole order (place, ship, confirm, acknowledge) for the available lot furthest down the chain,
    /// so that every run carries lots deep into the chain, up to the Customer.
    function advance(uint256 seed, bool dispatch) external {
        (bool found, uint256 lotId) = _availableUpTo(seed, 5, true);
        if (!found) {
            _newCatch(_actors[1][seed % 2], _species[(seed >> 8) % 2], 1 + (seed % 50_000));
            ++successes["registerFish"];
            return;
        }
        uint8 s = ghostStage[lotId];
        IStage.Lot memory lot = _stages[s].getLot(lotId);
        uint256 orderId = _place(
            s,
            registry.accountOf(lot.custodianId),
            _actors[s + 1][(seed >> 16) % 2],
            lot.species,
            lot.weightGrams,
            seed >> 32,
            seed >> 64,
            seed >> 128
        );
        _ship(s, orderId, dispatch);
        if (_orders[s][orderId - 1].seen != IOrderBook.OrderState.Shipped) return;
        _confirm(s, orderId, seed & 1 == 0, dispatch);
        _acknowledge(s, orderId);
        ++successes["advance"];
    }

    function ship(uint256 orderSeed, bool dispatch) external {
        (bool found, OrderRef memory r) = _orderIn(orderSeed, IOrderBook.OrderState.Ordered);
        if (found) _ship(r.stage, r.orderId, dispatch);
    }

    function confirm(uint256 orderSeed, bool bySeller, bool arrival) external {
        (bool found, OrderRef memory r) = _orderIn(orderSeed, IOrderBook.OrderState.Shipped);
        if (found) _confirm(r.stage, r.orderId, bySeller, arrival);
    }

    /// @dev The buyer acknowledges (at any time); a delivery carrying a recalled lot it rejects instead.
    function acknowledge(uint256 orderSeed) external {
        (bool found, OrderRef memory r) = _orderIn(orderSeed, IOrderBook.OrderState.Delivered);
        if (found) _acknowledge(r.stage, r.orderId);
    }

    /// @dev The buyer rejects a shipped or delivered order; once past the acknowledgement deadline (and with no
    /// recalled lot, which may always be rejected) the seller claims instead.
    function reject(uint256 orderSeed, bool afterDelivery) external {
        (bool found, OrderRef memory r) = _orderIn(
            orderSeed,
            afterDelivery ? IOrderBook.OrderState.Delivered : IOrderBook.OrderState.Shipped
        );
        if (!found) return;
        GhostOrder storage o = _orders[r.stage][r.orderId - 1];
        IOrderBook book = _book(r.stage);
        if (
            o.seen == IOrderBook.OrderState.Delivered &&
            _now() > book.getOrder(r.orderId).deadline &&
            !_anyRecalled(r.stage, o.lots)
        ) {
            _claim(r.stage, r.orderId);
            return;
        }
        vm.prank(o.buyer);
        book.rejectDelivery(r.orderId, o.shipmentNo, o.lots, "quality");
        _done(r.stage, "reject");
    }

    function cancel(uint256 orderSeed, bool byBuyer) external {
        (bool found, OrderRef memory r) = _orderIn(orderSeed, IOrderBook.OrderState.Ordered);
        if (!found) return;
        GhostOrder storage o = _orders[r.stage][r.orderId - 1];
        IOrderBook book = _book(r.stage);
        // The buyer may cancel only after the ship-by deadline; before it the seller declines instead.
        if (byBuyer && _now() <= book.getOrder(r.orderId).deadline) byBuyer = false;
        vm.prank(byBuyer ? o.buyer : o.seller);
        book.cancelOrder(r.orderId);
        _done(r.stage, "cancel");
    }

    /// @dev Past the acknowledgement deadline (warping there if needed) the seller claims; a delivery carrying a
    /// recalled lot the buyer rejects instead, late as it is.
    function claim(uint256 orderSeed) external {
        (bool found, OrderRef memory r) = _orderIn(orderSeed, IOrderBook.OrderState.Delivered);
        if (!found) return;
        uint256 deadline = _book(r.stage).getOrder(r.orderId).deadline;
        if (_now() <= deadline) vm.warp(deadline + 1);
        GhostOrder storage o = _orders[r.stage][r.orderId - 1];
        if (_anyRecalled(r.stage, o.lots)) {
            vm.prank(o.buyer);
            _book(r.stage).rejectDelivery(r.orderId, o.shipmentNo, o.lots, "recalled");
            _done(r.stage, "reject:recalledLate");
            return;
        }
        _claim(r.stage, r.orderId);
    }

    /// @dev Pays out an order that owes something (the seller's price or the buyer's refund) and checks that exactly
    /// the price moved; with nothing owed anywhere, moves a delivered order toward acknowledgement.
    function withdraw(uint256 orderSeed) external {
        uint256 n = _allOrders.length;
        for (uint256 i; i < n; ++i) {
            OrderRef memory r = _allOrders[((orderSeed % n) + i) % n];
            GhostOrder storage o = _orders[r.stage][r.orderId - 1];
            address payee;
            if (o.seen == IOrderBook.OrderState.Acknowledged) payee = o.seller;
            else if (o.seen == IOrderBook.OrderState.Cancelled || o.seen == IOrderBook.OrderState.Rejected) {
                payee = o.buyer;
            } else continue;
            uint256 before = _money(payee);
            vm.prank(payee);
            _book(r.stage).withdraw(r.orderId);
            if (_money(payee) - before != o.price) ++ghostWrongPayouts;
            _paidOut[r.stage] += o.price;
            _done(r.stage, "withdraw");
            return;
        }
        (bool found, OrderRef memory d) = _orderIn(orderSeed, IOrderBook.OrderState.Delivered);
        if (found) _acknowledge(d.stage, d.orderId);
    }

    /// @dev The Manufacturer holding an available lot processes it, with up to two more of its lots of the same
    /// species, each taken wholly or by weight, into one or two products weighing at most what was taken. With
    /// nothing to process, a Supplier's lot is ordered by a Manufacturer instead.
    function process(uint256 lotSeed, uint256 inputSeed, uint256 takeSeed, uint256 yieldSeed, bool split) external {
        (bool found, uint256 first) = _availableAt(lotSeed, 3, false);
        if (!found) {
            _orderLotAt(lotSeed, 2);
            return;
        }
        IStage.Lot memory lot = _stages[3].getLot(first);
        address maker = registry.accountOf(lot.custodianId);
        uint256[] memory inputIds = _sameHolder(3, first, lot, 1 + (inputSeed % 3));

        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](inputIds.length);
        uint40[] memory before = new uint40[](inputIds.length);
        uint256 consumed;
        for (uint256 i; i < inputIds.length; ++i) {
            before[i] = _stages[3].getLot(inputIds[i]).weightGrams;
            uint256 h = uint256(keccak256(abi.encode(takeSeed, i)));
            uint40 grams = h % 3 == 0 ? 0 : uint40(_bound(h >> 8, 1, before[i]));
            inputs[i] = IManufacturer.Input({lotId: inputIds[i], grams: grams});
            consumed += grams == 0 ? before[i] : grams;
        }
        uint256 produced = _bound(yieldSeed, 1, consumed);
        IManufacturer.Output[] memory outputs = _outputs(produced, split);

        _awake(3);
        vm.prank(maker);
        (, uint256[] memory products) = Manufacturer(address(_stages[3])).processLots(inputs, outputs);

        uint256 measuredIn;
        for (uint256 i; i < inputIds.length; ++i) {
            IStage.Lot memory after_ = _stages[3].getLot(inputIds[i]);
            measuredIn += after_.status == IStage.LotStatus.Removed ? before[i] : before[i] - after_.weightGrams;
        }
        uint256 measuredOut;
        for (uint256 i; i < products.length; ++i) {
            uint40 w = _stages[3].getLot(products[i]).weightGrams;
            measuredOut += w;
            _know(products[i], 3, _id[maker]);
            createdWeight[products[i]] = w;
        }
        if (measuredOut > measuredIn) ++ghostProcessViolations;
        ghostConsumed += measuredIn;
        ghostProduced += measuredOut;
        ++ghostProcesses;
        ++successes["process"];
    }

    /// @dev The regulator recalls a lot, mostly at the stage holding it, sometimes at an earlier stage it passed
    /// (the recall then follows it to where it is now), in a batch with another lot recorded at that stage when
    /// there is one.
    function recall(uint256 lotSeed, uint256 whereSeed, uint256 otherSeed) external {
        uint256 n = _lots.length;
        if (n == 0) {
            _newCatch(_actors[1][0], "COD", 1_000 + (lotSeed % 10_000));
            ++successes["registerFish"];
            return;
        }
        uint256 lotId = _lots[lotSeed % n];
        uint8 origin = originOf[lotId];
        uint8 s = ghostStage[lotId];
        if (whereSeed % 4 == 0) s = origin + uint8((whereSeed >> 2) % (s - origin + 1));
        uint256 other = _lots[otherSeed % n];
        uint256[] memory batch;
        if (other != lotId && _stages[s].getLot(other).status != IStage.LotStatus.None) {
            batch = new uint256[](2);
            batch[1] = other;
        } else {
            batch = new uint256[](1);
        }
        batch[0] = lotId;
        for (uint256 i; i < batch.length; ++i) {
            uint8 where = s;
            IStage.Lot memory lot = _stages[s].getLot(batch[i]);
            // A lot that left stage s is recalled where it is now: the recall follows it down the chain.
            if (lot.status == IStage.LotStatus.Supplied) {
                where = ghostStage[batch[i]];
                lot = _stages[where].getLot(batch[i]);
            }
            if (!_recallRecorded[where][batch[i]]) {
                _recallRecorded[where][batch[i]] = true;
                _recalls.push(Recall(where, batch[i], lot.status, lot.weightGrams));
            }
        }
        vm.prank(_regulator);
        _stages[s].recallLots(batch, "REGULATOR");
        ++successes["recall"];
    }

    /// @dev The regulator recalls an input of a product lot at the Manufacturer (a consumed one included) and carries
    /// the recall on to that product with `recallProducts`; the recall follows the product wherever it went.
    function recallProduct(uint256 productSeed) external {
        uint256 n = _lots.length;
        for (uint256 i; i < n; ++i) {
            uint256 product = _lots[((productSeed % n) + i) % n];
            if (originOf[product] != 3) continue;
            uint256 parent = _stages[3].parentsOf(product)[0];
            uint256[] memory batch = new uint256[](1);
            batch[0] = parent;
            _recordRecall(3, parent);
            vm.prank(_regulator);
            _stages[3].recallLots(batch, "INPUT");
            batch[0] = product;
            _recordRecall(3, product);
            vm.prank(_regulator);
            Manufacturer(address(_stages[3])).recallProducts(parent, batch, "INPUT");
            ++successes["recallProduct"];
            return;
        }
    }

    /// @dev The party an order owes (the seller of an acknowledged order, the buyer of a cancelled or rejected one)
    /// is revoked, withdraws what it is owed all the same (exactly the price), and is registered again; with nothing
    /// owed, a buyer revoked while its delivery carries a recalled lot sends it back, and is registered again.
    function revokedSettles(uint256 orderSeed) external {
        uint256 n = _allOrders.length;
        for (uint256 i; i < n; ++i) {
            OrderRef memory r = _allOrders[((orderSeed % n) + i) % n];
            GhostOrder storage o = _orders[r.stage][r.orderId - 1];
            IOrderBook book = _book(r.stage);
            if (o.seen == IOrderBook.OrderState.Acknowledged) {
                _withdrawRevoked(r, o.seller, o.price, r.stage);
            } else if (o.seen == IOrderBook.OrderState.Cancelled || o.seen == IOrderBook.OrderState.Rejected) {
                _withdrawRevoked(r, o.buyer, o.price, r.stage + 1);
            } else if (
                (o.seen == IOrderBook.OrderState.Shipped || o.seen == IOrderBook.OrderState.Delivered) &&
                _anyRecalled(r.stage, o.lots)
            ) {
                _revoke(o.buyer);
                vm.prank(o.buyer);
                book.rejectDelivery(r.orderId, o.shipmentNo, o.lots, "recalled");
                _restore(o.buyer, r.stage + 1);
            } else {
                continue;
            }
            _done(r.stage, "revokedSettles");
            return;
        }
    }

    /// @dev The PAUSER pauses pause target `1 + targetSeed % 7` (a stage, or the quality ledger as 7), or unpauses it
    /// when the handler had paused it.
    function togglePause(uint256 targetSeed) external {
        uint8 t = uint8(1 + (targetSeed % 7));
        bool pause = !ghostPaused[t];
        vm.prank(_pauser);
        if (pause) registry.pause(_pauseTarget(t));
        else registry.unpause(_pauseTarget(t));
        ghostPaused[t] = pause;
        ++successes[pause ? bytes32("pause") : bytes32("unpause")];
    }

    /// @dev Settles an order while its stage, the next stage and the quality ledger are paused (pausing what is not):
    /// the payee of an acknowledged, cancelled or rejected order withdraws exactly the price, a seller claims a
    /// delivery past its deadline (warping there when `late`), a buyer rejects a shipped or delivered one, a seller
    /// declines an unshipped one. With `revoke` the settling party is revoked first (and registered again after),
    /// except a buyer rejecting a delivery with no recalled lot, which needs its role. A refused settlement is counted
    /// (`ghostPausedSettleFailures`), not reverted, so the invariant names it.
    function settleWhilePaused(uint256 orderSeed, bool revoke, bool late) external {
        (bool found, OrderRef memory r) = _unsettled(orderSeed);
        if (!found) return;
        for (uint8 t = r.stage; t <= r.stage + 1; ++t) _pauseIfAwake(t);
        _pauseIfAwake(7);
        GhostOrder storage o = _orders[r.stage][r.orderId - 1];
        IOrderBook book = _book(r.stage);
        IOrderBook.OrderState state = o.seen;
        bool sellerActs = state == IOrderBook.OrderState.Acknowledged || state == IOrderBook.OrderState.Ordered;
        if (state == IOrderBook.OrderState.Delivered) {
            uint256 deadline = book.getOrder(r.orderId).deadline;
            if (late && _now() <= deadline) vm.warp(deadline + 1);
            sellerActs = _now() > deadline && !_anyRecalled(r.stage, o.lots);
        }
        address party = sellerActs ? o.seller : o.buyer;
        bool rejecting =
            !sellerActs && (state == IOrderBook.OrderState.Shipped || state == IOrderBook.OrderState.Delivered);
        revoke = revoke && (!rejecting || _anyRecalled(r.stage, o.lots));
        if (revoke) _revoke(party);
        uint256 before = _money(party);
        vm.prank(party);
        bool ok = _trySettle(book, r.orderId, o, state, sellerActs);
        if (!ok) ++ghostPausedSettleFailures;
        else if (
            state == IOrderBook.OrderState.Acknowledged ||
            state == IOrderBook.OrderState.Cancelled ||
            state == IOrderBook.OrderState.Rejected
        ) {
            if (_money(party) - before != o.price) ++ghostWrongPayouts;
            _paidOut[r.stage] += o.price;
        } else if (state == IOrderBook.OrderState.Delivered && sellerActs) {
            _settled(r.stage, r.orderId);
        }
        if (revoke) _restore(party, sellerActs ? r.stage : r.stage + 1);
        ++ghostPausedSettlements;
        _done(r.stage, "settle:paused");
    }

    /// @dev What `account` holds of the deployment's money: Ether, or the settlement token.
    function _money(address account) private view returns (uint256) {
        return address(token) == address(0) ? account.balance : token.balanceOf(account);
    }

    /// @dev Gives `buyer` `price` more of the deployment's money, approved to `book` when it is a token.
    function _fund(address buyer, IOrderBook book, uint256 price) private {
        if (address(token) == address(0)) {
            vm.deal(buyer, buyer.balance + price);
            return;
        }
        token.mint(buyer, price);
        vm.prank(buyer);
        token.approve(address(book), price);
    }

    /// @dev The pranked buyer's order at `book`, paid in the deployment's money (funded by `_fund`).
    function _placeOrder(
        IOrderBook book,
        address seller,
        bytes3 code,
        uint40 grams,
        uint40 shipBy,
        uint32 window,
        uint256 price
    ) private returns (uint256) {
        if (address(token) == address(0)) return book.placeOrder{value: price}(seller, code, grams, shipBy, window);
        return book.placeOrderWithPermit(seller, code, grams, shipBy, window, price, 0, 0, 0, 0);
    }

    /// @dev Tries, at a stage the handler paused, a business call that must revert: a buyer's order to it.
    function roguePaused(uint256 stageSeed) external {
        for (uint8 i; i < 5; ++i) {
            uint8 s = uint8(1 + (((stageSeed % 5) + i) % 5));
            if (!ghostPaused[s]) continue;
            address buyer = _actors[s + 1][stageSeed % 2];
            _fund(buyer, _book(s), 1);
            vm.prank(buyer);
            if (address(token) == address(0)) {
                try _book(s).placeOrder{value: 1}(_actors[s][0], _species[0], 1, uint40(_now() + 1 days), 1 days) {
                    ++ghostRogueSuccesses;
                } catch {}
            } else {
                try
                    _book(s).placeOrderWithPermit(
                        _actors[s][0],
                        _species[0],
                        1,
                        uint40(_now() + 1 days),
                        1 days,
                        1,
                        0,
                        0,
                        0,
                        0
                    )
                {
                    ++ghostRogueSuccesses;
                } catch {}
            }
            ++successes["rogue:paused"];
            return;
        }
    }

    function warp(uint256 secondsForward) external {
        vm.warp(_now() + _bound(secondsForward, 0, 3 days));
        ++successes["warp"];
    }

    /// @dev Tries to move a lot recalled where it stands: ship it on a fresh order, process it at the Manufacturer,
    /// or acknowledge or claim the delivery carrying it. Every attempt must revert.
    function rogueMoveRecalled(uint256 recallSeed, uint256 buyerSeed) external {
        uint256 n = _recalls.length;
        if (n == 0) return;
        Recall memory r = _recalls[recallSeed % n];
        IStage.Lot memory lot = _stages[r.stage].getLot(r.lotId);
        if (lot.status == IStage.LotStatus.Created && r.stage <= 5) {
            address holder = registry.accountOf(lot.custodianId);
            uint256 orderId = _place(r.stage, holder, _actors[r.stage + 1][buyerSeed % 2], lot.species, 1, 1, 1, 1);
            uint256[] memory lotIds = new uint256[](1);
            lotIds[0] = r.lotId;
            uint64 shipmentNo = _nextShipmentNo++;
            vm.prank(holder);
            try _book(r.stage).initiateShipment(orderId, shipmentNo, lotIds) {
                ++ghostRogueSuccesses;
                _orders[r.stage][orderId - 1].shipmentNo = shipmentNo;
                _orders[r.stage][orderId - 1].lots = lotIds;
            } catch {}
            _done(r.stage, "rogue:shipRecalled");
            if (r.stage == 3) {
                IManufacturer.Input[] memory inputs = new IManufacturer.Input[](1);
                inputs[0] = IManufacturer.Input({lotId: r.lotId, grams: 0});
                vm.prank(holder);
                try Manufacturer(address(_stages[3])).processLots(inputs, _outputs(1, false)) {
                    ++ghostRogueSuccesses;
                } catch {}
                ++successes["rogue:processRecalled"];
            }
        } else if (lot.status == IStage.LotStatus.Shipped) {
            (bool found, uint256 orderId) = _openOrderOf(r.stage, r.lotId);
            if (!found) return;
            GhostOrder storage o = _orders[r.stage][orderId - 1];
            IOrderBook book = _book(r.stage);
            if (o.seen == IOrderBook.OrderState.Shipped) _confirm(r.stage, orderId, false, false);
            vm.prank(o.buyer);
            try book.acknowledge(orderId, o.shipmentNo, o.lots) {
                ++ghostRogueSuccesses;
                _settled(r.stage, orderId);
            } catch {}
            _done(r.stage, "rogue:ackRecalled");
            uint256 deadline = book.getOrder(orderId).deadline;
            if (o.seen == IOrderBook.OrderState.Delivered) {
                if (_now() <= deadline) vm.warp(deadline + 1);
                vm.prank(o.seller);
                try book.claimPayment(orderId, o.shipmentNo, o.lots) {
                    ++ghostRogueSuccesses;
                    _settled(r.stage, orderId);
                } catch {}
                _done(r.stage, "rogue:claimRecalled");
            }
        }
    }

    /// @dev Tries to make products heavier than what is taken: must revert.
    function rogueProcess(uint256 lotSeed, uint256 excess, bool split) external {
        (bool found, uint256 lotId) = _availableAt(lotSeed, 3, false);
        if (!found) return;
        IStage.Lot memory lot = _stages[3].getLot(lotId);
        IManufacturer.Input[] memory inputs = new IManufacturer.Input[](1);
        uint40 grams = uint40(_bound(excess >> 128, 0, lot.weightGrams));
        inputs[0] = IManufacturer.Input({lotId: lotId, grams: grams});
        uint256 produced = (grams == 0 ? lot.weightGrams : grams) + _bound(excess, 1, 1_000);
        _awake(3); // refused for its weight, not for a pause
        vm.prank(registry.accountOf(lot.custodianId));
        try Manufacturer(address(_stages[3])).processLots(inputs, _outputs(produced, split)) {
            ++ghostRogueSuccesses;
        } catch {}
        ++successes["rogue:massBalance"];
    }

    // ------------------------------------------------------------------ ghost state for the invariants

    function lotCount() external view returns (uint256) {
        return _lots.length;
    }

    function lotAt(uint256 i) external view returns (uint256) {
        return _lots[i];
    }

    function orderCount(uint8 s) external view returns (uint256) {
        return _orders[s].length;
    }

    function ghostOrder(uint8 s, uint256 orderId) external view returns (GhostOrder memory) {
        return _orders[s][orderId - 1];
    }

    function edgeCount() external view returns (uint256) {
        return _edges.length;
    }

    function edge(uint256 i) external view returns (Edge memory) {
        return _edges[i];
    }

    function recallCount() external view returns (uint256) {
        return _recalls.length;
    }

    function recallAt(uint256 i) external view returns (Recall memory) {
        return _recalls[i];
    }

    function deposited(uint8 s) external view returns (uint256) {
        return _deposited[s];
    }

    function paidOut(uint8 s) external view returns (uint256) {
        return _paidOut[s];
    }

    function species() external view returns (bytes3[] memory) {
        return _species;
    }

    /// @notice The actions the invariant fuzzer may call.
    function selectors() external pure returns (bytes4[] memory s) {
        s = new bytes4[](21);
        s[0] = this.registerFish.selector;
        s[1] = this.placeOrder.selector;
        s[2] = this.ship.selector;
        s[3] = this.confirm.selector;
        s[4] = this.acknowledge.selector;
        s[5] = this.reject.selector;
        s[6] = this.cancel.selector;
        s[7] = this.claim.selector;
        s[8] = this.withdraw.selector;
        s[9] = this.process.selector;
        s[10] = this.recall.selector;
        s[11] = this.warp.selector;
        s[12] = this.rogueMoveRecalled.selector;
        s[13] = this.rogueProcess.selector;
        s[14] = this.advance.selector;
        s[15] = this.recallProduct.selector;
        s[16] = this.revokedSettles.selector;
        s[17] = this.togglePause.selector;
        s[18] = this.settleWhilePaused.selector;
        s[19] = this.roguePaused.selector;
        s[20] = this.registerFishBatch.selector;
    }

    // ------------------------------------------------------------------ internals: orders

    function _newOrder(
        uint256 lotSeed,
        uint256 buyerSeed,
        uint256 grams,
        uint256 price,
        uint256 shipByDelta,
        uint256 ackWindow
    ) private {
        (bool found, uint256 lotId) = _availableUpTo(lotSeed, 5, lotSeed % 2 == 0);
        if (!found) {
            address harvester = _actors[1][lotSeed % 2];
            uint8 s1 = 1;
            _place(
                s1,
                harvester,
                _actors[2][buyerSeed % 2],
                _species[(lotSeed >> 8) % 2],
                _bound(grams, 1, 60_000),
                price,
                shipByDelta,
                ackWindow
            );
            return;
        }
        uint8 s = ghostStage[lotId];
        IStage.Lot memory lot = _stages[s].getLot(lotId);
        _place(
            s,
            registry.accountOf(lot.custodianId),
            _actors[s + 1][buyerSeed % 2],
            lot.species,
            _bound(grams, 1, lot.weightGrams),
            price,
            shipByDelta,
            ackWindow
        );
    }

    /// @dev A Manufacturer orders an available lot of stage `s`'s (when there is one).
    function _orderLotAt(uint256 seed, uint8 s) private {
        (bool found, uint256 lotId) = _availableAt(seed, s, false);
        if (!found) return;
        IStage.Lot memory lot = _stages[s].getLot(lotId);
        _place(
            s,
            registry.accountOf(lot.custodianId),
            _actors[s + 1][seed % 2],
            lot.species,
            lot.weightGrams,
            seed,
            seed >> 64,
            seed >> 128
        );
    }

    function _place(
        uint8 s,
        address seller,
        address buyer,
        bytes3 code,
        uint256 grams,
        uint256 price,
        uint256 shipByDelta,
        uint256 ackWindow
    ) private returns (uint256 orderId) {
        _awake(s);
        uint96 p = uint96(_bound(price, 1, 1_000 ether));
        uint40 shipBy = uint40(_now() + _bound(shipByDelta, 1 hours, 7 days));
        uint32 window = uint32(_bound(ackWindow, 1 hours, 3 days));
        _fund(buyer, _book(s), p);
        vm.prank(buyer);
        orderId = _placeOrder(_book(s), seller, code, uint40(grams), shipBy, window, p);

        require(orderId == _orders[s].length + 1, "order ids not sequential");
        GhostOrder storage o = _orders[s].push();
        o.seller = seller;
        o.buyer = buyer;
        o.species = code;
        o.grams = uint40(grams);
        o.price = p;
        o.seen = IOrderBook.OrderState.Ordered;
        _allOrders.push(OrderRef(s, orderId));
        _edges.push(Edge(s, orderId, IOrderBook.OrderState.None, _book(s).getOrder(orderId).state));
        _deposited[s] += p;
        ++successes["placeOrder"];
    }

    /// @dev Ships the seller's available lots of the ordered species. Short of weight, the Harvester tops up with a
    /// fresh catch and a later seller declines the order; past the ship-by time the buyer cancels instead.
    function _ship(uint8 s, uint256 orderId, bool dispatch) private {
        GhostOrder storage o = _orders[s][orderId - 1];
        IOrderBook book = _book(s);
        if (_now() > book.getOrder(orderId).deadline) {
            vm.prank(o.buyer);
            book.cancelOrder(orderId);
            _done(s, "cancel:late");
            return;
        }
        uint32 sellerId = _id[o.seller];
        uint256 n = _lots.length;
        uint256[] memory picked = new uint256[](n + 1);
        uint256 count;
        uint256 total;
        for (uint256 i; i < n && total < o.grams; ++i) {
            uint256 lotId = _lots[i];
            if (ghostStage[lotId] != s) continue;
            IStage.Lot memory lot = _stages[s].getLot(lotId);
            if (
                lot.status == IStage.LotStatus.Created &&
                lot.custodianId == sellerId &&
                lot.species == o.species &&
                lot.flags & LotFlags.RECALLED == 0
            ) {
                picked[count++] = lotId;
                total += lot.weightGrams;
            }
        }
        if (total < o.grams) {
            if (s != 1) {
                vm.prank(o.seller);
                book.cancelOrder(orderId);
                _done(s, "cancel:short");
                return;
            }
            picked[count++] = _newCatch(o.seller, o.species, o.grams - total);
        }
        uint256[] memory lotIds = new uint256[](count);
        for (uint256 i; i < count; ++i) lotIds[i] = picked[i];
        uint64 shipmentNo = _nextShipmentNo++;
        _awake(s);
        vm.prank(o.seller);
        if (s == 4 && dispatch) {
            Distributor(address(_stages[4])).dispatch(
                orderId,
                shipmentNo,
                lotIds,
                IDistributor.Route("GLN-A", "GLN-B", IDistributor.TransportMode.Sea, "IMO9241061")
            );
        } else {
            book.initiateShipment(orderId, shipmentNo, lotIds);
        }
        o.shipmentNo = shipmentNo;
        o.lots = lotIds;
        _done(s, "ship");
    }

    function _confirm(uint8 s, uint256 orderId, bool bySeller, bool arrival) private {
        GhostOrder storage o = _orders[s][orderId - 1];
        _awake(s);
        vm.prank(bySeller ? o.seller : o.buyer);
        if (s == 4 && arrival) Distributor(address(_stages[4])).confirmArrival(orderId, "GLN-B");
        else _book(s).confirmDelivery(orderId);
        _done(s, "confirm");
    }

    function _acknowledge(uint8 s, uint256 orderId) private {
        GhostOrder storage o = _orders[s][orderId - 1];
        bool recalled = _anyRecalled(s, o.lots);
        if (!recalled) _awake(s); // a rejection is never paused
        vm.prank(o.buyer);
        if (recalled) {
            _book(s).rejectDelivery(orderId, o.shipmentNo, o.lots, "recalled");
            _done(s, "reject:recalled");
            return;
        }
        _book(s).acknowledge(orderId, o.shipmentNo, o.lots);
        _settled(s, orderId);
        _done(s, "acknowledge");
    }

    function _claim(uint8 s, uint256 orderId) private {
        GhostOrder storage o = _orders[s][orderId - 1];
        vm.prank(o.seller);
        _book(s).claimPayment(orderId, o.shipmentNo, o.lots);
        _settled(s, orderId);
        _done(s, "claim");
    }

    /// @dev The ghost side of a settlement: the order's lots now stand at the next stage, held by its buyer.
    function _settled(uint8 s, uint256 orderId) private {
        GhostOrder storage o = _orders[s][orderId - 1];
        uint32 buyerId = _id[o.buyer];
        for (uint256 i; i < o.lots.length; ++i) {
            ghostStage[o.lots[i]] = s + 1;
            ghostHolder[o.lots[i]][s + 1] = buyerId;
        }
    }

    /// @dev An order in `state` picked by `seed` across all books. When there is none, moves an order one step
    /// toward `state` instead (confirms a shipped order, ships an ordered one, or places a new one).
    function _orderIn(uint256 seed, IOrderBook.OrderState state) private returns (bool, OrderRef memory) {
        (bool found, OrderRef memory r) = _pickOrder(seed, state);
        if (found) return (true, r);
        if (state == IOrderBook.OrderState.Delivered) {
            (found, r) = _pickOrder(seed, IOrderBook.OrderState.Shipped);
            if (found) {
                _confirm(r.stage, r.orderId, seed & 1 == 0, seed & 2 == 0);
                return (false, r);
            }
            state = IOrderBook.OrderState.Shipped;
        }
        if (state == IOrderBook.OrderState.Shipped) {
            (found, r) = _pickOrder(seed, IOrderBook.OrderState.Ordered);
            if (found) {
                _ship(r.stage, r.orderId, seed & 4 == 0);
                return (false, r);
            }
        }
        uint256 h = uint256(keccak256(abi.encode(seed, _allOrders.length)));
        _newOrder(h, h >> 8, h >> 16, h >> 64, h >> 128, h >> 192);
        return (false, r);
    }

    function _pickOrder(uint256 seed, IOrderBook.OrderState state) private view returns (bool, OrderRef memory r) {
        uint256 n = _allOrders.length;
        for (uint256 i; i < n; ++i) {
            r = _allOrders[((seed % n) + i) % n];
            if (_orders[r.stage][r.orderId - 1].seen == state) return (true, r);
        }
        return (false, r);
    }

    /// @dev The open (shipped or delivered) order of stage `s` carrying `lotId`.
    function _openOrderOf(uint8 s, uint256 lotId) private view returns (bool, uint256) {
        GhostOrder[] storage orders = _orders[s];
        for (uint256 id = 1; id <= orders.length; ++id) {
            GhostOrder storage o = orders[id - 1];
            if (o.seen != IOrderBook.OrderState.Shipped && o.seen != IOrderBook.OrderState.Delivered) continue;
            for (uint256 i; i < o.lots.length; ++i) {
                if (o.lots[i] == lotId) return (true, id);
            }
        }
        return (false, 0);
    }

    /// @dev Records the state change of every order of stage `s` since the last action, then counts the action.
    /// (An action changes the orders of its own book only; the invariants check that no other order changed.)
    function _done(uint8 s, bytes32 action) private {
        GhostOrder[] storage orders = _orders[s];
        IOrderBook book = _book(s);
        for (uint256 id = 1; id <= orders.length; ++id) {
            GhostOrder storage o = orders[id - 1];
            IOrderBook.OrderState state = book.getOrder(id).state;
            if (state != o.seen) {
                _edges.push(Edge(s, id, o.seen, state));
                o.seen = state;
            }
        }
        ++successes[action];
    }

    // ------------------------------------------------------------------ internals: lots

    function _newCatch(address by, bytes3 code, uint256 grams) private returns (uint256 lotId) {
        _awake(1);
        vm.prank(by);
        lotId = Harvester(address(_stages[1])).registerFish(_catchOf(code, grams));
        _know(lotId, 1, _id[by]);
    }

    function _catchOf(bytes3 code, uint256 grams) private view returns (IHarvester.Catch memory) {
        return catchOf(code, uint40(grams), uint40(_now()), grams % 2 == 0, grams % 3 == 0);
    }

    function _know(uint256 lotId, uint8 origin, uint32 holderId) private {
        require(indexOf[lotId] == 0, "lot known already");
        _lots.push(lotId);
        indexOf[lotId] = _lots.length;
        originOf[lotId] = origin;
        ghostStage[lotId] = origin;
        ghostHolder[lotId][origin] = holderId;
    }

    /// @dev An available (created, not recalled) lot at stage `s`, picked by `seed`.
    function _availableAt(uint256 seed, uint8 s, bool deepest) private view returns (bool, uint256) {
        return _available(seed, s, s, deepest);
    }

    /// @dev An available lot at any stage up to `maxStage`: picked by `seed`, or the one furthest down the chain.
    function _availableUpTo(uint256 seed, uint8 maxStage, bool deepest) private view returns (bool, uint256) {
        return _available(seed, 1, maxStage, deepest);
    }

    function _available(
        uint256 seed,
        uint8 minStage,
        uint8 maxStage,
        bool deepest
    ) private view returns (bool, uint256) {
        uint256 n = _lots.length;
        bool found;
        uint256 best;
        uint8 bestStage;
        for (uint256 i; i < n; ++i) {
            uint256 lotId = _lots[((seed % (n == 0 ? 1 : n)) + i) % n];
            uint8 s = ghostStage[lotId];
            if (s < minStage || s > maxStage || (found && s <= bestStage)) continue;
            IStage.Lot memory lot = _stages[s].getLot(lotId);
            if (lot.status != IStage.LotStatus.Created || lot.flags & LotFlags.RECALLED != 0) continue;
            if (!deepest) return (true, lotId);
            (found, best, bestStage) = (true, lotId, s);
        }
        return (found, best);
    }

    /// @dev `first` and up to `max - 1` other available lots of stage `s` held by the same actor, of the same species.
    function _sameHolder(
        uint8 s,
        uint256 first,
        IStage.Lot memory lot,
        uint256 max
    ) private view returns (uint256[] memory ids) {
        uint256[] memory picked = new uint256[](max);
        picked[0] = first;
        uint256 count = 1;
        for (uint256 i; i < _lots.length && count < max; ++i) {
            uint256 lotId = _lots[i];
            if (lotId == first || ghostStage[lotId] != s) continue;
            IStage.Lot memory other = _stages[s].getLot(lotId);
            if (
                other.status == IStage.LotStatus.Created &&
                other.custodianId == lot.custodianId &&
                other.species == lot.species &&
                other.flags & LotFlags.RECALLED == 0
            ) picked[count++] = lotId;
        }
        ids = new uint256[](count);
        for (uint256 i; i < count; ++i) ids[i] = picked[i];
    }

    /// @dev Records the recall of `lotId` made at stage `s`, where the lot is now (a recall follows a lot supplied on).
    function _recordRecall(uint8 s, uint256 lotId) private {
        uint8 where = s;
        IStage.Lot memory lot = _stages[s].getLot(lotId);
        if (lot.status == IStage.LotStatus.Supplied) {
            where = ghostStage[lotId];
            lot = _stages[where].getLot(lotId);
        }
        if (lot.flags & LotFlags.RECALLED != 0 || _recallRecorded[where][lotId]) return;
        _recallRecorded[where][lotId] = true;
        _recalls.push(Recall(where, lotId, lot.status, lot.weightGrams));
    }

    function _revoke(address account) private {
        vm.prank(_admin);
        registry.revokeParticipant(account);
    }

    /// @dev Registers `account` again as the actor of stage `s` (its participant id stays).
    function _restore(address account, uint8 s) private {
        vm.prank(_admin);
        registry.registerParticipant(account, Roles.roleOf(Roles.actorBit(s)), "name", "location");
    }

    /// @dev `party` (the actor of stage `actorStage`) is revoked, withdraws what order `r` owes it (counted wrong
    /// unless exactly `price`), and is registered again.
    function _withdrawRevoked(OrderRef memory r, address party, uint256 price, uint8 actorStage) private {
        _revoke(party);
        uint256 before = _money(party);
        vm.prank(party);
        _book(r.stage).withdraw(r.orderId);
        if (_money(party) - before != price) ++ghostWrongPayouts;
        _paidOut[r.stage] += price;
        _restore(party, actorStage);
    }

    function _anyRecalled(uint8 s, uint256[] storage lotIds) private view returns (bool) {
        for (uint256 i; i < lotIds.length; ++i) {
            if (_stages[s].getLot(lotIds[i]).flags & LotFlags.RECALLED != 0) return true;
        }
        return false;
    }

    /// @dev One or (when `split` and there is weight enough) two outputs with fresh lot numbers, weighing `produced`.
    function _outputs(uint256 produced, bool split) private returns (IManufacturer.Output[] memory outputs) {
        uint256 parts = split && produced >= 2 ? 2 : 1;
        outputs = new IManufacturer.Output[](parts);
        uint256 first = parts == 2 ? produced / 2 : produced;
        outputs[0] = IManufacturer.Output(GTIN, bytes20(_nextLotNumber++), uint40(first), split);
        if (parts == 2)
            outputs[1] = IManufacturer.Output(GTIN, bytes20(_nextLotNumber++), uint40(produced - first), false);
    }

    // ------------------------------------------------------------------ internals: pauses

    /// @dev Pause target `t`: stage `t` (1-6), or the quality ledger (7).
    function _pauseTarget(uint8 t) private view returns (address) {
        return t == 7 ? _ledger : address(_stages[t]);
    }

    function _pauseIfAwake(uint8 t) private {
        if (ghostPaused[t]) return;
        vm.prank(_pauser);
        registry.pause(_pauseTarget(t));
        ghostPaused[t] = true;
        ++successes["pause"];
    }

    /// @dev Unpauses stage `s` before one of its business functions is called.
    function _awake(uint8 s) private {
        if (!ghostPaused[s]) return;
        vm.prank(_pauser);
        registry.unpause(_pauseTarget(s));
        ghostPaused[s] = false;
        ++successes["unpause:awake"];
    }

    /// @dev An order not yet paid out or refunded, picked by `seed`.
    function _unsettled(uint256 seed) private view returns (bool, OrderRef memory r) {
        uint256 n = _allOrders.length;
        for (uint256 i; i < n; ++i) {
            r = _allOrders[((seed % n) + i) % n];
            IOrderBook.OrderState state = _orders[r.stage][r.orderId - 1].seen;
            if (state != IOrderBook.OrderState.Paid && state != IOrderBook.OrderState.Refunded) return (true, r);
        }
        return (false, r);
    }

    /// @dev The settlement of `orderId` in `state`, by its seller (`sellerActs`) or buyer, the caller pranked already.
    function _trySettle(
        IOrderBook book,
        uint256 orderId,
        GhostOrder storage o,
        IOrderBook.OrderState state,
        bool sellerActs
    ) private returns (bool) {
        if (
            state == IOrderBook.OrderState.Acknowledged ||
            state == IOrderBook.OrderState.Cancelled ||
            state == IOrderBook.OrderState.Rejected
        ) {
            try book.withdraw(orderId) {
                return true;
            } catch {
                return false;
            }
        }
        if (state == IOrderBook.OrderState.Ordered) {
            try book.cancelOrder(orderId) {
                return true;
            } catch {
                return false;
            }
        }
        if (sellerActs) {
            try book.claimPayment(orderId, o.shipmentNo, o.lots) {
                return true;
            } catch {
                return false;
            }
        }
        try book.rejectDelivery(orderId, o.shipmentNo, o.lots, "paused") {
            return true;
        } catch {
            return false;
        }
    }

    function _book(uint8 s) private view returns (IOrderBook) {
        return IOrderBook(address(_stages[s]));
    }

    function _now() private view returns (uint256) {
        return vm.getBlockTimestamp();
    }

    function _bound(uint256 x, uint256 min, uint256 max) private pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}

// solhint-enable foundry-test-function-naming

/// @notice Invariants of the whole system, Harvester to Customer, under random sequences of the handler's actions:
/// escrow solvency of every selling contract, a single current custodian for every lot, only allowed order state
/// transitions, mass balance at the Manufacturer, no movement of recalled lots, and inventory totals that match the
/// lots.
/// @dev Every invariant runs with `invariant.failOnRevert = true`: the handler makes only valid moves (its rogue
/// actions catch their own reverts), so a handler call that reverts is itself a failure, either a handler bug or a
/// valid action the contracts refused.
contract SystemInvariantsTest is FishTraceTest {
    ChainHandler private handler;
    mapping(uint8 stage => mapping(uint32 id => bool)) private isActorOf;

    function setUp() public virtual {
        _deployWithParticipants();
        IStage[6] memory stages;
        address[2][6] memory actors;
        for (uint8 s = 1; s <= 6; ++s) {
            stages[s - 1] = _stage(s);
            actors[s - 1] = [_actor(s, 0), _actor(s, 1)];
            isActorOf[s][_idOf(_actor(s, 0))] = true;
            isActorOf[s][_idOf(_actor(s, 1))] = true;
        }
        address pauser = makeAddr("pauser");
        _register(pauser, Roles.PAUSER);
        handler = new ChainHandler(
            registry,
            stages,
            actors,
            regulator,
            admin,
            pauser,
            address(ledger),
            TestToken(settlementToken)
        );
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: handler.selectors()}));
    }

    /* solhint-disable no-console */
    /// @notice After each run, logs what the handler did (shown with `-vvvv`): how often each action took place, how
    /// far lots got, and how many orders, recalls and processes the run made.
    function afterInvariant() public view {
        string[30] memory actions = [
            "registerFish",
            "registerFishBatch",
            "placeOrder",
            "ship",
            "confirm",
            "acknowledge",
            "reject",
            "reject:recalled",
            "reject:recalledLate",
            "cancel",
            "cancel:late",
            "cancel:short",
            "claim",
            "withdraw",
            "process",
            "recall",
            "warp",
            "rogue:shipRecalled",
            "rogue:processRecalled",
            "rogue:ackRecalled",
            "rogue:claimRecalled",
            "rogue:massBalance",
            "advance",
            "recallProduct",
            "revokedSettles",
            "pause",
            "unpause",
            "unpause:awake",
            "settle:paused",
            "rogue:paused"
        ];
        for (uint256 i; i < actions.length; ++i) {
            console.log(actions[i], handler.successes(bytes32(bytes(actions[i]))));
        }
        uint256[7] memory held;
        uint256 lots = handler.lotCount();
        for (uint256 i; i < lots; ++i) ++held[handler.ghostStage(handler.lotAt(i))];
        for (uint8 s = 1; s <= 6; ++s) console.log(_stageName(s), "holds lots:", held[s]);
        console.log("lots", lots, "recalls", handler.recallCount());
        console.log("edges", handler.edgeCount(), "processes", handler.ghostProcesses());
    }
    /* solhint-enable no-console */

    // ------------------------------------------------------------------ invariants

    /// @notice Every selling contract holds at least what it owes and owes exactly the prices of its orders not yet
    /// paid out or refunded; every withdrawal moved exactly its order's price.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_escrowSolventEverySeller() public view {
        for (uint8 s = 1; s <= 5; ++s) {
            IOrderBook book = _book(s);
            uint256 n = book.orderCount();
            assertEq(n, handler.orderCount(s), string.concat(_stageName(s), ": order count"));
            uint256 owed;
            for (uint256 id = 1; id <= n; ++id) {
                IOrderBook.Order memory o = book.getOrder(id);
                if (o.state != IOrderBook.OrderState.Paid && o.state != IOrderBook.OrderState.Refunded) owed += o.price;
            }
            uint256 escrow = book.escrowBalance();
            assertGe(_money(address(book)), escrow, string.concat(_stageName(s), ": balance covers escrow"));
            assertEq(escrow, owed, string.concat(_stageName(s), ": escrow equals unpaid prices"));
            assertEq(
                escrow + handler.paidOut(s),
                handler.deposited(s),
                string.concat(_stageName(s), ": escrow plus payouts equals deposits")
            );
        }
        assertEq(_money(address(customer)), 0, "the Customer stage holds no money");
        assertEq(handler.ghostWrongPayouts(), 0, "payouts of exactly the price");
    }

    /// @notice Every lot the handler knows has exactly one current holder: walking the chain from the stage it
    /// entered at, it is `Supplied` at every stage it passed, then `Created` or `Shipped` at exactly one stage (or
    /// `Removed` there, consumed by a process, with no holder at all), and unknown at every later stage. At each
    /// stage its record names the actor who registered, made or received it there, an actor of that stage; it is
    /// `Shipped` exactly when one open order of that stage carries it. The handler's own bookkeeping agrees.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_singleCustodian() public view {
        uint256 lots = handler.lotCount();
        uint256[] memory openIn = new uint256[](lots);
        uint8[] memory openAt = new uint8[](lots);
        for (uint8 s = 1; s <= 5; ++s) {
            uint256 n = _book(s).orderCount();
            for (uint256 id = 1; id <= n; ++id) {
                IOrderBook.OrderState state = _book(s).getOrder(id).state;
                if (state != IOrderBook.OrderState.Shipped && state != IOrderBook.OrderState.Delivered) continue;
                uint256[] memory shipped = handler.ghostOrder(s, id).lots;
                for (uint256 i; i < shipped.length; ++i) {
                    uint256 index = handler.indexOf(shipped[i]);
                    assertTrue(index != 0, "shipped lot known");
                    ++openIn[index - 1];
                    openAt[index - 1] = s;
                }
            }
        }

        for (uint256 i; i < lots; ++i) {
            uint256 lotId = handler.lotAt(i);
            uint8 origin = handler.originOf(lotId);
            for (uint8 s = 1; s < origin; ++s) {
                assertEq(uint256(_stage(s).getLot(lotId).status), 0, "unknown before it was made");
            }
            uint8 holderStage;
            uint256 holders;
            for (uint8 s = origin; s <= 6; ++s) {
                IStage.Lot memory lot = _stage(s).getLot(lotId);
                if (holderStage != 0) {
                    assertEq(uint256(lot.status), 0, "unknown past its holder");
                    continue;
                }
                assertTrue(lot.status != IStage.LotStatus.None, "present at every stage it was handed to");
                assertEq(lot.custodianId, handler.ghostHolder(lotId, s), "custodian of record");
                assertTrue(isActorOf[s][lot.custodianId], "custodian is an actor of the stage");
                if (lot.status == IStage.LotStatus.Supplied) continue;
                holderStage = s;
                if (lot.status != IStage.LotStatus.Removed) ++holders;
                assertEq(openIn[i], lot.status == IStage.LotStatus.Shipped ? 1 : 0, "shipped in one open order");
                if (lot.status == IStage.LotStatus.Shipped) assertEq(openAt[i], s, "shipped from where it is");
            }
            assertTrue(holderStage != 0, "held somewhere");
            assertLe(holders, 1, "at most one holder");
            IStage.LotStatus status = _stage(holderStage).getLot(lotId).status;
            assertEq(holders, status == IStage.LotStatus.Removed ? 0 : 1, "one holder unless consumed");
            assertTrue(status != IStage.LotStatus.Removed || holderStage == 3, "only processing consumes");
            assertEq(holderStage, handler.ghostStage(lotId), "where the handler put it");
        }
        assertEq(handler.ghostRogueSuccesses(), 0, "no rogue call succeeded");
    }

    /// @notice Every observed order state change, in every book, is an edge of the state chart (`OrderStates`), and
    /// nothing changed unobserved.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_onlyAllowedTransitions() public view {
        uint256 n = handler.edgeCount();
        for (uint256 i; i < n; ++i) {
            ChainHandler.Edge memory e = handler.edge(i);
            assertTrue(OrderStates.allowed(e.from, e.to), _describe(e));
        }
        for (uint8 s = 1; s <= 5; ++s) {
            uint256 orders = handler.orderCount(s);
            for (uint256 id = 1; id <= orders; ++id) {
                assertEq(
                    uint256(_book(s).getOrder(id).state),
                    uint256(handler.ghostOrder(s, id).seen),
                    string.concat(_stageName(s), ": state observed")
                );
            }
        }
    }

    /// @notice At the Manufacturer the products weigh at most what was consumed, in every process and in total.
    /// Consumption is read off the chain: what each lot weighed on arrival (at the Supplier's hand-over, or when
    /// made) minus what is left of it (nothing once removed).
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_massBalance() public view {
        uint256 lots = handler.lotCount();
        uint256 produced;
        uint256 consumed;
        for (uint256 i; i < lots; ++i) {
            uint256 lotId = handler.lotAt(i);
            uint8 origin = handler.originOf(lotId);
            if (origin > 3 || handler.ghostStage(lotId) < 3) continue;
            uint256 arrived;
            if (origin == 3) {
                arrived = handler.createdWeight(lotId);
                produced += arrived;
            } else {
                arrived = supplier.getLot(lotId).weightGrams;
            }
            IStage.Lot memory lot = manufacturer.getLot(lotId);
            uint256 left = lot.status == IStage.LotStatus.Removed ? 0 : lot.weightGrams;
            assertLe(left, arrived, "a lot only loses weight at the Manufacturer");
            consumed += arrived - left;
        }
        assertEq(produced, handler.ghostProduced(), "produced");
        assertEq(consumed, handler.ghostConsumed(), "consumed as measured by each process");
        assertLe(produced, consumed, "total product grams within total consumed grams");
        assertEq(handler.ghostProcessViolations(), 0, "every process within its own inputs");
        assertEq(manufacturer.processCount(), handler.ghostProcesses(), "process count");
    }

    /// @notice A lot recalled at a stage where it had not been supplied on never moves again: it is never supplied
    /// there, never reaches a later stage, keeps its weight (is not processed) and stays recalled.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_noRecalledLotMoves() public view {
        uint256 n = handler.recallCount();
        for (uint256 i; i < n; ++i) {
            ChainHandler.Recall memory r = handler.recallAt(i);
            IStage.Lot memory lot = _stage(r.stage).getLot(r.lotId);
            assertTrue(lot.flags & LotFlags.RECALLED != 0, "stays recalled");
            assertTrue(lot.status != IStage.LotStatus.Supplied, "recalled lot never supplied on");
            assertEq(lot.weightGrams, r.weightGrams, "recalled lot never processed");
            if (r.status != IStage.LotStatus.Removed) {
                assertTrue(lot.status != IStage.LotStatus.Removed, "recalled lot never consumed");
            }
            for (uint8 s = r.stage + 1; s <= 6; ++s) {
                assertEq(uint256(_stage(s).getLot(r.lotId).status), 0, "recalled lot never reaches a later stage");
            }
        }
        assertEq(handler.ghostRogueSuccesses(), 0, "no attempt to move a recalled lot succeeded");
    }

    /// @notice At every stage and for every species, the available and supplied totals equal the sums over the lots
    /// there that are `Created` and `Supplied`, partly consumed lots counted at what is left of them.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_inventoryTotalsMatch() public view {
        bytes3[] memory codes = handler.species();
        uint256 lots = handler.lotCount();
        for (uint8 s = 1; s <= 6; ++s) {
            // Per species: available lots, grams; supplied lots, grams.
            uint256[4][] memory sums = new uint256[4][](codes.length);
            for (uint256 i; i < lots; ++i) {
                IStage.Lot memory lot = _stage(s).getLot(handler.lotAt(i));
                uint256 c;
                while (c < codes.length && codes[c] != lot.species) ++c;
                if (c == codes.length) {
                    assertEq(uint256(lot.status), 0, "a lot of a species the handler never used");
                    continue;
                }
                if (lot.status == IStage.LotStatus.Created) {
                    ++sums[c][0];
                    sums[c][1] += lot.weightGrams;
                } else if (lot.status == IStage.LotStatus.Supplied) {
                    ++sums[c][2];
                    sums[c][3] += lot.weightGrams;
                }
            }
            for (uint256 c; c < codes.length; ++c) {
                IStage.Totals memory available = _stage(s).totalAvailableFish(codes[c]);
                IStage.Totals memory supplied = _stage(s).totalSuppliedFish(codes[c]);
                assertEq(available.lots, sums[c][0], string.concat(_stageName(s), ": available lots"));
                assertEq(available.grams, sums[c][1], string.concat(_stageName(s), ": available grams"));
                assertEq(supplied.lots, sums[c][2], string.concat(_stageName(s), ": supplied lots"));
                assertEq(supplied.grams, sums[c][3], string.concat(_stageName(s), ": supplied grams"));
            }
        }
    }

    /// @notice Pauses never hold money back: every settlement tried while the order's stage, the next stage and the
    /// quality ledger were paused (withdrawal, claim, seller's cancel, buyer's rejection, some by a revoked party) went
    /// through, and no business call at a paused stage did. Each contract is paused exactly when the handler paused it.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_owedSettlesWhilePaused() public view {
        assertEq(handler.ghostPausedSettleFailures(), 0, "every settlement went through while paused");
        assertEq(handler.ghostRogueSuccesses(), 0, "no business call at a paused stage succeeded");
        for (uint8 s = 1; s <= 6; ++s) {
            assertEq(
                IRegistryReplica(address(_stage(s))).paused(),
                handler.ghostPaused(s),
                string.concat(_stageName(s), ": paused as set")
            );
        }
        assertEq(ledger.paused(), handler.ghostPaused(7), "QualityLedger: paused as set");
    }

    // ------------------------------------------------------------------ helpers

    function _describe(ChainHandler.Edge memory e) private pure returns (string memory) {
        return string.concat(_stageName(e.stage), " ", OrderStates.describe(e.orderId, e.from, e.to));
    }
}

/// @notice `SystemInvariantsTest` on a deployment that settles in the test stablecoin (FishTraceUSD): every stage's
/// escrow solvency, custody and the order machine, with every order paid in the token.
contract TokenSystemInvariantsTest is SystemInvariantsTest {
    function setUp() public override {
        _useTestToken();
        super.setUp();
    }
}
