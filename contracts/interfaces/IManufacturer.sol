// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IManufacturer
/// @notice Stage 3: transformation. Input lots (wholly or by weight) become product lots (fillets, packs)
/// identified by GS1 GTIN and lot number, with their parents recorded on chain and the mass balance enforced.
interface IManufacturer {
    /// @notice Take `grams` from lot `lotId` (0: all that is left of it).
    struct Input {
        uint256 lotId;
        uint40 grams;
    }

    /// @notice A product lot to create: GS1 GTIN-14 (check digit included) and lot number (GS1 AI 10).
    struct Output {
        uint64 gtin;
        bytes20 lotNumber;
        uint40 weightGrams;
        bool frozen;
    }

    /// @notice Process `processId` by `manufacturerId` turned `inputLotIds` (taking `consumedGrams` of each) into
    /// `productLotIds`; `yieldBps` = produced / consumed in basis points.
    /// @param processId the processing run
    /// @param manufacturerId participant id of the manufacturer
    /// @param inputLotIds the lots consumed
    /// @param consumedGrams grams taken from each input lot, in the same order
    /// @param productLotIds the product lots created
    /// @param producedGrams total grams of the products
    /// @param yieldBps producedGrams / consumed grams, in basis points
    event LotsProcessed(
        uint256 indexed processId,
        uint32 indexed manufacturerId,
        uint256[] inputLotIds,
        uint40[] consumedGrams,
        uint256[] productLotIds,
        uint256 producedGrams,
        uint16 yieldBps
    );
    /// @notice Product lot `lotId` (GTIN `gtin`, lot `lotNumber`) was made in process `processId`; `frozen` is its
    /// product form (its cold-chain band: frozen at most −18 °C, else fresh 0–4 °C).
    /// @param lotId the product lot
    /// @param gtin its GTIN-14
    /// @param lotNumber its batch/lot number
    /// @param species the product's species
    /// @param weightGrams the product lot's grams
    /// @param processId the processing run
    /// @param frozen whether the product is frozen (cold-chain band at most -18 °C)
    event ProductLotCreated(
        uint256 indexed lotId,
        uint64 indexed gtin,
        bytes20 lotNumber,
        bytes3 species,
        uint40 weightGrams,
        uint256 processId,
        bool frozen
    );

    /// @notice GS1 company prefix `prefix` (`digits` digits long) now belongs to manufacturer `manufacturerId` (0:
    /// released); only it may create product lots under GTINs carrying that prefix.
    /// @param prefix the GS1 company prefix
    /// @param digits the prefix's length in digits (6 to 12)
    /// @param manufacturerId participant id of the owner (0: none)
    event CompanyPrefixSet(uint64 indexed prefix, uint8 digits, uint32 indexed manufacturerId);

    /// @notice A process needs at least one input and one output.
    error ProcessEmpty(uint256 inputs, uint256 outputs);
    /// @notice Lot `lotId` is `actual`, but this process is of `expected` (the first input's species).
    error ProcessMixedSpecies(uint256 lotId, bytes3 expected, bytes3 actual);
    /// @notice Lot `lotId` is listed twice among one process's inputs.
    error ProcessDuplicateInput(uint256 lotId);
    /// @notice `grams` were asked of lot `lotId`, which has `available` left.
    error ProcessOverdrawn(uint256 lotId, uint256 grams, uint256 available);
    /// @notice The outputs weigh `producedGrams`, more than the `consumedGrams` consumed.
    error ProcessMassBalance(uint256 consumedGrams, uint256 producedGrams);
    /// @notice `gtin` is not a GTIN-14 with a valid check digit.
    error ProcessInvalidGtin(uint64 gtin);
    /// @notice A product lot needs a lot number and a weight (GTIN `gtin`).
    error ProcessInvalidOutput(uint64 gtin, bytes20 lotNumber, uint40 weightGrams);
    /// @notice `gtin` carries a GS1 company prefix registered to manufacturer `ownerId`, not to the caller.
    error ProcessGtinNotOwned(uint64 gtin, uint32 ownerId);
    /// @notice `prefix` is not a GS1 company prefix of `digits` digits (6 to 12).
    error ManufacturerInvalidPrefix(uint64 prefix, uint8 digits);
    /// @notice Lot `lotId` is not recalled here, so there is no recall to carry on to its products.
    error ManufacturerLotNotRecalled(uint256 lotId);
    /// @notice `productLotId` was not made here from lot `lotId`.
    error ManufacturerNotAProduct(uint256 lotId, uint256 productLotId);

