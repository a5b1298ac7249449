// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {LotFlags} from "./LotFlags.sol";

/// @title ColdChain
/// @notice Cold-chain temperature bands by product form, in hundredths of a degree Celsius: fresh fish is kept
/// between 0 and 4 °C (melting ice to chilled), frozen fish at or below -18 °C (Codex CXC 52-2003).
library ColdChain {
    int16 internal constant FRESH_MIN = 0;
    int16 internal constant FRESH_MAX = 400;
    int16 internal constant FROZEN_MIN = type(int16).min;
    int16 internal constant FROZEN_MAX = -1800;

    /// @notice The allowed band [min, max] for a lot with `flags`.
    /// @param flags the lot's flags (FROZEN selects the frozen band)
    /// @return min the lowest temperature allowed, hundredths of a degree
    /// @return max the highest temperature allowed, hundredths of a degree
    function band(uint8 flags) internal pure returns (int16 min, int16 max) {
        return flags & LotFlags.FROZEN != 0 ? (FROZEN_MIN, FROZEN_MAX) : (FRESH_MIN, FRESH_MAX);
    }
}
