// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {OrderBook} from "../base/OrderBook.sol";
import {Stage} from "../base/Stage.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";

/// @title Supplier
/// @notice Smart contract 2: first land-based receiving, cooling and storage. Lots enter only from the Harvester
/// (acknowledged orders); cooling and storage readings go through `updateFish`; lots are sold to Manufacturers.
contract Supplier is OrderBook {
    /// @notice Deploys the Supplier stage (stage 2) of `registry_`.
    /// @param registry_ the FishTrace registry
    /// @param harvester the Harvester contract lots come from
    constructor(IRegistry registry_, address harvester) Stage(registry_, 2, harvester) {}
}
