// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Harvester} from "../../contracts/actors/Harvester.sol";
import {IHarvester} from "../../contracts/interfaces/IHarvester.sol";
import {IRegistry} from "../../contracts/interfaces/IRegistry.sol";
import {Registry} from "../../contracts/Registry.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {Test} from "./Test.sol";

/// @title FishTraceTest
/// @notice The deployment the Solidity suites share: a registry with its admin, a Harvester stage attached to it,
/// two harvesters, two suppliers and the species COD and HER, plus helpers to register lots and build arguments.
abstract contract FishTraceTest is Test {
    bytes3 internal constant COD = "COD";
    bytes3 internal constant HER = "HER";
    /// @dev A realistic start time, so that deadlines and catch times are far from zero.
    uint256 internal constant START = 1_750_000_000;

    address internal admin;
    address internal harvester1;
    address internal harvester2;
    address internal supplier1;
    address internal supplier2;
    address internal stranger;

    Registry internal registry;
    Harvester internal harvester;

    /// @dev Deploys the registry and the Harvester stage; `attach` decides whether the stage receives pushes.
    function _deploy(bool attach) internal {
        vm.warp(START);
        admin = makeAddr("admin");
        harvester1 = makeAddr("harvester1");
        harvester2 = makeAddr("harvester2");
        supplier1 = makeAddr("supplier1");
        supplier2 = makeAddr("supplier2");
        stranger = makeAddr("stranger");

        registry = new Registry(admin);
        harvester = new Harvester(registry);
        vm.label(address(registry), "Registry");
        vm.label(address(harvester), "Harvester");
        if (attach) {
            vm.prank(admin);
            registry.attachStage(address(harvester));
        }
    }

    /// @dev The full fixture: attached stage, participants and species.
    function _deployWithParticipants() internal {
        _deploy(true);
        _register(harvester1, Roles.HARVESTER);
        _register(harvester2, Roles.HARVESTER);
        _register(supplier1, Roles.SUPPLIER);
        _register(supplier2, Roles.SUPPLIER);
        _listSpecies(COD, "Atlantic cod");
        _listSpecies(HER, "Atlantic herring");
    }

    function _register(address account, bytes32 role) internal {
        vm.prank(admin);
        registry.registerParticipant(account, role, "name", "location");
    }

    function _listSpecies(bytes3 code, string memory name) internal {
        vm.prank(admin);
        registry.listSpecies(code, name);
    }

    function _idOf(address account) internal view returns (uint32) {
        return registry.authorization(account).id;
    }

    function _catch(bytes3 species, uint40 weightGrams) internal view returns (IHarvester.Catch memory) {
        return
            IHarvester.Catch({
                species: species,
                weightGrams: weightGrams,
                caughtAt: uint40(_now()),
                latitude: 62_00000,
                longitude: -6_50000,
                catchArea: "27.5.b",
                vessel: "IMO9241061",
                gear: "OTB",
                farmed: false,
                frozen: false
            });
    }

    /// @dev Registers a fresh lot of `species` weighing `weightGrams` in `by`'s custody.
    function _registerLot(address by, bytes3 species, uint40 weightGrams) internal returns (uint256 lotId) {
        vm.prank(by);
        lotId = harvester.registerFish(_catch(species, weightGrams));
    }

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

    function _auth(address account) internal view returns (IRegistry.Authorization memory) {
        return registry.authorization(account);
    }
}
