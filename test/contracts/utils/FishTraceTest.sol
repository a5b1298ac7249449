// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CustomerInterface as Customer} from "./Contracts.sol";
import {DistributorInterface as Distributor} from "./Contracts.sol";
import {HarvesterInterface as Harvester} from "./Contracts.sol";
import {ManufacturerInterface as Manufacturer} from "./Contracts.sol";
import {RetailerInterface as Retailer} from "./Contracts.sol";
import {SupplierInterface as Supplier} from "./Contracts.sol";
import {IDistributor} from "../../../contracts/interfaces/IDistributor.sol";
import {IHarvester} from "../../../contracts/interfaces/IHarvester.sol";
import {catchOf} from "./Catches.sol";
import {IOrderBook} from "../../../contracts/interfaces/IOrderBook.sol";
import {IQualityLedger} from "../../../contracts/interfaces/IQualityLedger.sol";
import {IRegistry} from "../../../contracts/interfaces/IRegistry.sol";
import {IStage} from "../../../contracts/interfaces/IStage.sol";
import {QualityLedgerInterface as QualityLedger} from "./Contracts.sol";
import {RegistryInterface as Registry} from "./Contracts.sol";
import {TestTokenInterface as TestToken} from "./Contracts.sol";
import {LotWord} from "../../../contracts/libraries/LotCodec.sol";
import {Roles} from "../../../contracts/libraries/Roles.sol";
import {Test} from "./Test.sol";

