// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;
// The contracts' interfaces: its functions are not tests.
// solhint-disable foundry-test-function-naming

import {IAccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {ICustomer} from "../../../contracts/interfaces/ICustomer.sol";
import {IDistributor} from "../../../contracts/interfaces/IDistributor.sol";
import {IHarvester} from "../../../contracts/interfaces/IHarvester.sol";
import {IManufacturer} from "../../../contracts/interfaces/IManufacturer.sol";
import {IOrderBook} from "../../../contracts/interfaces/IOrderBook.sol";
import {IPacking} from "../../../contracts/interfaces/IPacking.sol";
import {IQualityLedger} from "../../../contracts/interfaces/IQualityLedger.sol";
import {IRegistry} from "../../../contracts/interfaces/IRegistry.sol";
import {IRegistryReplica} from "../../../contracts/interfaces/IRegistryReplica.sol";
import {IStage} from "../../../contracts/interfaces/IStage.sol";

// The contracts as the suites see them: the interfaces each implements, plus its public constants. The suites deploy
// the contracts from their compiled artifacts (FishTraceTest._deploy) and call them through these, imported under the
// contract's name (`import {HarvesterInterface as Harvester}`), so they compile without the contracts' sources: the
// suites' compilation job holds no contract to generate code for. The names differ from the contracts' so that an
// artifact name (`Registry`, read by Ignition and ethers) stays unique.

/// @notice A stage that sells to the next stage: `Supplier`, `Retailer`, and the base of the others.
interface OrderBookInterface is IOrderBook, IStage, IRegistryReplica {
    function MIN_ACK_WINDOW() external view returns (uint32);
    function MAX_ACK_WINDOW() external view returns (uint32);
    function ARRIVAL_DISPUTE_WINDOW() external view returns (uint32);
    function trustedForwarder() external view returns (address);
    function isTrustedForwarder(address forwarder) external view returns (bool);
}

/// @notice contracts/actors/Harvester.sol.
interface HarvesterInterface is IHarvester, OrderBookInterface {}

/// @notice contracts/actors/Supplier.sol.
interface SupplierInterface is OrderBookInterface {}

/// @notice contracts/actors/Manufacturer.sol.
interface ManufacturerInterface is IManufacturer, OrderBookInterface {}

/// @notice contracts/actors/Distributor.sol.
interface DistributorInterface is IDistributor, OrderBookInterface {}

/// @notice contracts/actors/Retailer.sol.
interface RetailerInterface is OrderBookInterface {}

/// @notice contracts/actors/Customer.sol.
interface CustomerInterface is ICustomer, IStage, IRegistryReplica {
    function MAX_PROVENANCE_HOPS() external view returns (uint256);
}

/// @notice contracts/Registry.sol.
interface RegistryInterface is IRegistry, IAccessControlDefaultAdminRules {
    function MAX_STAGES() external view returns (uint256);
    function DEFAULT_ADMIN_ROLE() external view returns (bytes32);
}

/// @notice contracts/QualityLedger.sol.
interface QualityLedgerInterface is IQualityLedger, IRegistryReplica, IERC5267 {
    function MAX_UPLOAD_DELAY() external view returns (uint40);
}

/// @notice contracts/Packing.sol.
interface PackingInterface is IPacking {
    function MAX_LOTS() external view returns (uint256);

    function MAX_UNITS() external view returns (uint256);
}

/// @notice contracts/test-token/FishTraceUSD.sol.
interface TestTokenInterface is IERC20, IERC20Permit {
    function mint(address to, uint256 amount) external;
    function decimals() external view returns (uint8);
    function symbol() external view returns (string memory);
}

/// @notice The ERC-2771 views every stage contract has (OpenZeppelin `ERC2771Context`).
interface ForwardingInterface {
    function trustedForwarder() external view returns (address);
    function isTrustedForwarder(address forwarder) external view returns (bool);
}
