// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IHarvester} from "../../../contracts/interfaces/IHarvester.sol";

/// @dev The catch the suites register: `weightGrams` of `species` caught at `caughtAt` by a bottom trawler on the Faroe
/// Bank (FAO area 27.5.b), fresh or frozen, wild or farmed as asked.
function catchOf(
    bytes3 species,
    uint40 weightGrams,
    uint40 caughtAt,
    bool farmed,
    bool frozen
) pure returns (IHarvester.Catch memory) {
    return
        IHarvester.Catch({
            species: species,
            weightGrams: weightGrams,
            caughtAt: caughtAt,
            latitude: 62_00000,
            longitude: -6_50000,
            catchArea: "27.5.b",
            vessel: "IMO9241061",
            gear: "OTB",
            farmed: farmed,
            frozen: frozen
        });
}
