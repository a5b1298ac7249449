// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {OrderBook} from "../base/OrderBook.sol";
import {Stage} from "../base/Stage.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";

/// @title Retailer
/// @notice Smart contract 5: retail sale of packs. Packs enter only from the Distributor; customers buy them
/// through the same escrowed order book every pair uses.
contract Retailer is OrderBook {
    /// @notice Deploys the Retailer stage (stage 5) of `registry_`.
    /// @param registry_ the FishTrace registry
    /// @param distributor the Distributor contract packs come from
    constructor(IRegistry registry_, address distributor) Stage(registry_, 5, distributor) {}
}