    /// @notice Consumes `inputs` and creates the product lots `outputs` in the caller's custody.
    /// @dev Callable by a MANUFACTURER holding every input (available, not recalled, one species). A fully consumed
    /// input is removed (`FishRemoved`, reason Consumed). Emits `ProductLotCreated` per output and
    /// `LotsProcessed`. Reverts with `StagePaused`, `StageUnauthorized`, `ProcessEmpty`, `ProcessDuplicateInput`, `LotNotFound`, `LotNotInCustody`,
    /// `LotInvalidStatus`, `LotIsRecalled`, `ProcessMixedSpecies`, `ProcessOverdrawn`, `ProcessInvalidGtin`,
    /// `ProcessInvalidOutput`, `ProcessGtinNotOwned`, `LotAlreadyExists`, `ProcessMassBalance`. A GTIN whose GS1
    /// company prefix is registered (`setCompanyPrefix`) may be used by that prefix's manufacturer only; a GTIN with
    /// no registered prefix is open to any manufacturer.
    /// @return processId the process's number
    /// @return productLotIds the new lots' ids (see `productLotId`)
    /// @param inputs the lots to consume and the grams to take from each (0: all of it)
    /// @param outputs the product lots to create
    function processLots(
        Input[] calldata inputs,
        Output[] calldata outputs
    ) external returns (uint256 processId, uint256[] memory productLotIds);

    /// @notice The lot id of the product lot with GTIN `gtin` and lot number `lotNumber`: what a GS1 Digital Link
    /// `/01/{gtin}/10/{lot}` resolves to.
    /// @param gtin the product's GTIN-14
    /// @param lotNumber the product's GS1 batch/lot number (AI 10)
    function productLotId(uint64 gtin, bytes20 lotNumber) external pure returns (uint256);

    /// @notice The number of processes run so far.
    function processCount() external view returns (uint256);

    /// @notice Registers GS1 company prefix `prefix` of `digits` digits to `owner`, a MANUFACTURER (the zero address
    /// releases it): from then on only `owner` may create product lots under GTINs carrying it (audit F1).
    /// @dev Callable by the registry admin. Emits `CompanyPrefixSet`. Reverts with `StageUnauthorized`,
    /// `ManufacturerInvalidPrefix`.
    /// @param prefix the GS1 company prefix
    /// @param digits the prefix's length in digits (6 to 12)
    /// @param owner the manufacturer that owns the prefix (zero address: none)
    function setCompanyPrefix(uint64 prefix, uint8 digits, address owner) external;

    /// @notice The manufacturer id whose registered company prefix `gtin` carries (0: none registered).
    /// @param gtin a GTIN-14
    function gtinOwnerOf(uint64 gtin) external view returns (uint32);

    /// @notice Carries the recall of lot `lotId` (recalled here, even when consumed) on to `productLotIds`, product
    /// lots made from it here, and wherever they went on from here (audit F9). Each product's lineage is checked on
    /// chain (`parentsOf`); the regulator passes the products in batches of its choosing (the `LotsProcessed` events
    /// name them), so any number of products is reached in bounded calls, and a repeated batch is a no-op. Products
    /// made from those products are reached by calling it for them in turn.
    /// @dev Callable by a REGULATOR. Emits `IStage.LotRecalled` per newly recalled lot. Reverts with
    /// `StageUnauthorized`, `LotNotFound`, `ManufacturerLotNotRecalled`, `ManufacturerNotAProduct`.
    /// @param lotId a recalled lot the Manufacturer consumed
    /// @param productLotIds product lots made from it
    /// @param reason the regulator's reference for the recall
    function recallProducts(uint256 lotId, uint256[] calldata productLotIds, bytes32 reason) external;
}
