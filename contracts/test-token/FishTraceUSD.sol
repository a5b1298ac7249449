// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title FishTraceUSD
/// @notice A test stablecoin for the demo, the local stack and the tests: a plain OpenZeppelin ERC-20 with EIP-2612
/// `permit`, six decimals like USDC, symbol fUSD. Anyone may mint: it is play money, never a deployment's real
/// settlement token.
contract FishTraceUSD is ERC20, ERC20Permit {
    /// @notice Deploys the token with no supply.
    constructor() ERC20("FishTrace USD", "fUSD") ERC20Permit("FishTrace USD") {}

    /// @notice Mints `amount` (in units of 1e-6 fUSD) to `to`. Open to anyone: a test token's faucet.
    /// @dev Emits `Transfer(0, to, amount)`.
    /// @param to the account credited
    /// @param amount the units minted
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Six decimals, as USDC and most stablecoins.
    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
