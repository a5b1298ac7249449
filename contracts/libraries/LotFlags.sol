// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title LotFlags
/// @notice The bits of `IStage.Lot.flags`: facts about a lot (form, origin) and alarms raised against it.
library LotFlags {
    /// @dev Product form: frozen (cold-chain band at most -18 °C) instead of fresh (0-4 °C).
    uint8 internal constant FROZEN = 1 << 0;
    /// @dev Production method: farmed (aquaculture) instead of wild-caught.
    uint8 internal constant FARMED = 1 << 1;
    /// @dev A reading outside the cold-chain band was recorded.
    uint8 internal constant EXCURSION = 1 << 2;
    /// @dev A QAT scan reported another species than the lot's.
    uint8 internal constant SPECIES_MISMATCH = 1 << 3;
    /// @dev A QAT scan reported a larger freshness drop than elapsed time allows.
    uint8 internal constant FRESHNESS_WARNING = 1 << 4;
    /// @dev A regulator recalled the lot.
    uint8 internal constant RECALLED = 1 << 5;
    /// @dev A customer reported a problem with the lot.
    uint8 internal constant PROBLEM_REPORTED = 1 << 6;

    /// @dev The flags a registrant may set; the others are raised by the system.
    uint8 internal constant DECLARED = FROZEN | FARMED;
}