/// @title FishTraceTest
/// @notice The deployment the Solidity suites share, as the Ignition module builds it: a registry with its admin and
/// the six stage contracts (Harvester → Supplier → Manufacturer → Distributor → Retailer → Customer), each attached
/// to the registry and linked to the next. With participants: two actors per stage (`harvester1`, `harvester2`, …,
/// `customer1`, `customer2`), a regulator and the species COD and HER. Helpers register lots, run orders between
/// any two consecutive stages and carry lots down the chain.
/// @dev Stages are numbered as the contracts number them: 1 = Harvester … 6 = Customer. The order book of stage `s`
/// (1-5) sells to the actors of stage `s + 1`.
abstract contract FishTraceTest is Test {
    bytes3 internal constant COD = "COD";
    bytes3 internal constant HER = "HER";
    /// @dev A realistic start time, so that deadlines and catch times are far from zero.
    uint256 internal constant START = 1_750_000_000;
    /// @dev Defaults of the chain helpers' orders.
    uint256 internal constant CHAIN_PRICE = 0.1 ether;
    uint32 internal constant CHAIN_ACK_WINDOW = 1 days;
    /// @dev A GS1 GTIN-14 with a valid check digit (GS1's own example, 09506000134352).
    uint64 internal constant GTIN = 9_506_000_134_352;
    /// @dev The registry's admin transfer delay, as the Ignition module deploys it by default.
    uint48 internal constant ADMIN_DELAY = 3 days;

    /// @dev An environmental reading as `updateFish` takes it.
    struct Reading {
        int16 temperature;
        uint8 humidity;
        int32 latitude;
        int32 longitude;
        uint40 readAt;
    }

    address internal admin;
    address internal harvester1;
    address internal harvester2;
    address internal supplier1;
    address internal supplier2;
    address internal manufacturer1;
    address internal manufacturer2;
    address internal distributor1;
    address internal distributor2;
    address internal retailer1;
    address internal retailer2;
    address internal customer1;
    address internal customer2;
    address internal regulator;
    address internal stranger;

    Registry internal registry;
    Harvester internal harvester;
    Supplier internal supplier;
    Manufacturer internal manufacturer;
    Distributor internal distributor;
    Retailer internal retailer;
    Customer internal customer;
    QualityLedger internal ledger;
    /// @dev The deployment's ERC-2771 forwarder (FishTraceForwarder), trusted by the registry and the stages.
    address internal forwarder;
    /// @dev The deployment's settlement token: zero (Ether) unless a suite sets it before deploying.
    address internal settlementToken;

    /// @dev Shipment numbers the chain helpers use, unique per test.
    uint64 private _chainShipmentNo = 1_000;

    /// @dev Deploys the registry and the six stages; with `attach`, attaches every stage and links each to the next
    /// (the Ignition module's wiring).
    function _deploy(bool attach) internal {
        _deploy(attach, 0);
    }

    /// @dev As `_deploy(attach)`, but stage `unlinked` (1-5) is left without a next stage (0: all linked).
    function _deploy(bool attach, uint8 unlinked) internal {
        vm.warp(START);
        admin = makeAddr("admin");
        harvester1 = makeAddr("harvester1");
        harvester2 = makeAddr("harvester2");
        supplier1 = makeAddr("supplier1");
        supplier2 = makeAddr("supplier2");
        manufacturer1 = makeAddr("manufacturer1");
        manufacturer2 = makeAddr("manufacturer2");
        distributor1 = makeAddr("distributor1");
        distributor2 = makeAddr("distributor2");
        retailer1 = makeAddr("retailer1");
        retailer2 = makeAddr("retailer2");
        customer1 = makeAddr("customer1");
        customer2 = makeAddr("customer2");
        regulator = makeAddr("regulator");
        stranger = makeAddr("stranger");

        registry = _newRegistry(admin);
        harvester = _newHarvester(registry);
        supplier = Supplier(_deploy("Supplier.sol:Supplier", abi.encode(registry, harvester)));
        manufacturer = Manufacturer(_deploy("Manufacturer.sol:Manufacturer", abi.encode(registry, supplier)));
        distributor = _newDistributor(registry, address(manufacturer));
        retailer = Retailer(_deploy("Retailer.sol:Retailer", abi.encode(registry, distributor)));
        customer = Customer(_deploy("Customer.sol:Customer", abi.encode(registry, retailer)));
        ledger = _newLedger(_stageAddresses());
        vm.label(address(registry), "Registry");
        vm.label(address(harvester), "Harvester");
        vm.label(address(supplier), "Supplier");
        vm.label(address(manufacturer), "Manufacturer");
        vm.label(address(distributor), "Distributor");
        vm.label(address(retailer), "Retailer");
        vm.label(address(customer), "Customer");
        vm.label(address(ledger), "QualityLedger");
        if (!attach) return;

        vm.startPrank(admin);
        for (uint8 s = 1; s <= 6; ++s) registry.attachStage(address(_stage(s)));
        registry.attachStage(address(ledger));
        for (uint8 s = 1; s <= 5; ++s) {
            if (s != unlinked) _stage(s).setNextStage(address(_stage(s + 1)));
        }
        for (uint8 s = 1; s <= 6; ++s) _stage(s).setQualityLedger(address(ledger));
        ledger.setFreshnessRule(bytes3(0), _defaultRule());
        vm.stopPrank();
    }

    /// @dev The full fixture: attached and linked stages, two actors per stage, a regulator and two species.
    function _deployWithParticipants() internal {
        _deployWithParticipants(0);
    }

    /// @dev As `_deployWithParticipants()`, with stage `unlinked` (1-5) left without a next stage.
    function _deployWithParticipants(uint8 unlinked) internal {
        _deploy(true, unlinked);
        for (uint8 s = 1; s <= 6; ++s) {
            _register(_actor(s, 0), _actorRole(s));
            _register(_actor(s, 1), _actorRole(s));
        }
        _register(regulator, Roles.REGULATOR);
        _listSpecies(COD, "Atlantic cod");
        _listSpecies(HER, "Atlantic herring");
    }

    /// @dev The default freshness rule the Ignition module deploys (src/core/freshness.ts, docs/freshness.md).
    function _defaultRule() internal pure returns (IQualityLedger.FreshnessRule memory) {
        return
            IQualityLedger.FreshnessRule({
                decayPerDay: 50,
                minimumTemperature: -1000,
                defaultTemperature: 400,
                margin: 100,
                uncertainty: 200,
                maxGrade: 10
            });
    }

    function _register(address account, bytes32 role) internal {
        vm.prank(admin);
        registry.registerParticipant(account, role, "name", "location");
    }

    /// @dev Registers `device` with the device role `role` (SENSOR_GATEWAY, QAT_DEVICE), operated by `operator`.
    function _registerDevice(address device, bytes32 role, address operator) internal {
        vm.prank(admin);
        registry.registerDevice(device, role, operator);
    }

    function _listSpecies(bytes3 code, string memory name) internal {
        vm.prank(admin);
        registry.listSpecies(code, name);
    }

    function _idOf(address account) internal view returns (uint32) {
        return registry.authorization(account).id;
    }

    function _auth(address account) internal view returns (IRegistry.Authorization memory) {
        return registry.authorization(account);
    }

    // ------------------------------------------------------------------ the stages

    /// @dev The stage contract of stage `s` (1 = Harvester … 6 = Customer).
    function _stage(uint8 s) internal view returns (IStage) {
        if (s == 1) return IStage(address(harvester));
        if (s == 2) return IStage(address(supplier));
        if (s == 3) return IStage(address(manufacturer));
        if (s == 4) return IStage(address(distributor));
        if (s == 5) return IStage(address(retailer));
        if (s == 6) return IStage(address(customer));
        revert("no such stage");
    }

    /// @dev The order book of selling stage `s` (1-5): its sellers are stage `s`'s actors, its buyers stage `s + 1`'s.
    function _book(uint8 s) internal view returns (IOrderBook) {
        require(s >= 1 && s <= 5, "no order book");
        return IOrderBook(address(_stage(s)));
    }

    /// @dev Actor `i` (0 or 1) of stage `s`.
    function _actor(uint8 s, uint256 i) internal view returns (address) {
        if (s == 1) return i == 0 ? harvester1 : harvester2;
        if (s == 2) return i == 0 ? supplier1 : supplier2;
        if (s == 3) return i == 0 ? manufacturer1 : manufacturer2;
        if (s == 4) return i == 0 ? distributor1 : distributor2;
        if (s == 5) return i == 0 ? retailer1 : retailer2;
        if (s == 6) return i == 0 ? customer1 : customer2;
        revert("no such stage");
    }

    /// @dev The actor role of stage `s`.
    function _actorRole(uint8 s) internal pure returns (bytes32) {
        return Roles.roleOf(Roles.actorBit(s));
    }

    function _stageName(uint8 s) internal pure returns (string memory) {
        if (s == 1) return "Harvester";
        if (s == 2) return "Supplier";
        if (s == 3) return "Manufacturer";
        if (s == 4) return "Distributor";
        if (s == 5) return "Retailer";
        return "Customer";
    }

    // ------------------------------------------------------------------ lots

    function _catch(bytes3 species, uint40 weightGrams) internal view returns (IHarvester.Catch memory) {
        return catchOf(species, weightGrams, uint40(_now()), false, false);
    }

    /// @dev Registers a fresh lot of `species` weighing `weightGrams` in `by`'s custody.
    function _registerLot(address by, bytes3 species, uint40 weightGrams) internal returns (uint256 lotId) {
        vm.prank(by);
        lotId = harvester.registerFish(_catch(species, weightGrams));
    }

    /// @dev A lot of `species` weighing `weightGrams`, caught by `harvester1` and carried down the chain to stage `s`,
    /// where it is `Created` in the custody of `_actor(s, 0)`.
    function _lotAt(uint8 s, bytes3 species, uint40 weightGrams) internal returns (uint256 lotId) {
        lotId = _registerLot(harvester1, species, weightGrams);
        _carry(_ids(lotId), s);
    }

    /// @dev Two lots of one species at stage `s`, in the custody of `_actor(s, 0)`, carried there together.
    function _lotsAt(uint8 s, bytes3 species, uint40 w1, uint40 w2) internal returns (uint256[] memory lotIds) {
        lotIds = _ids(_registerLot(harvester1, species, w1), _registerLot(harvester1, species, w2));
        _carry(lotIds, s);
    }

    /// @dev A lot of `species` weighing `weightGrams` at stage `s`, `Created` in `holder`'s custody (an actor of stage
    /// `s`): registered by `holder` at the Harvester, else caught by `harvester1` and carried down by each stage's
    /// first actor, the last hand-over going to `holder`.
    function _lotHeldBy(uint8 s, address holder, bytes3 species, uint40 weightGrams) internal returns (uint256 lotId) {
        lotId = _registerLot(s == 1 ? holder : harvester1, species, weightGrams);
        for (uint8 t = 1; t < s; ++t) _handOver(t, _actor(t, 0), t + 1 == s ? holder : _actor(t + 1, 0), _ids(lotId));
    }

    /// @dev Carries `lotIds` (one species, at the Harvester in `harvester1`'s custody) down to stage `s`.
    function _carry(uint256[] memory lotIds, uint8 s) internal {
        for (uint8 t = 1; t < s; ++t) _handOver(t, _actor(t, 0), _actor(t + 1, 0), lotIds);
    }

    /// @dev One complete order at stage `s`: `buyer` orders exactly the weight of `lotIds` (held by `seller`, one
    /// species) at the default price, the seller ships them, the buyer confirms and acknowledges. The order is left
    /// `Acknowledged` (the price stays in escrow).
    function _handOver(
        uint8 s,
        address seller,
        address buyer,
        uint256[] memory lotIds
    ) internal returns (uint256 orderId) {
        IStage here = _stage(s);
        uint256 grams;
        for (uint256 i; i < lotIds.length; ++i) grams += here.getLot(lotIds[i]).weightGrams;
        bytes3 species = here.getLot(lotIds[0]).species;
        orderId = _placeAt(
            s,
            buyer,
            seller,
            species,
            uint40(grams),
            CHAIN_PRICE,
            uint40(_now() + 1 days),
            CHAIN_ACK_WINDOW
        );
        uint64 shipmentNo = _chainShipmentNo++;
        _shipAt(s, seller, orderId, shipmentNo, lotIds);
        _confirmAt(s, buyer, orderId);
        _ackAt(s, buyer, orderId, shipmentNo, lotIds);
    }

    // ------------------------------------------------------------------ one order step at any stage

    /// @dev `buyer` orders at stage `s`, paying `price` (dealt on top of its balance): in Ether, or in the
    /// settlement token (minted to it, approved, and pulled by `placeOrderWithPermit` without a permit).
    function _placeAt(
        uint8 s,
        address buyer,
        address seller,
        bytes3 species,
        uint40 grams,
        uint256 price,
        uint40 shipBy,
        uint32 ackWindow
    ) internal returns (uint256 orderId) {
        if (settlementToken == address(0)) {
            vm.deal(buyer, buyer.balance + price);
            vm.prank(buyer);
            return _book(s).placeOrder{value: price}(seller, species, grams, shipBy, ackWindow);
        }
        TestToken(settlementToken).mint(buyer, price);
        vm.prank(buyer);
        TestToken(settlementToken).approve(address(_book(s)), price);
        vm.prank(buyer);
        orderId = _book(s).placeOrderWithPermit(seller, species, grams, shipBy, ackWindow, price, 0, 0, 0, 0);
    }

    /// @dev Makes the test stablecoin (FishTraceUSD, 6 decimals) the settlement token of the next deployment.
    function _useTestToken() internal {
        settlementToken = _deploy("FishTraceUSD.sol:FishTraceUSD", "");
        vm.label(settlementToken, "fUSD");
    }

    /// @dev The EIP-2612 permit signed by `key` letting `spender` take `value` of the settlement token until
    /// `deadline`, written out here from the EIP-2612 type.
    function _permit(
        uint256 key,
        address spender,
        uint256 value,
        uint256 deadline
    ) internal view returns (uint8, bytes32, bytes32) {
        TestToken token = TestToken(settlementToken);
        address owner = vm.addr(key);
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                owner,
                spender,
                value,
                token.nonces(owner),
                deadline
            )
        );
        return vm.sign(key, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
    }

    /// @dev What `account` holds of the deployment's money: Ether, or the settlement token.
    function _money(address account) internal view returns (uint256) {
        return settlementToken == address(0) ? account.balance : TestToken(settlementToken).balanceOf(account);
    }

    /// @dev Ships `lotIds` under `orderId` at stage `s`; the Distributor ships with its route (`dispatch`).
    function _shipAt(uint8 s, address seller, uint256 orderId, uint64 shipmentNo, uint256[] memory lotIds) internal {
        vm.prank(seller);
        if (s == 4) distributor.dispatch(orderId, shipmentNo, lotIds, _route());
        else _book(s).initiateShipment(orderId, shipmentNo, lotIds);
    }

    /// @dev Confirms delivery of `orderId` at stage `s`; the Distributor confirms with the place (`confirmArrival`).
    function _confirmAt(uint8 s, address by, uint256 orderId) internal {
        vm.prank(by);
        if (s == 4) distributor.confirmArrival(orderId, "GLN5790000000002");
        else _book(s).confirmDelivery(orderId);
    }

    function _ackAt(uint8 s, address buyer, uint256 orderId, uint64 shipmentNo, uint256[] memory lotIds) internal {
        vm.prank(buyer);
        _book(s).acknowledge(orderId, shipmentNo, lotIds);
    }

    function _route() internal pure returns (IDistributor.Route memory) {
        return
            IDistributor.Route({
                origin: "GLN5790000000001",
                destination: "GLN5790000000002",
                mode: IDistributor.TransportMode.Road,
                vehicle: "AB12345"
            });
    }

    // ------------------------------------------------------------------ arguments

    function _ids(uint256 a) internal pure returns (uint256[] memory ids) {
        ids = new uint256[](1);
        ids[0] = a;
    }

    function _ids(uint256 a, uint256 b) internal pure returns (uint256[] memory ids) {
        ids = new uint256[](2);
        ids[0] = a;
        ids[1] = b;
    }

    function _ids(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory ids) {
        ids = new uint256[](3);
        ids[0] = a;
        ids[1] = b;
        ids[2] = c;
    }

    function _words(LotWord a) internal pure returns (LotWord[] memory words) {
        words = new LotWord[](1);
        words[0] = a;
    }

    /// @dev `body` (at most 13 digits) with its GS1 mod-10 check digit appended: a valid GTIN-14.
    function _gtin(uint64 body) internal pure returns (uint64) {
        uint256 sum;
        uint64 rest = body;
        for (uint256 i; rest != 0; ++i) {
            sum += (rest % 10) * (i % 2 == 0 ? 3 : 1);
            rest /= 10;
        }
        return body * 10 + uint64((10 - (sum % 10)) % 10);
    }

    // ------------------------------------------------------------------ signed QAT readings

    /// @dev Written out here, not copied from the contract: the EIP-712 type a device signs.
    bytes32 internal constant READING_TYPEHASH = keccak256(
        "QatReading(uint64 readingId,uint256 lotId,bytes3 species,uint8 speciesConfidence,uint8 grade,"
        "uint8 gradeConfidence,uint40 scannedAt,address device)"
    );
    bytes32 internal constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );

    /// @dev The 65-byte signature (r, s, v) of `r` by `key` for this deployment's ledger.
    function _sign(uint256 key, IQualityLedger.QatReading memory r) internal view returns (bytes memory) {
        (uint8 v, bytes32 rr, bytes32 ss) = vm.sign(key, _digest(ledger, r));
        return abi.encodePacked(rr, ss, v);
    }

    /// @dev The EIP-712 digest of `r` under `on`'s domain, computed here from the domain's fields:
    /// keccak256("\x19\x01" ‖ domainSeparator ‖ hashStruct(r)).
    function _digest(QualityLedger on, IQualityLedger.QatReading memory r) internal view returns (bytes32) {
        (, string memory name, string memory version, uint256 chainId, address verifyingContract, , ) = on
            .eip712Domain();
        bytes32 domainSeparator = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(name)), keccak256(bytes(version)), chainId, verifyingContract)
        );
        bytes32 structHash = keccak256(
            abi.encode(
                READING_TYPEHASH,
                r.readingId,
                r.lotId,
                r.species,
                r.speciesConfidence,
                r.grade,
                r.gradeConfidence,
                r.scannedAt,
                r.device
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
    }

    // ------------------------------------------------------------------ deploying from the artifacts

    /// @dev Deploys the compiled artifact `artifact` (`File.sol:Contract`) with the ABI-encoded constructor `args`.
    /// Deploying from the artifact, not with `new`, keeps the contracts' creation code out of the test contracts:
    /// under via-IR each `new X` compiles and optimizes X again inside every suite that inherits it, which made the
    /// suites' compilation take eight times as long as the contracts'. The suites also test the very bytecode the
    /// Ignition module deploys.
    function _deploy(string memory artifact, bytes memory args) internal returns (address deployed) {
        deployed = _tryDeploy(artifact, args);
        require(deployed != address(0), string.concat("deploying ", artifact, " failed"));
    }

    /// @dev As `_deploy`, but a constructor's revert gives address zero (for `vm.expectRevert`).
    function _tryDeploy(string memory artifact, bytes memory args) internal returns (address deployed) {
        bytes memory code = bytes.concat(vm.getCode(artifact), args);
        assembly ("memory-safe") {
            deployed := create(0, add(code, 0x20), mload(code))
        }
    }

    /// @dev A registry trusting `forwarder` (deployed on first use) and settling in `settlementToken`.
    function _newRegistry(address admin_) internal returns (Registry) {
        if (forwarder == address(0)) {
            forwarder = _deploy("FishTraceForwarder.sol:FishTraceForwarder", "");
            vm.label(forwarder, "FishTraceForwarder");
        }
        return Registry(_deploy("Registry.sol:Registry", abi.encode(admin_, ADMIN_DELAY, forwarder, settlementToken)));
    }

    function _newHarvester(IRegistry registry_) internal returns (Harvester) {
        return Harvester(_deploy("Harvester.sol:Harvester", abi.encode(registry_)));
    }

    function _newDistributor(IRegistry registry_, address previous) internal returns (Distributor) {
        return Distributor(_deploy("Distributor.sol:Distributor", abi.encode(registry_, previous)));
    }

    /// @dev A new stage-`s` contract on `registry_`, attached nowhere and linked to nothing, whose previous stage is
    /// `previous` (the Harvester has none: `previous` is ignored for `s` = 1).
    function _newStage(uint8 s, IRegistry registry_, address previous) internal returns (IStage) {
        if (s == 1) return IStage(address(_newHarvester(registry_)));
        string memory name = _stageName(s);
        return IStage(_deploy(string.concat(name, ".sol:", name), abi.encode(registry_, previous)));
    }

    function _newLedger(address[6] memory stages) internal returns (QualityLedger) {
        return QualityLedger(_deploy("QualityLedger.sol:QualityLedger", abi.encode(registry, stages)));
    }

    /// @dev The six stage contracts' addresses, Harvester first.
    function _stageAddresses() internal view returns (address[6] memory) {
        return
            [
                address(harvester),
                address(supplier),
                address(manufacturer),
                address(distributor),
                address(retailer),
                address(customer)
            ];
    }

    // ------------------------------------------------------------------ devices

    /// @dev A new device `name` (a labelled address) registered with device role `role` (SENSOR_GATEWAY or
    /// QAT_DEVICE), operated by `operator`.
    function _enrolDevice(address operator, bytes32 role, string memory name) internal returns (address device) {
        device = makeAddr(name);
        vm.prank(admin);
        registry.registerDevice(device, role, operator);
    }
}
