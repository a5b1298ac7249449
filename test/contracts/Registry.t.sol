// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {HarvesterInterface as Harvester} from "./utils/Contracts.sol";
import {IRegistry} from "../../contracts/interfaces/IRegistry.sol";
import {IRegistryReplica} from "../../contracts/interfaces/IRegistryReplica.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {RegistryInterface as Registry} from "./utils/Contracts.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";
import {Vm} from "./utils/Vm.sol";

contract RegistryTest is FishTraceTest {
    address private gateway;
    address private qat;

    /// @dev The twelve roles in bit order (bit i of the packed word is `_roles()[i]`).
    function _roles() private pure returns (bytes32[12] memory) {
        return
            [
                Roles.DEFAULT_ADMIN,
                Roles.HARVESTER,
                Roles.SUPPLIER,
                Roles.MANUFACTURER,
                Roles.DISTRIBUTOR,
                Roles.RETAILER,
                Roles.CUSTOMER,
                Roles.REGULATOR,
                Roles.QAT_DEVICE,
                Roles.SENSOR_GATEWAY,
                Roles.RELAYER,
                Roles.PAUSER
            ];
    }

    function _bit(uint256 i) private pure returns (uint16) {
        return uint16(uint256(1) << i);
    }

    function setUp() public {
        _deploy(true);
        gateway = makeAddr("gateway");
        qat = makeAddr("qat");
        _listSpecies(COD, "Atlantic cod");
    }

    /// @dev harvester1's catch of `code` is refused by `stage` from its replica, with no call to the registry.
    function _expectRefusedWithoutAsking(Harvester stage, bytes3 code) private {
        vm.expectCall(address(registry), abi.encodeCall(IRegistry.isSpeciesListed, (code)), 0);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageSpeciesNotListed.selector, code));
        vm.prank(harvester1);
        stage.registerFish(_catch(code, 1000));
    }

    /// @dev A second Harvester attached after COD was listed, with harvester1 registered before the attach.
    function _lateHarvester() private returns (Harvester late) {
        late = _newHarvester(registry);
        _register(harvester1, Roles.HARVESTER);
        vm.prank(admin);
        registry.attachStage(address(late));
    }

    function _registerGateway(address device, address operator) private {
        vm.prank(admin);
        registry.registerDevice(device, Roles.SENSOR_GATEWAY, operator);
    }

    function _unauthorized(address account) private view returns (bytes memory) {
        return
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                account,
                registry.DEFAULT_ADMIN_ROLE()
            );
    }

    // ------------------------------------------------------------------ constructor

    function test_constructor_enrolsAdmin() public view {
        assertTrue(registry.hasRole(Roles.DEFAULT_ADMIN, admin), "admin role");
        assertEq(registry.participantCount(), 1, "participant count");
        assertEq(registry.accountOf(1), admin, "account of id 1");
        IRegistry.Authorization memory auth = _auth(admin);
        assertEq(auth.id, 1, "id");
        assertEq(auth.roles, Roles.ADMIN_BIT, "roles");
        assertEq(auth.operatorId, 0, "operator");
    }

    // ------------------------------------------------------------------ registerParticipant

    function test_registerParticipant_enrolsAndGrants() public {
        vm.expectEmit(true, true, false, true, address(registry));
        emit IRegistry.ParticipantEnrolled(2, harvester1);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IAccessControl.RoleGranted(Roles.HARVESTER, harvester1, admin);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IRegistry.ParticipantProfileSet(harvester1, "Nordic Trawl", "5790000000001");
        vm.prank(admin);
        registry.registerParticipant(harvester1, Roles.HARVESTER, "Nordic Trawl", "5790000000001");

        assertEq(registry.participantCount(), 2, "participant count");
        assertEq(registry.accountOf(2), harvester1, "account of id");
        assertTrue(registry.hasRole(Roles.HARVESTER, harvester1), "role");
        IRegistry.Authorization memory auth = _auth(harvester1);
        assertEq(auth.id, 2, "id");
        assertEq(auth.roles, Roles.HARVESTER_BIT, "roles");
        (string memory name, string memory location) = registry.profileOf(harvester1);
        assertEq(name, "Nordic Trawl", "name");
        assertEq(location, "5790000000001", "location");
    }

    function test_registerParticipant_secondRoleKeepsId() public {
        _register(supplier1, Roles.SUPPLIER);
        uint32 id = _idOf(supplier1);
        _register(supplier1, Roles.MANUFACTURER);
        assertEq(_idOf(supplier1), id, "id");
        assertEq(registry.participantCount(), 2, "participant count");
        assertEq(_auth(supplier1).roles, Roles.SUPPLIER_BIT | Roles.MANUFACTURER_BIT, "roles");
    }

    function test_registerParticipant_sameRoleAgainUpdatesProfileOnly() public {
        _register(supplier1, Roles.SUPPLIER);
        vm.recordLogs();
        vm.prank(admin);
        registry.registerParticipant(supplier1, Roles.SUPPLIER, "Renamed", "elsewhere");
        // Only ParticipantProfileSet: no RoleGranted, no push.
        assertEq(vm.getRecordedLogs().length, 1, "events");
        assertEq(_auth(supplier1).roles, Roles.SUPPLIER_BIT, "roles");
        (string memory name, ) = registry.profileOf(supplier1);
        assertEq(name, "Renamed", "name");
    }

    function test_registerParticipant_RevertWhen_NotAdmin() public {
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        registry.registerParticipant(stranger, Roles.HARVESTER, "", "");
    }

    function test_registerParticipant_RevertWhen_UnknownRole() public {
        bytes32 role = keccak256("FISHMONGER");
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryUnknownRole.selector, role));
        vm.prank(admin);
        registry.registerParticipant(harvester1, role, "", "");
    }

    function test_registerParticipant_RevertWhen_ZeroAccount() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryZeroAccount.selector));
        vm.prank(admin);
        registry.registerParticipant(address(0), Roles.HARVESTER, "", "");
    }

    function test_registerParticipant_RevertWhen_DeviceRole() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryDeviceConflict.selector, qat, address(0)));
        vm.prank(admin);
        registry.registerParticipant(qat, Roles.QAT_DEVICE, "", "");
    }

    // ------------------------------------------------------------------ registerDevice

    function test_registerDevice_bindsToOperator() public {
        _register(harvester1, Roles.HARVESTER);
        vm.expectEmit(true, true, false, true, address(registry));
        emit IRegistry.ParticipantEnrolled(3, gateway);
        vm.expectEmit(true, true, false, true, address(registry));
        emit IRegistry.DeviceBound(gateway, harvester1);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IAccessControl.RoleGranted(Roles.SENSOR_GATEWAY, gateway, admin);
        _registerGateway(gateway, harvester1);

        assertEq(registry.operatorOf(gateway), harvester1, "operator");
        assertTrue(registry.hasRole(Roles.SENSOR_GATEWAY, gateway), "role");
        IRegistry.Authorization memory auth = _auth(gateway);
        assertEq(auth.id, 3, "id");
        assertEq(auth.roles, Roles.SENSOR_GATEWAY_BIT, "roles");
        assertEq(auth.operatorId, _idOf(harvester1), "operator id");
    }

    function test_registerDevice_secondDeviceRoleSameOperator() public {
        _register(harvester1, Roles.HARVESTER);
        _registerGateway(gateway, harvester1);
        vm.prank(admin);
        registry.registerDevice(gateway, Roles.QAT_DEVICE, harvester1);
        assertEq(_auth(gateway).roles, Roles.SENSOR_GATEWAY_BIT | Roles.QAT_DEVICE_BIT, "roles");
        assertEq(registry.participantCount(), 3, "participant count");
    }

    function test_registerDevice_RevertWhen_NotDeviceRole() public {
        _register(harvester1, Roles.HARVESTER);
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotDeviceRole.selector, Roles.HARVESTER));
        vm.prank(admin);
        registry.registerDevice(gateway, Roles.HARVESTER, harvester1);
    }

    function test_registerDevice_RevertWhen_UnknownRole() public {
        _register(harvester1, Roles.HARVESTER);
        bytes32 role = keccak256("THERMOMETER");
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotDeviceRole.selector, role));
        vm.prank(admin);
        registry.registerDevice(gateway, role, harvester1);
    }

    function test_registerDevice_RevertWhen_OperatorNotActor() public {
        _register(stranger, Roles.RELAYER);
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryOperatorNotActor.selector, stranger));
        vm.prank(admin);
        registry.registerDevice(gateway, Roles.SENSOR_GATEWAY, stranger);
    }

    function test_registerDevice_RevertWhen_DeviceIsParticipant() public {
        _register(harvester1, Roles.HARVESTER);
        _register(supplier1, Roles.SUPPLIER);
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryDeviceConflict.selector, supplier1, address(0)));
        vm.prank(admin);
        registry.registerDevice(supplier1, Roles.SENSOR_GATEWAY, harvester1);
    }

    function test_registerDevice_RevertWhen_BoundToOtherOperator() public {
        _register(harvester1, Roles.HARVESTER);
        _register(harvester2, Roles.HARVESTER);
        _registerGateway(gateway, harvester1);
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryDeviceConflict.selector, gateway, harvester1));
        vm.prank(admin);
        registry.registerDevice(gateway, Roles.SENSOR_GATEWAY, harvester2);
    }

    function test_registerDevice_RevertWhen_NotAdmin() public {
        _register(harvester1, Roles.HARVESTER);
        vm.expectRevert(_unauthorized(harvester1));
        vm.prank(harvester1);
        registry.registerDevice(gateway, Roles.SENSOR_GATEWAY, harvester1);
    }

    function test_grantRole_RevertWhen_ActorRoleToDevice() public {
        _register(harvester1, Roles.HARVESTER);
        _registerGateway(gateway, harvester1);
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryDeviceConflict.selector, gateway, harvester1));
        vm.prank(admin);
        registry.grantRole(Roles.HARVESTER, gateway);
    }

    // ------------------------------------------------------------------ revokeParticipant

    function test_revokeParticipant_revokesEveryRole() public {
        _register(supplier1, Roles.SUPPLIER);
        _register(supplier1, Roles.RELAYER);
        uint32 id = _idOf(supplier1);

        vm.expectEmit(true, true, true, true, address(registry));
        emit IAccessControl.RoleRevoked(Roles.SUPPLIER, supplier1, admin);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IAccessControl.RoleRevoked(Roles.RELAYER, supplier1, admin);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IRegistry.ParticipantRevoked(supplier1);
        vm.prank(admin);
        registry.revokeParticipant(supplier1);

        IRegistry.Authorization memory auth = _auth(supplier1);
        assertEq(auth.roles, 0, "roles");
        assertEq(auth.id, id, "id kept");
        assertEq(registry.accountOf(id), supplier1, "account kept");
        assertFalse(registry.hasRole(Roles.SUPPLIER, supplier1), "supplier role");
        assertFalse(registry.hasRole(Roles.RELAYER, supplier1), "relayer role");
    }

    /// @dev The admin leaves only through the delayed two-step transfer (before: revokeParticipant dropped it at
    /// once, bypassing any delay).
    function test_revokeParticipant_RevertWhen_DefaultAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminRules.selector)
        );
        vm.prank(admin);
        registry.revokeParticipant(admin);
        assertTrue(registry.hasRole(Roles.DEFAULT_ADMIN, admin), "admin role");
    }

    function test_revokeParticipant_deviceLosesRolesWithOperator() public {
        _register(harvester1, Roles.HARVESTER);
        _registerGateway(gateway, harvester1);
        vm.prank(admin);
        registry.revokeParticipant(harvester1);

        IRegistry.Authorization memory auth = _auth(gateway);
        assertEq(auth.roles, 0, "effective device roles");
        assertEq(auth.operatorId, _idOf(harvester1), "operator id kept");
        // hasRole agrees with the effective roles (regression: it used to report the stored bit); the bit itself
        // stays, so the device regains its role with its operator (see the next test).
        assertFalse(registry.hasRole(Roles.SENSOR_GATEWAY, gateway), "hasRole is effective");
    }

    function test_revokeParticipant_reRegisteredOperatorRestoresDevice() public {
        _register(harvester1, Roles.HARVESTER);
        _registerGateway(gateway, harvester1);
        vm.prank(admin);
        registry.revokeParticipant(harvester1);
        _register(harvester1, Roles.HARVESTER);
        assertEq(_auth(gateway).roles, Roles.SENSOR_GATEWAY_BIT, "device roles back");
    }

    function test_revokeParticipant_unknownAccountOnlyEmits() public {
        vm.recordLogs();
        vm.prank(admin);
        registry.revokeParticipant(stranger);
        assertEq(vm.getRecordedLogs().length, 1, "only ParticipantRevoked");
        assertEq(_auth(stranger).id, 0, "not enrolled");
    }

    function test_revokeParticipant_RevertWhen_NotAdmin() public {
        _register(supplier1, Roles.SUPPLIER);
        vm.expectRevert(_unauthorized(supplier1));
        vm.prank(supplier1);
        registry.revokeParticipant(supplier1);
    }

    // ------------------------------------------------------------------ species

    function test_listSpecies_lists() public {
        vm.expectEmit(true, false, false, true, address(registry));
        emit IRegistry.SpeciesListed("HER", "Atlantic herring");
        _listSpecies("HER", "Atlantic herring");
        assertTrue(registry.isSpeciesListed("HER"), "listed");
        assertEq(registry.speciesName("HER"), "Atlantic herring", "name");
    }

    function test_listSpecies_emptyNameStoresCode() public {
        _listSpecies("HER", "");
        assertTrue(registry.isSpeciesListed("HER"), "listed");
        assertEq(registry.speciesName("HER"), "HER", "name");
    }

    function test_listSpecies_RevertWhen_InvalidCode() public {
        bytes3[4] memory codes = [bytes3("cod"), bytes3("C0D"), bytes3(0), bytes3("CO@")];
        for (uint256 i; i < codes.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryInvalidSpeciesCode.selector, codes[i]));
            vm.prank(admin);
            registry.listSpecies(codes[i], "x");
        }
    }

    function test_listSpecies_RevertWhen_AlreadyListed() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistrySpeciesAlreadyListed.selector, COD));
        vm.prank(admin);
        registry.listSpecies(COD, "Cod again");
    }

    function test_listSpecies_RevertWhen_NotAdmin() public {
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        registry.listSpecies("HER", "Atlantic herring");
    }

    function testFuzz_listSpecies_onlyUpperCaseCodes(bytes3 code) public {
        bool valid = true;
        for (uint256 i; i < 3; ++i) {
            if (code[i] < "A" || code[i] > "Z") valid = false;
        }
        vm.assume(code != COD);
        if (!valid) vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryInvalidSpeciesCode.selector, code));
        vm.prank(admin);
        registry.listSpecies(code, "name");
        assertEq(registry.isSpeciesListed(code), valid, "listed");
    }

    function test_delistSpecies_delists() public {
        vm.expectEmit(true, false, false, true, address(registry));
        emit IRegistry.SpeciesDelisted(COD);
        vm.prank(admin);
        registry.delistSpecies(COD);
        assertFalse(registry.isSpeciesListed(COD), "listed");
        assertEq(registry.speciesName(COD), "", "name");
        // ...and may be listed again.
        _listSpecies(COD, "Gadus morhua");
        assertEq(registry.speciesName(COD), "Gadus morhua", "name again");
    }

    function test_delistSpecies_RevertWhen_NotListed() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistrySpeciesNotListed.selector, bytes3("HER")));
        vm.prank(admin);
        registry.delistSpecies("HER");
    }

    function test_delistSpecies_RevertWhen_NotAdmin() public {
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        registry.delistSpecies(COD);
    }

    function test_delistSpecies_blocksNewLots() public {
        _register(harvester1, Roles.HARVESTER);
        vm.prank(admin);
        registry.delistSpecies(COD);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageSpeciesNotListed.selector, COD));
        vm.prank(harvester1);
        harvester.registerFish(_catch(COD, 1000));
    }

    // ------------------------------------------------------------------ species pushed to the replicas

    function test_listSpecies_pushesToEveryReplica() public {
        for (uint8 s = 1; s <= 6; ++s) {
            vm.expectEmit(true, false, false, true, address(_stage(s)));
            emit IRegistryReplica.SpeciesSynced("HER", true);
        }
        vm.expectEmit(true, false, false, true, address(ledger));
        emit IRegistryReplica.SpeciesSynced("HER", true);
        _listSpecies("HER", "Atlantic herring");

        // The stage answers from its replica: no call back to the registry.
        _register(harvester1, Roles.HARVESTER);
        vm.expectCall(address(registry), abi.encodeCall(IRegistry.isSpeciesListed, (bytes3("HER"))), 0);
        _registerLot(harvester1, "HER", 1000);
    }

    function test_delistSpecies_pushesAndStagesRefuseWithoutAsking() public {
        _register(harvester1, Roles.HARVESTER);
        _register(supplier1, Roles.SUPPLIER);
        vm.expectEmit(true, false, false, true, address(harvester));
        emit IRegistryReplica.SpeciesSynced(COD, false);
        vm.prank(admin);
        registry.delistSpecies(COD);

        _expectRefusedWithoutAsking(harvester, COD);
        vm.deal(supplier1, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageSpeciesNotListed.selector, COD));
        vm.prank(supplier1);
        harvester.placeOrder{value: 1 ether}(harvester1, COD, 1000, uint40(_now() + 1 days), 1 days);

        // Listed again, it is pushed again and accepted.
        vm.expectEmit(true, false, false, true, address(harvester));
        emit IRegistryReplica.SpeciesSynced(COD, true);
        _listSpecies(COD, "Gadus morhua");
        _registerLot(harvester1, COD, 1000);
    }

    function test_speciesListing_fallbackForStageAttachedAfterListing() public {
        Harvester late = _lateHarvester();
        // COD was listed before the attach: the late stage has no entry and asks the registry, which says listed.
        vm.expectCall(address(registry), abi.encodeCall(IRegistry.isSpeciesListed, (COD)), 1);
        vm.prank(harvester1);
        late.registerFish(_catch(COD, 1000));
        // An unlisted species is refused the same way.
        vm.expectRevert(abi.encodeWithSelector(IStage.StageSpeciesNotListed.selector, bytes3("HER")));
        vm.prank(harvester1);
        late.registerFish(_catch("HER", 1000));
    }

    function test_speciesListing_pushReachesStageAttachedAfterListing() public {
        Harvester late = _lateHarvester();
        // Delisted after the attach: the push reaches the late stage, which then refuses without asking.
        vm.prank(admin);
        registry.delistSpecies(COD);
        _expectRefusedWithoutAsking(late, COD);
    }

    function test_syncSpecies_RevertWhen_CallerNotRegistry() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistryReplica.ReplicaCallerNotRegistry.selector, admin));
        vm.prank(admin);
        harvester.syncSpecies("HER", true);
        vm.expectRevert(abi.encodeWithSelector(IRegistryReplica.ReplicaCallerNotRegistry.selector, stranger));
        vm.prank(stranger);
        ledger.syncSpecies("HER", true);
        // The forged listing never took effect.
        _register(harvester1, Roles.HARVESTER);
        vm.expectRevert(abi.encodeWithSelector(IStage.StageSpeciesNotListed.selector, bytes3("HER")));
        vm.prank(harvester1);
        harvester.registerFish(_catch("HER", 1000));
    }

    /// @dev The listing shares its species' inventory slot: pushes leave the totals, and totals leave the listing.
    function test_syncSpecies_keepsTotalsAndTotalsKeepListing() public {
        _register(harvester1, Roles.HARVESTER);
        _registerLot(harvester1, COD, 1000);
        uint256 lotId = _registerLot(harvester1, COD, 2000);
        vm.prank(admin);
        registry.delistSpecies(COD);
        assertEq(harvester.totalAvailableFish(COD).lots, 2, "lots kept");
        assertEq(harvester.totalAvailableFish(COD).grams, 3000, "grams kept");
        vm.prank(harvester1);
        harvester.removeFish(lotId, IStage.RemovalReason.Discarded);
        assertEq(harvester.totalAvailableFish(COD).lots, 1, "lot removed");
        vm.expectRevert(abi.encodeWithSelector(IStage.StageSpeciesNotListed.selector, COD));
        vm.prank(harvester1);
        harvester.registerFish(_catch(COD, 1000));
    }

    // ------------------------------------------------------------------ attachStage

    // ------------------------------------------------------------------ documents

    /// @dev The registry tests start with no participant: these need a harvester, a supplier and a regulator.
    modifier withParticipants() {
        _register(harvester1, Roles.HARVESTER);
        _register(supplier1, Roles.SUPPLIER);
        _register(regulator, Roles.REGULATOR);
        _;
    }

    function _digests(bytes32 a, bytes32 b) private pure returns (bytes32[] memory d) {
        d = new bytes32[](2);
        d[0] = a;
        d[1] = b;
    }

    function test_anchorDocuments_recordsPerCallerAndEmits() public withParticipants {
        bytes32[] memory d = _digests(sha256("vessel"), sha256("certificate"));
        vm.warp(1_900_000_000);
        vm.expectEmit(true, true, false, true, address(registry));
        emit IRegistry.DocumentAnchored(d[0], harvester1);
        vm.expectEmit(true, true, false, true, address(registry));
        emit IRegistry.DocumentAnchored(d[1], harvester1);
        vm.prank(harvester1);
        registry.anchorDocuments(d);
        assertEq(registry.documentAnchoredAt(harvester1, d[0]), 1_900_000_000, "first");
        assertEq(registry.documentAnchoredAt(harvester1, d[1]), 1_900_000_000, "second");
        // Kept per caller: another participant's anchor of the same document is its own, later one.
        assertEq(registry.documentAnchoredAt(supplier1, d[0]), 0, "not anchored by the supplier");
        bytes32[] memory supplierDigests = _digests(d[0], sha256("other"));
        vm.warp(1_900_000_100);
        vm.prank(supplier1);
        registry.anchorDocuments(supplierDigests);
        assertEq(registry.documentAnchoredAt(supplier1, d[0]), 1_900_000_100, "supplier's anchor");
        assertEq(registry.documentAnchoredAt(harvester1, d[0]), 1_900_000_000, "harvester's anchor unchanged");
    }

    function test_anchorDocuments_regulatorAndAdminMay() public withParticipants {
        bytes32[] memory d = _digests(sha256("a"), sha256("b"));
        vm.prank(regulator);
        registry.anchorDocuments(d);
        vm.prank(admin);
        registry.anchorDocuments(d);
        assertGt(registry.documentAnchoredAt(regulator, d[1]), 0, "regulator");
        assertGt(registry.documentAnchoredAt(admin, d[1]), 0, "admin");
    }

    function test_anchorDocuments_RevertWhen_AnchoredBefore() public withParticipants {
        bytes32[] memory d = _digests(sha256("a"), sha256("b"));
        vm.warp(1_900_000_000);
        vm.prank(harvester1);
        registry.anchorDocuments(d);
        bytes32[] memory again = _digests(sha256("c"), d[1]);
        vm.expectRevert(
            abi.encodeWithSelector(IRegistry.RegistryDocumentAlreadyAnchored.selector, d[1], harvester1, 1_900_000_000)
        );
        vm.prank(harvester1);
        registry.anchorDocuments(again);
        assertEq(registry.documentAnchoredAt(harvester1, again[0]), 0, "the whole call reverted");
    }

    function test_anchorDocuments_RevertWhen_TwiceInOneCall() public withParticipants {
        bytes32 digest = sha256("a");
        vm.warp(1_900_000_000);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRegistry.RegistryDocumentAlreadyAnchored.selector,
                digest,
                harvester1,
                1_900_000_000
            )
        );
        vm.prank(harvester1);
        registry.anchorDocuments(_digests(digest, digest));
    }

    function test_anchorDocuments_RevertWhen_NotParticipant() public withParticipants {
        address[3] memory callers = [makeAddr("outsider"), gateway, qat];
        _registerGateway(gateway, harvester1);
        vm.prank(admin);
        registry.registerDevice(qat, Roles.QAT_DEVICE, harvester1);
        bytes32[] memory d = _digests(sha256("a"), sha256("b"));
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotParticipant.selector, callers[i]));
            vm.prank(callers[i]);
            registry.anchorDocuments(d);
        }
    }

    function test_anchorDocuments_RevertWhen_Revoked() public withParticipants {
        vm.prank(admin);
        registry.revokeParticipant(harvester1);
        bytes32[] memory d = _digests(sha256("a"), sha256("b"));
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotParticipant.selector, harvester1));
        vm.prank(harvester1);
        registry.anchorDocuments(d);
    }

    function test_attachStage_appends() public {
        Harvester second = _newHarvester(registry);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IRegistry.StageAttached(address(second));
        vm.prank(admin);
        registry.attachStage(address(second));
        address[] memory stages = registry.stages();
        // The fixture attached the six stages of the system in chain order, then the quality ledger; the new one
        // comes last.
        assertEq(stages.length, 8, "stages");
        for (uint8 s = 1; s <= 6; ++s) assertEq(stages[s - 1], address(_stage(s)), _stageName(s));
        assertEq(stages[6], address(ledger), "quality ledger");
        assertEq(stages[7], address(second), "appended");
    }

    function test_attachStage_RevertWhen_AlreadyAttached() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryStageAlreadyAttached.selector, address(harvester)));
        vm.prank(admin);
        registry.attachStage(address(harvester));
    }

    function test_attachStage_RevertWhen_TooManyStages() public {
        uint256 max = registry.MAX_STAGES();
        // The six stages of the system and the quality ledger are attached already.
        assertEq(registry.stages().length, 7, "system stages and ledger");
        vm.startPrank(admin);
        for (uint256 i = 7; i < max; ++i) {
            registry.attachStage(address(_newHarvester(registry)));
        }
        address extra = address(_newHarvester(registry));
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryTooManyStages.selector, max));
        registry.attachStage(extra);
        vm.stopPrank();
        // Every one of the twelve still receives pushes.
        _register(harvester1, Roles.HARVESTER);
    }

    function test_attachStage_RevertWhen_NotAdmin() public {
        Harvester second = _newHarvester(registry);
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        registry.attachStage(address(second));
    }

    function test_attachStage_RevertWhen_NotAContract() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotReplica.selector, stranger));
        vm.prank(admin);
        registry.attachStage(stranger);
    }

    function test_attachStage_RevertWhen_StageOfAnotherRegistry() public {
        Harvester foreign = _newHarvester(_newRegistry(admin));
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotReplica.selector, address(foreign)));
        vm.prank(admin);
        registry.attachStage(address(foreign));
    }

    function test_attachStage_RevertWhen_NotAReplica() public {
        // A contract without `registry()` (the registry itself has none).
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotReplica.selector, address(registry)));
        vm.prank(admin);
        registry.attachStage(address(registry));
    }

    /// @dev Regression: `attachStage` used to accept any address, and a stage can never be detached. Once an
    /// address that is not a replica of this registry was attached (an EOA, a typo), every later `_push` reverted,
    /// so no role could be granted or revoked ever again, not even to shut out a compromised participant.
    function test_attachStage_nonReplicaBricksRoleChanges() public {
        vm.prank(admin);
        try registry.attachStage(stranger) {} catch {}
        _register(harvester1, Roles.HARVESTER);
        assertTrue(registry.hasRole(Roles.HARVESTER, harvester1), "role granted");
    }

    /// @dev Regression: the same bug through a stage contract deployed for another registry, whose replica refuses
    /// the push with `ReplicaCallerNotRegistry`.
    function test_attachStage_foreignStageBricksRoleChanges() public {
        Harvester foreign = _newHarvester(_newRegistry(admin));
        vm.prank(admin);
        try registry.attachStage(address(foreign)) {} catch {}
        _register(harvester1, Roles.HARVESTER);
        assertTrue(registry.hasRole(Roles.HARVESTER, harvester1), "role granted");
    }

    // ------------------------------------------------------------------ hasRole and AccessControl

    function testFuzz_hasRole_matchesPackedBits(uint16 mask) public {
        // Any combination of the non-device roles (devices are covered by registerDevice).
        mask &= (uint16(1) << 12) - 1;
        mask &= ~(Roles.DEVICE_BITS | Roles.ADMIN_BIT);
        bytes32[12] memory roles = _roles();
        vm.startPrank(admin);
        for (uint256 i; i < 12; ++i) {
            if (mask & _bit(i) != 0) registry.grantRole(roles[i], supplier1);
        }
        vm.stopPrank();
        for (uint256 i; i < 12; ++i) {
            assertEq(registry.hasRole(roles[i], supplier1), mask & _bit(i) != 0, "hasRole");
        }
        assertEq(_auth(supplier1).roles, mask, "packed roles");
    }

    function test_roles_bitsAreInOrder() public pure {
        bytes32[12] memory roles = _roles();
        for (uint256 i; i < 12; ++i) {
            assertEq(Roles.bitOf(roles[i]), _bit(i), "bitOf");
            assertEq(Roles.roleOf(_bit(i)), roles[i], "roleOf");
        }
        for (uint8 s = 1; s <= 6; ++s) {
            assertTrue(Roles.actorBit(s) & Roles.ACTOR_BITS != 0, "actor bit");
        }
    }

    function testFuzz_hasRole_unknownRoleIsFalse(bytes32 role) public view {
        vm.assume(Roles.bitOf(role) == 0);
        assertFalse(registry.hasRole(role, admin), "unknown role");
    }

    function test_grantRole_RevertWhen_UnknownRole() public {
        bytes32 role = keccak256("FISHMONGER");
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryUnknownRole.selector, role));
        vm.prank(admin);
        registry.grantRole(role, supplier1);
    }

    function test_revokeRole_RevertWhen_UnknownRole() public {
        bytes32 role = keccak256("FISHMONGER");
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryUnknownRole.selector, role));
        vm.prank(admin);
        registry.revokeRole(role, supplier1);
    }

    function test_grantRole_RevertWhen_NotAdmin() public {
        _register(supplier1, Roles.SUPPLIER);
        vm.expectRevert(_unauthorized(supplier1));
        vm.prank(supplier1);
        registry.grantRole(Roles.HARVESTER, supplier1);
    }

    function test_revokeRole_revokesOneRole() public {
        _register(supplier1, Roles.SUPPLIER);
        _register(supplier1, Roles.RELAYER);
        vm.prank(admin);
        registry.revokeRole(Roles.RELAYER, supplier1);
        assertEq(_auth(supplier1).roles, Roles.SUPPLIER_BIT, "roles");
    }

    function test_renounceRole_dropsOwnRole() public {
        _register(supplier1, Roles.SUPPLIER);
        vm.prank(supplier1);
        registry.renounceRole(Roles.SUPPLIER, supplier1);
        assertFalse(registry.hasRole(Roles.SUPPLIER, supplier1), "role");
    }

    function test_renounceRole_RevertWhen_NotSelf() public {
        _register(supplier1, Roles.SUPPLIER);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlBadConfirmation.selector));
        vm.prank(stranger);
        registry.renounceRole(Roles.SUPPLIER, supplier1);
    }

    // ------------------------------------------------------------------ replica push

    function test_registerParticipant_pushesToReplica() public {
        vm.expectEmit(true, false, false, true, address(harvester));
        emit IRegistryReplica.AuthorizationSynced(harvester1, 2, Roles.HARVESTER_BIT, 0);
        _register(harvester1, Roles.HARVESTER);

        // The stage answers from its replica: no call back to the registry.
        vm.expectCall(address(registry), abi.encodeCall(IRegistry.authorization, (harvester1)), 0);
        _registerLot(harvester1, COD, 1000);
    }

    function test_attachStage_pushesToEveryStage() public {
        Harvester second = _newHarvester(registry);
        vm.prank(admin);
        registry.attachStage(address(second));
        vm.expectEmit(true, false, false, true, address(harvester));
        emit IRegistryReplica.AuthorizationSynced(supplier1, 2, Roles.SUPPLIER_BIT, 0);
        vm.expectEmit(true, false, false, true, address(second));
        emit IRegistryReplica.AuthorizationSynced(supplier1, 2, Roles.SUPPLIER_BIT, 0);
        _register(supplier1, Roles.SUPPLIER);
    }

    function test_revokeParticipant_pushesToReplica() public {
        _register(harvester1, Roles.HARVESTER);
        _registerLot(harvester1, COD, 1000);
        vm.expectEmit(true, false, false, true, address(harvester));
        emit IRegistryReplica.AuthorizationSynced(harvester1, 2, 0, 0);
        vm.prank(admin);
        registry.revokeParticipant(harvester1);

        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, harvester1, Roles.HARVESTER_BIT));
        vm.prank(harvester1);
        harvester.registerFish(_catch(COD, 1000));
    }

    function test_registerDevice_pushesToReplica() public {
        _register(harvester1, Roles.HARVESTER);
        vm.expectEmit(true, false, false, true, address(harvester));
        emit IRegistryReplica.AuthorizationSynced(gateway, 3, Roles.SENSOR_GATEWAY_BIT, 2);
        _registerGateway(gateway, harvester1);
    }

    function test_revokeParticipant_deviceLosesRolesInReplica() public {
        _register(harvester1, Roles.HARVESTER);
        _registerGateway(gateway, harvester1);
        uint256 lotId = _registerLot(harvester1, COD, 1000);
        vm.prank(gateway);
        harvester.updateFish(lotId, 200, 80, 62_00000, -6_50000, uint40(_now()));

        // Only the operator's own record is pushed (audit F8): the replica reads it when the device acts.
        vm.recordLogs();
        vm.prank(admin);
        registry.revokeParticipant(harvester1);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IRegistryReplica.AuthorizationSynced.selector) {
                assertEq(logs[i].topics[1], bytes32(uint256(uint160(harvester1))), "only the operator is pushed");
            }
        }
        assertEq(registry.authorization(gateway).roles, 0, "the registry reports the device roleless");

        vm.expectRevert(
            abi.encodeWithSelector(
                IStage.StageUnauthorized.selector,
                gateway,
                Roles.HARVESTER_BIT | Roles.SENSOR_GATEWAY_BIT
            )
        );
        vm.prank(gateway);
        harvester.updateFish(lotId, 200, 80, 62_00000, -6_50000, uint40(_now()));

        // Re-registering the operator gives the device its roles back, with no push of its own.
        _register(harvester1, Roles.HARVESTER);
        vm.prank(gateway);
        harvester.updateFish(lotId, 300, 80, 62_00000, -6_50000, uint40(_now()));
    }

    function test_syncAuthorization_RevertWhen_CallerNotRegistry() public {
        IRegistry.Authorization memory auth = IRegistry.Authorization({
            id: 99,
            roles: Roles.HARVESTER_BIT,
            operatorId: 0,
            operator: address(0)
        });
        vm.expectRevert(abi.encodeWithSelector(IRegistryReplica.ReplicaCallerNotRegistry.selector, admin));
        vm.prank(admin);
        harvester.syncAuthorization(stranger, auth);
    }

    function testFuzz_syncAuthorization_RevertWhen_CallerNotRegistry(address caller) public {
        vm.assume(caller != address(registry));
        IRegistry.Authorization memory auth = IRegistry.Authorization({
            id: 99,
            roles: Roles.HARVESTER_BIT,
            operatorId: 0,
            operator: address(0)
        });
        vm.expectRevert(abi.encodeWithSelector(IRegistryReplica.ReplicaCallerNotRegistry.selector, caller));
        vm.prank(caller);
        harvester.syncAuthorization(stranger, auth);
        // The forged authorization never took effect.
        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, stranger, Roles.HARVESTER_BIT));
        vm.prank(stranger);
        harvester.registerFish(_catch(COD, 1000));
    }

    function test_authorization_fallbackForParticipantRegisteredBeforeAttach() public {
        Harvester late = _newHarvester(registry);
        _register(harvester1, Roles.HARVESTER);
        vm.recordLogs();
        vm.prank(admin);
        registry.attachStage(address(late));
        // Attaching pushes nothing: only StageAttached.
        assertEq(vm.getRecordedLogs().length, 1, "no push on attach");

        // The late stage has no replica entry and asks the registry instead.
        vm.expectCall(address(registry), abi.encodeCall(IRegistry.authorization, (harvester1)));
        vm.prank(harvester1);
        uint256 lotId = late.registerFish(_catch(COD, 1000));
        assertEq(late.getLot(lotId).custodianId, _idOf(harvester1), "custodian");
    }

    function test_authorization_fallbackReflectsRevokeBeforeAttach() public {
        Harvester late = _newHarvester(registry);
        _register(harvester1, Roles.HARVESTER);
        vm.prank(admin);
        registry.revokeParticipant(harvester1);
        vm.prank(admin);
        registry.attachStage(address(late));

        vm.expectRevert(abi.encodeWithSelector(IStage.StageUnauthorized.selector, harvester1, Roles.HARVESTER_BIT));
        vm.prank(harvester1);
        late.registerFish(_catch(COD, 1000));
    }

    function test_authorization_replicaTakesOverAfterFirstPush() public {
        Harvester late = _newHarvester(registry);
        _register(harvester1, Roles.HARVESTER);
        vm.prank(admin);
        registry.attachStage(address(late));
        // A change after the attach pushes the account, and the replica answers from then on.
        _register(harvester1, Roles.RELAYER);
        vm.expectCall(address(registry), abi.encodeCall(IRegistry.authorization, (harvester1)), 0);
        vm.prank(harvester1);
        late.registerFish(_catch(COD, 1000));
    }

    function test_authorization_fallbackForDeviceRegisteredBeforeAttach() public {
        Harvester late = _newHarvester(registry);
        _register(harvester1, Roles.HARVESTER);
        _registerGateway(gateway, harvester1);
        vm.prank(admin);
        registry.attachStage(address(late));
        vm.prank(harvester1);
        uint256 lotId = late.registerFish(_catch(COD, 1000));
        vm.prank(gateway);
        late.updateFish(lotId, 100, 70, 0, 0, uint40(_now()));
        assertEq(late.getLot(lotId).temperature, 100, "reading stored");
    }

    // ------------------------------------------------------------------ folded in from the mocha suite

    function test_constructor_emitsEnrolmentAndGrantOfAdmin() public {
        vm.recordLogs();
        Registry fresh = _newRegistry(admin);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool enrolled;
        bool granted;
        for (uint256 i; i < logs.length; ++i) {
            assertEq(logs[i].emitter, address(fresh), "emitter");
            bytes32 topic = logs[i].topics[0];
            if (topic == IRegistry.ParticipantEnrolled.selector) {
                assertEq(logs[i].topics[1], bytes32(uint256(1)), "id 1");
                assertEq(logs[i].topics[2], bytes32(uint256(uint160(admin))), "admin enrolled");
                enrolled = true;
            } else if (topic == IAccessControl.RoleGranted.selector) {
                assertEq(logs[i].topics[1], Roles.DEFAULT_ADMIN, "role");
                assertEq(logs[i].topics[2], bytes32(uint256(uint160(admin))), "account");
                assertEq(logs[i].topics[3], bytes32(uint256(uint160(address(this)))), "sender: the deployer");
                granted = true;
            }
        }
        assertTrue(enrolled && granted, "ParticipantEnrolled and RoleGranted");
        assertEq(fresh.MAX_STAGES(), 12, "six actors plus room for upgrades");
        assertEq(fresh.DEFAULT_ADMIN_ROLE(), Roles.DEFAULT_ADMIN, "admin role id");
    }

    function test_registerDevice_RevertWhen_NotDeviceRole_everyOtherRole() public {
        _register(harvester1, Roles.HARVESTER);
        bytes32[4] memory roles = [Roles.HARVESTER, Roles.REGULATOR, Roles.RELAYER, Roles.DEFAULT_ADMIN];
        for (uint256 i; i < roles.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotDeviceRole.selector, roles[i]));
            vm.prank(admin);
            registry.registerDevice(gateway, roles[i], harvester1);
        }
    }

    function test_registerDevice_RevertWhen_OperatorUnregisteredOrAdmin() public {
        address[2] memory operators = [stranger, admin];
        for (uint256 i; i < operators.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryOperatorNotActor.selector, operators[i]));
            vm.prank(admin);
            registry.registerDevice(qat, Roles.QAT_DEVICE, operators[i]);
        }
    }

    function test_registerDevice_secondRoleNeitherEnrolsNorBindsAgain() public {
        _register(harvester1, Roles.HARVESTER);
        _registerGateway(gateway, harvester1);
        vm.recordLogs();
        vm.prank(admin);
        registry.registerDevice(gateway, Roles.QAT_DEVICE, harvester1);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != IRegistry.ParticipantEnrolled.selector, "no ParticipantEnrolled");
            assertTrue(logs[i].topics[0] != IRegistry.DeviceBound.selector, "no DeviceBound");
        }
    }

    function test_revokeParticipant_keepsProfile() public {
        vm.prank(admin);
        registry.registerParticipant(harvester1, Roles.HARVESTER, "FV Nordkapp", "7080003000012");
        vm.prank(admin);
        registry.revokeParticipant(harvester1);
        (string memory name, string memory location) = registry.profileOf(harvester1);
        assertEq(name, "FV Nordkapp", "name");
        assertEq(location, "7080003000012", "location");
    }

    function test_revokeParticipant_revokesDevicesOwnRoles() public {
        _register(supplier1, Roles.SUPPLIER);
        vm.prank(admin);
        registry.registerDevice(qat, Roles.QAT_DEVICE, supplier1);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IAccessControl.RoleRevoked(Roles.QAT_DEVICE, qat, admin);
        vm.prank(admin);
        registry.revokeParticipant(qat);
        assertFalse(registry.hasRole(Roles.QAT_DEVICE, qat), "device role");
        assertEq(registry.operatorOf(qat), supplier1, "binding kept");
    }

    function test_views_unknownAccountAndId() public view {
        IRegistry.Authorization memory auth = _auth(stranger);
        assertEq(auth.id, 0, "id");
        assertEq(auth.roles, 0, "roles");
        assertEq(auth.operatorId, 0, "operator id");
        assertEq(registry.accountOf(0), address(0), "id 0");
        assertEq(registry.accountOf(registry.participantCount() + 1), address(0), "next id");
        (string memory name, string memory location) = registry.profileOf(stranger);
        assertEq(bytes(name).length + bytes(location).length, 0, "no profile");
        assertEq(registry.operatorOf(admin), address(0), "no device, no operator");
        assertFalse(registry.isSpeciesListed(HER), "unlisted");
        assertEq(registry.speciesName(HER), "", "unlisted name");
    }

    function test_grantRole_enrolsAndPushes() public {
        uint32 id = registry.participantCount() + 1;
        vm.expectEmit(true, true, false, true, address(registry));
        emit IRegistry.ParticipantEnrolled(id, supplier1);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IAccessControl.RoleGranted(Roles.RELAYER, supplier1, admin);
        vm.expectEmit(true, false, false, true, address(harvester));
        emit IRegistryReplica.AuthorizationSynced(supplier1, id, Roles.RELAYER_BIT, 0);
        vm.prank(admin);
        registry.grantRole(Roles.RELAYER, supplier1);
    }

    function test_grantRole_heldRoleEmitsNothing() public {
        _register(supplier1, Roles.SUPPLIER);
        vm.recordLogs();
        vm.prank(admin);
        registry.grantRole(Roles.SUPPLIER, supplier1);
        assertEq(vm.getRecordedLogs().length, 0, "no event, no push");
    }

    function test_revokeRole_emitsAndPushes_notHeldEmitsNothing() public {
        _register(supplier1, Roles.SUPPLIER);
        _register(supplier1, Roles.RELAYER);
        uint32 id = _idOf(supplier1);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IAccessControl.RoleRevoked(Roles.SUPPLIER, supplier1, admin);
        vm.expectEmit(true, false, false, true, address(harvester));
        emit IRegistryReplica.AuthorizationSynced(supplier1, id, Roles.RELAYER_BIT, 0);
        vm.prank(admin);
        registry.revokeRole(Roles.SUPPLIER, supplier1);

        vm.recordLogs();
        vm.prank(admin);
        registry.revokeRole(Roles.SUPPLIER, supplier1);
        assertEq(vm.getRecordedLogs().length, 0, "no event, no push");
    }

    function test_revokeRole_RevertWhen_NotAdmin() public {
        _register(supplier1, Roles.SUPPLIER);
        _register(supplier2, Roles.SUPPLIER);
        vm.expectRevert(_unauthorized(supplier2));
        vm.prank(supplier2);
        registry.revokeRole(Roles.SUPPLIER, supplier1);
    }

    function test_renounceRole_emitsRoleRevokedBySelf() public {
        _register(supplier1, Roles.SUPPLIER);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IAccessControl.RoleRevoked(Roles.SUPPLIER, supplier1, supplier1);
        vm.prank(supplier1);
        registry.renounceRole(Roles.SUPPLIER, supplier1);
    }

    function test_getRoleAdmin_isDefaultAdminForEveryRole() public view {
        bytes32[12] memory roles = _roles();
        for (uint256 i; i < roles.length; ++i) {
            assertEq(registry.getRoleAdmin(roles[i]), Roles.DEFAULT_ADMIN, "role admin");
        }
    }

    function test_supportsInterface_accessControlAndErc165Only() public view {
        IERC165 asErc165 = IERC165(address(registry));
        assertTrue(asErc165.supportsInterface(type(IAccessControl).interfaceId), "IAccessControl");
        assertTrue(asErc165.supportsInterface(type(IERC165).interfaceId), "IERC165");
        assertFalse(asErc165.supportsInterface(0xffffffff), "0xffffffff");
        assertFalse(asErc165.supportsInterface(IRegistry.attachStage.selector), "no interface of its own");
    }

    function test_syncAuthorization_fromRegistryStoresAndEmits() public {
        IRegistry.Authorization memory auth = IRegistry.Authorization({
            id: 4242,
            roles: Roles.HARVESTER_BIT,
            operatorId: 0,
            operator: address(0)
        });
        vm.expectEmit(true, false, false, true, address(harvester));
        emit IRegistryReplica.AuthorizationSynced(stranger, 4242, Roles.HARVESTER_BIT, 0);
        vm.prank(address(registry));
        harvester.syncAuthorization(stranger, auth);
        // The stage trusts its replica: the account registers lots under the pushed id.
        uint256 lotId = _registerLot(stranger, COD, 1000);
        assertEq(harvester.getLot(lotId).custodianId, 4242, "custodian id");
    }

    function test_registerParticipant_pushesNothingToUnattachedStage() public {
        Harvester detached = _newHarvester(registry);
        vm.recordLogs();
        _register(harvester1, Roles.HARVESTER);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) assertTrue(logs[i].emitter != address(detached), "no push");
    }
}
